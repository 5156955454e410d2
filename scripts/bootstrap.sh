#!/usr/bin/env bash
# Installs the system packages Vigil needs, when missing (Debian/Ubuntu): SQLite's headers for GRDB,
# zlib's for the KQL compression functions, GEOS's for the polygon overlays and buffers, PostgreSQL for the state tests on the second backend (the tests
# start their own server on loopback),
# and Chromium for the web UI's browser test (`swift test` drives it headless). Idempotent and quiet
# when everything is there. VIGIL_NO_BROWSER=1 skips Chromium (the UI test then fails, saying why).
set -euo pipefail
need=()
[ -f /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
[ -f /usr/include/geos_c.h ] || need+=(libgeos-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ -z "${VIGIL_NO_BROWSER:-}" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
  need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi
