/* rows.c: the NDJSON file a converter writes for DuckDB to read with exact column types. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "ingest/ingest_int.h"

lh_status lh__rows_open(lh__rows *w, const char *path, lh_err *err)
{
    w->file = NULL;
    w->count = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "create %s: %s", path, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return lh_fail(err, LH_EIO, "open %s: %s", path, strerror(errno));
    }
    w->file = f;
    return LH_OK;
}

lh_status lh__rows_put(lh__rows *w, json_t *row, lh_err *err)
{
    if (!row)
        return lh_fail(err, LH_EINVAL, "a value is not valid UTF-8 text");
    FILE *f = w->file;
    char *text = lh_json_dumps(row, JSON_COMPACT);
    json_decref(row);
    if (!text)
        return lh_fail(err, LH_ENOMEM, "out of memory converting a row");
    int rc = fputs(text, f);
    free(text);
    if (rc == EOF || fputc('\n', f) == EOF)
        return lh_fail(err, LH_EIO, "write converted rows: %s", strerror(errno));
    w->count++;
    return LH_OK;
}

lh_status lh__rows_close(lh__rows *w, lh_err *err)
{
    if (!w->file)
        return LH_OK;
    int rc = fclose(w->file);
    w->file = NULL;
    return rc ? lh_fail(err, LH_EIO, "write converted rows: %s", strerror(errno)) : LH_OK;
}

void lh__rows_column(json_t *columns, const char *name, const char *duckdb_type)
{
    json_array_append_new(columns, json_pack("{s:s, s:s}", "name", name, "type", duckdb_type));
}
