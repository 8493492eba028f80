/* table_int.h: internals shared by the table module's files. Not for other modules. */
#ifndef LH_TABLE_TABLE_INT_H
#define LH_TABLE_TABLE_INT_H

#include "table/table.h"

/* Upper bound on one commit file or _last_checkpoint we are willing to load. */
#define LH__TABLE_MAX_COMMIT ((size_t)256 << 20)

/* One checkpoint found in the log directory (single-part: parts == 1). */
typedef struct lh__checkpoint_ref {
    int64_t version;
    int parts;         /* declared number of parts */
    int seen;          /* parts present in the listing */
} lh__checkpoint_ref;

/* What the _delta_log directory holds, ascending by version. */
typedef struct lh__log_listing {
    int64_t *commits;
    int64_t *commit_mtimes;   /* ms, parallel to commits; -1 when not listed with them */
    size_t ncommits, capcommits;
    lh__checkpoint_ref *cps;
    size_t ncps, capcps;
} lh__log_listing;

/* Lists prefix/_delta_log. An empty listing is LH_OK (the caller decides). With mtimes
 * false the names only are read (no stat of each file: every commit_mtimes entry is -1). */
lh_status lh__table_list_log(lh_store *s, const char *prefix, bool mtimes, lh__log_listing *out,
                             lh_err *err);
void lh__table_listing_release(lh__log_listing *l);

/* "<prefix>/_delta_log/<%020d>.json" into out (reset first). */
lh_status lh__table_commit_key(lh_buf *out, const char *prefix, int64_t version);
/* "<prefix>/_delta_log/<%020d>.checkpoint.parquet" into out (reset first). */
lh_status lh__table_checkpoint_key(lh_buf *out, const char *prefix, int64_t version);
/* "<prefix>/_delta_log/_last_checkpoint" into out (reset first). */
lh_status lh__table_last_checkpoint_key(lh_buf *out, const char *prefix);

/* Reads commit version and calls cb for every action line, in order. A line that is not
 * a JSON object is LH_ECORRUPT naming "key:line". Missing commit: LH_ENOTFOUND. */
lh_status lh__table_read_commit(lh_store *s, const char *prefix, int64_t version,
                                lh_action_cb cb, void *ctx, lh_err *err);

/* Percent-encodes a relative path for add/remove.path: RFC 3986 path characters stay,
 * everything else (including '%' and non-ASCII bytes) becomes %XX. */
lh_status lh__table_path_encode(const char *path, lh_buf *out);

/* Decodes %XX escapes; a malformed escape is LH_ECORRUPT. */
lh_status lh__table_path_decode(const char *path, lh_buf *out, lh_err *err);

#endif
