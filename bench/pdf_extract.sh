#!/usr/bin/env bash
# PDF text extraction speed: `lakehouse ingest` of a generated many-page PDF (poppler-glib
# text extraction + NDJSON + DuckDB + Parquet + Delta commit) against `pdftotext` (poppler's
# own command line tool, text only) on the same file. Median of RUNS runs each; prints
# pages/s for both and their ratio. Not part of `make test`.
#   bench/pdf_extract.sh [LAKEHOUSE_BIN] [PAGES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
LH=${1:-build/lakehouse}
PAGES=${2:-500}
RUNS=${3:-5}
command -v pdftotext >/dev/null || { echo "pdf_extract: needs pdftotext (poppler-utils)" >&2; exit 1; }
[[ -x $LH ]] || { echo "pdf_extract: build $LH first (make)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lh-bench-pdf-XXXXXX")
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/mkpdf" tests/tools/mkpdf.c $(pkg-config --cflags --libs cairo)
"$work/mkpdf" "$work/book.pdf" "$PAGES" --title "Benchmark book" --author bench --lines 40

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

lh_times=() pt_times=()
for r in $(seq 1 "$RUNS"); do
  rm -rf "$work/data"
  t0=$(now); "$LH" ingest "$work/book.pdf" --data "$work/data" >/dev/null; t1=$(now)
  lh_times+=("$(calc "$t1 - $t0")")
  t0=$(now); pdftotext "$work/book.pdf" "$work/book.txt"; t1=$(now)
  pt_times+=("$(calc "$t1 - $t0")")
done
rows=$("$LH" sql "SELECT count(*) FROM book" --data "$work/data" --format csv | tail -n 1 | tr -d '\r')
[[ $rows == "$PAGES" ]] || { echo "pdf_extract: expected $PAGES rows, got $rows" >&2; exit 1; }
lh_med=$(printf '%s\n' "${lh_times[@]}" | median)
pt_med=$(printf '%s\n' "${pt_times[@]}" | median)
lh_pps=$(calc "$PAGES / $lh_med")
pt_pps=$(calc "$PAGES / $pt_med")
printf 'pdf_extract: %d pages, %s bytes, median of %d runs\n' "$PAGES" "$(stat -c %s "$work/book.pdf")" "$RUNS"
printf '  lakehouse ingest  %7.3f s  %8.1f pages/s\n' "$lh_med" "$lh_pps"
printf '  pdftotext         %7.3f s  %8.1f pages/s\n' "$pt_med" "$pt_pps"
printf '  ratio (lakehouse / pdftotext throughput) %.2f\n' "$(calc "$lh_pps / $pt_pps")"
