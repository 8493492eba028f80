/* dl.h: optional shared libraries loaded on first use. The PDF stack (poppler/GLib),
 * libpq, libxml2, libmicrohttpd and libcurl are not linked: a command that never reads a
 * PDF, a PostgreSQL table or an SMS export, never serves and never talks to a server
 * (`sql`, `datasets`, `--version`) does not pay for loading them, nor for the dozens of
 * libraries they pull in. Each is wrapped by one loader file in the module that uses it
 * (ingest/pdf_dl.c, ingest/pg_dl.c, ingest/xml_dl.c, http/mhd_dl.c, net/curl_dl.c) that
 * defines the library's functions the project calls and forwards them to the real ones.
 *
 * The module checks availability once, before it changes anything
 * (lh__pdf_load(err) and friends), so a missing library is a clear error naming the
 * Debian package (LH_EUNSUPPORTED). A forwarding function reached without that check on
 * a machine without the library is a bug: it stops the process with the same message.
 *
 * Test build only (LH_FAULTS): LH_DL_HIDE=<soname>[,<soname>...] makes the loader open a
 * name that does not exist instead of that soname, so tests see the real dlopen failure. */
#ifndef LH_CORE_DL_H
#define LH_CORE_DL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

/* One function to resolve: its name and the address of the pointer that receives it
 * (a function pointer variable, written through memcpy as POSIX allows). */
typedef struct lh_dl_sym {
    const char *name;
    void *slot;
} lh_dl_sym;

typedef struct lh_dl_lib {
    const char *feature;      /* "PDF support" */
    const char *package;      /* the Debian package that ships sonames[last] */
    const char *sonames[4];   /* opened in this order (NULL-terminated); each symbol is
                               * looked up in them in this order */
    const lh_dl_sym *syms;
    size_t nsyms;
    /* set by lh_dl_open */
    bool loaded;
    char why[512];            /* the user's message when !loaded */
} lh_dl_lib;

/* Opens the sonames and resolves every symbol; call it once, under the loader's
 * pthread_once (it is not thread-safe by itself). Never fails: the outcome is in
 * lib->loaded and lib->why. Handles are never closed. */
void lh_dl_open(lh_dl_lib *lib);

/* LH_OK when lib is loaded, else LH_EUNSUPPORTED with lib->why in err. */
lh_status lh_dl_status(const lh_dl_lib *lib, lh_err *err);

/* For the forwarding functions: returns when lib is loaded, else prints lib->why and
 * aborts (a caller skipped its module's availability check). */
void lh_dl_require(const lh_dl_lib *lib);

/* The loader files list their functions once, as
 *   #define FUNCS(F, V) F(ret, name, (params), (args)) V(name, (params), (args)) ...
 * (V for functions returning void), then expand FUNCS(LH_DL_PTR, LH_DL_PTRV) for the
 * pointers, FUNCS(LH_DL_ENTRY, LH_DL_ENTRYV) inside the lh_dl_sym table, and, after
 * LH_DL_LOADER (which defines need(): load or stop), FUNCS(LH_DL_DEF, LH_DL_DEFV) for the
 * forwarding definitions. The library's own header is included, so the compiler checks
 * every definition against its declaration; names are parenthesised so that a header's
 * function-like macro of the same name does not expand. */

/* The part every loader file shares, after its `static lh_dl_lib LIB = {...}`: the
 * pthread_once that loads LIB, `static void need(void)` for the forwarders (loads, or stops
 * the process with LIB's message), and `lh_status LOAD_FN(lh_err *err)`, the module's
 * availability check (declared in the module's header). */
#define LH_DL_LOADER(LIB, LOAD_FN)                                                    \
    static pthread_once_t lh_dl_once = PTHREAD_ONCE_INIT;                             \
    static void lh_dl_load(void) { lh_dl_open(&(LIB)); }                              \
    static void need(void)                                                            \
    {                                                                                 \
        pthread_once(&lh_dl_once, lh_dl_load);                                        \
        lh_dl_require(&(LIB));                                                        \
    }                                                                                 \
    lh_status LOAD_FN(lh_err *err)                                                    \
    {                                                                                 \
        pthread_once(&lh_dl_once, lh_dl_load);                                        \
        return lh_dl_status(&(LIB), err);                                             \
    }

#define LH_DL_PTR(ret, name, params, args) static ret(*lh_dl_p_##name) params;
#define LH_DL_PTRV(name, params, args) static void(*lh_dl_p_##name) params;
#define LH_DL_ENTRY(ret, name, params, args) {#name, &lh_dl_p_##name},
#define LH_DL_ENTRYV(name, params, args) {#name, &lh_dl_p_##name},
#define LH_DL_DEF(ret, name, params, args) \
    ret(name) params                     \
    {                                    \
        need();                          \
        return lh_dl_p_##name args;      \
    }
#define LH_DL_DEFV(name, params, args) \
    void(name) params                  \
    {                                  \
        need();                        \
        lh_dl_p_##name args;           \
    }

#endif
