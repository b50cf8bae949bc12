#!/usr/bin/env bash
# Builds and runs every test: the unit, CLI, ABI, install and corpus-replay
# suites on a normal build and on an ASan+UBSan build, then each libFuzzer
# target for a short fixed time. Any failure or sanitizer report fails the run.
#
#   scripts/test.sh            everything
#   FUZZ_SECONDS=60 scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

bash scripts/install-deps.sh

step() { printf '\n==> %s\n' "$*"; }

step "plain build (warnings are errors)"
cmake -S . -B build -G Ninja -DCICD_WERROR=ON >/dev/null
ninja -C build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

step "ASan + UBSan build"
cmake -S . -B build-asan -G Ninja -DCICD_WERROR=ON -DCICD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
ninja -C build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs")

step "libFuzzer targets, ${FUZZ_SECONDS}s each"
bash scripts/fuzz.sh "$FUZZ_SECONDS"

# Module suites that need more than ctest (peers, a control plane, bindings)
# live in scripts/test.d/NN-name.sh and run in order; each exits non-zero on failure.
for extra in scripts/test.d/*.sh; do
  [ -e "$extra" ] || continue
  step "$(basename "$extra")"
  bash "$extra"
done

step "all suites passed"
