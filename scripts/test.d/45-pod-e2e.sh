#!/usr/bin/env bash
# End-to-end tests of the pod module on a real control plane
# (scripts/k8s-testenv/with-plane.sh): the rendered Secrets, Pods and Kaniko Job
# are accepted by the real API server, kwok runs the Pod, and failure reasons
# are read from the status the API returns.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
cmake -S . -B build -G Ninja -DCICD_WERROR=ON >/dev/null
ninja -C build -j2 >/dev/null
scripts/k8s-testenv/with-plane.sh pod-e2e bash tests/e2e/pod/e2e.sh "$root/build/bin/cicd" "$root"
