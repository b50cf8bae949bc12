#!/usr/bin/env bash
# The main job on a fresh Debian machine: installs what is missing, builds,
# and walks the platform's flow with the example files in examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
ninja -C build -j"$(nproc)" >/dev/null
cicd=build/bin/cicd
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

run "$cicd" version
# Every step below is one the library offers today; each later module adds its step here.
run "$cicd" yaml check examples/pipeline/.gitlab-ci.yml
if "$cicd" --help | grep -q '^  lint '; then
  run "$cicd" lint -f examples/pipeline/.gitlab-ci.yml
fi
