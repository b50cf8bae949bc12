#!/usr/bin/env bash
# Lists the cicd_* functions the shared library exports that a binding does
# not call, minus bindings/unbound.txt; exits 1 when any are left.
#
#   bindings/check_coverage.sh build/libcicd.so
#
# Python: a symbol counts as bound when a shim in the SWIG wrapper generated
# by a pip build (bindings/python/cicd/cicd_wrap.c, or $CICD_WRAP_C) calls it,
# or the Python layer (bindings/python/cicd/*.py) calls its raw wrapper. Go:
# when a non-test file in bindings/go names it as C.<symbol> or uses it in
# the C code of a cgo preamble.
#
# bindings/unbound.txt: one `symbol  reason` a line (# starts a comment); a
# symbol written `python:cicd_x` or `go:cicd_x` is excused in that binding
# only. An entry for a symbol the library no longer exports, or that both
# bindings now call, is reported too, so the list cannot go stale.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 1 ]; then
  echo "usage: $0 LIBRARY (the built libcicd.so)" >&2
  exit 2
fi
lib=$1
wrap=${CICD_WRAP_C:-$here/python/cicd/cicd_wrap.c}
allow=$here/unbound.txt
if [ ! -r "$lib" ]; then
  echo "$0: cannot read $lib" >&2
  exit 2
fi
if [ ! -r "$wrap" ]; then
  echo "$0: no $wrap: build the Python binding first (pip install ./bindings/python)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$lib" | awk '$3 ~ /^cicd_/ { sub(/@.*/, "", $3); print $3 }' | sort -u > "$tmp/exported"
if [ ! -s "$tmp/exported" ]; then
  echo "$0: $lib exports no cicd_* symbol" >&2
  exit 2
fi

# Python: a call in the wrapper outside SWIG's one-to-one _wrap_<name>
# functions (so from a shim of the .i files), a function a shim hands to the
# library as a callback (`o.cb = cicd_x;`), or a use of the raw wrapper by
# the Python layer (_cicd.<name> in cicd/*.py). SWIG wraps every function of
# a header it includes; one that nothing Pythonic calls is not bound.
perl -0777 -ne '
  s{/\*.*?\*/}{ }gs;
  s{SWIGINTERN PyObject \*_wrap_\w+\(.*?\n\}\n}{}gs;
  print "$1\n" while /\b(cicd_\w+)\s*\(/g;
  print "$1\n" while /=\s*(cicd_\w+)\s*;/g' "$wrap" > "$tmp/python.raw"
for f in "$here"/python/cicd/*.py; do
  [ "$(basename "$f")" = cicd_c.py ] && continue
  grep -ohE '\b_cicd\.cicd_\w+' "$f" | sed 's/^_cicd\.//' >> "$tmp/python.raw" || true
done
sort -u "$tmp/python.raw" > "$tmp/python"

# Go: C.<name> anywhere in code, and any identifier in the C of a preamble
# (the block comment right before import "C", its // comments removed).
perl -0777 -ne '
  while (m{/\*(.*?)\*/\s*import\s+"C"}gs) {
    my $c = $1;
    $c =~ s{(^|\s)//[^\n]*}{$1}g;
    print "$1\n" while $c =~ /\b(cicd_\w+)\b/g;
  }
  s{/\*.*?\*/}{ }gs;
  s{//[^\n]*}{}g;
  print "$1\n" while /\bC\.(cicd_\w+)\b/g;
' $(ls "$here"/go/*.go | grep -v '_test\.go$') | sort -u > "$tmp/go"

# The allowlist: "binding symbol" pairs, "all" when it names no binding.
: > "$tmp/allowed"
if [ -r "$allow" ]; then
  awk -v file="$allow" '
    /^[[:space:]]*(#|$)/ { next }
    {
      if (NF < 2) { printf "%s:%d: %s has no reason\n", file, NR, $1 > "/dev/stderr"; bad = 1; next }
      s = $1; b = "all"
      if (s ~ /^(python|go):/) { b = substr(s, 1, index(s, ":") - 1); s = substr(s, index(s, ":") + 1) }
      print b, s
    }
    END { exit bad }' "$allow" > "$tmp/allowed"
fi

status=0
missing=0
for binding in python go; do
  while read -r sym; do
    if grep -qx "$sym" "$tmp/$binding"; then
      continue
    fi
    if grep -qxE "(all|$binding) $sym" "$tmp/allowed"; then
      continue
    fi
    echo "$binding: $sym is not bound"
    missing=$((missing + 1))
  done < "$tmp/exported"
done

# Stale entries: excused symbols that are gone or bound after all.
while read -r binding sym; do
  if ! grep -qx "$sym" "$tmp/exported"; then
    echo "unbound.txt: $sym is not exported by $lib"
    status=1
    continue
  fi
  case $binding in
    all) if grep -qx "$sym" "$tmp/python" && grep -qx "$sym" "$tmp/go"; then
           echo "unbound.txt: $sym is bound in both bindings now"; status=1
         fi ;;
    *) if grep -qx "$sym" "$tmp/$binding"; then
         echo "unbound.txt: $sym is bound in $binding now"; status=1
       fi ;;
  esac
done < "$tmp/allowed"

total=$(wc -l < "$tmp/exported")
if [ "$missing" -gt 0 ]; then
  echo "$missing unbound of $total exported symbols (per binding)"
  status=1
else
  echo "every one of $total exported symbols is bound in Python and Go, or excused in unbound.txt"
fi
exit $status
