# The automatic compaction ([storage] auto_compact*, lake/auto_compact.h): writer
# processes append (and delete) through the server while its compactor runs with low
# thresholds; then no row is lost or duplicated, no tombstoned row comes back (and erased
# rows have left the files), the live files are fewer, and the journal's parts were merged
# without an event twice. Then SIGKILL at the auto-compaction's commit and at the journal
# merge: the table and the journal read every row exactly once. Every wait is on state,
# polled with a bound.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT

# live_files TABLE: how many files the table's latest version references (JSON commits
# replayed: no log cleanup happens).
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
print(len(live))
PY
}
tombstones() { local f=$LAKEHOUSE_DATA/_catalog/tombstones/$1.jsonl; [[ -f $f ]] && wc -l <"$f" || echo 0; }
# wait_for WHAT CMD...: polls CMD every 0.1 s for at most 60 s (the compactor's interval
# is 100 ms; this bounds a loaded machine, it does not time anything).
wait_for() {
  local what=$1 i; shift
  for ((i = 0; i < 600; i++)); do "$@" && { ok "$what"; return 0; }; sleep 0.1; done
  not_ok "$what (not within 60 s)"; return 1
}
dead() { ! kill -0 "$1" 2>/dev/null; }
# csv FIRST COUNT: rows id FIRST..FIRST+COUNT-1 with a value column.
csv() { python3 -c "import sys
f,n=int(sys.argv[1]),int(sys.argv[2]); print('id,v'); [print('%d,v%d'%(i,i)) for i in range(f,f+n)]" "$1" "$2"; }
q() { curl -s -X POST "$SRV_URL/query/sql" -H 'Content-Type: application/json' \
        -d "{\"sql\": \"$1\", \"format\": \"csv\"}" | tail -n +2 | tr -d '\r'; }

AUTO=(LAKEHOUSE_STORAGE_AUTO_COMPACT=true LAKEHOUSE_STORAGE_AUTO_COMPACT_MIN_FILES=4 LAKEHOUSE_STORAGE_AUTO_COMPACT_INTERVAL_MS=100
      LAKEHOUSE_STORAGE_AUTO_COMPACT_TOMBSTONES=3 LAKEHOUSE_JOURNAL_MERGE_MIN_FILES=3
      LAKEHOUSE_JOURNAL_MERGE_RETENTION_HOURS=0 LAKEHOUSE_JOURNAL_FLUSH_INTERVAL_MS=100)

# ---- concurrent writers and the compactor ----
csv 0 10 > seed.csv
"$LH" ingest seed.csv --name t >/dev/null || not_ok "seed ingest"
expect_eq "a one-shot CLI command does not compact (auto_compact is the server's)" 1 "$(live_files t)"
srv_start s1 "${AUTO[@]}" || { not_ok "server starts"; cat "$WORK/s1.err"; exit 0; }
ok "a server with a low-threshold compactor"
writer() { # writer N: 8 appends of 25 rows each, ids N*1000+...
  local w=$1 k
  for ((k = 0; k < 8; k++)); do
    csv $((w * 1000 + k * 25)) 25 > "w$w-$k.csv"
    "$LH" ingest "w$w-$k.csv" --name t >/dev/null 2>>"w$w.err" || echo "append $w/$k failed" >>"w$w.err"
  done
}
writer 1 & p1=$!
writer 2 & p2=$!
writer 3 & p3=$!
# tombstones while the writers run: ids of the seed and of the first appends
"$LH" delete t --key id 1 2 3 --reason test >/dev/null 2>del.err || not_ok "delete through the server: $(cat del.err)"
wait "$p1" "$p2" "$p3"
expect_eq "every append through the server succeeded" "" "$(cat w1.err w2.err w3.err 2>/dev/null)"
"$LH" delete t --key id 1005 2010 3199 --reason test >/dev/null 2>del.err || not_ok "second delete: $(cat del.err)"
# ids that exist: 0..9 and N*1000+0..199, minus the six deleted
want=$((10 + 3 * 200 - 6))
compacted() { (( $(live_files "$1") < 4 && $(tombstones "$1") == 0 )); }
wait_for "the compactor brought the live files under its threshold and applied the tombstones" compacted t
expect_eq "no row lost, none duplicated" "$want $want" "$(q 'SELECT count(*), count(DISTINCT id) FROM t' | tr ',' ' ')"
expect_eq "no tombstoned row returns" 0 "$(q 'SELECT count(*) FROM t WHERE id IN (1, 2, 3, 1005, 2010, 3199)')"
expect_eq "the erased rows left the files (the unfiltered view has none)" 0 \
  "$(q 'SELECT count(*) FROM __raw__t WHERE id IN (1, 2, 3, 1005, 2010, 3199)')"
expect_eq "the rows are those appended (sum of ids)" \
  "$(python3 -c "print(sum(range(10)) + sum(w*1000*200 + sum(range(200)) for w in (1,2,3)) - (1+2+3+1005+2010+3199))")" \
  "$(q 'SELECT sum(id) FROM t')"
hist=$("$LH" history t --json 2>/dev/null)
expect_eq "the history shows automatic OPTIMIZE commits" yes \
  "$(python3 -c 'import json,sys; h=json.loads(sys.argv[1]); print("yes" if any(c.get("operation")=="OPTIMIZE" and c.get("operationParameters",{}).get("auto") in (True,"true") for c in h) else json.dumps(h)[:400])' "$hist")"
merged() { (( $(ls "$LAKEHOUSE_DATA/_journal" | grep -cE '^events-.*-[0-9]{20}-[0-9]{20}\.parquet$') >= 1 )); }
wait_for "the journal's parts were merged" merged
expect_eq "the journal holds every event once" 0 "$(q 'SELECT count(*) - count(DISTINCT id) FROM journal')"
srv_stop "$SRV_PID"
expect_eq "the server stops cleanly with its compactor" 0 "$SRV_RC"
expect_eq "after the server: same rows, read by a one-shot reader" "$want" "$(sql 'SELECT count(DISTINCT id) FROM t')"

# ---- SIGKILL at the auto-compaction's commit points ----
for point in compact.writing auto_compact.before_commit auto_compact.after_commit; do
  t=k_${point//./_}
  for k in 0 1 2 3 4; do csv $((k * 10)) 10 > "k$k.csv"; "$LH" ingest "k$k.csv" --name "$t" >/dev/null; done
  "$LH" delete "$t" --key id 7 --reason test >/dev/null
  srv_start k "${AUTO[@]}" LAKEHOUSE_FAULT=$point || { not_ok "$point: server starts"; continue; }
  wait_for "$point: the server was killed there" dead "$SRV_PID"
  grep -q "fault point $point" "$WORK/k.err" && ok "$point: by that fault point" || not_ok "$point: by that fault point"
  wait "$SRV_PID" 2>/dev/null
  expect_eq "$point: a one-shot reader sees every row once, the tombstoned one hidden" "49 49 0" \
    "$(sql "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE id = 7) FROM $t" | tr ',' ' ')"
  srv_start k2 "${AUTO[@]}" LAKEHOUSE_STORAGE_AUTO_COMPACT_TOMBSTONES=1 || { not_ok "$point: server restarts"; continue; }
  one_file() { (( $(live_files "$1") == 1 && $(tombstones "$1") == 0 )); }
  wait_for "$point: a restarted server finishes the compaction" one_file "$t"
  expect_eq "$point: no temp file or directory left in the table" "" \
    "$(ls -A "$LAKEHOUSE_DATA/tables/$t" | grep '^\.tmp-')"
  expect_eq "$point: then too every row once, the erased one gone from the files" "49 49 0" \
    "$(q "SELECT count(*), count(DISTINCT id), (SELECT count(*) FROM __raw__$t WHERE id = 7) FROM $t" | tr ',' ' ')"
  srv_stop "$SRV_PID"
done

# ---- SIGKILL at the journal merge ----
for point in journal.merge_before_rename journal.merge_after_rename; do
  before=$(sql 'SELECT count(*) FROM journal')
  # every ingest journals events; a flush per 100 ms makes parts to merge
  srv_start j LAKEHOUSE_STORAGE_AUTO_COMPACT=true LAKEHOUSE_STORAGE_AUTO_COMPACT_MIN_FILES=0 \
    LAKEHOUSE_STORAGE_AUTO_COMPACT_INTERVAL_MS=100 LAKEHOUSE_JOURNAL_MERGE_MIN_FILES=2 \
    LAKEHOUSE_JOURNAL_MERGE_RETENTION_HOURS=0 LAKEHOUSE_JOURNAL_FLUSH_INTERVAL_MS=100 \
    LAKEHOUSE_FAULT=$point || { not_ok "$point: server starts"; continue; }
  pid=$SRV_PID
  # each ingest journals events and the timer flushes them into parts; stop once killed.
  # ingested: the ingests that were acknowledged, each at least one durable event
  ingested=0
  for ((k = 0; k < 100; k++)); do
    dead "$pid" && break
    csv $((k * 10)) 10 > j.csv
    "$LH" ingest j.csv --name "j_${point//./_}" >/dev/null 2>&1 && ingested=$((ingested + 1))
  done
  wait_for "$point: the server was killed there" dead "$pid"
  grep -q "fault point $point" "$WORK/j.err" && ok "$point: by that fault point" || not_ok "$point: by that fault point"
  expect_eq "$point: a reader sees every journal event once" 0 "$(sql 'SELECT count(*) - count(DISTINCT id) FROM journal')"
  after=$(sql 'SELECT count(*) FROM journal')
  # (the merge may run, and the fault kill the server, before any ingest is acknowledged:
  # then nothing new was promised, and after == before is right)
  (( after >= before + ingested )) && ok "$point: none of the earlier events lost ($before before, $ingested ingests acknowledged, $after now)" \
    || not_ok "$point: events lost ($before before, $ingested ingests acknowledged, $after now)"
  # (a retention of 0 would delete merged parts under a query that reads them: the
  # retention is there for readers)
  srv_start j2 LAKEHOUSE_STORAGE_AUTO_COMPACT=true LAKEHOUSE_JOURNAL_MERGE_MIN_FILES=2 LAKEHOUSE_JOURNAL_MERGE_RETENTION_HOURS=1 \
    LAKEHOUSE_STORAGE_AUTO_COMPACT_INTERVAL_MS=100 || { not_ok "$point: server restarts"; continue; }
  expect_eq "$point: the restarted writer reads every event once" 0 "$(q 'SELECT count(*) - count(DISTINCT id) FROM journal')"
  expect_eq "$point: and as many as the reader did" "$after" "$(q 'SELECT count(*) FROM journal' )"
  srv_stop "$SRV_PID"
done

# ---- one-shot CLI commands: only with auto_compact_cli ----
for k in 0 1 2; do csv $((k * 10)) 10 > "c$k.csv"; done
for k in 0 1 2; do LAKEHOUSE_STORAGE_AUTO_COMPACT_MIN_FILES=3 "$LH" ingest "c$k.csv" --name c_off >/dev/null; done
expect_eq "without auto_compact_cli a local ingest leaves its files" 3 "$(live_files c_off)"
for k in 0 1 2; do
  LAKEHOUSE_STORAGE_AUTO_COMPACT_CLI=true LAKEHOUSE_STORAGE_AUTO_COMPACT_MIN_FILES=3 "$LH" ingest "c$k.csv" --name c_on >/dev/null
done
expect_eq "with auto_compact_cli the third local ingest compacts (verified, one file)" "1 30 30" \
  "$(live_files c_on) $(sql 'SELECT count(*), count(DISTINCT id) FROM c_on' | tr ',' ' ')"

# ---- files of the target size: a table bigger than the target is split ----
csv 0 300000 > big1.csv
csv 300000 300000 > big2.csv
SPLIT=(LAKEHOUSE_STORAGE_AUTO_COMPACT_CLI=true LAKEHOUSE_STORAGE_AUTO_COMPACT_MIN_FILES=2
       LAKEHOUSE_STORAGE_AUTO_COMPACT_SMALL_FILE_BYTES=1073741824 LAKEHOUSE_STORAGE_AUTO_COMPACT_TARGET_FILE_BYTES=1)
env "${SPLIT[@]}" "$LH" ingest big1.csv --name big >/dev/null
env "${SPLIT[@]}" "$LH" ingest big2.csv --name big >/dev/null
files=$(live_files big)
(( files > 2 )) && ok "compacted into files of the target size (here one per row group: $files files)" \
  || not_ok "compacted into files of the target size ($files files)"
expect_eq "the split files hold every row once" "600000 600000 179999700000" \
  "$(sql 'SELECT count(*), count(DISTINCT id), sum(id) FROM big' | tr ',' ' ')"

# ---- the age threshold: one tombstone, older than auto_compact_tombstone_age_s ----
csv 0 20 > age.csv
"$LH" ingest age.csv --name age >/dev/null
"$LH" delete age --key id 4 --reason test >/dev/null
expect_eq "one tombstone, not applied by a one-shot command" "1 1" "$(tombstones age) $(live_files age)"
srv_start a LAKEHOUSE_STORAGE_AUTO_COMPACT=true LAKEHOUSE_STORAGE_AUTO_COMPACT_INTERVAL_MS=100 \
  LAKEHOUSE_STORAGE_AUTO_COMPACT_TOMBSTONES=0 LAKEHOUSE_STORAGE_AUTO_COMPACT_MIN_FILES=0 \
  LAKEHOUSE_STORAGE_AUTO_COMPACT_TOMBSTONE_AGE_S=1 || not_ok "server starts (age)"
applied() { (( $(tombstones age) == 0 )); }
wait_for "a tombstone older than the age threshold is applied by the compactor" applied
expect_eq "its row left the files, the others stay" "0 19" \
  "$(q 'SELECT (SELECT count(*) FROM __raw__age WHERE id = 4), count(*) FROM age' | tr ',' ' ')"
srv_stop "$SRV_PID"
