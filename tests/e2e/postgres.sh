# End to end: ingest from a real PostgreSQL server started here (initdb + pg_ctl as the
# postgres user, 127.0.0.1 only, scram-sha-256): every mapped type, NULL vs empty
# string, --query, dedup, the key=value DSN form, each error case (leaving nothing
# behind), and the password never showing up anywhere.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../pg_server.sh"
cd "$WORK"

if ! pg_find_bin; then
  if [[ ${CI:-} == true ]]; then not_ok "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are installed"
  else echo "skip - PostgreSQL server binaries not found (apt-get install postgresql)"; fi
  exit 0
fi
trap 'pg_stop; rm -rf "$WORK"' EXIT
if pg_start; then ok "a PostgreSQL server runs on 127.0.0.1:$PG_PORT"; else not_ok "start PostgreSQL"; exit 1; fi

PASS='s3cr3t-P@ss/w:rd'          # needs percent-encoding in a URI
PASS_URI='s3cr3t-P%40ss%2Fw%3Ard'
DSN="postgresql://lh_user:$PASS_URI@127.0.0.1:$PG_PORT/shop"

pg_psql -d postgres >/dev/null <<SQL
CREATE ROLE lh_user LOGIN PASSWORD '$PASS';
CREATE ROLE lh_nobody LOGIN PASSWORD 'nobody-pw-123';
CREATE DATABASE shop OWNER lh_user;
SQL
pg_psql -d shop >/dev/null <<'SQL'
SET ROLE lh_user;
CREATE SCHEMA sales;
CREATE TABLE sales.everything (
  id int4 PRIMARY KEY, small int2, big int8, price numeric(12,2), huge numeric(50,10), anynum numeric,
  r real, d double precision, flag boolean, name text, code varchar(10), letter char(3),
  born date, at_time time, naive timestamp, aware timestamptz, uid uuid, doc json, docb jsonb,
  tags text[], matrix int[][], raw bytea, span interval, addr inet
);
INSERT INTO sales.everything VALUES
 (1, 1, 9000000000, 1234.56, 12345678901234567890123456789.0123456789, 3.14159265358979323846264338327950288419716939937510,
  1.5, 2.25, true, 'Lovelace, Ada', 'A1', 'ab', '1815-12-10', '13:45:00', '2024-01-05 10:00:00', '2024-01-05 10:00:00+02',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2], "b": "x"}', '{"k": {"n": null}}',
  ARRAY['red','green, blue','quote "q"'], ARRAY[[1,2],[3,4]], '\x00ff10'::bytea, '1 day 02:00:00', '10.0.0.1'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, -32768, -9223372036854775808, -0.01, 0, 'NaN', '-Infinity', 'NaN', false, '', '', '   ', 'infinity', '00:00:00.123456',
  '2000-02-29 23:59:59.999999', '1970-01-01 00:00:00+00', '00000000-0000-0000-0000-000000000000', '""', '[]',
  ARRAY[]::text[], ARRAY[NULL, 5]::int[], ''::bytea, '-3 mons', '::1'),
 (4, 7, 7, 7, 7, 7, 7, 7, true, E'line1\nline2\r\n"quoted", comma,;tab\there', 'ünï', 'é', '2024-02-29', '23:59:59',
  '1999-12-31 23:59:59', '2038-01-19 03:14:07.5+00', NULL, 'null', 'null', ARRAY[NULL, 'NULL', ''], NULL,
  E'\\x5c0a2c22'::bytea, NULL, NULL),
 (5, 0, 0, 0, 0, 0, 0, 0, false, 'NULL', '\N', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (6, 1, 1, 1, 1, 1, 1, 1, true, '日本語 😀', '\', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE public.plain (k int, v text);
INSERT INTO plain VALUES (1, 'one'), (2, 'two'), (3, 'three');
CREATE TABLE public."Mixed Case" (k int);
INSERT INTO public."Mixed Case" VALUES (42);
CREATE SEQUENCE sales.seq;
CREATE TABLE public.secret (k int);
REVOKE ALL ON public.secret FROM PUBLIC;
SQL
[[ $? -eq 0 ]] && ok "test tables created" || not_ok "test tables created"

# Every lakehouse call's output is also kept in a transcript, searched for the password.
lhx() {
  local rc; "$LH" "$@" >"$WORK/lhx.out" 2>"$WORK/lhx.err"; rc=$?
  cat "$WORK/lhx.out" "$WORK/lhx.err" >>"$WORK/transcript"; cat "$WORK/lhx.out"; cat "$WORK/lhx.err" >&2
  return $rc
}
# lq SQL: the first value lakehouse returns (exact text, via JSON); pq SQL: PostgreSQL's.
lq() { lhx sql "$1" --format json | python3 -c 'import json,sys; v=json.load(sys.stdin)["rows"][0][0]; print("<NULL>" if v is None else v)'; }
pq() { pg_psql -d shop -At -c "$1"; }
# same "what" EXPR_LAKEHOUSE EXPR_POSTGRES: an aggregate over every row must be equal.
same() {
  local a b; a=$(lq "SELECT $2 FROM everything"); b=$(pq "SELECT $3 FROM sales.everything")
  expect_eq "$1" "$b" "$a"
}

check "ingest a table with every mapped type" lhx ingest "$DSN" --table sales.everything --json
expect_eq "--json shape as for files" "everything 0 6 False postgres" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["dataset"], d["version"], d["rows_added"], d["deduplicated"], d["format"])' "$WORK/out")"
expect_eq "exact column types" \
  "id:INTEGER small:SMALLINT big:BIGINT price:DECIMAL(12,2) huge:VARCHAR anynum:VARCHAR r:FLOAT d:DOUBLE flag:BOOLEAN name:VARCHAR code:VARCHAR letter:VARCHAR born:DATE at_time:VARCHAR naive:TIMESTAMP WITH TIME ZONE aware:TIMESTAMP WITH TIME ZONE uid:VARCHAR doc:VARCHAR docb:VARCHAR tags:VARCHAR matrix:VARCHAR raw:BLOB span:VARCHAR addr:VARCHAR" \
  "$(lhx sql "SELECT column_name || ':' || column_type FROM (DESCRIBE everything)" --format csv | tail -n +2 | tr -d '\r"' | paste -sd' ')"

NUL="'<NULL>'"
same "text: NULL, empty, quotes, commas, newlines, CR, tabs, unicode" \
  "string_agg(coalesce(name, $NUL), '|' ORDER BY id)" "string_agg(coalesce(name, $NUL), '|' ORDER BY id)"
same "varchar and char (padded as PostgreSQL prints it)" \
  "string_agg(coalesce(code, $NUL) || '/' || coalesce(letter, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce(code, $NUL) || '/' || coalesce(CASE WHEN letter IS NOT NULL THEN format('%s', letter) END, $NUL), '|' ORDER BY id)"
expect_eq "NULL and empty string stay apart" "1 1 2" \
  "$(lq "SELECT count(*) FILTER (WHERE name IS NULL) || ' ' || count(*) FILTER (WHERE name = '') || ' ' || count(*) FILTER (WHERE code = '' OR code IS NULL) FROM everything")"
same "integers" "string_agg(coalesce(small::VARCHAR || ':' || big::VARCHAR, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce(small::text || ':' || big::text, $NUL), '|' ORDER BY id)"
same "numeric(12,2) as DECIMAL" "string_agg(coalesce(price::VARCHAR, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce(price::text, $NUL), '|' ORDER BY id)"
same "numeric over 38 digits and unconstrained numeric as exact text" \
  "string_agg(coalesce(huge, $NUL) || '/' || coalesce(anynum, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce(huge::text, $NUL) || '/' || coalesce(anynum::text, $NUL), '|' ORDER BY id)"
expect_eq "float4/float8 incl. -Infinity and NaN" "1.5 2.25 -inf true" \
  "$(lq "SELECT (SELECT r FROM everything WHERE id = 1) || ' ' || (SELECT d FROM everything WHERE id = 1) || ' ' || (SELECT r FROM everything WHERE id = 3) || ' ' || (SELECT isnan(d) FROM everything WHERE id = 3)")"
same "booleans" "string_agg(coalesce(flag::VARCHAR, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce(CASE flag WHEN true THEN 'true' WHEN false THEN 'false' END, $NUL), '|' ORDER BY id)"
same "dates (incl. infinity)" "string_agg(coalesce(born::VARCHAR, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce(born::text, $NUL), '|' ORDER BY id)"
same "time as text" "string_agg(coalesce(at_time, $NUL), '|' ORDER BY id)" "string_agg(coalesce(at_time::text, $NUL), '|' ORDER BY id)"
same "timestamp read as UTC, timestamptz exact (microseconds)" \
  "string_agg(coalesce(epoch_us(naive)::VARCHAR, $NUL) || '/' || coalesce(epoch_us(aware)::VARCHAR, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce((extract(epoch from naive AT TIME ZONE 'UTC') * 1000000)::bigint::text, $NUL) || '/' || coalesce((extract(epoch from aware) * 1000000)::bigint::text, $NUL), '|' ORDER BY id)"
same "uuid, json, jsonb, interval, inet as text" \
  "string_agg(coalesce(uid, $NUL) || coalesce(doc, $NUL) || coalesce(docb, $NUL) || coalesce(span, $NUL) || coalesce(addr, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce(uid::text, $NUL) || coalesce(doc::text, $NUL) || coalesce(docb::text, $NUL) || coalesce(span::text, $NUL) || coalesce(CASE WHEN addr IS NOT NULL THEN format('%s', addr) END, $NUL), '|' ORDER BY id)"
same "arrays as JSON text" "string_agg(coalesce(tags, $NUL) || '/' || coalesce(matrix, $NUL), '|' ORDER BY id)" \
  "string_agg(coalesce(array_to_json(tags)::text, $NUL) || '/' || coalesce(array_to_json(matrix)::text, $NUL), '|' ORDER BY id)"
expect_eq "a text array parses back as JSON" "['red', 'green, blue', 'quote \"q\"']" \
  "$(lq "SELECT tags FROM everything WHERE id = 1" | python3 -c 'import json,sys; print(json.load(sys.stdin))')"
same "bytea as BLOB, byte for byte (empty and NULL kept apart)" \
  "string_agg(coalesce(lower(hex(raw)), $NUL), '|' ORDER BY id)" "string_agg(coalesce(encode(raw, 'hex'), $NUL), '|' ORDER BY id)"
expect_eq "raw is a BLOB of 3 bytes" "3" "$(lq "SELECT octet_length(raw) FROM everything WHERE id = 1")"

# Lineage and dedup.
lhx datasets everything --json >"$WORK/manifest.json"
expect_eq "lineage: system, redacted URI, table, server version" \
  "postgresql postgresql://lh_user@127.0.0.1:$PG_PORT/shop sales.everything $(pq 'SHOW server_version')" \
  "$(python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["lineage"]; print(l["source_system"], l["source_uri"], l["table"], l["server_version"])' "$WORK/manifest.json")"
check "re-ingest of unchanged data" lhx ingest "$DSN" --table sales.everything --json
expect_eq "unchanged data is deduplicated" "True 0" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["deduplicated"], d["version"])' "$WORK/out")"
check "ingest plain (default name = table name, schema from search_path)" lhx ingest "$DSN" --table plain
expect_eq "plain rows" "3" "$(lq 'SELECT count(*) FROM plain')"
pq "INSERT INTO plain VALUES (4, 'four')" >/dev/null
check "re-ingest after a change appends" lhx ingest "$DSN" --table public.plain --json
expect_eq "changed data makes a new version" "False 1 4" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["deduplicated"], d["version"], d["rows_added"])' "$WORK/out")"

# --query, quoted names, key=value DSN.
check "--query with --name (a trailing ';' is fine)" lhx ingest "$DSN" --query "SELECT k * 10 AS k10, upper(v) AS v FROM plain WHERE k > 2;" --name big_ones
expect_eq "--query rows" "30:THREE|40:FOUR" "$(lq "SELECT string_agg(k10 || ':' || v, '|' ORDER BY k10) FROM big_ones")"
expect_eq "--query column types" "INTEGER" "$(lq "SELECT column_type FROM (DESCRIBE big_ones) WHERE column_name = 'k10'")"
check "a table name that needs quoting" lhx ingest "$DSN" --table "Mixed Case"
expect_eq "quoted table read, name derived" "42" "$(lq 'SELECT k FROM mixed_case')"
check "key=value connection string" lhx ingest "host=127.0.0.1 port=$PG_PORT user=lh_user password='$PASS' dbname=shop" --table plain --name plain_kv
expect_eq "key=value rows" "4" "$(lq 'SELECT count(*) FROM plain_kv')"
check "empty result" lhx ingest "$DSN" --query "SELECT * FROM plain WHERE false" --name nothing
expect_eq "empty result has its columns and no rows" "0 2" "$(lq "SELECT (SELECT count(*) FROM nothing) || ' ' || (SELECT count(*) FROM (DESCRIBE nothing))")"

# Errors: one line, the right exit code, nothing left behind (no dataset, no staged file).
fails_clean() {
  local what=$1 pat=$2 code=$3; shift 3
  local before; before=$(data_state)
  expect_fail "$what" "$pat" "$@"
  local rc; "$@" >/dev/null 2>&1; rc=$?
  expect_eq "$what: exit code" "$code" "$rc"
  expect_eq "$what: nothing changed" "$before" "$(data_state)"
}
closed=$(pg_free_port)
fails_clean "refused connection" "cannot connect.*refused" 5 lhx ingest "postgresql://lh_user:$PASS_URI@127.0.0.1:$closed/shop" --table plain --name e1
fails_clean "bad password" "password authentication failed" 8 lhx ingest "postgresql://lh_user:wrong-$PASS_URI@127.0.0.1:$PG_PORT/shop" --table plain --name e2
fails_clean "missing table" 'relation "public.nope" does not exist' 3 lhx ingest "$DSN" --table public.nope
fails_clean "permission denied" "permission denied for table secret" 8 lhx ingest "postgresql://lh_nobody:nobody-pw-123@127.0.0.1:$PG_PORT/shop" --table public.secret
fails_clean "bad DSN" "bad PostgreSQL connection string" 1 lhx ingest "postgresql://lh_user:$PASS_URI@127.0.0.1:$PG_PORT/shop?nonsense=1" --table plain
fails_clean "bad key=value DSN" "bad PostgreSQL connection string" 1 lhx ingest "host=127.0.0.1 password=$PASS user" --table plain
fails_clean "a query that fails mid-stream" "failed while streaming rows: division by zero" 1 \
  lhx ingest "$DSN" --query "SELECT g, CASE WHEN g = 150000 THEN 1 / (g - g) ELSE g END AS x FROM generate_series(1, 200000) g" --name boom
fails_clean "a query cannot write (read-only transaction)" "read-only transaction" 1 \
  lhx ingest "$DSN" --query "SELECT nextval('sales.seq')" --name w
fails_clean "duplicate result column names" "duplicate column name 'a'" 1 lhx ingest "$DSN" --query "SELECT 1 AS a, 2 AS A" --name dup
fails_clean "NaN in a numeric(p,s) column cannot be a DECIMAL" "Original Line: NaN" 1 \
  lhx ingest "$DSN" --query "SELECT 'NaN'::numeric(10,2) AS n" --name nan
fails_clean "--query needs --name" "needs --name" 1 lhx ingest "$DSN" --query "SELECT 1"
expect_fail "--table without a postgres source" "need a postgres:// source" lhx ingest plain.csv --table plain
expect_fail "--table and --query together" "exactly one of --table or --query" lhx ingest "$DSN" --table plain --query "SELECT 1"
expect_eq "no staged files left" "" "$(ls "$LAKEHOUSE_DATA/_staging" 2>/dev/null)"
expect_eq "failed ingests created no dataset" "" "$(ls "$LAKEHOUSE_DATA/tables" | grep -E '^(e1|e2|nope|secret|boom|w|dup|nan)$')"

# Schema evolution with exact source types: INTEGER -> BIGINT -> DOUBLE and
# DECIMAL(10,2) -> DECIMAL(14,2) widen the dataset (older files read cast up); a narrower
# type is cast up on write; text into a DECIMAL column is refused.
check "widen: an int4 column" lhx ingest "$DSN" --query "SELECT g::int4 AS n, (g * 1.25)::numeric(10,2) AS m FROM generate_series(1, 3) g" --name widen
expect_eq "widen: INTEGER and DECIMAL(10,2) first" "DECIMAL(10,2) INTEGER" \
  "$(lq "SELECT string_agg(column_type, ' ' ORDER BY column_name) FROM (DESCRIBE widen)")"
check "widen: then int8 and numeric(14,2)" lhx ingest "$DSN" --query "SELECT 5000000000::int8 AS n, 123456789012.25::numeric(14,2) AS m" --name widen
expect_eq "widen: INTEGER -> BIGINT, DECIMAL(10,2) -> DECIMAL(14,2); old rows intact" \
  "DECIMAL(14,2) BIGINT 5000000006 123456789019.75" \
  "$(lq "SELECT (SELECT string_agg(column_type, ' ' ORDER BY column_name) FROM (DESCRIBE widen)) || ' ' || sum(n) || ' ' || sum(m) FROM widen")"
check "widen: then float8" lhx ingest "$DSN" --query "SELECT 0.5::float8 AS n, 1.5::numeric(10,2) AS m" --name widen
expect_eq "widen: BIGINT -> DOUBLE; a narrower DECIMAL(10,2) cast up" "DECIMAL(14,2) DOUBLE 5000000006.5 123456789021.25" \
  "$(lq "SELECT (SELECT string_agg(column_type, ' ' ORDER BY column_name) FROM (DESCRIBE widen)) || ' ' || sum(n) || ' ' || sum(m) FROM widen")"
fails_clean "widen: DECIMAL -> VARCHAR is refused" "column m: DECIMAL\(14,2\) -> VARCHAR \(not a widening\)" 13 \
  lhx ingest "$DSN" --query "SELECT 1::float8 AS n, 'x'::text AS m" --name widen

# The password is nowhere: outputs, errors, manifests, logs.
lhx datasets --json >/dev/null
lhx history plain >/dev/null
for p in "$PASS" "$PASS_URI" "s3cr3t" "nobody-pw-123"; do
  if grep -qF -- "$p" "$WORK/transcript"; then not_ok "password '$p' absent from every output"; else ok "password '$p' absent from every output"; fi
done
if grep -rqF "s3cr3t" "$LAKEHOUSE_DATA"; then not_ok "no password in the data directory"; else ok "no password in the data directory"; fi
