package cicd

// Rollouts: kubectl's pure decision, pod problems, and waiting on a live object.

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/kube.h>

extern int cicdGoKubeData(char *data, size_t len, uintptr_t handle);

static int shim_kube_progress(const char *data, size_t len, void *payload)
{
	return cicdGoKubeData((char *)data, len, (uintptr_t)payload);
}

static int shim_kube_rollout_decide(int *state, cicd_buf *msg, const cicd_node *object, cicd_error **err)
{
	cicd_kube_rollout_state s = CICD_KUBE_ROLLOUT_PROGRESSING;
	int rc = cicd_kube_rollout_decide(&s, msg, object);
	*state = (int)s;
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_kube_pod_problem(cicd_buf *reason, cicd_buf *container, const cicd_node *pod, cicd_error **err)
{
	int rc = cicd_kube_pod_problem(reason, container, pod);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_kube_rollout_wait(cicd_buf *msg, cicd_kube_client *c, const char *api_version, const char *kind,
				  const char *ns, const char *name, long timeout_ms, int keep_waiting,
				  unsigned log_lines, uintptr_t handle, cicd_error **err)
{
	cicd_kube_rollout_options o = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	int rc;
	o.timeout_ms = timeout_ms;
	o.keep_waiting = keep_waiting;
	o.log_lines = log_lines;
	if (handle) {
		o.progress = shim_kube_progress;
		o.payload = (void *)handle;
	}
	rc = cicd_kube_rollout_wait(msg, c, api_version, kind, ns, name, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"context"
	"math"
	"runtime"
	"runtime/cgo"
	"time"
)

// RolloutState is what RolloutDecide concludes.
type RolloutState int

const (
	RolloutProgressing RolloutState = C.CICD_KUBE_ROLLOUT_PROGRESSING // not done yet
	RolloutDone        RolloutState = C.CICD_KUBE_ROLLOUT_DONE
	RolloutFailed      RolloutState = C.CICD_KUBE_ROLLOUT_FAILED // will not finish by itself
)

func (s RolloutState) String() string {
	switch s {
	case RolloutProgressing:
		return "progressing"
	case RolloutDone:
		return "done"
	case RolloutFailed:
		return "failed"
	}
	return "unknown"
}

// RolloutDecide is `kubectl rollout status`'s decision for a Deployment,
// StatefulSet, DaemonSet, Job or Pod as the server returns it, with
// kubectl's message. ErrUnsupported for other kinds, ErrInvalid for a node
// that is no object.
func RolloutDecide(obj *Node) (RolloutState, string, error) {
	if obj == nil {
		return RolloutProgressing, "", &Error{Code: ErrCodeInvalid, Message: "cicd: RolloutDecide of a nil node"}
	}
	var state C.int
	var msg C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_kube_rollout_decide(&state, &msg, obj.live(), &cerr)
	runtime.KeepAlive(obj.doc)
	text, err := takeText(rc, &msg, cerr)
	return RolloutState(state), text, err
}

// PodProblem says why a pod cannot make progress (ImagePullBackOff,
// ErrImagePull, CrashLoopBackOff with the container, Unschedulable, a failed
// pod); found is false when the pod is fine or still starting.
func PodProblem(pod *Node) (reason, container string, found bool, err error) {
	if pod == nil {
		return "", "", false, &Error{Code: ErrCodeInvalid, Message: "cicd: PodProblem of a nil node"}
	}
	var r, c C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_kube_pod_problem(&r, &c, pod.live(), &cerr)
	runtime.KeepAlive(pod.doc)
	defer C.cicd_buf_dispose(&c)
	reason, err = takeText(rc, &r, cerr)
	if err != nil {
		return "", "", false, err
	}
	return reason, C.GoStringN(c.ptr, C.int(c.size)), rc == 1, nil
}

// KubeRolloutOptions: zero values wait up to 5 minutes, report a pod problem
// at once and quote 10 log lines of a crashing container.
type KubeRolloutOptions struct {
	Timeout     time.Duration        // the deadline; 0: 5 minutes
	KeepWaiting bool                 // report a pod problem only when the deadline passes
	LogLines    int                  // CrashLoopBackOff: last log lines in the message; 0: 10
	Progress    func(message string) // each new progress message (may be nil)
}

// RolloutWait waits for the rollout of a Deployment, StatefulSet, DaemonSet,
// Job or Pod (namespace "": the client's) and returns the final status line,
// also when it fails: ErrGeneric when it cannot finish (ProgressDeadlineExceeded,
// a failed Job, or, unless KeepWaiting, a pod in ImagePullBackOff,
// CrashLoopBackOff with its last log lines, or unschedulable), ErrTimeout at
// the deadline, the message saying what was still awaited.
func (k *KubeClient) RolloutWait(ctx context.Context, apiVersion, kind, namespace, name string, o *KubeRolloutOptions) (string, error) {
	if o == nil {
		o = &KubeRolloutOptions{}
	}
	timeout, err := milliseconds("KubeRolloutOptions.Timeout", o.Timeout)
	if err != nil {
		return "", err
	}
	if o.LogLines < 0 || o.LogLines > math.MaxUint32 {
		return "", invalidf("KubeRolloutOptions.LogLines must be between 0 and %d, got %d", uint32(math.MaxUint32), o.LogLines)
	}
	var cs cstrs
	defer cs.release()
	cav, ckind, cns, cname := cs.str(apiVersion), cs.str(kind), cs.str(namespace), cs.str(name)
	st := &dataState{}
	var handle cgo.Handle
	if o.Progress != nil {
		progress := o.Progress
		st.fn = func(b []byte) error {
			progress(string(b))
			return nil
		}
		handle = cgo.NewHandle(st)
		defer handle.Delete()
	}
	var message string
	err = k.call(ctx, func(p *C.cicd_kube_client) error {
		var msg C.cicd_buf
		var cerr *C.cicd_error
		rc := C.shim_kube_rollout_wait(&msg, p, cav, ckind, cns, cname, timeout, cbool(o.KeepWaiting),
			C.uint(o.LogLines), C.uintptr_t(handle), &cerr)
		message = C.GoStringN(msg.ptr, C.int(msg.size))
		C.cicd_buf_dispose(&msg)
		return st.result(rc, cerr)
	})
	return message, err
}
