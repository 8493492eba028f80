/* lock.c: the data directory's writer lock. One writer process at a time holds an
 * exclusive flock on <root>/.lock and records its pid there (and, for a server, a note
 * with its address after it), so that a second writer, or a client looking for the
 * server, can name it. The lock is the kernel's: it goes with the process, so a lock file
 * left by a killed writer is stale by construction and never blocks anyone. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/fsio.h"
#include "core/util.h"
#include "lake/lake_int.h"
#include "storage/storage.h"

/* The lock file is the lake's own part of the layout (not a store key: the store never
 * lists or serves it). */
static lh_status lock_path(const char *data_dir, lh_buf *out, lh_err *err)
{
    lh_path_join(out, data_dir, ".lock");
    lh_status st = lh_buf_status(out);
    return st ? lh_fail(err, st, "the lock file's path under %s is too long", data_dir) : LH_OK;
}

/* The first line of a lock file's text (the pid) and what follows it (the note, up to its
 * own newline). text is cut in place; either line may lack its newline (a writer killed
 * mid-write, or a file written by hand). */
static void split_lock_text(char *text, const char **pid, const char **note)
{
    char *nl = strchr(text, '\n');
    char *rest = nl ? nl + 1 : text + strlen(text); /* "" when there is no second line */
    if (nl)
        *nl = '\0';
    rest[strcspn(rest, "\n")] = '\0';
    *pid = text;
    *note = rest;
}

/* Reads up to size-1 bytes of the lock file at fd into text (terminated). */
static void read_lock_text(int fd, char *text, size_t size)
{
    ssize_t n = pread(fd, text, size - 1, 0);
    text[n > 0 ? n : 0] = '\0';
}

lh_status lh__lake_take_lock(lh_lake *lake, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_status st = lock_path(lh_store_root(lake->store), &path, err);
    int fd = st ? -1 : open(path.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (st) {
        /* err set */
    } else if (fd < 0) {
        st = lh_fail(err, LH_EIO, "open %s: %s", path.data, strerror(errno));
    } else if (flock(fd, LOCK_EX | LOCK_NB)) {
        char text[64];
        const char *pid, *note;
        read_lock_text(fd, text, sizeof text);
        split_lock_text(text, &pid, &note);
        st = lh_fail(err, LH_ELOCKED, "the data directory is in use by another writer (pid %s); "
                     "wait for it to finish, or stop it", *pid ? pid : "unknown");
        close(fd);
    } else {
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n)
            lh_log(LH_LOG_WARN, "could not record pid in %s", path.data);
        lake->lock_fd = fd;
    }
    lh_buf_release(&path);
    return st;
}

void lh_lake_set_lock_note(lh_lake *lake, const char *note)
{
    if (lake->lock_fd < 0)
        return;
    char text[512];
    int n = snprintf(text, sizeof text, "%ld\n%s\n", (long)getpid(), note);
    if (n < 0 || (size_t)n >= sizeof text || ftruncate(lake->lock_fd, 0) ||
        pwrite(lake->lock_fd, text, (size_t)n, 0) != n)
        lh_log(LH_LOG_WARN, "could not record the server address in the lock file");
}

lh_status lh_lake_lock_holder(const char *data_dir, json_t **out, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    if (lock_path(data_dir, &path, NULL)) {
        lh_buf_release(&path);
        return lh_fail(err, LH_ENOTFOUND, "no writer"); /* no such file can exist */
    }
    int fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    lh_buf_release(&path);
    if (fd < 0)
        return lh_fail(err, LH_ENOTFOUND, "no writer");
    /* A shared lock succeeds only when no writer holds the exclusive one. */
    lh_status st = LH_OK;
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        flock(fd, LOCK_UN);
        st = lh_fail(err, LH_ENOTFOUND, "no writer");
    } else {
        char text[512];
        const char *pid, *note;
        read_lock_text(fd, text, sizeof text);
        split_lock_text(text, &pid, &note);
        /* NULL when out of memory or not UTF-8: callers then say "pid unknown" */
        *out = json_pack("{s:s, s:s}", "pid", pid, "note", note);
    }
    close(fd);
    return st;
}
