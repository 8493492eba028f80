# Effect first, failure after (issue 13 item 6, docs/INTERNALS.md): write paths whose
# failure could only be seen after their effect are checked before it.
# Vacuum: settling the erasure set rewrites the commits below the compaction without
# their statistics, and refuses a commit over 64 MiB; that refusal must come before any
# data file is deleted, not after.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
LOG=$LAKEHOUSE_DATA/tables/emp/_delta_log
printf 'id,name\n1,ann\n2,bob\n' > a.csv
printf 'id,name\n3,cy\n4,dee\n' > b.csv
check "ingest a" "$LH" ingest a.csv --name emp
check "ingest b" "$LH" ingest b.csv --name emp
check "tombstone id 2" "$LH" delete emp --key id 2 --reason test
check "compact (an erasure entry; the old files stay until vacuum)" "$LH" compact emp
files() { ls "$LAKEHOUSE_DATA"/tables/emp/*.parquet | wc -l; }
expect_eq "three data files (two old, one compacted)" 3 "$(files)"
cp "$LOG/00000000000000000000.json" "$WORK/commit0"
# Commit 0 padded past 64 MiB with blank lines (readers skip them).
head -c 67200000 /dev/zero | tr '\0' '\n' >> "$LOG/00000000000000000000.json"
expect_eq "the padded log still reads" 3 "$(sql 'SELECT count(*) FROM emp')"
expect_fail "vacuum refuses the commit it could not rewrite, naming it" "commit 0 is too large.*nothing was deleted" \
  "$LH" vacuum emp --retention-hours 0
expect_eq "... and deleted no data file" 3 "$(files)"
expect_eq "... the erasure set still has its entry" 1 \
  "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$LAKEHOUSE_DATA/_catalog/erasures/emp.json")"
cp "$WORK/commit0" "$LOG/00000000000000000000.json"
check "with the commit back to size, vacuum runs" "$LH" vacuum emp --retention-hours 0
expect_eq "... and deletes the two old files" 1 "$(files)"
expect_eq "... and settles the entry" no "$([ -e "$LAKEHOUSE_DATA/_catalog/erasures/emp.json" ] && echo yes || echo no)"
expect_eq "the table reads" 3 "$(sql 'SELECT count(*) FROM emp')"
