#!/usr/bin/env bash
# cicd plan: the flow's three pipelines and the release tag, JSON and text, errors and usage.
set -uo pipefail
cicd="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flow="$src/examples/pipeline/.gitlab-ci.yml"
fails=0
pass=0

check() { # check NAME WANT GOT
  if [ "$2" == "$3" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $1"
    echo "  want: $2"
    echo "  got:  $3"
    fails=$((fails + 1))
  fi
}

# "name:when[!]" per job in plan order, from the JSON form.
jobs() {
  "$cicd" plan -f "$flow" --default-branch master --format json "$@" | python3 -c '
import json, sys
p = json.load(sys.stdin)
print(p["created"], p["name"], "|", " ".join(j["name"] + ":" + j["when"] + ("!" if j["allow_failure"] else "") for j in p["jobs"]))'
}

check feature "True feature/80-optimize-allocate pipeline | lint:on_success unit-test:on_success code-review-design:manual! code-review-security:manual!" \
  "$(jobs --branch feature/80-optimize-allocate)"
check dev "True dev pipeline | lint:on_success full-static-check:on_success unit-test:on_success prerelease-image:on_success prerelease-deploy:on_success prerelease-integration-test:on_success" \
  "$(jobs --branch dev)"
check master "True master pipeline | lint:on_success production-image:on_success production-deploy:on_success integration-test:on_success" \
  "$(jobs --branch master)"
check tag "True v1.1.1 pipeline | lint:on_success production-image:on_success production-deploy:manual integration-test:on_success" \
  "$(jobs --tag v1.1.1)"
check mr "True feature/80-optimize-allocate pipeline | lint:on_success unit-test:on_success" \
  "$(jobs --mr feature/80-optimize-allocate:dev --mr-iid 7)"
check other-branch "False None | " "$(jobs --branch experiment)"

# Stages and needs in the JSON form.
got=$("$cicd" plan -f "$flow" --branch dev --format json | python3 -c '
import json, sys
p = json.load(sys.stdin)
print(p["stages"], [j["needs"] for j in p["jobs"]][-2:], p["jobs"][3]["variables"])')
check dev-json "['static-check', 'unit-test', 'build-image', 'deploy', 'integration-test'] [['prerelease-image'], ['prerelease-deploy']] {'IMAGE_TAG': '\$CI_COMMIT_SHORT_SHA-dev'}" "$got"

# The text table.
"$cicd" plan -f "$flow" --tag v1.1.1 >"$tmp/out" 2>&1
check text-rc 0 $?
check text-name "pipeline: v1.1.1 pipeline" "$(head -1 "$tmp/out")"
check text-row "deploy               production-deploy                    manual     no            -         production-image" \
  "$(grep '^deploy ' "$tmp/out" | sed 's/ *$//')"
check text-critical "critical path: lint -> production-image -> production-deploy -> integration-test" "$(tail -1 "$tmp/out")"
"$cicd" plan -f "$flow" --branch experiment >"$tmp/out" 2>&1
check text-none "no pipeline: Pipeline filtered out by workflow rules." "$(cat "$tmp/out")"

# Pipeline variables and pipeline-creation errors.
cat >"$tmp/ci.yml" <<'YAML'
stages: [build, test]
build:
  stage: build
  script: [make]
  rules:
    - if: $BUILD == "yes"
test:
  stage: test
  script: [make test]
  needs: [build]
YAML
"$cicd" plan -f "$tmp/ci.yml" --branch dev >"$tmp/out" 2>"$tmp/err"
check need-rc 1 $?
check need-msg "$tmp/ci.yml:10:11: 'test' job needs 'build' job, but 'build' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional." \
  "$(cat "$tmp/err")"
"$cicd" plan -f "$tmp/ci.yml" --branch dev --var BUILD=yes --format json >"$tmp/out" 2>&1
check var-rc 0 $?

printf 'test:\n  script: [x]\n  rules:\n    - if: $A == ${B}\n' >"$tmp/bad.yml"
"$cicd" plan -f "$tmp/bad.yml" --branch dev >"$tmp/out" 2>"$tmp/err"
check expr-rc 1 $?
check expr-msg "$tmp/bad.yml:4:17: jobs:test:rules:rule if invalid expression syntax: \${NAME} is not a variable in rules:if, write \$NAME" \
  "$(cat "$tmp/err")"

# Includes are read as GitLab reads them for the trigger: its variables in locations, its include:rules.
mkdir -p "$tmp/inc/ci"
printf 'include:\n  - local: ci/$CI_COMMIT_REF_NAME.yml\n  - local: ci/${EXTRA}.yml\n    rules:\n      - if: $CI_COMMIT_TAG\nbase:\n  script: b\n' >"$tmp/inc/.gitlab-ci.yml"
printf 'devjob:\n  script: d\n' >"$tmp/inc/ci/dev.yml"
printf 'v1job:\n  script: v\n' >"$tmp/inc/ci/v1.yml"
printf 'tagonly:\n  script: t\n' >"$tmp/inc/ci/release.yml"
names() { "$cicd" plan -f "$tmp/inc/.gitlab-ci.yml" --format json "$@" | python3 -c '
import json, sys
print(" ".join(j["name"] for j in json.load(sys.stdin)["jobs"]))'; }
check include-branch "devjob base" "$(names --branch dev --var EXTRA=release)"
check include-tag "v1job tagonly base" "$(names --tag v1 --var EXTRA=release)"
"$cicd" plan -f "$tmp/inc/.gitlab-ci.yml" --branch feature >/dev/null 2>"$tmp/err"
check include-missing-rc 1 $?
check include-missing-msg "$tmp/inc/.gitlab-ci.yml:2:12: error: Local file \`ci/feature.yml\` does not exist!" "$(cat "$tmp/err")"
# A masked variable's value comes from the environment and never shows in an error.
printf 'include:\n  - local: ci/$SECRET_DIR.yml\nbase:\n  script: b\n' >"$tmp/inc/secret.yml"
SECRET_DIR=s3cr3t-d1r "$cicd" plan -f "$tmp/inc/secret.yml" --branch dev --masked-var SECRET_DIR >/dev/null 2>"$tmp/err"
check masked-rc 1 $?
check masked-msg "$tmp/inc/secret.yml:2:12: error: Local file \`ci/[MASKED].yml\` does not exist!" "$(cat "$tmp/err")"
check masked-used "tagonly base" "$(SECRET_DIR=release "$cicd" plan -f "$tmp/inc/secret.yml" --branch dev \
  --masked-var SECRET_DIR --format json | python3 -c 'import json, sys; print(" ".join(j["name"] for j in json.load(sys.stdin)["jobs"]))')"

# changes:compare_to answered by git with --compare-with-git: the paths since the ref's merge base.
repo="$tmp/repo"
mkdir -p "$repo/src" "$repo/docs"
printf 'app:\n  script: x\n  rules:\n    - changes: {paths: ["src/*"], compare_to: refs/heads/main}\n' >"$repo/.gitlab-ci.yml"
printf 'docs:\n  script: x\n  rules:\n    - changes: {paths: ["docs/*"], compare_to: $BASE}\n' >>"$repo/.gitlab-ci.yml"
echo a >"$repo/src/a.c"
echo d >"$repo/docs/d.md"
g() { git -C "$repo" -c user.email=t@example.com -c user.name=t "$@" >/dev/null 2>&1; }
g init -b main && g add -A && g commit -m init && g checkout -b feature
echo b >"$repo/src/b.c"
g add -A && g commit -m feature
jobs() { "$cicd" plan -f "$repo/.gitlab-ci.yml" --format json "$@" | python3 -c '
import json, sys
print(" ".join(j["name"] for j in json.load(sys.stdin)["jobs"]))'; }
check git-compare "app" "$(jobs --branch feature --var BASE=main --compare-with-git)"
check git-compare-without "app docs" "$(jobs --branch feature --var BASE=main)"
"$cicd" plan -f "$repo/.gitlab-ci.yml" --branch feature --var BASE=nope --compare-with-git >/dev/null 2>"$tmp/err"
check git-compare-bad-rc 1 $?
check git-compare-bad-msg "$repo/.gitlab-ci.yml:8:7: Failed to parse rule for docs: rules:changes:compare_to is not a valid ref" \
  "$(cat "$tmp/err")"
# a ref that git would read as an option is no ref, and git never sees it
"$cicd" plan -f "$repo/.gitlab-ci.yml" --branch feature --var BASE=--output="$tmp/written" --compare-with-git \
  >/dev/null 2>&1
check git-compare-option-rc 1 $?
check git-compare-option-nothing-written no "$([ -e "$tmp/written" ] && echo yes || echo no)"

# Usage errors exit 2.
"$cicd" plan -f "$flow" >/dev/null 2>"$tmp/err"
check usage-none 2 $?
"$cicd" plan -f "$flow" --branch a --tag b >/dev/null 2>&1
check usage-two 2 $?
"$cicd" plan -f "$flow" --mr feature >/dev/null 2>&1
check usage-mr 2 $?
"$cicd" plan -f "$flow" --branch dev --format xml >/dev/null 2>&1
check usage-format 2 $?
"$cicd" plan -f "$flow" --branch dev --var NOVALUE >/dev/null 2>&1
check usage-var 2 $?
env -u NOT_SET "$cicd" plan -f "$flow" --branch dev --masked-var NOT_SET >/dev/null 2>"$tmp/err"
check usage-masked 2 $?
check usage-masked-msg "cicd: --masked-var NOT_SET: no environment variable NOT_SET holds its value" "$(head -1 "$tmp/err")"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
