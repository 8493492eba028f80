# The journal's crash points (LAKEHOUSE_FAULT kills the process with SIGKILL there), hit by
# the flush a CLI ingest does at exit: before the Parquet rename (a temp file is left, the
# WAL keeps the event) and after it (the WAL segment is left, though flushed). Either way
# the event is counted once, by readers at once and after the next writer opens.
source "$(dirname "$0")/lib.sh"
unset LAKEHOUSE_LOG
printf 'id,v\n1,a\n' > "$WORK/a.csv"
printf 'id,v\n2,b\n' > "$WORK/b.csv"
parquet_files() { ls "$LAKEHOUSE_DATA/_journal" | grep -c '^events-.*\.parquet$'; }

for point in journal.before_rename journal.after_rename; do
  export LAKEHOUSE_DATA=$WORK/data-$point
  LAKEHOUSE_FAULT=$point "$LH" ingest "$WORK/a.csv" --name t >/dev/null 2>&1
  expect_eq "$point: the CLI was killed there" 137 "$?"
  expect_eq "$point: the ingest itself is committed" 1 "$(sql "SELECT count(*) FROM t")"
  expect_eq "$point: a reader sees the journal event once" 1 "$(sql "SELECT count(*) FROM journal WHERE entity_id = 't'")"
  check "$point: the next writer opens" "$LH" ingest "$WORK/b.csv" --name t
  expect_eq "$point: then both events, once each, all in Parquet" "2 0" \
    "$(sql "SELECT count(*) FROM journal WHERE entity_id = 't'") $(cat "$LAKEHOUSE_DATA"/_journal/wal-*.jsonl | wc -c)"
  expect_eq "$point: no temp file left" 0 "$(ls -A "$LAKEHOUSE_DATA/_journal" | grep -c '^\.tmp-')"
  expect_eq "$point: versions 0 then 1" "NULL/0 0/1" \
    "$(sql "SELECT coalesce(old_value, 'NULL') || '/' || new_value FROM journal WHERE entity_id = 't' ORDER BY ts, id" | tr '\n' ' ' | sed 's/ $//')"
done
