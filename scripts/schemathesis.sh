#!/usr/bin/env bash
# Opt-in API fuzzing: schemathesis (pip install schemathesis) against /openapi.json of a scratch
# `vigil serve`, checking that no generated request gets a 5xx. Usage: scripts/schemathesis.sh [examples]
set -euo pipefail
cd "$(dirname "$0")/.."
V=.build/debug/vigil
[ -x "$V" ] || swift build --product vigil
WS=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$WS"' EXIT
printf 'server:\n  port: 18199\ndetection:\n  enabled: false\nreports:\n  enabled: false\n' > "$WS/vigil.yaml"
TOKEN=$($V tokens create --workspace "$WS" --role admin --name schemathesis 2>/dev/null)
$V serve --workspace "$WS" > "$WS/serve.log" 2>&1 & PID=$!
schemathesis run http://127.0.0.1:18199/openapi.json --wait-for-schema 30 -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error --max-examples "${1:-25}"
