# The build that ships: both binaries find libduckdb.so relative to themselves ($ORIGIN,
# never the checkout's absolute path), so a copied or moved tree runs; `make install
# PREFIX=` installs bin/lakehouse + lib/libduckdb.so and the installed copy runs, moved
# too; the release binary (make, make run, make install) has no fault points, so the
# test-only environment variables do nothing there.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
REL=${LAKEHOUSE_RELEASE_BIN:?set LAKEHOUSE_RELEASE_BIN (tests/run_all.sh does)}
check "the release binary is built ($REL)" test -x "$REL"
LIB=$DUCKDB_LIB/libduckdb.so

# runpath BIN: the binary's DT_RUNPATH (or DT_RPATH), as written.
runpath() { readelf -d "$1" | sed -nE 's/.*\((RUNPATH|RPATH)\).*\[(.*)\]$/\2/p'; }
# all_relative "A:B:...": "yes" when every entry starts with $ORIGIN.
all_relative() {
  local e IFS=:
  [[ -n $1 ]] || { echo "no run path"; return; }
  for e in $1; do [[ $e == '$ORIGIN'* ]] || { echo "absolute entry $e"; return; }; done
  echo yes
}
# runs BIN ARGS...: BIN sql "SELECT 42" with no LD_LIBRARY_PATH help; prints its answer.
runs() { env -u LD_LIBRARY_PATH "$@" sql "SELECT 42 AS answer" --format csv --data "$WORK/d" 2>&1 | tail -n 1 | tr -d '\r'; }
# resolved BIN: where the loader finds libduckdb.so for BIN.
resolved() { env -u LD_LIBRARY_PATH ldd "$1" | awk '$1 == "libduckdb.so" {print $3}' | xargs -r realpath; }

# ---- relocatable: copy each binary and the library to a tree elsewhere -------------------
for bin in "$LH" "$REL"; do
  label=${bin#"$LH_REPO"/}
  rp=$(runpath "$bin")
  expect_eq "$label: the run path is relative to the binary (\$ORIGIN), not the checkout" yes "$(all_relative "$rp")"
  first=${rp%%:*}
  # The same layout, eight directories down in another place; the library where the
  # binary's run path points from there.
  dir=$WORK/moved/$(basename "$(dirname "$bin")")/a/b/c/d/e/f/g/bin
  libdir=$(realpath -m "$dir/${first#'$ORIGIN'}")
  mkdir -p "$dir" "$libdir"
  cp "$bin" "$dir/lakehouse"
  cp "$LIB" "$libdir/libduckdb.so"
  expect_eq "$label copied with the library elsewhere: it runs" 42 "$(runs "$dir/lakehouse")"
  expect_eq "$label copied: the library it loads is the copy" "$libdir/libduckdb.so" "$(resolved "$dir/lakehouse")"
  rm "$libdir/libduckdb.so"
  expect_eq "$label copied without the library: the loader does not find the checkout's" \
    yes "$(runs "$dir/lakehouse" | grep -q 'libduckdb.so: cannot open shared object file' && echo yes)"
done

# ---- make install PREFIX=... -------------------------------------------------------------
# The same flavour as the tree under test (a sanitizer build installs from build/san/release:
# its objects are already built), without the outer make's flags and jobserver.
san=""; ldd "$REL" | grep -q libasan && san=1
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$LH_REPO" install PREFIX="$WORK/prefix" \
  DUCKDB_DIR="$DUCKDB_LIB" RELEASE="${RELEASE:-build/release}" SANITIZE=$san >"$WORK/install.log" 2>&1
rc=$?
expect_eq "make install PREFIX=... succeeds" 0 "$rc"
[[ $rc -eq 0 ]] || sed 's/^/# /' "$WORK/install.log" | tail -n 20
expect_eq "it installs bin/lakehouse and lib/libduckdb.so" "bin/lakehouse lib/libduckdb.so" \
  "$(cd "$WORK/prefix" 2>/dev/null && find . -type f | sed 's#^\./##' | sort | paste -sd' ')"
expect_eq "the installed binary's run path is \$ORIGIN/../lib" '$ORIGIN/../lib' "$(runpath "$WORK/prefix/bin/lakehouse")"
expect_eq "the installed copy runs" 42 "$(runs "$WORK/prefix/bin/lakehouse")"
mv "$WORK/prefix" "$WORK/elsewhere"
expect_eq "the installed tree, moved, still runs" 42 "$(runs "$WORK/elsewhere/bin/lakehouse")"
expect_eq "and loads its own lib/libduckdb.so" "$WORK/elsewhere/lib/libduckdb.so" "$(resolved "$WORK/elsewhere/bin/lakehouse")"
expect_eq "the installed copy has no fault points either" "1" \
  "$(LH_FAIL_ALLOC_AT=1 "$WORK/elsewhere/bin/lakehouse" sql "SELECT 1" --format csv --data "$WORK/d" 2>&1 | tail -n 1 | tr -d '\r')"

# ---- fault points: in the test build only --------------------------------------------------
printf 'id,name\n1,a\n2,b\n' >t.csv
# faulty BIN ENV...: ingest t.csv into a fresh directory under ENV; prints the exit status
# and the rows that a plain query then counts.
faulty() {
  local bin=$1; shift
  rm -rf "$WORK/f"
  env "$@" "$bin" ingest t.csv --name t --data "$WORK/f" >/dev/null 2>"$WORK/faulty.err"
  local rc=$?
  echo "$rc $("$bin" sql "SELECT count(*) FROM t" --format csv --data "$WORK/f" 2>/dev/null | tail -n 1 | tr -d '\r')"
}
for env in LH_FAIL_ALLOC_AT=1 LH_FAIL_IO_AT=1 LAKEHOUSE_FAULT=ingest.before_commit; do
  # The control: the test build does fail there, so the variable is the live one.
  got=$(faulty "$LH" "$env")
  expect_eq "test build: $env makes the ingest fail" yes "$([[ ${got%% *} != 0 ]] && echo yes || echo "no: $got")"
  expect_eq "release build: $env is ignored, the ingest succeeds" "0 2" "$(faulty "$REL" "$env")"
done
