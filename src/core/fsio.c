#include "core/fsio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

/* ---- I/O error injection ------------------------------------------------------------
 * In a build with LH_FAULTS, LH_FAIL_IO_AT=N makes the Nth write or fsync that goes
 * through lh_write_all / lh_fsync_fd fail, once, as LH_FAIL_IO says: "eio" (default),
 * "enospc", or "short" (the write takes half its bytes: correct callers just go on).
 * It says so on stderr, so a test can loop N until an operation no longer reaches it. */
#ifdef LH_FAULTS
#include <stdatomic.h>
static atomic_long io_calls;

/* 0: no failure now; an errno to fail with; -1: make this write short. */
static int injected_io(void)
{
    static long at = -1;
    static int kind;
    if (at < 0) {
        const char *v = getenv("LH_FAIL_IO_AT"), *k = getenv("LH_FAIL_IO");
        long n = v ? strtol(v, NULL, 10) : 0;
        kind = !k || !strcmp(k, "eio") ? EIO : !strcmp(k, "enospc") ? ENOSPC : -1;
        at = n > 0 ? n : 0;
    }
    if (!at || atomic_fetch_add(&io_calls, 1) + 1 != at)
        return 0;
    fprintf(stderr, "lakehouse: injected I/O failure (%s) at call %ld\n",
            kind == EIO ? "eio" : kind == ENOSPC ? "enospc" : "short", at);
    return kind;
}
#else
static int injected_io(void) { return 0; }
#endif

lh_status lh_write_all(int fd, const void *data, size_t len, const char *what, lh_err *err)
{
    const char *p = data;
    while (len) {
        size_t want = len;
        int inject = injected_io();
        if (inject > 0) {
            errno = inject;
            return lh_fail(err, LH_EIO, "write %s: %s", what, strerror(inject));
        }
        if (inject < 0 && want > 1)
            want /= 2;
        ssize_t n = write(fd, p, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lh_fail(err, LH_EIO, "write %s: %s", what, strerror(errno));
        if (n == 0) /* no progress and no error: do not spin */
            return lh_fail(err, LH_EIO, "write %s: no progress", what);
        p += n;
        len -= (size_t)n;
    }
    return LH_OK;
}

lh_status lh_fsync_fd(int fd, const char *what, lh_err *err)
{
    int inject = injected_io();
    if (inject > 0)
        return lh_fail(err, LH_EIO, "fsync %s: %s", what, strerror(inject));
    if (fsync(fd))
        return lh_fail(err, LH_EIO, "fsync %s: %s", what, strerror(errno));
    return LH_OK;
}

lh_status lh_fsync_dir(const char *dir, lh_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "open directory %s: %s", dir, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc)
        return lh_fail(err, LH_EIO, "fsync directory %s: %s", dir, strerror(e));
    return LH_OK;
}

lh_status lh_fsync_parent(const char *path, lh_err *err)
{
    char dir[PATH_MAX];
    if (lh_strlcpy(dir, path, sizeof dir))
        return lh_fail(err, LH_ETOOBIG, "path too long: %s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return lh_fsync_dir(".", err);
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    return lh_fsync_dir(dir, err);
}

lh_status lh_fsync_path(const char *path, lh_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "open %s: %s", path, strerror(errno));
    lh_status st = lh_fsync_fd(fd, path, err);
    close(fd);
    return st;
}

lh_status lh_mkdirs(const char *path, lh_err *err)
{
    char tmp[PATH_MAX];
    if (lh_strlcpy(tmp, path, sizeof tmp))
        return lh_fail(err, LH_ETOOBIG, "path too long: %s", path);
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(tmp, 0755) == 0) {
            lh_status st = lh_fsync_parent(tmp, err);
            if (st)
                return st;
        } else if (errno != EEXIST) {
            return lh_fail(err, LH_EIO, "mkdir %s: %s", tmp, strerror(errno));
        } else {
            struct stat sb;
            if (lstat(tmp, &sb) == 0 && !S_ISDIR(sb.st_mode))
                return lh_fail(err, LH_EIO, "%s exists and is not a directory", tmp);
        }
        *p = saved;
        if (!saved)
            break;
    }
    return LH_OK;
}

/* Writes a fresh temp file next to path and fsyncs it; its name goes into tmp. */
static lh_status write_temp(const char *path, const void *data, size_t len, lh_buf *tmp, lh_err *err)
{
    char id[33];
    lh_random_hex(id, 16);
    lh_status st = lh_buf_printf(tmp, "%s.tmp-%s", path, id);
    if (st)
        return lh_fail(err, st, "path too long: %s", path);
    int fd = open(lh_buf_cstr(tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "create %s: %s", lh_buf_cstr(tmp), strerror(errno));
    st = lh_write_all(fd, data, len, lh_buf_cstr(tmp), err);
    if (!st)
        st = lh_fsync_fd(fd, lh_buf_cstr(tmp), err);
    close(fd);
    if (st)
        unlink(lh_buf_cstr(tmp));
    return st;
}

lh_status lh_file_write_atomic(const char *path, const void *data, size_t len, lh_err *err)
{
    lh_buf tmp;
    lh_buf_init(&tmp, PATH_MAX);
    lh_status st = write_temp(path, data, len, &tmp, err);
    if (!st && rename(lh_buf_cstr(&tmp), path)) {
        st = lh_fail(err, LH_EIO, "rename %s: %s", path, strerror(errno));
        unlink(lh_buf_cstr(&tmp));
    }
    if (!st)
        st = lh_fsync_parent(path, err);
    lh_buf_release(&tmp);
    return st;
}

lh_status lh_file_write_exclusive(const char *path, const void *data, size_t len, lh_err *err)
{
    lh_buf tmp;
    lh_buf_init(&tmp, PATH_MAX);
    lh_status st = write_temp(path, data, len, &tmp, err);
    if (!st) {
        if (link(lh_buf_cstr(&tmp), path)) {
            st = errno == EEXIST ? lh_fail(err, LH_EEXIST, "%s already exists", path)
                                 : lh_fail(err, LH_EIO, "link %s: %s", path, strerror(errno));
        }
        unlink(lh_buf_cstr(&tmp));
    }
    if (!st)
        st = lh_fsync_parent(path, err);
    lh_buf_release(&tmp);
    return st;
}

lh_status lh_file_append_sync(const char *path, const void *data, size_t len, lh_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "open %s: %s", path, strerror(errno));
    lh_status st = lh_write_all(fd, data, len, path, err);
    if (!st)
        st = lh_fsync_fd(fd, path, err);
    close(fd);
    return st;
}

lh_status lh_file_read_all(const char *path, size_t max, lh_buf *out, lh_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return lh_fail(err, LH_ENOTFOUND, "%s does not exist", path);
        if (errno == ELOOP)
            return lh_fail(err, LH_EDENIED, "%s is a symbolic link; refused", path);
        return lh_fail(err, LH_EIO, "open %s: %s", path, strerror(errno));
    }
    lh_status st = lh_fd_read_all(fd, path, max, out, err);
    close(fd);
    return st;
}

lh_status lh_fd_read_all(int fd, const char *what, size_t max, lh_buf *out, lh_err *err)
{
    struct stat sb;
    lh_status st = LH_OK;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        st = lh_fail(err, LH_EINVAL, "%s is not a regular file", what);
    } else if ((size_t)sb.st_size > max) {
        st = lh_fail(err, LH_ETOOBIG, "%s is %lld bytes, over the %zu-byte limit", what,
                     (long long)sb.st_size, max);
    }
    char chunk[65536];
    while (!st) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = lh_fail(err, LH_EIO, "read %s: %s", what, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        lh_buf_add(out, chunk, (size_t)n);
        if ((st = lh_buf_status(out)))
            st = st == LH_ETOOBIG ? lh_fail(err, st, "%s grew past the read limit", what)
                                  : lh_fail(err, st, "out of memory reading %s", what);
    }
    if (!st && !out->len) /* an empty file still gives a string, for callers reading .data */
        lh_buf_add(out, "", 0);
    return st;
}

lh_status lh_file_stat(const char *path, int64_t *size, int64_t *mtime_ms, lh_err *err)
{
    struct stat sb;
    if (lstat(path, &sb)) {
        if (errno == ENOENT)
            return lh_fail(err, LH_ENOTFOUND, "%s does not exist", path);
        return lh_fail(err, LH_EIO, "stat %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode))
        return lh_fail(err, LH_EINVAL, "%s is not a regular file", path);
    if (size)
        *size = sb.st_size;
    if (mtime_ms)
        *mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
    return LH_OK;
}

lh_status lh_file_remove(const char *path, lh_err *err)
{
    if (unlink(path) && errno != ENOENT)
        return lh_fail(err, LH_EIO, "remove %s: %s", path, strerror(errno));
    return LH_OK;
}

lh_status lh_path_join(lh_buf *out, const char *a, const char *b)
{
    if (!a || !b) /* a part some failed step did not produce: the build fails, never crashes */
        return lh_buf_fail(out, LH_EINVAL);
    size_t n = strlen(a);
    while (n > 0 && a[n - 1] == '/')
        n--; /* "/" joins as "" + "/b" */
    lh_buf_add(out, a, n);
    if (*b || n == 0)
        lh_buf_printf(out, "/%s", b);
    return lh_buf_status(out);
}

/* s[0..n) with each single quote doubled. */
static void add_sql_chars(lh_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\'') {
            lh_buf_add(out, s + run, i + 1 - run);
            run = i; /* the quote starts the next run: written twice */
        }
    lh_buf_add(out, s + run, n - run);
}

void lh_path_add_sql(lh_buf *out, const char *a, const char *b)
{
    size_t n = strlen(a);
    while (n > 0 && a[n - 1] == '/')
        n--;
    lh_buf_addc(out, '\'');
    add_sql_chars(out, a, n);
    if (*b || n == 0) {
        lh_buf_addc(out, '/');
        add_sql_chars(out, b, strlen(b));
    }
    lh_buf_addc(out, '\'');
}

lh_status lh_path_temp(const char *path, lh_buf *out)
{
    char id[33];
    lh_random_hex(id, 16);
    return lh_buf_printf(out, "%s.tmp-%s", path, id);
}
