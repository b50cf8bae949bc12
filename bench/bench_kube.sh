#!/usr/bin/env bash
# Apply 500 objects to a real control plane and wait until they are ready: libcicd against
# `kubectl apply --server-side` + `kubectl wait` on the same server, in one run; prints ratios.
# Starts the test control plane (scripts/k8s-testenv) in a temporary folder and stops it after.
#   bench/bench_kube.sh [BUILD_DIR] [OBJECTS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
objects=${2:-500}
runs=${3:-2}
state=$(mktemp -d "${TMPDIR:-/tmp}/cicd-bench-kube.XXXXXX")
trap 'scripts/k8s-testenv/stop.sh "$state" >/dev/null 2>&1 || true; rm -rf "$state"' EXIT
scripts/k8s-testenv/start.sh "$state" 2>/dev/null
# shellcheck disable=SC1091
. "$state/env"
"$build/bench/bench_kube_apply" "$objects" "$runs"
