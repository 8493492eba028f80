#!/usr/bin/env bash
# PostgreSQL ingest throughput: `lakehouse ingest postgres://... --table bench` against
# `psql -c "\copy (SELECT * FROM bench) TO '/dev/null'"` on the same table, served by a
# throwaway local server (tests/pg_server.sh). Median of RUNS runs each; target: ours
# at least half of psql's rows/s. Not part of `make test`.
#   bench/postgres_ingest.sh [build/lakehouse]     ROWS=1000000 RUNS=3 by default
set -euo pipefail
cd "$(dirname "$0")/.."
LH=$(realpath "${1:-build/lakehouse}")
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
source tests/pg_server.sh
pg_find_bin || { echo "postgres_ingest: PostgreSQL server binaries not found" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lh-bench-XXXXXX")
trap 'pg_stop; rm -rf "$WORK"' EXIT
pg_start
PASS=bench-pw
pg_psql -d postgres >/dev/null <<SQL
CREATE ROLE bench LOGIN PASSWORD '$PASS';
CREATE DATABASE bench OWNER bench;
SQL
pg_psql -d bench >/dev/null <<SQL
SET ROLE bench;
CREATE TABLE bench AS
SELECT g AS id, (g % 1000)::int4 AS bucket, md5(g::text) AS label,
       (g * 1.5)::numeric(12,2) AS amount, (g % 7 = 0) AS flag,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' AS at,
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || (g % 97) END AS note
FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE bench;
SQL
DSN="postgresql://bench:$PASS@127.0.0.1:$PG_PORT/bench"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

ours=() theirs=()
for i in $(seq "$RUNS"); do
  data="$WORK/data$i"
  t0=$(now)
  "$LH" ingest "$DSN" --table bench --data "$data" >/dev/null
  t1=$(now)
  ours+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
  got=$("$LH" sql "SELECT count(*) FROM bench" --data "$data" --format csv | tail -n 1 | tr -d '\r')
  [[ $got == "$ROWS" ]] || { echo "postgres_ingest: expected $ROWS rows, got $got" >&2; exit 1; }
  rm -rf "$data"
  t0=$(now)
  psql -X -q "$DSN" -c "\\copy (SELECT * FROM bench) TO '/dev/null'"
  t1=$(now)
  theirs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
done
o=$(printf '%s\n' "${ours[@]}" | median)
p=$(printf '%s\n' "${theirs[@]}" | median)
o_rps=$(awk -v n="$ROWS" -v t="$o" 'BEGIN {printf "%d", n / t}')
p_rps=$(awk -v n="$ROWS" -v t="$p" 'BEGIN {printf "%d", n / t}')
ratio=$(awk -v a="$o_rps" -v b="$p_rps" 'BEGIN {printf "%.2f", a / b}')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GB RAM"
echo "server:  PostgreSQL $(pg_psql -d bench -At -c 'SHOW server_version') on 127.0.0.1 (TCP, scram), DuckDB $(cat third_party/duckdb/VERSION 2>/dev/null || echo '?')"
echo "rows:    $ROWS (7 columns: int8, int4, text, numeric(12,2), bool, timestamptz, text with NULLs)"
echo "runs:    lakehouse ${ours[*]} s; psql ${theirs[*]} s"
printf '| tool | median s | rows/s |\n|---|---|---|\n'
printf '| lakehouse ingest postgres:// (COPY -> staged CSV -> Parquet + Delta commit) | %.2f | %s |\n' "$o" "$o_rps"
printf '| psql \\copy (SELECT * FROM bench) TO /dev/null | %.2f | %s |\n' "$p" "$p_rps"
echo "ratio:   $ratio (target >= 0.5)"
