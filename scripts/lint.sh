#!/usr/bin/env bash
# lint.sh: the rules a compiler does not check (STYLE.md habits 1, 2 and 6).
#  1. no banned calls (sprintf, strcpy, strcat, gets, atoi, atol): use lh_buf and strtoll;
#  2. each third-party header is included by its one module;
#  3. dependencies point down only (DESIGN.md §1): a module includes only the modules
#     listed for it below, and those lists are what each module really uses;
#  4. a public header re-exports nothing (DESIGN.md §1): it includes core/ and its own
#     module only, so that the #include lines of a file (and check 3) show every module
#     it depends on, not just the ones whose headers happen to pull the rest in.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0

if grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol)\s*\(' src tests/unit --include='*.[ch]'; then
  echo "lint: banned call above (use lh_buf / snprintf / strtoll)" >&2; fail=1
fi

# every allocation goes through core/alloc.h (LH_FAIL_ALLOC_AT can fail any of them)
if grep -rnE '(^|[^_[:alnum:].>])(malloc|calloc|realloc|strdup|strndup)\s*\(' src --include='*.[ch]' \
    | grep -v '^src/core/alloc\.c:'; then
  echo "lint: bare allocation above (use lh_malloc / lh_calloc / lh_realloc / lh_strdup / lh_strndup)" >&2; fail=1
fi

# every JSON parse and dump goes through lh_json_loadb / lh_json_dumps (jansson can return
# a value with a byte missing, or text with a key missing, when one of its allocations
# fails: core/alloc.h)
if grep -rnE '(^|[^_[:alnum:]])json_(load(b|s|f|fd|_callback)|dump(s|b|f|fd|_file|_callback))\s*\(' src --include='*.[ch]' \
    | grep -v '^src/core/alloc\.c:'; then
  echo "lint: bare jansson parse or dump above (use lh_json_loadb / lh_json_dumps)" >&2; fail=1
fi

# arrays grow through lh_grow (one doubling, overflow-checked): a bare lh_realloc outside
# core/ is a hand-written "if full, realloc twice the size"
if grep -rnE '\blh_realloc\s*\(' src --include='*.[ch]' | grep -v '^src/core/'; then
  echo "lint: hand-written array growth above (use lh_grow from core/alloc.h)" >&2; fail=1
fi

# header pattern -> the only files allowed to include it
check_header() {
  local header=$1 allowed=$2
  local bad
  bad=$(grep -rlE "#include [<\"]$header" src --include='*.[ch]' | grep -vE "$allowed")
  if [[ -n $bad ]]; then echo "lint: $header is for $allowed only; also in: $bad" >&2; fail=1; fi
}
check_header 'duckdb\.h' '^src/engine/'
check_header 'openssl/' '^src/core/sha256\.c$'
check_header 'microhttpd\.h' '^src/http/'
check_header 'libpq-fe\.h' '^src/ingest/(postgres|pg_dl)\.c$'
check_header 'curl/curl\.h' '^src/net/'
check_header 'libxml/' '^src/ingest/(sms|xml_dl)\.c$'
check_header 'poppler' '^src/ingest/(pdf|pdf_dl)\.c$'
check_header 'zlib\.h' '^src/ingest/(pdf|decode)\.c$'
check_header 'zstd\.h' '^src/ingest/decode\.c$'
check_header 'bzlib\.h' '^src/ingest/decode\.c$'
check_header 'lzma\.h' '^src/ingest/decode\.c$'
check_header '(cblas|lapacke)\.h' '^src/ai/(lsa|blas_dl)\.c$'

# module -> modules it may include (besides itself)
declare -A may=(
  [core]=""
  [ai]="core net"
  [storage]="core"
  [table]="core storage"
  [catalog]="core storage"
  [engine]="core storage table"
  [ingest]="core storage table catalog engine"
  [journal]="core storage table catalog engine"
  [lake]="core storage table catalog engine ingest journal vector"
  [demo]="core catalog ingest lake"
  [http]="core"
  [net]="core"
  [ann]="core"
  [vector]="core storage table catalog engine ai ann"
  [api]="core storage engine ingest journal lake http vector ai ann"
  [cli]="core catalog engine ingest lake api net demo vector ai ann"
)
for dir in src/*/; do
  mod=$(basename "$dir")
  [[ -v may[$mod] ]] || { echo "lint: module src/$mod has no entry in scripts/lint.sh" >&2; fail=1; continue; }
  for dep in $(grep -ho '#include "[a-z_]*/' "$dir"*.[ch] 2>/dev/null | sed 's/#include "//; s/\///' | sort -u); do
    [[ $dep == "$mod" ]] && continue
    [[ " ${may[$mod]} " == *" $dep "* ]] || { echo "lint: src/$mod includes $dep/, which is not in its list below (dependencies point down, and the list says what it uses)" >&2; fail=1; }
  done
done
# public header -> the other modules it may still include (besides core/ and its own).
# A type named only through a pointer is declared instead ("typedef struct lh_x lh_x;",
# as lake/lake.h does); a header that needs a complete type says which one.
declare -A header_may=(
  [src/engine/engine.h]="table"          # lh_checkpoint_reader returned by value
  [src/demo/demo.h]="ingest lake"        # lh_ingest_result held by value
  [src/vector/tune.h]="ann"              # lh_hnsw_params held by value
  # not yet converted to declarations:
  [src/api/api.h]="http"
  [src/catalog/catalog.h]="storage"
  [src/catalog/tombstones.h]="storage"
  [src/ingest/ingest.h]="catalog engine storage"
  [src/journal/journal.h]="engine storage"
  [src/table/table.h]="storage"
)
for h in src/*/*.h; do
  [[ $h == *_int.h ]] && continue
  mod=$(basename "$(dirname "$h")")
  for dep in $(grep -ho '#include "[a-z_]*/' "$h" | sed 's/#include "//; s/\///' | sort -u); do
    [[ $dep == core || $dep == "$mod" ]] && continue
    [[ " ${header_may[$h]:-} " == *" $dep "* ]] || { echo "lint: $h includes $dep/ (a header re-exports nothing: declare the types it names)" >&2; fail=1; }
  done
done
exit $fail
