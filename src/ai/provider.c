/* provider.c: the provider-neutral calls of ai.h, which check arguments once for every
 * provider. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai.h"
#include "core/alloc.h"

struct lh_ai {
    const lh_ai_ops *ops;
    void *self;
    pthread_mutex_t mu; /* guards dims while a provider learns it */
    size_t dims;
};

lh_status lh_ai_new(const lh_ai_ops *ops, void *self, size_t dims, lh_ai **out, lh_err *err)
{
    *out = lh_calloc(1, sizeof **out);
    if (!*out) {
        ops->free(self);
        return lh_fail(err, LH_ENOMEM, "out of memory for the %s provider", ops->name);
    }
    (*out)->ops = ops;
    (*out)->self = self;
    (*out)->dims = dims;
    pthread_mutex_init(&(*out)->mu, NULL);
    return LH_OK;
}

void lh_ai_free(lh_ai *ai)
{
    if (!ai)
        return;
    ai->ops->free(ai->self);
    pthread_mutex_destroy(&ai->mu);
    free(ai);
}

void lh_ai_interrupt(lh_ai *ai)
{
    if (ai && ai->ops->interrupt)
        ai->ops->interrupt(ai->self);
}

const char *lh_ai_name(const lh_ai *ai)
{
    return ai->ops->name;
}

size_t lh_ai_dims(const lh_ai *ai)
{
    pthread_mutex_lock((pthread_mutex_t *)&ai->mu);
    size_t d = ai->dims;
    pthread_mutex_unlock((pthread_mutex_t *)&ai->mu);
    return d;
}

lh_status lh_ai_dims_resolve(lh_ai *ai, size_t *dims, lh_err *err)
{
    lh_status st = LH_OK;
    pthread_mutex_lock(&ai->mu);
    if (!ai->dims && ai->ops->learn_dims)
        st = ai->ops->learn_dims(ai->self, &ai->dims, err);
    else if (!ai->dims)
        st = lh_fail(err, LH_EINTERNAL, "the %s provider has no embedding width", ai->ops->name);
    *dims = ai->dims;
    pthread_mutex_unlock(&ai->mu);
    return st;
}

/* lens, or the strlen of each text when lens is NULL (into *owned, freed by the caller). */
static const size_t *lengths(const char *const *texts, const size_t *lens, size_t n,
                             size_t **owned)
{
    *owned = NULL;
    if (lens)
        return lens;
    *owned = lh_malloc((n ? n : 1) * sizeof **owned);
    if (!*owned)
        return NULL;
    for (size_t i = 0; i < n; i++)
        (*owned)[i] = strlen(texts[i]);
    return *owned;
}

lh_status lh_ai_embed(lh_ai *ai, const char *const *texts, const size_t *lens, size_t n,
                      float *out, lh_err *err)
{
    size_t dims;
    lh_status st = lh_ai_dims_resolve(ai, &dims, err);
    if (st)
        return st;
    size_t *owned;
    const size_t *l = lengths(texts, lens, n, &owned);
    if (!l)
        return lh_fail(err, LH_ENOMEM, "out of memory embedding %zu texts", n);
    st = ai->ops->embed(ai->self, texts, l, n, out, err);
    free(owned);
    return st;
}

lh_status lh_ai_generate(lh_ai *ai, const char *prompt, char **out, lh_err *err)
{
    *out = NULL;
    return ai->ops->generate(ai->self, prompt, out, err);
}

lh_status lh_ai_rerank(lh_ai *ai, const char *query, const char *const *texts, const size_t *lens,
                       size_t n, float *scores, lh_err *err)
{
    size_t *owned;
    const size_t *l = lengths(texts, lens, n, &owned);
    if (!l)
        return lh_fail(err, LH_ENOMEM, "out of memory reranking %zu texts", n);
    lh_status st = ai->ops->rerank(ai->self, query, texts, l, n, scores, err);
    free(owned);
    return st;
}
