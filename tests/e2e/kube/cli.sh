#!/usr/bin/env bash
# cicd kube against the running control plane (KUBECONFIG from the test environment's env file):
# apply output and exit codes, re-apply, rollout status success and failure, get, logs.
set -euo pipefail
cicd=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() { # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}

mkdir -p "$tmp/set"
cat > "$tmp/set/10-ns.yaml" <<'Y'
apiVersion: v1
kind: Namespace
metadata: {name: e2e-cli}
Y
cat > "$tmp/set/20-app.yaml" <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: e2e-cli}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: e2e-cli}
data: {mode: fast}
Y
out=$("$cicd" kube apply -f "$tmp/set" --wait --timeout 90s)
check "apply --wait prints one line per object, in apply order" test "$(echo "$out" | head -3)" = 'Namespace e2e-cli created
ConfigMap e2e-cli/settings created
Deployment e2e-cli/web created'
check "then kubectl's progress lines" test -z "$(echo "$out" | sed -n '4,$p' | sed '$d' | grep -v '^Waiting for deployment')"
check "apply --wait ends with the rollout done" test "$(echo "$out" | tail -1)" = 'deployment "web" successfully rolled out'

"$cicd" kube apply -f "$tmp/set" >/dev/null   # the Namespace's first re-apply adds its managedFields
out=$("$cicd" kube apply -f "$tmp/set/20-app.yaml")
check "re-apply is unchanged" test "$out" = 'ConfigMap e2e-cli/settings unchanged
Deployment e2e-cli/web unchanged'

out=$("$cicd" kube rollout status deploy/web -n e2e-cli)
check "rollout status of a done rollout" test "$out" = 'deployment "web" successfully rolled out'

cat > "$tmp/bad.yaml" <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: e2e-cli}
spec:
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec: {containers: [{name: app, image: 'registry.example/doesnotexist:7'}]}
Y
set +e
"$cicd" kube apply -f "$tmp/bad.yaml" --wait --timeout 60s >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
check "a failing rollout exits 1" test "$rc" = 1
check "and says why" grep -q '^cicd: Deployment e2e-cli/broken cannot roll out: ImagePullBackOff: pod "broken-[a-z0-9-]*" container "app" cannot pull image "registry.example/doesnotexist:7"' "$tmp/err"

# a rollout that takes an hour (minReadySeconds): SIGTERM cancels the wait through the client
cat > "$tmp/slow.yaml" <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: slow, namespace: e2e-cli}
spec:
  minReadySeconds: 3600
  progressDeadlineSeconds: 7200
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec: {containers: [{name: app, image: nginx}]}
Y
"$cicd" kube apply -f "$tmp/slow.yaml" >/dev/null
"$cicd" kube rollout status deploy/slow -n e2e-cli --timeout 600s >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1.5
started=$(date +%s%N)
kill -TERM $pid
for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -9 $pid 2>/dev/null || true
set +e
wait $pid; rc=$?
set -e
check "a signal stops rollout status: exit 130" test "$rc" = 130
check "within a second" test $(( ($(date +%s%N) - started) / 1000000 )) -lt 1000
check "saying so" test "$(cat "$tmp/err")" = 'cicd: interrupted, stopping (again to quit at once)
cicd: canceled'

cat > "$tmp/conflict.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: e2e-cli}
data: {mode: slow}
Y
set +e
"$cicd" kube apply -f "$tmp/conflict.yaml" --field-manager someone-else >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
check "a conflict exits 1" test "$rc" = 1
check "and names field and manager" test "$(cat "$tmp/err")" = "$tmp/conflict.yaml:1: ConfigMap e2e-cli/settings: conflict: .data.mode is managed by \"cicd\""
out=$("$cicd" kube apply -f "$tmp/conflict.yaml" --field-manager someone-else --force-conflicts)
check "--force-conflicts takes over" test "$out" = 'ConfigMap e2e-cli/settings configured'

out=$("$cicd" kube get cm -n e2e-cli -o name)
check "get lists names" test "$out" = 'ConfigMap/kube-root-ca.crt
ConfigMap/settings'
check "get one object as JSON" sh -c "'$cicd' kube get configmap settings -n e2e-cli | grep -q '\"mode\": \"slow\"'"
set +e
"$cicd" kube get deploy nope -n e2e-cli 2>"$tmp/err"; rc=$?
set -e
check "get of a missing object exits 1" test "$rc" = 1
check "with the server's message" test "$(cat "$tmp/err")" = 'cicd: Deployment e2e-cli/nope: deployments.apps "nope" not found'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
