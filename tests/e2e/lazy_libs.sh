# Optional libraries loaded on first use (src/core/dl.h): `--version`, `sql` and
# `datasets` load none of the PDF stack, libpq, libxml2, libmicrohttpd, libcurl or BLAS/LAPACK; the
# commands that need one load it (the positive controls show the check can see a load);
# and a missing library is one clear line naming the Debian package, exit 7, nothing
# changed. The dynamic loader itself reports what it loads (LD_DEBUG=libs), so the test
# reads no timing and no guess. The missing case uses LH_DL_HIDE (test build only: the
# loader asks dlopen for a name that does not exist instead of the soname).
REPO=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT

# The libraries none of the light commands may load, by soname prefix.
LAZY='libpoppler|libglib-2\.0|libgobject-2\.0|libcairo|libxml2|libpq\.|libmicrohttpd|libcurl|libblas|liblapack|libopenblas'

# loaded BIN ARGS...: the shared objects the dynamic loader looked up or initialised while
# running BIN ARGS (one basename a line, sorted); BIN's own output goes to $WORK/run.out/err.
loaded() {
  LD_DEBUG=libs "$@" >"$WORK/run.out" 2>"$WORK/run.ld"
  echo $? >"$WORK/run.rc"
  grep -oE 'find library=[^ ]+|calling init: [^ ]+' "$WORK/run.ld" |
    sed -E 's/^find library=//; s/^calling init: //; s#.*/##' | sort -u
}

# light WHAT BIN ARGS...: BIN ARGS succeeds and loads none of $LAZY.
light() {
  local what=$1; shift
  local libs bad
  libs=$(loaded "$@")
  bad=$(grep -E "^($LAZY)" <<<"$libs" | paste -sd' ')
  if [[ $(cat "$WORK/run.rc") -eq 0 && -z $bad && -n $libs ]]; then
    ok "$what loads none of the optional libraries ($(wc -l <<<"$libs") shared objects)"
  else
    not_ok "$what loads none of the optional libraries"
    echo "# exit $(cat "$WORK/run.rc"), loaded: ${bad:-<none of them>}; $(head -c 300 "$WORK/run.out")"
  fi
}

# loads WHAT SONAME BIN ARGS...: BIN ARGS succeeds and loads SONAME.
loads() {
  local what=$1 soname=$2; shift 2
  if loaded "$@" | grep -qxF "$soname" && [[ $(cat "$WORK/run.rc") -eq 0 ]]; then ok "$what loads $soname"
  else not_ok "$what loads $soname"; echo "# exit $(cat "$WORK/run.rc"): $(head -c 300 "$WORK/run.out")"; fi
}

BINS=("$LH")
[[ -x ${LAKEHOUSE_RELEASE_BIN:-} ]] && BINS+=("$LAKEHOUSE_RELEASE_BIN")

# --- light commands --------------------------------------------------------------------
for bin in "${BINS[@]}"; do
  kind=test; [[ $bin == "$LH" ]] || kind=release
  for l in libpoppler-glib libxml2 libpq libmicrohttpd libcurl; do
    if readelf -d "$bin" | grep NEEDED | grep -q "\[$l"; then not_ok "$kind binary does not link $l"
    else ok "$kind binary does not link $l"; fi
  done
  light "$kind: --version" "$bin" --version
  light "$kind: sql SELECT 1 on an empty data directory" "$bin" sql "SELECT 1" --data "$WORK/empty-$kind"
done

printf 'id,name\n1,Ann\n2,Bob\n' > people.csv
check "ingest a CSV" "$LH" ingest people.csv
light "datasets" "$LH" datasets
light "sql over a dataset" "$LH" sql "SELECT count(*) FROM people"

# --- the commands that need a library load it ------------------------------------------
cat > sms.xml <<'XML'
<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="1"><sms address="+15551234567" date="1700000000000" type="1" body="hi" contact_name="Ada" /></smses>
XML
loads "ingest of an SMS export" libxml2.so.2 "$LH" ingest sms.xml --name sms
expect_eq "... and it ingested" "1" "$(sql 'SELECT count(*) FROM sms')"

have_pdf=1
if ! cc -O1 -o "$WORK/mkpdf" "$REPO/tests/tools/mkpdf.c" $(pkg-config --cflags --libs cairo 2>/dev/null) 2>"$WORK/cc.err"; then
  have_pdf=0; echo "skip - PDF cases: cannot build tests/tools/mkpdf.c (cairo): $(head -c 200 "$WORK/cc.err")"
fi
if ((have_pdf)); then
  "$WORK/mkpdf" report.pdf 2 --title "T" --author "A" --lines 2
  loads "ingest of a PDF" libpoppler-glib.so.8 "$LH" ingest report.pdf
  expect_eq "... and it ingested one row per page" "2" "$(sql 'SELECT count(*) FROM report')"
fi

# --- a missing library: one line naming the package, exit 7, nothing changed -----------
# missing WHAT SONAME PATTERN ARGS...: with SONAME hidden, "$LH ARGS" fails with PATTERN
# and exit 7 (unsupported), and the data directory is unchanged.
missing() {
  local what=$1 soname=$2 pat=$3; shift 3
  local before; before=$(data_state)
  expect_fail "$what without $soname: names the package" "$pat" env LH_DL_HIDE="$soname" "$LH" "$@"
  expect_eq "$what without $soname: exit 7" "7" "$(LH_DL_HIDE="$soname" "$LH" "$@" >/dev/null 2>&1; echo $?)"
  expect_eq "$what without $soname: nothing changed" "$before" "$(data_state)"
}
if ((have_pdf)); then
  cp report.pdf report2.pdf
  missing "PDF ingest" libpoppler-glib.so.8 \
    "ingest report2.pdf: PDF support needs the Debian package libpoppler-glib8 .*apt-get install libpoppler-glib8" ingest report2.pdf
  missing "PDF ingest" libglib-2.0.so.0 "PDF support needs the Debian package libpoppler-glib8" ingest report2.pdf
  # the release binary has no LH_DL_HIDE: the same file ingests there
  if [[ -x ${LAKEHOUSE_RELEASE_BIN:-} ]]; then
    check "the release binary ignores LH_DL_HIDE" env LH_DL_HIDE=libpoppler-glib.so.8 \
      "$LAKEHOUSE_RELEASE_BIN" ingest report2.pdf --data "$WORK/rel"
  fi
fi
cp sms.xml sms2.xml
missing "SMS ingest" libxml2.so.2 "needs the Debian package libxml2 .*apt-get install libxml2" ingest sms2.xml --name sms2
missing "PostgreSQL ingest" libpq.so.5 "PostgreSQL ingest needs the Debian package libpq5" \
  ingest "postgresql://nobody@127.0.0.1:1/none" --table t --name pgx
missing "serve" libmicrohttpd.so.12 "HTTP server needs the Debian package libmicrohttpd12" \
  serve --bind 127.0.0.1:0

# --- serving loads libmicrohttpd; a CLI write forwarded to the server loads libcurl -----
if srv_start fwd LAKEHOUSE_DATA="$LAKEHOUSE_DATA"; then
  ok "a server holds the data directory"
  if grep -q 'libmicrohttpd\.so\.12' "/proc/$SRV_PID/maps"; then ok "the server has libmicrohttpd mapped"
  else not_ok "the server has libmicrohttpd mapped"; fi
  printf 'id,name\n3,Cy\n' > more.csv
  expect_fail "a forwarded ingest without libcurl names the package" \
    "Talking to a running server needs the Debian package libcurl4" env LH_DL_HIDE=libcurl.so.4 "$LH" ingest more.csv --name people
  expect_eq "... and added nothing" "2" "$(sql 'SELECT count(*) FROM people')"
  loads "a forwarded ingest" libcurl.so.4 "$LH" ingest more.csv --name people
  expect_eq "... and it went through the server" "3" "$(sql 'SELECT count(*) FROM people')"
  srv_stop "$SRV_PID"
else
  not_ok "a server holds the data directory"; head -c 600 "$WORK/fwd.err"
fi
