#!/usr/bin/env bash
# Deploy end to end on a real control plane: starts scripts/k8s-testenv in a
# temporary folder, runs tests/e2e/deploy_e2e.sh with the cicd tool of build/,
# and stops the control plane in a trap.
#
#   scripts/test.d/60-deploy-e2e.sh [BUILD_DIR] [KILL_ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-12}
[ -x "$build/bin/cicd" ] || ninja -C "$build" cicd_tool
state=$(mktemp -d /tmp/cicd-deploy-e2e.XXXXXX)
stop() {
  bash scripts/k8s-testenv/stop.sh "$state" >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap stop EXIT
bash scripts/k8s-testenv/start.sh "$state" >/dev/null
bin=$(bash scripts/k8s-testenv/build.sh)
bash tests/e2e/deploy_e2e.sh "$build/bin/cicd" "$state/kubeconfig" "$bin/kubectl" "$rounds"
