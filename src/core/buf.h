/* buf.h: lh_buf, the one bounded string builder (STYLE.md habit 6).
 *
 * A buffer grows on demand up to its max (set at init) and fails past it with
 * LH_ETOOBIG (or LH_ENOMEM). Errors are sticky, as in curl's dynbuf: the first failure
 * frees the content and is latched; every later add is a no-op returning it, lh_buf_cstr
 * gives "" and lh_buf_detach gives NULL. So a builder may ignore the status of each add
 * and check lh_buf_status (or the detached pointer) once at the end: a failed append can
 * never be followed by a successful one into a half-built string (an unterminated SQL
 * literal, a truncated statement). lh_buf_reset and lh_buf_release clear the error.
 *
 * The struct is embedded by the caller: lh_buf_init/lh_buf_release; lh_buf_detach hands
 * the heap string to the caller (free() it) and leaves the buffer empty. Not thread-safe. */
#ifndef LH_CORE_BUF_H
#define LH_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/status.h"

#define LH_BUF_DEFAULT_MAX ((size_t)64 << 20)

typedef struct lh_buf {
    char *data;  /* NULL until the first add; "" semantics via lh_buf_cstr */
    size_t len;
    size_t cap;
    size_t max;  /* hard upper bound on len */
    lh_status err; /* the first failure, latched until reset/release */
} lh_buf;

void lh_buf_init(lh_buf *b, size_t max);
void lh_buf_release(lh_buf *b);
void lh_buf_reset(lh_buf *b);                 /* len = 0, keeps memory, clears the error */
char *lh_buf_detach(lh_buf *b);               /* caller frees; NULL after any failure */
const char *lh_buf_cstr(const lh_buf *b);     /* "" when empty or failed; valid until next add */
lh_status lh_buf_status(const lh_buf *b);     /* the first failure since init/reset, or LH_OK */
/* Latches st (unless a failure is latched already) for a part the builder could not
 * produce; returns the latched status. */
lh_status lh_buf_fail(lh_buf *b, lh_status st);

lh_status lh_buf_add(lh_buf *b, const void *data, size_t n);
lh_status lh_buf_adds(lh_buf *b, const char *s);
lh_status lh_buf_addc(lh_buf *b, char c);
lh_status lh_buf_printf(lh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
lh_status lh_buf_vprintf(lh_buf *b, const char *fmt, va_list ap);

/* Appends s as a SQL string literal: '...' with quotes doubled. s NULL fails the buffer
 * (LH_EINVAL), as does the identifier form below. */
lh_status lh_buf_add_sql_string(lh_buf *b, const char *s);
/* Appends s as a SQL identifier: "..." with double quotes doubled. */
lh_status lh_buf_add_sql_ident(lh_buf *b, const char *s);

/* Bounded copy that always terminates; returns LH_ETOOBIG when src did not fit. */
lh_status lh_strlcpy(char *dst, const char *src, size_t size);

#endif
