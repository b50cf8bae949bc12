#!/usr/bin/env bash
# Builds (once, cached) the binaries of the k8s test environment from Go modules:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok
# into ${CICD_K8S_CACHE:-$HOME/.cache/libcicd/k8s-v1.34.4}/bin.
# If every binary is there (and was built from the same pinned versions) it exits at once.
# Needs only Go (>= 1.26, kwok's minimum) and the Go module proxy.
# Usage: build.sh            build what is missing
#        build.sh --force    rebuild everything
# Prints progress to stderr; prints the bin dir on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
. "$here/versions.sh"

CACHE="${CICD_K8S_CACHE:-$HOME/.cache/libcicd/k8s-$K8S_VERSION}"
BIN="$CACHE/bin"
STAMP="$BIN/.versions"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)
want_stamp="k8s=$K8S_VERSION staging=$K8S_STAGING_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION"

force=0
[ "${1:-}" = "--force" ] && force=1

# ---- fast path: everything already built (pure bash, no forks) --------------------------
if [ "$force" = 0 ] && [ -r "$STAMP" ]; then
  ok=1
  for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || { ok=0; break; }; done
  [ -d "$CACHE/kwok-stages" ] || ok=0
  if [ "$ok" = 1 ] && [ "$(<"$STAMP")" = "$want_stamp" ]; then
    echo "$BIN"
    exit 0
  fi
fi

log() { echo "k8s-testenv/build: $*" >&2; }

if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null || { log "go not found in PATH"; exit 1; }

mkdir -p "$BIN"
# One builder at a time per cache (parallel test jobs may all call build.sh); whoever waited
# finds the binaries built when it gets the lock.
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
  log "another build.sh is building into $CACHE; waiting for it"
  flock 9
fi
if [ "$force" = 0 ] && [ -r "$STAMP" ] && [ "$(<"$STAMP")" = "$want_stamp" ] && [ -d "$CACHE/kwok-stages" ]; then
  ok=1
  for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || { ok=0; break; }; done
  if [ "$ok" = 1 ]; then echo "$BIN"; exit 0; fi
fi
# Binaries from other versions (or of unknown origin) are thrown away; those of an interrupted
# build of the same versions ($STAMP.partial) are kept and the build resumes.
have_stamp=""
if [ -r "$STAMP.partial" ]; then have_stamp="$(<"$STAMP.partial")"
elif [ -r "$STAMP" ]; then have_stamp="$(<"$STAMP")"; fi
if [ "$force" = 1 ] || [ "$have_stamp" != "$want_stamp" ]; then
  for b in "${BINARIES[@]}"; do rm -f "$BIN/$b"; done
fi
rm -f "$STAMP"
echo "$want_stamp" >"$STAMP.partial"

# -mod=mod: resolve from go.mod/go.sum without a vendor dir (go.sum is committed and checked).
# CGO off, like the upstream release builds: static binaries, no C toolchain needed.
export GOFLAGS="-mod=mod -trimpath -buildvcs=false"
export CGO_ENABLED=0

build_date="$(date -u ${SOURCE_DATE_EPOCH:+-d "@$SOURCE_DATE_EPOCH"} +%Y-%m-%dT%H:%M:%SZ)"
k8s_major="${K8S_VERSION#v}"; k8s_major="${k8s_major%%.*}"
k8s_minor="${K8S_VERSION#v*.}"; k8s_minor="${k8s_minor%%.*}"
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$k8s_major -X $pkg.gitMinor=$k8s_minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

# build NAME WRAPPER_DIR PACKAGE LDFLAGS
build() {
  local name="$1" dir="$2" pkg="$3" ldflags="$4" t0
  if [ -x "$BIN/$name" ]; then log "$name: cached"; return 0; fi
  t0=$(date +%s)
  log "$name: go build $pkg (in gomod/$dir) ..."
  # Sequential on purpose: one go build (compile + link of kube-apiserver) peaks near 2 GB.
  (cd "$here/gomod/$dir" && go build -ldflags "$ldflags" -o "$BIN/.$name.tmp" "$pkg")
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  log "$name: done in $(($(date +%s) - t0))s"
}

t_all=$(date +%s)
log "building into $BIN (go $(go env GOVERSION), GOMAXPROCS=${GOMAXPROCS:-$(nproc)})"
build etcd etcd go.etcd.io/etcd/server/v3 "-s -w"
build kwok kwok sigs.k8s.io/kwok/cmd/kwok "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
build kube-apiserver kubernetes k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ldflags"
build kube-controller-manager kubernetes k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ldflags"
build kube-scheduler kubernetes k8s.io/kubernetes/cmd/kube-scheduler "$k8s_ldflags"
build kubectl kubernetes k8s.io/kubernetes/cmd/kubectl "$k8s_ldflags"
# kwok refuses to start without Stage objects: keep the ones shipped in the kwok module next to
# the binaries, so start.sh needs no Go toolchain.
stages_src="$(cd "$here/gomod/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage"
rm -rf "$CACHE/kwok-stages.tmp" && mkdir -p "$CACHE/kwok-stages.tmp"
cp "$stages_src"/node/fast/node-initialize.yaml "$stages_src"/node/heartbeat/node-heartbeat.yaml \
  "$stages_src"/pod/general/pod-*.yaml "$CACHE/kwok-stages.tmp/"
chmod -R u+w "$CACHE/kwok-stages.tmp"
rm -rf "$CACHE/kwok-stages" && mv "$CACHE/kwok-stages.tmp" "$CACHE/kwok-stages"
log "kwok stages from $stages_src copied to $CACHE/kwok-stages"
mv -f "$STAMP.partial" "$STAMP"
log "all binaries ready in $(($(date +%s) - t_all))s"
echo "$BIN"
