# End to end: ingest, query in every format, dedup, append, schema rules, time travel,
# restart, metadata, resync, the writer lock and an outside Delta check.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

cat > people.csv <<'CSV'
id,full name,email,joined,score
1,"Lovelace, Ada",ada@example.com,2024-01-05 10:00:00,91.5
2,Alan Turing,alan@example.com,2024-02-11 12:30:00,88
3,"Grace ""Amazing"" Hopper",grace@example.com,2024-03-09 08:15:00,
CSV
check "ingest a CSV" "$LH" ingest people.csv --json
expect_eq "ingest --json names the dataset, version and rows" "people 0 3 False" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["dataset"], d["version"], d["rows_added"], d["deduplicated"])' "$WORK/out")"
expect_eq "ingest --json says the dataset was created (as the API does)" "True" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["created"])' "$WORK/out")"
expect_eq "unsafe column name renamed" "full_name" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["renames"][0]["to"])' "$WORK/out")"
expect_eq "count" "3" "$(sql 'SELECT count(*) FROM people')"
expect_eq "quoted fields survive" 'Grace "Amazing" Hopper' "$(sql 'SELECT full_name FROM people WHERE id = 3' | python3 -c 'import csv,sys; print(next(csv.reader(sys.stdin))[0])')"
expect_eq "NULL from an empty field" "1" "$(sql 'SELECT count(*) FROM people WHERE score IS NULL')"
expect_eq "timestamps become TIMESTAMPTZ" "TIMESTAMP WITH TIME ZONE" "$(sql "SELECT column_type FROM (DESCRIBE people) WHERE column_name = 'joined'")"

"$LH" sql "SELECT id, full_name FROM people ORDER BY id" --format json > q.json
expect_eq "json format shape" "['id', 'full_name'] 3 [1, 'Lovelace, Ada']" \
  "$(python3 -c 'import json; d=json.load(open("q.json")); print([c["name"] for c in d["columns"]], d["row_count"], d["rows"][0])')"
"$LH" sql "SELECT id, full_name FROM people ORDER BY id" --format csv > q.csv
expect_eq "csv is RFC 4180 with a header" $'id,full_name\r\n1,"Lovelace, Ada"\r' "$(head -n 2 q.csv)"
expect_eq "ndjson rows" '{"id":2,"full_name":"Alan Turing"}' "$("$LH" sql "SELECT id, full_name FROM people WHERE id = 2" --format ndjson)"
expect_eq "query from stdin" "3" "$(echo 'SELECT max(id) FROM people' | lh sql - --format csv | tail -n 1 | tr -d '\r')"
expect_eq "--limit truncates" "2" "$("$LH" sql 'FROM people' --limit 2 --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["rows"]) if d["truncated"] else -1)')"
check "table format" "$LH" sql "FROM people"
grep -q "(3 rows)" "$WORK/out" && ok "table format counts rows" || not_ok "table format counts rows"

check "same bytes again" "$LH" ingest people.csv --json
expect_eq "re-ingest of the same bytes is a no-op" "True 0 0 False" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["deduplicated"], d["version"], d["rows_added"], d["created"])' "$WORK/out")"

cat > more.csv <<'CSV'
id,full name,email,joined,score,team
4,Edsger Dijkstra,ed@example.com,2024-04-01 09:00:00,77.5,algorithms
CSV
check "append with a new nullable column" "$LH" ingest more.csv --name people
expect_eq "the text output says what the JSON fields say" \
  "more.csv: appended to 'people', 1 rows (version 1), 6 columns|  renamed column full name -> full_name|  schema: added column team (VARCHAR)" \
  "$(paste -sd'|' "$WORK/out")"
expect_eq "append is version 1" "4 1" "$(sql 'SELECT count(*), count(team) FROM people' | tr ',' ' ')"

cat > retyped.csv <<'CSV'
id,full name,email,joined,score
five,Someone,x@example.com,2024-04-01 09:00:00,1.0
CSV
before=$(data_state)
expect_fail "a changed column type is refused with the difference" "column id: BIGINT -> VARCHAR" "$LH" ingest retyped.csv --name people
expect_eq "refused append changed nothing" "$before" "$(data_state)"

cat > nested.json <<'JSON'
[{"order_id": 1, "customer": {"name": "Ada", "address": {"city": "London"}}, "items": [1, 2]},
 {"order_id": 2, "customer": {"name": "Alan", "address": {"city": "Wilmslow"}}, "items": []}]
JSON
check "ingest a JSON array with nested objects" "$LH" ingest nested.json --name orders
expect_eq "nested objects flattened, arrays kept as JSON text" "London,[1,2]" "$(sql 'SELECT customer_address_city, items FROM orders WHERE order_id = 1' | tr -d '"')"
printf '{"k": 1, "v": "a"}\n{"k": 2, "v": "b"}\n' > lines.ndjson
check "ingest NDJSON" "$LH" ingest lines.ndjson
expect_eq "ndjson rows" "2" "$(sql 'SELECT count(*) FROM lines')"

# time travel and history
expect_eq "history lists both versions" "1 0" "$("$LH" history people --json | python3 -c 'import json,sys; print(*[h["version"] for h in json.load(sys.stdin)])')"
expect_eq "--as-of reads version 0" "3" "$(sql 'SELECT count(*) FROM people' --as-of people=0)"
expect_fail "--as-of a missing version" "version|not found|does not exist" "$LH" sql "SELECT 1" --as-of people=7

# metadata
check "edit metadata" "$LH" datasets people --set description=Staff --set owner=hr --tag pii --sensitivity confidential
expect_eq "metadata persisted" "Staff hr confidential ['pii']" "$("$LH" datasets people --json | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["description"], m["owner"], m["sensitivity"], m["tags"])')"
expect_fail "unknown metadata field" "unknown field" "$LH" datasets people --set colour=blue
expect_fail "unknown sensitivity level" "unknown sensitivity" "$LH" datasets people --sensitivity secret
expect_eq "manifest carries lineage" "file $(sha256sum more.csv | cut -c1-64)" "$("$LH" datasets people --json | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["lineage"]["source_system"], m["lineage"]["content_sha256"])')"

# resync: a lost or wrong manifest is rebuilt from the table
rm "$LAKEHOUSE_DATA/_catalog/datasets/people.json"
check "resync" "$LH" resync --json
expect_eq "resync restores row_count and version" "4 1 6" "$("$LH" datasets people --json | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["row_count"], m["table_version"], len(m["columns"]))')"
python3 - "$LAKEHOUSE_DATA/_catalog/datasets/lines.json" <<'PY'
import json, sys
p = sys.argv[1]; m = json.load(open(p)); m["row_count"] = 999; json.dump(m, open(p, "w"))
PY
expect_eq "resync NAME fixes a wrong row_count" "manifest updated" "$("$LH" resync lines | grep -o 'manifest updated')"
expect_eq "row_count fixed" "2" "$("$LH" datasets lines --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["row_count"])')"

# a new process sees everything (restart)
expect_eq "data intact across processes" "4,2,2" "$(sql 'SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM orders), (SELECT count(*) FROM lines)')"

# one writer at a time
echo 424242 > "$LAKEHOUSE_DATA/.lock"
flock -o "$LAKEHOUSE_DATA/.lock" sleep 5 &
holder=$!
sleep 0.3
expect_fail "a second writer is refused, naming the holder's pid" "in use by another writer \\(pid 424242\\)" "$LH" ingest lines.ndjson --name other
check "readers keep working while a writer holds the lock" "$LH" sql "SELECT 1 FROM people LIMIT 1"
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# an outside reader agrees the tables are valid Delta tables
DUCKREF=$WORK/duckref
if build_duckref "$DUCKREF"; then
  for t in people orders lines; do
    out=$(python3 "$SHARED/tools/delta_check.py" "$LAKEHOUSE_DATA/tables/$t" "$DUCKREF" 2>&1)
    [[ $out == ok* ]] && ok "delta_check $t: $out" || { not_ok "delta_check $t"; echo "# $out"; }
  done
fi

# configuration: file < LAKEHOUSE_* environment < flags; a malformed file names line:column
printf '[storage]\nroot = "%s/cfgdata"\n' "$WORK" > lakehouse.toml
( unset LAKEHOUSE_DATA; "$LH" ingest lines.ndjson --name from_config --config lakehouse.toml >/dev/null )
expect_eq "[storage] root from --config is the data directory" "yes" "$([[ -d $WORK/cfgdata/tables/from_config ]] && echo yes || echo no)"
( unset LAKEHOUSE_DATA; cd "$WORK" && LAKEHOUSE_STORAGE_ROOT=$WORK/envdata "$LH" ingest lines.ndjson --name from_env >/dev/null )
expect_eq "LAKEHOUSE_STORAGE_ROOT overrides ./lakehouse.toml" "yes" "$([[ -d $WORK/envdata/tables/from_env ]] && echo yes || echo no)"
printf '[storage\nroot = 1\n' > broken.toml
expect_fail "a malformed config names file:line:column" "broken.toml:1:9: expected" "$LH" datasets --config broken.toml
printf '[server]\nthreads = "many"\n' > typed.toml
expect_fail "a wrong type in the config names the key" "server.threads: expected an integer" "$LH" datasets --config typed.toml
expect_fail "a missing --config file" "not found" "$LH" datasets --config "$WORK/nope.toml"
check "lakehouse config prints the effective configuration" "$LH" config --config lakehouse.toml
grep -q "root = \"$WORK/cfgdata\"" "$WORK/out" && ok "config shows the file's values" || not_ok "config shows the file's values"

# every command that help lists is documented in docs/CLI.md
for cmd in $("$LH" help | awk '/^commands:/{on=1; next} /^$/{on=0} on && /^  [a-z]/{print $1}'); do
  grep -q "^## $cmd\$" "$LH_REPO/docs/CLI.md" && ok "docs/CLI.md documents '$cmd'" || not_ok "docs/CLI.md documents '$cmd'"
done

# progress: shown on a terminal for work over a second, never when output is not a terminal
python3 -c "
import random
random.seed(3)
with open('wide.csv', 'w') as f:
    f.write('id,a,b,c,d\n')
    for i in range(300000): f.write(f'{i},{random.random()},{random.random()},name{i % 977},{i * 7}\n')
"
"$LH" ingest wide.csv --name wide_quiet 2>"$WORK/quiet.err" >/dev/null
expect_eq "no progress output when stderr is not a terminal" "" "$(cat "$WORK/quiet.err")"
if command -v script >/dev/null; then
  LAKEHOUSE_PROGRESS_AFTER_MS=0 script -qec "$LH ingest wide.csv --name wide_tty --data $LAKEHOUSE_DATA" "$WORK/tty.log" >/dev/null 2>&1
  grep -q "MB/s" "$WORK/tty.log" && ok "progress (percent, MB/s, ETA) on a terminal" || { not_ok "progress on a terminal"; echo "# $(head -c 300 "$WORK/tty.log" | tr '\r' '|')"; }
fi
