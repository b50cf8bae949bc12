package cicd

/*
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/kube.h>

static int shim_kube_config_load(cicd_kube_config **out, const char *kubeconfig, unsigned flags, const char *context,
				 const char *ns, const char *sa_dir, size_t max_bytes, cicd_error **err)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	int rc;
	o.flags = flags;
	o.kubeconfig = kubeconfig;
	o.context = context;
	o.namespace_name = ns;
	o.service_account_dir = sa_dir;
	o.max_bytes = max_bytes;
	rc = cicd_kube_config_load(out, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_kube_config_parse(cicd_kube_config **out, const char *data, size_t len, const char *name,
				  const char *context, const char *ns, cicd_error **err)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	int rc;
	o.context = context;
	o.namespace_name = ns;
	rc = cicd_kube_config_parse(out, data ? data : "", len, name, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

// The client holds a cicd_init() reference for libcurl; a failed creation gives it back.
static int shim_kube_client_new(cicd_kube_client **out, const cicd_kube_config *cfg, long timeout_ms,
				long connect_timeout_ms, int max_retries, unsigned parallel, size_t max_response_bytes,
				const char *user_agent, cicd_error **err)
{
	cicd_kube_client_options o = CICD_KUBE_CLIENT_OPTIONS_INIT;
	int rc = cicd_init();
	if (rc < 0) {
		cicd_error_dup(err);
		return rc;
	}
	o.timeout_ms = timeout_ms;
	o.connect_timeout_ms = connect_timeout_ms;
	o.max_retries = max_retries;
	o.parallel = parallel;
	o.max_response_bytes = max_response_bytes;
	o.user_agent = user_agent;
	rc = cicd_kube_client_new(out, cfg, &o);
	if (rc < 0) {
		cicd_error_dup(err);
		cicd_shutdown();
	}
	return rc;
}

static void shim_kube_client_free(cicd_kube_client *client)
{
	cicd_kube_client_free(client);
	cicd_shutdown();
}

*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// KubeConfigOptions chooses the kubeconfig and context; zero values are
// kubectl's defaults.
type KubeConfigOptions struct {
	// Files to merge, kubectl's way; empty: $KUBECONFIG, else ~/.kube/config.
	Kubeconfig []string
	Context    string // "": the merged current-context
	Namespace  string // overrides the context's namespace
	// NoInCluster ignores the Pod's service account; InClusterOnly uses only it.
	NoInCluster, InClusterOnly bool
	ServiceAccountDir          string // "": /var/run/secrets/kubernetes.io/serviceaccount
	MaxBytes                   int    // per file; 0: 4 MiB
}

// KubeConfig is a resolved kubeconfig context: a server, a namespace and
// credentials. Immutable once loaded; Close it when done.
type KubeConfig struct {
	ptr *C.cicd_kube_config
}

func newKubeConfig(out *C.cicd_kube_config, rc C.int, cerr *C.cicd_error) (*KubeConfig, error) {
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	c := &KubeConfig{ptr: out}
	runtime.SetFinalizer(c, (*KubeConfig).Close)
	return c, nil
}

// LoadKubeConfig loads the configuration the way kubectl does (files merged,
// the first to name an entry wins; missing files in a list are skipped).
// Errors: ErrNotFound when nothing is configured or the context does not
// exist, ErrParse with file:line:col for malformed files.
func LoadKubeConfig(o *KubeConfigOptions) (*KubeConfig, error) {
	if o == nil {
		o = &KubeConfigOptions{}
	}
	var cs cstrs
	defer cs.release()
	flags := C.uint(0)
	if o.NoInCluster {
		flags |= C.CICD_KUBE_CONFIG_NO_IN_CLUSTER
	}
	if o.InClusterOnly {
		flags |= C.CICD_KUBE_CONFIG_IN_CLUSTER_ONLY
	}
	var out *C.cicd_kube_config
	var cerr *C.cicd_error
	rc := C.shim_kube_config_load(&out, cs.str(strings.Join(o.Kubeconfig, ":")), flags, cs.str(o.Context),
		cs.str(o.Namespace), cs.str(o.ServiceAccountDir), C.size_t(o.MaxBytes), &cerr)
	return newKubeConfig(out, rc, cerr)
}

// ParseKubeConfig parses one kubeconfig held in memory; name labels
// positions. Only o.Context and o.Namespace apply.
func ParseKubeConfig(data []byte, name string, o *KubeConfigOptions) (*KubeConfig, error) {
	if o == nil {
		o = &KubeConfigOptions{}
	}
	var cs cstrs
	defer cs.release()
	var out *C.cicd_kube_config
	var cerr *C.cicd_error
	rc := C.shim_kube_config_parse(&out, bytesPtr(data), C.size_t(len(data)), cs.str(name), cs.str(o.Context),
		cs.str(o.Namespace), &cerr)
	runtime.KeepAlive(data)
	return newKubeConfig(out, rc, cerr)
}

// Close frees the configuration. Safe to call twice.
func (c *KubeConfig) Close() error {
	if c.ptr != nil {
		C.cicd_kube_config_free(c.ptr)
		c.ptr = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

func (c *KubeConfig) live() *C.cicd_kube_config {
	if c.ptr == nil {
		panic("cicd: use of a closed KubeConfig")
	}
	return c.ptr
}

func (c *KubeConfig) text(f func(*C.cicd_kube_config) *C.char) string {
	s := C.GoString(f(c.live()))
	runtime.KeepAlive(c)
	return s
}

// Server is the API server's URL ("https://host:port").
func (c *KubeConfig) Server() string {
	return c.text(func(p *C.cicd_kube_config) *C.char { return C.cicd_kube_config_server(p) })
}

// Context is the chosen context's name ("" in-cluster).
func (c *KubeConfig) Context() string {
	return c.text(func(p *C.cicd_kube_config) *C.char { return C.cicd_kube_config_context(p) })
}

// Namespace is the default namespace ("default" when the context names none).
func (c *KubeConfig) Namespace() string {
	return c.text(func(p *C.cicd_kube_config) *C.char { return C.cicd_kube_config_namespace(p) })
}

// AuthKind is "client-certificate", "token", "token-file", "exec", "in-cluster" or "none".
func (c *KubeConfig) AuthKind() string {
	return c.text(func(p *C.cicd_kube_config) *C.char { return C.cicd_kube_config_auth_kind(p) })
}

// KubeClientOptions: zero values are the library's defaults (30 s per
// request, 10 s to connect, 4 safe retries, 16 parallel applies, 256 MiB
// per reply, "libcicd/VERSION").
type KubeClientOptions struct {
	Timeout, ConnectTimeout time.Duration
	MaxRetries              int // -1: none
	Parallel                int
	MaxResponseBytes        int
	UserAgent               string
}

// KubeClient talks to the configured API server over HTTPS (TLS verified
// unless the kubeconfig says insecure-skip-tls-verify). Its calls are
// serialised by a mutex, so it may be shared by goroutines; make one client
// per goroutine for parallel requests. Every call that may touch the network
// takes a context: its end interrupts the call within about 100 ms and the
// call returns ctx.Err(). Callbacks (List, ApplySet, Logs, RolloutWait
// progress) run on the calling goroutine while the client is held, so they
// must not call the same client. Close it when done.
type KubeClient struct {
	mu      sync.Mutex
	ptr     *C.cicd_kube_client
	watches map[*watchState]struct{} // open watches, freed before the client
}

// NewKubeClient makes a client for cfg's server; the configuration is
// copied, cfg may be closed afterwards. Nothing is sent until the first call.
func NewKubeClient(cfg *KubeConfig, o *KubeClientOptions) (*KubeClient, error) {
	if o == nil {
		o = &KubeClientOptions{}
	}
	var cs cstrs
	defer cs.release()
	var out *C.cicd_kube_client
	var cerr *C.cicd_error
	rc := C.shim_kube_client_new(&out, cfg.live(), C.long(o.Timeout.Milliseconds()),
		C.long(o.ConnectTimeout.Milliseconds()), C.int(o.MaxRetries), C.uint(o.Parallel),
		C.size_t(o.MaxResponseBytes), cs.str(o.UserAgent), &cerr)
	runtime.KeepAlive(cfg)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	k := &KubeClient{ptr: out, watches: map[*watchState]struct{}{}}
	runtime.SetFinalizer(k, (*KubeClient).Close)
	return k, nil
}

// Close frees the client, and first the watches still open on it (their
// Next panics afterwards). It waits for a call running in another goroutine
// to end. Safe to call twice.
func (k *KubeClient) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ptr != nil {
		for w := range k.watches {
			w.free(true)
		}
		k.watches = nil
		C.shim_kube_client_free(k.ptr)
		k.ptr = nil
		runtime.SetFinalizer(k, nil)
	}
	return nil
}

func (k *KubeClient) live() *C.cicd_kube_client {
	if k.ptr == nil {
		panic("cicd: use of a closed KubeClient")
	}
	return k.ptr
}

// Namespace is the namespace used when a call names none.
func (k *KubeClient) Namespace() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return C.GoString(C.cicd_kube_client_namespace(k.live()))
}

// call runs f on the live client while holding its mutex. A cancellation
// left over from an earlier call is cleared first; while f runs, the end of
// ctx cancels the C call from another goroutine (the only C call that may
// overlap), whose ErrCanceled then comes back as ctx.Err(). Before the
// mutex is released the cancelling goroutine has finished, so it can never
// hit a later call or a freed client.
func (k *KubeClient) call(ctx context.Context, f func(p *C.cicd_kube_client) error) error {
	return k.callChecked(ctx, nil, f)
}

// callChecked is call with a check (may be nil) made under the mutex before
// the client's own: a watch says first that it was closed.
func (k *KubeClient) callChecked(ctx context.Context, check func() error, f func(p *C.cicd_kube_client) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	p := k.live()
	return underContext(ctx, func() { C.cicd_kube_client_cancel_clear(p) }, func() { C.cicd_kube_client_cancel(p) },
		func() error { return f(p) })
}

// invalidf is the binding's own ErrInvalid, for options C cannot express.
func invalidf(format string, args ...any) error {
	return &Error{Code: ErrCodeInvalid, Message: "cicd: " + fmt.Sprintf(format, args...)}
}

// wholeSeconds converts a duration option the API takes in seconds.
func wholeSeconds(what string, d time.Duration) (C.long, error) {
	if d < 0 {
		return 0, invalidf("%s must not be negative, got %s", what, d)
	}
	if d%time.Second != 0 {
		return 0, invalidf("%s must be whole seconds, got %s", what, d)
	}
	return C.long(d / time.Second), nil
}

// milliseconds converts a duration option the API takes in milliseconds,
// rounding up so that a short positive duration never becomes 0 (the default).
func milliseconds(what string, d time.Duration) (C.long, error) {
	if d < 0 {
		return 0, invalidf("%s must not be negative, got %s", what, d)
	}
	return C.long((d + time.Millisecond - 1) / time.Millisecond), nil
}

// cbState is what a C call with a Go callback shares with that callback: the
// callback's first error, or its panic, stops the C call and is returned (or
// re-raised) once the call is back in Go, never unwinding through C.
type cbState struct {
	err      error
	panicked bool
	panicVal any
}

func (s *cbState) run(f func() error) (rc C.int) {
	if s.err != nil || s.panicked {
		return C.CICD_EUSER
	}
	defer func() {
		if r := recover(); r != nil {
			s.panicked, s.panicVal, rc = true, r, C.CICD_EUSER
		}
	}()
	if err := f(); err != nil {
		s.err = err
		return C.CICD_EUSER
	}
	return 0
}

// result is the call's error: the callback's panic or error if it stopped
// the call, else the library's (cerr is freed either way).
func (s *cbState) result(rc C.int, cerr *C.cicd_error) error {
	err := fromC(rc, cerr)
	if s.panicked {
		panic(s.panicVal)
	}
	if s.err != nil {
		return s.err
	}
	return err
}
