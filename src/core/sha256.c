/* sha256.c: SHA-256 over OpenSSL's EVP interface; the only file that includes OpenSSL. */
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/util.h"

struct lh_sha256 {
    EVP_MD_CTX *md;
};

lh_sha256 *lh_sha256_new(void)
{
    /* the wrapper through lh_malloc, so the allocation torture loop reaches hashing too */
    lh_sha256 *h = lh_malloc(sizeof *h);
    if (!h)
        return NULL;
    h->md = EVP_MD_CTX_new();
    if (!h->md || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1) {
        lh_sha256_free(h);
        return NULL;
    }
    return h;
}

void lh_sha256_update(lh_sha256 *h, const void *data, size_t len)
{
    if (len)
        EVP_DigestUpdate(h->md, data, len);
}

void lh_sha256_final(lh_sha256 *h, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(h->md, md, &mdlen);
    lh_hex_encode(md, sizeof md, out);
}

void lh_sha256_free(lh_sha256 *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->md);
    free(h);
}

void lh_sha256_hex(const void *data, size_t len, char out[65])
{
    /* EVP_Digest needs no context from us: it cannot fail for want of memory here */
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    lh_hex_encode(md, sizeof md, out);
}

lh_status lh_sha256_file(const char *path, char out[65], int64_t *size, lh_err *err)
{
    return lh_sha256_file_nul(path, out, size, NULL, err);
}

lh_status lh_sha256_file_nul(const char *path, char out[65], int64_t *size, int64_t *first_nul,
                             lh_err *err)
{
    if (first_nul)
        *first_nul = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return lh_fail(err, errno == ENOENT ? LH_ENOTFOUND : LH_EIO, "open %s: %s", path,
                       strerror(errno));
    lh_sha256 *h = lh_sha256_new();
    if (!h) {
        close(fd);
        return lh_fail(err, LH_ENOMEM, "out of memory hashing %s", path);
    }
    static __thread unsigned char chunk[1 << 16];
    int64_t total = 0;
    lh_status st = LH_OK;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = lh_fail(err, LH_EIO, "read %s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        lh_sha256_update(h, chunk, (size_t)n);
        if (first_nul && *first_nul < 0) {
            const unsigned char *z = memchr(chunk, '\0', (size_t)n);
            if (z)
                *first_nul = total + (z - chunk);
        }
        total += n;
    }
    if (!st) {
        lh_sha256_final(h, out);
        if (size)
            *size = total;
    }
    lh_sha256_free(h);
    close(fd);
    return st;
}
