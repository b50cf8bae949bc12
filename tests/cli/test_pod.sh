#!/usr/bin/env bash
# cicd pod render/script/failure: output, determinism, errors with positions, exit codes.
set -euo pipefail
cicd=$1
src=$2
data=$src/tests/unit/pod/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# the YAML rendering is the golden file, byte for byte
"$cicd" pod render --job "$data/job_basic.json" --runner "$data/runner_basic.yml" > "$tmp/out.yaml"
cmp "$tmp/out.yaml" "$data/golden_basic.yaml" || fail "render differs from golden_basic.yaml"

# JSON: a v1 List of Secret, Secret, Pod; the Pod holds no secret value
"$cicd" pod render --job "$data/job_basic.json" --runner "$data/runner_basic.yml" --format json --slot 2 \
  --suffix abc > "$tmp/out.json"
python3 - "$tmp/out.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["kind"] == "List", doc["kind"]
kinds = [i["kind"] for i in doc["items"]]
assert kinds == ["Secret", "Secret", "Pod"], kinds
pod = doc["items"][2]
assert pod["metadata"]["name"] == "runner-abcd1234-project-17-concurrent-2-abc", pod["metadata"]["name"]
text = json.dumps(pod)
for secret in ["sup3r-s3cret-key", "not-masked-but-private", "JobTokenSecretValue1"]:
    assert secret not in text, secret
assert pod["spec"]["activeDeadlineSeconds"] == 3601
PY

# an overwrite beyond the cap: exit 1, the variable's position
sed 's/"KUBERNETES_CPU_LIMIT", "value": "2"/"KUBERNETES_CPU_LIMIT", "value": "3"/' "$data/job_overwrites.json" > "$tmp/over.json"
set +e
"$cicd" pod render --job "$tmp/over.json" --runner "$data/runner_caps.yml" > /dev/null 2> "$tmp/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "beyond cap should exit 1, got $rc"
[ "$(cat "$tmp/err")" = "$tmp/over.json:8:5: KUBERNETES_CPU_LIMIT \"3\" is more than cpu_limit_overwrite_max_allowed \"2\"" ] ||
  fail "cap message: $(cat "$tmp/err")"

# unknown configuration keys are warnings on stderr, the render still succeeds
printf 'kubernetes:\n  image: alpine\n  cpu_limt: 1\n' > "$tmp/typo.yml"
"$cicd" pod render --job "$data/job_minimal.json" --runner "$tmp/typo.yml" > /dev/null 2> "$tmp/err"
grep -qx "$tmp/typo.yml:3:3: warning: unknown key \"cpu_limt\" in kubernetes is ignored" "$tmp/err" ||
  fail "warning: $(cat "$tmp/err")"

# a stage script runs and ends with its marker
"$cicd" pod script --job "$data/job_minimal.json" --runner "$data/runner_minimal.yml" --step script --shell sh \
  --nonce T1 > "$tmp/s.sh"
out=$(cd "$tmp" && sed "s#^cd '/builds/project-2'#cd .#" s.sh | sh 2>&1)
[ "$(printf '%s' "$out" | tail -1)" = "::cicd-exit::T1::script::0" ] || fail "script output: $out"
[ "$(printf '%s\n' "$out" | "$cicd" pod exit-code --nonce T1 --step script)" = 0 ] || fail "exit-code of the run"
[ "$(printf 'x\n::cicd-exit::T1::script::7\n' | "$cicd" pod exit-code --nonce T1 --step script)" = 7 ] || fail "exit-code 7"
set +e
printf 'no marker\n' | "$cicd" pod exit-code --nonce T1 --step script 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "no marker should exit 1"
[ "$(cat "$tmp/err")" = 'cicd: no exit marker for step "script" in the log' ] || fail "no marker message: $(cat "$tmp/err")"

# failure reasons
printf '{"status": {"phase": "Failed", "reason": "Evicted", "message": "low on memory"}}' > "$tmp/pod.json"
[ "$("$cicd" pod failure "$tmp/pod.json")" = "runner_system_failure: the Pod was evicted by the node: low on memory" ] ||
  fail "failure output"
printf '{"status": {"phase": "Running"}}' > "$tmp/ok.json"
[ "$("$cicd" pod failure "$tmp/ok.json")" = "none" ] || fail "no failure"

# usage errors exit 2
set +e
"$cicd" pod 2>/dev/null; [ $? -eq 2 ] || fail "no subcommand should exit 2"
"$cicd" pod render --job x 2>/dev/null; [ $? -eq 2 ] || fail "missing --runner should exit 2"
"$cicd" pod render --job x --runner y --format xml 2>/dev/null; [ $? -eq 2 ] || fail "bad format should exit 2"
"$cicd" pod render --job /nonexistent --runner y 2>/dev/null; [ $? -eq 1 ] || fail "missing file should exit 1"
echo ok
