/* fresh_int.h: what erasure (fresh.c) and refresh (refresh.c) share; not for other modules. */
#ifndef LH_VECTOR_FRESH_INT_H
#define LH_VECTOR_FRESH_INT_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "table/table.h"

typedef struct lh_engine lh_engine;

/* "read_parquet([<local path of each file>])" of snap's files (snap: a version of the
 * index table at prefix), or of those named in only (an array of paths relative to the
 * table; NULL = all), in path order, appended to out. */
lh_status lh__vec_files_select(lh_store *s, const char *prefix, const lh_table_snapshot *snap,
                               const json_t *only, lh_buf *out, lh_err *err);

/* Writes to tmp (a temp path in the table directory) the rows of the live files of snap
 * that hold any of keys (an array of strings), without the rows of those keys, in table
 * order; read back in full (the count must be the rows kept and no key may be left) and
 * synced. files gets the paths (relative) of the files rewritten, *removed the chunks
 * left out, *kept the chunks written, *keys_removed the distinct keys that had chunks. No file holds a key: nothing is written, files stays
 * empty. name names the index in messages. Fault point vector.rewrite_written. */
lh_status lh__vec_rewrite_without(lh_store *s, lh_engine *e, const char *name,
                                  const char *prefix, const lh_table_snapshot *snap,
                                  const json_t *keys, const char *tmp, json_t *files,
                                  int64_t *removed, int64_t *kept, int64_t *keys_removed,
                                  lh_err *err);

/* After a commit of version to index name's table: model/bm25.bin rebuilt over every chunk
 * of that version in table order (with the old file's parameters) and entry's
 * files.bm25_table_version set; *chunks (may be NULL) gets their number. With lsa_dropped
 * non-NULL the LSA vocabulary is also pruned to the terms those chunks use
 * (lh_lsa_prune; *lsa_dropped gets how many went, the file rewritten only then). A
 * non-builtin index (no such files) is left alone. */
lh_status lh__vec_bm25_rebuild(lh_store *s, lh_engine *e, const char *name, const char *prefix,
                               int64_t version, json_t *entry, int64_t *chunks,
                               size_t *lsa_dropped, lh_err *err);

/* Replaces index name's registry entry with entry (atomic put). */
lh_status lh__vec_entry_put(lh_store *s, const char *name, const json_t *entry, lh_err *err);

#endif
