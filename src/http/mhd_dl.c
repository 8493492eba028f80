/* mhd_dl.c: libmicrohttpd, loaded on first use (core/dl.h): the functions the http module
 * calls, forwarded to libmicrohttpd.so.12 (Debian 12: libmicrohttpd12) once lh_http_load
 * opened it. A function the module starts calling must be added here (the link fails
 * until it is); a variadic one needs a hand-written forwarder, as below. */
#include <pthread.h>
#include <stdarg.h>

#include "core/dl.h"
#include "http/http_int.h"

#define MHD_FUNCS(F, V)                                                                          \
    F(struct MHD_Daemon *, MHD_start_daemon_va, (unsigned int a, uint16_t b,                     \
                                                 MHD_AcceptPolicyCallback c, void *d,            \
                                                 MHD_AccessHandlerCallback e, void *f,           \
                                                 va_list g), (a, b, c, d, e, f, g))              \
    V(MHD_stop_daemon, (struct MHD_Daemon *a), (a))                                              \
    F(MHD_socket, MHD_quiesce_daemon, (struct MHD_Daemon *a), (a))                               \
    F(enum MHD_Result, MHD_queue_response, (struct MHD_Connection *a, unsigned int b,            \
                                            struct MHD_Response *c), (a, b, c))                  \
    V(MHD_suspend_connection, (struct MHD_Connection *a), (a))                                   \
    V(MHD_resume_connection, (struct MHD_Connection *a), (a))                                    \
    F(const char *, MHD_lookup_connection_value, (struct MHD_Connection *a, enum MHD_ValueKind b, \
                                                  const char *c), (a, b, c))                     \
    F(struct MHD_Response *, MHD_create_response_from_buffer, (size_t a, void *b,                \
                                                               enum MHD_ResponseMemoryMode c),   \
      (a, b, c))                                                                                 \
    F(struct MHD_Response *, MHD_create_response_from_callback,                                  \
      (uint64_t a, size_t b, MHD_ContentReaderCallback c, void *d,                               \
       MHD_ContentReaderFreeCallback e), (a, b, c, d, e))                                        \
    F(struct MHD_Response *, MHD_create_response_from_fd64, (uint64_t a, int b), (a, b))         \
    F(enum MHD_Result, MHD_add_response_header, (struct MHD_Response *a, const char *b,          \
                                                 const char *c), (a, b, c))                      \
    V(MHD_destroy_response, (struct MHD_Response *a), (a))                                       \
    F(struct MHD_PostProcessor *, MHD_create_post_processor, (struct MHD_Connection *a, size_t b, \
                                                              MHD_PostDataIterator c, void *d),  \
      (a, b, c, d))                                                                              \
    F(enum MHD_Result, MHD_post_process, (struct MHD_PostProcessor *a, const char *b, size_t c), \
      (a, b, c))                                                                                 \
    F(enum MHD_Result, MHD_destroy_post_processor, (struct MHD_PostProcessor *a), (a))

MHD_FUNCS(LH_DL_PTR, LH_DL_PTRV)

/* Variadic in the header; no info type the module asks for reads an extra argument
 * (libmicrohttpd ignores them), so the forwarders pass none. */
static const union MHD_ConnectionInfo *(*conn_info)(struct MHD_Connection *,
                                                    enum MHD_ConnectionInfoType, ...);
static const union MHD_DaemonInfo *(*daemon_info)(struct MHD_Daemon *, enum MHD_DaemonInfoType,
                                                  ...);

static const lh_dl_sym syms[] = {MHD_FUNCS(LH_DL_ENTRY, LH_DL_ENTRYV){"MHD_get_connection_info",
                                                                      &conn_info},
                                 {"MHD_get_daemon_info", &daemon_info}};

static lh_dl_lib lib = {
    .feature = "The HTTP server",
    .package = "libmicrohttpd12",
    .sonames = {"libmicrohttpd.so.12", NULL},
    .syms = syms,
    .nsyms = sizeof syms / sizeof syms[0],
};
LH_DL_LOADER(lib, lh_http_load)

MHD_FUNCS(LH_DL_DEF, LH_DL_DEFV)

struct MHD_Daemon *(MHD_start_daemon)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                      void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    va_list ap;
    va_start(ap, dh_cls);
    struct MHD_Daemon *d = MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

const union MHD_ConnectionInfo *(MHD_get_connection_info)(struct MHD_Connection *c,
                                                          enum MHD_ConnectionInfoType type, ...)
{
    need();
    return conn_info(c, type);
}

const union MHD_DaemonInfo *(MHD_get_daemon_info)(struct MHD_Daemon *d, enum MHD_DaemonInfoType type,
                                                  ...)
{
    need();
    return daemon_info(d, type);
}
