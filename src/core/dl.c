/* dl.c: loading an optional library on first use (see dl.h). */
#include "core/dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#ifdef LH_FAULTS
/* LH_DL_HIDE lists sonames to treat as absent: the loader asks dlopen for a name no
 * system has, so the failure path is dlopen's own. */
static bool hidden(const char *soname)
{
    const char *list = getenv("LH_DL_HIDE");
    size_t n = strlen(soname);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, soname, n))
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}
#endif

static void *open_one(const char *soname)
{
#ifdef LH_FAULTS
    if (hidden(soname)) {
        char name[256];
        snprintf(name, sizeof name, "%s.hidden-by-LH_DL_HIDE", soname);
        return dlopen(name, RTLD_NOW | RTLD_LOCAL);
    }
#endif
    return dlopen(soname, RTLD_NOW | RTLD_LOCAL);
}

void lh_dl_open(lh_dl_lib *lib)
{
    void *handles[4] = {0};
    size_t n = 0;
    for (; n < 4 && lib->sonames[n]; n++) {
        if (!(handles[n] = open_one(lib->sonames[n]))) {
            const char *why = dlerror();
            lh_log(LH_LOG_DEBUG, "dlopen %s: %s", lib->sonames[n], why ? why : "failed");
            snprintf(lib->why, sizeof lib->why, "%s needs the Debian package %s (%s could not be "
                     "loaded): install it with apt-get install %s", lib->feature, lib->package,
                     lib->sonames[n], lib->package);
            return;
        }
    }
    for (size_t i = 0; i < lib->nsyms; i++) {
        void *sym = NULL;
        for (size_t h = 0; h < n && !sym; h++)
            sym = dlsym(handles[h], lib->syms[i].name);
        if (!sym) {
            snprintf(lib->why, sizeof lib->why, "%s needs a newer %s: %s has no function %s; "
                     "upgrade it with apt-get install %s", lib->feature, lib->package,
                     lib->sonames[n - 1], lib->syms[i].name, lib->package);
            return;
        }
        memcpy(lib->syms[i].slot, &sym, sizeof sym);
    }
    lib->loaded = true;
}

lh_status lh_dl_status(const lh_dl_lib *lib, lh_err *err)
{
    return lib->loaded ? LH_OK : lh_fail(err, LH_EUNSUPPORTED, "%s", lib->why);
}

void lh_dl_require(const lh_dl_lib *lib)
{
    if (lib->loaded)
        return;
    fprintf(stderr, "lakehouse: %s\n", lib->why);
    abort();
}
