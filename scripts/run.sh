#!/usr/bin/env bash
# The one run command. Installs what is missing, builds the web app and the
# server (release), and starts `backoffice serve` on http://localhost:8080
# with SQLite in ./data. The first start prints the administrator's
# password once. Extra arguments go to `backoffice` before `serve`
# (e.g. scripts/run.sh --listen 0.0.0.0:8080).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_frontend_tools
scripts/build-frontend.sh
say "building the server (release)"
cargo build --release -p backoffice
say "starting: open http://localhost:8080 (tenants: http://<tenant>.localhost:8080)"
exec target/release/backoffice "$@" serve
