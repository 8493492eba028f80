/* hnsw_best.c: the best trial by recall or latency, the Pareto front, percentiles (tune.h).
 * Pure functions over JSON trials, so that tests/unit/test_hnsw_tune.c can check them
 * without building a graph. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "vector/tune.h"

bool lh_vec_best_metric_parse(const char *s, lh_vec_best_metric *out)
{
    if (!s)
        return false;
    if (!strcmp(s, "recall"))
        *out = LH_VEC_BEST_RECALL;
    else if (!strcmp(s, "latency"))
        *out = LH_VEC_BEST_LATENCY;
    else if (!strcmp(s, "pareto"))
        *out = LH_VEC_BEST_PARETO;
    else
        return false;
    return true;
}

double lh_vec_percentile(const double *sorted, size_t n, double p)
{
    if (!n)
        return 0;
    /* nearest rank: the smallest value with at least p% of the values at or below it */
    double rank = ceil(p / 100.0 * (double)n);
    size_t i = rank < 1 ? 0 : (size_t)rank - 1;
    return sorted[i < n ? i : n - 1];
}

typedef struct point {
    double recall, p50;
    size_t pos;                /* position in the journal: ties go to the older trial */
    json_t *trial;
} point;

static bool get_point(json_t *t, size_t pos, point *out)
{
    json_t *r = json_object_get(t, "recall"), *l = json_object_get(t, "p50_us");
    if (!json_is_number(r) || !json_is_number(l))
        return false;
    *out = (point){json_number_value(r), json_number_value(l), pos, t};
    return isfinite(out->recall) && isfinite(out->p50);
}

/* a before b: higher recall, then lower p50, then older */
static int by_recall(const void *x, const void *y)
{
    const point *a = x, *b = y;
    if (a->recall != b->recall)
        return a->recall > b->recall ? -1 : 1;
    if (a->p50 != b->p50)
        return a->p50 < b->p50 ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* a before b: lower p50, then higher recall, then older */
static int by_latency(const void *x, const void *y)
{
    const point *a = x, *b = y;
    if (a->p50 != b->p50)
        return a->p50 < b->p50 ? -1 : 1;
    if (a->recall != b->recall)
        return a->recall > b->recall ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

json_t *lh_vec_trials_best(const json_t *trials, lh_vec_best_metric m, double min_recall)
{
    size_t n = json_array_size(trials), np = 0;
    point *pts = lh_calloc(n ? n : 1, sizeof *pts);
    json_t *out = json_object();
    if (!pts || !out) {
        free(pts);
        json_decref(out);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        np += get_point(json_array_get(trials, i), i, &pts[np]);
    const char *name = m == LH_VEC_BEST_RECALL ? "recall" : m == LH_VEC_BEST_LATENCY ? "latency" : "pareto";
    json_object_set_new(out, "metric", json_string(name));
    json_object_set_new(out, "trials", json_integer((json_int_t)np));
    if (m == LH_VEC_BEST_PARETO) {
        /* sorted by recall (desc), then p50 (asc): a point is on the front when its p50 is
         * below that of every point before it (those have at least its recall); an equal
         * (recall, p50) pair dominates nothing, so both stay */
        qsort(pts, np, sizeof *pts, by_recall);
        json_t *front = json_array();
        double best_p50 = INFINITY, last_recall = NAN, last_p50 = NAN;
        for (size_t i = 0; front && i < np; i++) {
            bool tie = pts[i].recall == last_recall && pts[i].p50 == last_p50;
            if (pts[i].p50 < best_p50 || tie) {
                json_array_append(front, pts[i].trial);
                best_p50 = pts[i].p50 < best_p50 ? pts[i].p50 : best_p50;
                last_recall = pts[i].recall;
                last_p50 = pts[i].p50;
            }
        }
        json_object_set_new(out, "front", front ? front : json_null());
    } else {
        const point *best = NULL;
        if (m == LH_VEC_BEST_LATENCY) {
            json_object_set_new(out, "min_recall", json_real(min_recall));
            size_t k = 0;
            for (size_t i = 0; i < np; i++)
                if (pts[i].recall >= min_recall)
                    pts[k++] = pts[i];
            np = k;
        }
        qsort(pts, np, sizeof *pts, m == LH_VEC_BEST_RECALL ? by_recall : by_latency);
        best = np ? &pts[0] : NULL;
        json_object_set_new(out, "best", best ? json_incref(best->trial) : json_null());
    }
    free(pts);
    return out;
}
