#!/usr/bin/env bash
# Runs one command against a fresh control plane, for the e2e suites:
# builds the Kubernetes binaries when they are not cached, starts etcd,
# kube-apiserver, controller-manager, scheduler and kwok in a temporary
# folder, runs the command with the plane's env exported (KUBECONFIG,
# CICD_K8S_SERVER, ... from STATE/env; CICD_K8S_STATE is the folder and
# CICD_K8S_BIN the binaries), prints each component's log tail when the
# command fails, and stops everything in a trap.
#
#   scripts/k8s-testenv/with-plane.sh NAME CMD [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$1
shift
state=$(mktemp -d "${TMPDIR:-/tmp}/cicd-$name.XXXXXX")
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -d "$state/logs" ]; then
    for f in "$state"/logs/*.log; do
      echo "---- tail $f" >&2
      tail -n 20 "$f" >&2
    done
  fi
  bash "$here/stop.sh" "$state" >/dev/null 2>&1 || true
  rm -rf "$state"
  exit "$rc"
}
trap cleanup EXIT

CICD_K8S_BIN=$(bash "$here/build.sh")
bash "$here/start.sh" "$state"
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a
export CICD_K8S_STATE="$state" CICD_K8S_BIN
"$@"
