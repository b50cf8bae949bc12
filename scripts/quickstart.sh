#!/usr/bin/env bash
# The main job on a fresh Debian machine: installs what is missing, builds,
# and walks the platform's whole flow (docs/ARCHITECTURE.md) on the example
# files in examples/, with the embedded defaults:
#   lint the pipeline, plan it for a feature branch, dev and a release tag,
#   check the branch/tag policy, render a job Pod and a Kaniko build,
#   validate and diff the deploy files, push them as versions of a resource
#   set, and deploy them to a real local Kubernetes control plane, showing
#   each deploy job's log. Then installs the library into /usr/local, where
#   pkg-config, CMake and the Go binding (go test ./... in bindings/go) find it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
ninja -C build -j"$(nproc)" cicd cicd_static cicd_tool >/dev/null
cicd="$root/build/bin/cicd"
work=$(mktemp -d)
plane="$work/k8s"
cleanup() {
  [ -d "$plane" ] && bash scripts/k8s-testenv/stop.sh "$plane" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }

say "the library"
run "$cicd" version

say "CI: lint the pipeline of the feature -> dev -> master flow"
run "$cicd" lint -f examples/pipeline/.gitlab-ci.yml

say "CI: which jobs run where"
run "$cicd" plan -f examples/pipeline/.gitlab-ci.yml --branch feature/80-optimize-allocate
run "$cicd" plan -f examples/pipeline/.gitlab-ci.yml --branch dev
run "$cicd" plan -f examples/pipeline/.gitlab-ci.yml --tag v1.1.1

say "policy: branch names, merge-request flows, release tags"
run "$cicd" policy check -p examples/policy/policy.yml --push feature/80-optimize-allocate
run "$cicd" policy check -p examples/policy/policy.yml --mr feature/80-optimize-allocate:dev
run "$cicd" policy check -p examples/policy/policy.yml --tag v1.1.1 --on master --existing v1.1.0
printf 'feat: allocate from the free list first\nfix: release on error\n' |
  run "$cicd" version next --from v1.1.0

say "runner: the Pod of a CI job, and an unprivileged Kaniko build"
run "$cicd" pod render --job tests/unit/pod/data/job_basic.json --runner tests/unit/pod/data/runner_basic.yml |
  grep -E '^(kind|  name|    image|  - name):' | head -20
run "$cicd" kaniko render --context git://example.com/allocator.git --destination registry.example.com/allocator:v1.1.1 |
  grep -E '^(kind|  name|    image):'

say "CD: validate, order and diff the deploy files"
run "$cicd" manifest validate examples/deploy/web/v1
run "$cicd" manifest order examples/deploy/web/v2
run "$cicd" manifest diff examples/deploy/web/v1 examples/deploy/web/v2 || true

say "CD: a real Kubernetes control plane on loopback (built from Go modules once, then cached)"
bash scripts/k8s-testenv/build.sh
bash scripts/k8s-testenv/start.sh "$plane" >/dev/null
export CICD_STORE="$work/store.db"
run "$cicd" deploy target add local --kubeconfig "$plane/kubeconfig" --namespace web
printf '\033[2m$ %s\033[0m\n' "cicd deploy push allocator/web examples/deploy/web/v1 ...   (and v2)"
v1=$("$cicd" deploy push allocator/web examples/deploy/web/v1 --commit 1f2e3d4 --pipeline 101 | awk '{print $1}')
v2=$("$cicd" deploy push allocator/web examples/deploy/web/v2 --commit 5a6b7c8 --pipeline 102 | awk '{print $1}')
echo "versions: $v1 $v2"
run "$cicd" deploy set-prune allocator/web on
run "$cicd" deploy versions allocator/web
run "$cicd" deploy run "$v1" --target local --wait
run "$cicd" deploy run "$v2" --target local --wait --prune
run "$cicd" deploy jobs --target local
job=$("$cicd" deploy --format json jobs --target local --limit 1 | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d[0] if isinstance(d, list) else d["jobs"][0])["id"])')
run "$cicd" deploy logs "$job"
run "$cicd" deploy rollback allocator/web --target local --to "${v1#*@}" --wait --prune

say "the library installed into /usr/local: pkg-config libcicd, find_package(cicd), the Go binding"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO cmake --install build --prefix /usr/local >/dev/null
$SUDO ldconfig
run pkg-config --modversion libcicd
echo "now: cd bindings/go && go test ./...   (pip install ./bindings/python builds its own copy)"
say "done"
