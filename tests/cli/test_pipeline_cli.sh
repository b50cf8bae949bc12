#!/usr/bin/env bash
# `cicd lint` and `cicd config` on the example pipeline and on broken input: output and exit codes.
set -u
CICD=$(realpath "$1")
SRC=$(realpath "$2")
fail=0
check() { # description, condition result
	if [ "$2" -eq 0 ]; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$CICD" lint -f "$SRC/examples/pipeline/.gitlab-ci.yml")
check "lint accepts the example pipeline" $?
[ "$out" = "$SRC/examples/pipeline/.gitlab-ci.yml: valid (11 jobs, 1 files)" ]
check "lint reports jobs and files" $?

"$CICD" config -f "$SRC/examples/pipeline/.gitlab-ci.yml" > "$tmp/config.json"
check "config prints the example" $?
python3 - "$tmp/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
d = c["prerelease-deploy"]
assert d["stage"] == "deploy", d
assert d["script"][0].startswith("cicd manifest render"), d
assert d["artifacts"]["expire_in"] == "1 week", d
assert d["rules"] == [{"if": '$CI_COMMIT_BRANCH == "dev"'}], d["rules"]
assert c["lint"]["variables"]["GOPATH"] == "$CI_PROJECT_DIR/.cache/go"
assert "include" not in c
PY
check "config resolves extends and anchors" $?

cat > "$tmp/bad.yml" <<'YML'
stages: [build]
build:
  stage: build
  script: make
  when: later
test:
  script: make test
YML
out=$(cd "$tmp" && "$CICD" lint -f bad.yml)
rc=$?
[ $rc -eq 1 ]
check "lint exits 1 on an invalid file" $?
expected="bad.yml:5:9: jobs:build when should be one of: on_success, on_failure, always, manual, delayed
bad.yml:6:1: test job: chosen stage test does not exist; available stages are .pre, build, .post"
[ "$out" = "$expected" ]
check "lint prints every error as FILE:LINE:COL: message" $?

out=$(cd "$tmp" && "$CICD" lint -f bad.yml --format json)
printf '%s' "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["valid"] is False
assert [(e["line"], e["column"]) for e in r["errors"]] == [(5, 9), (6, 1)], r
assert r["errors"][0]["message"].startswith("jobs:build when should be one of")
'
check "lint --format json lists errors with positions" $?

(cd "$tmp" && "$CICD" config -f bad.yml > /dev/null 2> err.txt)
[ $? -eq 1 ] && grep -q "^bad.yml:5:9: jobs:build when" "$tmp/err.txt"
check "config exits 1 and prints errors on an invalid file" $?

out=$(cd "$tmp" && "$CICD" lint -f - < bad.yml)
[ $? -eq 1 ] && [ "$(printf '%s\n' "$out" | head -1)" = "<stdin>:5:9: jobs:build when should be one of: on_success, on_failure, always, manual, delayed" ]
check "lint -f - reads standard input" $?

"$CICD" lint --format yaml > /dev/null 2>&1
[ $? -eq 2 ]
check "lint: a bad --format is a usage error" $?

"$CICD" lint -f "$tmp/does-not-exist.yml" > /dev/null 2>&1
[ $? -eq 1 ]
check "lint: a missing file fails" $?

exit $fail
