#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a fixed time,
# starting from its seed corpus in tests/fuzz/corpus/<target>. New inputs
# go to a scratch directory, never into the repository; a crash fails.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCICD_FUZZ=ON \
  -DCICD_BUILD_TOOLS=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
# Quiet unless the build fails; warnings are errors here too.
if ! ninja -C build-fuzz -j"$(nproc)" $(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//') >build-fuzz.log 2>&1 ||
  grep -q "warning:" build-fuzz.log; then
  grep -E "warning:|error:" build-fuzz.log || tail -40 build-fuzz.log
  exit 1
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//'))
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" tests/fuzz/artifacts
  echo "fuzz $t for ${seconds}s"
  status=0
  ASAN_OPTIONS=detect_leaks=1 "build-fuzz/fuzz/$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="tests/fuzz/artifacts/$t-" -print_final_stats=1 \
    "$scratch/$t" "tests/fuzz/corpus/$t" >"$scratch/$t.log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log")
  echo "  $t: ${runs:-?} runs, no crash"
  if [ "$status" -ne 0 ]; then
    tail -60 "$scratch/$t.log"
    echo "fuzz target $t failed (exit $status); reproducer in tests/fuzz/artifacts/"
    exit 1
  fi
done
