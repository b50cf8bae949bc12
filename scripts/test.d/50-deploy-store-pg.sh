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
