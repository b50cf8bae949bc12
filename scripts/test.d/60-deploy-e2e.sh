#!/usr/bin/env bash
# Deploy end to end on a real control plane (scripts/k8s-testenv/with-plane.sh):
# tests/e2e/deploy_e2e.sh with the cicd tool of build/.
#
#   scripts/test.d/60-deploy-e2e.sh [BUILD_DIR] [KILL_ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-12}
[ -x "$build/bin/cicd" ] || ninja -C "$build" cicd_tool
scripts/k8s-testenv/with-plane.sh deploy-e2e bash -c \
  'bash tests/e2e/deploy_e2e.sh "$1" "$CICD_K8S_STATE/kubeconfig" "$CICD_K8S_BIN/kubectl" "$2"' _ "$build/bin/cicd" "$rounds"
