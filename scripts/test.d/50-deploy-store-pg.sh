#!/usr/bin/env bash
# Runs the deploy store suite against a real PostgreSQL: installs Debian's
# server, starts a throwaway cluster on a free loopback port, runs
# unit_deploy with CICD_TEST_PG_URL, and stops and removes the server in a trap.
#
#   scripts/test.d/50-deploy-store-pg.sh [BUILD_DIR]     (default build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  apt-get install -y postgresql >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y postgresql >/dev/null; }
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")

[ -x "$build/tests/unit_deploy" ] || ninja -C "$build" unit_deploy

dir=$(mktemp -d /tmp/cicd-pg.XXXXXX)
chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
stop() {
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U cicd >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -w -t 30 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" -l "$dir/log" start >/dev/null

export CICD_TEST_PG_URL="postgresql://cicd@127.0.0.1:$port/postgres"
"$build/tests/unit_deploy" deploy_store_pg

# The cicd tool on the shared store: two "CD servers" push the same content at
# once (one version results), then targets, jobs and cancel through the URL.
cicd="$build/bin/cicd"
[ -x "$cicd" ] || ninja -C "$build" cicd_tool
export CICD_STORE="$CICD_TEST_PG_URL"
psql_reset() { PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- "$bin/psql" -h "$dir" -p "$port" -U cicd -d postgres -qc "$1" >/dev/null; }
psql_reset "DROP SCHEMA public CASCADE; CREATE SCHEMA public"
fail() { echo "FAIL: $*" >&2; exit 1; }
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\n' > "$dir/cm.yaml"
"$cicd" deploy push shop/web "$dir/cm.yaml" > "$dir/p1" & a=$!
"$cicd" deploy push shop/web "$dir/cm.yaml" > "$dir/p2" & b=$!
wait $a || fail "push 1: $(cat "$dir/p1")"
wait $b || fail "push 2: $(cat "$dir/p2")"
grep -q '^shop/web@1 ' "$dir/p1" && grep -q '^shop/web@1 ' "$dir/p2" || fail "concurrent pushes: $(cat "$dir/p1" "$dir/p2")"
[ "$("$cicd" deploy --format json versions shop/web | grep -o '"number"' | wc -l)" = 1 ] || fail "more than one version"
"$cicd" deploy target add dev --namespace demo >/dev/null
[ "$("$cicd" deploy run shop/web@1 --target dev)" = "job 1 queued" ] || fail "run"
[ "$("$cicd" deploy cancel 1)" = "job 1 canceled" ] || fail "cancel"
set +e
"$cicd" deploy --store "postgresql://cicd:hunter2@127.0.0.1:1/postgres" targets 2>"$dir/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "unreachable store should exit 1"
grep -q '^cicd: cannot connect to the postgresql store: ' "$dir/err" || fail "unreachable: $(cat "$dir/err")"
! grep -q hunter2 "$dir/err" || fail "the password reached a message"
echo "deploy store on postgresql: cli ok"
