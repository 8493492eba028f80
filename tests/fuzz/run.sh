#!/usr/bin/env bash
# run.sh: runs the libFuzzer harnesses that `make fuzz-build` put in build/fuzz/.
#
#   FUZZ_SECONDS=60 tests/fuzz/run.sh [harness ...]     (default: every harness)
#
# For each harness:
#  1. every file in tests/fuzz/regressions/<harness>/ runs once; any failure fails the run
#     (these are fixed findings that must stay fixed);
#  2. every file in tests/fuzz/regressions/<harness>/open/ runs once and is reported as
#     OPEN (still failing: a known finding whose fix is pending) or FIXED (move it up one
#     folder); it fails the run unless FUZZ_STRICT=0;
#  3. the harness fuzzes for FUZZ_SECONDS over its seed corpus tests/fuzz/corpus/<harness>/
#     with tests/fuzz/<harness>.dict when present. New inputs go to a temp directory (the
#     repository is never written); a crash fails the run, and its input is kept under
#     build/fuzz/artifacts/<harness>/ with the command that reproduces it.
# With FUZZ_STRICT=0 (strict is the default: no finding is open today), the known open
# findings are tolerated while fuzzing (see
# fuzz_sql_gate.c: LH_FUZZ_GATE_ALLOW_EXPLAIN, LH_FUZZ_GATE_ALLOW_REFUSED_WRITES;
# fuzz_json_body.c: LH_FUZZ_JSON_ALLOW_503) so that a
# run measures new problems. Executions per harness are printed at the end.
set -uo pipefail
cd "$(dirname "$0")/../.."

secs=${FUZZ_SECONDS:-60}
bin=${FUZZ_BIN_DIR:-build/fuzz}
strict=${FUZZ_STRICT:-1}
names=("$@")
((${#names[@]})) || names=(toml multipart json_body detect sms delta_log sql_gate decode ai_wire hnsw_file)

if [[ $strict != 1 ]]; then
  export LH_FUZZ_GATE_ALLOW_EXPLAIN=1 LH_FUZZ_GATE_ALLOW_REFUSED_WRITES=1 LH_FUZZ_JSON_ALLOW_503=1
fi
# Leak checks stay on for every harness, sql_gate included: it closes what it opens at exit
# and lets the engine's idle connections go after each input (docs/TESTING.md, "Leak
# checks and libduckdb").
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work=$(mktemp -d "${TMPDIR:-/tmp}/lh-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The harnesses make their scratch directories under TMPDIR; one that crashed leaves its
# directory behind, so keep them all inside $work.
export TMPDIR=$work
fail=0
summary=()

for h in "${names[@]}"; do
  exe=$bin/fuzz_$h
  [[ -x $exe ]] || { echo "fuzz: $exe is missing (make fuzz-build)" >&2; fail=1; continue; }
  regs=tests/fuzz/regressions/$h
  arts=build/fuzz/artifacts/$h
  mkdir -p "$arts"

  mapfile -t fixed < <(find "$regs" -maxdepth 1 -type f 2>/dev/null | sort)
  for f in "${fixed[@]}"; do
    if ! "$exe" "$f" >"$work/reg.log" 2>&1; then
      echo "fuzz: $h: REGRESSION $f fails again:" >&2
      grep -E 'INVARIANT|ERROR:|SUMMARY' "$work/reg.log" | head -5 >&2
      fail=1
    fi
  done
  mapfile -t open < <(find "$regs/open" -maxdepth 1 -type f 2>/dev/null | sort)
  for f in "${open[@]}"; do
    if (unset LH_FUZZ_GATE_ALLOW_EXPLAIN LH_FUZZ_GATE_ALLOW_REFUSED_WRITES LH_FUZZ_JSON_ALLOW_503; "$exe" "$f") >"$work/reg.log" 2>&1; then
      echo "fuzz: $h: FIXED $f passes now: git mv it to $regs/"
    else
      echo "fuzz: $h: OPEN $f ($(grep -m1 -oE 'INVARIANT BROKEN: .{0,100}|ERROR: AddressSanitizer: [a-z-]+|runtime error: .{0,80}' "$work/reg.log"))"
      [[ $strict == 1 ]] && fail=1
    fi
  done

  dict=()
  [[ -f tests/fuzz/$h.dict ]] && dict=(-dict="tests/fuzz/$h.dict")
  mkdir -p "$work/$h"
  "$exe" -max_total_time="$secs" -print_final_stats=1 -timeout=30 -rss_limit_mb=4096 \
    -artifact_prefix="$arts/" "${dict[@]}" "$work/$h" "tests/fuzz/corpus/$h" >"$work/$h.log" 2>&1
  rc=$?
  cp "$work/$h.log" "$arts/last-run.log"
  execs=$(grep -m1 -oE 'number_of_executed_units: [0-9]+' "$work/$h.log" | grep -oE '[0-9]+$')
  known=$(grep -c '^KNOWN OPEN' "$work/$h.log")
  if ((rc)); then
    fail=1
    echo "fuzz: $h: FAILED (exit $rc); the end of its log ($arts/last-run.log):" >&2
    grep -vE '^(INFO|#[0-9]+)' "$work/$h.log" | tail -25 >&2
    echo "fuzz: reproduce with: $exe $arts/<crash-file>; then add it to $regs/" >&2
  fi
  summary+=("$(printf '%-10s %s  executions=%s  known-open-hits=%s' "$h" "$( ((rc)) && echo FAIL || echo ok)" "${execs:-?}" "$known")")
done

echo "fuzz: ${secs}s per harness"
printf '  %s\n' "${summary[@]}"
exit $fail
