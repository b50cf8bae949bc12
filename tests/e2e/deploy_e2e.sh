#!/usr/bin/env bash
# Deploys on a real control plane (scripts/k8s-testenv): push two versions,
# deploy, roll forward, roll back with prune, a bad image fails naming the
# object, a timeout names what was not ready, concurrent deploys serialize,
# workers killed with SIGKILL at random points are recovered (many times), a
# stale-epoch worker cannot write, prune deletes only owned objects,
# cluster-scoped objects are logged, recorded and pruned without a namespace.
#
#   deploy_e2e.sh CICD_BINARY KUBECONFIG KUBECTL [KILL_ROUNDS]
set -euo pipefail
cicd=$1
kubeconfig=$2
kubectl=$3
rounds=${4:-12}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '  - %s\n' "$*"; }
export CICD_STORE="$tmp/store.db" USER=e2e
ns=deploy-e2e
k() { "$kubectl" --kubeconfig "$kubeconfig" "$@"; }
d() { "$cicd" deploy "$@"; }
jobfield() { d --format json job "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"; }
sql() { python3 -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$CICD_STORE" "$1"; }

k create namespace $ns >/dev/null
d target add e2e --kubeconfig "$kubeconfig" --namespace $ns >/dev/null

manifests() { # DIR IMAGE [EXTRA] [MIN_READY]
  mkdir -p "$1"
  cat > "$1/app.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  image: "$2"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    deploy.cicd.dev/wave: "1"
spec:
  replicas: 2
  minReadySeconds: ${4:-0}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "$2"}]
EOF
  if [ -n "${3:-}" ]; then
    cat >> "$1/app.yaml" <<EOF
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-extra
data:
  added: "by v2"
EOF
  fi
}
manifests "$tmp/v1" web:1
manifests "$tmp/v2" web:2 extra
manifests "$tmp/bad" web:doesnotexist
manifests "$tmp/slow" web:3 "" 300
manifests "$tmp/steady" web:5 "" 4
for v in v1 v2 bad slow steady; do d push shop/web "$tmp/$v" >/dev/null; done

step "deploy version 1"
out=$(d run shop/web@1 --target e2e --wait) || fail "deploy v1: $out"
[ "$out" = "job 1 succeeded: 2 created, 0 configured, 0 unchanged, 0 pruned" ] || fail "v1: $out"
[ "$(k -n $ns get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}')" = web:1 ] || fail "image v1"
[ "$(k -n $ns get deploy web -o jsonpath='{.metadata.labels.deploy\.cicd\.dev/set}')" = web ] || fail "owner label"

step "roll forward to version 2"
out=$(d run shop/web@2 --target e2e --wait) || fail "deploy v2: $out"
[ "$out" = "job 2 succeeded: 1 created, 2 configured, 0 unchanged, 0 pruned" ] || fail "v2: $out"
k -n $ns get configmap web-extra >/dev/null || fail "web-extra missing after v2"
grep -q '"action":"update","wave":1,"api_version":"apps/v1","kind":"Deployment"' <<<"$(d --format json job 2)" ||
  fail "change set of job 2: $(d --format json job 2)"

step "roll back to version 1 with prune"
out=$(d rollback shop/web --target e2e --prune --wait) || fail "rollback: $out"
[ "$out" = "job 3 succeeded: 0 created, 2 configured, 0 unchanged, 1 pruned" ] || fail "rollback: $out"
! k -n $ns get configmap web-extra >/dev/null 2>&1 || fail "web-extra survived the rollback with prune"
[ "$(k -n $ns get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}')" = web:1 ] || fail "image after rollback"
grep -q 'pruned ConfigMap deploy-e2e/web-extra' <<<"$(d logs 3)" || fail "prune not logged: $(d logs 3)"

step "a timeout names what was not ready"
set +e
out=$(d run shop/web@4 --target e2e --wait --timeout 8); rc=$?
set -e
[ $rc -eq 1 ] || fail "slow rollout should exit 1: $out"
echo "$out" | grep -q '^job 4 timed_out: not ready after 8000 ms: Deployment deploy-e2e/web: ' || fail "timeout: $out"

step "a bad image fails fast, naming the object"
start=$(date +%s)
set +e
out=$(d run shop/web@3 --target e2e --wait --timeout 120); rc=$?
set -e
[ $rc -eq 1 ] || fail "bad image should exit 1: $out"
echo "$out" | grep -q '^job 5 failed: rollout_failed: Deployment deploy-e2e/web: .*ImagePullBackOff' || fail "bad image: $out"
[ $(( $(date +%s) - start )) -lt 60 ] || fail "bad image did not fail fast"

step "a deploy right after a failed one is judged on its own pods"
out=$(d rollback shop/web --target e2e --to 1 --wait) || fail "rollback after failure: $out"
echo "$out" | grep -q '^job 6 succeeded' || fail "rollback after failure: $out"

step "two concurrent deploys to one target serialize"
d run shop/web@1 --target e2e --wait > "$tmp/c1" 2>&1 & a=$!
d run shop/web@2 --target e2e --wait > "$tmp/c2" 2>&1 & b=$!
wait $a || fail "concurrent 1: $(cat "$tmp/c1")"
wait $b || fail "concurrent 2: $(cat "$tmp/c2")"
s7=$(jobfield 7 started_at); f7=$(jobfield 7 finished_at); s8=$(jobfield 8 started_at); f8=$(jobfield 8 finished_at)
[ "$f7" -le "$s8" ] || [ "$f8" -le "$s7" ] || fail "jobs 7 and 8 overlapped: $s7-$f7 $s8-$f8"

step "a stale-epoch worker cannot write"
before=$(sql "SELECT count(*) FROM jobs")
d run shop/web@5 --target e2e >/dev/null
job=$((before + 1))
"$cicd" deploy worker --until-idle --lease-ttl 1000 --owner stale > "$tmp/stale.out" 2>&1 & w=$!
pids+=("$w")
for _ in $(seq 100); do [ "$(sql "SELECT state FROM jobs WHERE id=$job")" = running ] && break; sleep 0.05; done
kill -STOP $w || fail "the stale worker ended before it could be stopped: $(cat "$tmp/stale.out")"
# Stop it outside a store transaction: a frozen process inside one holds SQLite's write lock.
for _ in $(seq 50); do
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=0.2); c.execute("BEGIN IMMEDIATE"); c.rollback()' \
    "$CICD_STORE" 2>/dev/null && break
  kill -CONT $w; sleep 0.03; kill -STOP $w
done
sleep 1.5
d worker --until-idle --lease-ttl 1000 --owner successor >/dev/null 2>&1 || fail "successor worker failed"
kill -CONT $w
wait $w || true
[ "$(jobfield $job state)" = succeeded ] || fail "job $job: $(d --format json job $job)"
epoch=$(sql "SELECT epoch FROM leases WHERE target='e2e'")
# Every write after the takeover carries the successor's epoch; the stale worker's were refused.
[ "$(sql "SELECT count(*) FROM transitions WHERE job_id=$job AND seq > 2 AND epoch <> $epoch")" = 0 ] ||
  fail "a stale write got through"
[ "$(sql "SELECT epoch FROM jobs WHERE id=$job")" = "$epoch" ] || fail "job epoch is not the successor's"
grep -q "resumed by worker successor at step .*, lease epoch $epoch" <<<"$(d logs $job)" || fail "no takeover in the log: $(d logs $job)"
[ "$(sql "SELECT owner FROM leases WHERE target='e2e'")" = "" ] || fail "lease not released"

step "workers killed with SIGKILL at random points are recovered ($rounds rounds)"
for i in $(seq "$rounds"); do
  v=$(( i % 2 + 1 ))
  d run shop/web@$v --target e2e >/dev/null
  job=$(sql "SELECT max(id) FROM jobs")
  "$cicd" deploy worker --until-idle --lease-ttl 800 --poll 50 --owner "victim-$i" >/dev/null 2>&1 & w=$!
  pids+=("$w")
  sleep "0.$(( RANDOM % 10 ))$(( RANDOM % 10 ))"
  kill -9 $w 2>/dev/null || true
  wait $w 2>/dev/null || true
  d worker --until-idle --lease-ttl 800 --poll 50 --owner "rescuer-$i" >/dev/null 2>&1 || fail "rescuer $i failed"
  state=$(jobfield $job state)
  [ "$state" = succeeded ] || [ "$(jobfield $job reason)" = worker_lost ] || fail "round $i: job $job ended $state"
  [ "$(sql "SELECT owner FROM leases WHERE target='e2e'")" = "" ] || fail "round $i: lease still held"
  # No committed line is lost: sequence numbers run 1..N without a gap, and the job's end is logged.
  [ "$(sql "SELECT count(*) = max(seq) FROM logs WHERE job_id=$job")" = 1 ] || fail "round $i: gap in the log"
  tail -1 <<<"$(d logs $job)" | grep -q 'job succeeded\|job failed' || fail "round $i: log does not end with the job's end"
  [ "$(k -n $ns get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}')" = "web:$v" ] ||
    fail "round $i: cluster not at version $v"
done

step "diff against live, cancel between steps, logs -f"
cur=$(k -n $ns get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}')
d diff shop/web@5 --target e2e > "$tmp/livediff" || fail "diff --target"
grep -q "^update    Deployment $ns/web$" "$tmp/livediff" || fail "live diff: $(cat "$tmp/livediff")"
grep -q "\"$cur\" -> \"web:5\"" "$tmp/livediff" || fail "live diff lacks the image change: $(cat "$tmp/livediff")"
d run shop/web@5 --target e2e >/dev/null
job=$(sql "SELECT max(id) FROM jobs")
d logs -f "$job" > "$tmp/follow" & f=$!
"$cicd" deploy worker --until-idle --lease-ttl 3000 --owner canceled-worker >/dev/null 2>&1 & w=$!
pids+=("$w")
for _ in $(seq 200); do grep -q "configured Deployment" <<<"$(d logs "$job")" && break; sleep 0.05; done
out=$(d cancel "$job") || fail "cancel: $out"
wait $w || fail "worker after cancel"
wait $f || fail "logs -f"
[ "$(jobfield "$job" state)" = canceled ] || fail "canceled job: $(d --format json job "$job")"
grep -q '^canceled .*; 0 created, 2 configured, 0 unchanged, 0 pruned before it$' <<<"$(jobfield "$job" message)" ||
  fail "cancel message: $(jobfield "$job" message)"
[ "$(cat "$tmp/follow")" = "$(d logs "$job")" ] || fail "logs -f differs from logs"

step "prune deletes only owned objects"
d run shop/web@2 --target e2e --wait >/dev/null || fail "deploy v2 again"
k -n $ns label configmap web-extra deploy.cicd.dev/set- >/dev/null
k -n $ns create configmap bystander --from-literal=a=b >/dev/null
k -n $ns label configmap bystander deploy.cicd.dev/project=shop deploy.cicd.dev/set=web >/dev/null
out=$(d rollback shop/web --target e2e --to 1 --prune --wait) || fail "rollback: $out"
k -n $ns get configmap web-extra >/dev/null || fail "an object without the owner labels was pruned"
k -n $ns get configmap bystander >/dev/null || fail "an object outside the inventory was pruned"
job=$(sql "SELECT max(id) FROM jobs")
grep -q "not pruned ConfigMap deploy-e2e/web-extra: it lacks the owner labels of shop/web" <<<"$(d logs "$job")" ||
  fail "skip not logged: $(d logs "$job")"
step "a set that creates its own namespace deploys into it (the dry run cannot see that namespace yet)"
cat > "$tmp/fresh.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: fresh-e2e}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: fresh-e2e}
data: {a: b}
EOF
d target add fresh --kubeconfig "$kubeconfig" --namespace fresh-e2e >/dev/null
ver=$(d push shop/fresh "$tmp/fresh.yaml" | awk '{print $1}')
out=$(d run "$ver" --target fresh --wait) || fail "deploy into a namespace the set creates: $out"
k -n fresh-e2e get configmap settings >/dev/null || fail "the ConfigMap was not created in the new namespace"
job=$(sql "SELECT max(id) FROM jobs")
grep -q " created Namespace fresh-e2e$" <<<"$(d logs "$job")" || fail "the Namespace is labelled with a namespace: $(d logs "$job")"

step "cluster-scoped objects live in no namespace: log, change set, inventory, prune, rows of earlier versions"
# The custom kind's CRD is created by wave 0 of the same job: the plan takes its scope from the set, the
# apply from the cluster once the CRD is Established.
scoped() { # DIR [WITH_CLUSTERROLE]
  mkdir -p "$1"
  cat > "$1/scoped.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: scope-e2e}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: scopegadgets.e2e.cicd.dev}
spec:
  group: e2e.cicd.dev
  scope: Cluster
  names: {kind: ScopeGadget, plural: scopegadgets, singular: scopegadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: e2e.cicd.dev/v1
kind: ScopeGadget
metadata:
  name: g1
  annotations: {deploy.cicd.dev/wave: "1"}
spec: {size: 1}
EOF
  if [ -n "${2:-}" ]; then
    cat >> "$1/scoped.yaml" <<EOF
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: scope-e2e-reader}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
EOF
  fi
}
scoped "$tmp/scoped1" with-clusterrole
scoped "$tmp/scoped2"
d target add scoped --kubeconfig "$kubeconfig" --namespace scope-e2e >/dev/null
s1=$(d push shop/scoped "$tmp/scoped1" | awk '{print $1}')
s2=$(d push shop/scoped "$tmp/scoped2" | awk '{print $1}')
out=$(d run "$s1" --target scoped --wait) || fail "deploy of cluster-scoped objects: $out"
job=$(sql "SELECT max(id) FROM jobs")
log=$(d logs "$job")
for line in "plan: create Namespace scope-e2e" "plan: create ClusterRole scope-e2e-reader" "plan: create ScopeGadget g1" \
  "created Namespace scope-e2e" "created ClusterRole scope-e2e-reader" "created ConfigMap scope-e2e/settings" \
  "created CustomResourceDefinition scopegadgets.e2e.cicd.dev" "created ScopeGadget g1"; do
  grep -q " $line\$" <<<"$log" || fail "no line '$line' in the log: $log"
done
grep -q '"kind":"ClusterRole","namespace":"","name":"scope-e2e-reader"' <<<"$(d --format json job "$job")" ||
  fail "change set of job $job: $(d --format json job "$job")"
inv() {
  sql "SELECT group_concat(r, ', ') FROM (SELECT kind || ' ' || namespace || '/' || name AS r FROM inventory
       WHERE target = 'scoped' ORDER BY kind, namespace, name)"
}
all="ClusterRole /scope-e2e-reader, ConfigMap scope-e2e/settings, CustomResourceDefinition /scopegadgets.e2e.cicd.dev, Namespace /scope-e2e, ScopeGadget /g1"
[ "$(inv)" = "$all" ] || fail "inventory: $(inv)"
# As earlier versions recorded them: cluster-scoped objects under the target's namespace.
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' "$CICD_STORE" \
  "UPDATE inventory SET namespace = 'scope-e2e' WHERE target = 'scoped' AND namespace = ''"
out=$(d run "$s1" --target scoped --prune --wait) || fail "redeploy over old inventory rows: $out"
[ "${out#* succeeded: }" = "0 created, 0 configured, 5 unchanged, 0 pruned" ] || fail "an old inventory row was pruned: $out"
k get clusterrole scope-e2e-reader >/dev/null || fail "the ClusterRole was pruned by mistake"
[ "$(inv)" = "$all" ] || fail "old rows not rewritten: $(inv)"
out=$(d run "$s2" --target scoped --prune --wait) || fail "deploy without the ClusterRole: $out"
[ "${out#* succeeded: }" = "0 created, 0 configured, 4 unchanged, 1 pruned" ] || fail "prune of the ClusterRole: $out"
job=$(sql "SELECT max(id) FROM jobs")
grep -q " pruned ClusterRole scope-e2e-reader$" <<<"$(d logs "$job")" || fail "prune not logged: $(d logs "$job")"
! k get clusterrole scope-e2e-reader >/dev/null 2>&1 || fail "the ClusterRole survived the prune"
k get namespace scope-e2e >/dev/null || fail "the Namespace was pruned"
k get scopegadget g1 >/dev/null || fail "the ScopeGadget was pruned"
[ "$(inv)" = "ConfigMap scope-e2e/settings, CustomResourceDefinition /scopegadgets.e2e.cicd.dev, Namespace /scope-e2e, ScopeGadget /g1" ] ||
  fail "inventory after prune: $(inv)"
echo "deploy e2e: ok"
