/* watchdog.c: query deadlines, one thread per engine for all of them.
 *
 * A query with a timeout arms a deadline (its connection and a CLOCK_MONOTONIC time) in a
 * list kept soonest first; the thread sleeps on a condition variable until the first
 * deadline or a change to the list, and interrupts the connection of every deadline that
 * passed (duckdb_interrupt: the statement running on it fails, the connection stays
 * usable). Before, each query started a thread of its own for this, a clone per request.
 * The list is short (one entry per running query with a deadline), so a sorted list does:
 * arming walks it, the thread only looks at its head.
 *
 * DuckDB forgets an interrupt that arrives while the connection is between two statements
 * (the flag is cleared when the next one starts: checked against 1.4.4), and a query here
 * is several statements (the gate's serializer, the prepare, the execution). So a deadline
 * that fired stays in the list and interrupts its connection again every REFIRE_MS until
 * the query disarms it: whatever statement the query starts after its deadline ends
 * within that time.
 *
 * Arming signals the thread only when the new deadline is sooner than the time it sleeps
 * until (dog_wake). A disarmed head leaves the thread asleep until that head's old time,
 * when it wakes, finds nothing due and sleeps again: one spurious wake, instead of a
 * wake-up (and, on a loaded 2-core machine, a context switch) for every query, which is
 * what signalling every new head cost when queries run one after the other and each
 * finds the list empty. */
#include <pthread.h>
#include <time.h>

#include "engine/engine_int.h"

#define REFIRE_MS 10

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Puts d in the list by its time. Caller holds dog_mu. */
static void insert_locked(lh_engine *e, lh__deadline *d)
{
    lh__deadline **p = &e->deadlines;
    while (*p && !before(&d->at, &(*p)->at))
        p = &(*p)->next;
    d->next = *p;
    *p = d;
}

static void add_ms(struct timespec *t, int64_t ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static void *watchdog_main(void *arg)
{
    lh_engine *e = arg;
    pthread_mutex_lock(&e->dog_mu);
    while (!e->dog_stop) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        while (e->deadlines && !before(&now, &e->deadlines->at)) {
            lh__deadline *d = e->deadlines;
            e->deadlines = d->next;
            d->fired = true;
            /* Under dog_mu: disarm waits for it, so the connection is still the query's. */
            duckdb_interrupt(d->conn);
            d->at = now; /* again soon, until disarmed (see the top of the file) */
            add_ms(&d->at, REFIRE_MS);
            insert_locked(e, d);
        }
        e->dog_timed = e->deadlines != NULL;
        if (e->dog_timed) {
            e->dog_wake = e->deadlines->at;
            pthread_cond_timedwait(&e->dog_cv, &e->dog_mu, &e->dog_wake);
        } else {
            pthread_cond_wait(&e->dog_cv, &e->dog_mu);
        }
        e->dog_wakes++;
    }
    pthread_mutex_unlock(&e->dog_mu);
    return NULL;
}

/* Caller holds dog_mu. */
static bool start_locked(lh_engine *e)
{
    if (e->dog_started)
        return true;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&e->dog_cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc)
        return false;
    if (pthread_create(&e->dog, NULL, watchdog_main, e)) {
        pthread_cond_destroy(&e->dog_cv);
        return false;
    }
    e->dog_started = true;
    return true;
}

bool lh__watchdog_arm(lh_engine *e, lh__deadline *d, duckdb_connection conn, int64_t timeout_ms)
{
    clock_gettime(CLOCK_MONOTONIC, &d->at);
    add_ms(&d->at, timeout_ms);
    d->conn = conn;
    d->fired = false;
    pthread_mutex_lock(&e->dog_mu);
    bool ok = !e->dog_stop && start_locked(e);
    if (ok) {
        insert_locked(e, d);
        d->armed = true;
        /* Sooner than the thread's wake-up time: it would sleep too long. dog_timed and
         * dog_wake are the thread's, set under dog_mu before it waits (false until it
         * first runs: signalled then, harmlessly). */
        if (!e->dog_timed || before(&d->at, &e->dog_wake))
            pthread_cond_signal(&e->dog_cv);
    }
    pthread_mutex_unlock(&e->dog_mu);
    return ok;
}

bool lh__watchdog_disarm(lh_engine *e, lh__deadline *d)
{
    pthread_mutex_lock(&e->dog_mu);
    if (d->armed) {
        lh__deadline **p = &e->deadlines;
        while (*p && *p != d)
            p = &(*p)->next;
        lh_assert(*p == d);
        *p = d->next;
        d->armed = false;
    }
    bool fired = d->fired;
    pthread_mutex_unlock(&e->dog_mu);
    return fired;
}

bool lh__watchdog_fired(lh_engine *e, const lh__deadline *d)
{
    pthread_mutex_lock(&e->dog_mu);
    bool fired = d->fired;
    pthread_mutex_unlock(&e->dog_mu);
    return fired;
}

void lh__watchdog_stop(lh_engine *e)
{
    pthread_mutex_lock(&e->dog_mu);
    bool started = e->dog_started;
    e->dog_stop = true;
    if (started)
        pthread_cond_signal(&e->dog_cv);
    pthread_mutex_unlock(&e->dog_mu);
    if (started) {
        pthread_join(e->dog, NULL);
        pthread_cond_destroy(&e->dog_cv);
    }
}
