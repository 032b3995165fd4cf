/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256: the FIPS 180-4 examples, input cut at every place, and a file
 * against what sha256sum says of it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ccnc/util.h>

#include "check-ccnc.h"
#include "core/sha256.h"

static const struct {
    const char *in, *hex;
} vectors[] = {
    { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmn"
      "opqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

START_TEST(test_sha256_vectors)
{
    char hex[CCNC_SHA256_HEX_LEN + 1];

    ccnc_sha256_hex(vectors[_i].in, strlen(vectors[_i].in), hex);
    ck_assert_str_eq(hex, vectors[_i].hex);
}
END_TEST

/* A million 'a', fed in pieces of every size from 1 to 130 bytes. */
START_TEST(test_sha256_pieces)
{
    static char a[1000000];
    struct ccnc_sha256 c;
    unsigned char d[CCNC_SHA256_LEN], d1[CCNC_SHA256_LEN];
    char hex[CCNC_SHA256_HEX_LEN + 1];

    memset(a, 'a', sizeof(a));
    ccnc_sha256_hex(a, sizeof(a), hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    ccnc_sha256_init(&c);
    ccnc_sha256_update(&c, a, 1000);
    ccnc_sha256_final(&c, d1);
    for (size_t piece = 1; piece <= 130; piece++) {
        ccnc_sha256_init(&c);
        for (size_t at = 0; at < 1000; at += piece)
            ccnc_sha256_update(&c, a + at, at + piece > 1000 ? 1000 - at : piece);
        ccnc_sha256_final(&c, d);
        ck_assert_msg(memcmp(d, d1, sizeof(d)) == 0, "pieces of %zu differ", piece);
    }
}
END_TEST

START_TEST(test_sha256_file)
{
    char *path = ccnc_test_data("../engine/ssh-fake-agent.sh");
    char *cmd = ccnc_xasprintf("sha256sum < '%s'", path);
    char hex[CCNC_SHA256_HEX_LEN + 1], want[CCNC_SHA256_HEX_LEN + 1] = "";
    struct ccnc_error err = { 0 };
    FILE *p = popen(cmd, "r");

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fread(want, 1, CCNC_SHA256_HEX_LEN, p), CCNC_SHA256_HEX_LEN);
    pclose(p);
    ck_assert_int_eq(ccnc_sha256_file_hex(path, hex, &err), 0);
    ck_assert_str_eq(hex, want);
    ck_assert_int_eq(ccnc_sha256_file_hex("/nonexistent/ccnc-agent", hex, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/ccnc-agent"));
    ccnc_error_clear(&err);
    free(cmd);
    free(path);
}
END_TEST

Suite *
ccnc_sha256_suite(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("sha256");

    tcase_add_loop_test(tc, test_sha256_vectors, 0, (int)CCNC_ARRAY_SIZE(vectors));
    tcase_add_test(tc, test_sha256_pieces);
    tcase_add_test(tc, test_sha256_file);
    suite_add_tcase(s, tc);
    return s;
}
