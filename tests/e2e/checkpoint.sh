# Delta checkpoints: one every [storage] checkpoint_interval commits (10 by default), in
# the V1 format a foreign reader accepts; readers start from the newest checkpoint that
# reads and fall back to the JSON commits when it is torn, corrupt or missing; a SIGKILL
# at either checkpoint step leaves a readable table.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
LOG=$LAKEHOUSE_DATA/tables/t/_delta_log
n=0
# ingest_next [env...]: one more small distinct file into t (2 rows each); the n-th
# ingest commits version n-1 (until the compaction below).
ingest_next() {
  n=$((n + 1))
  printf 'id,v\n%d,a%d\n%d,b%d\n' "$n" "$n" $((100000 + n)) "$n" > "b$n.csv"
  env "$@" "$LH" ingest "b$n.csv" --name t >/dev/null 2>"$WORK/ingest.err"
}
cp_files() { (cd "$LOG" && ls | grep -E 'checkpoint\.parquet$' | sed 's/^0*//' | tr '\n' ' '); }
last_version() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$LOG/_last_checkpoint"; }

for _ in $(seq 1 25); do ingest_next || not_ok "ingest $n: $(head -c 300 "$WORK/ingest.err")"; done
expect_eq "25 commits (versions 0..24): checkpoints at 10 and 20" \
  "10.checkpoint.parquet 20.checkpoint.parquet " "$(cp_files)"
expect_eq "_last_checkpoint names version 20" "20" "$(last_version)"
expect_eq "_last_checkpoint counts the actions (protocol, metaData, 21 adds)" "23 21" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["size"], d["numOfAddFiles"])' "$LOG/_last_checkpoint")"
expect_eq "the table reads every row" "50" "$(sql 'SELECT count(*) FROM t')"

DUCKREF=$WORK/duckref
have_ref=0
build_duckref "$DUCKREF" && have_ref=1
delta_check() {
  ((have_ref)) || return 0
  local out; out=$(python3 "$SHARED/tools/delta_check.py" "$1" "$DUCKREF" 2>&1)
  [[ $out == "ok $2" ]] && ok "delta_check $3: $out" || { not_ok "delta_check $3"; echo "# $out"; }
}
delta_check "$LAKEHOUSE_DATA/tables/t" 50 "with checkpoints 10 and 20"
# The same Parquet columns as the checkpoint Spark wrote for the DAT with_checkpoint case.
DAT_CP=$SHARED/conformance/delta-dat/generated/with_checkpoint/delta/_delta_log/00000000000000000002.checkpoint.parquet
if ((have_ref)) && [[ -f $DAT_CP ]]; then
  expect_eq "checkpoint columns and types match Spark's" \
    "$("$DUCKREF" "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('$DAT_CP'))")" \
    "$("$DUCKREF" "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('$LOG/$(printf %020d 20).checkpoint.parquet'))")"
fi

# Readers start from the checkpoint: with the JSON commits before it gone, a copy of the
# directory still reads every row (nothing before version 20 is replayed).
cp -a "$LAKEHOUSE_DATA" "$WORK/nojson"
for v in $(seq 0 19); do rm "$WORK/nojson/tables/t/_delta_log/$(printf %020d "$v").json"; done
expect_eq "commits 0..19 deleted: reads from checkpoint 20" "50" "$(LAKEHOUSE_DATA=$WORK/nojson sql 'SELECT count(*) FROM t')"
delta_check "$WORK/nojson/tables/t" 50 "without the commits before the checkpoint"

# A torn checkpoint (half the file) is skipped for the older one; without any checkpoint
# the JSON commits are replayed from 0.
cp20=$LOG/$(printf %020d 20).checkpoint.parquet
size=$(stat -c %s "$cp20")
head -c $((size / 2)) "$cp20" > "$WORK/torn" && cat "$WORK/torn" > "$cp20"
expect_eq "torn checkpoint 20: falls back to checkpoint 10" "50" "$(sql 'SELECT count(*) FROM t' 2>/dev/null)"
rm "$LOG/$(printf %020d 10).checkpoint.parquet"
expect_eq "torn 20, no 10: falls back to the JSON commits" "50" "$(sql 'SELECT count(*) FROM t' 2>/dev/null)"
rm "$cp20"
expect_eq "_last_checkpoint names a missing file: JSON commits" "50" "$(sql 'SELECT count(*) FROM t')"
printf '{"version":' > "$LOG/_last_checkpoint"
expect_eq "_last_checkpoint not JSON: JSON commits" "50" "$(sql 'SELECT count(*) FROM t')"
for _ in $(seq 26 31); do ingest_next || not_ok "ingest $n"; done
expect_eq "the next multiple of 10 writes a checkpoint again" "30.checkpoint.parquet " "$(cp_files)"
expect_eq "_last_checkpoint is rewritten" "30" "$(last_version)"

# SIGKILL between the checkpoint and _last_checkpoint: the checkpoint is there, the hint
# is old; both readers accept the table.
for _ in $(seq 32 40); do ingest_next || not_ok "ingest $n"; done
ingest_next LAKEHOUSE_FAULT=checkpoint.before_last
expect_eq "killed before _last_checkpoint (SIGKILL)" "137" "$?"
expect_eq "checkpoint 40 is in place" "30.checkpoint.parquet 40.checkpoint.parquet " "$(cp_files)"
expect_eq "_last_checkpoint still names 30" "30" "$(last_version)"
expect_eq "the table reads every committed row" "82" "$(sql 'SELECT count(*) FROM t')"
delta_check "$LAKEHOUSE_DATA/tables/t" 82 "after a kill before _last_checkpoint"

# SIGKILL after writing the temp checkpoint, before its rename: no checkpoint 50, a temp
# file nobody reads, swept by the next writer.
for _ in $(seq 42 50); do ingest_next || not_ok "ingest $n"; done
ingest_next LAKEHOUSE_FAULT=checkpoint.before_rename
expect_eq "killed before the rename (SIGKILL)" "137" "$?"
expect_eq "no checkpoint 50" "30.checkpoint.parquet 40.checkpoint.parquet " "$(cp_files)"
expect_eq "the temp checkpoint was left behind" "1" "$(find "$LOG" -name '.tmp-*.parquet' | wc -l)"
expect_eq "the table reads every committed row" "102" "$(sql 'SELECT count(*) FROM t')"
delta_check "$LAKEHOUSE_DATA/tables/t" 102 "after a kill before the rename"
ingest_next || not_ok "ingest $n"
expect_eq "the next writer swept the temp files" "0" "$(find "$LOG" -name '.tmp-*' | wc -l)"

# Tombstones: a compaction removes every file; the next checkpoint keeps the removes
# (within the vacuum retention) beside the one live file.
check "compact" "$LH" compact t
for _ in $(seq 53 60); do ingest_next || not_ok "ingest $n"; done
expect_eq "checkpoint 60 after the compaction" "60" "$(last_version)"
if ((have_ref)); then
  cp60=$LOG/$(printf %020d 60).checkpoint.parquet
  expect_eq "checkpoint 60: 9 live files, 52 tombstones" "9 52" \
    "$("$DUCKREF" "SELECT count(add), count(remove) FROM read_parquet('$cp60')" | tr ',' ' ')"
fi
delta_check "$LAKEHOUSE_DATA/tables/t" 120 "after a compaction"
expect_eq "the table reads every row after the compaction" "120 0" \
  "$(sql 'SELECT count(*), count(*) - count(DISTINCT id) FROM t' | tr ',' ' ')"

# The interval is configurable; 0 writes none.
for i in 1 2 3 4 5; do printf 'k\n%d\n' "$i" > "c$i.csv"
  LAKEHOUSE_STORAGE_CHECKPOINT_INTERVAL=2 "$LH" ingest "c$i.csv" --name two >/dev/null || not_ok "ingest two $i"
  LAKEHOUSE_STORAGE_CHECKPOINT_INTERVAL=0 "$LH" ingest "c$i.csv" --name none >/dev/null || not_ok "ingest none $i"
done
expect_eq "interval 2: checkpoints at 2 and 4" "2 4 " \
  "$(cd "$LAKEHOUSE_DATA/tables/two/_delta_log" && ls | grep checkpoint.parquet | sed 's/^0*//; s/\..*//' | tr '\n' ' ')"
expect_eq "interval 0: no checkpoint" "0" "$(ls "$LAKEHOUSE_DATA/tables/none/_delta_log" | grep -c checkpoint)"
expect_eq "both read every row" "5 5" "$(sql 'SELECT (SELECT count(*) FROM two), (SELECT count(*) FROM none)' | tr ',' ' ')"

# Erasure: once vacuum has deleted the files that held erased rows, the checkpoints below
# the compaction hold their statistics no more (they are deleted, like the commits'
# statistics are stripped).
for i in 1 2 3; do printf 'id,v\n%d,x\n%d,y\n' "$i" $((1000 + i)) > "g$i.csv"
  LAKEHOUSE_STORAGE_CHECKPOINT_INTERVAL=2 "$LH" ingest "g$i.csv" --name g >/dev/null || not_ok "ingest g $i"
done
GLOG=$LAKEHOUSE_DATA/tables/g/_delta_log
expect_eq "g: checkpoint 2" "1" "$(ls "$GLOG" | grep -c 'checkpoint\.parquet$')"
check "g: delete a key" "$LH" delete g --key id 1
check "g: compact" "$LH" compact g
check "g: vacuum --retention-hours 0" "$LH" vacuum g --retention-hours 0
expect_eq "g: the checkpoint below the compaction is gone" "0" "$(ls "$GLOG" | grep -c 'checkpoint\.parquet$')"
expect_eq "g: reads without the erased row" "5 0" "$(sql 'SELECT count(*), count(*) FILTER (WHERE id = 1) FROM g' | tr ',' ' ')"
delta_check "$LAKEHOUSE_DATA/tables/g" 5 "after the erasure"
