#!/usr/bin/env bash
# Differential run of `cicd semver` against node-semver (pinned in
# tests/compat/semver/package-lock.json): ~180,000 generated cases; fails on
# any difference not explained in tests/compat/semver/known-differences.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
if [ ! -x build/bin/cicd ]; then
  cmake -S . -B build -G Ninja -DCICD_WERROR=ON >/dev/null
  ninja -C build -j2 cicd_tool
fi
(cd tests/compat/semver && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
python3 tests/compat/semver/run.py "$root/build/bin/cicd" --seed "${SEMVER_COMPAT_SEED:-1}" --scale "${SEMVER_COMPAT_SCALE:-5}"
