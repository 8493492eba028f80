/* status.h: the one status type and the error out-parameter (STYLE.md habit 3).
 *
 * Every fallible function returns lh_status: LH_OK (0) on success, a named negative code
 * otherwise, and writes a one-line human message into the caller's lh_err. Codes are
 * append-only; each is documented once here. lh_status_http() and lh_status_exit() are
 * the one mapping to HTTP statuses and CLI exit codes. */
#ifndef LH_CORE_STATUS_H
#define LH_CORE_STATUS_H

#include <stddef.h>

typedef enum lh_status {
    LH_OK          = 0,
    LH_EINVAL      = -1,  /* bad input from the caller: malformed file, bad name, bad SQL */
    LH_ENOTFOUND   = -2,  /* the named dataset, object or version does not exist */
    LH_EEXIST      = -3,  /* put-if-absent lost: the key already exists */
    LH_EIO         = -4,  /* the operating system refused a read or write */
    LH_ENOMEM      = -5,  /* allocation failed */
    LH_ECONFLICT   = -6,  /* a concurrent writer won; retry may succeed */
    LH_EUNSUPPORTED= -7,  /* valid input using a feature we do not implement */
    LH_EDENIED     = -8,  /* forbidden: SQL that writes, reads files, changes settings */
    LH_ELOCKED     = -9,  /* another process holds the data directory's writer lock */
    LH_EINTERNAL   = -10, /* a bug or an engine failure we cannot attribute to input */
    LH_ETOOBIG     = -11, /* input over a configured limit */
    LH_ECORRUPT    = -12, /* stored data is damaged (bad log, unreadable Parquet) */
    LH_ESCHEMA     = -13, /* an append whose schema differs from the dataset's */
    LH_ETIMEOUT    = -14, /* the work ran past its deadline and was cancelled */
} lh_status;

/* The caller-supplied error buffer. Functions write msg only when they fail. */
typedef struct lh_err {
    char msg[1024];
} lh_err;

/* Formats a message into err (may be NULL) and returns st, so that a failure path reads
 * `return lh_fail(err, LH_EINVAL, "bad name '%s'", name);`. */
lh_status lh_fail(lh_err *err, lh_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in err with more context ("ingest x.csv: ..."). */
lh_status lh_fail_wrap(lh_err *err, lh_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Stable machine-readable name ("invalid_input", "not_found", ...). Never NULL. */
const char *lh_status_name(lh_status st);

/* The status whose lh_status_name is name, or LH_EINTERNAL when none is. */
lh_status lh_status_from_name(const char *name);

/* HTTP status code for st (200 for LH_OK). */
int lh_status_http(lh_status st);

/* CLI exit code for st (0 for LH_OK, 1 for input errors, 2.. for others). */
int lh_status_exit(lh_status st);

/* Aborts with file:line for states that cannot happen (habit 7); never for real errors. */
#define lh_assert(cond) \
    ((cond) ? (void)0 : lh__assert_fail(#cond, __FILE__, __LINE__))
void lh__assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#endif
