/* json_depth.c: refuses JSON nested deeper than DuckDB's reader can take.
 *
 * DuckDB's JSON reader infers structure recursively, one stack frame per level: a file
 * of 100,000 nested '[' overflows the stack and kills the process (issue 10, item 2).
 * One streaming pass over the staged file counts nesting outside strings before DuckDB
 * sees it. The pass reads what the ingest reads next anyway, from the page cache. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest_int.h"

lh_status lh__json_depth_check(const char *path, int max_depth, lh_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "cannot read the staged file: %s", strerror(errno));
    char buf[65536];
    int depth = 0;
    bool in_string = false, escaped = false;
    uint64_t offset = 0;
    lh_status st = LH_OK;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = lh_fail(err, LH_EIO, "cannot read the staged file: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (in_string) {
                if (escaped)
                    escaped = false;
                else if (c == '\\')
                    escaped = true;
                else if (c == '"')
                    in_string = false;
            } else if (c == '"') {
                in_string = true;
            } else if (c == '[' || c == '{') {
                if (++depth > max_depth) {
                    st = lh_fail(err, LH_EINVAL, "JSON nests deeper than %d levels (at byte %llu); "
                                 "such a file cannot be read safely: flatten it first",
                                 max_depth, (unsigned long long)(offset + (uint64_t)i));
                    break;
                }
            } else if ((c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        }
        if (st)
            break;
        offset += (uint64_t)n;
    }
    close(fd);
    return st;
}
