/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 as FIPS 180-4 describes it (sha256.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/sha256.h"

static const uint32_t k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static uint32_t
ror(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void
compress(struct ccnc_sha256 *c, const unsigned char *p)
{
    uint32_t w[64], a, b, cc, d, e, f, g, h;

    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
    e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] +
                      w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1;
        d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

void
ccnc_sha256_init(struct ccnc_sha256 *c)
{
    static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

    memcpy(c->h, h0, sizeof(h0));
    c->bytes = 0;
    c->n = 0;
}

void
ccnc_sha256_update(struct ccnc_sha256 *c, const void *data, size_t len)
{
    const unsigned char *p = data;

    c->bytes += len;
    if (c->n) {
        size_t take = len < 64 - c->n ? len : 64 - c->n;
        memcpy(c->block + c->n, p, take);
        c->n += take;
        p += take;
        len -= take;
        if (c->n < 64)
            return;
        compress(c, c->block);
        c->n = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        compress(c, p);
    memcpy(c->block, p, len);
    c->n = len;
}

void
ccnc_sha256_final(struct ccnc_sha256 *c, unsigned char out[CCNC_SHA256_LEN])
{
    uint64_t bits = c->bytes * 8;

    /* 0x80, zeros up to 56 bytes into a block, the length in bits */
    c->block[c->n++] = 0x80;
    if (c->n > 56) {
        memset(c->block + c->n, 0, 64 - c->n);
        compress(c, c->block);
        c->n = 0;
    }
    memset(c->block + c->n, 0, 56 - c->n);
    for (int i = 0; i < 8; i++)
        c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    compress(c, c->block);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (unsigned char)(c->h[i] >> (24 - 8 * j));
    memset(c, 0, sizeof(*c));
}

static void
to_hex(const unsigned char *d, char *hex)
{
    static const char digits[] = "0123456789abcdef";

    for (int i = 0; i < CCNC_SHA256_LEN; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[CCNC_SHA256_HEX_LEN] = '\0';
}

void
ccnc_sha256_hex(const void *data, size_t len, char hex[CCNC_SHA256_HEX_LEN + 1])
{
    struct ccnc_sha256 c;
    unsigned char d[CCNC_SHA256_LEN];

    ccnc_sha256_init(&c);
    ccnc_sha256_update(&c, data, len);
    ccnc_sha256_final(&c, d);
    to_hex(d, hex);
}

int
ccnc_sha256_file_hex(const char *path, char hex[CCNC_SHA256_HEX_LEN + 1], struct ccnc_error *err)
{
    struct ccnc_sha256 c;
    unsigned char d[CCNC_SHA256_LEN], buf[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return ccnc_error_set(err, CCNC_ERR_IO, _("cannot read '%s': %s"), path, strerror(errno));
    ccnc_sha256_init(&c);
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return ccnc_error_set(err, CCNC_ERR_IO, _("cannot read '%s': %s"), path,
                                  strerror(e));
        }
        ccnc_sha256_update(&c, buf, (size_t)n);
    }
    close(fd);
    ccnc_sha256_final(&c, d);
    to_hex(d, hex);
    return 0;
}
