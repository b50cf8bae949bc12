#!/usr/bin/env bash
# The Python binding (pip install into a fresh virtualenv, pytest) and the Go
# binding (go vet, go test -race) against the library built from this tree,
# their live tests on a control plane of scripts/k8s-testenv.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "-- python: pip install ./bindings/python into a fresh virtualenv"
python3 -m venv "$tmp/venv"
# Pinned: stubtest and the coverage data format change between releases.
"$tmp/venv/bin/pip" install -q pytest==9.2.0 mypy==2.4.1 coverage==7.17.5
CICD_BUILD_DIR="$root/build-python" "$tmp/venv/bin/pip" install -q ./bindings/python
# The type stubs are what users type-check against: the example must pass strict mypy with them,
# the package must type-check, and the stub must say what the package does (stubtest: every
# public name, method and parameter; the allowlist names what is private by design).
(cd "$tmp" && "$tmp/venv/bin/python" -m mypy --strict "$root/examples/python/which_jobs.py")
(cd "$tmp" && "$tmp/venv/bin/python" -m mypy --config-file "$root/bindings/python/typecheck/mypy.ini" -p cicd)
(cd "$tmp" && "$tmp/venv/bin/python" -m mypy.stubtest cicd --mypy-config-file "$root/bindings/python/typecheck/mypy.ini" \
  --allowlist "$root/bindings/python/typecheck/stubtest-allowlist.txt")

echo "-- go: go vet and go test -race against the installed library"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build -j2 >/dev/null
cmake --install build --prefix "$tmp/stage" >/dev/null
# Every exported call is bound in both languages, or excused with a reason in bindings/unbound.txt.
bindings/check_coverage.sh build/libcicd.so
libdir=$(ls -d "$tmp"/stage/lib* | head -1)
export PKG_CONFIG_PATH="$libdir/pkgconfig" LD_LIBRARY_PATH="$libdir"
# go's build cache keys cgo packages on CGO_* but not on what pkg-config
# says: name the library path and a digest of the headers here, so that a
# cached build never links against a removed prefix or stale headers.
headers=$(cat "$tmp"/stage/include/cicd/*.h | sha256sum | cut -c1-16)
export CGO_CFLAGS="-O2 -g -DCICD_HEADERS_DIGEST=$headers" CGO_LDFLAGS="-O2 -g -L$libdir"
(cd bindings/go && go vet ./...)
(cd bindings/go && go test -race -cover -count=1 -c -o "$tmp/cicd.test" .)

# Both suites against one control plane (scripts/k8s-testenv): their live
# tests (kube client, watches, logs, rollouts) must run here, not skip. Both
# run measured: every function of either binding must have run in its tests.
echo "-- python (pytest) and go (go test -race), live tests on a control plane"
export CICD_REQUIRE_PLANE=1
scripts/k8s-testenv/with-plane.sh bindings bash -c '
  set -euo pipefail
  # from outside the source tree, so that the installed package is the one imported
  (cd "$1" && "$1/venv/bin/python" -m coverage run --data-file="$1/python.coverage" --source=cicd \
    -m pytest -q "$2/bindings/python/tests")
  (cd "$2/bindings/go" && "$1/cicd.test" -test.count=1 -test.coverprofile="$1/go.coverage")' _ "$tmp" "$root"
"$tmp/venv/bin/python" bindings/python/check_function_coverage.py "$tmp/python.coverage"
unrun=$(cd bindings/go && go tool cover -func="$tmp/go.coverage" | awk '$3 == "0.0%"')
if [ -n "$unrun" ]; then
  echo "functions of the Go binding that never ran in its tests:"
  echo "$unrun"
  exit 1
fi
echo "every function of the Go binding ran in its tests"

echo "-- examples: which jobs run for feature/80-optimize-allocate, from Python and from Go"
expected='lint static-check
unit-test unit-test
code-review-design review manual
code-review-security review manual'
pipeline="$root/examples/pipeline/.gitlab-ci.yml"
branch=feature/80-optimize-allocate
py_out=$(cd "$tmp" && "$tmp/venv/bin/python" "$root/examples/python/which_jobs.py" "$pipeline" "$branch")
(cd examples/go && go vet ./... && go build -o "$tmp/which_jobs" ./which_jobs)
go_out=$("$tmp/which_jobs" "$pipeline" "$branch")
for pair in "python:$py_out" "go:$go_out"; do
  if [ "${pair#*:}" != "$expected" ]; then
    printf 'which_jobs (%s) printed:\n%s\nexpected:\n%s\n' "${pair%%:*}" "${pair#*:}" "$expected" >&2
    exit 1
  fi
done
# An invalid configuration is reported with its position and exit status 1.
printf 'a:\n  stage: nope\n  script: x\n' > "$tmp/bad.yml"
for run in "$tmp/venv/bin/python $root/examples/python/which_jobs.py" "$tmp/which_jobs"; do
  if err=$($run "$tmp/bad.yml" main 2>&1); then
    echo "which_jobs ($run) accepted an invalid configuration" >&2
    exit 1
  fi
  case "$err" in
    "$tmp/bad.yml:2:10: a job: chosen stage nope does not exist"*) ;;
    *) echo "which_jobs ($run) reported: $err" >&2; exit 1 ;;
  esac
done
echo "which_jobs examples: Python and Go print the expected jobs and report errors with positions"
