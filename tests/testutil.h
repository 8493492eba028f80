/* testutil.h: helpers shared by the unit tests (header-only). */
#ifndef LH_TESTS_TESTUTIL_H
#define LH_TESTS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Creates a fresh empty directory under $TMPDIR and writes its path into out. */
static inline void lh_test_tmpdir(char *out, size_t n)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, n, "%s/lhtest-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(out))
        abort();
}

/* rm -rf path (test scratch only). */
static inline void lh_test_rmtree(const char *path)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", path);
}

#endif
