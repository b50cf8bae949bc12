#!/usr/bin/env bash
# The shared library exports exactly the functions that the public headers
# declare with CICD_EXTERN: nothing internal leaks, nothing declared is missing.
set -euo pipefail
lib="$1"
include_dir="$2"

exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TtDdBbRrVvWw]$/ {print $3}' | sed 's/@.*//' | sort -u)
declared=$(cat "$include_dir"/*.h | tr '\n' ' ' |
  grep -oE 'CICD_EXTERN\([^;]*\)[[:space:]]*\**[[:space:]]*cicd_[a-z0-9_]+[[:space:]]*\(' |
  grep -oE 'cicd_[a-z0-9_]+[[:space:]]*\($' | tr -d ' (' | sort -u)

status=0
leaked=$(comm -23 <(echo "$exported") <(echo "$declared") || true)
missing=$(comm -13 <(echo "$exported") <(echo "$declared") || true)
if [ -n "$leaked" ]; then
  echo "exported but not declared in include/cicd (or not cicd_*):"
  echo "$leaked" | sed 's/^/  /'
  status=1
fi
if [ -n "$missing" ]; then
  echo "declared with CICD_EXTERN but not exported:"
  echo "$missing" | sed 's/^/  /'
  status=1
fi
count=$(echo "$exported" | grep -c . || true)
[ "$status" -eq 0 ] && echo "ok: $count exported symbols, all cicd_* and all declared"
exit $status
