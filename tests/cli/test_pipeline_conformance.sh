#!/usr/bin/env bash
# Runs every pipeline conformance case (tests/conformance/pipeline) through `cicd lint`.
set -u
CICD=$(realpath "$1")
SRC=$(realpath "$2")
DIR="$SRC/tests/conformance/pipeline"
pass=0
fail=0

run_case() { # kind path
	local kind=$1 path=$2 dir main expected actual rc
	if [ -d "$path" ]; then
		dir=$path
		main=.gitlab-ci.yml
	else
		dir=$(dirname "$path")
		main=$(basename "$path")
	fi
	expected=$(sed -n 's/^# expect: //p' "$dir/$main" | sed -E "s|^([0-9]+:[0-9]+: )|$main:\1|")
	actual=$(cd "$dir" && "$CICD" lint -f "$main" 2>&1)
	rc=$?
	if [ "$kind" = valid ]; then
		if [ $rc -ne 0 ]; then
			echo "FAIL (expected valid): $path"
			echo "$actual" | sed 's/^/    /'
			return 1
		fi
		return 0
	fi
	actual=$(printf '%s\n' "$actual" | grep -v ': valid (')
	if [ $rc -ne 1 ] || [ "$expected" != "$actual" ]; then
		echo "FAIL: $path (exit $rc)"
		diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") | sed 's/^/    /'
		return 1
	fi
	return 0
}

for kind in valid invalid; do
	for path in "$DIR/$kind"/*; do
		case "$path" in *.yml | *.yaml) ;; *) [ -d "$path" ] || continue ;; esac
		if run_case "$kind" "$path"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
done
echo "pipeline conformance: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
