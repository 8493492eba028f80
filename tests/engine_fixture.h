/* engine_fixture.h: a unit test's own engine over a fresh, empty data root (header-only;
 * include after cmocka.h and testutil.h). */
#ifndef LH_TESTS_ENGINE_FIXTURE_H
#define LH_TESTS_ENGINE_FIXTURE_H

#include "engine/engine.h"
#include "testutil.h"

typedef struct fixture {
    char root[256];
    lh_engine *e;
} fixture;

/* The engine open over a new temp directory, or NULL (the reason on stderr). */
static inline fixture *fixture_open(int threads)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    lh_test_tmpdir(f->root, sizeof f->root);
    lh_engine_config cfg = {.data_root = f->root, .threads = threads};
    lh_err err = {{0}};
    if (lh_engine_open(&cfg, &f->e, &err)) {
        fprintf(stderr, "open: %s\n", err.msg);
        lh_test_rmtree(f->root);
        free(f);
        return NULL;
    }
    return f;
}

/* A cmocka teardown for a fixture in *state. */
static inline int teardown(void **state)
{
    fixture *f = *state;
    lh_engine_free(f->e);
    lh_test_rmtree(f->root);
    free(f);
    return 0;
}

#endif
