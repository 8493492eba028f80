#include "core/alloc.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef LH_FAULTS
static atomic_long alloc_calls;
static long fail_at = -1; /* -1: not read yet; 0: off */

/* True for exactly the LH_FAIL_ALLOC_AT-th call. getenv once: it does not allocate. */
static int injected_failure(void)
{
    if (fail_at < 0) {
        const char *v = getenv("LH_FAIL_ALLOC_AT");
        long n = v ? strtol(v, NULL, 10) : 0;
        fail_at = n > 0 ? n : 0;
    }
    if (!fail_at)
        return 0;
    long call = atomic_fetch_add(&alloc_calls, 1) + 1;
    if (call != fail_at)
        return 0;
    fprintf(stderr, "lakehouse: injected allocation failure at call %ld\n", call);
    return 1;
}
#else
static int injected_failure(void) { return 0; }
#endif

void *lh_malloc(size_t n) { return injected_failure() ? NULL : malloc(n); }
void *lh_calloc(size_t n, size_t size) { return injected_failure() ? NULL : calloc(n, size); }
void *lh_realloc(void *p, size_t n) { return injected_failure() ? NULL : realloc(p, n); }

char *lh_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = lh_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

char *lh_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = lh_malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

lh_status lh_grow(void *items, size_t *cap, size_t need, size_t item_size)
{
    if (need <= *cap)
        return LH_OK;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return LH_ETOOBIG;
        n *= 2;
    }
    if (item_size && n > SIZE_MAX / item_size)
        return LH_ETOOBIG;
    void **slot = items;
    void *p = lh_realloc(*slot, n * item_size);
    if (!p)
        return LH_ENOMEM;
    *slot = p;
    *cap = n;
    return LH_OK;
}

/* jansson's failed allocations on this thread, for lh_json_dumps. */
static _Thread_local unsigned long json_failed;
/* True inside lh_json_loadb on this thread. */
static _Thread_local bool json_parsing;

/* jansson 2.14's parser cannot survive a failed allocation: it drops the byte it could
 * not store (a Delta path came back as "...snappy.paquet") and can free a pointer it
 * never set (the torture loop saw
 * "munmap_chunk(): invalid pointer" inside json_loadb). So a failed allocation while
 * parsing ends the process with a message, as git's and Redis's allocators do; every
 * write is crash-safe (the crash tests and the torture loop's data checks), so nothing
 * committed is lost. Everywhere else a NULL goes back to jansson, whose builders and
 * dumper report it (dumps through lh_json_dumps). */
static void *json_malloc(size_t n)
{
    void *p = lh_malloc(n);
    if (!p && json_parsing) {
        static const char msg[] = "lakehouse: out of memory while reading JSON; stopping\n";
        if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
        _exit(lh_status_exit(LH_ENOMEM));
    }
    if (!p)
        json_failed++;
    return p;
}

json_t *lh_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *je)
{
    json_parsing = true;
    json_t *j = json_loadb(buf, len, flags, je);
    json_parsing = false;
    return j;
}

void lh_alloc_install_json(void) { json_set_alloc_funcs(json_malloc, free); }

char *lh_json_dumps(const json_t *json, size_t flags)
{
    unsigned long before = json_failed;
    char *text = json_dumps(json, flags);
    if (json_failed != before) {
        free(text);
        return NULL;
    }
    return text;
}
