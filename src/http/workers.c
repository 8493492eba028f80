/* workers.c: the threads that run handlers. libmicrohttpd's few network threads only
 * read requests and write responses; a request whose body is complete is suspended and
 * queued here, a worker runs its handler (a query, an ingest: possibly seconds), then
 * resumes the connection so that the network thread sends the reply. The server has two
 * pools: one for the routes' work and a small one for control routes (/health, /metrics)
 * so that a pool full of long queries cannot make a health check time out. */
#include <stdlib.h>

#include "core/alloc.h"
#include "http/http_int.h"

static void *worker_main(void *arg)
{
    lh_http_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        lh_http_req *r = p->head;
        bool abandoned = p->abandon;
        if (r) {
            p->head = r->q_next;
            if (!p->head)
                p->tail = NULL;
        }
        pthread_mutex_unlock(&p->mu);
        if (!r)
            return NULL; /* stopping and nothing left */
        if (abandoned)
            lh_http_reply_error(r, 503, "unavailable", "the server is shutting down");
        else
            lh__http_run_handler(p->srv, r);
        /* taken before the resume: from then on the network thread may free r */
        void (*after)(void *) = r->after;
        void *after_ctx = r->after_ctx;
        MHD_resume_connection(r->conn);
        if (after)
            after(after_ctx);
    }
}

bool lh__http_pool_start(lh_http_server *s, lh_http_pool *p, unsigned n)
{
    p->srv = s;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threads = lh_calloc(n, sizeof *p->threads);
    if (!p->threads)
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p))
            break;
        p->n++;
    }
    return p->n > 0;
}

void lh__http_pool_submit(lh_http_pool *p, lh_http_req *r)
{
    r->q_next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->q_next = r;
    else
        p->head = r;
    p->tail = r;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void lh__http_pool_abandon(lh_http_pool *p)
{
    if (!p->srv)
        return;
    pthread_mutex_lock(&p->mu);
    p->abandon = true;
    pthread_mutex_unlock(&p->mu);
}

void lh__http_pool_stop(lh_http_pool *p)
{
    if (!p->srv)
        return; /* never started */
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    p->threads = NULL;
    p->n = 0;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    p->srv = NULL;
}
