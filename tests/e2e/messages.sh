# Messages a user can act on (issue 11, item 8), through the CLI and over HTTP: no internal
# paths or DuckDB class prefixes or setting hints; parser errors with line and column; an
# unknown relation is not_found with the closest name; a vacuumed version says so; --json
# errors; per-file results of multi-file ingests; help per command; did-you-mean for
# commands and flags; delete counts per key and refuses a wrong-typed key.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT

# clean FILE: none of the internal texts a user cannot act on appears in FILE.
clean() {
  local what=$1 file=$2
  if grep -qE '_staging|/tables/|'"$LAKEHOUSE_DATA"'|[A-Z][a-z]+( [A-Za-z]+)? Error: |SET max_expression_depth|^lakehouse: engine:' "$file"; then
    not_ok "$what: no internal path, class prefix or setting hint"; echo "# $(head -c 600 "$file")"
  else ok "$what: no internal path, class prefix or setting hint"; fi
}

printf 'id,name\n1,Ann\n2,Bob\n3,Cy\n' > people.csv
printf 'id,name\n4,Dee\n' > more.csv
printf 'id,name\n5,Eve\n' > more2.csv
printf '{"id": 1,\n' > broken.json
: > empty.csv
printf 'id,name\n6,Fay\n' > more3.csv
printf 'id,name\n7,Gus\n' > more4.csv
"$LH" ingest people.csv --name people >/dev/null
"$LH" ingest people.csv --name peoplex >/dev/null
"$LH" delete peoplex --key id 3 >/dev/null   # peoplex gets its __raw__ twin

# --- SQL errors through the CLI ---
expect_fail "a syntax error names line and column" '^lakehouse: line 1, column 1: syntax error at "SELEC"$' \
  "$LH" sql "SELEC 1"
clean "syntax error" "$WORK/err"
expect_fail "a syntax error on line 2 counts columns in the user's text" 'line 2, column 7: syntax error at "people"' \
  "$LH" sql $'SELECT 1\n  FRM people'
expect_fail "a binder error has no class prefix and keeps the location" '^lakehouse: line 1, column 8: Referenced column "nosuch" not found' \
  "$LH" sql "SELECT nosuch FROM people"
clean "binder error" "$WORK/err"
expect_fail "a conversion error points into the user's query, not our wrapper" "^lakehouse: line 1, column [0-9]+: Could not convert string 'a' to INT32$" \
  "$LH" sql "SELECT 'a'::INT"
clean "conversion error" "$WORK/err"
"$LH" sql "SELECT * FROM peple" >"$WORK/out" 2>"$WORK/err"; rc=$?
expect_eq "an unknown relation exits 3 (not found)" "3" "$rc"
expect_eq "an unknown relation suggests the closest dataset, not its __raw__ twin" \
  'lakehouse: unknown relation "peple"; did you mean "people"?' "$(cat "$WORK/err")"
"$LH" sql "SELECT * FROM peoplexx" 2>"$WORK/err"
grep -q 'did you mean "peoplex"?' "$WORK/err" && ok "the twin's dataset is suggested by name" || { not_ok "closest dataset"; cat "$WORK/err"; }
"$LH" sql "SELECT * FROM zzzzzzzzzz" 2>"$WORK/err"
if grep -q "known datasets: " "$WORK/err" && ! grep -q "__raw__" "$WORK/err"; then ok "no close name: the datasets are listed without __raw__ twins"
else not_ok "no close name: list without twins"; cat "$WORK/err"; fi
deep="SELECT $(printf '(%.0s' $(seq 3000))1$(printf ')%.0s' $(seq 3000))"
"$LH" sql "$deep" >/dev/null 2>"$WORK/err"
clean "a deeply nested expression" "$WORK/err"

# --- a version whose files vacuum removed ---
"$LH" ingest more.csv --name people >/dev/null
"$LH" compact people >/dev/null
"$LH" vacuum people --retention-hours 0 >/dev/null
"$LH" sql "SELECT count(*) FROM people" --as-of people=0 >"$WORK/out" 2>"$WORK/err"; rc=$?
expect_eq "reading a vacuumed version exits 3 (not found), not 12 (corrupt)" "3" "$rc"
grep -q "version 0 of people can no longer be read: vacuum removed its data files" "$WORK/err" \
  && ok "a vacuumed version says vacuum removed its files" || { not_ok "vacuumed version message"; cat "$WORK/err"; }
clean "vacuumed version" "$WORK/err"

# --- ingest errors: the user's file name, not the staged copy ---
expect_fail "a broken JSON file is named as the user named it" 'ingest broken.json: .*broken.json' \
  "$LH" ingest broken.json --name broken --format json
clean "broken JSON" "$WORK/err"

# --- --json: errors are JSON on stderr; partial multi-file ingests are reported ---
"$LH" sql "SELECT * FROM peple" --json >"$WORK/out" 2>"$WORK/err"
expect_eq "--json: the error is one JSON line on stderr with code, message and exit" "not_found 3 True" \
  "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(e["code"], e["exit"], "did you mean" in e["message"])' "$WORK/err")"
"$LH" frobnicate --json 2>"$WORK/err"
expect_eq "--json: a usage error is JSON too" "usage 2" \
  "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(e["code"], e["exit"])' "$WORK/err")"
"$LH" ingest more2.csv empty.csv more.csv --name people --json >"$WORK/out" 2>"$WORK/err"; rc=$?
expect_eq "--json multi-file ingest: the committed first file is reported, then the failure, then the skipped file" \
  "1 more2.csv:ok empty.csv:failed:invalid_input more.csv:skipped" \
  "$rc $(python3 -c '
import json,sys
print(" ".join(":".join([r["file"], r["status"]] + ([r["error"]["code"]] if "error" in r else [])) for r in json.load(open(sys.argv[1]))))' "$WORK/out")"
expect_eq "--json multi-file ingest: the error is on stderr as JSON" "invalid_input" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$WORK/err")"
expect_eq "the committed file's rows are there" "1" "$(sql "SELECT count(*) FROM people WHERE id = 5")"

# --- help and did-you-mean ---
check "lakehouse delete --help" "$LH" delete --help
grep -q "^usage: lakehouse delete NAME --key COLUMN" "$WORK/out" && ok "CMD --help prints that command's usage" || { not_ok "CMD --help"; cat "$WORK/out"; }
check "lakehouse help vacuum" "$LH" help vacuum
grep -q "^usage: lakehouse vacuum NAME" "$WORK/out" && ! grep -q "lakehouse ingest" "$WORK/out" \
  && ok "help CMD prints only that command" || { not_ok "help CMD"; cat "$WORK/out"; }
expect_fail "a mistyped command gets a suggestion" "unknown command 'injest'; did you mean 'ingest'\\?" "$LH" injest people.csv
expect_fail "help for a mistyped command gets a suggestion" "did you mean 'compact'\\?" "$LH" help compcat
expect_fail "a mistyped flag gets a suggestion" "unknown option --formt; did you mean --format\\?" "$LH" sql "SELECT 1" --formt csv
expect_fail "a mistyped global flag gets a suggestion" "did you mean --json\\?" "$LH" datasets --jsn
expect_fail "a mistyped flag of vacuum gets a suggestion" "did you mean --retention-hours\\?" "$LH" vacuum people --retention-hour 1

# --- delete: counts per key, wrong-typed keys refused ---
check "delete two keys, one absent" "$LH" delete peoplex --key id 1 999
grep -q "1 row(s) matched" "$WORK/out" && grep -q "id = 999: 0 row(s) (no row has this key)" "$WORK/out" \
  && ok "delete says how many rows each key matched" || { not_ok "delete counts"; cat "$WORK/out"; }
"$LH" delete peoplex --key id 2 --json >"$WORK/out"
expect_eq "delete --json: rows_matched and per-key matched" "1 2:1" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["rows_matched"], " ".join("%s:%s" % (m["value"], m["rows"]) for m in d["matched"]))' "$WORK/out")"
before=$(data_state)
expect_fail "a letters value for an integer key is refused by name" 'key value "abc" is not a whole number: column id is BIGINT; nothing was deleted' \
  "$LH" delete peoplex --key id abc
expect_eq "the refused delete changed nothing" "$before" "$(data_state)"

# --- over HTTP ---
srv_start msg || { not_ok "server starts"; exit 0; }
post_sql() { curl -s -o "$WORK/body" -w '%{http_code}' -H 'Content-Type: application/json' -d "$1" "$SRV_URL/query/sql"; }
expect_eq "HTTP: an unknown relation is 404" "404" "$(post_sql '{"sql":"SELECT * FROM peple"}')"
expect_eq "HTTP: ... with code not_found and the closest name" 'not_found unknown relation "peple"; did you mean "people"?' \
  "$(jb 'd["error"]["code"], d["error"]["message"]')"
expect_eq "HTTP: a syntax error is 400 with line and column" '400 line 1, column 1: syntax error at "SELEC"' \
  "$(post_sql '{"sql":"SELEC 1"}') $(jb 'd["error"]["message"]')"
post_sql "{\"sql\":\"$deep\"}" >/dev/null; clean "HTTP: deep expression" "$WORK/body"
post_sql '{"sql":"SELECT count(*) FROM people","as_of":{"people":0}}' >"$WORK/code"
expect_eq "HTTP: a vacuumed version is 404" "404" "$(cat "$WORK/code")"
clean "HTTP: vacuumed version" "$WORK/body"
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -F "file=@more3.csv" -F "file=@empty.csv" -F "file=@more.csv" \
  -F name=people "$SRV_URL/ingest/file")
expect_eq "HTTP multi-file upload with a bad second file: 400 with per-file results" \
  "400 invalid_input more3.csv:ok empty.csv:failed more.csv:skipped" \
  "$code $(jb '(d["error"]["code"], " ".join(r["file"] + ":" + r["status"] for r in d["results"]))')"
clean "HTTP: broken upload" "$WORK/body"
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -F "file=@more4.csv" -F "file=@more2.csv" -F name=people "$SRV_URL/ingest/file")
expect_eq "HTTP multi-file upload: per-file results" "200 more4.csv:ok:False more2.csv:ok:True" \
  "$code $(jb '" ".join("%s:%s:%s" % (r["file"], r["status"], r["deduplicated"]) for r in d["results"])')"
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"row_key_column":"id","row_key_values":["abc"]}' "$SRV_URL/catalog/datasets/by-name/people/tombstone")
expect_eq "HTTP: a wrong-typed key is 400 and names the column's type" "400 True" \
  "$code $(jb '"is not a whole number: column id is BIGINT" in d["error"]["message"]')"
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"row_key_column":"id","row_key_values":[4, 77]}' "$SRV_URL/catalog/datasets/by-name/people/tombstone")
expect_eq "HTTP: tombstones report the rows each key matched" "200 1 4:1 77:0" \
  "$code $(jb '(d["rows_matched"], " ".join("%s:%s" % (m["value"], m["rows"]) for m in d["matched"]))')"
srv_stop "$SRV_PID"
# bytes that are not UTF-8 in a key value or a metadata edit: a usage error naming it (was
# "out of memory": the JSON library refuses such a string)
expect_fail "a key value that is not UTF-8 is refused as such" "key value is not valid UTF-8" \
  "$LH" delete peoplex --key id $'\xff'
expect_fail "a tag that is not UTF-8 is refused as such" "value of --tag is not valid UTF-8" \
  "$LH" datasets peoplex --tag $'a\xfe'
