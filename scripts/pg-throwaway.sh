#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite (the SQL push-down test).
#
#   scripts/pg-throwaway.sh start      creates a cluster in a new directory under $TMPDIR (or
#                                      /tmp), starts it and prints that directory; connect with
#                                      psql -X -h DIR -U postgres -d postgres
#   scripts/pg-throwaway.sh stop DIR   stops it and removes DIR
#   scripts/pg-throwaway.sh check      exit 0 when the server binaries are installed
#
# The server listens on a Unix socket in DIR only (listen_addresses=''): no TCP port, so nothing
# can collide with another server or test run, and nothing is reachable from outside. Trust
# authentication, fsync off: a scratch database for tests, never for data. PostgreSQL refuses
# to run as root; as root the cluster belongs to the 'postgres' user (created by Debian's
# package; 'nobody' otherwise) and its commands run through runuser.
set -euo pipefail

find_bindir() {
    local d
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    return 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

OWNER=postgres
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then OWNER=nobody; fi

case "${1:-}" in
check)
    find_bindir >/dev/null
    ;;
start)
    bin=$(find_bindir) || { echo "pg-throwaway: PostgreSQL's server programs (initdb, pg_ctl) are not installed; install the Debian package 'postgresql' (make setup-postgres)" >&2; exit 3; }
    dir=$(mktemp -d "${TMPDIR:-/tmp}/clvfit-pg.XXXXXX")
    chmod 700 "$dir"
    if [ "$(id -u)" = 0 ]; then chown "$OWNER" "$dir"; fi
    if ! as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
        echo "pg-throwaway: initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1
    fi
    # The server outlives this script: close every inherited descriptor above stderr first, or a
    # caller waiting for this script's end through a pipe or socket (Foundation's Process does)
    # waits for the server's end instead.
    for fd in $(ls /proc/$$/fd 2>/dev/null); do
        # (not 255: bash reads this script through it)
        if [ "$fd" -gt 2 ] 2>/dev/null && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-c listen_addresses='' -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null; then
        echo "pg-throwaway: the server did not start:" >&2; cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1
    fi
    echo "$dir"
    ;;
stop)
    dir=${2:?usage: pg-throwaway.sh stop DIR}
    case "$dir" in */clvfit-pg.*) ;; *) echo "pg-throwaway: $dir is not a directory this script made" >&2; exit 2 ;; esac
    bin=$(find_bindir) || exit 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start | stop DIR | check" >&2; exit 2
    ;;
esac
