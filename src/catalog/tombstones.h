/* tombstones.h: soft deletes of a dataset's rows (DESIGN.md §3, §5 invariant 3), kept as
 * an append-only "_catalog/tombstones/<dataset>.jsonl", one line per key:
 *   {"dataset","row_key_column","row_key_value","deleted_at","actor","reason"}
 * row_key_value is a JSON string for text keys and a JSON integer for int32/int64 keys.
 * Every append is fsynced (file and, for a new file, its directory) before it returns.
 *
 * The file is the only state: whoever opens the bucket rebuilds the set of keys from it.
 * A line that does not parse (the torn tail of an append killed mid-write, which was never
 * acknowledged) is skipped with a warning. Compaction clears the file after its commit.
 *
 * Keys leave this module in plain text only to the caller; anything written elsewhere
 * (the journal) identifies a key by lh_tombstones_key_hash: SHA-256 of the bucket's
 * erasure salt followed by the key's text.
 *
 * Functions keep no state; callers serialise writers (the lake's write lock). */
#ifndef LH_CATALOG_TOMBSTONES_H
#define LH_CATALOG_TOMBSTONES_H

#include <jansson.h>

#include "core/status.h"
#include "storage/storage.h"

/* Store key of a dataset's tombstone file, into out. */
lh_status lh_tombstones_key(const char *dataset, lh_buf *out);
/* Store key of the cache of a dataset's tombstoned key set (a Parquet file the lake
 * writes beside the tombstone file and removes before clearing it), appended to out. */
lh_status lh_tombstones_cache_key(const char *dataset, lh_buf *out);
/* Store key of the cache of the rows a dataset's tombstones hide in its data files (file,
 * position; no key values), beside the key cache and removed with it, appended to out. */
lh_status lh_tombstones_rows_cache_key(const char *dataset, lh_buf *out);
/* Store key of a dataset's erasure set (the keys compaction erased, as salted hashes,
 * kept until vacuum has deleted the files that held them), appended to out. */
lh_status lh_tombstones_erasure_set_key(const char *dataset, lh_buf *out);

/* Every readable tombstone line of dataset, in order, into *out (an array of objects;
 * empty when the file is missing). Caller json_decref's. */
lh_status lh_tombstones_load(lh_store *s, const char *dataset, json_t **out, lh_err *err);

/* The key column named by the file's first readable line, into column (size bytes);
 * LH_ENOTFOUND when the dataset has no tombstones. Reads only the start of the file. */
lh_status lh_tombstones_column(lh_store *s, const char *dataset, char *column, size_t size,
                               lh_err *err);

/* Appends the lines (array of objects, borrowed) with one write and one fsync. A file
 * whose tail is torn gets a newline first, so the new lines stay whole. */
lh_status lh_tombstones_append(lh_store *s, const char *dataset, const json_t *lines, lh_err *err);

/* Removes the dataset's tombstone file (a missing file is fine). */
lh_status lh_tombstones_clear(lh_store *s, const char *dataset, lh_err *err);

/* The bucket's erasure salt (64 hex chars), created at "_catalog/erasure_salt" from 32
 * random bytes on first use (put-if-absent, so concurrent creators agree). */
lh_status lh_tombstones_salt(lh_store *s, char salt[65], lh_err *err);

/* SHA-256(salt || key) as 64 lowercase hex chars: the only form in which a key may be
 * recorded outside the tombstone file. out is "" when salt || key could not be built
 * (out of memory): never the hash of something else. */
void lh_tombstones_key_hash(const char *salt, const char *key, char out[65]);
/* How lh_tombstones_key_hash is computed and where the salt lives, as recorded beside
 * the hashes ("sha256(salt || key); salt in _catalog/erasure_salt"). */
const char *lh_tombstones_key_hash_scheme(void);

#endif
