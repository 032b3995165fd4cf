/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lines out of a stream cut in pieces: every cut gives the same lines, a
 * long line costs work in proportion to its length (counted, not timed),
 * and a line past the limit is refused. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "check-ccnc.h"
#include "core/linebuf.h"

struct got {
    size_t n;
    char lines[8][32];
    size_t longest;
    size_t stop_after;     /* 0: never stop */
};

static bool
take(void *data, char *line, size_t len)
{
    struct got *g = data;

    ck_assert_uint_eq(strlen(line), len);
    if (g->n < CCNC_ARRAY_SIZE(g->lines))
        snprintf(g->lines[g->n], sizeof(g->lines[0]), "%.*s", 31, line);
    g->n++;
    if (len > g->longest)
        g->longest = len;
    return !g->stop_after || g->n < g->stop_after;
}

/* "ab\ncd\n\nlast" cut at every place: the same three lines and the rest. */
START_TEST(test_linebuf_cuts)
{
    const char *text = "ab\ncd\n\nlast";
    size_t len = strlen(text), cut = (size_t)_i, rest_len = 0;
    struct ccnc_linebuf lb = { .max = 16 };
    struct got g = { 0 };
    char *rest;

    ck_assert_int_eq(ccnc_linebuf_feed(&lb, text, cut, take, &g), 0);
    ck_assert_int_eq(ccnc_linebuf_feed(&lb, text + cut, len - cut, take, &g), 0);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_str_eq(g.lines[0], "ab");
    ck_assert_str_eq(g.lines[1], "cd");
    ck_assert_str_eq(g.lines[2], "");
    rest = ccnc_linebuf_rest(&lb, &rest_len);
    ck_assert_str_eq(rest, "last");
    ck_assert_uint_eq(rest_len, 4);
    ck_assert_ptr_null(ccnc_linebuf_rest(&lb, &rest_len));
    ccnc_linebuf_clear(&lb);
}
END_TEST

/* A callback that stops: the lines after it come with the next feed. */
START_TEST(test_linebuf_stop)
{
    struct ccnc_linebuf lb = { .max = 16 };
    struct got g = { .stop_after = 1 };

    ck_assert_int_eq(ccnc_linebuf_feed(&lb, "one\ntwo\n", 8, take, &g), 0);
    ck_assert_uint_eq(g.n, 1);
    g.stop_after = 0;
    ck_assert_int_eq(ccnc_linebuf_feed(&lb, "three\n", 6, take, &g), 0);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_str_eq(g.lines[1], "two");
    ck_assert_str_eq(g.lines[2], "three");
    ccnc_linebuf_clear(&lb);
}
END_TEST

/* A line just under the limit, fed 100 bytes at a time (an SSH channel
 * hands over what arrived): each byte is looked at once, not once per
 * piece (which would be some 5e9 bytes here). */
START_TEST(test_linebuf_long_line_linear)
{
    const size_t max = 1024 * 1024, piece = 100;
    struct ccnc_linebuf lb = { .max = max };
    struct got g = { 0 };
    char *line = ccnc_xmalloc(max + 1);
    size_t fed = 0;

    memset(line, 'x', max);
    line[max] = '\n';
    while (fed < max + 1) {
        size_t n = max + 1 - fed < piece ? max + 1 - fed : piece;
        ck_assert_int_eq(ccnc_linebuf_feed(&lb, line + fed, n, take, &g), 0);
        fed += n;
    }
    ck_assert_uint_eq(g.n, 1);
    ck_assert_uint_eq(g.longest, max);
    ck_assert_msg(lb.examined <= max + 1, "%llu bytes looked at for a line of %zu",
                  lb.examined, max + 1);
    free(line);
    ccnc_linebuf_clear(&lb);
}
END_TEST

/* Past the limit: refused as soon as the partial line is too long, and a
 * complete line too long is not delivered. */
START_TEST(test_linebuf_over_limit)
{
    struct ccnc_linebuf lb = { .max = 1000 };
    struct got g = { 0 };
    char piece[100];
    int rc = 0;
    size_t fed = 0;

    memset(piece, 'y', sizeof(piece));
    while (rc == 0 && fed < 5000) {
        rc = ccnc_linebuf_feed(&lb, piece, sizeof(piece), take, &g);
        fed += sizeof(piece);
    }
    ck_assert_int_eq(rc, -1);
    ck_assert_uint_eq(fed, 1100);    /* the first piece that went past 1000 */
    ck_assert_uint_eq(g.n, 0);
    ccnc_linebuf_clear(&lb);

    {
        char *big = ccnc_xmalloc(1100);
        struct ccnc_linebuf lb2 = { .max = 1000 };
        memcpy(big, "ok\n", 3);
        memset(big + 3, 'z', 1096);
        big[1099] = '\n';
        ck_assert_int_eq(ccnc_linebuf_feed(&lb2, big, 1100, take, &g), -1);
        ck_assert_uint_eq(g.n, 1);     /* "ok" came; the long line did not */
        ck_assert_str_eq(g.lines[0], "ok");
        free(big);
        ccnc_linebuf_clear(&lb2);
    }
}
END_TEST

Suite *
ccnc_linebuf_suite(void)
{
    Suite *s = suite_create("linebuf");
    TCase *tc = tcase_create("linebuf");

    tcase_add_loop_test(tc, test_linebuf_cuts, 0, 12);
    tcase_add_test(tc, test_linebuf_stop);
    tcase_add_test(tc, test_linebuf_long_line_linear);
    tcase_add_test(tc, test_linebuf_over_limit);
    suite_add_tcase(s, tc);
    return s;
}
