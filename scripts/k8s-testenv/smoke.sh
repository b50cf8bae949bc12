#!/usr/bin/env bash
# Smoke check of the k8s test environment: build -> start in a temp dir -> a 2-replica
# Deployment rolls out -> a Job completes -> credentials/RBAC behave -> the failure stages
# (ImagePullBackOff, CrashLoopBackOff, failed Job pod) show up -> stop.
# The cluster is always stopped (trap). Exits non-zero on any failure, with diagnostics.
# Usage: smoke.sh   (env: CICD_K8S_CACHE, CICD_K8S_KEEP_STATE=1 keeps the temp dir)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

step() { echo "k8s-testenv/smoke: $*" >&2; }

t=$(date +%s%N)
"$here/build.sh" >/dev/null
step "build.sh: $(( ($(date +%s%N) - t) / 1000000 )) ms"

STATE="$(mktemp -d "${TMPDIR:-/tmp}/k8s-testenv-smoke.XXXXXX")"
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -f "$STATE/kubeconfig" ]; then
    step "FAILED (exit $rc); diagnostics:"
    "$KUBECTL" --kubeconfig "$STATE/kubeconfig" --request-timeout=5s get nodes,pods,deploy,rs,jobs -A -o wide >&2 || true
    "$KUBECTL" --kubeconfig "$STATE/kubeconfig" --request-timeout=5s get events -A >&2 || true
    for f in "$STATE"/logs/*.log; do echo "---- tail $f" >&2; tail -n 15 "$f" >&2; done
  fi
  "$here/stop.sh" "$STATE" || true
  if [ "${CICD_K8S_KEEP_STATE:-}" = 1 ] || [ "$rc" -ne 0 ]; then
    step "state kept in $STATE"
  else
    rm -rf "$STATE"
  fi
  if [ "$rc" -eq 0 ]; then step "PASSED"; else step "FAILED"; fi
  exit "$rc"
}
trap cleanup EXIT
KUBECTL="$("$here/build.sh")/kubectl"

t=$(date +%s%N)
"$here/start.sh" "$STATE"
step "start.sh until ready: $(( ($(date +%s%N) - t) / 1000000 )) ms"
# shellcheck disable=SC1091
. "$STATE/env"
kubectl() { "$CICD_K8S_BIN/kubectl" --request-timeout=10s "$@"; }

step "versions"
kubectl version -o yaml | grep -E 'gitVersion' >&2
kubectl version -o json | grep -q "\"gitVersion\": \"v1.34.4\"" || { step "server is not v1.34.4"; exit 1; }

step "credentials: admin client cert, admin token, non-admin client cert (RBAC)"
kubectl get --raw /readyz >/dev/null
kubectl --kubeconfig "$CICD_K8S_KUBECONFIG_TOKEN" auth whoami -o jsonpath='{.status.userInfo.username}' | grep -qx testenv-admin-token
kubectl --kubeconfig "$CICD_K8S_KUBECONFIG_USER" auth whoami -o jsonpath='{.status.userInfo.username}' | grep -qx testenv-user
[ "$(kubectl --kubeconfig "$CICD_K8S_KUBECONFIG_USER" auth can-i list pods 2>/dev/null)" = no ]
if kubectl --kubeconfig "$CICD_K8S_KUBECONFIG_USER" get pods >/dev/null 2>&1; then
  step "non-admin user could list pods: RBAC not enforced"; exit 1
fi

step "deployment with 2 replicas"
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: smoke
spec:
  replicas: 2
  selector:
    matchLabels: {app: smoke}
  template:
    metadata:
      labels: {app: smoke}
    spec:
      containers:
      - name: app
        image: registry.invalid/libcicd/smoke:1
EOF
kubectl rollout status deployment/smoke --timeout=60s

step "job that completes"
kubectl apply -f - <<'EOF'
apiVersion: batch/v1
kind: Job
metadata:
  name: smoke-job
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: job
        image: registry.invalid/libcicd/job:1
EOF
kubectl wait --for=condition=complete job/smoke-job --timeout=60s

step "failure stage: ImagePullBackOff"
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: smoke-pull
spec:
  containers:
  - name: app
    image: registry.invalid/libcicd/doesnotexist:1
EOF
kubectl wait --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=ImagePullBackOff \
  pod/smoke-pull --timeout=30s
msg="$(kubectl get pod smoke-pull -o jsonpath='{.status.containerStatuses[0].state.waiting.message}')"
step "  message: $msg"
[[ "$msg" == *registry.invalid/libcicd/doesnotexist:1* ]]
[ "$(kubectl get pod smoke-pull -o jsonpath='{.status.phase}')" = Pending ]

step "failure stage: CrashLoopBackOff"
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: smoke-crash
  labels:
    cicd.test/crash: "true"
  annotations:
    cicd.test/crash-restart-delay: 2s
spec:
  containers:
  - name: app
    image: registry.invalid/libcicd/crash:1
EOF
kubectl wait --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=CrashLoopBackOff \
  pod/smoke-crash --timeout=30s
for ((i = 0; i < 60; i++)); do
  n="$(kubectl get pod smoke-crash -o jsonpath='{.status.containerStatuses[0].restartCount}')"
  [ "${n:-0}" -ge 3 ] && break
  sleep 0.5
done
step "  restartCount=$n lastState.exitCode=$(kubectl get pod smoke-crash -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')"
[ "${n:-0}" -ge 3 ]
[ "$(kubectl get pod smoke-crash -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')" = 1 ]
[ "$(kubectl get pod smoke-crash -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = False ]

step "failure stage: crashing Job pod (restartPolicy Never) fails the Job"
kubectl apply -f - <<'EOF'
apiVersion: batch/v1
kind: Job
metadata:
  name: smoke-job-crash
spec:
  backoffLimit: 0
  template:
    metadata:
      labels:
        cicd.test/crash: "true"
    spec:
      restartPolicy: Never
      containers:
      - name: job
        image: registry.invalid/libcicd/job:1
EOF
kubectl wait --for=condition=failed job/smoke-job-crash --timeout=60s

step "pods are deleted (pod-delete stage)"
kubectl delete deployment smoke --wait=true --timeout=60s
kubectl wait --for=delete pod -l app=smoke --timeout=60s
kubectl delete pod smoke-pull smoke-crash --wait=true --timeout=60s
