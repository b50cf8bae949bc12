#!/usr/bin/env bash
# Starts a real Kubernetes control plane on 127.0.0.1 for tests, everything under STATE_DIR:
#   etcd, kube-apiserver (TLS, client certs, static token, RBAC, service accounts),
#   kube-controller-manager, kube-scheduler, kwok (plays the kubelets of 2 fake Nodes).
# Exits 0 once the cluster is ready (the processes keep running in the background; stop them
# with stop.sh STATE_DIR), non-zero with the tail of the failing component's log otherwise.
#
# Usage: start.sh STATE_DIR
# Env:   CICD_K8S_CACHE          binary cache (see build.sh); built on first use
#        CICD_K8S_START_TIMEOUT  seconds to wait for readiness (default 90)
#        CICD_K8S_NODES          number of fake nodes (default 2)
# Then:  . STATE_DIR/env && kubectl get nodes
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
STATE="$(cd "$1" && pwd)"
TIMEOUT="${CICD_K8S_START_TIMEOUT:-90}"
NODES="${CICD_K8S_NODES:-2}"
T0=$(date +%s%N)
DEADLINE=$(($(date +%s) + TIMEOUT))

log() { echo "k8s-testenv/start: [$(( ($(date +%s%N) - T0) / 1000000 ))ms] $*" >&2; }

# shellcheck source=versions.sh
. "$here/versions.sh"
BIN="$("$here/build.sh")"
KUBECTL="$BIN/kubectl"

PKI="$STATE/pki"
LOGS="$STATE/logs"
KWOK_LOGS="$STATE/kwok-logs"  # container logs that kwok serves (stages/cicd-logs.yaml)
PIDS="$STATE/pids"

# Refuse to start twice in the same STATE_DIR.
for f in "$PIDS"/*.pid; do
  [ -e "$f" ] || continue
  pid="$(<"$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qF "$STATE" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "k8s-testenv/start: a control plane is already running in $STATE (pid $pid); run stop.sh first" >&2
    exit 1
  fi
done
rm -rf "$PKI" "$LOGS" "$KWOK_LOGS" "$PIDS" "$STATE/etcd-data" "$STATE/cfg" "$STATE/env" \
  "$STATE/kubeconfig" "$STATE/kubeconfig-token" "$STATE/kubeconfig-user"
mkdir -p "$PKI" "$LOGS" "$KWOK_LOGS" "$PIDS" "$STATE/cfg"
chmod 700 "$PKI"

# ---- failure handling ----------------------------------------------------------------------
started=()
failing=0
fail() { # fail MESSAGE [COMPONENT...]: print the message and the tail of the logs, stop, exit 1
  failing=1
  local msg="$1"; shift
  echo "k8s-testenv/start: FAILED: $msg" >&2
  local c
  for c in "$@"; do
    if [ -f "$LOGS/$c.log" ]; then
      echo "---- last lines of $LOGS/$c.log ----" >&2
      tail -n 40 "$LOGS/$c.log" >&2
    fi
  done
  "$here/stop.sh" "$STATE" >&2 || true
  exit 1
}
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$failing" = 0 ]; then fail "unexpected error (exit $rc)" "${started[@]}"; fi
}
trap 'fail "interrupted" "${started[@]}"' INT TERM
trap on_exit EXIT

# ---- free ports ----------------------------------------------------------------------------
# Pure bash: a port is taken if any socket in /proc/net/tcp{,6} has it as local port. Ports are
# drawn below the ephemeral range (32768+) so outgoing connections don't collide with them.
# (awk, not a bash read loop: bash reads procfs byte by byte, which takes ~0.5 s here)
declare -A used_ports=()
# shellcheck disable=SC2013 # one port per word
for hex in $(awk 'FNR > 1 { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null); do
  used_ports[$((16#$hex))]=1
done
free_port() {
  local p i
  for ((i = 0; i < 1000; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    if [ -z "${used_ports[$p]:-}" ]; then
      used_ports[$p]=1
      echo "$p"
      return 0
    fi
  done
  return 1
}
ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); API_PORT=$(free_port)
KCM_PORT=$(free_port); SCHED_PORT=$(free_port); KWOK_PORT=$(free_port)
SERVER="https://127.0.0.1:$API_PORT"
SERVICE_CIDR=10.96.0.0/16    # virtual, nothing routes to it
POD_CIDR=10.244.0.1/16       # fake pod IPs handed out by kwok, nothing routes to them
log "ports: etcd=$ETCD_PORT apiserver=$API_PORT controller-manager=$KCM_PORT scheduler=$SCHED_PORT kwok=$KWOK_PORT"

# ---- certificates and credentials (openssl) ------------------------------------------------
command -v openssl >/dev/null || fail "openssl not found (scripts/install-deps.sh installs it)"
ossl() { openssl "$@" 2>>"$LOGS/openssl.log" >/dev/null || fail "openssl $1 failed" openssl; }
newkey() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$1.key"; }
# newca NAME CN: self-signed CA
newca() {
  newkey "$1"
  ossl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/$1.crt"
}
# sign NAME SUBJECT EXTENSIONS [CA]: key + certificate signed by CA (default: ca)
sign() {
  local ca="${4:-ca}"
  newkey "$1"
  ossl req -new -key "$PKI/$1.key" -subj "$2" -out "$PKI/$1.csr"
  printf '%s\n' "$3" >"$PKI/$1.ext"
  ossl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$1.ext" -out "$PKI/$1.crt"
  rm -f "$PKI/$1.csr" "$PKI/$1.ext"
}
client_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'
server_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local'

newca ca libcicd-testenv-ca
sign apiserver "/CN=kube-apiserver" "$server_ext"
sign admin "/O=system:masters/CN=testenv-admin" "$client_ext"
sign user "/O=testenv-users/CN=testenv-user" "$client_ext"
sign controller-manager "/CN=system:kube-controller-manager" "$client_ext"
sign scheduler "/CN=system:kube-scheduler" "$client_ext"
sign kwok "/O=system:masters/CN=kwok" "$client_ext"
# Aggregation layer (front proxy): its own CA, as kubeadm does; also keeps the delegated
# authentication of the controller-manager and scheduler free of "missing CA bundle" errors.
newca front-proxy-ca libcicd-testenv-front-proxy-ca
sign front-proxy-client "/CN=front-proxy-client" "$client_ext" front-proxy-ca
newkey sa
ossl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
ADMIN_TOKEN="$(openssl rand -hex 24)"
printf '%s,testenv-admin-token,testenv-admin-token,"system:masters"\n' "$ADMIN_TOKEN" >"$PKI/tokens.csv"
printf '%s\n' "$ADMIN_TOKEN" >"$PKI/admin.token"
chmod 600 "$PKI"/*.key "$PKI/tokens.csv" "$PKI/admin.token"
log "certificates generated in $PKI"

b64() { base64 -w0 <"$1"; }
# kubeconfig FILE USER (client-cert user: PKI/USER.{crt,key}) | kubeconfig FILE USER token TOKEN
kubeconfig() {
  local file="$1" user="$2" cred
  if [ "${3:-}" = token ]; then
    cred="    token: $4"
  else
    cred="    client-certificate-data: $(b64 "$PKI/$user.crt")
    client-key-data: $(b64 "$PKI/$user.key")"
  fi
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: $SERVER
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $user
  user:
$cred
contexts:
- name: testenv
  context:
    cluster: testenv
    user: $user
    namespace: default
current-context: testenv
EOF
  chmod 600 "$file"
}
kubeconfig "$STATE/kubeconfig" admin
kubeconfig "$STATE/kubeconfig-token" admin-token token "$ADMIN_TOKEN"
kubeconfig "$STATE/kubeconfig-user" user
kubeconfig "$STATE/cfg/controller-manager.kubeconfig" controller-manager
kubeconfig "$STATE/cfg/scheduler.kubeconfig" scheduler
kubeconfig "$STATE/cfg/kwok.kubeconfig" kwok
export KUBECONFIG="$STATE/kubeconfig"

# ---- process management --------------------------------------------------------------------
# launch NAME ARGS...: runs detached (own session, stdin from /dev/null, output to logs/NAME.log)
# and records its pid in pids/NAME.pid.
launch() {
  local name="$1"; shift
  # shellcheck disable=SC2016 # $$ and $@ are for the inner sh
  setsid sh -c 'echo $$ >"$0"; exec "$@"' "$PIDS/$name.pid" "$@" </dev/null >"$LOGS/$name.log" 2>&1 &
  started+=("$name")
  local i
  for ((i = 0; i < 50; i++)); do [ -s "$PIDS/$name.pid" ] && break; sleep 0.02; done
  log "$name started (pid $(cat "$PIDS/$name.pid" 2>/dev/null))"
}
alive() { local p; p="$(cat "$PIDS/$1.pid" 2>/dev/null)" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
check_alive() { local c; for c in "$@"; do alive "$c" || fail "$c exited" "$c"; done; }
# wait_for WHAT COMPONENTS... -- COMMAND...: poll COMMAND until it succeeds or the deadline
wait_for() {
  local what="$1"; shift
  local comps=()
  while [ "$1" != "--" ]; do comps+=("$1"); shift; done
  shift
  while :; do
    if "$@" >/dev/null 2>&1; then log "$what"; return 0; fi
    check_alive "${started[@]}"
    [ "$(date +%s)" -lt "$DEADLINE" ] || fail "timed out after ${TIMEOUT}s waiting for: $what" "${comps[@]}"
    sleep 0.25
  done
}
k() { "$KUBECTL" --kubeconfig "$STATE/kubeconfig" --request-timeout=5s "$@"; }

# ---- etcd ----------------------------------------------------------------------------------
launch etcd "$BIN/etcd" --name testenv --data-dir "$STATE/etcd-data" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "testenv=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --log-level warn

# ---- kube-apiserver ------------------------------------------------------------------------
launch kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
  --cert-dir "$STATE/cfg/apiserver-certs" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" \
  --authorization-mode RBAC --anonymous-auth=true \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
  --endpoint-reconciler-type none \
  --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
  --profiling=false --v=1
wait_for "kube-apiserver /readyz ok" kube-apiserver etcd -- k get --raw /readyz

# ---- kube-controller-manager and kube-scheduler -------------------------------------------
launch kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$STATE/cfg/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$STATE/cfg/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$STATE/cfg/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --cert-dir "$STATE/cfg/controller-manager-certs" \
  --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --allocate-node-cidrs=false \
  --controllers '*,-node-ipam-controller' \
  --kube-api-qps 200 --kube-api-burst 400 \
  --profiling=false --v=1
launch kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig "$STATE/cfg/scheduler.kubeconfig" \
  --authentication-kubeconfig "$STATE/cfg/scheduler.kubeconfig" \
  --authorization-kubeconfig "$STATE/cfg/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false \
  --kube-api-qps 200 --kube-api-burst 400 --profiling=false --v=1

# ---- kwok ----------------------------------------------------------------------------------
# Stages: node-initialize, node-heartbeat and the general pod-* stages shipped in the kwok module
# (copied to the cache by build.sh), plus ours in stages/. The general pod stages (all but
# pod-delete) get two selector terms so they never touch the pods that our failure stages own.
stages_cfg="$STATE/cfg/kwok-stages.yaml"
{
  for f in "$BIN/../kwok-stages"/*.yaml; do
    echo "---"
    case "$(basename "$f")" in
      pod-delete.yaml | node-*.yaml) cat "$f" ;;
      pod-*.yaml)
        awk '{ print }
          /^    matchExpressions:$/ && !done {
            print "    # added by k8s-testenv/start.sh: leave these pods to stages/pod-failures.yaml"
            print "    - key: '\''.spec.containers.[].image | contains(\"doesnotexist\")'\''"
            print "      operator: '\''NotIn'\''"
            print "      values:"
            print "      - '\''true'\''"
            print "    - key: '\''.metadata.labels[\"cicd.test/crash\"]'\''"
            print "      operator: '\''NotIn'\''"
            print "      values:"
            print "      - '\''true'\''"
            done = 1
          }' "$f" ;;
    esac
  done
  # Container logs come from files in this plane's own folder (KWOK_LOGS), so planes can run side by side.
  for f in "$here"/stages/*.yaml; do echo "---"; sed "s|@KWOK_LOGS@|$KWOK_LOGS|g" "$f"; done
} >"$stages_cfg"
grep -q 'cicd.test/crash' "$stages_cfg" || fail "could not patch the kwok general pod stages"
launch kwok "$BIN/kwok" \
  --kubeconfig "$STATE/cfg/kwok.kubeconfig" --config "$stages_cfg" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --server-address "127.0.0.1:$KWOK_PORT" --node-ip 127.0.0.1 --node-port "$KWOK_PORT" \
  --cidr "$POD_CIDR" --node-lease-duration-seconds 40

# ---- fake nodes ----------------------------------------------------------------------------
nodes_yaml="$STATE/cfg/nodes.yaml"
: >"$nodes_yaml"
for ((i = 0; i < NODES; i++)); do
  cat >>"$nodes_yaml" <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    node-role.kubernetes.io/agent: ""
    type: kwok
spec: {}
status:
  nodeInfo:  # kept by kwok's node-initialize stage (it fills in only what is missing)
    kubeletVersion: $K8S_VERSION
    containerRuntimeVersion: kwok://$KWOK_VERSION
    osImage: kwok fake node
EOF
done
wait_for "fake nodes created" kube-apiserver -- k apply -f "$nodes_yaml"
wait_for "nodes Ready" kwok -- k wait --for=condition=Ready node --all --timeout=2s
# The node lifecycle controller removes the not-ready taint that admission put on new Nodes;
# until then every Pod stays Pending ("untolerated taint").
no_taints() { [ -z "$(k get nodes -o jsonpath='{.items[*].spec.taints}')" ]; }
wait_for "node taints removed (node lifecycle controller running)" kube-controller-manager -- no_taints
# Pods need the namespace's default ServiceAccount (made by the serviceaccount controller).
wait_for "default ServiceAccount exists" kube-controller-manager -- k get serviceaccount default -n default
# healthz PORT: /healthz of a component with a self-signed serving cert (admin client cert)
healthz() { "$KUBECTL" --kubeconfig /dev/null --server "https://127.0.0.1:$1" --insecure-skip-tls-verify=true \
  --client-certificate "$PKI/admin.crt" --client-key "$PKI/admin.key" --request-timeout=2s get --raw /healthz; }
wait_for "kube-controller-manager /healthz ok" kube-controller-manager -- healthz "$KCM_PORT"
wait_for "kube-scheduler /healthz ok" kube-scheduler -- healthz "$SCHED_PORT"

# ---- env file ------------------------------------------------------------------------------
pid() { cat "$PIDS/$1.pid"; }
{
  echo "# k8s-testenv: source this file (. $STATE/env)"
  printf 'export KUBECONFIG=%q\n' "$STATE/kubeconfig"
  printf 'export CICD_K8S_SERVER=%q\n' "$SERVER"
  printf 'export CICD_K8S_TOKEN=%q\n' "$ADMIN_TOKEN"
  printf 'export CICD_K8S_TOKEN_FILE=%q\n' "$PKI/admin.token"
  printf 'export CICD_K8S_KUBECONFIG_TOKEN=%q\n' "$STATE/kubeconfig-token"
  printf 'export CICD_K8S_KUBECONFIG_USER=%q\n' "$STATE/kubeconfig-user"
  printf 'export CICD_K8S_CA=%q\n' "$PKI/ca.crt"
  printf 'export CICD_K8S_CLIENT_CERT=%q\n' "$PKI/admin.crt"
  printf 'export CICD_K8S_CLIENT_KEY=%q\n' "$PKI/admin.key"
  printf 'export CICD_K8S_USER_CERT=%q\n' "$PKI/user.crt"
  printf 'export CICD_K8S_USER_KEY=%q\n' "$PKI/user.key"
  printf 'export CICD_K8S_BIN=%q\n' "$BIN"
  printf 'export CICD_K8S_STATE=%q\n' "$STATE"
  printf 'export CICD_K8S_KWOK_LOGS=%q\n' "$KWOK_LOGS"
  printf 'export CICD_K8S_ETCD=%q\n' "http://127.0.0.1:$ETCD_PORT"
  printf 'export CICD_K8S_PORT_APISERVER=%s CICD_K8S_PORT_ETCD=%s CICD_K8S_PORT_CONTROLLER_MANAGER=%s CICD_K8S_PORT_SCHEDULER=%s CICD_K8S_PORT_KWOK=%s\n' \
    "$API_PORT" "$ETCD_PORT" "$KCM_PORT" "$SCHED_PORT" "$KWOK_PORT"
  printf 'export CICD_K8S_PID_ETCD=%s CICD_K8S_PID_APISERVER=%s CICD_K8S_PID_CONTROLLER_MANAGER=%s CICD_K8S_PID_SCHEDULER=%s CICD_K8S_PID_KWOK=%s\n' \
    "$(pid etcd)" "$(pid kube-apiserver)" "$(pid kube-controller-manager)" "$(pid kube-scheduler)" "$(pid kwok)"
} >"$STATE/env"
trap - INT TERM EXIT
log "control plane ready at $SERVER (. $STATE/env)"
