#!/usr/bin/env bash
# cicd kube without a cluster: usage errors, kubeconfig problems, unreachable servers (exit codes, messages).
set -euo pipefail
cicd=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

set +e
"$cicd" kube 2>/dev/null; [ $? -eq 2 ] || fail "no subcommand should exit 2"
"$cicd" kube frobnicate 2>/dev/null; [ $? -eq 2 ] || fail "unknown subcommand should exit 2"
"$cicd" kube apply 2>"$tmp/err"; [ $? -eq 2 ] || fail "apply without -f should exit 2"
grep -q 'apply needs -f FILE|DIR' "$tmp/err" || fail "apply usage message: $(cat "$tmp/err")"
"$cicd" kube rollout status 2>/dev/null; [ $? -eq 2 ] || fail "rollout without KIND/NAME should exit 2"
"$cicd" kube apply -f x --timeout soon 2>/dev/null; [ $? -eq 2 ] || fail "bad duration should exit 2"

# a kubeconfig that names a missing context
cat > "$tmp/config" <<'CFG'
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: c
  context: {cluster: c}
current-context: c
CFG
"$cicd" kube get pods --kubeconfig "$tmp/config" --context nope 2>"$tmp/err"; [ $? -eq 1 ] || fail "missing context should exit 1"
[ "$(cat "$tmp/err")" = "cicd: context 'nope' not found" ] || fail "missing context message: $(cat "$tmp/err")"

# a malformed kubeconfig: file:line:col
printf 'clusters: 5\n' > "$tmp/bad"
"$cicd" kube get pods --kubeconfig "$tmp/bad" 2>"$tmp/err"; [ $? -eq 1 ] || fail "bad kubeconfig should exit 1"
[ "$(cat "$tmp/err")" = "$tmp/bad:1:11: 'clusters' must be a list" ] || fail "bad kubeconfig message: $(cat "$tmp/err")"

# nothing listens on port 1: a connection error naming the URL, never a token
cat >> "$tmp/config" <<'CFG'
users:
- name: u
  user: {token: sup3rs3cr3t}
CFG
sed -i 's/context: {cluster: c}/context: {cluster: c, user: u}/' "$tmp/config"
"$cicd" kube get pods --kubeconfig "$tmp/config" 2>"$tmp/err"; [ $? -eq 1 ] || fail "unreachable server should exit 1"
grep -q '^cicd: GET https://127.0.0.1:1/api' "$tmp/err" || fail "connection error message: $(cat "$tmp/err")"
grep -q sup3rs3cr3t "$tmp/err" && fail "token leaked into the error"

# a manifest that is not YAML fails before any connection
printf 'a: [\n' > "$tmp/m.yaml"
"$cicd" kube apply -f "$tmp/m.yaml" --kubeconfig "$tmp/config" 2>"$tmp/err"; [ $? -eq 1 ] || fail "bad manifest should exit 1"
grep -q "^$tmp/m.yaml:2:1: " "$tmp/err" || fail "bad manifest message: $(cat "$tmp/err")"
exit 0
