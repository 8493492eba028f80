/* diff.h: what a refresh of a vector index must do (issue 14, item 7), decided by key and
 * content hash alone: no text is embedded to find out.
 *
 * Each side is a list of rows, one per source key: the key (rendered as text, as index
 * tables store it) and the row's signature, a text that changes whenever any of the row's
 * chunks changes. A refresh uses the chunk content hashes in ordinal order, joined with
 * ',' (the index table's content_hash column, grouped by key, on the old side; the
 * chunker's hashes of the source row's text now, on the new side), so a row whose text
 * is the same chunks, with the same settings, is left alone and its vectors keep their
 * bytes.
 *
 * Pure functions over memory: no I/O, thread-safe on distinct outputs. */
#ifndef LH_VECTOR_DIFF_H
#define LH_VECTOR_DIFF_H

#include <stddef.h>

#include "core/status.h"

typedef struct lh_vec_rowsig {
    const char *key;  /* the source key as text; unique within one side */
    const char *sig;  /* the row's signature (any text; compared byte for byte) */
} lh_vec_rowsig;

typedef struct lh_vec_diff {
    size_t *embed;    /* indexes into cur of the rows to embed (new or changed), ascending */
    size_t nembed;
    size_t *drop;     /* indexes into old of the rows whose chunks go (changed or gone),
                       * ascending */
    size_t ndrop;
    size_t nnew, nchanged, ngone, nsame;
} lh_vec_diff;

/* Compares old[0, nold) (what the index holds) with cur[0, ncur) (the source now): a key
 * in cur only is new, in both with another signature changed, in old only gone, else the
 * same. *out (released with lh_vec_diff_release, also after a failure) gets the rows to
 * embed and the rows to drop. A key twice on one side is LH_EINVAL naming it (the caller
 * groups a key's chunks into one row); LH_ENOMEM. */
lh_status lh_vec_diff_compute(const lh_vec_rowsig *old, size_t nold, const lh_vec_rowsig *cur,
                              size_t ncur, lh_vec_diff *out, lh_err *err);
void lh_vec_diff_release(lh_vec_diff *d);

#endif
