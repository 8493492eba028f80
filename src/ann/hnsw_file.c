/* hnsw_file.c: the graph file (hnsw.h "the graph file"): save, mmap load, load from memory.
 *
 * Layout, little-endian, every section 8-byte aligned (so a mapped file's links are used
 * in place):
 *   header   176 bytes (file_header below; sha256 = hex SHA-256 of everything after it)
 *   levels   rows int8 (-1 = row not in the graph), padded to a multiple of 8
 *   deleted  lh_vec_bitmap_words(rows) uint64 (bit set = deleted)
 *   layer 0  rows x (1 + 2M) uint32: count, then ids
 *   upper    for each row in row order with level L > 0: L lists of (1 + M) uint32
 * The upper offsets are not stored: the loader recomputes them from the levels.
 *
 * Nothing is trusted before it is checked: the sizes of the sections against rows and M,
 * the checksum, then every level, count and link id (an id < rows, of a node present on
 * that level), the entry point and the deleted bits, so that a search over an accepted
 * file can only read inside it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/sha256.h"
#include "ann/hnsw_int.h"

#define HNSW_MAGIC "LHHNSW01"
#define HNSW_VERSION 1

typedef struct file_header {
    char magic[8];
    uint32_t version;
    uint32_t header_bytes;
    uint64_t dims;
    uint32_t metric;
    uint32_t M, ef_construction, ef_search;
    uint64_t seed;
    uint64_t rows;            /* the sections cover rows 0..rows-1 */
    uint64_t count;           /* rows present */
    int64_t source_version;
    uint32_t entry;
    int32_t max_level;
    uint64_t levels_bytes, deleted_bytes, l0_bytes, upper_bytes;
    char sha256[64];
} file_header;

_Static_assert(sizeof(file_header) == 176, "the graph file header is 176 bytes");

static size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* The last two components of path: enough to name the file, nothing of where the lake
 * lives. */
static const char *short_name(const char *path)
{
    const char *end = path + strlen(path), *p = end;
    int seps = 0;
    while (p > path) {
        if (p[-1] == '/' && ++seps == 2)
            break;
        p--;
    }
    return p;
}

/* ---- save ------------------------------------------------------------------------------ */

lh_status lh_hnsw_save(const lh_hnsw *h, int64_t source_version, const char *path, lh_err *err)
{
    size_t rows = h->cap;
    while (rows > 0 && h->levels[rows - 1] < 0)
        rows--;
    size_t upper = 0;
    for (size_t r = 0; r < rows; r++)
        if (h->levels[r] > 0)
            upper += (size_t)h->levels[r] * h->up_stride;
    file_header fh;
    memset(&fh, 0, sizeof fh);
    memcpy(fh.magic, HNSW_MAGIC, 8);
    fh.version = HNSW_VERSION;
    fh.header_bytes = sizeof fh;
    fh.dims = h->dims;
    fh.metric = (uint32_t)h->metric;
    fh.M = h->p.M;
    fh.ef_construction = h->p.ef_construction;
    fh.ef_search = h->p.ef_search;
    fh.seed = h->p.seed;
    fh.rows = rows;
    fh.count = h->count;
    fh.source_version = source_version;
    fh.entry = h->count ? h->entry : 0;
    fh.max_level = h->max_level;
    fh.levels_bytes = round8(rows);
    fh.deleted_bytes = lh_vec_bitmap_words(rows) * sizeof(uint64_t);
    fh.l0_bytes = round8(rows * h->l0_stride * sizeof(uint32_t));
    fh.upper_bytes = round8(upper * sizeof(uint32_t));
    size_t len = sizeof fh + fh.levels_bytes + fh.deleted_bytes + fh.l0_bytes + fh.upper_bytes;
    uint8_t *file = lh_calloc(1, len);
    if (!file)
        return lh_fail(err, LH_ENOMEM, "out of memory for a graph file of %zu bytes", len);
    uint8_t *p = file + sizeof fh;
    memcpy(p, h->levels, rows);
    p += fh.levels_bytes;
    memcpy(p, h->deleted, lh_vec_bitmap_words(rows) * sizeof(uint64_t));
    if (rows % 64) /* the bits past rows stay clear */
        ((uint64_t *)p)[rows / 64] &= ((uint64_t)1 << (rows % 64)) - 1;
    p += fh.deleted_bytes;
    memcpy(p, h->l0, rows * h->l0_stride * sizeof(uint32_t));
    p += fh.l0_bytes;
    for (size_t r = 0; r < rows; r++) {
        if (h->levels[r] <= 0)
            continue;
        size_t n = (size_t)h->levels[r] * h->up_stride * sizeof(uint32_t);
        memcpy(p, h->up + h->up_off[r], n);
        p += n;
    }
    char hex[65];
    lh_sha256_hex(file + sizeof fh, len - sizeof fh, hex);
    memcpy(fh.sha256, hex, 64);
    memcpy(file, &fh, sizeof fh);
    lh_status st = lh_file_write_atomic(path, file, len, err);
    free(file);
    if (st)
        return lh_fail(err, st, "cannot write graph file %s (%s)", short_name(path),
                       lh_status_name(st));
    return LH_OK;
}

/* ---- load ------------------------------------------------------------------------------ */

#define CORRUPT(...) corrupt(err, name, __VA_ARGS__)

static lh_status corrupt(lh_err *err, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static lh_status corrupt(lh_err *err, const char *name, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return lh_fail(err, LH_ECORRUPT, "graph file %s is corrupt: %s", name, what);
}

/* The sections of a checked file. */
typedef struct sections {
    file_header fh;
    const int8_t *levels;
    const uint64_t *deleted;
    const uint32_t *l0;
    const uint32_t *up;
    size_t up_len;
} sections;

/* Every check of the file comment over data (len bytes; 4-byte aligned). */
static lh_status check(const uint8_t *data, size_t len, size_t n, size_t dims, const char *name,
                       sections *sec, lh_err *err)
{
    file_header *fh = &sec->fh;
    if (len < sizeof *fh)
        return CORRUPT("truncated (%zu bytes, the header alone is %zu)", len, sizeof *fh);
    memcpy(fh, data, sizeof *fh);
    if (memcmp(fh->magic, HNSW_MAGIC, 8))
        return CORRUPT("not an HNSW graph (bad magic)");
    if (fh->version != HNSW_VERSION || fh->header_bytes != sizeof *fh)
        return CORRUPT("format version %u, this build reads %d", fh->version, HNSW_VERSION);
    if (fh->dims != dims)
        return CORRUPT("it links %llu-dimensional vectors, the index has %zu",
                       (unsigned long long)fh->dims, dims);
    if (fh->metric > LH_VEC_L2)
        return CORRUPT("unknown metric %u", fh->metric);
    lh_hnsw_params prm = {fh->M, fh->ef_construction, fh->ef_search, fh->seed};
    lh_err perr;
    if (lh_hnsw_params_check(&prm, &perr))
        return CORRUPT("%s", perr.msg);
    if (fh->rows > n)
        return CORRUPT("it holds %llu rows, the index has %zu", (unsigned long long)fh->rows, n);
    if (fh->rows >= UINT32_MAX)
        return CORRUPT("%llu rows", (unsigned long long)fh->rows);
    size_t rows = (size_t)fh->rows, stride0 = 1 + 2 * (size_t)fh->M, stride = 1 + (size_t)fh->M;
    if (fh->levels_bytes != round8(rows) ||
        fh->deleted_bytes != lh_vec_bitmap_words(rows) * sizeof(uint64_t) ||
        fh->l0_bytes != round8(rows * stride0 * sizeof(uint32_t)) || fh->upper_bytes % 8 ||
        fh->upper_bytes > len)
        return CORRUPT("section sizes do not match %zu rows at M %u", rows, fh->M);
    size_t body = (size_t)(fh->levels_bytes + fh->deleted_bytes + fh->l0_bytes + fh->upper_bytes);
    if (len - sizeof *fh != body)
        return CORRUPT("%s (%zu bytes, the header promises %zu)",
                       len - sizeof *fh < body ? "truncated" : "trailing bytes", len,
                       body + sizeof *fh);
    char hex[65];
    lh_sha256_hex(data + sizeof *fh, body, hex);
    if (memcmp(hex, fh->sha256, 64))
        return CORRUPT("checksum mismatch");

    const uint8_t *p = data + sizeof *fh;
    sec->levels = (const int8_t *)p;
    sec->deleted = (const uint64_t *)(p + fh->levels_bytes);
    sec->l0 = (const uint32_t *)(p + fh->levels_bytes + fh->deleted_bytes);
    sec->up = (const uint32_t *)(p + fh->levels_bytes + fh->deleted_bytes + fh->l0_bytes);
    const int8_t *lv = sec->levels;
    size_t count = 0, upper = 0;
    int top = -1;
    for (size_t r = 0; r < rows; r++) {
        if (lv[r] < -1 || lv[r] > LH__HNSW_LEVEL_MAX)
            return CORRUPT("row %zu has level %d", r, lv[r]);
        if (lv[r] >= 0)
            count++;
        if (lv[r] > 0)
            upper += (size_t)lv[r] * stride;
        if (lv[r] > top)
            top = lv[r];
    }
    if (count != fh->count)
        return CORRUPT("%zu rows present, the header says %llu", count,
                       (unsigned long long)fh->count);
    if (round8(upper * sizeof(uint32_t)) != fh->upper_bytes || upper > UINT32_MAX)
        return CORRUPT("the upper layers hold %llu bytes, the levels need %zu",
                       (unsigned long long)fh->upper_bytes, upper * sizeof(uint32_t));
    sec->up_len = upper;
    if (fh->max_level != top || (count && (fh->entry >= rows || lv[fh->entry] != top)))
        return CORRUPT("bad entry point");
    for (size_t r = 0; r < rows; r++)
        if (lh__hnsw_bit(sec->deleted, (uint32_t)r) && lv[r] < 0)
            return CORRUPT("row %zu is deleted but not in the graph", r);
    if (rows % 64 && sec->deleted[rows / 64] >> (rows % 64))
        return CORRUPT("deleted bits past the last row");
    const uint32_t *up = sec->up;
    for (size_t r = 0; r < rows; r++) {
        const uint32_t *ln = sec->l0 + r * stride0;
        if (ln[0] > (lv[r] < 0 ? 0 : 2 * fh->M))
            return CORRUPT("row %zu has %u links on layer 0", r, ln[0]);
        for (uint32_t j = 1; j <= ln[0]; j++)
            if (ln[j] >= rows || lv[ln[j]] < 0)
                return CORRUPT("row %zu links to %u on layer 0", r, ln[j]);
        for (int l = 1; l <= lv[r]; l++, up += stride) {
            if (up[0] > fh->M)
                return CORRUPT("row %zu has %u links on layer %d", r, up[0], l);
            for (uint32_t j = 1; j <= up[0]; j++)
                if (up[j] >= rows || lv[up[j]] < l)
                    return CORRUPT("row %zu links to %u on layer %d", r, up[j], l);
        }
    }
    return LH_OK;
}

/* A graph over a checked file: its arrays copied (data may go away), or pointing into the
 * mapping map (of map_len bytes, then owned by the graph). */
static lh_status adopt(const sections *sec, const float *base, size_t n, void *map,
                       size_t map_len, lh_hnsw **out, lh_err *err)
{
    const file_header *fh = &sec->fh;
    lh_hnsw_params p = {fh->M, fh->ef_construction, fh->ef_search, fh->seed};
    lh_hnsw *h = NULL;
    size_t rows = (size_t)fh->rows;
    lh_status st = lh__hnsw_new(base, n, fh->dims, (lh_vec_metric)fh->metric, &p, map ? 0 : rows,
                                &h, err);
    if (st) {
        if (map)
            munmap(map, map_len);
        return st;
    }
    if (map) {
        free(h->levels);
        free(h->l0);
        free(h->up);
        free(h->deleted);
        free(h->up_off);
        h->levels = (int8_t *)sec->levels;
        h->l0 = (uint32_t *)sec->l0;
        h->up = (uint32_t *)sec->up;
        h->up_cap = sec->up_len;
        h->map = map;
        h->map_len = map_len;
        h->cap = rows;
        h->deleted = lh_calloc(lh_vec_bitmap_words(rows) + 1, sizeof *h->deleted);
        h->up_off = lh_calloc(rows + 1, sizeof *h->up_off);
        if (!h->deleted || !h->up_off) {
            lh_hnsw_free(h);
            return lh_fail(err, LH_ENOMEM, "out of memory for an HNSW graph of %zu rows", rows);
        }
    } else {
        memcpy(h->levels, sec->levels, rows);
        memcpy(h->l0, sec->l0, rows * h->l0_stride * sizeof *h->l0);
        if (lh_grow(&h->up, &h->up_cap, sec->up_len + 1, sizeof *h->up)) {
            lh_hnsw_free(h);
            return lh_fail(err, LH_ENOMEM, "out of memory for an HNSW graph of %zu rows", rows);
        }
        if (sec->up_len)
            memcpy(h->up, sec->up, sec->up_len * sizeof *h->up);
    }
    memcpy(h->deleted, sec->deleted, lh_vec_bitmap_words(rows) * sizeof *h->deleted);
    h->up_len = sec->up_len;
    size_t off = 0;
    for (size_t r = 0; r < rows; r++) {
        h->up_off[r] = (uint32_t)off;
        if (h->levels[r] > 0)
            off += (size_t)h->levels[r] * h->up_stride;
        if (h->levels[r] >= 0 && lh__hnsw_bit(h->deleted, (uint32_t)r))
            h->ndeleted++;
    }
    h->count = (size_t)fh->count;
    h->entry = fh->entry;
    h->max_level = fh->max_level;
    *out = h;
    return LH_OK;
}

lh_status lh_hnsw_load_mem(const void *data, size_t len, const float *base, size_t n,
                           size_t dims, lh_hnsw **out, int64_t *source_version, lh_err *err)
{
    *out = NULL;
    /* the checks read the sections in place: give them an aligned copy when data is not */
    void *copy = NULL;
    if ((uintptr_t)data % 8) {
        if (!(copy = lh_malloc(len ? len : 1)))
            return lh_fail(err, LH_ENOMEM, "out of memory for a graph file of %zu bytes", len);
        memcpy(copy, data, len);
        data = copy;
    }
    sections sec;
    lh_status st = check(data, len, n, dims, "(in memory)", &sec, err);
    if (!st)
        st = adopt(&sec, base, n, NULL, 0, out, err);
    if (!st && source_version)
        *source_version = sec.fh.source_version;
    free(copy);
    return st;
}

lh_status lh_hnsw_load(const char *path, const float *base, size_t n, size_t dims,
                       lh_hnsw **out, int64_t *source_version, lh_err *err)
{
    *out = NULL;
    const char *name = short_name(path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return lh_fail(err, LH_ENOTFOUND, "graph file %s does not exist", name);
        return lh_fail(err, LH_EIO, "cannot open graph file %s: %s", name, strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return lh_fail(err, LH_EIO, "graph file %s is not a regular file", name);
    }
    size_t len = (size_t)sb.st_size;
    if (len < sizeof(file_header)) {
        close(fd);
        return CORRUPT("truncated (%zu bytes, the header alone is %zu)", len,
                       sizeof(file_header));
    }
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return lh_fail(err, LH_EIO, "cannot map graph file %s: %s", name, strerror(errno));
    sections sec;
    lh_status st = check(map, len, n, dims, name, &sec, err);
    if (!st && sec.fh.rows == 0) { /* nothing to map: an empty graph on the heap */
        st = adopt(&sec, base, n, NULL, 0, out, err);
        munmap(map, len);
    } else if (!st) {
        st = adopt(&sec, base, n, map, len, out, err); /* the graph owns map, even on failure */
    } else {
        munmap(map, len);
    }
    if (!st && source_version)
        *source_version = sec.fh.source_version;
    return st;
}
