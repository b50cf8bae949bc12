#!/usr/bin/env bash
# cicd semver: answers, batch modes, exit codes and messages.
set -u
cicd="$1"
fail=0
check() { # name expected-output expected-status actual-output actual-status
  if [ "$2" != "$4" ] || [ "$3" != "$5" ]; then
    printf 'FAIL %s\n  expected (%s): %s\n  actual   (%s): %s\n' "$1" "$3" "$2" "$5" "$4"
    fail=1
  fi
}
run() { out=$("$@" 2>&1); st=$?; }

run "$cicd" semver valid 1.2.3-rc.1+b.2 v1.2.3
check "valid strict" $'1.2.3-rc.1+b.2\ninvalid' 1 "$out" "$st"
run "$cicd" semver valid --loose " v01.2.3beta "
check "valid loose" "1.2.3-beta" 0 "$out" "$st"
out=$(printf '1.0.0\n1.0\n\n2.0.0-x.01\n' | "$cicd" semver valid -); st=$?
check "valid batch" $'1.0.0\ninvalid\ninvalid\ninvalid' 1 "$out" "$st"

run "$cicd" semver compare 1.0.0-rc.1 1.0.0
check "compare" "-1" 0 "$out" "$st"
run "$cicd" semver compare 1.0.0 1.0
check "compare invalid" 'cicd: not a version: "1.0" (column 4: expected '"'.'"')' 1 "$out" "$st"
out=$(printf '2.0.0\t10.0.0\n1.0.0+a\t1.0.0+b\n9007199254740993.0.0\t9007199254740992.0.0\nnope\n' | "$cicd" semver compare -); st=$?
check "compare batch" $'-1\n0\n1\ninvalid' 1 "$out" "$st"

out=$(printf '1.10.0\n1.2.0\n1.2.0-rc.1\n1.2.0+b\n0.9.9\n' | "$cicd" semver sort); st=$?
check "sort" $'0.9.9\n1.2.0-rc.1\n1.2.0\n1.2.0+b\n1.10.0' 0 "$out" "$st"
out=$(printf '1.0.0\nv2.0.0\n' | "$cicd" semver sort --reverse --loose); st=$?
check "sort reverse keeps the input text" $'v2.0.0\n1.0.0' 0 "$out" "$st"
out=$(printf '1.0.0\nbad\n' | "$cicd" semver sort 2>&1); st=$?
check "sort invalid line" '<stdin>:2: not a version: "bad" (column 1: expected a number)' 1 "$out" "$st"

run "$cicd" semver inc 1.2.3 minor
check "inc minor" "1.3.0" 0 "$out" "$st"
run "$cicd" semver inc 1.3.0-dev.4 prerelease --preid dev
check "inc prerelease preid" "1.3.0-dev.5" 0 "$out" "$st"
run "$cicd" semver inc 1.2.3 sideways
check "inc bad type" 'cicd: unknown release type "sideways"' 1 "$out" "$st"
out=$(printf '1.2.3\tpremajor\trc\n1.2.3\trelease\n' | "$cicd" semver inc -); st=$?
check "inc batch" $'2.0.0-rc.0\ninvalid' 1 "$out" "$st"

run "$cicd" semver satisfies '^1.2.3 || ~0.4' 0.4.9
check "satisfies" "true" 0 "$out" "$st"
run "$cicd" semver satisfies '*' 1.0.0-rc.1
check "satisfies pre-release rule" "false" 0 "$out" "$st"
run "$cicd" semver satisfies --include-prerelease '*' 1.0.0-rc.1
check "satisfies include-prerelease" "true" 0 "$out" "$st"
run "$cicd" semver satisfies 'foo' 1.0.0
check "satisfies bad range" 'cicd: invalid range: comparator "foo"' 1 "$out" "$st"
out=$(printf '>=1.2.7 <1.3.0\t1.2.8\n>=1.2.7 <1.3.0\t1.3.0\n1.x\t1.9.0\n' | "$cicd" semver satisfies -); st=$?
check "satisfies batch" $'true\nfalse\ntrue' 0 "$out" "$st"

run "$cicd" semver range '1.2 - 2' '^0.0.3' '>=0.0.0'
check "range" $'>=1.2.0 <3.0.0-0\n>=0.0.3 <0.0.4-0\n*' 0 "$out" "$st"
run "$cicd" semver diff 1.2.3 1.3.0-rc.1
check "diff" "preminor" 0 "$out" "$st"
run "$cicd" semver coerce 'release v2.7 final'
check "coerce" "2.7.0" 0 "$out" "$st"
run "$cicd" semver frobnicate
check "unknown subcommand" "cicd: unknown subcommand 'frobnicate'" 2 "$(printf '%s' "$out" | head -1)" "$st"
run "$cicd" semver compare 1.0.0
check "usage" "cicd: compare needs two versions" 2 "$(printf '%s' "$out" | head -1)" "$st"
exit $fail
