#!/usr/bin/env bash
# Installs the library into a temporary prefix, then builds and runs every
# example against the installed copy: once through pkg-config, once through
# CMake's find_package(cicd).
set -euo pipefail
build_dir="$1"
src_dir="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
libdir=$(ls -d "$prefix"/lib* | head -1)
export PKG_CONFIG_PATH="$libdir/pkgconfig"
export LD_LIBRARY_PATH="$libdir"

for f in "$prefix/include/cicd/cicd.h" "$libdir/libcicd.so.0" "$libdir/libcicd.a" \
         "$libdir/pkgconfig/libcicd.pc" "$libdir/cmake/cicd/cicdConfig.cmake"; do
  [ -e "$f" ] || { echo "missing after install: $f"; exit 1; }
done

# pkg-config: shared, then static.
make -s -C "$src_dir/examples" BUILD="$tmp/pc" PKG_CONFIG_PATH="$PKG_CONFIG_PATH" all
make -s -C "$src_dir/examples" BUILD="$tmp/pc" PKG_CONFIG_PATH="$PKG_CONFIG_PATH" check EXAMPLES_DIR="$src_dir/examples"

# CMake package: find_package(cicd) gives cicd::cicd.
mkdir -p "$tmp/cm"
cmake -S "$src_dir/examples" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cm" >/dev/null
"$tmp/cm/example_core" "$src_dir/examples/pipeline/.gitlab-ci.yml" >/dev/null
echo "ok: installed library builds and runs the examples through pkg-config and find_package"
