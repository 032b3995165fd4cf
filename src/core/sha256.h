/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4), small and without a library: the console checks
 * that the agent a host would run is, byte for byte, the one it holds. */
#ifndef CCNC_SHA256_H
#define CCNC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <ccnc/error.h>

#define CCNC_SHA256_LEN 32
#define CCNC_SHA256_HEX_LEN 64

struct ccnc_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t n;
};

void ccnc_sha256_init(struct ccnc_sha256 *c);
void ccnc_sha256_update(struct ccnc_sha256 *c, const void *data, size_t len);
void ccnc_sha256_final(struct ccnc_sha256 *c, unsigned char out[CCNC_SHA256_LEN]);
/* The digest of data as 64 lower-case hex digits and a NUL, as sha256sum
 * prints it. */
void ccnc_sha256_hex(const void *data, size_t len, char hex[CCNC_SHA256_HEX_LEN + 1]);
/* The same for a file's content.  -1 and err when it cannot be read. */
int ccnc_sha256_file_hex(const char *path, char hex[CCNC_SHA256_HEX_LEN + 1],
                         struct ccnc_error *err);

#endif
