# pg_server.sh: a throwaway PostgreSQL server for tests and benchmarks (sourced).
#   pg_find_bin          sets PG_BIN to the newest /usr/lib/postgresql/*/bin; fails if none
#   pg_start             initdb + pg_ctl start as the postgres user, in a fresh temp dir,
#                        on a free port of 127.0.0.1 only, scram-sha-256 for TCP;
#                        sets PG_DIR, PG_PORT, PG_SOCK
#   pg_stop              stops the server and removes its directory
#   pg_psql ARGS...      psql as the superuser over the server's Unix socket
# Tests run as root: the server runs as "postgres" (runuser), so PG_DIR is owned by it.

pg_find_bin() {
  PG_BIN=""
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] && PG_BIN=$d
  done
  [[ -n $PG_BIN ]] && command -v psql >/dev/null 2>&1 && id postgres >/dev/null 2>&1
}

# as_pg CMD...: runs CMD as the postgres user (or as is when we already are not root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A TCP port on 127.0.0.1 that nothing listens on (the kernel's choice, then checked).
pg_free_port() {
  local port tries
  for tries in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

pg_start() {
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lh-pg-XXXXXX")
  chmod 700 "$PG_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_DIR"
  PG_SOCK=$PG_DIR
  PG_PORT=$(pg_free_port) || return 1
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/db" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/db" -l "$PG_DIR/server.log" -w -t 30 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCK -c password_encryption=scram-sha-256 -c fsync=off" \
    >/dev/null 2>&1 || { cat "$PG_DIR/server.log" >&2; return 1; }
}

pg_stop() {
  [[ -n ${PG_DIR:-} && -d $PG_DIR ]] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/db" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}

pg_psql() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"; }
