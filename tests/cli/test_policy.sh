#!/usr/bin/env bash
# The example policy (examples/policy/policy.yml) accepts and rejects the events of the
# flow in ARCHITECTURE.md; cicd version next reads commits separated by --- or NUL.
set -u
cicd="$1"
src="$2"
policy="$src/examples/policy/policy.yml"
fail=0
check() { # name expected-output expected-status actual-output actual-status
  if [ "$2" != "$4" ] || [ "$3" != "$5" ]; then
    printf 'FAIL %s\n  expected (%s): %s\n  actual   (%s): %s\n' "$1" "$3" "$2" "$5" "$4"
    fail=1
  fi
}
run() { out=$("$@" 2>&1); st=$?; }
pc() { run "$cicd" policy check -p "$policy" "$@"; }

# the flow's branches
pc --push feature/80-optimize-allocate
check "push feature" $'allowed: push to feature/80-optimize-allocate (feature)\n  issue = 80\n  slug = optimize-allocate' 0 "$out" "$st"
pc --push hotfix/fix-login
check "push hotfix" $'allowed: push to hotfix/fix-login (hotfix)\n  slug = fix-login' 0 "$out" "$st"
pc --push master
check "push master" $'denied: push to master (master)\n  protected-branch: branch \'master\' is protected: changes reach it by merge request, not by a direct push' 1 "$out" "$st"
pc --push dev
check "push dev" 1 1 "$st" 1
pc --push feature/optimize-allocate
check "push feature without issue" $'denied: push to feature/optimize-allocate\n  branch-name: branch \'feature/optimize-allocate\' matches no branch kind of the policy (allowed: master, dev, feature/<issue>-<slug>, hotfix/<slug>)' 1 "$out" "$st"
pc --push Feature/80-Optimize
check "push bad case" 1 1 "$st" 1

# the flow's merge requests
for ok in feature/80-optimize-allocate:dev dev:master hotfix/fix-login:master hotfix/fix-login:dev; do
  pc --mr "$ok"
  check "mr $ok" 0 0 "$st" 0
done
pc --mr feature/80-optimize-allocate:master
check "mr feature to master" $'denied: merge request feature/80-optimize-allocate -> master (feature)\n  merge-flow: merge requests from feature into master are not allowed (feature merges into: dev)\n  source.issue = 80\n  source.slug = optimize-allocate' 1 "$out" "$st"
pc --mr master:dev
check "mr master to dev" $'denied: merge request master -> dev (master)\n  merge-flow: merge requests from master are not allowed (asked: into dev)' 1 "$out" "$st"
pc --mr dev:feature/80-optimize-allocate --format json
check "mr json" '{"event":"merge_request","allowed":false,"kind":"dev","violations":[{"rule":"merge-flow","message":"merge requests from dev into feature are not allowed (dev merges into: master)"}],"captures":{"target.issue":"80","target.slug":"optimize-allocate"}}' 1 "$out" "$st"

# release tags: on master, v{major}.{minor}.{patch}, each greater than every existing one
pc --tag v1.11.0 --on master --existing v1.2.3 --existing v1.10.0 --existing nightly
check "tag ok" $'allowed: tag v1.11.0 on master (master)\n  major = 1\n  minor = 11\n  patch = 0' 0 "$out" "$st"
pc --tag v1.3.0 --on dev --existing v1.2.3 --existing v1.10.0
check "tag on dev, not greater" $'denied: tag v1.3.0 on dev (dev)\n  tag-branch: release tag \'v1.3.0\' is on branch \'dev\'; release tags are made only on master\n  tag-order: release tag \'v1.3.0\' is not greater than the existing release tag \'v1.10.0\'\n  major = 1\n  minor = 3\n  patch = 0' 1 "$out" "$st"
pc --tag 1.4.0 --on master
check "tag without v" $'denied: tag 1.4.0 on master (master)\n  tag-pattern: tag \'1.4.0\' does not match the release tag pattern v{major}.{minor}.{patch}' 1 "$out" "$st"
pc --tag v1.10.0 --on master --existing v1.10.0
check "tag exists" 1 1 "$st" 1

# usage and policy errors
pc --push a --mr a:b
check "two events" "cicd: give exactly one of --push, --mr, --tag" 2 "$(printf '%s' "$out" | head -1)" "$st"
pc --tag v1.0.0
check "tag without --on" "cicd: --tag needs --on BRANCH" 2 "$(printf '%s' "$out" | head -1)" "$st"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'branches:\n  a: {pattern: x, protect: true}\n' > "$tmp/bad.yml"
run "$cicd" policy check -p "$tmp/bad.yml" --push a
check "bad policy" "$tmp/bad.yml:2:19: unknown key 'protect' in branch kind 'a'" 1 "$out" "$st"

# version next
out=$(printf 'feat(api): add x\n\nbody\n---\nfix: y\n---\ndocs: z\n' | "$cicd" version next --from v1.2.3); st=$?
check "next minor" "1.3.0" 0 "$out" "$st"
out=$(printf 'feat!: drop\n---\nfix: y\n' | "$cicd" version next --from v0.4.1 --format json); st=$?
check "next 0.x" '{"from":"0.4.1","commits":2,"bump":"minor","version":"0.5.0"}' 0 "$out" "$st"
out=$(printf 'fix: a\0chore: b\n\nBREAKING CHANGE: gone\0' | "$cicd" version next -z --from v1.2.3 -p "$policy" --pre dev); st=$?
check "next -z dev build" "2.0.0-dev.2" 0 "$out" "$st"
out=$(printf 'docs: a\n' | "$cicd" version next --from v1.2.3 --pre dev --number 41); st=$?
check "next dev number" "1.2.4-dev.41" 0 "$out" "$st"
out=$(printf 'fix: a\n' | "$cicd" version next --from release-1 -p "$policy" 2>&1); st=$?
check "next bad tag" "cicd: tag 'release-1' does not match the release tag pattern v{major}.{minor}.{patch}" 1 "$out" "$st"
out=$(printf 'feat: x\n' | "$cicd" version next --from v1.2.3 -p "$policy" --format tag); st=$?
check "next as a tag" "v1.3.0" 0 "$out" "$st"
out=$(printf 'feat: x\n' | "$cicd" version next --from v1.2.3 -p "$policy" --pre dev --format tag 2>&1); st=$?
check "dev build has no release tag" "cicd: version 1.3.0-dev.1 does not fit the release tag pattern v{major}.{minor}.{patch}" 1 "$out" "$st"
exit $fail
