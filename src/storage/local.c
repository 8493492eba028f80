/* local.c: the local-directory backend of the object store. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsio.h"
#include "storage/storage.h"

struct lh_store {
    char *root;
};

#define MAX_KEY 1024

lh_status lh_store_check_key(const char *key, lh_err *err)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0)
        return lh_fail(err, LH_EINVAL, "empty object key");
    if (n > MAX_KEY)
        return lh_fail(err, LH_EINVAL, "object key longer than %d bytes", MAX_KEY);
    if (key[0] == '/')
        return lh_fail(err, LH_EINVAL, "object key '%s' is an absolute path", key);
    const char *seg = key;
    for (const char *p = key;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '/' || c == '\0') {
            size_t len = (size_t)(p - seg);
            if (len == 0)
                return lh_fail(err, LH_EINVAL, "object key '%s' has an empty segment", key);
            if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
                return lh_fail(err, LH_EINVAL, "object key '%s' has a '.' or '..' segment", key);
            if (!c)
                break;
            seg = p + 1;
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            return lh_fail(err, LH_EINVAL, "object key has a control character (0x%02x)", c);
        if (c == '\\')
            return lh_fail(err, LH_EINVAL, "object key '%s' has a backslash", key);
    }
    return LH_OK;
}

lh_status lh_store_open_local(const char *root, lh_store **out, lh_err *err)
{
    lh_status st = lh_mkdirs(root, err);
    if (st)
        return st;
    struct stat sb;
    if (lstat(root, &sb) || !S_ISDIR(sb.st_mode))
        return lh_fail(err, LH_EINVAL, "data root %s is not a directory (symlinks refused)", root);
    char abs[PATH_MAX];
    if (!realpath(root, abs))
        return lh_fail(err, LH_EIO, "resolve %s: %s", root, strerror(errno));
    lh_store *s = calloc(1, sizeof *s);
    if (!s || !(s->root = strdup(abs))) {
        free(s);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    *out = s;
    return LH_OK;
}

void lh_store_free(lh_store *s)
{
    if (!s)
        return;
    free(s->root);
    free(s);
}

const char *lh_store_root(const lh_store *s) { return s->root; }

lh_status lh_store_local_path(lh_store *s, const char *key, lh_buf *out, lh_err *err)
{
    lh_status st = lh_store_check_key(key, err);
    if (st)
        return st;
    if (lh_path_join(out, s->root, key))
        return lh_fail(err, LH_ETOOBIG, "path too long for key %s", key);
    return LH_OK;
}

/* Resolves key to a path and creates its parent directories (for writes). */
static lh_status path_for_write(lh_store *s, const char *key, lh_buf *path, lh_err *err)
{
    lh_status st = lh_store_local_path(s, key, path, err);
    if (st)
        return st;
    char dir[PATH_MAX];
    if (lh_strlcpy(dir, path->data, sizeof dir))
        return lh_fail(err, LH_ETOOBIG, "path too long for key %s", key);
    *strrchr(dir, '/') = '\0';
    return lh_mkdirs(dir, err);
}

lh_status lh_store_get(lh_store *s, const char *key, size_t max, lh_buf *out, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_status st = lh_store_local_path(s, key, &path, err);
    if (!st)
        st = lh_file_read_all(path.data, max, out, err);
    lh_buf_release(&path);
    return st;
}

lh_status lh_store_put(lh_store *s, const char *key, const void *data, size_t len, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_status st = path_for_write(s, key, &path, err);
    if (!st)
        st = lh_file_write_atomic(path.data, data, len, err);
    lh_buf_release(&path);
    return st;
}

lh_status lh_store_put_if_absent(lh_store *s, const char *key, const void *data, size_t len,
                                 lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_status st = path_for_write(s, key, &path, err);
    if (!st)
        st = lh_file_write_exclusive(path.data, data, len, err);
    lh_buf_release(&path);
    return st;
}

lh_status lh_store_put_file(lh_store *s, const char *key, const char *src_path, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_status st = path_for_write(s, key, &path, err);
    if (!st && rename(src_path, path.data))
        st = lh_fail(err, LH_EIO, "move %s to %s: %s", src_path, key, strerror(errno));
    if (!st)
        st = lh_fsync_parent(path.data, err);
    lh_buf_release(&path);
    return st;
}

lh_status lh_store_append(lh_store *s, const char *key, const void *data, size_t len, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_status st = path_for_write(s, key, &path, err);
    struct stat sb;
    bool existed = !st && stat(path.data, &sb) == 0;
    if (!st)
        st = lh_file_append_sync(path.data, data, len, err);
    if (!st && !existed)
        st = lh_fsync_parent(path.data, err);
    lh_buf_release(&path);
    return st;
}

lh_status lh_store_delete(lh_store *s, const char *key, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_status st = lh_store_local_path(s, key, &path, err);
    if (!st)
        st = lh_file_remove(path.data, err);
    lh_buf_release(&path);
    return st;
}

lh_status lh_store_head(lh_store *s, const char *key, lh_object_info *info, lh_err *err)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    lh_status st = lh_store_local_path(s, key, &path, err);
    if (!st)
        st = lh_file_stat(path.data, &info->size, &info->mtime_ms, err);
    lh_buf_release(&path);
    return st;
}

static bool is_temp_name(const char *name)
{
    return !strncmp(name, ".tmp", 4) || strstr(name, ".tmp-") != NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects every regular file under dir (key prefix rel) into keys. Symlinks are skipped:
 * nothing under the root may point elsewhere. */
static lh_status collect(const char *dir, const char *rel, char ***keys, size_t *n, size_t *cap,
                         lh_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT || errno == ENOTDIR ? LH_OK
             : lh_fail(err, LH_EIO, "list %s: %s", dir, strerror(errno));
    lh_status st = LH_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || is_temp_name(e->d_name))
            continue;
        lh_buf child, key;
        lh_buf_init(&child, PATH_MAX);
        lh_buf_init(&key, PATH_MAX);
        if (lh_path_join(&child, dir, e->d_name) ||
            (*rel ? lh_buf_printf(&key, "%s/%s", rel, e->d_name) : lh_buf_adds(&key, e->d_name))) {
            st = lh_fail(err, LH_ETOOBIG, "path too long under %s", dir);
        } else {
            struct stat sb;
            if (lstat(child.data, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                st = collect(child.data, key.data, keys, n, cap, err);
            } else if (lstat(child.data, &sb) == 0 && S_ISREG(sb.st_mode)) {
                if (*n == *cap) {
                    size_t nc = *cap ? *cap * 2 : 64;
                    char **p = realloc(*keys, nc * sizeof *p);
                    if (!p)
                        st = lh_fail(err, LH_ENOMEM, "out of memory listing %s", dir);
                    else {
                        *keys = p;
                        *cap = nc;
                    }
                }
                if (!st)
                    (*keys)[(*n)++] = lh_buf_detach(&key);
            }
        }
        lh_buf_release(&child);
        lh_buf_release(&key);
    }
    closedir(d);
    return st;
}

lh_status lh_store_list(lh_store *s, const char *prefix, lh_store_list_cb cb, void *ctx,
                        lh_err *err)
{
    /* Walk the deepest directory named by the prefix, then filter by the full prefix. */
    char dirpart[PATH_MAX];
    if (lh_strlcpy(dirpart, prefix ? prefix : "", sizeof dirpart))
        return lh_fail(err, LH_EINVAL, "prefix too long");
    char *slash = strrchr(dirpart, '/');
    if (slash)
        *slash = '\0';
    else
        dirpart[0] = '\0';
    lh_status st = *dirpart ? lh_store_check_key(dirpart, err) : LH_OK;
    if (st)
        return st;
    lh_buf dir;
    lh_buf_init(&dir, PATH_MAX);
    if (lh_path_join(&dir, s->root, dirpart)) {
        lh_buf_release(&dir);
        return lh_fail(err, LH_ETOOBIG, "prefix too long");
    }
    char **keys = NULL;
    size_t n = 0, cap = 0;
    st = collect(dir.data, dirpart, &keys, &n, &cap, err);
    if (!st && n)
        qsort(keys, n, sizeof *keys, cmp_str);
    size_t plen = prefix ? strlen(prefix) : 0;
    bool stopped = false;
    for (size_t i = 0; i < n; i++) {
        if (!st && !stopped && !strncmp(keys[i], prefix ? prefix : "", plen)) {
            lh_object_info info = {0, 0};
            lh_buf p;
            lh_buf_init(&p, PATH_MAX);
            if (!lh_path_join(&p, s->root, keys[i]))
                lh_file_stat(p.data, &info.size, &info.mtime_ms, NULL);
            lh_buf_release(&p);
            stopped = cb(ctx, keys[i], &info) != 0;
        }
        free(keys[i]);
    }
    free(keys);
    lh_buf_release(&dir);
    return st;
}
