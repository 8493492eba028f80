# Crash safety of compaction: SIGKILL at each of its fault points. Afterwards the table
# reads at its last committed version, no row is lost, no tombstoned row is visible (or
# comes back later), every live file exists, and the next writer copes with what is left
# (DESIGN.md invariants 2 and 3).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
printf 'id,v\n1,a\n2,b\n3,c\n' > f1.csv
printf 'id,v\n4,d\n5,e\n6,f\n' > f2.csv

# live_files TABLE: "present total" over the log's live files.
live_files() {
  python3 - "$LAKEHOUSE_DATA/tables/$1" <<'PY'
import json, os, sys
d = sys.argv[1]; live = set()
for f in sorted(os.listdir(os.path.join(d, "_delta_log"))):
    if f.endswith(".json"):
        for line in open(os.path.join(d, "_delta_log", f)):
            a = json.loads(line)
            if "add" in a: live.add(a["add"]["path"])
            if "remove" in a: live.discard(a["remove"]["path"])
print(sum(1 for p in live if os.path.exists(os.path.join(d, p))), len(live))
PY
}

for point in compact.writing compact.before_commit commit.before_log commit.after_log \
             compact.after_commit compact.before_clear_tombstones; do
  t=t_${point//./_}
  "$LH" ingest f1.csv --name "$t" >/dev/null && "$LH" ingest f2.csv --name "$t" >/dev/null || not_ok "$point: setup"
  "$LH" delete "$t" --key id 2 5 --reason test >/dev/null || not_ok "$point: delete"
  LAKEHOUSE_FAULT=$point "$LH" compact "$t" >/dev/null 2>"$WORK/kill.err"
  expect_eq "$point: the process was killed (SIGKILL)" 137 "$?"
  committed=no
  case $point in commit.after_log|compact.after_commit|compact.before_clear_tombstones) committed=yes;; esac
  expect_eq "$point: no tombstoned row visible, none lost" "1 3 4 6" \
    "$(sql "SELECT string_agg(id::VARCHAR, ' ' ORDER BY id) FROM $t")"
  if [[ $committed == yes ]]; then want_raw=4 want_version=2; else want_raw=6 want_version=1; fi
  expect_eq "$point: __raw__ reads the last committed version" "$want_raw" "$(sql "SELECT count(*) FROM __raw__$t")"
  expect_eq "$point: history agrees" "$want_version" \
    "$("$LH" history "$t" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["version"])')"
  read -r present total <<<"$(live_files "$t")"
  expect_eq "$point: every live file exists" "$total" "$present"
  # The next writer copes with whatever is left: compaction completes and clears.
  out=$("$LH" compact "$t" --json 2>"$WORK/err")
  expect_eq "$point: compaction after the crash completes" "4 0" \
    "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["rows_after"], d["rows_after"] - 4)' 2>&1)"
  expect_eq "$point: tombstones cleared after a commit" 0 \
    "$(cat "$LAKEHOUSE_DATA/_catalog/tombstones/$t.jsonl" 2>/dev/null | wc -l)"
  expect_eq "$point: no temp file left" 0 "$(find "$LAKEHOUSE_DATA/tables/$t" -name '.tmp-*' | wc -l)"
  "$LH" vacuum "$t" --retention-hours 0 >/dev/null || not_ok "$point: vacuum"
  expect_eq "$point: after vacuum one data file, holding no tombstoned row" "1 0" \
    "$(ls "$LAKEHOUSE_DATA/tables/$t/"*.parquet | wc -l) $(sql "SELECT count(*) FROM __raw__$t WHERE id IN (2, 5)")"
  # A later ingest of the same rows under new bytes is a new write, and works.
  printf 'id,v\n7,g\n' > "more_$t.csv"
  "$LH" ingest "more_$t.csv" --name "$t" >/dev/null
  expect_eq "$point: rows stay right after more writes" "1 3 4 6 7" \
    "$(sql "SELECT string_agg(id::VARCHAR, ' ' ORDER BY id) FROM $t")"
  "$LH" resync "$t" >/dev/null
  expect_eq "$point: manifest matches the table" "5" \
    "$("$LH" datasets "$t" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["row_count"])')"
done

# Tombstones whose rows are already gone (a crash between commit and clear, then more
# tombstones): harmless; and a torn tombstone line (a killed append) is skipped.
t=t_compact_before_clear_tombstones
printf '{"dataset":"%s","row_key_column":"id","row_key_val' "$t" >> "$LAKEHOUSE_DATA/_catalog/tombstones/$t.jsonl"
check "a torn tombstone line does not break reads" "$LH" sql "SELECT count(*) FROM $t"
"$LH" delete "$t" --key id 3 >/dev/null
expect_eq "a tombstone after a torn line still applies" "1 4 6 7" "$(sql "SELECT string_agg(id::VARCHAR, ' ' ORDER BY id) FROM $t")"

# kill -9 at random moments during compaction of a larger table: never a tombstoned row,
# never a lost one.
python3 -c "
with open('big1.csv', 'w') as f:
    f.write('id,name\n'); [f.write(f'{i},n{i}\n') for i in range(200000)]
with open('big2.csv', 'w') as f:
    f.write('id,name\n'); [f.write(f'{i},n{i}\n') for i in range(200000, 400000)]
"
"$LH" ingest big1.csv --name big >/dev/null && "$LH" ingest big2.csv --name big >/dev/null
"$LH" delete big --key id 10 199999 200000 399999 >/dev/null
for delay in 0.05 0.2 0.4; do
  "$LH" compact big >/dev/null 2>&1 &
  pid=$!
  sleep $delay; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  expect_eq "kill -9 after ${delay}s: 399996 rows, no tombstoned one" "399996 0" \
    "$(sql "SELECT count(*), count(*) FILTER (WHERE id IN (10, 199999, 200000, 399999)) FROM big" | tr ',' ' ')"
done
check "compaction after the kills" "$LH" compact big
expect_eq "complete and physically clean after the kills" "399996 0" \
  "$(sql "SELECT count(*), count(*) FILTER (WHERE id IN (10, 199999, 200000, 399999)) FROM __raw__big" | tr ',' ' ')"
