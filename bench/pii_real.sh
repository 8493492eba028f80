#!/usr/bin/env bash
# PII detection on real public files: per-class precision/recall of the classifier over
# the labelled columns of tests/data/pii_real/labels.tsv, whose values come from the CSV
# and JSON files of the npm package vega-datasets, fetched once by name and version and
# checked against its sha512 integrity string (as scripts/deps.sh does for DuckDB) into
# bench/out/pii_real/ (git-ignored). Network is needed only for that first fetch.
# Usage: bench/pii_real.sh [BUILD_DIR] [-v]   (-v lists each mistake on stderr)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
VERBOSE=${2:-}
PKG=vega-datasets
VERSION=3.2.1
INTEGRITY="sha512-lTSwZA6yq6qSU2YZm+6bqILiIvTPPxn4itir7jPGFmHIdPvUfQ9pCzzcrklYywMJgLUbaIeSkZQdiJd6wBxPug=="
CACHE=bench/out/pii_real
LABELS=tests/data/pii_real/labels.tsv

mkdir -p "$CACHE"
tgz="$CACHE/$PKG-$VERSION.tgz"
if [ ! -s "$tgz" ]; then
  echo "pii_real: fetching $PKG@$VERSION from the npm registry" >&2
  (cd "$CACHE" && npm pack --silent "$PKG@$VERSION" >/dev/null)
fi
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "pii_real: $tgz does not match the pinned integrity ($got); delete it and retry" >&2
  exit 1
fi
if [ ! -d "$CACHE/package/data" ] || [ "$tgz" -nt "$CACHE/package/data" ]; then
  tar -xzf "$tgz" -C "$CACHE" package/data
  touch "$CACHE/package/data"
fi

make -s BUILD="$BUILD" "$BUILD/tests/test_pii" >/dev/null
for split in dev holdout all; do
  python3 bench/pii_real.py "$LABELS" "$CACHE/package/data" "$split" "$CACHE/$split.jsonl" 2>/dev/null
done
files() { awk -F'\t' -v s="$1" '!/^#/ && (s == "all" || $4 == s) {print $1}' "$LABELS" | sort -u | wc -l; }
echo "Source: npm $PKG@$VERSION ($INTEGRITY)"
for split in dev holdout all; do
  echo; echo "### Real set, $split part ($(files "$split") files)"; echo
  "$BUILD/tests/test_pii" --table $VERBOSE "$CACHE/$split.jsonl"
done
