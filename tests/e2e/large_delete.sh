# A large erasure works, and a refused one changes nothing (issue 13, item 6): deleting
# 100,000 keys of a 150,000-row dataset in one `lakehouse delete` exits 0, hides the rows,
# counts the tombstones right and journals every key as a salted hash only (in events
# each under the journal's line limit); compaction then erases them and journals the
# erasure the same way. A delete refused for a bad column or a bad key leaves the data
# directory byte-identical.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT

# 150,000 rows keyed "u000000".."u149999" (text keys: a 'u' never occurs in a hex hash,
# a UUID or a timestamp, so a key found in the journal's bytes is a plain key).
python3 - <<'PY'
with open("people.csv", "w") as f:
    f.write("id,name,score\n")
    for i in range(150000):
        f.write(f"u{i:06d},Person {i},{i % 1000}\n")
PY
seq -f 'u%06g' 0 99999 > keys.txt
check "ingest 150,000 rows" "$LH" ingest people.csv --name people
expect_eq "150,000 rows" 150000 "$(sql 'SELECT count(*) FROM people')"

# Refused before anything is written: the data directory stays byte-identical.
before=$(data_state)
expect_fail "delete on a column the dataset lacks is refused" "no column nope" \
  "$LH" delete people --key nope u000001
expect_eq "... and changes nothing" "$before" "$(data_state)"
expect_fail "delete by a non-key column type (score is not text) is refused" "score.*(not|whole number)" \
  "$LH" delete people --key score 1 2 abc
expect_eq "... and changes nothing" "$before" "$(data_state)"
mapfile -t KEYS < keys.txt

# Over HTTP a reason may be long (the body takes 64 MiB): one of 1.2 MB makes a journal
# event over its 1 MiB line. Refused before the tombstone is written (it used to be
# applied, then the call failed with "journal event over 1048576 bytes").
if srv_start A; then
  python3 -c 'import json; print(json.dumps({"row_key_column": "id", "row_key_values": ["u000001"], "reason": "r" * 1200000}))' > big_reason.json
  curl -sS --max-time 60 "$SRV_URL/health" >/dev/null
  before=$(data_state)
  code=$(curl -sS --max-time 60 -o body.json -w '%{http_code}' -XPOST -H 'Content-Type: application/json' \
    --data-binary @big_reason.json "$SRV_URL/catalog/datasets/by-name/people/tombstone")
  expect_eq "HTTP delete whose journal record is too big: 413, nothing deleted" "413 True" \
    "$code $(python3 -c 'import json; print("nothing was deleted" in json.load(open("body.json"))["error"]["message"])' 2>/dev/null)"
  expect_eq "... and changes nothing (no tombstone, no salt)" "$before" "$(data_state)"
  srv_stop "$SRV_PID"
else
  not_ok "server starts"; echo "# $(head -c 600 "$WORK/A.err")"
fi
expect_eq "all 150,000 rows still visible" 150000 "$(sql 'SELECT count(*) FROM people')"
expect_fail "100,000 keys, the last of them not a whole number, on an integer column" "not a whole number" \
  "$LH" delete people --key score $(seq 1 99999) xyz
expect_eq "... and changes nothing" "$before" "$(data_state)"

# A metadata edit is journaled as old and new value: tags that grow by 120 KB an edit
# outgrow the journal's 1 MiB line at the fifth. That edit must be refused and change
# nothing, not applied with its journal record lost (a warning in a log).
applied=0 refused=0
for i in 1 2 3 4 5 6; do
  before=$(data_state)
  if "$LH" datasets people --tag "$(printf "tag$i-%0120000d" 0)" >/dev/null 2>"$WORK/tag.err"; then
    applied=$((applied + 1))
  else
    refused=$((refused + 1))
    expect_eq "tag edit $i, refused ($(head -c 160 "$WORK/tag.err")), changed nothing" "$before" "$(data_state)"
    break
  fi
done
expect_eq "four tag edits applied, the fifth refused" "4 1" "$applied $refused"
expect_eq "every applied edit is in the journal" "$applied" "$(sql "SELECT count(*) FROM journal WHERE field = 'tags'")"
expect_eq "the manifest holds the four tags" 4 \
  "$("$LH" datasets people --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["tags"]))')"

# The large delete itself.
"$LH" delete people --key id "${KEYS[@]}" --reason "bulk erasure" --actor dpo --json > del.json 2> del.err
rc=$?
expect_eq "delete of 100,000 keys exits 0" 0 "$rc"
[[ $rc -eq 0 ]] || echo "# $(head -c 300 del.err)"
expect_eq "reply: 100000 tombstoned, 100000 in all, 100000 rows matched" "100000 100000 100000" \
  "$(python3 -c 'import json,sys; d=json.load(open("del.json")); print(d["tombstoned"], d["total_tombstones"], d["rows_matched"])' 2>/dev/null)"
expect_eq "the rows are hidden: 50,000 left, none of the keys" "50000 0" \
  "$(sql "SELECT count(*), count(*) FILTER (WHERE id < 'u100000') FROM people" | tr ',' ' ')"
expect_eq "the tombstone file holds 100,000 lines" 100000 \
  "$(wc -l < "$LAKEHOUSE_DATA/_catalog/tombstones/people.jsonl")"

# The journal: the tombstone events name every key by its salted hash, each event under
# the 1 MiB line limit, never a plain key.
journal_check() { # journal_check FIELD: "<events> <sum of counts> <hashes right> <max line bytes> <plain keys>"
  "$LH" sql "SELECT * FROM journal WHERE field = '$1' ORDER BY ts, id" --format ndjson > "j-$1.ndjson"
  python3 - "j-$1.ndjson" "$LAKEHOUSE_DATA/_catalog/erasure_salt" keys.txt "$1" <<'PY'
import hashlib, json, sys
lines = open(sys.argv[1]).read().splitlines()
salt = open(sys.argv[2]).read().strip()
keys = open(sys.argv[3]).read().split()
want = sorted(hashlib.sha256((salt + k).encode()).hexdigest() for k in keys)
got, counts, parts = [], set(), []
for l in lines:
    v = json.loads(json.loads(l)["new_value"])
    got += v["key_hashes"]
    counts.add(v["count"] if sys.argv[4] == "tombstone" else v["keys"])
    parts.append((v["part"], v["parts"]))
ok_parts = sorted(parts) == [(i + 1, len(lines)) for i in range(len(lines))]
print(len(lines), ",".join(map(str, sorted(counts))), sorted(got) == want and ok_parts,
      max((len(l.encode()) for l in lines), default=0))
PY
}
res=$(journal_check tombstone)
read -r n counts right maxlen <<<"$res"
[[ $n -gt 1 ]] && ok "the tombstone record is split into $n events" || not_ok "the tombstone record is split ($res)"
expect_eq "each says count 100000; together they hold the 100,000 salted hashes, parts 1..n" "100000 True" "$counts $right"
((maxlen <= 1048576)) && ok "every event under the journal's 1 MiB line limit ($maxlen bytes)" || not_ok "events under 1 MiB: $maxlen"

# How many of the keys occur in the relation `journal` (every event, Parquet decoded) and
# in the bytes of its WAL segments. (Not in the raw Parquet bytes: those are compressed,
# so a plain key need not show there, and a Snappy tag byte 'u' before the hex digits of
# a hash can look like one.)
plain() {
  "$LH" sql "SELECT * FROM journal" --format ndjson > jall.ndjson
  cat jall.ndjson "$LAKEHOUSE_DATA"/_journal/*.jsonl 2>/dev/null | grep -aoE 'u[0-9]{6}' | grep -cxFf keys.txt
}
expect_eq "the journal holds no plain key" 0 "$(plain)"

# Compaction applies the 100,000 tombstones and journals the erasure the same way.
"$LH" compact people --json > compact.json 2> compact.err
rc=$?
expect_eq "compact after the large delete exits 0" 0 "$rc"
[[ $rc -eq 0 ]] || echo "# $(head -c 300 compact.err)"
expect_eq "compact: 100000 tombstones applied, 100000 rows dropped, 50000 left" "100000 100000 50000" \
  "$(python3 -c 'import json; d=json.load(open("compact.json")); print(d["tombstones_applied"], d["rows_dropped_by_tombstones"], d["rows_after"])' 2>/dev/null)"
res=$(journal_check erasure)
read -r n counts right maxlen <<<"$res"
expect_eq "erasure events: each says 100000 keys; together the 100,000 salted hashes, parts 1..n" "100000 True" "$counts $right"
((maxlen <= 1048576 && n > 1)) && ok "$n erasure events, each under 1 MiB ($maxlen bytes)" || not_ok "erasure events: $res"
expect_eq "tombstones cleared" "" "$(ls -A "$LAKEHOUSE_DATA/_catalog/tombstones")"
expect_eq "the journal still holds no plain key" 0 "$(plain)"
expect_eq "50,000 rows, none deleted, at the latest version" "50000 0" \
  "$(sql "SELECT count(*), count(*) FILTER (WHERE id < 'u100000') FROM people" | tr ',' ' ')"
expect_eq "the version before compaction hides them too (the erasure set)" "50000" \
  "$(sql "SELECT count(*) FROM people" --as-of people=0)"
