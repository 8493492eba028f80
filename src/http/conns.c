/* conns.c: every open connection, for two limits libmicrohttpd does not give us.
 *
 * Header deadline. MHD_OPTION_CONNECTION_TIMEOUT is an idle timeout: a client that sends
 * one header byte a second never trips it and holds its connection (and a per-IP slot)
 * for as long as it likes. Here a connection must complete a request's headers within
 * header_timeout_ms of opening (or of the previous reply, on keep-alive); a sweeper
 * thread shuts down the socket of any that do not, and libmicrohttpd then closes it.
 *
 * Per-IP limit. libmicrohttpd refuses connection N+1 of an IP outright, so 64 idle
 * sockets lock that IP out (the local CLI included, as everything is 127.0.0.1). We
 * count instead, and at the limit the new connection evicts the IP's oldest *idle* one
 * (no request in progress); only when all of them are serving requests is the new one
 * refused. Idle connections can then never lock a client out.
 *
 * The slot is taken in the accept callback, under the same lock as the count: with a
 * thread pool each worker accepts on its own, and counting only connections already
 * announced as started let two accepts race past the limit. The reservation (fd -1) is
 * claimed by the "started" notification of the connection with the same peer address;
 * one libmicrohttpd refused after our accept never starts and the sweeper drops it.
 *
 * shutdown(2), never close(2): the descriptor stays libmicrohttpd's. An entry leaves
 * the list in the "closed" notification, which libmicrohttpd sends before it closes the
 * socket, and both sides hold c_mu, so we never shut down a reused descriptor. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/alloc.h"
#include "core/util.h"
#include "http/http_int.h"

enum { RESERVATION_MS = 5000 }; /* an accepted connection is announced long before this */

static unsigned short addr_text(const struct sockaddr *a, char *out, size_t n)
{
    out[0] = '\0';
    if (a && a->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)a;
        inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)n);
        return ntohs(in->sin_port);
    }
    if (a && a->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
        inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)n);
        return ntohs(in6->sin6_port);
    }
    return 0;
}

static void link_conn(lh_http_server *s, lh_http_conn *c)
{
    c->prev = NULL;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
}

static void unlink_conn(lh_http_server *s, lh_http_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

static void evict(lh_http_conn *c)
{
    c->evicted = true;
    shutdown(c->fd, SHUT_RDWR);
}

void lh__http_conn_notify(void *cls, struct MHD_Connection *mc, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    lh_http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fi = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        char ip[48];
        unsigned short port = addr_text(ai ? ai->client_addr : NULL, ip, sizeof ip);
        pthread_mutex_lock(&s->c_mu);
        lh_http_conn *c = s->conns;
        while (c && !(c->fd < 0 && c->port == port && !strcmp(c->ip, ip)))
            c = c->next;
        if (!c && (c = lh_calloc(1, sizeof *c)) != NULL) { /* no limit configured: not reserved */
            memcpy(c->ip, ip, sizeof ip);
            c->port = port;
            link_conn(s, c);
        }
        if (c) {
            c->fd = fi ? fi->connect_fd : -1;
            c->since_ms = lh_mono_ms();
        }
        pthread_mutex_unlock(&s->c_mu);
        *socket_ctx = c; /* NULL when out of memory: only the idle timeout applies to it */
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        lh_http_conn *c = *socket_ctx;
        if (!c)
            return;
        pthread_mutex_lock(&s->c_mu);
        unlink_conn(s, c);
        pthread_mutex_unlock(&s->c_mu);
        free(c);
        *socket_ctx = NULL;
    }
}

enum MHD_Result lh__http_conn_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)len;
    lh_http_server *s = cls;
    if (!s->cfg.per_ip_connections)
        return MHD_YES;
    lh_http_conn *mine = lh_calloc(1, sizeof *mine);
    if (!mine)
        return MHD_NO;
    mine->fd = -1;
    mine->port = addr_text(addr, mine->ip, sizeof mine->ip);
    mine->since_ms = lh_mono_ms();
    unsigned n = 0;
    lh_http_conn *oldest_idle = NULL;
    pthread_mutex_lock(&s->c_mu);
    for (lh_http_conn *c = s->conns; c; c = c->next) {
        if (c->evicted || strcmp(c->ip, mine->ip))
            continue;
        n++;
        if (c->fd >= 0 && !c->busy && (!oldest_idle || c->since_ms < oldest_idle->since_ms))
            oldest_idle = c;
    }
    bool ok = n < s->cfg.per_ip_connections;
    if (!ok && oldest_idle) {
        evict(oldest_idle);
        ok = true;
    }
    if (ok)
        link_conn(s, mine);
    pthread_mutex_unlock(&s->c_mu);
    if (!ok) {
        lh_log(LH_LOG_WARN, "http: %s has %u connections serving requests; refusing another", mine->ip, n);
        free(mine);
    }
    return ok ? MHD_YES : MHD_NO;
}

void lh__http_conn_busy(lh_http_server *s, struct MHD_Connection *mc, bool busy)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    lh_http_conn *c = ci ? ci->socket_context : NULL;
    if (!c)
        return;
    pthread_mutex_lock(&s->c_mu);
    c->busy = busy;
    c->since_ms = lh_mono_ms(); /* idle again: the next request's headers are due from now */
    pthread_mutex_unlock(&s->c_mu);
}

static void *sweeper_main(void *arg)
{
    lh_http_server *s = arg;
    double limit = s->cfg.header_timeout_ms ? (double)s->cfg.header_timeout_ms : 10000.0;
    pthread_mutex_lock(&s->c_mu);
    while (!s->sweeper_stop) {
        double now = lh_mono_ms();
        for (lh_http_conn *c = s->conns, *next; c; c = next) {
            next = c->next;
            if (c->fd < 0 && now - c->since_ms > RESERVATION_MS) { /* refused after our accept */
                unlink_conn(s, c);
                free(c);
            } else if (!c->busy && !c->evicted && c->fd >= 0 && now - c->since_ms > limit) {
                evict(c);
            }
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000 * 1000; /* 5 checks a second: the deadline's precision */
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->c_cv, &s->c_mu, &until);
    }
    pthread_mutex_unlock(&s->c_mu);
    return NULL;
}

bool lh__http_conns_start(lh_http_server *s)
{
    s->sweeper_running = pthread_create(&s->sweeper, NULL, sweeper_main, s) == 0;
    return s->sweeper_running;
}

void lh__http_conns_stop(lh_http_server *s)
{
    if (!s->sweeper_running)
        return;
    pthread_mutex_lock(&s->c_mu);
    s->sweeper_stop = true;
    pthread_cond_signal(&s->c_cv);
    pthread_mutex_unlock(&s->c_mu);
    pthread_join(s->sweeper, NULL);
    s->sweeper_running = false;
}

void lh__http_conns_free_reservations(lh_http_server *s)
{
    pthread_mutex_lock(&s->c_mu);
    for (lh_http_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (c->fd < 0) {
            unlink_conn(s, c);
            free(c);
        }
    }
    pthread_mutex_unlock(&s->c_mu);
}
