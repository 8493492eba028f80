#!/usr/bin/env bash
# Runs every test: the cmocka unit binaries under $BUILD/tests, then the end-to-end
# scripts in tests/e2e (each prints "ok - ..." / "not ok - ..." lines, TAP style).
# Ends with one summary line "tests: N passed, N failed".
#
#   tests/run_all.sh [NAME]     only the suites whose name contains NAME
#
# LH_TEST_JOBS=N runs up to N end-to-end suites at once (default 1; `make test` passes 2:
# most suites wait on processes and servers more than they compute). The suites in ALONE
# below, whose checks bound a time or a rate, run with no other suite beside them. Every
# suite has a data directory, temp dir and ports of its own, so suites never share state.
#
# A suite fails when it reports a failed check, when it exits non-zero (a crash, a
# sanitizer report at exit), when it runs longer than LH_TEST_TIMEOUT seconds (default
# 600; its whole process group is then killed), or when it executes no check at all. A
# suite whose every check skipped is reported as skipped, and fails under CI=true.
# docs/TESTING.md says more; tests/e2e/runner_selftest.sh checks these rules.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export LAKEHOUSE_BIN=$PWD/$BUILD/lakehouse
# The release binary (no fault points) and the DuckDB the build used: tests/e2e/ship.sh.
RELEASE=${RELEASE:-$BUILD/release}
export LAKEHOUSE_RELEASE_BIN=$PWD/$RELEASE/lakehouse
export RELEASE
export DUCKDB_DIR=$(realpath -m "${DUCKDB_DIR:-third_party/duckdb}")
export LH_REPO=$PWD
export LH_SHARED_DIR=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export TMPDIR=${TMPDIR:-/tmp}
TIMEOUT=${LH_TEST_TIMEOUT:-600}
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || { echo "LH_TEST_TIMEOUT must be a number of seconds" >&2; exit 2; }
passed=0 failed=0 skipped=0
failures=()
log=$(mktemp -d)
only=${1:-}

# run OUT cmd...: runs the suite with stdin closed, under `timeout`, which makes the suite
# the leader of a process group of its own and, after TIMEOUT s, sends SIGTERM to the whole
# group (servers the suite started included), then SIGKILL 10 s later. Sets rc and secs;
# timed_out=1 when it was stopped.
# Ctrl-C reaches only the runner (the suite's group is not the terminal's): pass it on.
run() {
  local out=$1; shift
  local t0=$SECONDS
  timeout -k 10 "$TIMEOUT" "$@" >"$out" 2>&1 </dev/null &
  suite_pid=$!
  wait "$suite_pid"
  rc=$?
  suite_pid=""
  secs=$((SECONDS - t0))
  timed_out=0
  if [[ ($rc -eq 124 || $rc -eq 137) && $secs -ge $TIMEOUT ]]; then timed_out=1; fi
}

suite_pid=""
trap '[[ -n $suite_pid ]] && kill -TERM "$suite_pid" 2>/dev/null; rm -rf "$log"; exit 130' INT TERM

# verdict KIND NAME: adds a finished suite's counts (p f s, set by the caller) to the totals
# and prints its line; the rules of the header apply here.
verdict() {
  local kind=$1 name=$2 why=""
  if ((timed_out)); then why="timed out after $TIMEOUT s"
  elif ((rc != 0 && f == 0)); then why="exit $rc with no failed check (a crash or a sanitizer report?)"
  elif ((p + f + s == 0)); then why="executed zero checks"
  elif ((p + f == 0)) && [[ ${CI:-} == true ]]; then why="every check skipped, and CI=true"
  fi
  [[ -n $why && $f -eq 0 ]] && f=1
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if ((f)); then
    failures+=("$name")
    echo "FAIL $kind$name (exit $rc${why:+; $why})"
    if [[ $kind == e2e/ ]]; then
      grep -E '^not ok|^#' "$log/$name.out" | head -n 40; tail -n 15 "$log/$name.out"
    else
      tail -n 40 "$log/$name.out"
    fi
  elif ((p == 0)); then
    echo "skip $kind$name: all $s checks skipped (${secs}s)"
  else
    local extra=""; ((s)) && extra=", $s skipped"
    echo "ok   $kind$name: $p passed$extra (${secs}s)"
  fi
}

for t in "$BUILD"/tests/test_*; do
  [[ -x $t ]] || continue
  name=$(basename "$t")
  [[ -n $only && $name != *$only* ]] && continue
  run "$log/$name.out" "$t"
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log/$name.out" | awk '{s+=$4} END {print s+0}')
  f=$(grep -oE '^\[  FAILED  \] [0-9]+' "$log/$name.out" | awk '{s+=$4} END {print s+0}')
  s=$(grep -oE '^\[  SKIPPED \] [0-9]+ test' "$log/$name.out" | awk '{s+=$4} END {print s+0}')
  verdict "" "$name"
done

JOBS=${LH_TEST_JOBS:-1}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "LH_TEST_JOBS must be a number of suites" >&2; exit 2; }
ALONE=" http_load http_threads http_dos sec_misc runner_selftest "
declare -A running=()   # pid -> suite name

# e2e_verdict NAME: the verdict of a finished suite, from its output and its .rc file.
e2e_verdict() {
  local name=$1
  read -r rc secs <"$log/$name.rc"
  timed_out=0
  if [[ ($rc -eq 124 || $rc -eq 137) && $secs -ge $TIMEOUT ]]; then timed_out=1; fi
  p=$(grep -cE '^ok ' "$log/$name.out")
  f=$(grep -cE '^not ok ' "$log/$name.out")
  s=$(grep -cE '^skip ' "$log/$name.out")
  verdict e2e/ "$name"
}

# e2e_start NAME: runs the suite in the background (as run() does), its status and time
# into $log/NAME.rc.
e2e_start() {
  local name=$1
  ( t0=$SECONDS
    timeout -k 10 "$TIMEOUT" bash "tests/e2e/$name.sh" >"$log/$name.out" 2>&1 </dev/null
    echo "$? $((SECONDS - t0))" >"$log/$name.rc" ) &
  running[$!]=$name
}

# e2e_reap [all]: waits for one running suite (all of them with "all") and gives its verdict.
e2e_reap() {
  local pid
  while ((${#running[@]})); do
    wait -n -p pid "${!running[@]}"
    [[ -n ${running[$pid]:-} ]] || continue
    e2e_verdict "${running[$pid]}"
    unset "running[$pid]"
    [[ ${1:-} == all ]] || return 0
  done
}

trap 'for pid in "${!running[@]}"; do pkill -TERM -P "$pid" 2>/dev/null; kill -TERM "$pid" 2>/dev/null; done; rm -rf "$log"; exit 130' INT TERM

for t in tests/e2e/*.sh; do
  [[ -f $t ]] || continue
  name=$(basename "$t" .sh)
  [[ $name == lib ]] && continue
  [[ -n $only && $name != *$only* ]] && continue
  if ((JOBS == 1)) || [[ $ALONE == *" $name "* ]]; then
    e2e_reap all
    e2e_start "$name"
    e2e_reap all
  else
    ((${#running[@]} >= JOBS)) && e2e_reap
    e2e_start "$name"
  fi
done
e2e_reap all

rm -rf "$log"
[[ ${#failures[@]} -gt 0 ]] && echo "failed: ${failures[*]}"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && $passed -gt 0 ]]
