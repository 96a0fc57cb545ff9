#!/usr/bin/env bash
# Starts the backend for the browser tests: a fresh SQLite data folder, two
# tenants (acme, globex) with facilities and accounts made by the operator
# commands, an SMTP catcher (aiosmtpd) that writes every mail into
# E2E_MAIL_DIR/new/, then `backoffice serve` on E2E_PORT serving the built
# dist/ and sending mail to the catcher on E2E_SMTP_PORT.
# Playwright's webServer runs it and stops it; playwright.config.ts sets the
# E2E_* variables.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${BACKOFFICE_BIN:-$ROOT/target/debug/backoffice}"
PORT="${E2E_PORT:?E2E_PORT is not set}"
SMTP_PORT="${E2E_SMTP_PORT:?E2E_SMTP_PORT is not set}"
IDP_PORT="${E2E_IDP_PORT:?E2E_IDP_PORT is not set}"
MAILDIR="${E2E_MAIL_DIR:?E2E_MAIL_DIR is not set}"
# The data folder comes from playwright.config.ts, so a spec can age a reset
# link in the database (the only way to see a real expired link in seconds).
DATA="${E2E_DATA_DIR:?E2E_DATA_DIR is not set}"
mkdir -p "$DATA"
SMTP_PID="" SERVER_PID="" IDP_PID="" OWN_MAILDIR=""
stop() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null
  [ -n "$IDP_PID" ] && kill "$IDP_PID" 2>/dev/null
  # Folders first: Playwright kills the lot if stopping takes too long.
  rm -rf "$DATA" ${OWN_MAILDIR:+"$OWN_MAILDIR"}
  wait 2>/dev/null
}
trap stop EXIT
trap 'exit 143' TERM INT

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
# Only the password reset spec uses rita, reto and eva: their mail reaches the catcher.
user acme rita "rita-acme-passphrase" ADMINISTRATOR --first-name Rita --last-name Vogel --email rita@acme.example
user acme reto "reto-acme-passphrase" ADMINISTRATOR --first-name Reto --last-name Frei --email reto@acme.example
user acme eva "eva-acme-passphrase" FULFILLER --first-name Eva --last-name Alt --facility BER-01 --email eva@acme.example
# Only the account settings spec uses these: carla changes her password, kai
# tries the dialog by keyboard, nina edits her profile, sam signs sessions
# out, and tom has a temporary password.
user acme carla "carla-acme-passphrase" SUPERVISOR --first-name Carla --last-name Mendes --email carla@acme.example --facility BER-01
user acme kai "kai-acme-passphrase" FULFILLER --first-name Kai --last-name Brun --facility HAM-02
user acme nina "nina-acme-passphrase" ADMINISTRATOR --first-name Nina --last-name Adler
user acme sam "sam-acme-passphrase" ADMINISTRATOR --first-name Sam --last-name Ortiz
user acme tom "tom-temporary-pass" FULFILLER --first-name Tom --last-name Ried --facility BER-01 --temporary-password
# Only the language spec uses greta and jonas, whose accounts speak German:
# greta signs in (two facilities, so the header has its switcher), jonas gets
# a reset link.
user acme greta "greta-acme-passphrase" SUPERVISOR --first-name Greta --last-name Hahn --facility BER-01 --facility HAM-02 --locale de
user acme jonas "jonas-acme-passphrase" ADMINISTRATOR --first-name Jonas --last-name Wolf --email jonas@acme.example --locale de
# Only the Users screens' spec uses these: uma invites and edits, hugo
# supervises Hamburg only, olga is edited twice at once, ben is signed out,
# given a temporary password and unlocked from the editor.
user acme uma "uma-acme-passphrase" ADMINISTRATOR --first-name Uma --last-name Stein
user acme hugo "hugo-acme-passphrase" SUPERVISOR --first-name Hugo --last-name Falk --facility HAM-02
user acme olga "olga-acme-passphrase" FULFILLER --first-name Olga --last-name Kern --facility BER-01
user acme ben "ben-acme-passphrase" FULFILLER --first-name Ben --last-name Graf --facility BER-01

bo tenant create globex --name "Globex Logistics"
user globex anna "anna-globex-passphrase" ADMINISTRATOR --first-name Anna --last-name Globex
user globex gina "gina-globex-passphrase" ADMINISTRATOR --first-name Gina --last-name Stone

# The SMTP catcher: Debian's python3-aiosmtpd (a pyenv python3 on PATH may
# lack it). The Mailbox handler creates MAILDIR, which must not exist yet.
if [ -e "$MAILDIR" ]; then
  echo "start-server.sh: $MAILDIR exists already; the SMTP catcher needs a new folder" >&2
  exit 1
fi
OWN_MAILDIR="$MAILDIR"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" &
SMTP_PID=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then break; fi
  kill -0 "$SMTP_PID" 2>/dev/null || { echo "start-server.sh: the SMTP catcher did not start" >&2; exit 1; }
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null \
  || { echo "start-server.sh: nothing listens on SMTP port $SMTP_PORT" >&2; exit 1; }
# Still running: the port is ours, not an older process's.
kill -0 "$SMTP_PID" 2>/dev/null \
  || { echo "start-server.sh: the SMTP catcher could not use port $SMTP_PORT" >&2; exit 1; }

# The OpenID provider of acme's single sign-on: e2e/idp/idp.mjs (npm
# oidc-provider) with one client, whose secret the provider row keeps sealed.
# globex has no provider, so its login screen offers none.
IDP_SECRET="acme-idp-client-secret"
IDP_CLIENTS="[{\"client_id\":\"acme-backoffice\",\"client_secret\":\"$IDP_SECRET\",\"redirect_uris\":[\"http://acme.localhost:$PORT/api/v1/auth/sso/callback\"]}]" \
  node "$ROOT/e2e/idp/idp.mjs" "$IDP_PORT" >"$DATA/idp.log" 2>&1 &
IDP_PID=$!
for _ in $(seq 100); do
  grep -q '^idp ready' "$DATA/idp.log" 2>/dev/null && break
  kill -0 "$IDP_PID" 2>/dev/null || { cat "$DATA/idp.log" >&2; echo "start-server.sh: the OpenID provider did not start" >&2; exit 1; }
  sleep 0.1
done
grep -q '^idp ready' "$DATA/idp.log" || { echo "start-server.sh: the OpenID provider is not ready" >&2; exit 1; }
printf '%s\n' "$IDP_SECRET" | bo sso create --tenant acme --name "Acme Login" \
  --issuer "http://127.0.0.1:$IDP_PORT" --client-id acme-backoffice \
  --role-claim roles --role-map backoffice-admin=ADMINISTRATOR \
  --role-map backoffice-supervisor=SUPERVISOR --role-map backoffice-fulfiller=FULFILLER \
  --group-claim groups --group-map store-berlin=BER-01 --group-map warehouse-hamburg=HAM-02

# Loopback is a trusted proxy here, so the brute-force spec can act from many
# client addresses (X-Forwarded-For); Chromium sends no such header.
BACKOFFICE_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" \
  "$BIN" serve --listen "127.0.0.1:$PORT" --static-dir "$ROOT/dist" --default-tenant "" \
  --trusted-proxy 127.0.0.1 &
SERVER_PID=$!
wait "$SERVER_PID"
