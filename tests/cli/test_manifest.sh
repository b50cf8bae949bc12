#!/usr/bin/env bash
# cicd manifest: the example resource set validates, orders and diffs as expected; exit codes.
set -u
cicd=$1
src=$2
ex=$src/examples/deploy/web
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name expected actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"
    echo "--- expected"; printf '%s\n' "$2"
    echo "--- actual"; printf '%s\n' "$3"
    fail=1
  fi
}

out=$("$cicd" manifest validate "$ex/v1" 2>&1); rc=$?
check "validate v1" "6 objects valid / 0" "$out / $rc"
out=$("$cicd" manifest validate "$ex/v2" 2>&1); rc=$?
check "validate v2" "7 objects valid / 0" "$out / $rc"

out=$("$cicd" manifest order "$ex/v1")
check "order v1" "Namespace web
Secret web/web-credentials
ConfigMap web/web-config
Service web/web
Deployment web/web
Ingress web/web" "$out"

out=$("$cicd" manifest order --delete "$ex/v2")
check "delete order v2" "Ingress web/web
HorizontalPodAutoscaler web/web
Deployment web/web
Service web/web-metrics
Service web/web
Secret web/web-credentials
Namespace web" "$out"

out=$("$cicd" manifest diff "$ex/v1" "$ex/v2"); rc=$?
check "diff summary" "2 added, 1 removed, 2 changed / 0" "$(printf '%s' "$out" | tail -1) / $rc"
check "diff lines" "~ Secret web/web-credentials (v1)
+ Service web/web-metrics (v1)
~ Deployment web/web (apps/v1)
+ HorizontalPodAutoscaler web/web (autoscaling/v2)
- ConfigMap web/web-config (v1)" "$(printf '%s\n' "$out" | grep -E '^[-+~] ')"
check "diff replicas" "    spec.replicas: 2 -> 3" "$(printf '%s\n' "$out" | grep replicas)"
if printf '%s' "$out" | grep -q s3cr3t; then echo "FAIL: a secret value leaked into the diff"; fail=1; fi
"$cicd" manifest diff --exit-code "$ex/v1" "$ex/v2" >/dev/null; rc=$?
check "diff --exit-code with changes" 3 "$rc"
"$cicd" manifest diff --exit-code "$ex/v1" "$ex/v1" >/dev/null; rc=$?
check "diff --exit-code without changes" 0 "$rc"
out=$("$cicd" manifest diff --format json "$ex/v1" "$ex/v2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["added"]), len(d["removed"]), len(d["changed"]), d["changed"][0]["fields"][0]["hidden"])')
check "diff json" "2 1 2 True" "$out"

# render: image, label, namespace; the result validates again and orders the same
"$cicd" manifest render --image registry.example.com/web/frontend=registry.example.com/web/frontend:9.9.9 \
  --label app.kubernetes.io/managed-by=cicd --annotation cicd.example.com/job=17 --namespace staging \
  "$ex/v1" >"$tmp/rendered.yaml"; rc=$?
check "render rc" 0 "$rc"
check "render image" "        image: registry.example.com/web/frontend:9.9.9" "$(grep 'image:' "$tmp/rendered.yaml")"
check "render namespaces" "5" "$(grep -c '^  namespace: staging$' "$tmp/rendered.yaml")"
check "render labels" "6" "$(grep -c '^    app.kubernetes.io/managed-by: cicd$' "$tmp/rendered.yaml")"
out=$("$cicd" manifest validate "$tmp/rendered.yaml" 2>&1); rc=$?
check "rendered validates" "6 objects valid / 0" "$out / $rc"
"$cicd" manifest render --format json "$ex/v1" >"$tmp/rendered.json"
out=$("$cicd" manifest order "$tmp/rendered.json")
check "json round trip order" "$("$cicd" manifest order "$ex/v1")" "$out"
check "hash stable across yaml and json" "$("$cicd" manifest hash "$ex/v1")" "$("$cicd" manifest hash "$tmp/rendered.json")"

# invalid input: every error with its position, exit 1
cat >"$tmp/bad.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: Web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  labels: {version: 2}
YAML
out=$("$cicd" manifest validate "$tmp/bad.yaml" 2>&1); rc=$?
check "invalid" "$tmp/bad.yaml:4:9: error: metadata.name: invalid value \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character
$tmp/bad.yaml:10:21: error: metadata.labels[\"version\"] must be a string, not an integer (quote it) / 1" "$out / $rc"

# --openapi: field types checked against the schema
cat >"$tmp/typed.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: "2"
  selector: {matchLabels: {app: web}}
  template: {spec: {containers: [{name: web, image: nginx}]}}
YAML
out=$("$cicd" manifest validate --openapi "$src/tests/cli/data/openapi-mini.json" "$tmp/typed.yaml" 2>&1); rc=$?
check "openapi" "$tmp/typed.yaml:5:13: error: spec.replicas: expected integer, got string / 1" "$out / $rc"
"$cicd" manifest validate --openapi "$tmp/missing.json" "$tmp/typed.yaml" >/dev/null 2>&1; rc=$?
check "openapi file missing" 1 "$rc"

printf 'a: [unclosed\n' >"$tmp/syntax.yaml"
"$cicd" manifest validate "$tmp/syntax.yaml" >/dev/null 2>&1; rc=$?
check "syntax error exit" 1 "$rc"
"$cicd" manifest validate "$tmp/missing.yaml" >/dev/null 2>&1; rc=$?
check "missing file exit" 1 "$rc"
"$cicd" manifest frobnicate x >/dev/null 2>&1; rc=$?
check "unknown subcommand exit" 2 "$rc"
"$cicd" manifest diff "$ex/v1" >/dev/null 2>&1; rc=$?
check "diff needs two paths" 2 "$rc"
"$cicd" manifest render --format xml "$ex/v1" >/dev/null 2>&1; rc=$?
check "bad format" 2 "$rc"
"$cicd" manifest render --label 'bad key=x' "$ex/v1" >/dev/null 2>&1; rc=$?
check "bad label exit" 1 "$rc"
exit $fail
