#!/usr/bin/env bash
# The one test command. Installs what is missing (Rust targets and tools,
# node tools, Chromium, PostgreSQL), then runs every test:
#   1. formatting and clippy,
#   2. unit tests and the API tests on SQLite,
#   3. the API tests again on a throwaway PostgreSQL server,
#   4. the browser tests (Playwright in Debian's Chromium) against the real
#      backend serving the real release build of the web app.
# Idempotent: installed tools and warm builds are reused.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

LOG="$(mktemp "${TMPDIR:-/tmp}/backoffice-test.XXXXXX")"
PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/backoffice-pg.XXXXXX")"
cleanup() { scripts/postgres.sh stop "$PG_DIR"; rm -rf "$PG_DIR" "$LOG"; }
trap cleanup EXIT

ensure_frontend_tools
apt_install chromium python3-aiosmtpd
export CHROMIUM_PATH=/usr/bin/chromium
# The API and browser tests start their own SMTP catcher with Debian's
# Python, whatever python3 comes first on PATH.
export BACKOFFICE_TEST_PYTHON=/usr/bin/python3
# They also start their own OpenID provider, e2e/idp/idp.mjs, with `node`:
# its package (oidc-provider) came with the npm ci of ensure_frontend_tools.

say "formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

say "unit and API tests on SQLite"
cargo test -p shared -p backoffice -p frontend 2>&1 | tee -a "$LOG"

say "API tests on PostgreSQL"
BACKOFFICE_TEST_POSTGRES_URL="$(scripts/postgres.sh start "$PG_DIR")"
export BACKOFFICE_TEST_POSTGRES_URL
cargo test -p backoffice --test api 2>&1 | tee -a "$LOG"
unset BACKOFFICE_TEST_POSTGRES_URL

say "browser tests"
scripts/build-frontend.sh
# The budget: the whole web app, every screen, under 250 KB gzipped.
web_app_bytes=0
for f in dist/*; do web_app_bytes=$((web_app_bytes + $(gzip -9 -c "$f" | wc -c))); done
echo "web app: $web_app_bytes bytes gzipped (budget 250,000)"
if ((web_app_bytes > 250000)); then
  echo "the web app is over its size budget" >&2
  exit 1
fi
cargo build -p backoffice
(cd e2e && npx playwright test) 2>&1 | tee -a "$LOG"

# One closing line over all runners.
sum() { grep -oE "$1" "$LOG" | grep -oE '[0-9]+' | awk '{ n += $1 } END { print n + 0 }'; }
echo "all suites: $(sum '(test result: ok\. |^ +)[0-9]+ passed') passed, $(sum '[0-9]+ failed') failed"
