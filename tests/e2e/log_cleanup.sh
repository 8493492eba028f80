# Log cleanup (issue 13 item 3): vacuum deletes the JSON commits behind the newest
# checkpoint once all are older than its retention; the table still reads, a foreign
# checker accepts it, history lists what remains, a version behind the checkpoint says it
# was cleaned away, ingest's duplicate check still knows the deleted commits' files, and
# vacuum still knows when a file was removed (from the checkpoint).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
LOG=$LAKEHOUSE_DATA/tables/t/_delta_log
n=0
ingest_next() { # one more small distinct file into t (2 rows)
  n=$((n + 1))
  printf 'id,v\n%d,a%d\n%d,b%d\n' "$n" "$n" $((100000 + n)) "$n" > "b$n.csv"
  "$LH" ingest "b$n.csv" --name t >/dev/null 2>"$WORK/ingest.err" || not_ok "ingest $n: $(head -c 300 "$WORK/ingest.err")"
}
commits() { (cd "$LOG" && ls | grep -E '^[0-9]{20}\.json$' | sed 's/^0*//; s/^\./0./' | sed 's/\.json$//' | tr '\n' ' ' | sed 's/ $//'); }
old() { touch -d '3 days ago' "$@"; } # as if written 3 days ago
vac() { "$LH" vacuum t --retention-hours "$1" --json 2>"$WORK/vac.err"; }
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

for _ in $(seq 1 12); do ingest_next; done
expect_eq "12 commits (0..11), a checkpoint at 10" "0 1 2 3 4 5 6 7 8 9 10 11" "$(commits)"
# Within the retention (written just now), nothing goes.
expect_eq "vacuum at 168 h: commits within the retention stay" 0 "$(vac 168 | field commits_deleted)"
expect_eq "... all 12 commits still there" "0 1 2 3 4 5 6 7 8 9 10 11" "$(commits)"
# Commits 0..9 made 3 days old: behind the checkpoint and expired.
old "$LOG"/000000000000000000{00,01,02,03,04,05,06,07,08,09}.json
expect_eq "vacuum at 24 h deletes the 10 commits behind the checkpoint" 10 "$(vac 24 | field commits_deleted)"
expect_eq "commits 10 and 11 remain" "10 11" "$(commits)"
expect_eq "the checkpoint stays" yes "$([ -s "$LOG/00000000000000000010.checkpoint.parquet" ] && echo yes || echo no)"
expect_eq "the table reads every row" 24 "$(sql 'SELECT count(*) FROM t')"
expect_eq "history lists the commits that remain" "11 10" \
  "$("$LH" history t --json | python3 -c 'import json,sys; print(" ".join(str(e["version"]) for e in json.load(sys.stdin)))')"
expect_fail "a version behind the checkpoint was cleaned away (not found)" "version 5|not found|no longer" \
  "$LH" sql "SELECT count(*) FROM t" --as-of t=5
expect_eq "the checkpoint's version still reads" 22 "$(sql 'SELECT count(*) FROM t' --as-of t=10)"

DUCKREF=$WORK/duckref
if build_duckref "$DUCKREF"; then
  out=$(python3 "$SHARED/tools/delta_check.py" "$LAKEHOUSE_DATA/tables/t" "$DUCKREF" 2>&1)
  expect_eq "delta_check accepts the cleaned log" "ok 24" "$out"
fi

# The duplicate check: b1.csv was committed at version 0, whose commit is gone.
expect_eq "a file whose commit was cleaned away is still a duplicate" true \
  "$("$LH" ingest b1.csv --name t --json | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(str(d.get("deduplicated")).lower())')"
expect_eq "... nothing committed" "10 11" "$(commits)"
# the record is also the duplicate check's index, kept at each checkpoint: the hashes of
# commits 0..10 (append_flat.sh), the 10 cleaned ones among them
expect_eq "the hashes were recorded (commits 0..10)" 11 \
  "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["content_sha256"]))' "$LAKEHOUSE_DATA/_catalog/ingested/t.json")"
ingest_next
expect_eq "a new file is not a duplicate" 26 "$(sql 'SELECT count(*) FROM t')"

# Vacuum knows when a file was removed after the commit that removed it is gone: a
# compaction (removes every file) at 13, appends up to the checkpoint at 20, the commits
# behind it made old, and the data files too (a file's own mtime is what vacuum falls back
# to for a file no remove names).
check "compact t" "$LH" compact t
for _ in $(seq 1 7); do ingest_next; done
expect_eq "commits 10..20, a checkpoint at 20" "10 11 12 13 14 15 16 17 18 19 20" "$(commits)"
old "$LOG"/0000000000000000001[0-9].json "$LAKEHOUSE_DATA"/tables/t/*.parquet
nfiles=$(ls "$LAKEHOUSE_DATA"/tables/t/*.parquet | wc -l)
r=$(vac 1)
expect_eq "vacuum at 1 h: the 10 old commits go, no file removed within the hour does" "10 0" \
  "$(field commits_deleted <<< "$r") $(field files_deleted <<< "$r")"
expect_eq "... every data file still there" "$nfiles" "$(ls "$LAKEHOUSE_DATA"/tables/t/*.parquet | wc -l)"
expect_eq "the table reads every row" 40 "$(sql 'SELECT count(*) FROM t')"
# Now only checkpoint 20 says when those files were removed (commit 13 is gone).
expect_eq "vacuum at 1 h again (the removes only in the checkpoint): no file deleted" 0 "$(vac 1 | field files_deleted)"
expect_eq "... every data file still there" "$nfiles" "$(ls "$LAKEHOUSE_DATA"/tables/t/*.parquet | wc -l)"
r=$(vac 0)
expect_eq "vacuum at 0 h deletes the 13 files the compaction removed" 13 "$(field files_deleted <<< "$r")"
expect_eq "the table still reads every row" 40 "$(sql 'SELECT count(*) FROM t')"
if [[ -x $DUCKREF ]]; then
  out=$(python3 "$SHARED/tools/delta_check.py" "$LAKEHOUSE_DATA/tables/t" "$DUCKREF" 2>&1)
  expect_eq "delta_check accepts the table after both cleanups" "ok 40" "$out"
fi
