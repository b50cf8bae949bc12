#!/usr/bin/env bash
# cicd deploy without a cluster: targets, push (identical content, invalid
# manifests), versions, diff between versions, queued jobs, cancel, job
# history, JSON output, exit codes, and a store from a newer schema.
set -euo pipefail
cicd=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export CICD_STORE="$tmp/data/store.db" USER=tester
d() { "$cicd" deploy "$@"; }

mkdir -p "$tmp/v1" "$tmp/v2"
cat > "$tmp/v1/app.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1"}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  mode: one
EOF
sed 's/web:1/web:2/' "$tmp/v1/app.yaml" > "$tmp/v2/app.yaml"
cat >> "$tmp/v2/app.yaml" <<'EOF'
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
stringData:
  password: hunter2-very-secret
EOF

# targets
out=$(d target add dev --kubeconfig /etc/kube.conf --context kind-dev --namespace demo)
[ "$out" = "target dev added" ] || fail "target add: $out"
set +e
d target add dev --namespace demo 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "duplicate target should exit 1, got $rc"
[ "$(cat "$tmp/err")" = "cicd: target 'dev' already exists" ] || fail "duplicate target: $(cat "$tmp/err")"
set +e
d target add qa 2>/dev/null; rc=$?
set -e
[ $rc -eq 2 ] || fail "target add without --namespace should exit 2"
grep -q '^dev  *demo  *kind-dev  */etc/kube.conf$' <<<"$(d targets)" || fail "targets: $(d targets)"
[ "$(d --format json targets)" = '[{"name":"dev","kubeconfig":"/etc/kube.conf","context":"kind-dev","in_cluster":false,"namespace":"demo","created_at":'"$(d --format json targets | sed 's/.*"created_at":\([0-9]*\).*/\1/')"'}]' ] ||
  fail "targets json: $(d --format json targets)"

# push: new, identical again, changed
out=$(d push shop/web "$tmp/v1" --commit abc123 --pipeline 77)
echo "$out" | grep -Eq '^shop/web@1 [0-9a-f]{64} \(2 objects, new\)$' || fail "push v1: $out"
out=$(d push shop/web "$tmp/v1/app.yaml")
echo "$out" | grep -Eq '^shop/web@1 [0-9a-f]{64} \(2 objects, identical to an existing version\)$' || fail "push again: $out"
out=$(d --format json push shop/web "$tmp/v2")
echo "$out" | grep -q '"number":2,' || fail "push v2 json: $out"
echo "$out" | grep -q '"existed":false' || fail "push v2 existed: $out"
awk 'NR==2 {print $1, $3}' <<<"$(d versions shop/web)" | grep -qx '2 3' || fail "versions: $(d versions shop/web)"
awk 'NR==3 {print $1, $3, $6, $7}' <<<"$(d versions shop/web)" | grep -qx '1 2 abc123 77' || fail "versions v1: $(d versions shop/web)"

# an invalid manifest is refused with its position and stores nothing
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n' > "$tmp/bad.yaml"
set +e
d push shop/web "$tmp/bad.yaml" 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "invalid manifest should exit 1"
grep -q "^$tmp/bad.yaml:4:" "$tmp/err" || fail "invalid manifest position: $(cat "$tmp/err")"
[ "$(d --format json versions shop/web | grep -o '"number"' | wc -l)" = 2 ] || fail "invalid push stored something"

# diff between versions: the image changed, the Secret was added, its value never shown
d diff shop/web@1 @2 > "$tmp/diff"
grep -q 'web:2' "$tmp/diff" || fail "diff lacks the new image: $(cat "$tmp/diff")"
grep -q 'web-secret' "$tmp/diff" || fail "diff lacks the added Secret: $(cat "$tmp/diff")"
! grep -q 'hunter2' "$tmp/diff" || fail "diff shows a Secret value"

# unknown things are named
set +e
d versions shop/api 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(cat "$tmp/err")" = "cicd: unknown resource set 'shop/api'" ] || fail "unknown set: $(cat "$tmp/err")"
set +e
d run shop/web@9 --target dev 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(cat "$tmp/err")" = "cicd: unknown version '9' of 'shop/web'" ] || fail "unknown version: $(cat "$tmp/err")"
set +e
d run shop/web@1 --target qa 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(cat "$tmp/err")" = "cicd: unknown target 'qa'" ] || fail "unknown target: $(cat "$tmp/err")"

# queued jobs (no worker runs here), refusal when busy, cancel, history
[ "$(d run shop/web@1 --target dev)" = "job 1 queued" ] || fail "run"
set +e
d run shop/web@2 --target dev --no-queue 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "--no-queue on a busy target should exit 1"
[ "$(cat "$tmp/err")" = "cicd: target 'dev' is busy (1 jobs queued or running) and queueing was refused" ] ||
  fail "busy: $(cat "$tmp/err")"
[ "$(d cancel 1)" = "job 1 canceled" ] || fail "cancel"
set +e
d cancel 1 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(cat "$tmp/err")" = "cicd: deploy job 1 is canceled: a finished job cannot be canceled" ] ||
  fail "cancel twice: $(cat "$tmp/err")"
awk 'NR==2 {print $1, $2, $3, $4, $5, $7}' <<<"$(d jobs)" | grep -qx '1 shop/web@1 dev canceled canceled tester' ||
  fail "jobs: $(d jobs)"
grep -q '"transitions":\[{"seq":1,"at":[0-9]*,"from":"queued","to":"canceled","reason":"canceled","message":"by tester"}\]' <<<"$(d --format json job 1)" ||
  fail "job json: $(d --format json job 1)"
[ "$(d logs 1)" = "" ] || fail "a canceled queued job has no log"

# retention is a setting: keep the newest finished job per target
[ "$(d run shop/web@2 --target dev)" = "job 2 queued" ] || fail "run 2"
d cancel 2 >/dev/null
[ "$(d history-keep 1)" = "keeping the newest 1 finished jobs per target (0: all); 1 removed" ] || fail "history-keep"
[ "$(d --format json jobs | grep -o '"id":[0-9]*' | tr '\n' ' ')" = '"id":2 ' ] || fail "jobs after retention: $(d jobs)"
set +e
d job 1 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(cat "$tmp/err")" = "cicd: unknown deploy job 1" ] || fail "pruned job: $(cat "$tmp/err")"

# a signal during a blocking call interrupts it through the library: exit 130, said on stderr
# interrupt SIGNAL PID: sends it, then waits at most 10 s for the process; its exit status in $rc
interrupt() {
  local i
  sleep 0.5
  kill "-$1" "$2"
  for i in $(seq 100); do kill -0 "$2" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$2" 2>/dev/null; then kill -9 "$2"; fail "SIG$1 did not stop pid $2 within 10 s"; fi
  set +e
  wait "$2"; rc=$?
  set -e
}
[ "$(d run shop/web@1 --target dev)" = "job 3 queued" ] || fail "run 3"
"$cicd" deploy logs -f 3 2>"$tmp/err" &
interrupt TERM $!
[ $rc -eq 130 ] || fail "logs -f after SIGTERM should exit 130, got $rc: $(cat "$tmp/err")"
[ "$(cat "$tmp/err")" = "cicd: interrupted, stopping (again to quit at once)
cicd: interrupted while following the log of deploy job 3" ] || fail "logs -f interrupted: $(cat "$tmp/err")"
d cancel 3 >/dev/null
set -m # job control: a background job keeps SIGINT (Ctrl-C) instead of ignoring it
"$cicd" deploy worker --poll 60000 2>"$tmp/err" &
interrupt INT $!
set +m
[ $rc -eq 130 ] || fail "worker after SIGINT should exit 130, got $rc: $(cat "$tmp/err")"
grep -q '^cicd: interrupted the worker ' "$tmp/err" || fail "worker interrupted: $(cat "$tmp/err")"
# without job control a background job's SIGINT is ignored, and stays so
"$cicd" deploy worker --poll 60000 2>"$tmp/err" &
pid=$!
sleep 0.5
kill -INT $pid
sleep 0.5
kill -0 $pid 2>/dev/null || fail "an ignored SIGINT stopped the worker"
interrupt TERM $pid
[ $rc -eq 130 ] || fail "worker after SIGTERM should exit 130, got $rc"

# usage errors exit 2
set +e
d 2>/dev/null; [ $? -eq 2 ] || fail "no command should exit 2"
d bogus 2>/dev/null; [ $? -eq 2 ] || fail "unknown command should exit 2"
d run shop/web@1 2>/dev/null; [ $? -eq 2 ] || fail "run without --target should exit 2"
d logs 2>/dev/null; [ $? -eq 2 ] || fail "logs without job should exit 2"
set -e

# a store from a newer schema is refused and left unchanged
python3 - "$CICD_STORE" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE meta SET value='7' WHERE key='schema_version'"); c.commit()
EOF
set +e
d targets 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "newer schema should exit 1"
[ "$(cat "$tmp/err")" = "cicd: store $CICD_STORE has schema version 7, newer than this library's 1: upgrade libcicd to use it (the store was not changed)" ] ||
  fail "newer schema: $(cat "$tmp/err")"
[ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key=\"schema_version\"").fetchone()[0])' "$CICD_STORE")" = 7 ] ||
  fail "store was modified"
echo ok
