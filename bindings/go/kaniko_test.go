package cicd

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

const kanikoCA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

func fullKaniko() *KanikoBuild {
	return &KanikoBuild{
		Name: "shop-build", Namespace: "ci", AsJob: true, Cache: true, Reproducible: true,
		Context:      "git://gitlab.example.com/acme/shop.git#refs/heads/dev",
		Destinations: []string{"registry.example.com/acme/shop:1.2.3", "registry.example.com/acme/shop:latest"},
		BuildArgs:    []string{"VERSION=1.2.3"}, Target: "runtime",
		CacheRepo: "registry.example.com/acme/shop/cache", SnapshotMode: "redo", CABundle: []byte(kanikoCA),
		Credentials: []RegistryCredential{{"registry.example.com", "ci", "s3cr3t"}},
		CPURequest:  "1", CPULimit: "1", MemoryRequest: "2Gi", MemoryLimit: "2Gi", ActiveDeadlineSeconds: 3600,
	}
}

func TestKanikoGolden(t *testing.T) {
	for name, b := range map[string]*KanikoBuild{
		"golden_kaniko_job.yaml": fullKaniko(),
		"golden_kaniko_pod.yaml": {Context: "dir:///workspace", NoPush: true, ContextClaim: "src"},
	} {
		want, err := os.ReadFile(podData(name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := RenderKaniko(b)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Fatalf("%s: rendered\n%s", name, got)
		}
	}
	if got, _ := RenderKaniko(&KanikoBuild{Context: "dir:///w", NoPush: true}); !strings.Contains(got, "image: "+DefaultKanikoImage+"\n") {
		t.Fatalf("default image missing:\n%s", got)
	}
}

func TestKanikoJSONSecret(t *testing.T) {
	b := fullKaniko()
	b.JSON = true
	out, err := RenderKaniko(b)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			Kind string
			Data map[string]string
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, it := range list.Items {
		kinds = append(kinds, it.Kind)
	}
	eq(t, "kinds", kinds, []string{"Secret", "ConfigMap", "Job"})
	raw, err := base64.StdEncoding.DecodeString(list.Items[0].Data[".dockerconfigjson"])
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "docker config", string(raw),
		`{"auths":{"registry.example.com":{"username":"ci","password":"s3cr3t","auth":"`+
			base64.StdEncoding.EncodeToString([]byte("ci:s3cr3t"))+`"}}}`)
	if strings.Contains(out, "s3cr3t") {
		t.Fatal("the password appears in plain text")
	}
}

func TestKanikoInvalid(t *testing.T) {
	for _, c := range []struct {
		edit func(*KanikoBuild)
		msg  string
	}{
		{func(b *KanikoBuild) { b.Context = "" }, "kaniko build: a context is required"},
		{func(b *KanikoBuild) { b.Destinations = nil }, "kaniko build: at least one destination is required (or no-push)"},
		{func(b *KanikoBuild) { b.BuildArgs = []string{"NOEQUALS"} }, "kaniko build: build argument 1 is not KEY=VALUE"},
		{func(b *KanikoBuild) { b.SnapshotMode = "fast" }, `kaniko build: snapshot mode "fast" is not full, redo or time`},
		{func(b *KanikoBuild) { b.Cache = false }, "kaniko build: a cache repository needs the cache turned on"},
		{func(b *KanikoBuild) { b.Name = "Shop_Build" }, "kaniko build: name must be a DNS-1123 label of at most 40 characters"},
		{func(b *KanikoBuild) { b.Credentials[0].Registry = "" }, "kaniko build: credential 1 needs a registry, a user name and a password"},
		{func(b *KanikoBuild) { b.MemoryLimit = "2GB"; b.Credentials[0].Password = "hunter2-pw" }, `kaniko build: memory limit "2GB" is not a Kubernetes quantity`},
	} {
		b := fullKaniko()
		c.edit(b)
		out, err := RenderKaniko(b)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrValidate) || e.Message != c.msg || out != "" {
			t.Fatalf("got %q, %v; want %q", out, err, c.msg)
		}
		if strings.Contains(err.Error(), "hunter2-pw") || strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("a password in the message: %v", err)
		}
	}
}
