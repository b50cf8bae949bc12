package cicd

// Container logs, streamed to an io.Writer.

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/kube.h>

extern int cicdGoKubeData(char *data, size_t len, uintptr_t handle);

static int shim_kube_data(const char *data, size_t len, void *payload)
{
	return cicdGoKubeData((char *)data, len, (uintptr_t)payload);
}

static int shim_kube_logs(cicd_kube_client *c, const char *ns, const char *pod, const char *container, int follow,
			  long since_seconds, long tail_lines, int timestamps, int previous, long limit_bytes,
			  uintptr_t handle, cicd_error **err)
{
	cicd_kube_log_options o = CICD_KUBE_LOG_OPTIONS_INIT;
	int rc;
	o.container = container;
	o.follow = follow;
	o.since_seconds = since_seconds;
	o.tail_lines = tail_lines;
	o.timestamps = timestamps;
	o.previous = previous;
	o.limit_bytes = limit_bytes;
	rc = cicd_kube_logs(c, ns, pod, &o, shim_kube_data, (void *)handle);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"context"
	"io"
	"runtime/cgo"
	"time"
)

// dataState is what Logs and RolloutWait share with the byte callback.
type dataState struct {
	cbState
	fn func([]byte) error
}

// KubeLogOptions: zero values read the whole log of the pod's only
// container once.
type KubeLogOptions struct {
	Container  string        // "": the pod's only container
	Follow     bool          // keep streaming until the container ends, ctx ends or w fails
	Since      time.Duration // only lines younger than this, whole seconds; 0: from the start
	TailLines  int           // only the last lines; 0: all
	Timestamps bool          // prefix each line with its RFC 3339 timestamp
	Previous   bool          // the previous instance of a restarted container
	LimitBytes int           // stop after this many bytes; 0: no limit
}

// Logs streams a container's log to w as the bytes arrive (namespace "": the
// client's). An error from w stops the stream and is returned as is (a short
// write is io.ErrShortWrite). The server's refusal comes back with its
// message, e.g. ErrValidate for a container the pod does not have.
func (k *KubeClient) Logs(ctx context.Context, namespace, pod string, o *KubeLogOptions, w io.Writer) error {
	if o == nil {
		o = &KubeLogOptions{}
	}
	if w == nil {
		return invalidf("Logs needs a writer")
	}
	since, err := wholeSeconds("KubeLogOptions.Since", o.Since)
	if err != nil {
		return err
	}
	if o.TailLines < 0 {
		return invalidf("KubeLogOptions.TailLines must not be negative, got %d", o.TailLines)
	}
	if o.LimitBytes < 0 {
		return invalidf("KubeLogOptions.LimitBytes must not be negative, got %d", o.LimitBytes)
	}
	tail := C.long(-1)
	if o.TailLines > 0 {
		tail = C.long(o.TailLines)
	}
	var cs cstrs
	defer cs.release()
	cns, cpod, ccontainer := cs.str(namespace), cs.str(pod), cs.str(o.Container)
	st := &dataState{fn: func(b []byte) error {
		n, err := w.Write(b)
		if err == nil && n < len(b) {
			err = io.ErrShortWrite
		}
		return err
	}}
	handle := cgo.NewHandle(st)
	defer handle.Delete()
	return k.call(ctx, func(p *C.cicd_kube_client) error {
		var cerr *C.cicd_error
		rc := C.shim_kube_logs(p, cns, cpod, ccontainer, cbool(o.Follow), since, tail, cbool(o.Timestamps),
			cbool(o.Previous), C.long(o.LimitBytes), C.uintptr_t(handle), &cerr)
		return st.result(rc, cerr)
	})
}
