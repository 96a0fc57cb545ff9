#!/usr/bin/env bash
# The reset request's latency under load, with a healthy mail server and
# with one that accepts connections and never answers (a tarpit): p50 and
# p99 of `POST /api/v1/password-resets` at 32 concurrent clients, for
# usernames that exist (with email) and usernames that do not. The answer
# should move with neither: the request only counts and queues, and the
# mail leaves from the outbox later. Runs alternate healthy and tarpit, so
# a drift of this shared machine's speed hits both alike.
#
#   scripts/bench-reset.sh               # SQLite in a temporary folder
#   scripts/bench-reset.sh --postgres    # a throwaway PostgreSQL
#
# Settings (environment): BENCH_DURATION (seconds per wrk run, default 10),
# BENCH_ROUNDS (healthy/tarpit pairs, default 2), BENCH_CONNECTIONS
# (default 32), BENCH_ACCOUNTS (accounts with email, default 50).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

DURATION="${BENCH_DURATION:-10}"
ROUNDS="${BENCH_ROUNDS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
ACCOUNTS="${BENCH_ACCOUNTS:-50}"
START_POSTGRES=""
for arg in "$@"; do
  case "$arg" in
    --postgres) START_POSTGRES=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/backoffice-bench-reset.XXXXXX")"
PIDS=()
PG_DIR=""
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$PG_DIR" ]; then "$ROOT/scripts/postgres.sh" stop "$PG_DIR" || true; rm -rf "$PG_DIR"; fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_rust
command -v wrk >/dev/null || apt_install wrk
command -v curl >/dev/null || apt_install curl
apt_install python3-aiosmtpd
PY=/usr/bin/python3

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "nothing listens on $1" >&2; exit 1; }

if [ -n "$START_POSTGRES" ]; then
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/backoffice-bench-pg.XXXXXX")"
  say "starting a throwaway PostgreSQL"
  export BACKOFFICE_DATABASE_URL="$("$ROOT/scripts/postgres.sh" start "$PG_DIR")"
  LABEL=PostgreSQL
else
  LABEL=SQLite
fi

say "building the release server"
cargo build --release -p backoffice --quiet
BIN="$ROOT/target/release/backoffice"
export BACKOFFICE_DATA_DIR="$WORK/data" BACKOFFICE_LOG=warn
# Limits high enough that the load is mostly counted and queued, not refused
# (a refused request does a little less work; see the flow).
export BACKOFFICE_RESET_ACCOUNT_LIMIT=100 BACKOFFICE_RESET_ADDRESS_LIMIT=10000

say "creating tenant bench and $ACCOUNTS accounts with email ($LABEL)"
"$BIN" tenant create bench --name Bench >/dev/null
for n in $(seq 0 $((ACCOUNTS - 1))); do
  echo "bench-passphrase-$n-long-enough" | "$BIN" user create --tenant bench "person$n" --first-name Person \
    --role ADMINISTRATOR --email "person$n@bench.example" >/dev/null
done

# The healthy mail server, and the tarpit: accepts, never says a word.
HEALTHY_PORT="$(free_port)"
"$PY" -m aiosmtpd -n -l "127.0.0.1:$HEALTHY_PORT" -c aiosmtpd.handlers.Sink &
PIDS+=($!)
TARPIT_PORT="$(free_port)"
"$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024); held = []
while True:
    held.append(s.accept()[0])
' "$TARPIT_PORT" &
PIDS+=($!)
wait_port "$HEALTHY_PORT"; wait_port "$TARPIT_PORT"

cat >"$WORK/reset.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local known = os.getenv("BENCH_KNOWN") == "1"
local accounts = $ACCOUNTS
local n = 0
request = function()
  n = n + 1
  local name
  if known then
    name = "person" .. math.random(0, accounts - 1)
  else
    name = "nobody-" .. math.random(1, 1000000000) .. "-" .. n
  end
  return wrk.format(nil, nil, nil, '{"username":"' .. name .. '"}')
end
function done(summary, latency, requests)
  io.write(string.format("WRK_RESULT requests=%d duration_us=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
LUA

field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p"; }
RESULTS="$WORK/results.txt"
: >"$RESULTS"

# run MAILSERVER PORT: one server with that mail server, a known and an
# unknown run against it.
run() {
  local name="$1" port="$2" log="$WORK/server-$1.log" server_port=""
  BACKOFFICE_SMTP_URL="smtp://127.0.0.1:$port" "$BIN" --listen 127.0.0.1:0 serve >"$log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 200); do
    server_port="$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$log" | head -n 1)"
    [ -n "$server_port" ] && curl -fsS -o /dev/null "http://127.0.0.1:$server_port/healthz" && break
    sleep 0.1
  done
  [ -n "$server_port" ] || { cat "$log" >&2; exit 1; }
  for known in 1 0; do
    local who; who=$([ "$known" = 1 ] && echo existing || echo unknown)
    say "$name mail server, $who usernames: ${DURATION} s at $CONNECTIONS clients"
    BENCH_KNOWN="$known" wrk --threads 2 --connections "$CONNECTIONS" --duration "${DURATION}s" \
      --timeout 5s --latency --script "$WORK/reset.lua" -H "Host: bench.localhost" \
      "http://127.0.0.1:$server_port/api/v1/password-resets" >"$WORK/wrk.txt"
    local line; line="$(grep '^WRK_RESULT ' "$WORK/wrk.txt")"
    echo "$name $who $line" >>"$RESULTS"
    echo "  $line" >&2
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for round in $(seq 1 "$ROUNDS"); do
  run healthy "$HEALTHY_PORT"
  run tarpit "$TARPIT_PORT"
done

echo
echo "POST /api/v1/password-resets, $LABEL, $CONNECTIONS clients, ${DURATION} s per run, $ROUNDS rounds (medians over rounds)"
printf '%-10s %-9s %10s %9s %9s %7s\n' "mail" "usernames" "requests/s" "p50 ms" "p99 ms" "errors"
for name in healthy tarpit; do
  for who in existing unknown; do
    grep "^$name $who " "$RESULTS" | awk '
      function med(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      }
      {
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        n++; rps[n] = v["requests"] / (v["duration_us"] / 1e6); p50[n] = v["p50_us"] / 1000; p99[n] = v["p99_us"] / 1000; err += v["errors"]
      }
      END { printf "%-10s %-9s %10.0f %9.2f %9.2f %7d\n", "'"$name"'", "'"$who"'", med(rps, n), med(p50, n), med(p99, n), err }'
  done
done
