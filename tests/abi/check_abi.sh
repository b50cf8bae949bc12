#!/usr/bin/env bash
# The shared library against the ABI baseline of the last release
# (abi/libcicd.so.0.abi, made with abidw): adding functions is fine; removing
# or changing what a released program uses is an incompatible change, which
# needs a SONAME bump instead. abidiff's exit status is a bit set: 1 error,
# 2 usage, 4 ABI changed, 8 incompatible change.
#   check_abi.sh LIBRARY BASELINE HEADERS_DIR
#   refresh at a release: abidw --headers-dir include/cicd --drop-private-types \
#                           --out-file abi/libcicd.so.0.abi build/libcicd.so.0
set -uo pipefail
lib=$1
baseline=$2
headers=$3
out=$(abidiff --headers-dir2 "$headers" "$baseline" "$lib" 2>&1)
rc=$?
if (( rc & 1 || rc & 2 )); then
  echo "abidiff failed (exit $rc):"
  echo "$out"
  exit 1
fi
if (( rc & 8 )); then
  echo "incompatible ABI change against $baseline (needs a SONAME bump):"
  echo "$out"
  exit 1
fi
if (( rc & 4 )); then
  echo "compatible ABI change against the baseline (refresh it at the next release):"
  echo "$out" | head -20
fi
echo "ok: no incompatible ABI change"
