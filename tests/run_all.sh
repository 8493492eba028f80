#!/usr/bin/env bash
# Runs every test: the cmocka unit binaries under $BUILD/tests, then the end-to-end
# scripts in tests/e2e (each prints "ok - ..." / "not ok - ..." lines, TAP style).
# Ends with one summary line "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export LAKEHOUSE_BIN=$PWD/$BUILD/lakehouse
export LH_REPO=$PWD
export LH_SHARED_DIR=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export TMPDIR=${TMPDIR:-/tmp}
passed=0 failed=0 skipped=0
failures=()
log=$(mktemp -d)
only=${1:-}

for t in "$BUILD"/tests/test_*; do
  [[ -x $t ]] || continue
  name=$(basename "$t")
  [[ -n $only && $name != *$only* ]] && continue
  start=$(date +%s)
  "$t" >"$log/$name.out" 2>&1
  rc=$?
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log/$name.out" | awk '{s+=$4} END {print s+0}')
  f=$(grep -oE '^\[  FAILED  \] [0-9]+' "$log/$name.out" | awk '{s+=$4} END {print s+0}')
  s=$(grep -cE '^\[  SKIPPED \]' "$log/$name.out")
  if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi   # a crash or sanitizer report
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [[ $f -ne 0 ]]; then
    failures+=("$name"); echo "FAIL $name (exit $rc)"; tail -n 40 "$log/$name.out"
  else
    echo "ok   $name: $p passed ($(( $(date +%s) - start ))s)"
  fi
done

for t in tests/e2e/*.sh; do
  [[ -f $t ]] || continue
  name=$(basename "$t" .sh)
  [[ $name == lib ]] && continue
  [[ -n $only && $name != *$only* ]] && continue
  start=$(date +%s)
  bash "$t" >"$log/$name.out" 2>&1
  rc=$?
  p=$(grep -cE '^ok ' "$log/$name.out")
  f=$(grep -cE '^not ok ' "$log/$name.out")
  s=$(grep -cE '^skip ' "$log/$name.out")
  if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [[ $f -ne 0 ]]; then
    failures+=("$name"); echo "FAIL e2e/$name (exit $rc)"; grep -E '^not ok|^#' "$log/$name.out" | head -n 40; tail -n 15 "$log/$name.out"
  else
    echo "ok   e2e/$name: $p passed ($(( $(date +%s) - start ))s)"
  fi
done

rm -rf "$log"
[[ ${#failures[@]} -gt 0 ]] && echo "failed: ${failures[*]}"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && $passed -gt 0 ]]
