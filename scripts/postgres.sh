#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the hub's tests and benchmarks.
#
#   scripts/postgres.sh [start]   create (once) and start the cluster, create the database,
#                                 print its URL (postgresql://…) on stdout
#   scripts/postgres.sh stop      stop the cluster (the data directory is kept)
#   scripts/postgres.sh url       print the URL only
#
# Settings: PGDATA_DIR (default /tmp/omni-clerk-pg), PGPORT (default 55432),
# PGDATABASE_NAME (default omni_clerk). Listens on 127.0.0.1 only, trust authentication
# (a test cluster: never put real data in it). Tuned for tests: fsync, synchronous_commit and
# full_page_writes off.
# PG_DURABLE=1: production commit settings instead (fsync, synchronous_commit, full_page_writes
# left on, as a real hub's cluster runs), for benchmarks (bench/hub_load.py through
# CLERK_BENCH_PG_URL): its own cluster, PGDATA_DIR /tmp/omni-clerk-pg-durable and PGPORT 55494
# unless set — the same three commands (`PG_DURABLE=1 scripts/postgres.sh stop` stops it).
# Works as root (the server runs as the `postgres` user) and as an ordinary user.
set -euo pipefail

if [[ "${PG_DURABLE:-0}" == 1 ]]; then
    PGDATA_DIR="${PGDATA_DIR:-/tmp/omni-clerk-pg-durable}"
    PGPORT="${PGPORT:-55494}"
    TUNING=""
else
    PGDATA_DIR="${PGDATA_DIR:-/tmp/omni-clerk-pg}"
    PGPORT="${PGPORT:-55432}"
    TUNING="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
DBNAME="${PGDATABASE_NAME:-omni_clerk}"
ACTION="${1:-start}"
PGDATA_DIR="$(realpath -m "$PGDATA_DIR")"
cd /  # the server user may not be able to read the caller's directory

find_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
        exit 2
    fi
    echo "$dir"
}

BIN="$(find_bin)"
if [[ "$(id -u)" == 0 ]]; then
    RUN_AS=(runuser -u postgres --)
    DBUSER=postgres
else
    RUN_AS=()
    DBUSER="$(id -un)"
fi
URL="postgresql://${DBUSER}@127.0.0.1:${PGPORT}/${DBNAME}"
LOG="${PGDATA_DIR}/server.log"

pg() { "${RUN_AS[@]}" "$@"; }

is_running() {
    [[ -f "${PGDATA_DIR}/data/postmaster.pid" ]] && pg "$BIN/pg_ctl" -D "${PGDATA_DIR}/data" status >/dev/null 2>&1
}

case "$ACTION" in
    start)
        mkdir -p "$PGDATA_DIR"
        if [[ "$(id -u)" == 0 ]]; then chown postgres: "$PGDATA_DIR"; fi
        if [[ ! -f "${PGDATA_DIR}/data/PG_VERSION" ]]; then
            pg "$BIN/initdb" -D "${PGDATA_DIR}/data" -U "$DBUSER" --auth=trust \
                --encoding=UTF8 --locale=C.UTF-8 >"${PGDATA_DIR}/initdb.log" 2>&1 || {
                echo "postgres.sh: initdb failed, see ${PGDATA_DIR}/initdb.log" >&2; exit 1; }
        fi
        if ! is_running; then
            pg "$BIN/pg_ctl" -D "${PGDATA_DIR}/data" -l "$LOG" -w -t 60 start -o \
                "-c listen_addresses=127.0.0.1 -p ${PGPORT} -k ${PGDATA_DIR} ${TUNING} \
                 -c max_connections=200 \
                 -c shared_buffers=256MB" >/dev/null || {
                echo "postgres.sh: server did not start, see $LOG" >&2; exit 1; }
        fi
        for _ in $(seq 1 100); do
            if pg "$BIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q; then break; fi
            sleep 0.1
        done
        if ! pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U "$DBUSER" -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '${DBNAME}'" | grep -q 1; then
            pg "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U "$DBUSER" "$DBNAME"
        fi
        echo "$URL"
        ;;
    stop)
        if is_running; then
            pg "$BIN/pg_ctl" -D "${PGDATA_DIR}/data" -m fast -w stop >/dev/null
        fi
        ;;
    url)
        echo "$URL"
        ;;
    *)
        echo "usage: $0 [start|stop|url]" >&2
        exit 2
        ;;
esac
