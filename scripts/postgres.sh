#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests, on a free loopback
# port with a temporary data folder, and prints its URL. Installs Debian's
# postgresql when missing. Usage:
#   url=$(scripts/postgres.sh start DIR)   # DIR: an empty scratch folder
#   scripts/postgres.sh stop DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

run_as_db_user() {
  # initdb refuses root: as root, run the server as the postgres user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

case "$cmd" in
  start)
    [ -n "$(pg_bin)" ] || apt_install postgresql
    bin="$(pg_bin)"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    run_as_db_user "$bin/initdb" -D "$dir/data" --auth=trust -U postgres -E UTF8 >/dev/null
    run_as_db_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    bin="$(pg_bin)"
    [ -d "$dir/data" ] && run_as_db_user "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
