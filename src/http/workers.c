/* workers.c: the threads that run handlers. libmicrohttpd's few network threads only
 * read requests and write responses; a request whose body is complete is suspended and
 * queued here, a worker runs its handler (a query, an ingest: possibly seconds), then
 * resumes the connection so that the network thread sends the reply. */
#include <stdlib.h>

#include "http/http_int.h"

static void *worker_main(void *arg)
{
    lh_http_server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->q_mu);
        while (!s->q_head && !s->q_stop)
            pthread_cond_wait(&s->q_cv, &s->q_mu);
        lh_http_req *r = s->q_head;
        if (r) {
            s->q_head = r->q_next;
            if (!s->q_head)
                s->q_tail = NULL;
        }
        pthread_mutex_unlock(&s->q_mu);
        if (!r)
            return NULL; /* stopping and nothing left */
        lh__http_run_handler(s, r);
        MHD_resume_connection(r->conn);
    }
}

bool lh__http_workers_start(lh_http_server *s, unsigned n)
{
    pthread_mutex_init(&s->q_mu, NULL);
    pthread_cond_init(&s->q_cv, NULL);
    s->workers = calloc(n, sizeof *s->workers);
    if (!s->workers)
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&s->workers[i], NULL, worker_main, s))
            break;
        s->nworkers++;
    }
    return s->nworkers > 0;
}

void lh__http_workers_submit(lh_http_server *s, lh_http_req *r)
{
    r->q_next = NULL;
    pthread_mutex_lock(&s->q_mu);
    if (s->q_tail)
        s->q_tail->q_next = r;
    else
        s->q_head = r;
    s->q_tail = r;
    pthread_cond_signal(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
}

void lh__http_workers_stop(lh_http_server *s)
{
    pthread_mutex_lock(&s->q_mu);
    s->q_stop = true;
    pthread_cond_broadcast(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
    for (unsigned i = 0; i < s->nworkers; i++)
        pthread_join(s->workers[i], NULL);
    free(s->workers);
    s->workers = NULL;
    s->nworkers = 0;
    pthread_mutex_destroy(&s->q_mu);
    pthread_cond_destroy(&s->q_cv);
}
