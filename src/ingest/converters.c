/* converters.c: the table of formats that need converting before DuckDB can read them.
 * Each converter lives in its own file (text.c, sms.c, pdf.c). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest_int.h"

static const struct {
    const char *format;
    lh__converter_fn fn;
} converters[] = {
    {"csv", NULL},
    {"json", NULL},
    {"ndjson", NULL},
    {"text", lh__convert_text},
    {"lines", lh__convert_lines},
    {"sms", lh__convert_sms},
    {"pdf", lh__convert_pdf},
};

lh__converter_fn lh__ingest_converter(const char *format)
{
    for (size_t i = 0; i < sizeof converters / sizeof converters[0]; i++)
        if (!strcmp(converters[i].format, format))
            return converters[i].fn;
    return NULL;
}

lh_status lh__ingest_map(const char *path, void **map, size_t *len, lh_err *err)
{
    *map = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb)) {
        close(fd);
        return lh_fail(err, LH_EIO, "stat %s: %s", path, strerror(errno));
    }
    size_t n = (size_t)sb.st_size;
    void *m = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (m == MAP_FAILED)
        return lh_fail(err, LH_EIO, "map %s: %s", path, strerror(errno));
    *map = m;
    *len = n;
    return LH_OK;
}
