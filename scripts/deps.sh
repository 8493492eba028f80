#!/usr/bin/env bash
# Installs what lakehouse needs to build and test: Debian packages and a pinned DuckDB.
# Idempotent: each step checks first and does nothing when already satisfied.
# DUCKDB_DIR=/path may point at an existing libduckdb.so + duckdb.h instead of fetching.
set -euo pipefail
cd "$(dirname "$0")/.."

DUCKDB_VERSION=1.4.4
LIB_PKG="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
LIB_SHA512="sha512-jBTL/WvfwxLToFa/pVHfT6elMtltJGnc3wSuxZD9OfMltit9YUdVFS37vBFQzXMT1Z8OWjtSjMh+zPKxOwHLHA=="
HDR_PKG="duckdb@1.4.4"
HDR_SHA512="sha512-hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog=="

# libxml2-dev: SMS backups (XML); libpoppler-glib-dev: PDF text (it brings libcairo2-dev,
# which tests/tools/mkpdf.c uses to make test PDFs); qpdf: encrypted test PDFs;
# poppler-utils: pdftotext, the baseline of bench/pdf_extract.sh.
# zlib1g-dev libzstd-dev libbz2-dev liblzma-dev: compressed input (src/ingest/decode.c).
# libopenblas-dev liblapacke-dev: BLAS and LAPACK for the builtin model's SVD (src/ai/lsa.c).
# clang + libclang-rt-14-dev: libFuzzer and the sanitizer runtimes for `make fuzz`.
# strace: tests/e2e/http_threads.sh counts the server's clone calls (no thread per request).
PACKAGES=(build-essential pkg-config libjansson-dev libssl-dev libcmocka-dev
          libmicrohttpd-dev libcurl4-openssl-dev python3 curl ca-certificates
          libxml2-dev libpoppler-glib-dev libcairo2-dev qpdf poppler-utils
          libpq-dev postgresql clang libclang-rt-14-dev
          zlib1g-dev libzstd-dev libbz2-dev liblzma-dev strace
          libopenblas-dev liblapacke-dev)

# One dpkg-query for the whole list (about 20 ms; a dpkg -s per package took 0.3-0.6 s).
# npm is needed only to fetch DuckDB, so only when third_party/duckdb lacks the pinned one.
declare -A installed=()
while read -r status name; do
  [[ $status == ii ]] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for p in "${PACKAGES[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done
dest=third_party/duckdb
pinned() { [[ -f $dest/libduckdb.so && -f $dest/duckdb.h && -f $dest/VERSION && $(cat $dest/VERSION) == "$DUCKDB_VERSION" ]]; }
if [[ -z ${DUCKDB_DIR:-} || ${DUCKDB_DIR} == third_party/duckdb ]] && ! pinned; then
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if ((${#missing[@]})); then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# DuckDB: an explicit DUCKDB_DIR wins; otherwise third_party/duckdb, fetched once.
if [[ -n ${DUCKDB_DIR:-} && ${DUCKDB_DIR} != third_party/duckdb ]]; then
  [[ -f $DUCKDB_DIR/libduckdb.so && -f $DUCKDB_DIR/duckdb.h ]] ||
    { echo "deps: DUCKDB_DIR=$DUCKDB_DIR lacks libduckdb.so or duckdb.h" >&2; exit 1; }
  exit 0
fi
pinned && exit 0

# Checks a tarball against an npm integrity string ("sha512-<base64>").
check_integrity() {
  local file=$1 want=$2 got
  got="sha512-$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
  [[ $got == "$want" ]] || { echo "deps: integrity mismatch for $file" >&2; echo "  want $want" >&2; echo "  got  $got" >&2; exit 1; }
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "deps: fetching DuckDB $DUCKDB_VERSION from the npm registry"
(cd "$work" && npm pack --silent "$LIB_PKG" >lib.name && npm pack --silent "$HDR_PKG" >hdr.name)
lib_tgz="$work/$(tail -n1 "$work/lib.name")"
hdr_tgz="$work/$(tail -n1 "$work/hdr.name")"
check_integrity "$lib_tgz" "$LIB_SHA512"
check_integrity "$hdr_tgz" "$HDR_SHA512"
mkdir -p "$work/x" "$dest"
tar -xzf "$lib_tgz" -C "$work/x" package/libduckdb.so
tar -xzf "$hdr_tgz" -C "$work/x" package/src/duckdb/src/include/duckdb.h
install -m 0644 "$work/x/package/libduckdb.so" "$dest/libduckdb.so"
install -m 0644 "$work/x/package/src/duckdb/src/include/duckdb.h" "$dest/duckdb.h"
echo "$DUCKDB_VERSION" > "$dest/VERSION"
echo "deps: DuckDB $DUCKDB_VERSION ready in $dest"
