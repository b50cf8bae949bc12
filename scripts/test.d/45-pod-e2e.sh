#!/usr/bin/env bash
# End-to-end tests of the pod module on a real control plane (scripts/k8s-testenv: etcd,
# kube-apiserver, controller-manager, scheduler, kwok): the rendered Secrets, Pods and Kaniko Job
# are accepted by the real API server, kwok runs the Pod, and failure reasons are read from the
# status the API returns. Everything is stopped in a trap.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
state=$(mktemp -d "${TMPDIR:-/tmp}/cicd-pod-e2e.XXXXXX")
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -d "$state/logs" ]; then
    for f in "$state"/logs/*.log; do echo "---- tail $f" >&2; tail -n 20 "$f" >&2; done
  fi
  scripts/k8s-testenv/stop.sh "$state" >/dev/null 2>&1 || true
  rm -rf "$state"
  exit "$rc"
}
trap cleanup EXIT

echo "-- library and cicd (build/)"
cmake -S . -B build -G Ninja -DCICD_WERROR=ON >/dev/null
ninja -C build -j2 >/dev/null

echo "-- Kubernetes binaries (built once into the cache)"
scripts/k8s-testenv/build.sh >/dev/null

echo "-- control plane"
scripts/k8s-testenv/start.sh "$state"
# shellcheck disable=SC1091
. "$state/env"

echo "-- tests/e2e/pod"
bash tests/e2e/pod/e2e.sh "$root/build/bin/cicd" "$root"
