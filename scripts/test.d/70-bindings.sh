#!/usr/bin/env bash
# The Python binding (pip install into a fresh virtualenv, pytest) and the Go
# binding (go vet, go test -race) against the library built from this tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "-- python: pip install ./bindings/python into a fresh virtualenv"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q pytest
CICD_BUILD_DIR="$root/build-python" "$tmp/venv/bin/pip" install -q ./bindings/python
# Run from outside the source tree so the installed package is the one imported.
(cd "$tmp" && "$tmp/venv/bin/python" -m pytest -q "$root/bindings/python/tests")

echo "-- go: go vet and go test -race against the installed library"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build -j2 >/dev/null
cmake --install build --prefix "$tmp/stage" >/dev/null
libdir=$(ls -d "$tmp"/stage/lib* | head -1)
export PKG_CONFIG_PATH="$libdir/pkgconfig" LD_LIBRARY_PATH="$libdir"
# go's build cache keys cgo packages on CGO_* but not on what pkg-config
# says: name the library path and a digest of the headers here, so that a
# cached build never links against a removed prefix or stale headers.
headers=$(cat "$tmp"/stage/include/cicd/*.h | sha256sum | cut -c1-16)
export CGO_CFLAGS="-O2 -g -DCICD_HEADERS_DIGEST=$headers" CGO_LDFLAGS="-O2 -g -L$libdir"
(cd bindings/go && go vet ./... && go test -race -count=1 ./...)
