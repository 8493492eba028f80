#!/usr/bin/env bash
# Allocation-failure and I/O-error torture (after SQLite's and curl's loops).
#
# For each operation (an ingest, a query, a tombstone, a compact) and each kind of
# injected failure (the Nth allocation: LH_FAIL_ALLOC_AT; the Nth write or fsync failing
# with EIO or ENOSPC, or going short: LH_FAIL_IO_AT + LH_FAIL_IO), run the operation on a
# fresh copy of a data directory with the failure at N = 1, 2, ... and require:
#   - the process ends with a clean error (exit 1..125 and a "lakehouse: ..." line) or
#     succeeds (a short write must succeed: the write loops go on);
#   - no sanitizer report (under `make SANITIZE=1 test` that includes leaks);
#   - the data directory is readable afterwards at its last committed version: the
#     dataset's row count is the one before the operation or the one after it.
# The loop ends at the first N the operation no longer reaches (the injection message
# does not appear): every point up to there was failed once. LH_TORTURE=full runs every
# point; by default points are spread over the range (all of the first 40, then evenly to
# 70) so the suite stays quick. Under the sanitizers (SANITIZE=1, where each run costs
# several times more) the spread is all of the first 15, then evenly to 30: the plain run
# has already tried the 70, the sanitized one looks for leaks and undefined behaviour on
# the failure paths of each stage. Needs a build with LH_FAULTS (the test build).
source "$(dirname "$0")/lib.sh"
cd "$WORK"

FULL=${LH_TORTURE:-}
if [[ ${SANITIZE:-} == 1 ]]; then FIRST=15 SPREAD=30; else FIRST=40 SPREAD=70; fi
SPREAD=${LH_TORTURE_POINTS:-$SPREAD}
FIRST=${LH_TORTURE_FIRST:-$FIRST}
((FIRST < SPREAD)) || FIRST=$SPREAD

printf 'id,name,score\n1,ann,3.5\n2,bob,4\n3,cy,5\n' > a.csv
printf 'id,name,score\n4,dee,1\n5,eve,2\n6,fay,3\n' > b.csv
check "baseline ingest" "$LH" ingest a.csv --name people
BASE=$WORK/base
cp -a "$LAKEHOUSE_DATA" "$BASE"
"$LH" delete people --key id 2 --reason torture >/dev/null 2>&1
BASE_TOMB=$WORK/base_tomb
cp -a "$LAKEHOUSE_DATA" "$BASE_TOMB"

# A dataset with a vector index (issue 14, item 7): compaction then also rewrites the
# index without the tombstoned key, and a refresh after an append embeds the new rows.
rm -rf "$LAKEHOUSE_DATA"
printf 'id,name,score,bio\n1,ann,3.5,nurse in cardiology and intensive care\n2,bob,4,payments engineer who runs kubernetes\n3,cy,5,nurse and payments engineer\n' > c.csv
printf 'id,name,score,bio\n4,dee,1,kubernetes nurse\n' > d.csv
check "baseline ingest (indexed)" "$LH" ingest c.csv --name people
check "baseline index" "$LH" vectors index people --text bio --key id
"$LH" delete people --key id 2 --reason torture >/dev/null 2>&1
BASE_IDX=$WORK/base_idx
cp -a "$LAKEHOUSE_DATA" "$BASE_IDX"
"$LH" compact people >/dev/null 2>&1
"$LH" ingest d.csv --name people >/dev/null 2>&1
BASE_STALE=$WORK/base_stale
cp -a "$LAKEHOUSE_DATA" "$BASE_STALE"
rm -rf "$LAKEHOUSE_DATA"
cp -a "$BASE" "$LAKEHOUSE_DATA"

# The CLI must not be able to skip the hooks: a build without LH_FAULTS would pass
# every loop vacuously.
if LH_FAIL_ALLOC_AT=1 "$LH" sql "SELECT 1" 2>&1 | grep -q "injected allocation failure"; then
  ok "the test build has the allocation hook"
else
  not_ok "the test build has the allocation hook (built without LH_FAULTS?)"
fi

count_rows() { "$LH" sql "SELECT count(*) FROM people" --format csv 2>/dev/null | tail -n +2 | tr -d '\r'; }

# fires ENV N base cmd...: does the operation reach failure point N?
fires() {
  local env=$1 n=$2 base=$3; shift 3
  rm -rf "$LAKEHOUSE_DATA"; cp -a "$base" "$LAKEHOUSE_DATA"
  env "$env=$n" "$@" 2>&1 >/dev/null | grep -q "lakehouse: injected"
}

# points TOTAL: the N to try.
points() {
  local total=$1
  if [[ -n $FULL || $total -le $SPREAD ]]; then seq 1 "$total"; return; fi
  seq 1 "$FIRST"
  local rest=$((SPREAD - FIRST)) i
  for ((i = 1; i <= rest; i++)); do echo $((FIRST + (total - FIRST) * i / rest)); done
}

# torture LABEL ENV BASE "ALLOWED COUNTS" cmd...
torture() {
  local label=$1 env=$2 base=$3 allowed=$4; shift 4
  # how many points the operation has: binary search for the first N it does not reach
  local lo=1 hi=1
  while fires "$env" "$hi" "$base" "$@"; do lo=$hi; hi=$((hi * 2)); [[ $hi -gt 1000000 ]] && break; done
  while ((hi - lo > 1)); do
    local mid=$(((lo + hi) / 2))
    if fires "$env" "$mid" "$base" "$@"; then lo=$mid; else hi=$mid; fi
  done
  local total=$lo
  fires "$env" 1 "$base" "$@" || total=0
  local tried=0 bad=0 clean=0 survived=0 n badlist=""
  for n in $(points "$total"); do
    rm -rf "$LAKEHOUSE_DATA"; cp -a "$base" "$LAKEHOUSE_DATA"
    env "$env=$n" "$@" >"$WORK/out" 2>"$WORK/err"
    local rc=$? why=""
    tried=$((tried + 1))
    if grep -qE "Sanitizer|runtime error:" "$WORK/err"; then why="sanitizer report"
    elif [[ $rc -ge 126 ]]; then why="exit $rc (crash or signal)"
    elif [[ $rc -ne 0 && $env == LH_FAIL_IO_AT && $kind == short ]]; then
      why="exit $rc after a short write (write loops must go on)"
    elif [[ $rc -ne 0 ]] && ! grep -v "lakehouse: injected" "$WORK/err" | grep -qE "^lakehouse: |\"error\""; then
      why="exit $rc without an error message"
    else
      local c; c=$(count_rows)
      [[ " $allowed " == *" $c "* ]] || why="afterwards the dataset reads '$c' rows (expected one of: $allowed)"
    fi
    if [[ -n $why ]]; then
      bad=$((bad + 1)); badlist+=" $n"
      if [[ $bad -le 3 ]]; then
        echo "# $label: failure at point $n: $why"
        grep -v "^lakehouse: injected" "$WORK/err" | head -n 12 | sed 's/^/#   /'
      fi
    elif [[ $rc -eq 0 ]]; then survived=$((survived + 1))
    else clean=$((clean + 1)); fi
  done
  echo "# $label: $total failure points, $tried tried: $clean clean errors, $survived completed anyway, $bad bad"
  [[ -n $badlist ]] && echo "# $label: mishandled at points:$badlist"
  if [[ $total -eq 0 && $label == *query && $env == LH_FAIL_IO_AT ]]; then
    ok "$label: a query writes nothing, so no point to fail"
  elif [[ $total -gt 0 && $bad -eq 0 ]]; then ok "$label: every injected failure is handled ($tried of $total points)"
  else not_ok "$label: $bad of $tried injected failures mishandled ($total points)"; fi
}

for kind in ${LH_TORTURE_KINDS:-alloc eio enospc short}; do
  if [[ $kind == alloc ]]; then env=LH_FAIL_ALLOC_AT; pre=()
  else env=LH_FAIL_IO_AT; pre=(env "LH_FAIL_IO=$kind"); fi
  torture "$kind: ingest" "$env" "$BASE" "3 6" "${pre[@]}" "$LH" ingest b.csv --name people
  torture "$kind: query" "$env" "$BASE" "3" "${pre[@]}" "$LH" sql "SELECT name, score FROM people WHERE score > 3 ORDER BY id"
  torture "$kind: tombstone" "$env" "$BASE" "3 2" "${pre[@]}" "$LH" delete people --key id 1 --reason torture
  torture "$kind: compact" "$env" "$BASE_TOMB" "2" "${pre[@]}" "$LH" compact people
  torture "$kind: compact (indexed)" "$env" "$BASE_IDX" "2" "${pre[@]}" "$LH" compact people --erase-now
  torture "$kind: vectors refresh" "$env" "$BASE_STALE" "3" "${pre[@]}" "$LH" vectors refresh people
done
