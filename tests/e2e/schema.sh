# End to end: schema evolution from the command line. Automatic widening (BIGINT ->
# DOUBLE as a metaData commit, older files read cast up; a narrower file cast up on
# write), new nullable columns, refused changes (a removed column, an incompatible type,
# a rename) with the diff in one line and nothing written, --allow-schema-change, rename
# detection from shared values, time travel across the change, and the Delta log.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

jf() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$WORK/out"; }

printf 'id,amount,city\n1,10,Paris\n2,20,Rome\n' > v0.csv
check "create with a BIGINT column" "$LH" ingest v0.csv --name m
printf 'id,amount,city\n3,2.5,Oslo\n' > v1.csv
check "a DOUBLE file widens BIGINT -> DOUBLE" "$LH" ingest v1.csv --name m --json
expect_eq "the widening is reported as an automatic rule" "widen amount BIGINT DOUBLE True" \
  "$(jf '" ".join(str(x) for x in [d["schema_changes"][0][k] for k in ("action", "column", "from", "to", "auto")])')"
expect_eq "the dataset's column is DOUBLE now" "DOUBLE" "$(sql "SELECT column_type FROM (DESCRIBE m) WHERE column_name = 'amount'")"
expect_eq "old (BIGINT) and new (DOUBLE) files read together" "1:10.0 2:20.0 3:2.5" \
  "$(sql 'SELECT id, amount FROM m ORDER BY id' | tr ',' ':' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "aggregates over both files" "32.5" "$(sql 'SELECT sum(amount) FROM m')"
log1=$(ls "$LAKEHOUSE_DATA"/tables/m/_delta_log/*01.json)
expect_eq "commit 1 carries a metaData action with the double type" "double" \
  "$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if "metaData" in a:
        print([f["type"] for f in json.loads(a["metaData"]["schemaString"])["fields"] if f["name"] == "amount"][0])' "$log1")"
expect_eq "the manifest shows the widened type" "DOUBLE" \
  "$("$LH" datasets m | python3 -c 'import json,sys; print([c["type"] for c in json.load(sys.stdin)["columns"] if c["name"] == "amount"][0])')"
expect_eq "time travel to version 0 still reads BIGINT" "BIGINT 30" \
  "$(sql "SELECT typeof(amount), sum(amount) FROM m GROUP BY 1" --as-of m=0 | tr ',' ' ')"

printf 'id,amount,city\n4,7,Lima\n' > v2.csv
check "a narrower (BIGINT) file into a DOUBLE column is cast up" "$LH" ingest v2.csv --name m --json
expect_eq "... no schema change, a cast rule" "cast BIGINT DOUBLE 2" \
  "$(jf '" ".join(str(x) for x in [d["schema_changes"][0]["action"], d["schema_changes"][0]["from"], d["schema_changes"][0]["to"], d["version"]])')"
log2=$(ls "$LAKEHOUSE_DATA"/tables/m/_delta_log/*02.json)
expect_eq "... commit 2 has no metaData" "0" "$(grep -c metaData "$log2")"
expect_eq "... the new row reads as DOUBLE" "DOUBLE" \
  "$(sql "SELECT typeof(amount) FROM m WHERE id = 4")"

printf 'id,amount,city,team\n5,1.5,Kyiv,blue\n' > v3.csv
check "a new column is added" "$LH" ingest v3.csv --name m
expect_eq "older rows read NULL in it" "5 1" "$(sql 'SELECT count(*), count(team) FROM m' | tr ',' ' ')"

# Refused: each with the difference in one line, nothing written.
before=$(data_state)
printf 'id,city,team\n6,Riga,red\n' > gone.csv
expect_fail "a removed column is refused naming it" "column amount \(DOUBLE\) is missing from the file.*--allow-schema-change" \
  "$LH" ingest gone.csv --name m
printf 'id,amount,city,team\nsix,1.0,Riga,red\n' > retyped.csv
expect_fail "an incompatible type is refused naming it" "column id: BIGINT -> VARCHAR \(not a widening\)" \
  "$LH" ingest retyped.csv --name m
expect_eq "refused appends changed nothing" "$before" "$(data_state)"
expect_eq "no staged files left" "" "$(ls -A "$LAKEHOUSE_DATA/_staging" 2>/dev/null)"

# --allow-schema-change: the removed column stays (NULL for the new rows) ...
check "--allow-schema-change keeps a removed column" "$LH" ingest gone.csv --name m --allow-schema-change --json
expect_eq "... a drop rule, not automatic" "drop amount False" \
  "$(jf '" ".join(str(x) for x in [d["schema_changes"][0][k] for k in ("action", "column", "auto")])')"
expect_eq "... the new row reads NULL there, old rows keep their values" "6: 5:1.5" \
  "$(sql 'SELECT id, amount FROM m WHERE id >= 5 ORDER BY id DESC' | tr ',' ':' | tr '\n' ' ' | sed 's/ $//')"
# ... and an incompatible type turns the column into VARCHAR.
check "--allow-schema-change turns an incompatible column into VARCHAR" "$LH" ingest retyped.csv --name m --allow-schema-change
expect_eq "... id is VARCHAR, old numbers read as text" "VARCHAR 1 six" \
  "$(sql "SELECT (SELECT column_type FROM (DESCRIBE m) WHERE column_name = 'id'), min(id), max(id) FROM m" | tr ',' ' ')"
expect_eq "... every row is still there" "7" "$(sql 'SELECT count(*) FROM m')"

# Rename detection from shared values: same cities, a new column name.
python3 - <<'PY'
cities = ["Paris", "Rome", "Oslo", "Lima", "Quito", "Bern", "Riga", "Kyiv", "Baku", "Doha", "Lome",
          "Suva", "Apia", "Male", "Nuuk", "Dili", "Juba", "Praia", "Accra", "Cairo", "Tunis", "Dakar"]
with open("r0.csv", "w") as f:
    f.write("code,place,customer_email\n")
    for i in range(100):
        f.write(f"{i},{cities[i % 22]},u{i}@example.org\n")
with open("r1.csv", "w") as f:
    f.write("code,town,customerEmail\n")
    for i in range(100, 160):
        f.write(f"{i},{cities[(i * 7) % 22]},u{i}@example.org\n")
PY
check "create the dataset for renames" "$LH" ingest r0.csv --name visits
before=$(data_state)
expect_fail "renames are refused with their confidence" "column place looks renamed to town \(confidence 0\.9[0-9]\).*customer_email looks renamed to customerEmail \(confidence 1\.00\)|customer_email looks renamed to customerEmail \(confidence 1\.00\).*column place looks renamed to town \(confidence 0\.9[0-9]\)" \
  "$LH" ingest r1.csv --name visits
expect_eq "refused rename changed nothing" "$before" "$(data_state)"
check "--allow-schema-change writes renamed columns under the dataset's names" "$LH" ingest r1.csv --name visits --allow-schema-change --json
expect_eq "... two rename rules" "rename:town:place rename:customerEmail:customer_email" \
  "$(jf '" ".join(sorted(["%s:%s:%s" % (r["action"], r["file_column"], r["dataset_column"]) for r in d["schema_changes"]], reverse=True))')"
expect_eq "... the dataset keeps its columns, every row has a place" "code,place,customer_email 160 160" \
  "$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["columns"]))' "$WORK/out") $(sql 'SELECT count(*), count(place) FROM visits' | tr ',' ' ')"

# Same file twice after a schema change: still deduplicated.
check "re-ingesting the widening file is a no-op" "$LH" ingest v1.csv --name m --json
expect_eq "... deduplicated" "True" "$(jf 'd["deduplicated"]')"
