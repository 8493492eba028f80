/* curl_dl.c: libcurl, loaded on first use (core/dl.h): the functions client.c calls,
 * forwarded to libcurl.so.4 (Debian 12: libcurl4) once lh__curl_load opened it. Only a
 * CLI command that talks to a running server needs it. A function client.c starts calling
 * must be added here (the link fails until it is). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>

#include "core/dl.h"
#include "net/net_int.h"

#define CURL_FUNCS(F, V)                                                                         \
    F(CURLcode, curl_global_init, (long a), (a))                                                 \
    F(CURL *, curl_easy_init, (void), ())                                                        \
    V(curl_easy_cleanup, (CURL * a), (a))                                                        \
    F(CURLcode, curl_easy_perform, (CURL * a), (a))                                              \
    F(const char *, curl_easy_strerror, (CURLcode a), (a))                                       \
    F(struct curl_slist *, curl_slist_append, (struct curl_slist * a, const char *b), (a, b))    \
    V(curl_slist_free_all, (struct curl_slist * a), (a))                                         \
    F(curl_mime *, curl_mime_init, (CURL * a), (a))                                              \
    V(curl_mime_free, (curl_mime * a), (a))                                                      \
    F(curl_mimepart *, curl_mime_addpart, (curl_mime * a), (a))                                  \
    F(CURLcode, curl_mime_name, (curl_mimepart * a, const char *b), (a, b))                      \
    F(CURLcode, curl_mime_data, (curl_mimepart * a, const char *b, size_t c), (a, b, c))         \
    F(CURLcode, curl_mime_filedata, (curl_mimepart * a, const char *b), (a, b))

CURL_FUNCS(LH_DL_PTR, LH_DL_PTRV)

static CURLcode (*setopt)(CURL *, CURLoption, ...);
static CURLcode (*getinfo)(CURL *, CURLINFO, ...);

static const lh_dl_sym syms[] = {CURL_FUNCS(LH_DL_ENTRY, LH_DL_ENTRYV){"curl_easy_setopt", &setopt},
                                 {"curl_easy_getinfo", &getinfo}};

static lh_dl_lib lib = {
    .feature = "Talking to a running server",
    .package = "libcurl4",
    .sonames = {"libcurl.so.4", NULL},
    .syms = syms,
    .nsyms = sizeof syms / sizeof syms[0],
};
LH_DL_LOADER(lib, lh__curl_load)

CURL_FUNCS(LH_DL_DEF, LH_DL_DEFV)

/* Variadic with one argument whose type the option's number range says (curl.h's
 * CURLOPTTYPE_*): read as that type, passed on as that type. */
CURLcode(curl_easy_setopt)(CURL *c, CURLoption opt, ...)
{
    need();
    va_list ap;
    va_start(ap, opt);
    CURLcode rc;
    if (opt < CURLOPTTYPE_OBJECTPOINT)
        rc = setopt(c, opt, va_arg(ap, long));
    else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
        rc = setopt(c, opt, va_arg(ap, void *));
    else if (opt < CURLOPTTYPE_OFF_T)
        rc = setopt(c, opt, va_arg(ap, void (*)(void)));
    else if (opt < CURLOPTTYPE_BLOB)
        rc = setopt(c, opt, va_arg(ap, curl_off_t));
    else
        rc = setopt(c, opt, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

/* Every CURLINFO_* takes a pointer to where the answer goes. */
CURLcode(curl_easy_getinfo)(CURL *c, CURLINFO info, ...)
{
    need();
    va_list ap;
    va_start(ap, info);
    CURLcode rc = getinfo(c, info, va_arg(ap, void *));
    va_end(ap);
    return rc;
}
