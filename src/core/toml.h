/* toml.h: our own TOML 1.0 reader, producing a jansson tree.
 *
 * Why our own: the config file is the one TOML input we have, and a small strict reader
 * with exact error positions is easier to audit and fuzz than a third-party dependency.
 *
 * Mapping to JSON (the tree is plain jansson, so callers need no TOML types):
 *   table / inline table / array-of-tables element -> object (keys in document order)
 *   array                                          -> array
 *   string                                         -> string (CRLF in multi-line strings
 *                                                     is normalised to LF)
 *   integer                                        -> integer (int64)
 *   float                                          -> real; inf and nan have no JSON
 *                                                     form, so they become the strings
 *                                                     "inf", "-inf" and "nan"
 *   boolean                                        -> true / false
 *   offset date-time, local date-time, local date,
 *   local time                                     -> string, exactly as written, after
 *                                                     its shape and ranges were checked
 *
 * Errors: the first error stops the parse. Syntax and semantic errors (duplicate keys,
 * redefined tables, appending to a static array, bad escapes, control characters,
 * leading zeros, ...) return LH_EINVAL with err->msg shaped
 *     "FILE:LINE:COLUMN: <what was expected or what is wrong>"
 * with 1-based LINE and COLUMN (COLUMN counts characters, not bytes). Input that is not
 * valid UTF-8 is LH_EINVAL too, positioned at the first bad byte. Input over
 * LH_TOML_MAX_INPUT bytes is refused up front with LH_ETOOBIG ("FILE: input is larger
 * than 16 MiB"). Allocation failure is LH_ENOMEM.
 *
 * Thread-safe: no shared state. */
#ifndef LH_CORE_TOML_H
#define LH_CORE_TOML_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

#define LH_TOML_MAX_INPUT ((size_t)16 << 20)

/* Parses len bytes of text (need not be NUL-terminated; a leading UTF-8 BOM is skipped).
 * filename is only used in error messages (NULL reads as "<input>"). On LH_OK, *out is a
 * new object the caller owns (json_decref it); on failure *out is set to NULL and nothing
 * is leaked. */
lh_status lh_toml_parse(const char *text, size_t len, const char *filename, json_t **out,
                        lh_err *err);

#endif
