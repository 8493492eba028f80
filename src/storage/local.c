/* local.c: the local-directory backend of the object store.
 *
 * Every path beneath the root is resolved without following symbolic links: openat2(2)
 * with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS from a descriptor of the root, or, where the
 * kernel lacks openat2, a walk that opens each component with O_NOFOLLOW. The final
 * component is then used relative to its parent's descriptor (renameat, unlinkat,
 * fstatat with AT_SYMLINK_NOFOLLOW), so a link planted anywhere inside the data directory
 * cannot make a read, write, listing or delete reach outside it. Messages name keys,
 * never filesystem paths: they reach HTTP clients. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "storage/storage.h"

struct lh_store {
    char *root;
    int rootfd; /* O_DIRECTORY descriptor of root; every path is resolved from it */
};

#define MAX_KEY 1024

lh_status lh_store_check_key(const char *key, lh_err *err)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0)
        return lh_fail(err, LH_EINVAL, "empty object key");
    if (n > MAX_KEY)
        return lh_fail(err, LH_EINVAL, "object key longer than %d bytes", MAX_KEY);
    /* Keys are echoed in JSON listings: a key that is not UTF-8 could be stored but never
     * rendered, so it is refused before anything is written. */
    if (!lh_utf8_valid(key, n))
        return lh_fail(err, LH_EINVAL, "object key is not valid UTF-8");
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

/* The status and message for a failed resolution of key (errno from the failing call). */
static lh_status resolve_fail(lh_err *err, int e, const char *what, const char *key)
{
    if (e == ENOENT || e == ENOTDIR)
        return lh_fail(err, LH_ENOTFOUND, "object '%s' does not exist", key);
    if (e == ELOOP || e == EXDEV)
        return lh_fail(err, LH_EINVAL, "object key '%s' goes through a symbolic link; refused",
                       key);
    return lh_fail(err, LH_EIO, "%s '%s': %s", what, key, strerror(e));
}

/* Opens rel (a checked key, or ".") beneath fd, one component at a time with O_NOFOLLOW:
 * the fallback for kernels without openat2. A link as any component fails with ELOOP. */
static int walk_open(int fd, const char *rel, int flags, mode_t mode)
{
    char tmp[MAX_KEY + 1];
    if (lh_strlcpy(tmp, rel, sizeof tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    char *comp = tmp;
    for (char *slash; dfd >= 0 && (slash = strchr(comp, '/')); comp = slash + 1) {
        *slash = '\0';
        int nfd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        struct stat sb;
        if (nfd < 0 && fstatat(dfd, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
            e = ELOOP; /* O_DIRECTORY may report a link as ENOTDIR */
        close(dfd);
        dfd = nfd;
        errno = e;
    }
    if (dfd < 0)
        return -1;
    int out = openat(dfd, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    int e = errno;
    struct stat sb;
    if (out < 0 && e == ENOTDIR && fstatat(dfd, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(sb.st_mode))
        e = ELOOP;
    close(dfd);
    errno = e;
    return out;
}

/* Opens rel beneath the root without following any link; -1 with errno on failure
 * (ELOOP or EXDEV when a link is in the way). */
static int open_beneath(const lh_store *s, const char *rel, int flags, mode_t mode)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
    long fd = syscall(SYS_openat2, s->rootfd, rel, &how, sizeof how);
    if (fd >= 0)
        return (int)fd;
    /* ENOSYS: kernel before 5.6; EPERM: a seccomp filter that does not know openat2.
     * ENOTDIR: a link met with O_DIRECTORY is reported so; the walk tells it apart. */
    if (errno != ENOSYS && errno != EPERM && errno != ENOTDIR)
        return -1;
    return walk_open(s->rootfd, rel, flags, mode);
}

/* The descriptor of key's parent directory and the key's last segment. With create, missing
 * directories are made (mkdirat, then opened with O_NOFOLLOW, parents fsynced). */
static lh_status parent_fd(lh_store *s, const char *key, bool create, int *dfd,
                           const char **leaf, lh_err *err)
{
    lh_status st = lh_store_check_key(key, err);
    if (st)
        return st;
    const char *slash = strrchr(key, '/');
    *leaf = slash ? slash + 1 : key;
    if (!slash) {
        *dfd = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 0);
        return *dfd < 0 ? lh_fail(err, LH_EIO, "dup: %s", strerror(errno)) : LH_OK;
    }
    char dir[MAX_KEY + 1];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - key), key);
    *dfd = open_beneath(s, dir, O_RDONLY | O_DIRECTORY, 0);
    if (*dfd >= 0)
        return LH_OK;
    if (errno != ENOENT || !create)
        return resolve_fail(err, errno, "open", key);
    /* Create the missing directories one by one, never through a link. */
    int cur = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 0);
    char *comp = dir;
    for (bool last = false; cur >= 0 && !last;) {
        char *sl = strchr(comp, '/');
        last = sl == NULL;
        if (sl)
            *sl = '\0';
        bool made = mkdirat(cur, comp, 0755) == 0;
        if (!made && errno != EEXIST) {
            int e = errno;
            close(cur);
            return resolve_fail(err, e, "mkdir for", key);
        }
        if (made)
            fsync(cur);
        int nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        struct stat sb;
        if (nfd < 0 && fstatat(cur, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
            e = ELOOP;
        close(cur);
        if (nfd < 0)
            return resolve_fail(err, e, "open", key);
        cur = nfd;
        comp = sl ? sl + 1 : comp;
    }
    *dfd = cur;
    return cur < 0 ? lh_fail(err, LH_EIO, "dup: %s", strerror(errno)) : LH_OK;
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
    lh_store *s = lh_calloc(1, sizeof *s);
    if (!s || !(s->root = lh_strdup(abs))) {
        free(s);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    s->rootfd = open(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (s->rootfd < 0) {
        st = lh_fail(err, LH_EIO, "open %s: %s", abs, strerror(errno));
        free(s->root);
        free(s);
        return st;
    }
    *out = s;
    return LH_OK;
}

void lh_store_free(lh_store *s)
{
    if (!s)
        return;
    if (s->rootfd >= 0)
        close(s->rootfd);
    free(s->root);
    free(s);
}

const char *lh_store_root(const lh_store *s) { return s->root; }

lh_status lh_store_local_path(lh_store *s, const char *key, lh_buf *out, lh_err *err)
{
    int dfd;
    const char *leaf;
    lh_status st = parent_fd(s, key, false, &dfd, &leaf, err);
    if (st == LH_ENOTFOUND)
        st = LH_OK; /* a path for a file still to be written */
    else if (!st) {
        /* DuckDB opens the path itself; refuse one whose last segment is a link. */
        struct stat sb;
        if (fstatat(dfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
            st = resolve_fail(err, ELOOP, "open", key);
        close(dfd);
    }
    if (st)
        return st;
    if (lh_path_join(out, s->root, key))
        return lh_fail(err, LH_ETOOBIG, "path too long for key %s", key);
    return LH_OK;
}

lh_status lh_store_get(lh_store *s, const char *key, size_t max, lh_buf *out, lh_err *err)
{
    lh_status st = lh_store_check_key(key, err);
    if (st)
        return st;
    int fd = open_beneath(s, key, O_RDONLY, 0);
    if (fd < 0)
        return resolve_fail(err, errno, "open", key);
    struct stat sb;
    if (fstat(fd, &sb) || S_ISDIR(sb.st_mode)) {
        st = lh_fail(err, LH_ENOTFOUND, "object '%s' does not exist", key);
    } else {
        char what[600];
        snprintf(what, sizeof what, "object '%s'", key);
        st = lh_fd_read_all(fd, what, max, out, err);
    }
    close(fd);
    return st;
}

/* A write over a link would replace the link, not write through it; still refused, so
 * that every route treats a planted link the same way. */
static bool leaf_is_link(int dfd, const char *leaf)
{
    struct stat sb;
    return fstatat(dfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode);
}

/* Writes data to a fresh temp file next to leaf (in dfd) and fsyncs it; name into tmp. */
static lh_status write_temp(int dfd, const char *leaf, const char *key, const void *data,
                            size_t len, char *tmp, size_t tmpsz, lh_err *err)
{
    char id[33];
    lh_random_hex(id, 16);
    if ((size_t)snprintf(tmp, tmpsz, ".tmp-%s", id) >= tmpsz)
        return lh_fail(err, LH_ETOOBIG, "object key too long");
    (void)leaf;
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "create '%s': %s", key, strerror(errno));
    lh_status st = lh_write_all(fd, data, len, key, err);
    if (!st)
        st = lh_fsync_fd(fd, key, err);
    close(fd);
    if (st)
        unlinkat(dfd, tmp, 0);
    return st;
}

/* The directory (created as needed) and leaf name a write to key replaces; a leaf that is
 * a link is refused like any link on the way. */
static lh_status write_target(lh_store *s, const char *key, int *dfd, const char **leaf,
                              lh_err *err)
{
    lh_status st = parent_fd(s, key, true, dfd, leaf, err);
    if (!st && leaf_is_link(*dfd, *leaf)) {
        close(*dfd);
        st = resolve_fail(err, ELOOP, "write", key);
    }
    return st;
}

static lh_status put(lh_store *s, const char *key, const void *data, size_t len, bool exclusive,
                     lh_err *err)
{
    int dfd;
    const char *leaf;
    lh_status st = write_target(s, key, &dfd, &leaf, err);
    if (st)
        return st;
    char tmp[64];
    st = write_temp(dfd, leaf, key, data, len, tmp, sizeof tmp, err);
    if (!st && exclusive) {
        if (linkat(dfd, tmp, dfd, leaf, 0))
            st = errno == EEXIST ? lh_fail(err, LH_EEXIST, "object '%s' already exists", key)
                                 : lh_fail(err, LH_EIO, "link '%s': %s", key, strerror(errno));
        unlinkat(dfd, tmp, 0);
    } else if (!st && renameat(dfd, tmp, dfd, leaf)) {
        st = lh_fail(err, LH_EIO, "rename '%s': %s", key, strerror(errno));
        unlinkat(dfd, tmp, 0);
    }
    if (!st)
        st = lh_fsync_fd(dfd, key, err);
    close(dfd);
    return st;
}

lh_status lh_store_put(lh_store *s, const char *key, const void *data, size_t len, lh_err *err)
{
    return put(s, key, data, len, false, err);
}

lh_status lh_store_put_if_absent(lh_store *s, const char *key, const void *data, size_t len,
                                 lh_err *err)
{
    return put(s, key, data, len, true, err);
}

lh_status lh_store_put_file(lh_store *s, const char *key, const char *src_path, lh_err *err)
{
    int dfd;
    const char *leaf;
    lh_status st = write_target(s, key, &dfd, &leaf, err);
    if (st)
        return st;
    if (renameat(AT_FDCWD, src_path, dfd, leaf))
        st = lh_fail(err, LH_EIO, "move a file to '%s': %s", key, strerror(errno));
    if (!st)
        st = lh_fsync_fd(dfd, key, err);
    close(dfd);
    return st;
}

lh_status lh_store_append(lh_store *s, const char *key, const void *data, size_t len, lh_err *err)
{
    int dfd;
    const char *leaf;
    lh_status st = parent_fd(s, key, true, &dfd, &leaf, err);
    if (st)
        return st;
    struct stat sb;
    bool existed = fstatat(dfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0;
    int fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        st = resolve_fail(err, errno, "open", key);
    if (!st)
        st = lh_write_all(fd, data, len, key, err);
    if (!st)
        st = lh_fsync_fd(fd, key, err);
    if (fd >= 0)
        close(fd);
    if (!st && !existed)
        st = lh_fsync_fd(dfd, key, err);
    close(dfd);
    return st;
}

/* lstat of key relative to its parent: links refused, missing is LH_ENOTFOUND. */
static lh_status stat_leaf(lh_store *s, const char *key, struct stat *sb, int *dfd_out,
                           const char **leaf_out, lh_err *err)
{
    int dfd;
    const char *leaf;
    lh_status st = parent_fd(s, key, false, &dfd, &leaf, err);
    if (st)
        return st;
    if (fstatat(dfd, leaf, sb, AT_SYMLINK_NOFOLLOW))
        st = resolve_fail(err, errno, "stat", key);
    else if (S_ISLNK(sb->st_mode))
        st = resolve_fail(err, ELOOP, "stat", key);
    else if (!S_ISREG(sb->st_mode))
        st = lh_fail(err, LH_ENOTFOUND, "object '%s' does not exist", key);
    if (st || !dfd_out) {
        close(dfd);
        return st;
    }
    *dfd_out = dfd;
    *leaf_out = leaf;
    return LH_OK;
}

lh_status lh_store_delete(lh_store *s, const char *key, lh_err *err)
{
    struct stat sb;
    int dfd;
    const char *leaf;
    lh_status st = stat_leaf(s, key, &sb, &dfd, &leaf, err);
    if (st == LH_ENOTFOUND)
        return LH_OK;
    if (st)
        return st;
    if (unlinkat(dfd, leaf, 0) && errno != ENOENT)
        st = lh_fail(err, LH_EIO, "delete '%s': %s", key, strerror(errno));
    close(dfd);
    return st;
}

lh_status lh_store_head(lh_store *s, const char *key, lh_object_info *info, lh_err *err)
{
    struct stat sb;
    lh_status st = stat_leaf(s, key, &sb, NULL, NULL, err);
    if (st)
        return st;
    info->size = (int64_t)sb.st_size;
    info->mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
    return LH_OK;
}

static bool is_temp_name(const char *name)
{
    return !strncmp(name, ".tmp", 4) || strstr(name, ".tmp-") != NULL;
}

typedef struct entry {
    char *key;
    lh_object_info info;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

/* Collects every regular file under the directory open as fd (key prefix rel) into out;
 * consumes fd. Links are neither listed nor entered: nothing under the root may point
 * elsewhere. */
static lh_status collect(int fd, const char *rel, entries *out, lh_err *err)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return lh_fail(err, LH_EIO, "list '%s': %s", rel, strerror(errno));
    }
    lh_status st = LH_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || is_temp_name(e->d_name))
            continue;
        lh_buf key;
        lh_buf_init(&key, PATH_MAX);
        struct stat sb;
        if (*rel)
            lh_buf_printf(&key, "%s/%s", rel, e->d_name);
        else
            lh_buf_adds(&key, e->d_name);
        if ((st = lh_buf_status(&key))) {
            st = st == LH_ETOOBIG ? lh_fail(err, st, "key too long under '%s'", rel)
                                  : lh_fail(err, st, "out of memory listing '%s'", rel);
        } else if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            /* vanished since readdir */
        } else if (S_ISDIR(sb.st_mode)) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                st = collect(sub, lh_buf_cstr(&key), out, err);
        } else if (S_ISREG(sb.st_mode)) {
            if (lh_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v))
                st = lh_fail(err, LH_ENOMEM, "out of memory listing '%s'", rel);
            if (!st) {
                entry *x = &out->v[out->n++];
                x->info.size = (int64_t)sb.st_size;
                x->info.mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
                x->key = lh_buf_detach(&key);
            }
        }
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
    int fd = open_beneath(s, *dirpart ? dirpart : ".", O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
        st = resolve_fail(err, errno, "list", dirpart);
        return st == LH_ENOTFOUND ? LH_OK : st;
    }
    entries es = {NULL, 0, 0};
    st = collect(fd, dirpart, &es, err);
    if (!st && es.n)
        qsort(es.v, es.n, sizeof *es.v, cmp_entry);
    size_t plen = prefix ? strlen(prefix) : 0;
    bool stopped = false;
    for (size_t i = 0; i < es.n; i++) {
        if (!st && !stopped && !strncmp(es.v[i].key, prefix ? prefix : "", plen))
            stopped = cb(ctx, es.v[i].key, &es.v[i].info) != 0;
        free(es.v[i].key);
    }
    free(es.v);
    return st;
}

/* The kind of entry e of directory dfd: its d_type, or an lstat where the file system
 * leaves it unknown. 'f' regular file, 'd' directory, 0 anything else (links included). */
static char entry_kind(int dfd, const struct dirent *e)
{
    unsigned char t = e->d_type;
    if (t == DT_UNKNOWN) {
        struct stat sb;
        if (fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW))
            return 0; /* vanished since readdir */
        return S_ISREG(sb.st_mode) ? 'f' : S_ISDIR(sb.st_mode) ? 'd' : 0;
    }
    return t == DT_REG ? 'f' : t == DT_DIR ? 'd' : 0;
}

lh_status lh_store_list_dir(lh_store *s, const char *dir_key, lh_store_dir_cb cb, void *ctx,
                            lh_err *err)
{
    lh_status st = lh_store_check_key(dir_key, err);
    if (st)
        return st;
    int fd = open_beneath(s, dir_key, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
        st = resolve_fail(err, errno, "list", dir_key);
        return st == LH_ENOTFOUND ? LH_OK : st;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return lh_fail(err, LH_EIO, "list '%s': %s", dir_key, strerror(errno));
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || is_temp_name(e->d_name))
            continue;
        char k = entry_kind(dirfd(d), e);
        if (k && cb(ctx, e->d_name, k == 'd' ? LH_ENTRY_DIR : LH_ENTRY_FILE))
            break;
    }
    closedir(d);
    return LH_OK;
}

/* Removes matching non-directories in the directory open as fd; consumes fd. With depth
 * above 0, also in each subdirectory (entered with O_NOFOLLOW, so never through a link). */
static void sweep_fd(int fd, const char *name_prefix, int depth)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        bool match = name_prefix ? !strncmp(e->d_name, name_prefix, strlen(name_prefix))
                                 : e->d_name[0] != '.';
        /* The entry's type from the directory itself: no stat of every file of a table
         * (they are many, and almost none match); a stat only where it is unknown. */
        bool dir;
        if (e->d_type == DT_UNKNOWN) {
            struct stat sb;
            if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW))
                continue;
            dir = S_ISDIR(sb.st_mode);
        } else {
            dir = e->d_type == DT_DIR;
        }
        if (dir) {
            int sub = depth > 0 ? openat(dirfd(d), e->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                : -1;
            if (sub >= 0)
                sweep_fd(sub, name_prefix, depth - 1);
            /* a temp directory (a compaction's split output) goes too once emptied;
             * rmdir refuses one that is not empty */
            if (sub >= 0 && name_prefix && !strncmp(e->d_name, name_prefix, strlen(name_prefix)))
                unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
            continue;
        }
        /* unlinkat removes a link itself, never its target */
        if (match)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

lh_status lh_store_sweep(lh_store *s, const char *dir_key, const char *name_prefix, int depth,
                         lh_err *err)
{
    lh_status st = lh_store_check_key(dir_key, err);
    if (st)
        return st;
    int fd = open_beneath(s, dir_key, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
        st = resolve_fail(err, errno, "open", dir_key);
        return st == LH_ENOTFOUND ? LH_OK : st;
    }
    sweep_fd(fd, name_prefix, depth);
    return LH_OK;
}
