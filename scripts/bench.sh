#!/usr/bin/env bash
# The benchmark: raw argon2 throughput (before and after the login load, as
# the machine's speed drifts when it is shared), login and /me throughput
# against the release server, its memory, and the frontend's download size,
# printed as one table on standard output at the end (progress and the raw
# tool output go to standard error). See BENCHMARKS.md for what each means.
#
#   scripts/bench.sh                    # SQLite in a temporary folder
#   scripts/bench.sh --postgres         # a throwaway PostgreSQL (scripts/postgres.sh)
#   BENCH_DATABASE_URL=postgres://... scripts/bench.sh
#   scripts/bench.sh --compare-logging  # also /me with request logging on (BACKOFFICE_LOG=info)
#
# Settings (environment): BENCH_DURATION (seconds per load run, default 15,
# at least 15 for a reportable figure), BENCH_CONNECTIONS (default 64),
# BENCH_WRK_THREADS (default 2), BENCH_HASH_SECONDS (default 5),
# BENCH_POOL_SIZE (BACKOFFICE_DATABASE_POOL_SIZE for the server, default 16).
#
# Installs what is missing (wrk, curl via apt). The load targets 127.0.0.1
# only and every run is bounded in time; the server and the memory sampler
# are stopped on exit, whatever happens.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

DURATION="${BENCH_DURATION:-15}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
HASH_SECONDS="${BENCH_HASH_SECONDS:-5}"
POOL_SIZE="${BENCH_POOL_SIZE:-16}"
DATABASE_URL="${BENCH_DATABASE_URL:-}"
COMPARE_LOGGING="${BENCH_COMPARE_LOGGING:-}"
START_POSTGRES=""

for arg in "$@"; do
  case "$arg" in
    --postgres) START_POSTGRES=1 ;;
    --compare-logging) COMPARE_LOGGING=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

BEGAN=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/backoffice-bench.XXXXXX")"
SERVER_PID=""
SAMPLER_PID=""
PG_DIR=""

cleanup() {
  local status=$?
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$PG_DIR" ]; then
    "$ROOT/scripts/postgres.sh" stop "$PG_DIR" || true
    rm -rf "$PG_DIR"
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools -------------------------------------------------------------------
ensure_rust
command -v wrk >/dev/null || apt_install wrk
command -v curl >/dev/null || apt_install curl
command -v awk >/dev/null || apt_install gawk

if [ -n "$START_POSTGRES" ] && [ -z "$DATABASE_URL" ]; then
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/backoffice-bench-pg.XXXXXX")"
  say "starting a throwaway PostgreSQL"
  DATABASE_URL="$("$ROOT/scripts/postgres.sh" start "$PG_DIR")"
fi
if [ -n "$DATABASE_URL" ]; then
  DATABASE_LABEL="PostgreSQL"
  # A database that may be reused: a tenant of its own for every run.
  SLUG="bench-$(date +%s)-$$"
else
  DATABASE_LABEL="SQLite"
  SLUG="bench"
fi

# Floating-point arithmetic: calc 'EXPRESSION' (awk syntax).
calc() { awk "BEGIN { printf \"%.1f\", $1 }"; }
# field NAME < line: the value of NAME=value in a key=value line.
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p"; }
kib_to_mib() { calc "$1 / 1024"; }

# --- 1. raw argon2 throughput --------------------------------------------------
say "building the release server"
cargo build --release -p backoffice --quiet
BIN="$ROOT/target/release/backoffice"

# raw_argon2 LABEL: runs the hashing bench; sets RAW_TOTAL and friends.
raw_argon2() {
  say "raw argon2 throughput, $1 (cargo bench, ${HASH_SECONDS} s on every core)"
  BENCH_SECONDS="$HASH_SECONDS" cargo bench --quiet -p backoffice --bench password_hashing \
    | tee "$WORK/argon2-$1.txt" >&2
  local line
  line="$(grep '^BENCH_ARGON2 ' "$WORK/argon2-$1.txt" | tail -n 1)"
  [ -n "$line" ] || { echo "the hashing bench printed no BENCH_ARGON2 line" >&2; exit 1; }
  HASH_THREADS="$(field threads <<<"$line")"
  RAW_TOTAL="$(field total_per_s <<<"$line")"
  RAW_PER_CORE="$(field per_core_per_s <<<"$line")"
  HASH_MS="$(field single_hash_ms <<<"$line")"
  VERIFY_MS="$(field single_verify_ms <<<"$line")"
}
raw_argon2 before
HASH_TOTAL_BEFORE="$RAW_TOTAL"; HASH_PER_CORE_BEFORE="$RAW_PER_CORE"
HASH_MS_BEFORE="$HASH_MS"; VERIFY_MS_BEFORE="$VERIFY_MS"

# --- the server ----------------------------------------------------------------
DATA="$WORK/data"
mkdir -p "$DATA"
PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
USERNAME="loadtest"
# /me runs as a second account: the login run leaves thousands of live
# sessions on the first, which no real account has (BENCHMARKS.md).
ME_USERNAME="metest"
export BACKOFFICE_DATA_DIR="$DATA"
if [ -n "$DATABASE_URL" ]; then export BACKOFFICE_DATABASE_URL="$DATABASE_URL"; fi

say "creating tenant $SLUG and users $USERNAME, $ME_USERNAME ($DATABASE_LABEL)"
"$BIN" tenant create "$SLUG" --name "Bench" >/dev/null
for name in "$USERNAME" "$ME_USERNAME"; do
  echo "$PASSWORD" | "$BIN" user create --tenant "$SLUG" "$name" \
    --first-name Load --role ADMINISTRATOR >/dev/null
done

# CPU accounting for one load run, so a busy machine shows in the table:
# cpu_begin, then cpu_end NAME sets NAME_SERVER, NAME_LOADGEN, NAME_DB,
# NAME_OTHER and NAME_IDLE, in cores (out of nproc). The load generator is
# what this shell's finished children used (wrk: `times` must run in this
# shell, a subshell starts from zero, hence the file); the database is the
# throwaway PostgreSQL of --postgres (its postmaster and backends); "other"
# is everything else on the machine, another database included.
clock_ticks="$(getconf CLK_TCK)"
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
process_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
db_ticks() {
  local postmaster total=0 pid
  if [ -z "$PG_DIR" ] || [ ! -f "$PG_DIR/data/postmaster.pid" ]; then echo 0; return; fi
  postmaster="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
  for pid in "$postmaster" $(ps -o pid= --ppid "$postmaster"); do
    total=$((total + $(process_ticks "$pid")))
  done
  echo "$total"
}
# Reads what `times >"$WORK/times.txt"` (run in this shell) wrote.
children_seconds() {
  tail -n 1 "$WORK/times.txt" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}
cpu_begin() {
  read -r CPU_BUSY0 CPU_IDLE0 < <(machine_ticks)
  CPU_SERVER0="$(process_ticks "$SERVER_PID")"
  CPU_DB0="$(db_ticks)"
  times >"$WORK/times.txt"
  CPU_CHILDREN0="$(children_seconds)"
  CPU_T0="$(date +%s.%N)"
}
cpu_end() {
  local busy idle server db children wall
  read -r busy idle < <(machine_ticks)
  server="$(process_ticks "$SERVER_PID")"
  db="$(db_ticks)"
  times >"$WORK/times.txt"
  children="$(children_seconds)"
  wall="$(awk "BEGIN { printf \"%.3f\", $(date +%s.%N) - $CPU_T0 }")"
  local cores="awk -v hz=$clock_ticks -v wall=$wall"
  printf -v "$1_SERVER" '%s' "$($cores "BEGIN { printf \"%.2f\", ($server - $CPU_SERVER0) / hz / wall }")"
  printf -v "$1_DB" '%s' "$($cores "BEGIN { printf \"%.2f\", ($db - $CPU_DB0) / hz / wall }")"
  printf -v "$1_LOADGEN" '%s' "$($cores "BEGIN { printf \"%.2f\", ($children - $CPU_CHILDREN0) / wall }")"
  printf -v "$1_OTHER" '%s' "$($cores "BEGIN { x = ($busy - $CPU_BUSY0 - ($server - $CPU_SERVER0) - ($db - $CPU_DB0)) / hz / wall - ($children - $CPU_CHILDREN0) / wall; printf \"%.2f\", (x < 0 ? 0 : x) }")"
  printf -v "$1_IDLE" '%s' "$($cores "BEGIN { printf \"%.2f\", ($idle - $CPU_IDLE0) / hz / wall }")"
}

PORT=""
# start_server LOG_LEVEL: starts the server on a free loopback port and waits
# until it answers; sets SERVER_PID and PORT.
start_server() {
  local level="$1" log="$WORK/server-$1.log"
  BACKOFFICE_LOG="$level" BACKOFFICE_DATABASE_POOL_SIZE="$POOL_SIZE" \
    "$BIN" --listen 127.0.0.1:0 --static-dir "$ROOT/dist" serve >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    PORT="$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$log" | head -n 1)"
    if [ -n "$PORT" ] && curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz"; then
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; echo "the server exited" >&2; exit 1; }
    sleep 0.1
  done
  cat "$log" >&2; echo "the server did not come up in 20 s" >&2; exit 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

rss_kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# sample_peak_rss PID OUT: every 100 ms, the highest VmRSS so far into OUT.
sample_peak_rss() {
  local pid="$1" out="$2" peak=0 now
  echo 0 >"$out"
  while now="$(rss_kib "$pid" VmRSS 2>/dev/null)" && [ -n "$now" ]; do
    if [ "$now" -gt "$peak" ]; then peak="$now"; echo "$peak" >"$out"; fi
    sleep 0.1
  done
}

# A wrk script: method, body and headers, and a last line of figures
# (WRK_RESULT key=value ...). With count_status, a response() hook counts
# the answers outside 2xx (wrk itself only counts >= 400).
write_wrk_script() {
  local out="$1" method="$2" body="$3" extra_header="$4" count_status="$5"
  {
    echo "wrk.method = \"$method\""
    [ -n "$body" ] && printf 'wrk.body = [[%s]]\n' "$body"
    echo 'wrk.headers["Content-Type"] = "application/json"'
    [ -n "$extra_header" ] && echo "wrk.headers[\"Authorization\"] = \"$extra_header\""
    cat <<'LUA'
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  non2xx = 0
end
LUA
    if [ "$count_status" = 1 ]; then
      cat <<'LUA'
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if non2xx <= 3 then
      io.stderr:write(string.format("non-2xx response %d: %s\n", status, string.sub(body or "", 1, 200)))
    end
  end
end
LUA
    fi
    cat <<'LUA'
function done(summary, latency, requests)
  local non2xx_total = 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d non2xx=%d status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, non2xx_total, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
LUA
  } >"$out"
}

# run_wrk NAME SCRIPT PATH: the load, bounded in time, on loopback only.
run_wrk() {
  local name="$1" script="$2" path="$3"
  wrk --threads "$WRK_THREADS" --connections "$CONNECTIONS" --duration "${DURATION}s" \
    --timeout 5s --latency --script "$script" \
    -H "Host: $SLUG.localhost:$PORT" "http://127.0.0.1:$PORT$path" \
    | tee "$WORK/wrk-$name.txt" >&2
  grep '^WRK_RESULT ' "$WORK/wrk-$name.txt" | tail -n 1
}

# ok_per_second RESULT: 2xx responses per second (non-2xx subtracted when
# counted, else the >= 400 answers wrk counts itself).
ok_per_second() {
  local r="$1" requests bad
  requests="$(field requests <<<"$r")"
  bad="$(field non2xx <<<"$r")"
  [ "$bad" = 0 ] && bad="$(field status_errors <<<"$r")"
  calc "($requests - $bad) / ($(field duration_us <<<"$r") / 1000000)"
}
ms() { calc "$1 / 1000"; }

# login_token USERNAME: an access token for that account.
login_token() {
  curl -fsS -H "Host: $SLUG.localhost:$PORT" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

LOGIN_BODY="{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}"
write_wrk_script "$WORK/login.lua" POST "$LOGIN_BODY" "" 1

say "starting the release server ($DATABASE_LABEL, pool $POOL_SIZE, BACKOFFICE_LOG=warn)"
start_server warn
START_RSS="$(rss_kib "$SERVER_PID" VmRSS)"
TOKEN="$(login_token "$USERNAME")"
[ -n "$TOKEN" ] || { echo "the warm-up login failed" >&2; exit 1; }
sleep 1
IDLE_RSS="$(rss_kib "$SERVER_PID" VmRSS)"

# --- 2 and 3. logins under load, and the memory they take ------------------------
say "login: $CONNECTIONS connections for ${DURATION}s"
sample_peak_rss "$SERVER_PID" "$WORK/peak-rss" &
SAMPLER_PID=$!
cpu_begin
LOGIN="$(run_wrk login "$WORK/login.lua" /api/v1/auth/login)"
cpu_end LOGIN_CPU
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
PEAK_RSS="$(cat "$WORK/peak-rss")"
HWM="$(rss_kib "$SERVER_PID" VmHWM)"
LOGIN_RATE="$(ok_per_second "$LOGIN")"
LOGIN_NON2XX="$(field non2xx <<<"$LOGIN")"
# The machine's speed drifts when it is shared: hash again after the load
# and hold logins against the mean of the two raw figures.
raw_argon2 after
HASH_TOTAL_AFTER="$RAW_TOTAL"; HASH_PER_CORE_AFTER="$RAW_PER_CORE"
HASH_TOTAL="$(calc "($HASH_TOTAL_BEFORE + $HASH_TOTAL_AFTER) / 2")"
HASH_PER_CORE="$(calc "($HASH_PER_CORE_BEFORE + $HASH_PER_CORE_AFTER) / 2")"
LOGIN_RATIO="$(calc "100 * $LOGIN_RATE / $HASH_TOTAL")"

# --- 4. an authenticated read -----------------------------------------------------
TOKEN="$(login_token "$ME_USERNAME")"
[ -n "$TOKEN" ] || { echo "the login for /me failed" >&2; exit 1; }
write_wrk_script "$WORK/me.lua" GET "" "Bearer $TOKEN" 1
say "GET /api/v1/me: $CONNECTIONS connections for ${DURATION}s"
cpu_begin
ME="$(run_wrk me "$WORK/me.lua" /api/v1/me)"
cpu_end ME_CPU
ME_RATE="$(ok_per_second "$ME")"
ME_NON2XX="$(field non2xx <<<"$ME")"
ME_ERRORS="$(( $(field connect_errors <<<"$ME") + $(field read_errors <<<"$ME") + $(field write_errors <<<"$ME") + $(field timeouts <<<"$ME") ))"
LOGIN_ERRORS="$(( $(field connect_errors <<<"$LOGIN") + $(field read_errors <<<"$LOGIN") + $(field write_errors <<<"$LOGIN") + $(field timeouts <<<"$LOGIN") ))"
ME_PEAK_HWM="$(rss_kib "$SERVER_PID" VmHWM)"
stop_server


# --- optional: the cost of request logging -------------------------------------
if [ -n "$COMPARE_LOGGING" ]; then
  say "again with BACKOFFICE_LOG=info (one access log line per request, to a file)"
  start_server info
  TOKEN="$(login_token "$ME_USERNAME")"
  write_wrk_script "$WORK/me-info.lua" GET "" "Bearer $TOKEN" 1
  ME_INFO="$(run_wrk me-info "$WORK/me-info.lua" /api/v1/me)"
  ME_INFO_RATE="$(ok_per_second "$ME_INFO")"
  stop_server
fi

# --- 5. the frontend's download size -------------------------------------------------
frontend_files() { find "$ROOT/dist" -maxdepth 1 -type f \( -name '*.wasm' -o -name '*.js' \) 2>/dev/null | sort; }
if ! frontend_files | grep -q '\.wasm$' && [ -x "$ROOT/scripts/build-frontend.sh" ]; then
  say "dist/ has no .wasm: building the frontend"
  "$ROOT/scripts/build-frontend.sh" >&2
fi
FRONTEND_ROWS=()
FRONTEND_TOTAL=0
while IFS= read -r f; do
  [ -n "$f" ] || continue
  raw="$(wc -c <"$f")"
  gz="$(gzip -9 -c "$f" | wc -c)"
  FRONTEND_TOTAL=$((FRONTEND_TOTAL + gz))
  FRONTEND_ROWS+=("$(printf '%-46s %22s   %s' "dist/$(basename "$f"), gzip -9" "$(calc "$gz / 1024") KiB" "($(calc "$raw / 1024") KiB raw)")")
done < <(frontend_files)

# --- the table -------------------------------------------------------------------------
verdict() { if [ "$1" = 1 ]; then echo "meets"; else echo "MISSES"; fi; }
ge() { awk "BEGIN { exit !($1 >= $2) }" && echo 1 || echo 0; }
lt() { awk "BEGIN { exit !($1 < $2) }" && echo 1 || echo 0; }
row() { printf '%-46s %22s   %-12s %s\n' "$@"; }
zero_and_zero() { [ "$1" = 0 ] && [ "$2" = 0 ] && echo 1 || echo 0; }

P99_MS="$(ms "$(field p99_us <<<"$ME")")"

{
  echo
  echo "Backoffice access benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "server: release build, $DATABASE_LABEL, pool $POOL_SIZE, BACKOFFICE_LOG=warn"
  echo "load: wrk on 127.0.0.1, $CONNECTIONS connections, $WRK_THREADS threads, ${DURATION}s per run, sharing the cores with the server"
  echo
  row "measure" "result" "target" "verdict"
  row "----------------------------------------------" "----------------------" "------------" "-------"
  row "argon2id single thread, hash / verify" "$HASH_MS_BEFORE / $VERIFY_MS_BEFORE ms" "" ""
  row "argon2id raw, $HASH_THREADS threads, before / after" "$HASH_TOTAL_BEFORE / $HASH_TOTAL_AFTER /s" "" ""
  row "argon2id raw, mean: per core / all cores" "$HASH_PER_CORE / $HASH_TOTAL /s" "" ""
  row "POST /auth/login, 2xx" "$LOGIN_RATE /s" ">= 155 /s" "$(verdict "$(ge "$LOGIN_RATE" 155)")"
  row "  login / raw argon2 (all cores, mean)" "$LOGIN_RATIO %" ">= 90 %" "$(verdict "$(ge "$LOGIN_RATIO" 90)")"
  row "  login non-2xx / socket errors" "$LOGIN_NON2XX / $LOGIN_ERRORS" "0 / 0" "$(verdict "$(zero_and_zero "$LOGIN_NON2XX" "$LOGIN_ERRORS")")"
  row "  login latency p50 / p99" "$(ms "$(field p50_us <<<"$LOGIN")") / $(ms "$(field p99_us <<<"$LOGIN")") ms" "" ""
  row "  cores: server/wrk/postgres/other/idle" "$LOGIN_CPU_SERVER/$LOGIN_CPU_LOADGEN/$LOGIN_CPU_DB/$LOGIN_CPU_OTHER/$LOGIN_CPU_IDLE" "" ""
  row "server RSS idle: at start / after one login" "$(kib_to_mib "$START_RSS") / $(kib_to_mib "$IDLE_RSS") MiB" "" ""
  row "server RSS peak under login (100 ms samples)" "$(kib_to_mib "$PEAK_RSS") MiB" "< 74 MiB" "$(verdict "$(lt "$PEAK_RSS" $((74 * 1024)))")"
  row "server VmHWM after the login run" "$(kib_to_mib "$HWM") MiB" "< 74 MiB" "$(verdict "$(lt "$HWM" $((74 * 1024)))")"
  row "GET /me, 2xx" "$ME_RATE /s" ">= 13000 /s" "$(verdict "$(ge "$ME_RATE" 13000)")"
  row "  /me latency p50 / p99" "$(ms "$(field p50_us <<<"$ME")") / $P99_MS ms" "p99 < 10 ms" "$(verdict "$(lt "$P99_MS" 10)")"
  row "  /me non-2xx / socket errors" "$ME_NON2XX / $ME_ERRORS" "0 / 0" "$(verdict "$(zero_and_zero "$ME_NON2XX" "$ME_ERRORS")")"
  row "  cores: server/wrk/postgres/other/idle" "$ME_CPU_SERVER/$ME_CPU_LOADGEN/$ME_CPU_DB/$ME_CPU_OTHER/$ME_CPU_IDLE" "" ""
  row "server VmHWM at the end" "$(kib_to_mib "$ME_PEAK_HWM") MiB" "< 74 MiB" "$(verdict "$(lt "$ME_PEAK_HWM" $((74 * 1024)))")"
  if [ -n "$COMPARE_LOGGING" ]; then
    row "GET /me with BACKOFFICE_LOG=info, 2xx" "$ME_INFO_RATE /s" "" "$(calc "100 * $ME_INFO_RATE / $ME_RATE") % of warn"
    row "  /me latency p50 / p99 with info" "$(ms "$(field p50_us <<<"$ME_INFO")") / $(ms "$(field p99_us <<<"$ME_INFO")") ms" "" ""
  fi
  if [ ${#FRONTEND_ROWS[@]} -eq 0 ]; then
    row "frontend .wasm + .js, gzip -9" "not built" "" ""
  else
    for line in "${FRONTEND_ROWS[@]}"; do echo "$line"; done
    row "frontend .wasm + .js, gzip -9, total" "$(calc "$FRONTEND_TOTAL / 1024") KiB" "" ""
  fi
  echo
  echo "(took $((SECONDS - BEGAN)) s)"
}
