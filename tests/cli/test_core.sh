#!/usr/bin/env bash
# cicd version / --help / yaml check: output and exit codes.
set -uo pipefail
cicd="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0

expect() { # expect NAME WANT_EXIT WANT_STDOUT_SUBSTR WANT_STDERR_SUBSTR -- CMD...
  local name=$1 want_rc=$2 want_out=$3 want_err=$4
  shift 5
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local ok=1
  [ "$rc" -eq "$want_rc" ] || ok=0
  [ -z "$want_out" ] || grep -qF -- "$want_out" "$tmp/out" || ok=0
  [ -z "$want_err" ] || grep -qF -- "$want_err" "$tmp/err" || ok=0
  if [ "$ok" -eq 0 ]; then
    echo "FAIL $name: exit $rc (want $want_rc)"
    echo "  stdout: $(head -c 400 "$tmp/out")"
    echo "  stderr: $(head -c 400 "$tmp/err")"
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

version=$(sed -n 's/^project(libcicd VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
expect version 0 "cicd $version" "" -- "$cicd" version
expect version-flag 0 "cicd $version" "" -- "$cicd" --version
expect help 0 "yaml" "" -- "$cicd" --help
expect no-args 2 "" "usage: cicd COMMAND" -- "$cicd"
expect unknown-command 2 "" "unknown command 'frobnicate'" -- "$cicd" frobnicate
expect version-extra 2 "" "unexpected argument" -- "$cicd" version extra

expect yaml-ok 0 "" "" -- "$cicd" yaml check "$src/examples/pipeline/.gitlab-ci.yml"
printf 'a: 1\nb:\n  c: [1, 2\n' >"$tmp/bad.yml"
expect yaml-bad 1 "" "$tmp/bad.yml:4:1: did not find expected ',' or ']'" -- "$cicd" yaml check "$tmp/bad.yml"
printf 'a: 1\na: 2\n' >"$tmp/dup.yml"
expect yaml-dup-warns 0 "" "$tmp/dup.yml:2:1: warning: duplicate key 'a' (first defined at line 1 column 1)" -- "$cicd" yaml check "$tmp/dup.yml"
expect yaml-dup-strict 1 "" "$tmp/dup.yml:2:1: duplicate key 'a'" -- "$cicd" yaml check --strict "$tmp/dup.yml"
{
  echo 'a: &a [x,x,x,x,x,x,x,x,x]'
  p=a
  for n in b c d e f g h i j; do
    echo "$n: &$n [*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p]"
    p=$n
  done
} >"$tmp/bomb.yml"
expect yaml-bomb 1 "" "aliases expand to more than 1000000 nodes" -- "$cicd" yaml check "$tmp/bomb.yml"
expect yaml-bomb-limit 1 "" "aliases expand to more than 50 nodes" -- "$cicd" yaml check --max-alias-expansion 50 "$tmp/bomb.yml"
python3 -c 'print("["*5000 + "]"*5000)' >"$tmp/deep.yml"
expect yaml-deep 1 "" "$tmp/deep.yml:1:257: nesting deeper than 256 levels" -- "$cicd" yaml check "$tmp/deep.yml"
expect yaml-missing 1 "" "cicd: cannot read '$tmp/none.yml': no such file or directory" -- "$cicd" yaml check "$tmp/none.yml"
expect yaml-mixed 1 "" "bad.yml:4:1" -- "$cicd" yaml check "$src/examples/pipeline/.gitlab-ci.yml" "$tmp/bad.yml"
expect yaml-no-file 2 "" "no file given" -- "$cicd" yaml check
expect yaml-bad-option 2 "" "unknown option '--bogus'" -- "$cicd" yaml check --bogus x
expect yaml-bad-subcommand 2 "" "unknown subcommand 'lint'" -- "$cicd" yaml lint x

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
