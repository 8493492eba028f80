/* text.c: free text for search: resumes, job descriptions and call notes, assembled from
 * sentence templates and the word lists so that no two rows read alike. */
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

enum { T_RESUME = 20, T_JOBTEXT };

static size_t count_list(const char *const *list, size_t max)
{
    size_t n = 0;
    while (n < max && list[n])
        n++;
    return n;
}

static const char *pick(lh__rng *r, const char *const *list, size_t max)
{
    size_t n = count_list(list, max);
    return n ? list[lh__rng_below(r, n)] : "";
}

/* Appends k distinct entries of a NULL-terminated list, joined as "a, b and c". */
static void add_some(lh__rng *r, const char *const *list, size_t max, int k, lh_buf *out)
{
    size_t n = count_list(list, max);
    size_t idx[8];
    if ((size_t)k > n)
        k = (int)n;
    if (k > 8)
        k = 8;
    for (int a = 0; a < k; a++) {
        size_t x;
        int dup;
        do {
            x = lh__rng_below(r, n);
            dup = 0;
            for (int b = 0; b < a; b++)
                dup |= idx[b] == x;
        } while (dup);
        idx[a] = x;
        lh_buf_adds(out, a == 0 ? "" : a == k - 1 ? " and " : ", ");
        lh_buf_adds(out, list[x]);
    }
}

/* A "LO-HI|text %d" template, filled. */
static void add_win(lh__rng *r, const char *tpl, lh_buf *out)
{
    char *end;
    long lo = strtol(tpl, &end, 10);
    long hi = *end == '-' ? strtol(end + 1, &end, 10) : lo;
    const char *text = *end == '|' ? end + 1 : tpl;
    lh_buf_printf(out, " ");
    /* The template is ours (words.c) and has exactly one %d. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    lh_buf_printf(out, text, (int)lh__rng_range(r, lo, hi));
#pragma GCC diagnostic pop
}

static void add_money(lh_buf *out, int64_t cents)
{
    lh_buf_printf(out, "$%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

void lh__text_resume(const lh__world *w, int64_t i, lh_buf *out)
{
    lh__rng r = lh__rng_for(T_RESUME, (uint64_t)i);
    const lh__candidate *c = &w->candidates[i];
    const lh__title *t = &lh__titles[c->title];
    const lh__team *tm = &lh__teams[t->team];
    const lh__city *city = &lh__cities[c->city];
    if (c->years == 0)
        lh_buf_printf(out, "Entry-level %s eager to build a career in %s.", t->name,
                      pick(&r, tm->domains, 8));
    else
        lh_buf_printf(out, "%s %s with %d year%s of experience in %s.", pick(&r, lh__openers, lh__nopeners),
                      t->name, c->years, c->years == 1 ? "" : "s", pick(&r, tm->domains, 8));
    /* The resume names the skills the candidate row lists. */
    uint8_t skills[8];
    size_t ns = lh__candidate_skills(i, t->team, skills);
    size_t show = ns < 4 ? ns : 4;
    lh_buf_adds(out, " Skilled in ");
    for (size_t k = 0; k < show; k++)
        lh_buf_printf(out, "%s%s", k == 0 ? "" : k == show - 1 ? " and " : ", ", tm->skills[skills[k]]);
    lh_buf_adds(out, ".");
    if (lh__rng_chance(&r, 0.8))
        add_win(&r, pick(&r, tm->wins, 8), out);
    if (c->years > 1 && w->n[LH__CLIENTS] && lh__rng_chance(&r, 0.7)) {
        lh_buf_adds(out, " Previously spent ");
        int y = (int)lh__rng_range(&r, 1, c->years < 8 ? c->years : 8);
        lh_buf_printf(out, "%d year%s at ", y, y == 1 ? "" : "s");
        lh__client_name(w, (int64_t)lh__rng_below(&r, (uint64_t)w->n[LH__CLIENTS]), out);
        const lh__city *prev = &lh__cities[lh__rng_below(&r, lh__ncities)];
        lh_buf_printf(out, " in %s, %s.", prev->name, prev->state);
    }
    if (lh__rng_chance(&r, 0.85)) {
        const char *deg = pick(&r, tm->degrees, 5);
        if (strstr(deg, "diploma") || strstr(deg, "GED"))
            lh_buf_printf(out, " Holds %s.", deg);
        else
            lh_buf_printf(out, " Holds %s from %s.", deg, pick(&r, lh__universities, lh__nuniversities));
    }
    if (lh__rng_chance(&r, 0.5)) {
        lh_buf_adds(out, lh__rng_chance(&r, 0.5) ? " Certifications: " : " Current ");
        add_some(&r, tm->certs, 8, (int)lh__rng_range(&r, 1, 2), out);
        lh_buf_adds(out, ".");
    }
    if (lh__rng_chance(&r, 0.6))
        lh_buf_printf(out, " Known for %s and %s.", pick(&r, lh__traits, lh__ntraits),
                      pick(&r, lh__traits, lh__ntraits));
    switch (lh__rng_below(&r, 7)) {
    case 0: lh_buf_printf(out, " Open to contract and contract-to-hire roles in the %s area.", city->name); break;
    case 1: lh_buf_adds(out, " Available to start in two weeks."); break;
    case 2: lh_buf_adds(out, " Looking for a remote or hybrid role."); break;
    case 3: lh_buf_printf(out, " Willing to relocate within %s.", city->state); break;
    case 4: lh_buf_adds(out, " Bilingual in English and Spanish."); break;
    case 5: lh_buf_adds(out, " Prefers first shift; has reliable transportation."); break;
    default: lh_buf_adds(out, " Available immediately."); break;
    }
}

static const char *const schedules[] = {
    "First shift, Monday to Friday, 7am to 3:30pm.", "Second shift with paid overtime available.",
    "Rotating 12-hour shifts, every other weekend.", "Hybrid: three days a week on site.",
    "Fully on site; business casual.", "Remote-friendly with quarterly on-site meetings.",
    "Night shift differential of $2.00/hr.", "Standard business hours; free parking.",
};

void lh__text_job(const lh__world *w, int64_t i, lh_buf *out)
{
    lh__rng r = lh__rng_for(T_JOBTEXT, (uint64_t)i);
    const lh__job *j = &w->jobs[i];
    const lh__title *t = &lh__titles[j->title];
    const lh__team *tm = &lh__teams[t->team];
    lh__client_name(w, j->client, out);
    lh_buf_printf(out, " is hiring %s %s for a ", strchr("AEIOU", t->name[0]) ? "an" : "a", t->name);
    if (j->type)
        lh_buf_adds(out, "contract-to-hire");
    else
        lh_buf_printf(out, "%d-week contract", (int)(4 * lh__rng_range(&r, 3, 13)));
    lh_buf_printf(out, " assignment in %s, %s. Responsibilities: ", lh__cities[j->city].name,
                  lh__cities[j->city].state);
    add_some(&r, tm->duties, 10, 3, out);
    lh_buf_printf(out, ". Requirements: %d+ years of experience with ", t->min_years ? t->min_years : 1);
    add_some(&r, tm->skills, 24, (int)lh__rng_range(&r, 2, 3), out);
    if (lh__rng_chance(&r, 0.4))
        lh_buf_printf(out, "; %s preferred", pick(&r, tm->certs, 8));
    /* Shift work for care and industrial roles; office arrangements for the rest. */
    static const uint8_t shift_work[] = {0, 1, 2, 6}, office_work[] = {3, 4, 5, 7};
    const uint8_t *opts = t->team == 1 || t->team == 4 ? shift_work : office_work;
    lh_buf_printf(out, ". %s Pay: ", schedules[opts[lh__rng_below(&r, 4)]]);
    add_money(out, j->pay);
    lh_buf_adds(out, "/hr.");
}

static const char *const moods[] = {
    "Very interested and available in two weeks.", "Interested but wants a shorter commute.",
    "Currently interviewing elsewhere; has an offer pending.", "Asked about benefits and PTO.",
    "Prefers remote work but will consider hybrid.", "Open to second shift.",
    "Needs to give a two-week notice at the current job.", "Wants a contract-to-hire path.",
};
static const char *const next_steps[] = {
    "Sent the job description by email.", "Follow up Friday.",
    "Submitted the resume to the hiring manager.", "Will send two references tomorrow.",
    "Scheduled a screening call next week.", "Updated skills and availability in the profile.",
};
static const char *const client_topics[] = {
    "Sending three candidates by Wednesday.", "They want candidates with weekend availability.",
    "Reviewed the timesheet approval process.", "Discussed a rate increase for next quarter.",
    "Feedback on the last submittal: strong skills, weak communication.",
    "Asked for a background check and drug screen before start.",
    "Manager is happy with the current contractors and may extend them.",
};
static const char *const weekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"};

void lh__text_call(const lh__world *w, lh__rng *r, int outcome, int64_t cand, int64_t client,
                   lh_buf *out)
{
    if (cand >= 0) {
        const lh__candidate *c = &w->candidates[cand];
        const char *first = lh__first_names[c->first];
        const lh__title *t = &lh__titles[c->title];
        switch (outcome) {
        case 0:
            lh_buf_printf(out, "Spoke with %s about a %s opening", first, t->name);
            if (client >= 0) {
                lh_buf_adds(out, " at ");
                lh__client_name(w, client, out);
            }
            lh_buf_printf(out, ". %s Wants ", moods[lh__rng_below(r, LH__LIST(moods))]);
            add_money(out, ((int64_t)c->salary * 100 / 2080) / 25 * 25);
            lh_buf_printf(out, "/hr or about $%dk a year. %s", c->salary / 1000,
                          next_steps[lh__rng_below(r, LH__LIST(next_steps))]);
            break;
        case 1:
            lh_buf_printf(out, "Left voicemail for %s about the %s role", first, t->name);
            if (client >= 0) {
                lh_buf_adds(out, " with ");
                lh__client_name(w, client, out);
            }
            lh_buf_adds(out, lh__rng_chance(r, 0.5) ? ". Asked for a callback." : ". Also sent a text.");
            break;
        case 2:
            lh_buf_printf(out, "No answer. Will try %s again %s.", first,
                          weekdays[lh__rng_below(r, LH__LIST(weekdays))]);
            break;
        case 3:
            lh_buf_printf(out, "%s confirmed an interview", first);
            if (client >= 0) {
                lh_buf_adds(out, " with ");
                lh__client_name(w, client, out);
            }
            lh_buf_printf(out, " on %s at %d:%s%s. Reviewed the job description, dress code and parking.",
                          weekdays[lh__rng_below(r, LH__LIST(weekdays))], (int)lh__rng_range(r, 1, 11),
                          lh__rng_chance(r, 0.5) ? "00" : "30", lh__rng_chance(r, 0.5) ? "am" : "pm");
            break;
        case 4:
            if (lh__rng_chance(r, 0.5))
                lh_buf_printf(out, "%s is not looking right now and is happy in the current role. Check back in %d months.",
                              first, (int)lh__rng_range(r, 2, 9));
            else
                lh_buf_printf(out, "%s declined: the pay is below the $%dk expectation.", first,
                              c->salary / 1000);
            break;
        default:
            lh_buf_printf(out, "Number no longer in service for %s; emailed to ask for a new phone number.", first);
            break;
        }
        return;
    }
    uint16_t cf, cl;
    lh__client_contact(client, &cf, &cl);
    const char *contact = lh__first_names[cf];
    const lh__title *t = &lh__titles[lh__rng_below(r, lh__ntitles)];
    switch (outcome) {
    case 0:
        lh_buf_printf(out, "Spoke with %s %s at ", contact, lh__last_names[cl]);
        lh__client_name(w, client, out);
        lh_buf_printf(out, " about %d %s openings. %s", (int)lh__rng_range(r, 1, 6), t->name,
                      client_topics[lh__rng_below(r, LH__LIST(client_topics))]);
        break;
    case 1:
        lh_buf_printf(out, "Left voicemail for %s at ", contact);
        lh__client_name(w, client, out);
        lh_buf_adds(out, " to follow up on open orders.");
        break;
    case 2:
        lh_buf_adds(out, "No answer at ");
        lh__client_name(w, client, out);
        lh_buf_printf(out, "; emailed %s instead.", contact);
        break;
    case 3:
        lh_buf_printf(out, "%s called in a new order: %d x %s, %s, starting %s.", contact,
                      (int)lh__rng_range(r, 1, 8), t->name,
                      lh__rng_chance(r, 0.65) ? "contract" : "contract-to-hire",
                      weekdays[lh__rng_below(r, LH__LIST(weekdays))]);
        break;
    default:
        lh__client_name(w, client, out);
        lh_buf_printf(out, " is pausing hiring until next quarter; %s will reach out.", contact);
        break;
    }
}
