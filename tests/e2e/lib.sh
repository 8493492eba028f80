# lib.sh: helpers for the end-to-end scripts (sourced). Each check prints one TAP-style
# line, "ok - what" or "not ok - what", which tests/run_all.sh counts.
set -u
LH=${LAKEHOUSE_BIN:?set LAKEHOUSE_BIN (tests/run_all.sh does)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lh-e2e-XXXXXX")
export LAKEHOUSE_DATA=$WORK/data
trap 'rm -rf "$WORK"' EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# check "what" cmd...: passes when the command exits 0.
check() {
  local what=$1; shift
  "$@" >"$WORK/out" 2>"$WORK/err"; local rc=$?
  if [[ $rc -eq 0 ]]; then ok "$what"; else not_ok "$what"; echo "# exit $rc: $(head -c 600 "$WORK/err")"; fi
}

# expect_eq "what" expected actual
expect_eq() { if [[ "$2" == "$3" ]]; then ok "$1"; else not_ok "$1"; echo "# expected: $2"; echo "# actual:   $3"; fi; }

# expect_fail "what" pattern cmd...: the command must exit non-zero with exactly one
# line on stderr that matches pattern (grep -E, case-insensitive).
expect_fail() {
  local what=$1 pat=$2; shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"; local rc=$?
  local lines; lines=$(wc -l <"$WORK/err")
  if [[ $rc -ne 0 && $lines -eq 1 ]] && grep -qiE "$pat" "$WORK/err"; then ok "$what"
  else not_ok "$what"; echo "# exit $rc, $lines stderr lines: $(head -c 600 "$WORK/err")"; fi
}

# A fingerprint of the data directory (every file's path and hash), to prove that a
# failed command changed nothing.
data_state() { (cd "$LAKEHOUSE_DATA" 2>/dev/null && find . -type f ! -name .lock -print0 | sort -z | xargs -0 -r sha256sum) ; }

# sql QUERY [args]: one query as CSV without the header row.
sql() { "$LH" sql "$1" --format csv "${@:2}" | tail -n +2 | tr -d '\r'; }
