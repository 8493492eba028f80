/* tables.c: one CSV writer per demo table. Rows stream straight to the file; each row's
 * random choices come from its own stream, so the output depends only on the scale. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "demo/demo_int.h"

enum { T_REC_ROW = 30, T_CLI_ROW, T_CAND_ROW, T_TS_ROW, T_CALL_ROW, T_JOB_ROW, T_PLC_ROW };

/* ---- CSV primitives (RFC 4180: a field is quoted when it holds , " CR or LF) ---- */

static void sep(lh__csv *c)
{
    if (c->col++)
        putc_unlocked(',', c->f);
}

static void csv_str(lh__csv *c, const char *s)
{
    sep(c);
    if (!strpbrk(s, ",\"\r\n")) {
        fputs_unlocked(s, c->f);
        return;
    }
    putc_unlocked('"', c->f);
    for (; *s; s++) {
        if (*s == '"')
            putc_unlocked('"', c->f);
        putc_unlocked(*s, c->f);
    }
    putc_unlocked('"', c->f);
}

static void csv_null(lh__csv *c) { sep(c); }

/* A field built in b: its appends went unchecked, so it is checked here, before its
 * bytes are written. A failed one is written empty and latched in c->err, which
 * lh__demo_write_table checks once after the rows (the file is then refused). */
static void csv_buf(lh__csv *c, const lh_buf *b)
{
    lh_status st = lh_buf_status(b);
    if (st && !c->err)
        c->err = st;
    csv_str(c, st ? "" : lh_buf_cstr(b));
}

static void put_uint(FILE *f, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        putc_unlocked(tmp[--n], f);
}

static void csv_int(lh__csv *c, int64_t v)
{
    sep(c);
    if (v < 0) {
        putc_unlocked('-', c->f);
        v = -v;
    }
    put_uint(c->f, (uint64_t)v, 0);
}

/* "PREFIX-000123" for row index i (ids start at 1). */
static void csv_id(lh__csv *c, const char *prefix, int64_t i, int width)
{
    sep(c);
    fputs_unlocked(prefix, c->f);
    put_uint(c->f, (uint64_t)i + 1, width);
}

/* Cents (or quarter hours times 25) as a decimal with two places. */
static void csv_cents(lh__csv *c, int64_t cents)
{
    sep(c);
    put_uint(c->f, (uint64_t)(cents / 100), 0);
    putc_unlocked('.', c->f);
    put_uint(c->f, (uint64_t)(cents % 100), 2);
}

static void csv_day(lh__csv *c, int32_t day)
{
    char d[11];
    lh__day_format(day, d);
    csv_str(c, d);
}

static void csv_ts(lh__csv *c, int64_t secs)
{
    char d[20];
    lh__ts_format(secs, d);
    csv_str(c, d);
}

static void csv_end(lh__csv *c)
{
    putc_unlocked('\n', c->f);
    c->col = 0;
}

static void header(lh__csv *c, const char *const *cols)
{
    for (; *cols; cols++)
        csv_str(c, *cols);
    csv_end(c);
}

static void tick(const lh__progress *p, int64_t done, int64_t total)
{
    if (p && p->fn && (done % 65536 == 0 || done == total))
        p->fn(p->ctx, p->table, "generate", done, total);
}

/* Lower-case letters and digits of s (for emails and domains). */
static void add_alnum(lh_buf *b, const char *s)
{
    for (; *s; s++) {
        char ch = *s;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            lh_buf_addc(b, ch);
    }
}

static void add_address(lh__rng *r, lh_buf *b)
{
    lh_buf_printf(b, "%d %s %s", (int)lh__rng_range(r, 100, 9899),
                  lh__streets[lh__rng_below(r, lh__nstreets)],
                  lh__street_kinds[lh__rng_below(r, lh__nstreet_kinds)]);
    double u = lh__rng_unit(r);
    if (u < 0.18)
        lh_buf_printf(b, " Apt %d", (int)lh__rng_range(r, 1, 40) * (lh__rng_chance(r, 0.3) ? 100 : 1) +
                                        (int)lh__rng_range(r, 0, 9));
    else if (u < 0.23)
        lh_buf_printf(b, " Unit %c", (char)('A' + lh__rng_below(r, 8)));
}

/* ---- recruiters ---- */

static const char *const recruiter_titles[] = {"Recruiter", "Senior Recruiter", "Account Manager",
                                               "Recruiting Manager"};
static const uint32_t recruiter_title_w[] = {50, 25, 15, 10};

static lh_status write_recruiters(const lh__world *w, lh__csv *c, const lh__progress *p)
{
    static const char *const cols[] = {"recruiter_id", "first_name", "last_name", "email", "phone",
                                       "office_city", "office_state", "team", "title", "hire_date",
                                       "status", NULL};
    header(c, cols);
    lh_buf b;
    lh_buf_init(&b, 0);
    int64_t n = w->n[LH__RECRUITERS];
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_REC_ROW, (uint64_t)i);
        const lh__recruiter *x = &w->recruiters[i];
        csv_id(c, "REC-", i, 4);
        csv_str(c, lh__first_names[x->first]);
        csv_str(c, lh__last_names[x->last]);
        /* Work emails are unique: a namesake hired earlier keeps the plain address. */
        int same = 0;
        for (int64_t k = 0; k < i; k++)
            same += w->recruiters[k].first == x->first && w->recruiters[k].last == x->last;
        lh_buf_reset(&b);
        add_alnum(&b, lh__first_names[x->first]);
        lh_buf_addc(&b, '.');
        add_alnum(&b, lh__last_names[x->last]);
        if (same)
            lh_buf_printf(&b, "%d", same + 1);
        lh_buf_adds(&b, "@northgatestaffing.com");
        csv_buf(c, &b);
        char phone[16];
        lh__city_phone(&r, x->city, phone);
        csv_str(c, phone);
        csv_str(c, lh__cities[x->city].name);
        csv_str(c, lh__cities[x->city].state);
        csv_str(c, lh__teams[x->team].name);
        csv_str(c, recruiter_titles[lh__rng_weighted(&r, recruiter_title_w, 4)]);
        csv_day(c, (int32_t)lh__rng_range(&r, 14610, LH__DAY_FIRST - 1));
        double u = lh__rng_unit(&r);
        csv_str(c, u < 0.9 ? "active" : u < 0.93 ? "on_leave" : "inactive");
        csv_end(c);
        tick(p, i + 1, n);
    }
    lh_buf_release(&b);
    return LH_OK;
}

/* ---- clients ---- */

static lh_status write_clients(const lh__world *w, lh__csv *c, const lh__progress *p, lh_err *err)
{
    static const char *const cols[] = {"client_id", "company_name", "industry", "contact_name",
                                       "contact_email", "contact_phone", "address", "city", "state",
                                       "payment_terms", "status", "account_manager_id",
                                       "created_at", NULL};
    header(c, cols);
    int64_t n = w->n[LH__CLIENTS];
    int32_t *last_job = lh_calloc((size_t)n, sizeof *last_job);
    if (!last_job)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    for (int64_t j = 0; j < w->n[LH__JOBS]; j++)
        if (w->jobs[j].opened > last_job[w->jobs[j].client])
            last_job[w->jobs[j].client] = w->jobs[j].opened;
    lh_buf b, name;
    lh_buf_init(&b, 0);
    lh_buf_init(&name, 0);
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_CLI_ROW, (uint64_t)i);
        const lh__client *x = &w->clients[i];
        csv_id(c, "CLI-", i, 5);
        lh_buf_reset(&name);
        lh__client_name(w, i, &name);
        csv_buf(c, &name);
        csv_str(c, lh__industries[x->industry].name);
        uint16_t cf, cl;
        lh__client_contact(i, &cf, &cl);
        lh_buf_reset(&b);
        lh_buf_printf(&b, "%s %s", lh__first_names[cf], lh__last_names[cl]);
        csv_buf(c, &b);
        lh_buf_reset(&b);
        add_alnum(&b, lh__first_names[cf]);
        lh_buf_addc(&b, '.');
        add_alnum(&b, lh__last_names[cl]);
        lh_buf_addc(&b, '@');
        add_alnum(&b, lh_buf_cstr(&name)); /* a failed name failed its field */
        lh_buf_adds(&b, ".com");
        csv_buf(c, &b);
        char phone[16];
        lh__client_phone(w, i, phone);
        csv_str(c, phone);
        lh_buf_reset(&b);
        add_address(&r, &b);
        if (lh__rng_chance(&r, 0.3))
            lh_buf_printf(&b, " Suite %d", (int)lh__rng_range(&r, 1, 30) * 100);
        csv_buf(c, &b);
        csv_str(c, lh__cities[x->city].name);
        csv_str(c, lh__cities[x->city].state);
        double u = lh__rng_unit(&r);
        csv_str(c, u < 0.6 ? "Net 30" : u < 0.85 ? "Net 45" : u < 0.97 ? "Net 60" : "Due on receipt");
        csv_str(c, !last_job[i] ? "prospect" : last_job[i] >= LH__DAY_REF - 365 ? "active" : "inactive");
        csv_id(c, "REC-", x->manager, 4);
        csv_day(c, x->created);
        csv_end(c);
        tick(p, i + 1, n);
    }
    lh_buf_release(&b);
    lh_buf_release(&name);
    free(last_job);
    return LH_OK;
}

/* ---- candidates ---- */

static lh_status write_candidates(const lh__world *w, lh__csv *c, const lh__progress *p)
{
    static const char *const cols[] = {"candidate_id", "full_name", "email", "phone", "ssn",
                                       "address", "city", "state", "skills", "years_experience",
                                       "salary_expectation", "status", "recruiter_id",
                                       "created_at", "resume_text", NULL};
    header(c, cols);
    lh_buf b;
    lh_buf_init(&b, 0);
    int64_t n = w->n[LH__CANDIDATES];
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_CAND_ROW, (uint64_t)i);
        const lh__candidate *x = &w->candidates[i];
        const char *first = lh__first_names[x->first], *last = lh__last_names[x->last];
        csv_id(c, "CAND-", i, 6);
        lh_buf_reset(&b);
        lh_buf_printf(&b, "%s %s", first, last);
        csv_buf(c, &b);
        /* Personal emails in the usual shapes. */
        lh_buf_reset(&b);
        int num = (int)lh__rng_range(&r, 1, 99);
        switch (lh__rng_below(&r, 6)) {
        case 0: add_alnum(&b, first); lh_buf_addc(&b, '.'); add_alnum(&b, last); break;
        case 1: add_alnum(&b, first); add_alnum(&b, last); lh_buf_printf(&b, "%d", num); break;
        case 2: lh_buf_addc(&b, (char)(first[0] | 0x20)); add_alnum(&b, last); lh_buf_printf(&b, "%d", num); break;
        case 3: add_alnum(&b, first); lh_buf_addc(&b, '_'); add_alnum(&b, last); break;
        case 4: add_alnum(&b, last); lh_buf_addc(&b, '.'); add_alnum(&b, first); lh_buf_printf(&b, "%d", 1950 + num % 55); break;
        default: add_alnum(&b, first); lh_buf_addc(&b, '.'); add_alnum(&b, last); lh_buf_printf(&b, "%d", num); break;
        }
        lh_buf_printf(&b, "@%s", lh__email_domains[lh__rng_below(&r, lh__nemail_domains)]);
        csv_buf(c, &b);
        char phone[16];
        lh__candidate_phone(w, i, phone);
        csv_str(c, phone);
        /* SSN shape rules: area 001-899 but not 666, group 01-99, serial 0001-9999. */
        int area;
        do
            area = (int)lh__rng_range(&r, 1, 899);
        while (area == 666);
        lh_buf_reset(&b);
        lh_buf_printf(&b, "%03d-%02d-%04d", area, (int)lh__rng_range(&r, 1, 99),
                      (int)lh__rng_range(&r, 1, 9999));
        csv_buf(c, &b);
        lh_buf_reset(&b);
        add_address(&r, &b);
        csv_buf(c, &b);
        csv_str(c, lh__cities[x->city].name);
        csv_str(c, lh__cities[x->city].state);
        const lh__team *tm = &lh__teams[lh__titles[x->title].team];
        uint8_t skills[8];
        size_t ns = lh__candidate_skills(i, lh__titles[x->title].team, skills);
        lh_buf_reset(&b);
        for (size_t k = 0; k < ns; k++)
            lh_buf_printf(&b, "%s%s", k ? ", " : "", tm->skills[skills[k]]);
        csv_buf(c, &b);
        csv_int(c, x->years);
        csv_int(c, x->salary);
        csv_str(c, lh__candidate_status(x->status));
        csv_id(c, "REC-", x->recruiter, 4);
        csv_ts(c, x->created);
        lh_buf_reset(&b);
        lh__text_resume(w, i, &b);
        csv_buf(c, &b);
        csv_end(c);
        tick(p, i + 1, n);
    }
    lh_buf_release(&b);
    return LH_OK;
}

/* ---- job orders ---- */

static lh_status write_jobs(const lh__world *w, lh__csv *c, const lh__progress *p)
{
    static const char *const cols[] = {"job_order_id", "client_id", "recruiter_id", "title",
                                       "category", "employment_type", "city", "state", "openings",
                                       "pay_rate", "bill_rate", "status", "opened_at", "closed_at",
                                       "description", NULL};
    header(c, cols);
    lh_buf b;
    lh_buf_init(&b, 0);
    int64_t n = w->n[LH__JOBS];
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_JOB_ROW, (uint64_t)i);
        const lh__job *x = &w->jobs[i];
        csv_id(c, "JOB-", i, 6);
        csv_id(c, "CLI-", x->client, 5);
        csv_id(c, "REC-", x->recruiter, 4);
        csv_str(c, lh__titles[x->title].name);
        csv_str(c, lh__teams[lh__titles[x->title].team].name);
        csv_str(c, x->type ? "contract_to_hire" : "contract");
        csv_str(c, lh__cities[x->city].name);
        csv_str(c, lh__cities[x->city].state);
        int openings = x->openings > x->filled ? x->openings : x->filled;
        csv_int(c, openings);
        csv_cents(c, x->pay);
        csv_cents(c, x->bill);
        const char *status;
        int32_t closed = 0;
        if (x->filled && x->filled >= openings) {
            status = "filled";
            closed = x->last_start - (int32_t)lh__rng_range(&r, 3, 10);
            if (closed < x->opened)
                closed = x->opened;
        } else if (x->opened >= LH__DAY_REF - 120) {
            status = lh__rng_chance(&r, 0.9) ? "open" : "on_hold";
        } else if (x->filled) {
            status = "closed"; /* partly filled, then closed */
            closed = x->last_start + (int32_t)lh__rng_range(&r, 7, 60);
        } else {
            status = lh__rng_chance(&r, 0.5) ? "cancelled" : "closed";
            closed = x->opened + (int32_t)lh__rng_range(&r, 20, 110);
        }
        if (closed > LH__DAY_REF)
            closed = LH__DAY_REF;
        csv_str(c, status);
        csv_day(c, x->opened);
        if (closed)
            csv_day(c, closed);
        else
            csv_null(c);
        lh_buf_reset(&b);
        lh__text_job(w, i, &b);
        csv_buf(c, &b);
        csv_end(c);
        tick(p, i + 1, n);
    }
    lh_buf_release(&b);
    return LH_OK;
}

/* ---- placements ---- */

static const char *const placement_status[] = {"active", "completed", "converted", "terminated"};

static lh_status write_placements(const lh__world *w, lh__csv *c, const lh__progress *p)
{
    static const char *const cols[] = {"placement_id", "job_order_id", "candidate_id", "client_id",
                                       "recruiter_id", "start_date", "end_date", "status",
                                       "pay_rate", "bill_rate", NULL};
    header(c, cols);
    int64_t n = w->n[LH__PLACEMENTS];
    for (int64_t i = 0; i < n; i++) {
        const lh__placement *x = &w->placements[i];
        csv_id(c, "PLC-", i, 6);
        csv_id(c, "JOB-", x->job, 6);
        csv_id(c, "CAND-", x->candidate, 6);
        csv_id(c, "CLI-", w->jobs[x->job].client, 5);
        csv_id(c, "REC-", x->recruiter, 4);
        csv_day(c, x->start);
        csv_day(c, x->start + 7 * x->planned_weeks - 3); /* a Friday */
        csv_str(c, placement_status[x->status]);
        csv_cents(c, x->pay);
        csv_cents(c, x->bill);
        csv_end(c);
        tick(p, i + 1, n);
    }
    return LH_OK;
}

/* ---- timesheets: one row per placement week ---- */

static lh_status write_timesheets(const lh__world *w, lh__csv *c, const lh__progress *p)
{
    static const char *const cols[] = {"timesheet_id", "placement_id", "week_ending",
                                       "regular_hours", "overtime_hours", "pay_rate", "bill_rate",
                                       "billed_amount", "status", "submitted_at", NULL};
    header(c, cols);
    int64_t row = 0, total = w->n[LH__TIMESHEETS];
    for (int64_t i = 0; i < w->n[LH__PLACEMENTS]; i++) {
        const lh__placement *x = &w->placements[i];
        lh__rng r = lh__rng_for(T_TS_ROW, (uint64_t)i);
        int team = lh__titles[w->jobs[x->job].title].team;
        double ot_chance = team == 1 || team == 4 ? 0.35 : 0.08;
        int64_t pay = x->pay, bill = x->bill;
        int part_time = lh__rng_chance(&r, 0.08);
        for (int32_t k = 0; k < x->weeks; k++, row++) {
            if (k && k % 52 == 0) { /* yearly raise */
                pay = (pay * 103 / 100 + 12) / 25 * 25;
                bill = (bill * 103 / 100 + 12) / 25 * 25;
            }
            int32_t week_end = x->start + 6 + 7 * k; /* Sunday */
            int64_t q_reg, q_ot = 0;                 /* quarter hours */
            double u = lh__rng_unit(&r);
            if (part_time)
                q_reg = 4 * lh__rng_range(&r, 16, 30);
            else if (u < 0.78)
                q_reg = 160;
            else if (u < 0.94)
                q_reg = lh__rng_range(&r, 128, 159);
            else
                q_reg = 4 * lh__rng_range(&r, 8, 32); /* holiday or sick days */
            if (q_reg == 160 && lh__rng_chance(&r, ot_chance))
                q_ot = lh__rng_range(&r, 4, team == 4 ? 60 : 24);
            csv_id(c, "TS-", row, 7);
            csv_id(c, "PLC-", i, 6);
            csv_day(c, week_end);
            csv_cents(c, q_reg * 25);
            csv_cents(c, q_ot * 25);
            csv_cents(c, pay);
            csv_cents(c, bill);
            csv_cents(c, (q_reg * bill * 2 + q_ot * bill * 3 + 4) / 8);
            const char *st;
            if (week_end >= LH__DAY_REF - 14)
                st = lh__rng_chance(&r, 0.6) ? "submitted" : "approved";
            else
                st = (u = lh__rng_unit(&r)) < 0.985 ? "approved" : u < 0.995 ? "disputed" : "rejected";
            csv_str(c, st);
            int64_t sub = ((int64_t)week_end + lh__rng_range(&r, 1, 3)) * 86400 +
                          lh__rng_range(&r, 7 * 3600, 20 * 3600);
            if (sub > (int64_t)LH__DAY_REF * 86400 + 17 * 3600)
                sub = (int64_t)LH__DAY_REF * 86400 + 17 * 3600;
            csv_ts(c, sub);
            csv_end(c);
            tick(p, row + 1, total);
        }
    }
    return LH_OK;
}

/* ---- call logs ---- */

static const char *const cand_outcomes[] = {"connected", "voicemail", "no_answer",
                                            "interview_scheduled", "not_interested", "wrong_number"};
static const uint32_t cand_outcome_w[] = {40, 30, 14, 8, 6, 2};
static const char *const client_outcomes[] = {"connected", "voicemail", "no_answer", "new_order",
                                              "hiring_paused"};
static const uint32_t client_outcome_w[] = {55, 20, 10, 10, 5};

static lh_status write_calls(const lh__world *w, lh__csv *c, const lh__progress *p)
{
    static const char *const cols[] = {"call_id", "recruiter_id", "candidate_id", "client_id",
                                       "direction", "phone_number", "started_at",
                                       "duration_seconds", "outcome", "notes", NULL};
    header(c, cols);
    lh_buf b;
    lh_buf_init(&b, 0);
    int64_t n = w->n[LH__CALLS];
    int32_t first = LH__DAY_FIRST + 7, last = LH__DAY_REF - 1;
    for (int64_t i = 0; i < n; i++) {
        lh__rng r = lh__rng_for(T_CALL_ROW, (uint64_t)i);
        double f = ((double)i + lh__rng_unit(&r)) / (double)n;
        int32_t day = i ? first + (int32_t)((double)(last - first) * __builtin_sqrt(f)) : first;
        if (day > last)
            day = last;
        int wd = lh__weekday(day);
        if (wd >= 5)
            day -= wd - 4; /* weekends move to Friday */
        int64_t at = (int64_t)day * 86400 + lh__rng_range(&r, 8 * 3600, 18 * 3600 + 1800);
        int64_t cand = -1, client = -1;
        int32_t recruiter;
        int outcome;
        char phone[16];
        if (lh__rng_chance(&r, 0.78)) {
            int64_t k = lh__world_candidates_before(w, day);
            if (!k)
                k = 1;
            double u = lh__rng_unit(&r);
            cand = k - 1 - (int64_t)((double)k * u * u); /* recent sign-ups get more calls */
            if (cand < 0)
                cand = 0;
            const lh__candidate *x = &w->candidates[cand];
            recruiter = lh__rng_chance(&r, 0.7) ? x->recruiter
                                                 : lh__world_pick_recruiter(w, &r, lh__titles[x->title].team);
            outcome = (int)lh__rng_weighted(&r, cand_outcome_w, LH__LIST(cand_outcome_w));
            if (lh__rng_chance(&r, 0.6)) {
                int64_t kc = lh__world_clients_before(w, day);
                client = (int64_t)lh__rng_cumulative(&r, w->client_cum, (size_t)(kc ? kc : 1));
            }
            lh__candidate_phone(w, cand, phone);
        } else {
            int64_t kc = lh__world_clients_before(w, day);
            client = (int64_t)lh__rng_cumulative(&r, w->client_cum, (size_t)(kc ? kc : 1));
            recruiter = lh__rng_chance(&r, 0.75) ? w->clients[client].manager
                                                  : lh__world_pick_recruiter(w, &r, (int)lh__rng_below(&r, LH__NTEAMS));
            outcome = (int)lh__rng_weighted(&r, client_outcome_w, LH__LIST(client_outcome_w));
            lh__client_phone(w, client, phone);
        }
        int talk = outcome == 0 || outcome == 3;
        int inbound = talk && lh__rng_chance(&r, 0.25);
        int64_t secs;
        switch (outcome) {
        case 0: secs = 60 + (int64_t)(1500.0 * lh__rng_unit(&r) * lh__rng_unit(&r)); break;
        case 1: secs = lh__rng_range(&r, 15, 75); break;
        case 2: secs = 0; break;
        case 3: secs = cand >= 0 ? lh__rng_range(&r, 180, 900) : lh__rng_range(&r, 300, 1500); break;
        case 4: secs = lh__rng_range(&r, 30, 300); break;
        default: secs = lh__rng_range(&r, 5, 40); break;
        }
        csv_id(c, "CALL-", i, 7);
        csv_id(c, "REC-", recruiter, 4);
        if (cand >= 0)
            csv_id(c, "CAND-", cand, 6);
        else
            csv_null(c);
        if (client >= 0)
            csv_id(c, "CLI-", client, 5);
        else
            csv_null(c);
        csv_str(c, inbound ? "inbound" : "outbound");
        csv_str(c, phone);
        csv_ts(c, at);
        csv_int(c, secs);
        csv_str(c, cand >= 0 ? cand_outcomes[outcome] : client_outcomes[outcome]);
        lh_buf_reset(&b);
        lh__text_call(w, &r, outcome, cand, client, &b);
        csv_buf(c, &b);
        csv_end(c);
        tick(p, i + 1, n);
    }
    lh_buf_release(&b);
    return LH_OK;
}

lh_status lh__demo_write_table(const lh__world *w, int table, const char *path,
                               const lh__progress *p, int64_t *rows, lh_err *err)
{
    FILE *f = fopen(path, "wbx");
    if (!f)
        return lh_fail(err, LH_EIO, "create %s: %s", path, strerror(errno));
    char *buf = lh_malloc(1 << 20);
    if (buf)
        setvbuf(f, buf, _IOFBF, 1 << 20);
    lh__csv c = {f, 0, LH_OK};
    lh_status st;
    switch (table) {
    case LH__RECRUITERS: st = write_recruiters(w, &c, p); break;
    case LH__CLIENTS: st = write_clients(w, &c, p, err); break;
    case LH__CANDIDATES: st = write_candidates(w, &c, p); break;
    case LH__JOBS: st = write_jobs(w, &c, p); break;
    case LH__PLACEMENTS: st = write_placements(w, &c, p); break;
    case LH__TIMESHEETS: st = write_timesheets(w, &c, p); break;
    default: st = write_calls(w, &c, p); break;
    }
    int bad = ferror(f);
    if (fclose(f) && !bad)
        bad = 1;
    free(buf);
    if (!st && c.err)
        st = lh_fail(err, c.err, "%s: a field could not be built (%s)", path,
                     c.err == LH_ENOMEM ? "out of memory" : "too long");
    if (!st && bad)
        st = lh_fail(err, LH_EIO, "write %s: %s", path, strerror(errno));
    if (!st)
        *rows = w->n[table];
    return st;
}
