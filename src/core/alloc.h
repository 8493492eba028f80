/* alloc.h: the project's one door to the heap, so allocation failure can be tested.
 *
 * Every allocation in src/ goes through these (scripts/lint.sh refuses bare malloc,
 * calloc, realloc, strdup and strndup elsewhere; jansson is pointed here too by
 * lh_alloc_install_json). Memory from them is released with plain free().
 *
 * Torture hook, as SQLite's and curl's test allocators: in a build with LH_FAULTS, the
 * environment variable LH_FAIL_ALLOC_AT=N makes the Nth call (counting from 1, across
 * threads) return NULL, once, and say so on stderr ("lakehouse: injected allocation
 * failure at call N"). A test loops N from 1 until that line no longer appears: every
 * allocation of the operation has then failed once. Without LH_FAULTS it costs nothing. */
#ifndef LH_CORE_ALLOC_H
#define LH_CORE_ALLOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

void *lh_malloc(size_t n);
void *lh_calloc(size_t n, size_t size);
void *lh_realloc(void *p, size_t n);
char *lh_strdup(const char *s);
char *lh_strndup(const char *s, size_t n);

/* Grows the array *items (of *cap elements of item_size bytes) to hold at least need
 * elements, doubling: the one place for the "if full, realloc twice the size" pattern.
 * On failure *items and *cap are unchanged and LH_ENOMEM (or LH_ETOOBIG on overflow) is
 * returned. */
lh_status lh_grow(void *items, size_t *cap, size_t need, size_t item_size);

/* Makes jansson allocate through lh_malloc (call once, before any json is built). */
void lh_alloc_install_json(void);

/* json_loadb, for every parse in src/ (scripts/lint.sh refuses bare json_load*): a failed
 * allocation inside it ends the process with "lakehouse: out of memory while reading
 * JSON" (exit 6), because jansson 2.14's parser cannot recover from one (alloc.c): it
 * drops the byte it could not store, so a parse "succeeds" with a string one byte short
 * (the torture loop saw a Delta path come back as "...snappy.paquet"), or frees a pointer
 * it never set. A NULL is thus always malformed input, never memory. */
json_t *lh_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *je);
/* json_dumps, but NULL when any of jansson's allocations failed during the dump: jansson
 * 2.14 can then return text with a key missing (the torture loop saw a Delta commit
 * written as '"operation":"WRITE",":{"mode":...', which made the table unreadable).
 * Caller frees. Every dump in src/ goes through it (scripts/lint.sh). */
char *lh_json_dumps(const json_t *json, size_t flags);

#endif
