/* pg_dl.c: libpq, loaded on first use (core/dl.h): the functions postgres.c calls,
 * forwarded to libpq.so.5 (Debian 12: libpq5) once lh__pg_load opened it. A function
 * postgres.c starts calling must be added here (the link fails until it is). */
#include <libpq-fe.h>
#include <pthread.h>

#include "core/dl.h"
#include "ingest/ingest_int.h"

#define PG_FUNCS(F, V)                                                                           \
    F(PGconn *, PQconnectdbParams, (const char *const *a, const char *const *b, int c),          \
      (a, b, c))                                                                                 \
    F(PQconninfoOption *, PQconninfoParse, (const char *a, char **b), (a, b))                    \
    F(ConnStatusType, PQstatus, (const PGconn *a), (a))                                          \
    F(const char *, PQparameterStatus, (const PGconn *a, const char *b), (a, b))                 \
    F(char *, PQerrorMessage, (const PGconn *a), (a))                                            \
    F(PGresult *, PQexec, (PGconn *a, const char *b), (a, b))                                    \
    F(PGresult *, PQexecParams, (PGconn *a, const char *b, int c, const Oid *d,                  \
                                 const char *const *e, const int *f, const int *g, int h),       \
      (a, b, c, d, e, f, g, h))                                                                  \
    F(PGresult *, PQprepare, (PGconn *a, const char *b, const char *c, int d, const Oid *e),     \
      (a, b, c, d, e))                                                                           \
    F(PGresult *, PQdescribePrepared, (PGconn *a, const char *b), (a, b))                        \
    F(PGresult *, PQgetResult, (PGconn *a), (a))                                                 \
    F(int, PQgetCopyData, (PGconn *a, char **b, int c), (a, b, c))                               \
    F(ExecStatusType, PQresultStatus, (const PGresult *a), (a))                                  \
    F(char *, PQresultErrorMessage, (const PGresult *a), (a))                                    \
    F(char *, PQresultErrorField, (const PGresult *a, int b), (a, b))                            \
    F(int, PQntuples, (const PGresult *a), (a))                                                  \
    F(int, PQnfields, (const PGresult *a), (a))                                                  \
    F(char *, PQfname, (const PGresult *a, int b), (a, b))                                       \
    F(Oid, PQftype, (const PGresult *a, int b), (a, b))                                          \
    F(int, PQfmod, (const PGresult *a, int b), (a, b))                                           \
    F(char *, PQgetvalue, (const PGresult *a, int b, int c), (a, b, c))                          \
    F(char *, PQescapeIdentifier, (PGconn *a, const char *b, size_t c), (a, b, c))

/* Releasing nothing is a no-op in libpq; these forwarders keep it one without loading
 * libpq, so that postgres.c's cleanup after an early failure (libpq missing included)
 * needs no library. */
#define PG_RELEASERS(X)                                                                          \
    X(PQfinish, PGconn)                                                                          \
    X(PQconninfoFree, PQconninfoOption)                                                          \
    X(PQclear, PGresult)                                                                         \
    X(PQfreemem, void)
#define RELEASER_PTR(name, type) static void (*lh_dl_p_##name)(type *);
#define RELEASER_ENTRY(name, type) {#name, &lh_dl_p_##name},
#define RELEASER_DEF(name, type)                                                                 \
    void(name)(type * a)                                                                         \
    {                                                                                            \
        if (!a)                                                                                  \
            return;                                                                              \
        need();                                                                                  \
        lh_dl_p_##name(a);                                                                       \
    }

PG_FUNCS(LH_DL_PTR, LH_DL_PTRV)
PG_RELEASERS(RELEASER_PTR)

static const lh_dl_sym syms[] = {PG_FUNCS(LH_DL_ENTRY, LH_DL_ENTRYV) PG_RELEASERS(RELEASER_ENTRY)};

static lh_dl_lib lib = {
    .feature = "PostgreSQL ingest",
    .package = "libpq5",
    .sonames = {"libpq.so.5", NULL},
    .syms = syms,
    .nsyms = sizeof syms / sizeof syms[0],
};
LH_DL_LOADER(lib, lh__pg_load)

PG_FUNCS(LH_DL_DEF, LH_DL_DEFV)
PG_RELEASERS(RELEASER_DEF)
