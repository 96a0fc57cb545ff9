#!/usr/bin/env bash
# Builds the web app (frontend/) into dist/, which `backoffice serve` serves.
# Idempotent: installs only what is missing (the wasm32 target, trunk
# 0.21.14, the wasm-bindgen-cli of Cargo.lock's wasm-bindgen, and wasm-opt
# from npm `binaryen`, via scripts/lib.sh), fetches crates so Trunk can build
# offline, then runs a release build; Trunk and cargo skip work already done.
# Extra arguments go to `trunk build`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_frontend_tools

# Trunk.toml sets `offline = true`, which passes --offline to cargo.
say "fetching crates"
cargo fetch --quiet

# wasm-opt 132 from node_modules first, never another one found on PATH.
say "building the web app (trunk build --release)"
PATH="$ROOT/node_modules/.bin:$PATH" trunk build --release "$@"

# The strict CSP forbids inline code: fail the build if any slipped in.
if grep -Eio '<script[^>]*>' dist/index.html | grep -qv 'src=' \
  || grep -Eiq '<style|[[:space:]]style=' dist/index.html; then
  echo "dist/index.html has an inline script or style, which the CSP blocks" >&2
  exit 1
fi
say "web app built into dist/"
