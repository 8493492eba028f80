/* world.c: the entities of the demo agency and the keys that tie them together, built
 * in memory before any file is written so that every foreign key points at a row that
 * exists and was created earlier (a placement starts after its job order opened and its
 * candidate registered; a call happens after its candidate or client appeared). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "demo/demo_int.h"

/* Topics: one random stream per table and attribute. */
enum { T_REC = 1, T_CLI, T_CAND, T_JOB, T_PLC, T_CAND_PHONE, T_CLI_PHONE, T_CLI_CONTACT,
       T_PLC_ALLOC, T_CAND_SKILLS };

double lh__rng_normal(lh__rng *r)
{
    double s = 0;
    for (int i = 0; i < 12; i++)
        s += lh__rng_unit(r);
    return s - 6.0;
}

size_t lh__rng_weighted(lh__rng *r, const uint32_t *weights, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    uint64_t x = lh__rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

size_t lh__rng_cumulative(lh__rng *r, const uint64_t *cum, size_t n)
{
    lh_assert(n > 0 && cum[n - 1] > 0);
    uint64_t x = lh__rng_below(r, cum[n - 1]);
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ---- calendar ---- */

void lh__day_format(int32_t day, char out[11])
{
    /* Howard Hinnant's civil_from_days. */
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    out[0] = (char)('0' + (y / 1000) % 10);
    out[1] = (char)('0' + (y / 100) % 10);
    out[2] = (char)('0' + (y / 10) % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

void lh__ts_format(int64_t secs, char out[20])
{
    lh__day_format((int32_t)(secs / 86400), out);
    int64_t s = secs % 86400;
    int h = (int)(s / 3600), m = (int)(s / 60 % 60), sec = (int)(s % 60);
    out[10] = ' ';
    out[11] = (char)('0' + h / 10);
    out[12] = (char)('0' + h % 10);
    out[13] = ':';
    out[14] = (char)('0' + m / 10);
    out[15] = (char)('0' + m % 10);
    out[16] = ':';
    out[17] = (char)('0' + sec / 10);
    out[18] = (char)('0' + sec % 10);
    out[19] = '\0';
}

int lh__weekday(int32_t day) { return (int)(((int64_t)day + 3) % 7); }

/* Day i of n spread over [first, last] with density growing linearly in time (the
 * agency grows): row 0 is always on `first`, so earlier rows exist for later ones. */
static int32_t growing_day(lh__rng *r, int64_t i, int64_t n, int32_t first, int32_t last)
{
    if (i == 0)
        return first;
    double f = ((double)i + lh__rng_unit(r)) / (double)n;
    int32_t d = first + (int32_t)((double)(last - first) * __builtin_sqrt(f));
    return d > last ? last : d;
}

/* ---- attributes recomputed from row numbers ---- */

void lh__city_phone(lh__rng *r, uint16_t city, char out[16])
{
    const lh__city *c = &lh__cities[city];
    size_t na = c->area[2] ? 3 : c->area[1] ? 2 : 1;
    unsigned area = c->area[lh__rng_below(r, na)];
    unsigned ex;
    do
        ex = (unsigned)lh__rng_range(r, 201, 989);
    while (ex % 100 == 11 || ex == 555 || ex % 100 == 0);
    unsigned line = (unsigned)lh__rng_range(r, 0, 9999);
    char *p = out;
    *p++ = '(';
    *p++ = (char)('0' + area / 100);
    *p++ = (char)('0' + area / 10 % 10);
    *p++ = (char)('0' + area % 10);
    *p++ = ')';
    *p++ = ' ';
    *p++ = (char)('0' + ex / 100);
    *p++ = (char)('0' + ex / 10 % 10);
    *p++ = (char)('0' + ex % 10);
    *p++ = '-';
    *p++ = (char)('0' + line / 1000);
    *p++ = (char)('0' + line / 100 % 10);
    *p++ = (char)('0' + line / 10 % 10);
    *p++ = (char)('0' + line % 10);
    *p = '\0';
}

void lh__candidate_phone(const lh__world *w, int64_t i, char out[16])
{
    lh__rng r = lh__rng_for(T_CAND_PHONE, (uint64_t)i);
    /* One in five moved: their cell keeps the area code of somewhere else. */
    uint16_t city = lh__rng_chance(&r, 0.2) ? (uint16_t)lh__rng_below(&r, lh__ncities)
                                            : w->candidates[i].city;
    lh__city_phone(&r, city, out);
}

void lh__client_phone(const lh__world *w, int64_t i, char out[16])
{
    lh__rng r = lh__rng_for(T_CLI_PHONE, (uint64_t)i);
    lh__city_phone(&r, w->clients[i].city, out);
}

size_t lh__candidate_skills(int64_t i, int team, uint8_t out[8])
{
    lh__rng r = lh__rng_for(T_CAND_SKILLS, (uint64_t)i);
    const lh__team *tm = &lh__teams[team];
    size_t n = 0;
    while (n < LH__LIST(tm->skills) && tm->skills[n])
        n++;
    size_t want = (size_t)lh__rng_range(&r, 3, 7), k = 0;
    while (k < want && k < n) {
        uint8_t x = (uint8_t)lh__rng_below(&r, n);
        int dup = 0;
        for (size_t j = 0; j < k; j++)
            dup |= out[j] == x;
        if (!dup)
            out[k++] = x;
    }
    return k;
}

void lh__client_contact(int64_t i, uint16_t *first, uint16_t *last)
{
    lh__rng r = lh__rng_for(T_CLI_CONTACT, (uint64_t)i);
    *first = (uint16_t)lh__rng_below(&r, lh__nfirst_names);
    *last = (uint16_t)lh__rng_below(&r, lh__nlast_names);
}

static size_t noun_count(size_t ind)
{
    size_t n = 0;
    while (n < LH__LIST(lh__industries[0].nouns) && lh__industries[ind].nouns[n])
        n++;
    return n;
}

static size_t total_nouns(void)
{
    size_t n = 0;
    for (size_t k = 0; k < lh__nindustries; k++)
        n += noun_count(k);
    return n;
}

/* combo -> (word, industry, noun). */
static void combo_parts(uint32_t combo, size_t *word, size_t *ind, size_t *noun)
{
    size_t nn = total_nouns();
    *word = combo / nn;
    size_t k = combo % nn;
    for (*ind = 0; *ind < lh__nindustries; (*ind)++) {
        size_t c = noun_count(*ind);
        if (k < c)
            break;
        k -= c;
    }
    *noun = k;
}

void lh__client_name(const lh__world *w, int64_t i, lh_buf *out)
{
    size_t word, ind, noun;
    combo_parts(w->clients[i].combo, &word, &ind, &noun);
    lh_buf_printf(out, "%s %s", lh__company_words[word], lh__industries[ind].nouns[noun]);
    size_t combos = lh__ncompany_words * total_nouns();
    if ((uint64_t)i >= combos)
        lh_buf_printf(out, " %lld", (long long)(i / (int64_t)combos + 1));
}

/* ---- building ---- */

static const uint32_t team_weights[LH__NTEAMS] = {22, 18, 14, 12, 16, 12, 10};

static int32_t pick_recruiter(const lh__world *w, lh__rng *r, int team)
{
    if (w->team_size[team])
        return w->team_members[team][lh__rng_cumulative(r, w->team_cum[team], w->team_size[team])];
    /* No recruiter on that team (tiny scales): anyone, by weight. */
    uint64_t total = 0;
    for (int64_t k = 0; k < w->n[LH__RECRUITERS]; k++)
        total += w->recruiters[k].weight;
    uint64_t x = lh__rng_below(r, total);
    for (int64_t k = 0; k < w->n[LH__RECRUITERS]; k++) {
        if (x < w->recruiters[k].weight)
            return (int32_t)k;
        x -= w->recruiters[k].weight;
    }
    return (int32_t)(w->n[LH__RECRUITERS] - 1);
}

static uint16_t pick_title(lh__rng *r, int team)
{
    uint64_t total = 0;
    for (size_t t = 0; t < lh__ntitles; t++)
        if (team < 0 || lh__titles[t].team == team)
            total += lh__titles[t].weight;
    uint64_t x = lh__rng_below(r, total);
    for (size_t t = 0; t < lh__ntitles; t++) {
        if (team >= 0 && lh__titles[t].team != team)
            continue;
        if (x < lh__titles[t].weight)
            return (uint16_t)t;
        x -= lh__titles[t].weight;
    }
    return 0;
}

/* A city by metro population. */
static uint16_t pick_city(lh__rng *r)
{
    uint64_t total = 0;
    for (size_t k = 0; k < lh__ncities; k++)
        total += lh__cities[k].weight;
    uint64_t x = lh__rng_below(r, total);
    for (size_t k = 0; k < lh__ncities; k++) {
        if (x < lh__cities[k].weight)
            return (uint16_t)k;
        x -= lh__cities[k].weight;
    }
    return 0;
}

/* Count of rows whose day is < day, in a sorted-by-day array accessed through get. */
static int64_t count_before(const void *base, size_t stride, size_t offset, int64_t n, int64_t day,
                            int64_t divisor, int wide)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        const char *p = (const char *)base + (size_t)mid * stride + offset;
        int64_t v;
        if (wide) {
            memcpy(&v, p, sizeof v);
        } else {
            int32_t v32;
            memcpy(&v32, p, sizeof v32);
            v = v32;
        }
        if (v / divisor < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int64_t candidates_before(const lh__world *w, int32_t day)
{
    return count_before(w->candidates, sizeof(lh__candidate), offsetof(lh__candidate, created),
                        w->n[LH__CANDIDATES], day, 86400, 1);
}

static int64_t clients_before(const lh__world *w, int32_t day)
{
    return count_before(w->clients, sizeof(lh__client), offsetof(lh__client, created),
                        w->n[LH__CLIENTS], day, 1, 0);
}

static int64_t jobs_before(const lh__world *w, int32_t day)
{
    return count_before(w->jobs, sizeof(lh__job), offsetof(lh__job, opened), w->n[LH__JOBS], day,
                        1, 0);
}

int64_t lh__world_candidates_before(const lh__world *w, int32_t day) { return candidates_before(w, day); }
int64_t lh__world_clients_before(const lh__world *w, int32_t day) { return clients_before(w, day); }
int32_t lh__world_pick_recruiter(const lh__world *w, lh__rng *r, int team) { return pick_recruiter(w, r, team); }

static int32_t round_to(double v, int32_t step)
{
    int32_t x = (int32_t)(v / step + 0.5);
    return x * step;
}

static void build_recruiters(lh__world *w)
{
    /* Recruiters sit in the 25 largest metros (the list is ordered by size). */
    uint32_t office_w[25];
    for (size_t k = 0; k < 25; k++)
        office_w[k] = lh__cities[k].weight;
    for (int64_t i = 0; i < w->n[LH__RECRUITERS]; i++) {
        lh__rng r = lh__rng_for(T_REC, (uint64_t)i);
        lh__recruiter *x = &w->recruiters[i];
        x->team = (uint16_t)lh__rng_weighted(&r, team_weights, LH__NTEAMS);
        x->city = (uint16_t)lh__rng_weighted(&r, office_w, 25);
        x->first = (uint16_t)lh__rng_below(&r, lh__nfirst_names);
        x->last = (uint16_t)lh__rng_below(&r, lh__nlast_names);
        double u = lh__rng_unit(&r);
        x->weight = 100 + (uint32_t)(1400.0 * u * u * u); /* a few stars */
        w->team_size[x->team]++;
    }
}

static lh_status build_teams(lh__world *w, lh_err *err)
{
    for (int t = 0; t < LH__NTEAMS; t++) {
        size_t n = w->team_size[t] ? w->team_size[t] : 1;
        w->team_cum[t] = lh_calloc(n, sizeof *w->team_cum[t]);
        w->team_members[t] = lh_calloc(n, sizeof *w->team_members[t]);
        if (!w->team_cum[t] || !w->team_members[t])
            return lh_fail(err, LH_ENOMEM, "out of memory");
        size_t k = 0;
        uint64_t cum = 0;
        for (int64_t i = 0; i < w->n[LH__RECRUITERS]; i++) {
            if (w->recruiters[i].team != t)
                continue;
            cum += w->recruiters[i].weight;
            w->team_members[t][k] = (int32_t)i;
            w->team_cum[t][k++] = cum;
        }
    }
    return LH_OK;
}

static void build_clients(lh__world *w)
{
    uint32_t combos = (uint32_t)(lh__ncompany_words * total_nouns());
    uint32_t stride = 7919;
    while (combos % stride == 0)
        stride += 2;
    uint64_t cum = 0;
    for (int64_t i = 0; i < w->n[LH__CLIENTS]; i++) {
        lh__rng r = lh__rng_for(T_CLI, (uint64_t)i);
        lh__client *c = &w->clients[i];
        c->combo = (uint32_t)(((uint64_t)i * stride + 17) % combos);
        size_t word, ind, noun;
        combo_parts(c->combo, &word, &ind, &noun);
        c->industry = (uint16_t)ind;
        c->city = pick_city(&r);
        /* Clients signed steadily since 2016; the last ones three months before "today". */
        c->created = i ? LH__DAY_2016 + (int32_t)((double)(LH__DAY_REF - 90 - LH__DAY_2016) *
                                                  ((double)i + lh__rng_unit(&r)) /
                                                  (double)w->n[LH__CLIENTS])
                       : LH__DAY_2016;
        c->manager = pick_recruiter(w, &r, (int)lh__rng_below(&r, LH__NTEAMS));
        double u = lh__rng_unit(&r);
        cum += (uint64_t)(1000.0 / (0.02 + u * u)); /* a few big accounts, a long tail */
        w->client_cum[i] = cum;
    }
}

static const char *const candidate_status_names[] = {"active", "passive", "interviewing",
                                                     "inactive", "do_not_contact", "blocked",
                                                     "placed"};
static const uint32_t candidate_status_w[] = {42, 24, 12, 17, 4, 1};

const char *lh__candidate_status(uint8_t s) { return candidate_status_names[s]; }

static void build_candidates(lh__world *w)
{
    int64_t n = w->n[LH__CANDIDATES];
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_CAND, (uint64_t)i);
        lh__candidate *c = &w->candidates[i];
        int32_t day = growing_day(&r, i, n, LH__DAY_FIRST, LH__DAY_REF - 1);
        c->created = (int64_t)day * 86400 + lh__rng_range(&r, 7 * 3600, 22 * 3600);
        c->title = pick_title(&r, -1);
        const lh__title *t = &lh__titles[c->title];
        double u1 = lh__rng_unit(&r), u2 = lh__rng_unit(&r);
        int years = t->min_years + (int)(28.0 * u1 * u2 + lh__rng_unit(&r) * 3.0);
        c->years = (uint8_t)(years > 42 ? 42 : years);
        c->city = pick_city(&r);
        c->first = (uint16_t)lh__rng_below(&r, lh__nfirst_names);
        c->last = (uint16_t)lh__rng_below(&r, lh__nlast_names);
        c->recruiter = pick_recruiter(w, &r, t->team);
        double exp = 0.72 + 0.032 * (c->years < 20 ? c->years : 20);
        double noise = 1.0 + 0.09 * lh__rng_normal(&r);
        if (lh__rng_chance(&r, 0.02))
            noise *= 1.35 + 0.4 * lh__rng_unit(&r); /* asks for a lot */
        double salary = t->salary * exp * noise * lh__cities[c->city].cost / 100.0;
        c->salary = round_to(salary < 24000 ? 24000 : salary, salary < 60000 ? 500 : 1000);
        c->status = (uint8_t)lh__rng_weighted(&r, candidate_status_w, LH__LIST(candidate_status_w));
    }
}

/* Teams an industry mostly hires from (the rest of its orders go to any team). */
static const int8_t industry_teams[][2] = {
    {1, 5}, {0, 6}, {2, 0}, {4, 3}, {4, 5}, {3, 4}, {4, 6}, {5, 2},
};

static void build_jobs(lh__world *w)
{
    int64_t n = w->n[LH__JOBS];
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_JOB, (uint64_t)i);
        lh__job *j = &w->jobs[i];
        j->opened = growing_day(&r, i, n, LH__DAY_FIRST, LH__DAY_REF - 1);
        int64_t k = clients_before(w, j->opened + 1);
        j->client = (int32_t)lh__rng_cumulative(&r, w->client_cum, (size_t)(k ? k : 1));
        const lh__client *c = &w->clients[j->client];
        int team = lh__rng_chance(&r, 0.7) ? industry_teams[c->industry][lh__rng_below(&r, 2)]
                                            : (int)lh__rng_weighted(&r, team_weights, LH__NTEAMS);
        j->title = pick_title(&r, team);
        team = lh__titles[j->title].team;
        j->recruiter = w->recruiters[c->manager].team == team && lh__rng_chance(&r, 0.6)
                           ? c->manager
                           : pick_recruiter(w, &r, team);
        j->city = lh__rng_chance(&r, 0.75) ? c->city : pick_city(&r);
        j->type = lh__rng_chance(&r, 0.35);
        double u = lh__rng_unit(&r);
        j->openings = u < 0.6 ? 1 : u < 0.85 ? (uint16_t)lh__rng_range(&r, 2, 3)
                    : u < 0.97 ? (uint16_t)lh__rng_range(&r, 4, 10) : (uint16_t)lh__rng_range(&r, 11, 25);
        double pay = lh__titles[j->title].salary / 2080.0 * lh__cities[j->city].cost / 100.0 *
                     (1.0 + 0.06 * lh__rng_normal(&r));
        j->pay = round_to(pay * 100.0, 25);
        const lh__team *tm = &lh__teams[team];
        int markup = (int)lh__rng_range(&r, tm->markup_lo, tm->markup_hi);
        j->bill = round_to((double)j->pay * markup / 100.0, 25);
    }
}

static lh_status build_placements(lh__world *w, int32_t *fit, lh_err *err)
{
    (void)err;
    int64_t n = w->n[LH__PLACEMENTS];
    int64_t eligible = jobs_before(w, LH__DAY_REF - 69);
    if (!eligible)
        eligible = 1;
    uint64_t sum = 0;
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_PLC, (uint64_t)i);
        lh__placement *p = &w->placements[i];
        p->job = (int32_t)lh__rng_below(&r, (uint64_t)eligible);
        lh__job *j = &w->jobs[p->job];
        int32_t start = j->opened + (int32_t)lh__rng_range(&r, 7, 56);
        start += (7 - lh__weekday(start)) % 7; /* the next Monday */
        if (start > LH__DAY_REF - 7)
            start -= 7 * ((start - (LH__DAY_REF - 7)) / 7 + 1);
        p->start = start;
        int team = lh__titles[j->title].team;
        int64_t k = candidates_before(w, start);
        if (!k)
            k = 1;
        int32_t cand = 0;
        for (int tries = 0; tries < 8; tries++) {
            cand = (int32_t)lh__rng_below(&r, (uint64_t)k);
            if (lh__titles[w->candidates[cand].title].team == team)
                break;
        }
        p->candidate = cand;
        p->recruiter = lh__rng_chance(&r, 0.85) ? j->recruiter : w->candidates[cand].recruiter;
        p->pay = round_to((double)j->pay * (0.97 + 0.06 * lh__rng_unit(&r)), 25);
        p->bill = j->bill;
        fit[i] = (LH__DAY_REF - start) / 7;
        if (fit[i] < 1)
            fit[i] = 1;
        double u = lh__rng_unit(&r);
        int32_t raw = u < 0.3 ? (int32_t)lh__rng_range(&r, 4, 13)
                    : u < 0.75 ? (int32_t)lh__rng_range(&r, 13, 52) : (int32_t)lh__rng_range(&r, 52, 130);
        p->weeks = raw < fit[i] ? raw : fit[i];
        sum += (uint64_t)p->weeks;
    }
    /* Scale the weeks so that the timesheets come to exactly the requested count. */
    int64_t target = w->n[LH__TIMESHEETS], total = 0;
    double f = sum ? (double)target / (double)sum : 1.0;
    for (int64_t i = 0; i < n; i++) {
        lh__placement *p = &w->placements[i];
        int32_t x = (int32_t)((double)p->weeks * f + 0.5);
        p->weeks = x < 1 ? 1 : x > fit[i] ? fit[i] : x;
        total += p->weeks;
    }
    for (int changed = 1; total != target && changed;) {
        changed = 0;
        for (int64_t i = 0; i < n && total != target; i++) {
            lh__placement *p = &w->placements[i];
            if (total < target && p->weeks < fit[i]) {
                p->weeks++;
                total++;
                changed = 1;
            } else if (total > target && p->weeks > 1) {
                p->weeks--;
                total--;
                changed = 1;
            }
        }
    }
    w->n[LH__TIMESHEETS] = total;
    /* Status follows from the dates. */
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_PLC_ALLOC, (uint64_t)i);
        lh__placement *p = &w->placements[i];
        lh__job *j = &w->jobs[p->job];
        j->filled++;
        if (p->start > j->last_start)
            j->last_start = p->start;
        if (p->start + 7 * p->weeks > LH__DAY_REF - 7) {
            p->status = 0; /* active: timesheets run to this week */
            p->planned_weeks = p->weeks + (int32_t)lh__rng_range(&r, 4, 26);
            w->candidates[p->candidate].status = 6; /* placed */
        } else if (j->type == 1 && lh__rng_chance(&r, 0.45)) {
            p->status = 2; /* converted to a permanent hire */
            p->planned_weeks = p->weeks;
        } else if (lh__rng_chance(&r, 0.12)) {
            p->status = 3; /* ended early */
            p->planned_weeks = p->weeks + (int32_t)lh__rng_range(&r, 2, 20);
        } else {
            p->status = 1; /* completed */
            p->planned_weeks = p->weeks;
        }
    }
    return LH_OK;
}

lh_status lh__world_build(lh__world *w, double scale, lh_err *err)
{
    static const char *const names[LH_DEMO_NTABLES] = {"recruiters", "clients", "candidates",
                                                       "job_orders", "placements", "timesheets",
                                                       "call_logs"};
    memset(w, 0, sizeof *w);
    for (int t = 0; t < LH_DEMO_NTABLES; t++)
        w->n[t] = lh_demo_rows(names[t], scale);
    w->recruiters = lh_calloc((size_t)w->n[LH__RECRUITERS], sizeof *w->recruiters);
    w->clients = lh_calloc((size_t)w->n[LH__CLIENTS], sizeof *w->clients);
    w->client_cum = lh_calloc((size_t)w->n[LH__CLIENTS], sizeof *w->client_cum);
    w->candidates = lh_calloc((size_t)w->n[LH__CANDIDATES], sizeof *w->candidates);
    w->jobs = lh_calloc((size_t)w->n[LH__JOBS], sizeof *w->jobs);
    w->placements = lh_calloc((size_t)w->n[LH__PLACEMENTS], sizeof *w->placements);
    int32_t *fit = lh_calloc((size_t)w->n[LH__PLACEMENTS], sizeof *fit);
    lh_status st = LH_OK;
    if (!w->recruiters || !w->clients || !w->client_cum || !w->candidates || !w->jobs ||
        !w->placements || !fit)
        st = lh_fail(err, LH_ENOMEM, "out of memory for the demo world");
    if (!st) {
        build_recruiters(w);
        st = build_teams(w, err);
    }
    if (!st) {
        build_clients(w);
        build_candidates(w);
        build_jobs(w);
        st = build_placements(w, fit, err);
    }
    free(fit);
    if (st)
        lh__world_release(w);
    return st;
}

void lh__world_release(lh__world *w)
{
    free(w->recruiters);
    free(w->clients);
    free(w->client_cum);
    free(w->candidates);
    free(w->jobs);
    free(w->placements);
    for (int t = 0; t < LH__NTEAMS; t++) {
        free(w->team_cum[t]);
        free(w->team_members[t]);
    }
    memset(w, 0, sizeof *w);
}
