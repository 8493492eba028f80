#!/usr/bin/env bash
# The seed's database-ingest options against a real PostgreSQL: --order-by, --limit and
# --batch-size (CLI and POST /ingest/db), and POST /ingest/postgres/import, the structured
# form whose password comes by reference from the secrets file, never in the body.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
source "$LH_REPO/tests/pg_server.sh"
cd "$WORK"
covers() { :; } # http_api.sh's route coverage reads these lines
covers "POST /ingest/db"
covers "POST /ingest/postgres/import"
if ! pg_find_bin; then
  if [[ ${CI:-} == true ]]; then not_ok "PostgreSQL server binaries are installed"
  else echo "skip - PostgreSQL server binaries not found"; fi
  exit 0
fi
trap 'srv_stop_all; pg_stop; rm -rf "$WORK"' EXIT
pg_start || { not_ok "start PostgreSQL"; exit 1; }
PASS='pg-opt-Secret-42'
pg_psql -d postgres >/dev/null <<SQL
CREATE ROLE opt_user LOGIN PASSWORD '$PASS';
CREATE DATABASE optdb OWNER opt_user;
SQL
pg_psql -d optdb >/dev/null <<'SQL'
SET ROLE opt_user;
CREATE TABLE runs (id int4 PRIMARY KEY, team text, score int4);
INSERT INTO runs SELECT g, 'team' || (g % 3), g * 10 FROM generate_series(1, 23) g;
SQL
DSN="postgresql://opt_user:$PASS@127.0.0.1:$PG_PORT/optdb"
ids() { lh sql "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM $1" --format csv | tail -n 1 | tr -d '\r"'; }

# CLI
check "CLI: --order-by id DESC --limit 3" "$LH" ingest "$DSN" --table runs --name top3 --order-by "id DESC" --limit 3
expect_eq "the three highest ids" "21,22,23" "$(ids top3)"
check "CLI: --batch-size 5 --order-by id (5 pages, the last short)" "$LH" ingest "$DSN" --table runs --name paged --batch-size 5 --order-by id
expect_eq "every row once" "23 276" "$(lh sql "SELECT count(*) || ' ' || sum(id) FROM paged" --format csv | tail -n 1 | tr -d '\r"')"
check "CLI: --batch-size 4 --limit 10 --order-by 'team, id DESC'" "$LH" ingest "$DSN" --query "SELECT id, team FROM runs" --name mixed --batch-size 4 --limit 10 --order-by "team, id DESC"
expect_eq "ten rows, pages cut from the ordered source" "3,6,9,12,15,16,18,19,21,22" "$(ids mixed)"
expect_eq "lineage records the options" "team, id DESC 10 4" \
  "$("$LH" datasets mixed --json | python3 -c 'import json,sys; l=json.load(sys.stdin)["lineage"]; print(l["order_by"], l["limit"], l["batch_size"])')"
expect_fail "CLI: --batch-size without --order-by" "batch_size needs order_by" "$LH" ingest "$DSN" --table runs --name nope --batch-size 5
expect_fail "CLI: a bad --limit" "whole number" "$LH" ingest "$DSN" --table runs --name nope --limit -1
expect_fail "CLI: --order-by on a file" "need a postgres:// source" "$LH" ingest "$WORK/x.csv" --order-by id
expect_fail "CLI: an --order-by column that does not exist" "nosuch" "$LH" ingest "$DSN" --table runs --name nope --order-by 'nosuch'
expect_fail "CLI: --order-by cannot splice SQL" "does not exist" "$LH" ingest "$DSN" --table runs --name nope --order-by 'id; DROP TABLE runs'
expect_eq "the source table is intact" "23" "$(pg_psql -d optdb -tA -c 'SELECT count(*) FROM runs')"

# HTTP
SECRETS=$WORK/secrets.toml
printf '[db_passwords]\nopt = "%s"\n' "$PASS" >"$SECRETS"
chmod 600 "$SECRETS"
srv_start S LAKEHOUSE_AUTH_SECRETS_FILE="$SECRETS" || { not_ok "server starts"; exit 1; }
post() { curl -s -o "$WORK/body" -w '%{http_code}' -H 'Content-Type: application/json' -d "$2" "$SRV_URL$1"; }
expect_eq "/ingest/db with order_by, limit, batch_size" 200 \
  "$(post /ingest/db "{\"dsn\":\"$DSN\",\"table\":\"runs\",\"dataset_name\":\"h1\",\"order_by\":\"score DESC\",\"limit\":5,\"batch_size\":2}")"
expect_eq "five rows, the highest scores" "19,20,21,22,23" "$(ids h1)"
expect_eq "/ingest/postgres/import with password_ref" 200 \
  "$(post /ingest/postgres/import "{\"host\":\"127.0.0.1\",\"port\":$PG_PORT,\"user\":\"opt_user\",\"database\":\"optdb\",\"password_ref\":\"opt\",\"table\":\"runs\",\"dataset_name\":\"h2\",\"batch_size\":10,\"order_by\":\"id\"}")"
expect_eq "every row through the structured form" "23" "$(lh sql "SELECT count(*) FROM h2" --format csv | tail -n 1 | tr -d '\r"')"
expect_eq "a password in the body is refused" 400 \
  "$(post /ingest/postgres/import "{\"host\":\"127.0.0.1\",\"database\":\"optdb\",\"password\":\"x\",\"table\":\"runs\"}")"
grep -q "password_ref" "$WORK/body" && ok "the refusal names password_ref" || not_ok "the refusal names password_ref"
expect_eq "an unknown password_ref: 404" 404 \
  "$(post /ingest/postgres/import "{\"host\":\"127.0.0.1\",\"port\":$PG_PORT,\"database\":\"optdb\",\"password_ref\":\"nope\",\"table\":\"runs\"}")"
expect_eq "quotes in a part cannot add a conninfo keyword" 500 \
  "$(post /ingest/postgres/import "{\"host\":\"127.0.0.1' port='1\",\"database\":\"optdb\",\"table\":\"runs\"}")"
expect_eq "a host off the allow-list is refused like any failure" 500 \
  "$(post /ingest/postgres/import "{\"host\":\"10.0.0.1\",\"port\":$PG_PORT,\"database\":\"optdb\",\"password_ref\":\"opt\",\"table\":\"runs\"}")"
expect_eq "batch_size without order_by: 400" 400 \
  "$(post /ingest/db "{\"dsn\":\"$DSN\",\"table\":\"runs\",\"dataset_name\":\"h3\",\"batch_size\":2}")"
srv_stop "$SRV_PID"
if grep -rqF "$PASS" "$LAKEHOUSE_DATA" "$WORK"/*.out "$WORK"/*.err 2>/dev/null; then not_ok "the password appears nowhere"; else ok "the password appears nowhere"; fi
