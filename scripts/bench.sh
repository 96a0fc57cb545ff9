#!/usr/bin/env bash
# The benchmark: login throughput against the raw argon2 rate, in rounds
# that alternate the two (this machine's hashing speed drifts by a third
# within seconds, as it is shared), on every core and again pinned to one
# core; the server's memory; /me throughput and latency; the frontend's
# download size. One table on standard output at the end (progress and the
# raw tool output go to standard error). See BENCHMARKS.md for each figure.
#
#   scripts/bench.sh                    # SQLite in a temporary folder
#   scripts/bench.sh --postgres         # a throwaway PostgreSQL (scripts/postgres.sh)
#   BENCH_DATABASE_URL=postgres://... scripts/bench.sh
#   scripts/bench.sh --compare-logging  # also /me with request logging on (BACKOFFICE_LOG=info)
#
# Settings (environment): BENCH_DURATION (seconds per load run, default 15,
# at least 15 for a reportable figure), BENCH_ROUNDS (steady login runs
# wanted per setting, each between two raw hashing runs, default 3; see
# login_rounds), BENCH_MAX_ROUNDS (runs at most, default twice that),
# BENCH_STEADY_PERCENT (default 10), BENCH_CONNECTIONS (default 64),
# BENCH_WRK_THREADS (default 2), BENCH_HASH_SECONDS (default 5),
# BENCH_POOL_SIZE (BACKOFFICE_DATABASE_POOL_SIZE, default 16),
# BENCH_ONE_CORE (the core for the pinned runs, default 0; "off" skips them).
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
ROUNDS="${BENCH_ROUNDS:-3}"
MAX_ROUNDS="${BENCH_MAX_ROUNDS:-$((2 * ROUNDS))}"
STEADY_PERCENT="${BENCH_STEADY_PERCENT:-10}"
ONE_CORE="${BENCH_ONE_CORE:-0}"
POOL_SIZE="${BENCH_POOL_SIZE:-16}"
DATABASE_URL="${BENCH_DATABASE_URL:-}"
COMPARE_LOGGING="${BENCH_COMPARE_LOGGING:-}"
START_POSTGRES=""

for arg in "$@"; do
  case "$arg" in
    --postgres) START_POSTGRES=1 ;;
    --compare-logging) COMPARE_LOGGING=1 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
say "building the release server and the hashing bench"
cargo build --release -p backoffice --quiet
BIN="$ROOT/target/release/backoffice"
HASH_BENCH="$(cargo bench --no-run -p backoffice --bench password_hashing 2>&1 \
  | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -n 1)"
case "$HASH_BENCH" in /*) ;; *) HASH_BENCH="$ROOT/$HASH_BENCH" ;; esac
[ -x "$HASH_BENCH" ] || { echo "cannot find the hashing bench binary" >&2; exit 1; }

# pinned CORE COMMAND...: COMMAND on that core only, or as it is when CORE is empty.
pinned() {
  local core="$1"; shift
  if [ -n "$core" ]; then taskset -c "$core" "$@"; else "$@"; fi
}

# raw_argon2 LABEL [CORE]: the hashing bench (the one-thread figures and
# then one thread per core, or one thread pinned to CORE); sets RAW_TOTAL
# and friends.
raw_argon2() {
  local label="$1" core="${2:-}" line
  say "raw argon2 throughput, $label (${HASH_SECONDS} s${core:+ on core $core})"
  (
    export BENCH_SECONDS="$HASH_SECONDS"
    if [ -n "$core" ]; then export BENCH_THREADS=1; fi
    pinned "$core" "$HASH_BENCH" --bench
  ) | tee "$WORK/argon2-$label.txt" >&2
  line="$(grep '^BENCH_ARGON2 ' "$WORK/argon2-$label.txt" | tail -n 1)"
  [ -n "$line" ] || { echo "the hashing bench printed no BENCH_ARGON2 line" >&2; exit 1; }
  HASH_THREADS="$(field threads <<<"$line")"
  RAW_TOTAL="$(field total_per_s <<<"$line")"
  HASH_MS="$(field single_hash_ms <<<"$line")"
  VERIFY_MS="$(field single_verify_ms <<<"$line")"
}

# --- the server ----------------------------------------------------------------
DATA="$WORK/data"
mkdir -p "$DATA"
PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
USERNAME="loadtest"
# /me runs as a second account: the login run leaves thousands of live
# sessions on the first, which no real account has (docs/decisions/0006).
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
# start_server LOG_LEVEL [CORE]: starts the server (on CORE only, if given)
# on a free loopback port and waits until it answers; sets SERVER_PID and
# PORT.
start_server() {
  local level="$1" core="${2:-}" log="$WORK/server-$1${2:+-core$2}.log"
  local command=("$BIN" --listen 127.0.0.1:0 --static-dir "$ROOT/dist" serve)
  # taskset execs the server, so $! is the server itself (not a subshell).
  [ -n "$core" ] && command=(taskset -c "$core" "${command[@]}")
  BACKOFFICE_LOG="$level" BACKOFFICE_DATABASE_POOL_SIZE="$POOL_SIZE" "${command[@]}" >"$log" 2>&1 &
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
# Reads /proc with the shell's own `read`, so sampling starts no process
# that would take CPU from the load being measured.
sample_peak_rss() {
  local pid="$1" out="$2" peak=0 key value _ tick
  exec {tick}<> <(:) # a pipe nobody writes to: `read -t` on it is a sleep without a process
  echo 0 >"$out"
  while [ -r "/proc/$pid/status" ]; do
    while read -r key value _; do
      if [ "$key" = "VmRSS:" ]; then
        if [ "$value" -gt "$peak" ]; then peak="$value"; echo "$peak" >"$out"; fi
        break
      fi
    done <"/proc/$pid/status" 2>/dev/null || break
    read -r -t 0.1 -u "$tick" _ || true
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

# run_wrk NAME SCRIPT PATH [CORE]: the load, bounded in time, on loopback
# only (one wrk thread on CORE, if given).
run_wrk() {
  local name="$1" script="$2" path="$3" core="${4:-}" threads="$WRK_THREADS"
  [ -n "$core" ] && threads=1
  pinned "$core" wrk --threads "$threads" --connections "$CONNECTIONS" --duration "${DURATION}s" \
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
# median NUMBER...: the middle one (the mean of the middle two for an even count).
median() {
  printf '%s\n' "$@" | sort -g \
    | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.1f", v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
socket_errors() {
  echo $(( $(field connect_errors <<<"$1") + $(field read_errors <<<"$1") + $(field write_errors <<<"$1") + $(field timeouts <<<"$1") ))
}

# steady A B: whether two raw figures are within STEADY_PERCENT of the
# larger, i.e. the machine held its hashing speed across the run between.
steady() { awk "BEGIN { a = $1; b = $2; m = (a > b ? a : b); exit !(m > 0 && (a > b ? a - b : b - a) <= m * $STEADY_PERCENT / 100) }"; }

# login_rounds SETTING [CORE]: login runs against the running server, each
# between two raw hashing runs (all on CORE, if given), so that every run
# is held against the hashing speed of the moments around it. A run whose
# two raw figures differ by more than STEADY_PERCENT met a change of the
# machine's speed; runs go on until BENCH_ROUNDS are steady or
# BENCH_MAX_ROUNDS were made. Sets, prefixed with SETTING_: RATE (2xx/s
# over all runs), RATIO (the median of the steady runs' ratios, or of all
# runs if none was steady), STEADY ("N of M"), RUNS (each run's rate and
# ratio, unsteady ones marked ~), RAWS (the raw figures in order), NON2XX
# and ERRORS (all runs), LATENCY (p50 / p99 of the last run) and CPU_* (the
# CPU split of the last run).
login_rounds() {
  local setting="$1" core="${2:-}" round=0 result rate ratio raw_before bad mark
  local ok=0 seconds=0 non2xx=0 errors=0 runs="" raws="" ratios=() steady_ratios=()
  raw_argon2 "$setting-0" "$core"
  raw_before="$RAW_TOTAL"; raws="$RAW_TOTAL"
  while [ "${#steady_ratios[@]}" -lt "$ROUNDS" ] && [ "$round" -lt "$MAX_ROUNDS" ]; do
    round=$((round + 1))
    say "login ($setting), run $round (steady so far: ${#steady_ratios[@]} of $ROUNDS wanted, at most $MAX_ROUNDS runs): $CONNECTIONS connections for ${DURATION}s${core:+ on core $core}"
    cpu_begin
    result="$(run_wrk "login-$setting-$round" "$WORK/login.lua" /api/v1/auth/login "$core")"
    cpu_end "${setting}_CPU"
    rate="$(ok_per_second "$result")"
    raw_argon2 "$setting-$round" "$core"
    ratio="$(calc "100 * $rate / (($raw_before + $RAW_TOTAL) / 2)")"
    ratios+=("$ratio")
    if steady "$raw_before" "$RAW_TOTAL"; then
      steady_ratios+=("$ratio"); mark=""
    else
      mark="~"
    fi
    runs="$runs${runs:+, }$rate $mark$ratio%"
    raws="$raws / $RAW_TOTAL"
    raw_before="$RAW_TOTAL"
    bad="$(field non2xx <<<"$result")"
    [ "$bad" = 0 ] && bad="$(field status_errors <<<"$result")"
    ok=$((ok + $(field requests <<<"$result") - bad))
    seconds="$(calc "$seconds + $(field duration_us <<<"$result") / 1000000")"
    non2xx=$((non2xx + bad))
    errors=$((errors + $(socket_errors "$result")))
  done
  printf -v "${setting}_RATE" '%s' "$(calc "$ok / $seconds")"
  if [ "${#steady_ratios[@]}" -gt 0 ]; then
    printf -v "${setting}_RATIO" '%s' "$(median "${steady_ratios[@]}")"
  else
    printf -v "${setting}_RATIO" '%s' "$(median "${ratios[@]}")"
  fi
  printf -v "${setting}_STEADY" '%s' "${#steady_ratios[@]} of $round"
  printf -v "${setting}_RUNS" '%s' "$runs"
  printf -v "${setting}_RAWS" '%s' "$raws"
  printf -v "${setting}_NON2XX" '%s' "$non2xx"
  printf -v "${setting}_ERRORS" '%s' "$errors"
  printf -v "${setting}_LATENCY" '%s' "$(ms "$(field p50_us <<<"$result")") / $(ms "$(field p99_us <<<"$result")") ms"
}

sample_peak_rss "$SERVER_PID" "$WORK/peak-rss" &
SAMPLER_PID=$!
login_rounds ALL
ALL_HASH_THREADS="$HASH_THREADS"
HASH_MS_FIRST="$(grep '^BENCH_ARGON2 ' "$WORK/argon2-ALL-0.txt" | field single_hash_ms)"
VERIFY_MS_FIRST="$(grep '^BENCH_ARGON2 ' "$WORK/argon2-ALL-0.txt" | field single_verify_ms)"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
PEAK_RSS="$(cat "$WORK/peak-rss")"
HWM="$(rss_kib "$SERVER_PID" VmHWM)"

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
ME_ERRORS="$(socket_errors "$ME")"
ME_PEAK_HWM="$(rss_kib "$SERVER_PID" VmHWM)"
stop_server

# --- 2b. the same on one core ------------------------------------------------------
# Both of this machine's cores may be threads of one physical core, shared
# with other machines, so the all-core hashing rate moves by a third within
# seconds. On one core, with the server, wrk and the raw bench pinned to
# it, the figures hold still: what a sign-in costs beyond its hash shows.
if [ "$ONE_CORE" != off ]; then
  command -v taskset >/dev/null || apt_install util-linux
  say "starting the release server on core $ONE_CORE"
  start_server warn "$ONE_CORE"
  [ -n "$(login_token "$USERNAME")" ] || { echo "the warm-up login failed" >&2; exit 1; }
  login_rounds ONE "$ONE_CORE"
  stop_server
fi


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
# Every file of dist/, as the 250,000-byte budget counts (scripts/test.sh).
frontend_files() { find "$ROOT/dist" -maxdepth 1 -type f 2>/dev/null | sort; }
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
  row "argon2id single thread, hash / verify" "$HASH_MS_FIRST / $VERIFY_MS_FIRST ms" "" ""
  echo "all cores: login runs, each between two raw hashing runs; ~ marks a run whose raw figures differ by over $STEADY_PERCENT %"
  row "  argon2id raw, $ALL_HASH_THREADS threads, in order" "$ALL_RAWS /s" "" ""
  row "  POST /auth/login, 2xx, all runs" "$ALL_RATE /s" ">= 155 /s" "$(verdict "$(ge "$ALL_RATE" 155)")"
  row "  each run: 2xx/s, % of the raw around it" "$ALL_RUNS" "" ""
  row "  steady runs (raw around them within $STEADY_PERCENT %)" "$ALL_STEADY" "" ""
  row "  login / raw argon2, median of steady runs" "$ALL_RATIO %" ">= 85 %" "$(verdict "$(ge "$ALL_RATIO" 85)")"
  row "  login non-2xx / socket errors" "$ALL_NON2XX / $ALL_ERRORS" "0 / 0" "$(verdict "$(zero_and_zero "$ALL_NON2XX" "$ALL_ERRORS")")"
  row "  login latency p50 / p99, last run" "$ALL_LATENCY" "" ""
  row "  cores: server/wrk/postgres/other/idle" "$ALL_CPU_SERVER/$ALL_CPU_LOADGEN/$ALL_CPU_DB/$ALL_CPU_OTHER/$ALL_CPU_IDLE" "" ""
  if [ "$ONE_CORE" != off ]; then
    echo "one core (taskset -c $ONE_CORE: server, wrk and raw bench): runs alike"
    row "  argon2id raw, 1 thread, in order" "$ONE_RAWS /s" "" ""
    row "  POST /auth/login, 2xx, all runs" "$ONE_RATE /s" "" ""
    row "  each run: 2xx/s, % of the raw around it" "$ONE_RUNS" "" ""
    row "  steady runs (raw around them within $STEADY_PERCENT %)" "$ONE_STEADY" "" ""
    row "  login / raw argon2, median of steady runs" "$ONE_RATIO %" ">= 85 %" "$(verdict "$(ge "$ONE_RATIO" 85)")"
    row "  login non-2xx / socket errors" "$ONE_NON2XX / $ONE_ERRORS" "0 / 0" "$(verdict "$(zero_and_zero "$ONE_NON2XX" "$ONE_ERRORS")")"
    row "  cores: server/wrk/postgres/other/idle" "$ONE_CPU_SERVER/$ONE_CPU_LOADGEN/$ONE_CPU_DB/$ONE_CPU_OTHER/$ONE_CPU_IDLE" "" ""
  fi
  row "server RSS idle: at start / after one login" "$(kib_to_mib "$START_RSS") / $(kib_to_mib "$IDLE_RSS") MiB" "" ""
  row "server RSS peak under login, all cores" "$(kib_to_mib "$PEAK_RSS") MiB" "< 74 MiB" "$(verdict "$(lt "$PEAK_RSS" $((74 * 1024)))")"
  row "server VmHWM after the login runs" "$(kib_to_mib "$HWM") MiB" "< 74 MiB" "$(verdict "$(lt "$HWM" $((74 * 1024)))")"
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
    row "web app (dist/), gzip -9" "not built" "" ""
  else
    for line in "${FRONTEND_ROWS[@]}"; do echo "$line"; done
    row "web app (dist/), gzip -9, total" "$FRONTEND_TOTAL bytes" "< 250,000" ""
  fi
  echo
  echo "(took $((SECONDS - BEGAN)) s)"
}
