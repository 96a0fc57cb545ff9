#!/usr/bin/env bash
# Starts the backend for the browser tests: a fresh SQLite data folder, two
# tenants (acme, globex) with facilities and accounts made by the operator
# commands, then `backoffice serve` on E2E_PORT serving the built dist/.
# Playwright's webServer runs it and stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${BACKOFFICE_BIN:-$ROOT/target/debug/backoffice}"
PORT="${E2E_PORT:?E2E_PORT is not set}"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/backoffice-e2e.XXXXXX")"
trap 'rm -rf "$DATA"' EXIT

export BACKOFFICE_DATA_DIR="$DATA" BACKOFFICE_LOG="${BACKOFFICE_LOG:-warn}"
bo() { "$BIN" "$@" >/dev/null; }
user() { # user TENANT USERNAME PASSWORD ROLE [more flags]
  local tenant="$1" name="$2" password="$3" role="$4"; shift 4
  printf '%s\n' "$password" | bo user create --tenant "$tenant" "$name" --role "$role" "$@"
}

bo tenant create acme --name "Acme Retail"
bo facility create --tenant acme BER-01 --name "Berlin Store"
bo facility create --tenant acme HAM-02 --name "Hamburg Warehouse"
user acme anna "anna-acme-passphrase" ADMINISTRATOR --first-name Anna --last-name Berg --email anna@acme.example
user acme fred "fred-acme-passphrase" FULFILLER --first-name Fred --last-name Lang --facility BER-01
user acme sue "sue-acme-passphrase" SUPERVISOR --first-name Sue --last-name Kim --facility BER-01 --facility HAM-02
user acme ivan "ivan-acme-passphrase" ADMINISTRATOR --first-name Ivan --last-name Old --inactive
user acme lena "lena-acme-passphrase" ADMINISTRATOR --first-name Lena --last-name Roth
user acme pia "pia-acme-passphrase" SUPERVISOR --first-name Pia --last-name Weiss --facility HAM-02
# Only the brute-force spec signs in as otto: strangers hammer his account.
user acme otto "otto-acme-passphrase" ADMINISTRATOR --first-name Otto --last-name Brandt

bo tenant create globex --name "Globex Logistics"
user globex anna "anna-globex-passphrase" ADMINISTRATOR --first-name Anna --last-name Globex
user globex gina "gina-globex-passphrase" ADMINISTRATOR --first-name Gina --last-name Stone

# Loopback is a trusted proxy here, so the brute-force spec can act from many
# client addresses (X-Forwarded-For); Chromium sends no such header.
exec "$BIN" serve --listen "127.0.0.1:$PORT" --static-dir "$ROOT/dist" --default-tenant "" \
  --trusted-proxy 127.0.0.1
