/* demo_int.h: shared by the demo generator's files (rng, word lists, the world model,
 * the CSV writer). Nothing here is used outside src/demo. */
#ifndef LH_DEMO_DEMO_INT_H
#define LH_DEMO_DEMO_INT_H

#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "demo/demo.h"

/* Random-stream topics: world.c uses 1-15, text.c 20-29, tables.c 30-49. */

/* ---- deterministic randomness: splitmix64, one independent stream per (topic, row) ---- */

typedef struct lh__rng {
    uint64_t s;
} lh__rng;

static inline uint64_t lh__rng_next(lh__rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The stream for row `row` of topic `topic` (a small constant per table or attribute):
 * any attribute can be recomputed from its row number alone, in any order. */
static inline lh__rng lh__rng_for(uint32_t topic, uint64_t row)
{
    lh__rng r = {0x6c616b65686f7573ULL ^ ((uint64_t)topic << 48) ^ row};
    lh__rng_next(&r);
    r.s ^= (uint64_t)topic * 0xd1b54a32d192ed03ULL;
    return r;
}

/* Uniform in [0, 1) from 53 bits. */
static inline double lh__rng_unit(lh__rng *r) { return (double)(lh__rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform in [0, n) (n > 0; the modulo bias is below 2^-32 for our n). */
static inline uint64_t lh__rng_below(lh__rng *r, uint64_t n) { return lh__rng_next(r) % n; }

/* Uniform in [lo, hi]. */
static inline int64_t lh__rng_range(lh__rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)lh__rng_below(r, (uint64_t)(hi - lo + 1));
}

/* True with probability p. */
static inline int lh__rng_chance(lh__rng *r, double p) { return lh__rng_unit(r) < p; }

/* Roughly normal, mean 0, sd 1 (Irwin-Hall of 12 uniforms: exact arithmetic only). */
double lh__rng_normal(lh__rng *r);

/* Index drawn with the given integer weights (n > 0, some weight > 0). */
size_t lh__rng_weighted(lh__rng *r, const uint32_t *weights, size_t n);

/* Index i in [0, n) with cum[i-1] <= x < cum[i], for x drawn in [0, cum[n-1]):
 * cum is a non-decreasing cumulative weight array. */
size_t lh__rng_cumulative(lh__rng *r, const uint64_t *cum, size_t n);

/* ---- word lists (words.c) ---- */

#define LH__NTEAMS 7

typedef struct lh__city {
    const char *name, *state;
    uint16_t area[3];      /* area codes; 0 = none */
    uint16_t cost;         /* cost of living, percent of the US average */
    uint32_t weight;       /* metro population in thousands */
} lh__city;

typedef struct lh__title {
    const char *name;
    uint8_t team;          /* index into lh__teams */
    uint8_t min_years;     /* seniority floor */
    uint32_t salary;       /* US median base salary, dollars */
    uint32_t weight;       /* share of candidates and job orders */
} lh__title;

typedef struct lh__team {
    const char *name;
    const char *skills[24];        /* NULL-terminated */
    const char *domains[8];        /* "in acute care settings" */
    const char *wins[8];           /* "LO-HI|text with one %d": a number in [LO, HI] */
    const char *duties[10];        /* job description duties */
    const char *certs[8];
    const char *degrees[5];
    uint16_t markup_lo, markup_hi; /* bill rate / pay rate, percent */
    uint32_t weight;               /* share of recruiters */
} lh__team;

typedef struct lh__industry {
    const char *name;
    const char *nouns[8];          /* NULL-terminated: "Health Partners" */
    uint32_t weight;
} lh__industry;

#define LH__LIST(x) (sizeof(x) / sizeof((x)[0]))

extern const lh__city lh__cities[];
extern const size_t lh__ncities;
extern const lh__title lh__titles[];
extern const size_t lh__ntitles;
extern const lh__team lh__teams[LH__NTEAMS];
extern const lh__industry lh__industries[];
extern const size_t lh__nindustries;
extern const char *const lh__first_names[];
extern const size_t lh__nfirst_names;
extern const char *const lh__last_names[];
extern const size_t lh__nlast_names;
extern const char *const lh__streets[];
extern const size_t lh__nstreets;
extern const char *const lh__street_kinds[];
extern const size_t lh__nstreet_kinds;
extern const char *const lh__company_words[];
extern const size_t lh__ncompany_words;
extern const char *const lh__universities[];
extern const size_t lh__nuniversities;
extern const char *const lh__email_domains[];
extern const size_t lh__nemail_domains;
extern const char *const lh__traits[];
extern const size_t lh__ntraits;
extern const char *const lh__openers[];
extern const size_t lh__nopeners;

/* ---- the world: entities and their keys, built before any file is written ---- */

enum { LH__RECRUITERS, LH__CLIENTS, LH__CANDIDATES, LH__JOBS, LH__PLACEMENTS, LH__TIMESHEETS,
       LH__CALLS };

typedef struct lh__recruiter {
    uint16_t first, last, city, team;
    uint32_t weight;
} lh__recruiter;

typedef struct lh__client {
    uint32_t combo;        /* company name: word x industry noun */
    uint16_t city, industry;
    int32_t created;       /* day number */
    int32_t manager;       /* recruiter index */
} lh__client;

typedef struct lh__candidate {
    uint16_t first, last, city, title;
    uint8_t years, status;
    int32_t recruiter;
    int64_t created;       /* seconds since the epoch */
    int32_t salary;        /* dollars per year */
} lh__candidate;

typedef struct lh__job {
    int32_t client, recruiter;
    uint16_t title, city;
    uint8_t type;          /* 0 contract, 1 contract to hire */
    uint16_t openings, filled;
    int32_t opened;        /* day number */
    int32_t last_start;    /* day the last placement started; 0 = none */
    int32_t pay, bill;     /* cents per hour */
} lh__job;

typedef struct lh__placement {
    int32_t job, candidate, recruiter;
    int32_t start;         /* day number, a Monday */
    int32_t weeks;         /* timesheets */
    int32_t planned_weeks; /* >= weeks; the end date */
    int32_t pay, bill;     /* cents per hour at the start */
    uint8_t status;
} lh__placement;

typedef struct lh__world {
    int64_t n[LH_DEMO_NTABLES];
    lh__recruiter *recruiters;
    uint64_t *team_cum[LH__NTEAMS];   /* cumulative recruiter weights per team */
    int32_t *team_members[LH__NTEAMS];
    size_t team_size[LH__NTEAMS];
    lh__client *clients;
    uint64_t *client_cum;             /* cumulative client weights (big accounts) */
    lh__candidate *candidates;
    lh__job *jobs;
    lh__placement *placements;
} lh__world;

/* Day numbers (days since 1970-01-01) of the demo's fixed calendar. */
#define LH__DAY_2016 16801  /* 2016-01-01 */
#define LH__DAY_FIRST 17897 /* 2019-01-01, a Tuesday */
#define LH__DAY_REF 20634   /* 2026-06-30: "today" in the demo */

lh_status lh__world_build(lh__world *w, double scale, lh_err *err);
void lh__world_release(lh__world *w);

/* Derived attributes, recomputed from the row number wherever they are needed. */
void lh__candidate_phone(const lh__world *w, int64_t i, char out[16]);
void lh__client_phone(const lh__world *w, int64_t i, char out[16]);
/* Appends to out, unchecked (lh_buf errors are sticky: the writer checks once). */
void lh__client_name(const lh__world *w, int64_t i, lh_buf *out);
void lh__client_contact(int64_t i, uint16_t *first, uint16_t *last);
/* 3-7 distinct skills (indices into lh__teams[team].skills) of candidate i; returns the count. */
size_t lh__candidate_skills(int64_t i, int team, uint8_t out[8]);
void lh__city_phone(lh__rng *r, uint16_t city, char out[16]);
/* Rows registered strictly before day (the arrays are sorted by creation day). */
int64_t lh__world_candidates_before(const lh__world *w, int32_t day);
int64_t lh__world_clients_before(const lh__world *w, int32_t day);
/* A recruiter of team (weighted by workload), or anyone when the team is empty. */
int32_t lh__world_pick_recruiter(const lh__world *w, lh__rng *r, int team);
const char *lh__candidate_status(uint8_t status);

/* ---- CSV output (tables.c) ---- */

typedef struct lh__csv {
    FILE *f;
    int col;
    lh_status err;  /* the first field whose lh_buf failed; checked once, after the rows */
} lh__csv;

/* Writes one table's CSV to path (rows w->n[table]), reporting progress. */
typedef struct lh__progress {
    lh_demo_progress_fn fn;
    void *ctx;
    const char *table;
} lh__progress;

lh_status lh__demo_write_table(const lh__world *w, int table, const char *path,
                               const lh__progress *p, int64_t *rows, lh_err *err);

/* Text generators (text.c): append to out, unchecked (the writer checks once). */
void lh__text_resume(const lh__world *w, int64_t i, lh_buf *out);
void lh__text_job(const lh__world *w, int64_t i, lh_buf *out);
void lh__text_call(const lh__world *w, lh__rng *r, int outcome, int64_t cand, int64_t client,
                   lh_buf *out);

/* Calendar helpers. */
void lh__day_format(int32_t day, char out[11]);             /* YYYY-MM-DD */
void lh__ts_format(int64_t secs, char out[20]);             /* YYYY-MM-DD HH:MM:SS */
int lh__weekday(int32_t day);                                /* 0 = Monday */

#endif
