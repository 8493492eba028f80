/* storage.h: the object-store interface (DESIGN.md §3) and its local-directory backend.
 *
 * Keys are '/'-separated relative names ("tables/x/_delta_log/00000000000000000000.json").
 * Every key is checked before use (lh_store_check_key): no absolute path, no "." or ".."
 * segment, no empty segment, no control character, no backslash, at most 1024 bytes.
 * A bad key is LH_EINVAL, never a path outside the root (invariant 5). Keys must also be
 * valid UTF-8 (they are rendered in JSON).
 *
 * Symbolic links inside the root are never followed: a key whose path meets a link in any
 * segment is LH_EINVAL ("goes through a symbolic link; refused"), and listings neither
 * show nor enter links. Error messages name keys, never filesystem paths.
 *
 * Writes are durable when they return LH_OK (fsync file + directory). lh_store is a
 * vtable so that an S3 backend can follow; callers use only the lh_store_* functions.
 * The local backend is thread-safe (it keeps no mutable state). */
#ifndef LH_STORAGE_STORAGE_H
#define LH_STORAGE_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct lh_store lh_store;

typedef struct lh_object_info {
    int64_t size;
    int64_t mtime_ms;
} lh_object_info;

/* Called once per key found by lh_store_list, in lexicographic order. Return non-zero to
 * stop early (lh_store_list then returns LH_OK). */
typedef int (*lh_store_list_cb)(void *ctx, const char *key, const lh_object_info *info);

/* Opens (creating if needed) a local-directory store rooted at root. Refuses a root that
 * is a symlink. The store owns a copy of root. Free with lh_store_free. */
lh_status lh_store_open_local(const char *root, lh_store **out, lh_err *err);
void lh_store_free(lh_store *s);

/* The root directory, absolute, without a trailing slash. Lives as long as the store. */
const char *lh_store_root(const lh_store *s);

/* LH_OK when key is acceptable (see above); otherwise LH_EINVAL with the reason. */
lh_status lh_store_check_key(const char *key, lh_err *err);

/* Reads the whole object (at most max bytes) into out. Missing: LH_ENOTFOUND. */
lh_status lh_store_get(lh_store *s, const char *key, size_t max, lh_buf *out, lh_err *err);

/* Atomically replaces (or creates) the object. */
lh_status lh_store_put(lh_store *s, const char *key, const void *data, size_t len, lh_err *err);

/* Creates the object only if absent; LH_EEXIST (and no change) otherwise. */
lh_status lh_store_put_if_absent(lh_store *s, const char *key, const void *data, size_t len,
                                 lh_err *err);

/* Moves a finished local file (same filesystem, already fsynced) to key: rename + fsync
 * the directory. The source is consumed on success. */
lh_status lh_store_put_file(lh_store *s, const char *key, const char *src_path, lh_err *err);

/* Appends data to the object and fsyncs (for append-only .jsonl logs). */
lh_status lh_store_append(lh_store *s, const char *key, const void *data, size_t len, lh_err *err);

/* Deletes the object; deleting a missing object is LH_OK. */
lh_status lh_store_delete(lh_store *s, const char *key, lh_err *err);

/* Size and mtime of the object; LH_ENOTFOUND when missing. */
lh_status lh_store_head(lh_store *s, const char *key, lh_object_info *info, lh_err *err);

/* Lists every object whose key starts with prefix (recursively), sorted by key. Names
 * starting with ".tmp" or containing ".tmp-" (in-flight temp files) are not listed. */
lh_status lh_store_list(lh_store *s, const char *prefix, lh_store_list_cb cb, void *ctx,
                        lh_err *err);

/* What lh_store_list_dir reports of an entry. */
typedef enum lh_entry_kind { LH_ENTRY_FILE, LH_ENTRY_DIR } lh_entry_kind;

/* Called once per entry of the listed directory, in no particular order: its name (one
 * segment, no slash) and kind. Return non-zero to stop early. */
typedef int (*lh_store_dir_cb)(void *ctx, const char *name, lh_entry_kind kind);

/* One level of directory dir_key: its regular files and subdirectories, by name, unsorted,
 * without a stat of each entry (the directory's own entry types; only where the file
 * system gives none is one looked up). Cheaper than lh_store_list for a directory that
 * grows (a table's _delta_log, tables/): no size, no mtime, no recursion, no sort. Temp
 * names (as lh_store_list) and links are skipped; a missing directory lists nothing (LH_OK);
 * a dir_key through a link is LH_EINVAL. */
lh_status lh_store_list_dir(lh_store *s, const char *dir_key, lh_store_dir_cb cb, void *ctx,
                            lh_err *err);

/* The local filesystem path of key, for readers that need one (DuckDB). Local backend
 * only; the key is checked, and refused when an existing segment of it is a link. */
lh_status lh_store_local_path(lh_store *s, const char *key, lh_buf *out, lh_err *err);

/* Start-up cleanup for the writer-lock holder: removes, without following links, every
 * non-directory in directory dir_key whose name starts with name_prefix (with NULL: every
 * name not starting with '.'), and with depth > 0 the same in its subdirectories to that
 * depth, then a subdirectory whose name starts with name_prefix when that left it empty. A link is removed itself, never its target; a linked directory is not entered.
 * Best effort: a missing directory is LH_OK; a dir_key through a link is LH_EINVAL. */
lh_status lh_store_sweep(lh_store *s, const char *dir_key, const char *name_prefix, int depth,
                         lh_err *err);

#endif
