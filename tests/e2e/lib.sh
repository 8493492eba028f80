# lib.sh: helpers for the end-to-end scripts (sourced). Each check prints one TAP-style
# line, "ok - what" or "not ok - what", which tests/run_all.sh counts.
set -u
LH=${LAKEHOUSE_BIN:?set LAKEHOUSE_BIN (tests/run_all.sh does)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lh-e2e-XXXXXX")
export LAKEHOUSE_DATA=$WORK/data
trap 'rm -rf "$WORK"' EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
# The script's own stdout, kept on a file descriptor of its own: a helper that runs the
# binary inside $(...) or under 2>/dev/null still reports a failure where the runner
# counts it.
exec {TAP_FD}>&1

# check "what" cmd...: passes when the command exits 0.
check() {
  local what=$1; shift
  "$@" >"$WORK/out" 2>"$WORK/err"; local rc=$?
  if [[ $rc -eq 0 ]]; then ok "$what"; else not_ok "$what"; echo "# exit $rc: $(head -c 600 "$WORK/err")"; fi
}

# expect_eq "what" expected actual. The runner shows only the lines of a failed suite that
# start with '#': a value of several lines (a data_state listing) is reported as a diff with
# every line marked, so the line that differs is the one shown (with plain "# expected: $2",
# only the first line of each listing came through, and two unchanged first lines read as
# "identical hashes").
expect_eq() {
  if [[ "$2" == "$3" ]]; then ok "$1"; return; fi
  not_ok "$1"
  if [[ $2 == *$'\n'* || $3 == *$'\n'* ]]; then
    echo "# expected (-) and actual (+) differ in these lines:"
    diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | grep -E '^[<>]' | sed 's/^</# -/; s/^>/# +/' | head -n 40
  else
    echo "# expected: $2"; echo "# actual:   $3"
  fi
}

# expect_fail "what" pattern cmd...: the command must exit non-zero with exactly one
# line on stderr that matches pattern (grep -E, case-insensitive).
expect_fail() {
  local what=$1 pat=$2; shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"; local rc=$?
  local lines; lines=$(wc -l <"$WORK/err")
  if [[ $rc -ne 0 && $lines -eq 1 ]] && grep -qiE "$pat" "$WORK/err"; then ok "$what"
  else not_ok "$what"; echo "# exit $rc, $lines stderr lines: $(head -c 600 "$WORK/err")"; fi
}

# DuckDB's directory: the Makefile's DUCKDB_DIR (tests/run_all.sh exports it, absolute).
DUCKDB_LIB=${DUCKDB_DIR:-${LH_REPO:-.}/third_party/duckdb}
SHARED=${LH_SHARED_DIR:-${LH_REPO:-.}/../shared}

# build_duckref OUT: builds $SHARED/tools/duckref.c (an independent DuckDB reader, beside
# delta_check.py) into OUT; returns 0 when built. The cross-reader checks run whenever
# ../shared is there: its absence is a skip, and a failure under CI=true; a build that
# fails is a failure.
build_duckref() {
  local out=$1 src=$SHARED/tools/duckref.c
  if [[ ! -f $src ]]; then
    if [[ ${CI:-} == true ]]; then not_ok "$src exists (CI=true)"; else echo "skip - independent reader: no $src"; fi
    return 1
  fi
  if gcc -O2 -I"$DUCKDB_LIB" "$src" -L"$DUCKDB_LIB" -lduckdb -Wl,-rpath,"$DUCKDB_LIB" -o "$out" 2>"$WORK/duckref.err"; then
    return 0
  fi
  not_ok "duckref builds"; echo "# $(head -c 600 "$WORK/duckref.err")"; return 1
}

# A fingerprint of the data directory (every file's path and hash), to prove that a
# failed command changed nothing.
data_state() { (cd "$LAKEHOUSE_DATA" 2>/dev/null && find . -type f ! -name .lock -print0 | sort -z | xargs -0 -r sha256sum) ; }
# The same while a server holds the directory: without _journal/, which the journal's
# timer (every [journal] flush_interval_ms) rewrites at any moment (WAL segments become
# Parquet), whatever the request under test did.
server_state() { data_state | grep -v '^[0-9a-f]*  \./_journal/'; }

# sql QUERY [args]: one query as CSV without the header row. The binary's exit status is
# kept: a non-zero exit (an error, a crash, a sanitizer report at exit) is a failed check
# ("not ok - sql exited N"), whatever the caller does with the output, and sql returns it.
sql() {
  local out rc
  out=$("$LH" sql "$1" --format csv "${@:2}"); rc=$?
  [[ -n $out ]] && printf '%s\n' "$out" | tail -n +2 | tr -d '\r'
  ((rc == 0)) || echo "not ok - sql exited $rc: ${1:0:160}" >&$TAP_FD
  return $rc
}
# sql_may_fail QUERY [args]: as sql, for a query that is allowed to fail (the caller
# looks at the output): the exit status is returned, not reported.
sql_may_fail() {
  local out rc
  out=$("$LH" sql "$1" --format csv "${@:2}"); rc=$?
  [[ -n $out ]] && printf '%s\n' "$out" | tail -n +2 | tr -d '\r'
  return $rc
}
# lh ARGS...: the binary with its output as is, for helpers that pipe it on (into
# python3, tail...): a non-zero exit is a failed check, as for sql, and is returned.
lh() {
  "$LH" "$@"; local rc=$?
  ((rc == 0)) || echo "not ok - lakehouse $1 exited $rc" >&$TAP_FD
  return $rc
}
