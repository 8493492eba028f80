# The test runner's own rules, checked on a sandbox tree that holds a copy of the real
# tests/run_all.sh and tests/e2e/lib.sh and made-up suites: a suite that exits non-zero
# without a "not ok" line fails, one that executes zero checks fails, a hung one is timed
# out (its process group killed) and fails, and lib.sh's sql() and lh() let no exit status
# of the binary vanish. Each would pass silently if its rule were removed from the runner
# or the library.
source "$(dirname "$0")/lib.sh"
SB=$WORK/sb
mkdir -p "$SB/tests/e2e" "$SB/build/tests"
cp "$LH_REPO/tests/run_all.sh" "$SB/tests/"
cp "$LH_REPO/tests/e2e/lib.sh" "$SB/tests/e2e/"

# A stand-in for the binary that answers one row and then exits with $FAKE_RC, after a
# sanitizer-like report when that is not 0 (as an ASan leak report at exit does).
cat >"$SB/fake_lh" <<'EOF'
#!/bin/sh
printf 'x\n1\n'
[ "${FAKE_RC:-0}" = 0 ] || echo "==1==ERROR: LeakSanitizer: detected memory leaks" >&2
exit "${FAKE_RC:-0}"
EOF
chmod +x "$SB/fake_lh"

# The made-up suites.
echo 'echo "ok - fine"' >"$SB/tests/e2e/good.sh"
printf 'echo "ok - looked fine"\nexit 3\n' >"$SB/tests/e2e/exit_nonzero.sh"
echo 'echo "nothing checked here"' >"$SB/tests/e2e/zero_checks.sh"
echo 'echo "skip - no data here"' >"$SB/tests/e2e/only_skips.sh"
cat >"$SB/tests/e2e/hang.sh" <<EOF
sleep 120 & echo \$! >"$SB/hang.child"
echo "ok - started"
sleep 120
EOF
cat >"$SB/tests/e2e/sql_status.sh" <<EOF
export LAKEHOUSE_BIN=$SB/fake_lh FAKE_RC=23
source "\$(dirname "\$0")/lib.sh"
expect_eq "the row is right (the exit status is not)" 1 "\$(sql 'SELECT 1' 2>/dev/null)"
EOF
# Two listings whose first lines agree (as two data_state snapshots whose first file is
# the same): the runner shows only '#' lines of a failed suite, so the differing line must
# be one of them.
cat >"$SB/tests/e2e/state_diff.sh" <<'EOF'
source "$(dirname "$0")/lib.sh"
expect_eq "the data directory is unchanged" "$(printf 'h1  ./a\nh2  ./b\nh3  ./c')" "$(printf 'h1  ./a\nh2  ./b\nh9  ./c\nh4  ./_staging/x')"
EOF
cat >"$SB/build/tests/test_zero" <<'EOF'
#!/bin/sh
printf '[==========] Running 0 test(s).\n[==========] 0 test(s) run.\n[  PASSED  ] 0 test(s).\n'
EOF
cat >"$SB/build/tests/test_crash" <<'EOF'
#!/bin/sh
printf '[==========] 2 test(s) run.\n[  PASSED  ] 2 test(s).\n'
echo "==1==ERROR: AddressSanitizer: heap-use-after-free" >&2
exit 1
EOF
chmod +x "$SB/build/tests/test_zero" "$SB/build/tests/test_crash"

# runner NAME: the sandbox runner on the suites matching NAME (LH_TEST_TIMEOUT=3), itself
# bounded at 60 s so that a runner without its timeout fails this check instead of hanging.
runner() {
  (unset CI; cd "$SB" && timeout -k 5 60 env LH_TEST_TIMEOUT=3 BUILD=build tests/run_all.sh "$1") \
    >"$WORK/runner.out" 2>&1
  runner_rc=$?
}
# expect_line "what" REGEX: the last runner output has a line matching REGEX.
expect_line() {
  if grep -qE -- "$2" "$WORK/runner.out"; then ok "$1"
  else not_ok "$1"; echo "# no line matching: $2"; sed 's/^/# /' "$WORK/runner.out" | head -n 20; fi
}

runner good
expect_eq "a suite with a passing check passes (the sandbox runner exits 0)" 0 "$runner_rc"
expect_line "its line says so" '^ok   e2e/good: 1 passed'

runner exit_nonzero
expect_line "a suite that exits 3 with no 'not ok' line fails" '^FAIL e2e/exit_nonzero \(exit 3'
expect_eq "and the run fails" 1 "$runner_rc"

runner zero_checks
expect_line "a suite that executes zero checks fails" '^FAIL e2e/zero_checks .*executed zero checks'
expect_eq "and the run fails" 1 "$runner_rc"

runner test_zero
expect_line "a unit binary that runs zero tests fails" '^FAIL test_zero .*executed zero checks'

runner test_crash
expect_line "a unit binary whose tests passed but that exits 1 (a sanitizer report) fails" '^FAIL test_crash \(exit 1'

runner only_skips
expect_line "a suite whose every check skipped is reported as skipped" '^skip e2e/only_skips: all 1 checks skipped'
(cd "$SB" && CI=true LH_TEST_TIMEOUT=3 BUILD=build timeout 60 tests/run_all.sh only_skips) >"$WORK/runner.out" 2>&1
expect_line "and fails under CI=true" '^FAIL e2e/only_skips .*every check skipped, and CI=true'

start=$SECONDS
runner hang
expect_line "a hung suite fails, timed out" '^FAIL e2e/hang .*timed out after 3 s'
took=$((SECONDS - start))
expect_eq "the run goes on after the timeout (within 20 s, not 120)" yes "$([[ $runner_rc -ne 124 && $took -lt 20 ]] && echo yes || echo "no: ${took}s, rc $runner_rc")"
child=$(cat "$SB/hang.child" 2>/dev/null)
expect_eq "the hung suite's background child was killed with its process group" gone \
  "$(st=$(ps -o stat= -p "${child:-0}" 2>/dev/null); [[ -n $child && ( -z $st || $st == Z* ) ]] && echo gone || echo "alive (pid ${child:-?}, state $st)")"
[[ -n $child ]] && kill "$child" 2>/dev/null

runner sql_status
expect_line "sql(): the binary's non-zero exit is a failed check though its output is right" '^not ok - sql exited 23'
expect_line "so the suite fails" '^FAIL e2e/sql_status'

runner state_diff
expect_line "a multi-line expect_eq failure shows the changed line" '^# - h3  \./c$'
expect_line "... and the new one" '^# \+ h9  \./c$'
expect_line "... and an added file" '^# \+ h4  \./_staging/x$'
expect_eq "... not the unchanged first line" no "$(grep -qE '^# .*h1  \./a' "$WORK/runner.out" && echo yes || echo no)"

# sql(), sql_may_fail() and lh() directly: the status is returned; sql and lh report it
# even from inside $(...) with stderr thrown away; sql_may_fail does not.
probe() {
  FAKE_RC=$1 LAKEHOUSE_BIN=$SB/fake_lh bash -c 'source "$1"; v=$('"$2"' 2>/dev/null); echo "rc=$? v=$v"' _ "$SB/tests/e2e/lib.sh" 2>/dev/null | tr '\n' ' '
}
expect_eq "sql: exit 0 is quiet" "rc=0 v=1 " "$(probe 0 'sql "SELECT 1"')"
expect_eq "sql: exit 7 is a 'not ok' line and the return value" "not ok - sql exited 7: SELECT 1 rc=7 v=1 " "$(probe 7 'sql "SELECT 1"')"
expect_eq "sql_may_fail: exit 7 returned, not reported" "rc=7 v=1 " "$(probe 7 'sql_may_fail "SELECT 1"')"
expect_eq "lh: exit 5 in a pipeline is a 'not ok' line" "not ok - lakehouse datasets exited 5 rc=0 v=1 " "$(probe 5 'lh datasets | tail -n 1')"
