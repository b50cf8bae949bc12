package cicd

/*
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/kaniko.h>

static int shim_kaniko_render(cicd_buf *out, const cicd_kaniko_build *b, cicd_error **err)
{
	int rc = cicd_kaniko_render(out, b);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import "unsafe"

// DefaultKanikoImage is the executor image used when KanikoBuild.Image is empty.
const DefaultKanikoImage = C.CICD_KANIKO_DEFAULT_IMAGE

// RegistryCredential is one registry login for the docker-config Secret
// (Docker Hub's registry is https://index.docker.io/v1/).
type RegistryCredential struct {
	Registry, Username, Password string
}

// KanikoBuild describes an image build; empty strings are the library's
// defaults (name "kaniko-build", namespace "default", DefaultKanikoImage,
// Kaniko's own Dockerfile, target and snapshot mode).
type KanikoBuild struct {
	Name, Namespace, Image string
	Context                string // required: dir://, tar://, git://, s3://, gs://, https:// or a path
	Dockerfile             string
	Destinations           []string // at least one unless NoPush
	BuildArgs              []string // "KEY=VALUE"; visible in the Pod spec, so never for secrets
	Target, CacheRepo      string
	SnapshotMode           string // "full", "redo" or "time"
	CABundle               []byte // PEM certificates added to Kaniko's trust store
	Credentials            []RegistryCredential
	ContextClaim           string // a PersistentVolumeClaim mounted at /workspace
	ServiceAccount         string
	CPURequest, CPULimit   string
	MemoryRequest          string
	MemoryLimit            string
	ActiveDeadlineSeconds  int64
	AsJob                  bool // a batch/v1 Job (backoffLimit 0) instead of a bare Pod
	Cache                  bool // --cache=true
	Reproducible           bool // --reproducible
	NoPush                 bool // --no-push
	JSON                   bool // a JSON v1 List instead of a YAML stream
}

// cstrs holds C copies of Go strings until release.
type cstrs struct{ ptrs []unsafe.Pointer }

func (c *cstrs) str(s string) *C.char {
	if s == "" {
		return nil
	}
	p := C.CString(s)
	c.ptrs = append(c.ptrs, unsafe.Pointer(p))
	return p
}

// array is a C array of C strings (empty strings kept as "").
func (c *cstrs) array(list []string) **C.char {
	if len(list) == 0 {
		return nil
	}
	arr := (*[1 << 28]*C.char)(C.malloc(C.size_t(len(list)) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))[:len(list):len(list)]
	c.ptrs = append(c.ptrs, unsafe.Pointer(&arr[0]))
	for i, s := range list {
		arr[i] = C.CString(s)
		c.ptrs = append(c.ptrs, unsafe.Pointer(arr[i]))
	}
	return &arr[0]
}

func (c *cstrs) release() {
	for _, p := range c.ptrs {
		C.free(p)
	}
}

// RenderKaniko renders the docker-config Secret (passwords only there,
// base64-encoded), the CA ConfigMap when CABundle is set, and the build Pod
// or Job. A bad spec is an *Error with ErrCodeValidate naming the field;
// passwords never appear in messages.
func RenderKaniko(b *KanikoBuild) (string, error) {
	var cs cstrs
	defer cs.release()
	var cb C.cicd_kaniko_build
	C.cicd_kaniko_build_init(&cb, C.CICD_KANIKO_BUILD_VERSION)
	for _, f := range []struct {
		on   bool
		flag C.uint
	}{{b.AsJob, C.CICD_KANIKO_AS_JOB}, {b.Cache, C.CICD_KANIKO_CACHE}, {b.Reproducible, C.CICD_KANIKO_REPRODUCIBLE},
		{b.NoPush, C.CICD_KANIKO_NO_PUSH}} {
		if f.on {
			cb.flags |= f.flag
		}
	}
	if b.JSON {
		cb.format = C.CICD_POD_FORMAT_JSON
	}
	cb.name, cb.ns, cb.image = cs.str(b.Name), cs.str(b.Namespace), cs.str(b.Image)
	cb.context, cb.dockerfile = cs.str(b.Context), cs.str(b.Dockerfile)
	cb.destinations, cb.destination_count = cs.array(b.Destinations), C.size_t(len(b.Destinations))
	cb.build_args, cb.build_arg_count = cs.array(b.BuildArgs), C.size_t(len(b.BuildArgs))
	cb.target, cb.cache_repo, cb.snapshot_mode = cs.str(b.Target), cs.str(b.CacheRepo), cs.str(b.SnapshotMode)
	if len(b.CABundle) > 0 {
		p := C.CBytes(b.CABundle)
		cs.ptrs = append(cs.ptrs, p)
		cb.ca_bundle, cb.ca_bundle_len = (*C.char)(p), C.size_t(len(b.CABundle))
	}
	if n := len(b.Credentials); n > 0 {
		regs, users, pws := make([]string, n), make([]string, n), make([]string, n)
		for i, c := range b.Credentials {
			regs[i], users[i], pws[i] = c.Registry, c.Username, c.Password
		}
		cb.registries, cb.usernames, cb.passwords = cs.array(regs), cs.array(users), cs.array(pws)
		cb.credential_count = C.size_t(n)
	}
	cb.context_claim, cb.service_account = cs.str(b.ContextClaim), cs.str(b.ServiceAccount)
	cb.cpu_request, cb.cpu_limit = cs.str(b.CPURequest), cs.str(b.CPULimit)
	cb.memory_request, cb.memory_limit = cs.str(b.MemoryRequest), cs.str(b.MemoryLimit)
	cb.active_deadline_seconds = C.longlong(b.ActiveDeadlineSeconds)
	var buf C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_kaniko_render(&buf, &cb, &cerr)
	return takeText(rc, &buf, cerr)
}
