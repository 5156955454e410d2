#!/usr/bin/env bash
# Runs `swift test` (arguments passed through) with the workspaces' shared state in PostgreSQL:
# a throwaway server on loopback, each test workspace in its own schema (VIGIL_STATE with
# ?schema=workspace). Tests that write `state: sqlite` in their vigil.yaml stay on SQLite.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/vigil-pgsuite-XXXXXX)
run() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; runuser -u postgres -- "$@"; else "$@"; fi; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >/dev/null
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=500" start >/dev/null
trap 'run "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
export VIGIL_STATE="postgres://postgres@127.0.0.1:$port/postgres?schema=workspace"
export VIGIL_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
echo "state tests on $VIGIL_STATE" >&2
status=0
swift test "$@" || status=$?
# Evidence that the workspaces really kept their state in PostgreSQL.
echo "workspaces whose state was in PostgreSQL: $(psql -At -h 127.0.0.1 -p "$port" -U postgres -c \
  "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'vigil\_%'" postgres)" >&2
exit $status
