/* fuzz_util.h: what the libFuzzer harnesses share: a private temp directory per process,
 * writing the input to a file, removing a tree, and a loud failure for broken invariants.
 *
 * Harnesses are built by `make fuzz` (see tests/fuzz/README.md). Each harness creates its
 * directories once (the first input) under $TMPDIR and removes them at exit. */
#ifndef LH_FUZZ_UTIL_H
#define LH_FUZZ_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A broken invariant: say which and abort, so libFuzzer records the input as a crash. */
__attribute__((format(printf, 1, 2), noreturn)) static inline void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("FUZZ INVARIANT BROKEN: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static inline void fuzz_rmtree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            struct stat sb;
            if (!lstat(sub, &sb) && S_ISDIR(sb.st_mode))
                fuzz_rmtree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

static char fuzz_tmp_root[512];

static void fuzz_tmp_cleanup(void)
{
    if (fuzz_tmp_root[0])
        fuzz_rmtree(fuzz_tmp_root);
}

/* The process's private scratch directory (created on first use, removed at exit). */
static inline const char *fuzz_tmpdir(void)
{
    if (!fuzz_tmp_root[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_tmp_root, sizeof fuzz_tmp_root, "%s/lh-fuzz-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(fuzz_tmp_root))
            fuzz_fail("mkdtemp %s: %s", fuzz_tmp_root, strerror(errno));
        atexit(fuzz_tmp_cleanup);
    }
    return fuzz_tmp_root;
}

/* Writes data to path (truncating); aborts on failure (the harness's own fault). */
static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        fuzz_fail("open %s: %s", path, strerror(errno));
    for (size_t done = 0; done < size;) {
        ssize_t w = write(fd, data + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            fuzz_fail("write %s: %s", path, strerror(errno));
        done += (size_t)w;
    }
    close(fd);
}

#endif
