/* secrets.c: reading the secrets file (secrets.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/fsio.h"
#include "core/secrets.h"
#include "core/toml.h"

lh_status lh_secrets_read(const char *path, json_t **doc, lh_err *err)
{
    *doc = NULL;
    struct stat sb;
    if (stat(path, &sb))
        return lh_fail(err, LH_ENOTFOUND, "secrets file %s: %s", path, strerror(errno));
    if (sb.st_mode & 077)
        return lh_fail(err, LH_EDENIED, "secrets file %s is mode %03o; it must be 0600 (chmod 600 %s)",
                       path, (unsigned)(sb.st_mode & 0777), path);
    lh_buf text;
    lh_buf_init(&text, (size_t)4 << 20);
    lh_status st = lh_file_read_all(path, (size_t)4 << 20, &text, err);
    if (!st)
        st = lh_toml_parse(lh_buf_cstr(&text), text.len, path, doc, err);
    if (text.data) /* clearing the secret: a write, not a use of the built text */
        explicit_bzero(text.data, text.len);
    lh_buf_release(&text);
    return st;
}
