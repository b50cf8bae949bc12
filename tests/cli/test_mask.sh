#!/usr/bin/env bash
# cicd mask: output, checksum (checked against zlib through Python), exit codes.
set -euo pipefail
cicd=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf 'a secretvalue b glpat-xyz ?private_token=1 c\nsecret' > "$tmp/in"
"$cicd" mask --value secretvalue --checksum < "$tmp/in" > "$tmp/out" 2> "$tmp/err"
expected=$'a [MASKED] b glpat-[MASKED] ?private_token=[MASKED] c\nsecret'
[ "$(cat "$tmp/out")" = "$expected" ] || fail "masked output: $(cat "$tmp/out")"
zsum=$(python3 -c 'import sys,zlib; d=open(sys.argv[1],"rb").read(); print("crc32:%08x %d" % (zlib.crc32(d), len(d)))' "$tmp/out")
[ "$(cat "$tmp/err")" = "$zsum" ] || fail "checksum $(cat "$tmp/err") != zlib $zsum"

# values from a file (one a line), an extra prefix, switches
printf 'first-secret\n  second-secret  \n' > "$tmp/values"
out=$(printf 'first-secret second-secret myco_abc glpat-x ?token=y' |
  "$cicd" mask --values-file "$tmp/values" --prefix myco_ --no-token-prefixes --no-url-params)
[ "$out" = '[MASKED] [MASKED] myco_[MASKED] glpat-x ?token=y' ] || fail "values file: $out"

# a large trace streams through unchanged in length when nothing matches
head -c 300000 /dev/zero | tr '\0' 'x' > "$tmp/big"
[ "$("$cicd" mask --value nothing-here < "$tmp/big" | wc -c)" = 300000 ] || fail "large trace"

# usage errors exit 2, unreadable files 1
set +e
"$cicd" mask --value 2>/dev/null; [ $? -eq 2 ] || fail "missing argument should exit 2"
"$cicd" mask --bogus 2>/dev/null; [ $? -eq 2 ] || fail "unknown argument should exit 2"
"$cicd" mask --values-file "$tmp/none" </dev/null 2>"$tmp/err"; [ $? -eq 1 ] || fail "missing file should exit 1"
grep -q "cannot open $tmp/none" "$tmp/err" || fail "missing file message: $(cat "$tmp/err")"
echo ok
