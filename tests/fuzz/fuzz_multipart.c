/* fuzz_multipart: multipart/form-data bodies (src/http/multipart.c) through the real
 * server: libmicrohttpd's post processor feeding on_part, file parts staged to disk,
 * fields kept, the closing-boundary check, and the cleanup.
 *
 * One server runs in the process (loopback, port 0, one network thread, one worker) with
 * a single multipart route. Input: the first line is the rest of the Content-Type after
 * "multipart/form-data" (e.g. "; boundary=XyZ"; printable ASCII only, else "; boundary=B"
 * is used and the whole input is the body); the remainder is the body, sent with an exact
 * Content-Length over a fresh connection.
 * Invariants: the server answers (no hang, no 5xx); the handler sees at most 16 files,
 * each a regular file inside the staging directory whose size on disk is the size it was
 * told, with a field and a file name; staged files are removed after the request (checked
 * as "never more than one request's worth of files left in staging"). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "http/http.h"
#include "fuzz_util.h"

#define MAX_FILES 16 /* LH_HTTP_MAX_FILES */

static lh_http_server *server;
static char staging[600];

static void on_upload(lh_http_req *r, void *app)
{
    (void)app;
    size_t n = lh_http_nfiles(r);
    if (n > MAX_FILES)
        fuzz_fail("handler sees %zu files (limit %d)", n, MAX_FILES);
    for (size_t i = 0; i < n; i++) {
        const lh_http_file *f = lh_http_file_at(r, i);
        if (!f || !f->path || !f->field || !f->filename)
            fuzz_fail("file %zu lacks a path, field or file name", i);
        size_t sl = strlen(staging);
        if (strncmp(f->path, staging, sl) || f->path[sl] != '/' || strchr(f->path + sl + 1, '/'))
            fuzz_fail("staged file '%s' is not directly in the staging directory", f->path);
        struct stat sb;
        if (lstat(f->path, &sb) || !S_ISREG(sb.st_mode))
            fuzz_fail("staged file '%s' is missing or not a regular file", f->path);
        if (sb.st_size != f->size)
            fuzz_fail("staged file '%s' holds %lld bytes, the handler was told %lld", f->path,
                      (long long)sb.st_size, (long long)f->size);
    }
    if (lh_http_file_at(r, n))
        fuzz_fail("lh_http_file_at answers past the last file");
    const char *fields[] = {"", "a", "name", "dataset_name", "format"};
    size_t chars = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = lh_http_form(r, fields[i]);
        chars += v ? strlen(v) : 0;
    }
    lh_http_reply_json(r, 200, json_pack("{s:I,s:I}", "files", (json_int_t)n, "chars",
                                         (json_int_t)chars));
}

static const lh_http_route routes[] = {
    {.method = "POST", .pattern = "/upload", .handler = on_upload, .max_body = 1 << 20,
     .body = LH_BODY_MULTIPART, .summary = "fuzz upload", .handler_span = "fuzz"},
};

static void start_server(void)
{
    snprintf(staging, sizeof staging, "%s/staging", fuzz_tmpdir());
    if (mkdir(staging, 0700))
        fuzz_fail("mkdir %s: %s", staging, strerror(errno));
    lh_http_config cfg = {
        .bind = "127.0.0.1:0", .threads = 1, .workers = 1, .connection_timeout_s = 10,
        .max_body = 1 << 20, .staging_dir = staging, .routes = routes, .nroutes = 1,
    };
    lh_err err = {{0}};
    if (lh_http_start(&cfg, &server, &err))
        fuzz_fail("server: %s", err.msg);
}

static size_t staged_count(void)
{
    size_t n = 0;
    DIR *d = opendir(staging);
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += de->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void send_all(int fd, const void *p, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t w = send(fd, (const char *)p + done, n - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the server may close early (413, malformed): read its answer */
        done += (size_t)w;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!server)
        start_server();
    if (staged_count() > MAX_FILES)
        fuzz_fail("%zu staged files left behind by earlier requests", staged_count());

    char ctype[256] = "; boundary=B";
    const uint8_t *nl = memchr(data, '\n', size < 200 ? size : 200);
    if (nl) {
        bool printable = true;
        for (const uint8_t *c = data; c < nl; c++)
            printable = printable && *c >= 0x20 && *c < 0x7f;
        if (printable) {
            snprintf(ctype, sizeof ctype, "%.*s", (int)(nl - data), (const char *)data);
            size -= (size_t)(nl + 1 - data);
            data = nl + 1;
        }
    }
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST /upload HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n"
                      "Content-Type: multipart/form-data%s\r\nContent-Length: %zu\r\n\r\n",
                      (unsigned)lh_http_port(server), ctype, size);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)lh_http_port(server))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 15};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa))
        fuzz_fail("connect: %s", strerror(errno));
    send_all(fd, head, (size_t)hl);
    send_all(fd, data, size);

    char resp[4096];
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, resp + got, sizeof resp - 1 - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            fuzz_fail("the server did not answer within 15 s");
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == sizeof resp - 1)
            got = 0; /* only the status line matters; keep draining */
    }
    close(fd);
    resp[got] = 0;
    int status = 0;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) == 1 && status >= 500)
        fuzz_fail("the server answered %d: %s", status, resp);
    return 0;
}
