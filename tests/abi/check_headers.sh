#!/usr/bin/env bash
# Every public header compiles on its own as pedantic C99 and as C++11.
set -euo pipefail
src_include="$1"
gen_include="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for h in "$src_include"/cicd/*.h; do
  name=$(basename "$h")
  printf '#include <cicd/%s>\nint cicd_header_test_dummy;\n' "$name" > "$tmp/t.c"
  cp "$tmp/t.c" "$tmp/t.cpp"
  if ! cc -std=c99 -pedantic -Wall -Wextra -Werror -I"$src_include" -I"$gen_include" -c "$tmp/t.c" -o "$tmp/t.o"; then
    echo "FAIL: $name as C99"; status=1
  fi
  if ! c++ -std=c++11 -pedantic -Wall -Wextra -Werror -I"$src_include" -I"$gen_include" -c "$tmp/t.cpp" -o "$tmp/t.o"; then
    echo "FAIL: $name as C++11"; status=1
  fi
done
[ "$status" -eq 0 ] && echo "ok: every header compiles alone as C99 and C++11"
exit $status
