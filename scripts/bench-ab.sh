#!/usr/bin/env bash
# A/B comparison of two server builds on GET /api/v1/me, in alternating
# runs (A, B, A, B, …), so that this machine's drifting speed weighs on both
# alike. Each build gets its own database (same kind), one tenant and one
# administrator, and serves on its own loopback port; both run throughout,
# but only one is loaded at a time.
#
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY            # SQLite
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY --postgres # a throwaway PostgreSQL
#
# Settings: BENCH_ROUNDS (pairs, default 5), BENCH_DURATION (seconds per
# run, default 10), BENCH_CONNECTIONS (64), BENCH_POOL_SIZE (16).
# Prints one line per run and the median of each side.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

A_BIN="$(realpath "${1:?usage: $0 OLD_BINARY NEW_BINARY [--postgres]}")"
B_BIN="$(realpath "${2:?usage: $0 OLD_BINARY NEW_BINARY [--postgres]}")"
POSTGRES="${3:-}"
ROUNDS="${BENCH_ROUNDS:-5}"
DURATION="${BENCH_DURATION:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
POOL_SIZE="${BENCH_POOL_SIZE:-16}"
command -v wrk >/dev/null || apt_install wrk
command -v curl >/dev/null || apt_install curl

WORK="$(mktemp -d "${TMPDIR:-/tmp}/backoffice-ab.XXXXXX")"
PIDS=()
PG_DIR=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$PG_DIR" ]; then scripts/postgres.sh stop "$PG_DIR" || true; rm -rf "$PG_DIR"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$POSTGRES" = "--postgres" ]; then
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/backoffice-ab-pg.XXXXXX")"
  PG_URL="$(scripts/postgres.sh start "$PG_DIR")"
  PG_BASE="${PG_URL%/*}"
  for side in a b; do psql -q "$PG_URL" -c "CREATE DATABASE ab_$side"; done
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start SIDE BINARY: seeds and starts one server; sets PORT_<SIDE>, TOKEN_<SIDE>.
start() {
  local side="$1" bin="$2" port data url=""
  data="$WORK/$side"; mkdir -p "$data"
  port="$(free_port)"
  if [ -n "$PG_DIR" ]; then url="$PG_BASE/ab_$side"; fi
  (
    export BACKOFFICE_DATA_DIR="$data" BACKOFFICE_DATABASE_URL="$url" BACKOFFICE_LOG=warn
    "$bin" tenant create bench --name Bench >/dev/null
    echo "a long bench passphrase" | "$bin" user create --tenant bench metest \
      --first-name Me --role ADMINISTRATOR >/dev/null
  )
  BACKOFFICE_DATA_DIR="$data" BACKOFFICE_DATABASE_URL="$url" BACKOFFICE_LOG=warn \
    BACKOFFICE_DATABASE_POOL_SIZE="$POOL_SIZE" BACKOFFICE_DEFAULT_TENANT="" \
    "$bin" serve --listen "127.0.0.1:$port" >"$WORK/$side.log" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local token
  token="$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H "Host: bench.localhost:$port" \
    -H 'Content-Type: application/json' \
    -d '{"username":"metest","password":"a long bench passphrase","token_delivery":"body"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
  cat >"$WORK/$side.lua" <<EOF
wrk.method = "GET"
wrk.headers["Host"] = "bench.localhost:$port"
wrk.headers["Authorization"] = "Bearer $token"
EOF
  printf -v "PORT_$side" '%s' "$port"
}

start a "$A_BIN"
start b "$B_BIN"

run() { # run SIDE: prints "requests/s p99_ms"
  local side="$1" port_var="PORT_$1"
  wrk --threads 2 --connections "$CONNECTIONS" --duration "${DURATION}s" --latency \
    -s "$WORK/$side.lua" "http://127.0.0.1:${!port_var}/api/v1/me" >"$WORK/$side.out"
  local rate p99
  rate="$(awk '/^Requests\/sec/ { print $2 }' "$WORK/$side.out")"
  p99="$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }' "$WORK/$side.out")"
  echo "$rate $p99"
}

echo "GET /api/v1/me, $CONNECTIONS connections, ${DURATION}s per run, ${POSTGRES:-SQLite}, pool $POOL_SIZE"
echo "A = $A_BIN"
echo "B = $B_BIN"
: >"$WORK/a.rates"; : >"$WORK/b.rates"
for round in $(seq "$ROUNDS"); do
  for side in a b; do
    read -r rate p99 < <(run "$side")
    echo "$rate $p99" >>"$WORK/$side.rates"
    printf 'round %s %s: %10.1f req/s  p99 %6.2f ms\n' "$round" "${side^^}" "$rate" "$p99"
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for side in a b; do
  printf '%s: median %.1f req/s, median p99 %.2f ms\n' "${side^^}" \
    "$(cut -d' ' -f1 "$WORK/$side.rates" | median)" "$(cut -d' ' -f2 "$WORK/$side.rates" | median)"
done
