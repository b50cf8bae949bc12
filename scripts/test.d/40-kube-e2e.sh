#!/usr/bin/env bash
# End-to-end tests of the kube module on a real control plane
# (scripts/k8s-testenv/with-plane.sh): the C client through the public API,
# then the cicd CLI.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
cmake -S . -B build -G Ninja -DCICD_WERROR=ON >/dev/null
ninja -C build -j2 >/dev/null
scripts/k8s-testenv/with-plane.sh kube-e2e bash -c '
  set -euo pipefail
  echo "-- tests/e2e/kube: client"
  cc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -o "$CICD_K8S_STATE/e2e_kube" tests/e2e/kube/e2e_kube.c \
    -Iinclude -Ibuild/include -Lbuild -lcicd -Wl,-rpath,"$1/build" -pthread
  "$CICD_K8S_STATE/e2e_kube"
  echo "-- tests/e2e/kube: cicd kube"
  bash tests/e2e/kube/cli.sh "$1/build/bin/cicd"' _ "$root"
