# GDPR erasure end to end: the demo's candidates, three of them tombstoned, compacted and
# vacuumed. Their ids (and their e-mails and SSNs) must then be in no file of the table's
# directory (read by an independent DuckDB, exported to CSV and grepped; the raw bytes
# grepped too) nor in __raw__candidates, and the journal must hold an erasure record that
# names the keys only by salted SHA-256 (DESIGN.md invariant 3). The demo's resume index
# (_vectors/candidates_resume_text) is held to the same: after compact + vacuum none of
# their ids, values, chunks or words is in any file under _vectors/ (issue 14, item 7).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
"$LH" demo --scale 0.01 >/dev/null 2>&1 || not_ok "demo --scale 0.01"
IDS=(CAND-000123 CAND-000456 CAND-000789)
IN="'${IDS[0]}','${IDS[1]}','${IDS[2]}'"
TABLE=$LAKEHOUSE_DATA/tables/candidates
VEC=$LAKEHOUSE_DATA/_vectors
expect_eq "the demo built the resume index" yes "$([[ -s $VEC/candidates_resume_text/index.json ]] && echo yes)"
before=$(sql 'SELECT count(*) FROM candidates')
mapfile -t SECRETS < <(sql "SELECT email FROM candidates WHERE candidate_id IN ($IN) UNION ALL SELECT ssn FROM candidates WHERE candidate_id IN ($IN)")
expect_eq "the three candidates exist (3 e-mails, 3 SSNs)" 6 "${#SECRETS[@]}"

# Every value of theirs, in any column, that no other candidate has (text of 6 characters
# or more, so that a match in a byte stream means the value): none may survive anywhere.
mapfile -t COLS < <("$LH" datasets candidates --json | python3 -c 'import json,sys; print("\n".join(c["name"] for c in json.load(sys.stdin)["columns"]))')
UNIQUE=()
for c in "${COLS[@]}"; do
  mapfile -t -O "${#UNIQUE[@]}" UNIQUE < <(sql "SELECT DISTINCT CAST(\"$c\" AS VARCHAR) AS v FROM candidates WHERE candidate_id IN ($IN) AND \"$c\" IS NOT NULL AND length(CAST(\"$c\" AS VARCHAR)) >= 6 AND \"$c\" NOT IN (SELECT \"$c\" FROM candidates WHERE candidate_id NOT IN ($IN) AND \"$c\" IS NOT NULL)")
done
[[ ${#UNIQUE[@]} -ge 9 ]] && ok "values unique to the three: ${#UNIQUE[@]} (over ${#COLS[@]} columns)" || not_ok "values unique to the three: ${#UNIQUE[@]}"

check "delete three candidates" "$LH" delete candidates --key candidate_id "${IDS[@]}" --reason "GDPR art. 17 request" --actor dpo@agency
expect_eq "hidden from candidates at once" "0 $((before - 3))" \
  "$(sql "SELECT count(*) FILTER (WHERE candidate_id IN ($IN)), count(*) FROM candidates" | tr ',' ' ')"
expect_eq "still in __raw__candidates before compaction" 3 "$(sql "SELECT count(*) FROM __raw__candidates WHERE candidate_id IN ($IN)")"
expect_eq "hidden from queries built on the dataset (joins)" 0 \
  "$(sql "SELECT count(*) FROM placements p JOIN candidates c USING (candidate_id) WHERE c.candidate_id IN ($IN)")"
expect_eq "hidden in time travel too" 0 "$(sql "SELECT count(*) FROM candidates WHERE candidate_id IN ($IN)" --as-of candidates=0)"

out=$("$LH" compact candidates --json)
expect_eq "compact: 3 tombstones applied, 3 rows dropped" "3 3 $((before - 3))" \
  "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["tombstones_applied"], d["rows_dropped_by_tombstones"], d["rows_after"])')"
version=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
check "vacuum --retention-hours 0" "$LH" vacuum candidates --retention-hours 0
expect_eq "gone from __raw__candidates" 0 "$(sql "SELECT count(*) FROM __raw__candidates WHERE candidate_id IN ($IN)")"
expect_eq "tombstones cleared (the file and its key cache)" "" "$(ls -A "$LAKEHOUSE_DATA/_catalog/tombstones")"
for v in $(seq 0 "$version"); do
  n=$(sql_may_fail "SELECT count(*) FROM candidates WHERE candidate_id IN ($IN)" --as-of candidates=$v 2>/dev/null)
  expect_eq "as-of candidates=$v after vacuum: never their rows (an error: the files are gone)" 0 "${n:-0}"
done
hits=0
for s in "${UNIQUE[@]}"; do
  if grep -rlaF -- "$s" "$TABLE" "$VEC" "$LAKEHOUSE_DATA/_catalog" "$LAKEHOUSE_DATA/_journal" > "$WORK/where" 2>/dev/null || [[ -s $WORK/where ]]; then
    [[ -s $WORK/where ]] && { hits=$((hits + 1)); echo "# '$s' in $(tr '\n' ' ' < "$WORK/where")"; }
  fi
done
expect_eq "no value unique to them in any byte under tables/candidates (log included), _vectors, _catalog, _journal" 0 "$hits"

# Every Parquet file under the table's directory, read by an independent DuckDB.
DUCKREF=$WORK/duckref
if build_duckref "$DUCKREF"; then
  nfiles=0
  while IFS= read -r -d '' f; do
    nfiles=$((nfiles + 1))
    n=$("$DUCKREF" "SELECT count(*) FROM read_parquet('$f') WHERE candidate_id IN ($IN)" | tail -n 1)
    expect_eq "$(basename "$f"): DuckDB finds none of the ids" 0 "$n"
    "$DUCKREF" "COPY (FROM read_parquet('$f')) TO '$WORK/export.csv' (HEADER)" >/dev/null
    hits=0
    for s in "${IDS[@]}" "${SECRETS[@]}"; do grep -qF -- "$s" "$WORK/export.csv" && hits=$((hits + 1)); done
    expect_eq "$(basename "$f"): the decompressed rows (CSV export) hold no id, e-mail or SSN of theirs" 0 "$hits"
    expect_eq "$(basename "$f"): the export still holds the other candidates" "$((before - 3))" "$(($(wc -l < "$WORK/export.csv") - 1))"
  done < <(find "$TABLE" -name '*.parquet' -print0)
  expect_eq "one data file after compact + vacuum" 1 "$nfiles"
  expect_eq "DuckDB over every Parquet file under _vectors/: no chunk of theirs" 0 \
    "$("$DUCKREF" "SELECT count(*) FROM read_parquet('$VEC/**/*.parquet') WHERE key IN ($IN) OR split_part(chunk_id, '/', 1) IN ($IN)" | tail -n 1)"
  out=$(python3 "$SHARED/tools/delta_check.py" "$TABLE" "$DUCKREF" 2>&1)
  [[ $out == ok* ]] && ok "delta_check after compaction: $out" || { not_ok "delta_check after compaction"; echo "# $out"; }
fi
hits=0
for s in "${IDS[@]}" "${SECRETS[@]}"; do grep -rqF -- "$s" "$TABLE" "$VEC" && hits=$((hits + 1)); done
expect_eq "raw bytes: no file under tables/candidates or _vectors holds an id, e-mail or SSN of theirs" 0 "$hits"

# The journal: an erasure record with who, when, why, dataset, column, rows, version and
# salted hashes; never a plain key.
# Read it as users do (the SQL relation `journal`), and search its files byte by byte.
J=$WORK/journal.ndjson
"$LH" sql "SELECT * FROM journal ORDER BY ts" --format ndjson > "$J"
hits=0
for s in "${IDS[@]}" "${SECRETS[@]}"; do
  grep -qF -- "$s" "$J" && hits=$((hits + 1))
  grep -rqaF -- "$s" "$LAKEHOUSE_DATA/_journal" && hits=$((hits + 1))
done
expect_eq "the journal holds no plain key (nor e-mail, SSN)" 0 "$hits"
rec=$(python3 - "$J" "$LAKEHOUSE_DATA/_catalog/erasure_salt" "${IDS[@]}" <<'PY'
import hashlib, json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
for e in events:  # the journal keeps values as JSON text
    if isinstance(e.get("new_value"), str) and e["new_value"][:1] == "{":
        e["new_value"] = json.loads(e["new_value"])
salt = open(sys.argv[2]).read().strip()
want = sorted(hashlib.sha256((salt + k).encode()).hexdigest() for k in sys.argv[3:])
er = [e for e in events if e.get("field") == "erasure"]
if len(er) != 1: print("erasure records:", len(er)); sys.exit()
e = er[0]; v = e["new_value"]
print(e["entity_id"], v["row_key_column"], v["rows_erased"], v["version"], v["requested_by"][0],
      v["reasons"][0], bool(e["ts"]), bool(v["requested_at"]), sorted(v["key_hashes"]) == want, len(salt))
tomb = [e for e in events if e.get("field") == "tombstone"]
print(len(tomb), sorted(tomb[0]["new_value"]["key_hashes"]) == want)
PY
)
expect_eq "erasure record: dataset, column, rows, version, who, why, when, salted hashes" \
  "candidates candidate_id 3 $version dpo@agency GDPR art. 17 request True True True 64" "$(head -n 1 <<<"$rec")"
expect_eq "the tombstone call was journaled with the same hashes" "1 True" "$(tail -n 1 <<<"$rec")"
expect_eq "the salt is stored in the bucket (_catalog/erasure_salt)" yes \
  "$([[ -s $LAKEHOUSE_DATA/_catalog/erasure_salt ]] && echo yes)"

# A candidate whose every value is theirs alone (the largest salary and years, the latest
# created_at, so that any column statistics would carry them): appended, deleted and
# erased with compact --erase-now, then nowhere: no version shows them and no byte under
# tables/candidates (the Delta log included), _catalog or _journal holds any of their values.
ROW=(CAND-999999 "Zebulon Quarrington" zq.erase.me@example.invalid "(999) 555-0199" 999-88-7777
     "1 Nowhere Vale Apt 99" Zzyzxville ZQ-STATE-X "Underwater Basket Weaving" 987654321 9876543210 erasable-status REC-99999
     "2031-05-06 07:08:09" "A resume found only here: xylophonic quokka")
{ "$LH" sql "SELECT * FROM candidates LIMIT 0" --format csv | head -n 1 | tr -d "\r"
  (IFS=,; echo "${ROW[*]:0:8},\"${ROW[8]}\",${ROW[*]:9:4},${ROW[13]}+00,\"${ROW[14]}\"")
  # A second, ordinary row that stays: the CSV sniffer needs more than one row.
  echo 'CAND-999998,Ann Other,ann.other@example.com,(404) 393-0000,000-00-0000,2 Main St,Atlanta,GA,"Excel, Word",5,50000,active,REC-0004,2020-01-01 10:00:00+00,"An ordinary resume."'
  } > zq.csv
check "append the distinctive candidate" "$LH" ingest zq.csv --name candidates
check "refresh the resume index (their resume embedded)" "$LH" vectors refresh candidates
expect_eq "their resume's words are in the index's table and BM25 file" yes \
  "$([[ $(grep -rlai xylophon "$VEC" | tr '\n' ' ') == *bm25.bin* ]] && echo yes)"
expect_eq "they are there, salary the largest" "1 9876543210" "$(sql "SELECT count(*) FILTER (WHERE candidate_id='CAND-999999'), max(salary_expectation) FROM candidates" | tr ',' ' ')"
check "delete them" "$LH" delete candidates --key candidate_id CAND-999999
out=$("$LH" compact candidates --erase-now --json)
last=$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["version"])')
expect_eq "compact --erase-now: nothing left in older files" "0 0" \
  "$(echo "$out" | python3 -c 'import json,sys; e=json.load(sys.stdin)["erasure"]; print(e["erased_rows_in_old_files"], e["old_files_with_erased_rows"])')"
for v in $(seq 0 "$last"); do
  n=$(sql_may_fail "SELECT count(*) FROM candidates WHERE candidate_id='CAND-999999'" --as-of candidates=$v 2>/dev/null)
  expect_eq "as-of candidates=$v: never them (an error when the files are gone)" 0 "${n:-0}"
done
hits=0
for s in "${ROW[@]}"; do
  grep -rlaF -- "$s" "$TABLE" "$VEC" "$LAKEHOUSE_DATA/_catalog" "$LAKEHOUSE_DATA/_journal" > "$WORK/where" 2>/dev/null
  [[ -s $WORK/where ]] && { hits=$((hits + 1)); echo "# '$s' in $(tr '\n' ' ' < "$WORK/where")"; }
done
expect_eq "none of their ${#ROW[@]} values in any byte (tables/candidates with its log, _vectors, _catalog, _journal)" 0 "$hits"
expect_eq "nor their resume's words in any file under _vectors/ (model files lowercase them)" "" \
  "$(grep -rlai -e xylophon -e quokk "$VEC")"
