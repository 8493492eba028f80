/* fsio.h: durable local file I/O. Every write that returns LH_OK has been fsynced, and
 * the directory entry too (DESIGN.md invariant 1). Paths are plain filesystem paths;
 * key checking is the storage module's job. Thread-safe (no shared state). */
#ifndef LH_CORE_FSIO_H
#define LH_CORE_FSIO_H

#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/status.h"

/* Writes all of data to fd, going on after short writes and EINTR; what names the file
 * in messages. The one write loop (tests inject short writes, ENOSPC and EIO here). */
lh_status lh_write_all(int fd, const void *data, size_t len, const char *what, lh_err *err);

/* fsync(fd), as an lh_status naming what. */
lh_status lh_fsync_fd(int fd, const char *what, lh_err *err);

/* mkdir -p; existing directories are fine. New directories' parents are fsynced. */
lh_status lh_mkdirs(const char *path, lh_err *err);

/* fsync a directory so that entries created or renamed in it survive a crash. */
lh_status lh_fsync_dir(const char *dir, lh_err *err);

/* fsync the directory that holds path. */
lh_status lh_fsync_parent(const char *path, lh_err *err);

/* fsync an existing file by path. */
lh_status lh_fsync_path(const char *path, lh_err *err);

/* Writes data to path atomically: temp file in the same directory, fsync, rename over
 * path, fsync the directory. Readers see the old or the new content, never a mix. */
lh_status lh_file_write_atomic(const char *path, const void *data, size_t len, lh_err *err);

/* Creates path with data only if it does not exist: temp file, fsync, link(2) to path
 * (EEXIST -> LH_EEXIST, nothing changed), unlink temp, fsync the directory. */
lh_status lh_file_write_exclusive(const char *path, const void *data, size_t len, lh_err *err);

/* Appends data to path (created 0644 if missing) and fsyncs before returning. */
lh_status lh_file_append_sync(const char *path, const void *data, size_t len, lh_err *err);

/* Reads a whole regular file into out (appended). Refuses symlinks (O_NOFOLLOW) and files
 * over max bytes (LH_ETOOBIG). A missing file is LH_ENOTFOUND. */
lh_status lh_file_read_all(const char *path, size_t max, lh_buf *out, lh_err *err);
/* The same over an open descriptor (not closed here); what names the file in messages. */
lh_status lh_fd_read_all(int fd, const char *what, size_t max, lh_buf *out, lh_err *err);

/* Size and modification time (ms since epoch) of a regular file; LH_ENOTFOUND if none. */
lh_status lh_file_stat(const char *path, int64_t *size, int64_t *mtime_ms, lh_err *err);

/* Removes a file; a missing file is not an error. */
lh_status lh_file_remove(const char *path, lh_err *err);

/* Joins a and b with one '/', into out. Returns out's (sticky) status. */
lh_status lh_path_join(lh_buf *out, const char *a, const char *b);

/* Appends the path lh_path_join makes of a and b as a SQL string literal ('...', quotes
 * doubled), straight into out: no temporary whose failure out's one final check
 * (lh_buf_status) would not see. */
void lh_path_add_sql(lh_buf *out, const char *a, const char *b);

/* A fresh temp name beside path, "<path>.tmp-<random>", appended to out: a name the store
 * never lists, for a file written in full and then renamed over path. */
lh_status lh_path_temp(const char *path, lh_buf *out);

#endif
