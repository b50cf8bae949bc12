#!/usr/bin/env bash
# End-to-end tests of the kube module on a real control plane: builds the Kubernetes binaries
# when they are not cached (scripts/k8s-testenv/build.sh), starts etcd, kube-apiserver,
# controller-manager, scheduler and kwok in a temporary folder, runs tests/e2e/kube (the C
# client through the public API, then the cicd CLI), and stops everything in a trap.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
state=$(mktemp -d "${TMPDIR:-/tmp}/cicd-kube-e2e.XXXXXX")
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

echo "-- tests/e2e/kube: client"
cc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -o "$state/e2e_kube" tests/e2e/kube/e2e_kube.c \
  -Iinclude -Ibuild/include -Lbuild -lcicd -Wl,-rpath,"$root/build" -pthread
"$state/e2e_kube"

echo "-- tests/e2e/kube: cicd kube"
bash tests/e2e/kube/cli.sh "$root/build/bin/cicd"
