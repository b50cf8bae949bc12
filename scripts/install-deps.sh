#!/usr/bin/env bash
# Installs every Debian package the build and the test suite need.
# Idempotent: packages already present are skipped, so it is cheap to re-run.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libyaml-dev libyajl-dev libcurl4-openssl-dev libssl-dev
  libre2-dev libsqlite3-dev libpq-dev
  libcunit1-dev swig python3-dev
  clang libclang-rt-14-dev llvm
  valgrind abigail-tools
  openssl
  postgresql
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
