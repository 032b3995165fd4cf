/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The stream's stalls from readings of its connections (ccnc/stall.h). */
#include "config.h"

#include <ccnc/stall.h>
#include <ccnc/util.h>

#include "check-ccnc.h"

/* A stream read every 20 ms that moves every 100 ms, then stops for 480
 * ms (a migration's downtime and the network's relearning), then moves on. */
START_TEST(test_stall_paced_stream)
{
    struct ccnc_stall s;
    struct ccnc_stall_conn c = { 77, 1000 };
    long long t;

    ccnc_stall_init(&s);
    ck_assert_int_eq(ccnc_stall_current_ms(&s, 0), -1);
    ck_assert_int_eq(ccnc_stall_longest_ms(&s, 0), -1);
    /* the first reading says only where the count stands */
    ck_assert(!ccnc_stall_read(&s, 0, &c, 1));
    ck_assert_int_eq(ccnc_stall_longest_ms(&s, 20), -1);
    for (t = 20; t <= 1000; t += 20) {
        if (t % 100 == 0)
            c.bytes += 262144;
        ck_assert_int_eq(ccnc_stall_read(&s, t, &c, 1), t % 100 == 0);
    }
    ck_assert_int_eq(ccnc_stall_longest_ms(&s, 1000), 100);
    ck_assert_int_eq(ccnc_stall_current_ms(&s, 1010), 10);
    ck_assert_uint_eq(s.bytes, 10 * 262144ull);
    for (; t <= 1480; t += 20)
        ck_assert(!ccnc_stall_read(&s, t, &c, 1));
    /* still stalled: the stall going on counts as the longest */
    ck_assert_int_eq(ccnc_stall_current_ms(&s, 1460), 460);
    ck_assert_int_eq(ccnc_stall_longest_ms(&s, 1460), 460);
    c.bytes += 4096;
    ck_assert(ccnc_stall_read(&s, 1480, &c, 1));
    ck_assert_int_eq(ccnc_stall_current_ms(&s, 1480), 0);
    ck_assert_int_eq(ccnc_stall_longest_ms(&s, 1500), 480);
    ccnc_stall_clear(&s);
}
END_TEST

/* A reconnect: the old connection goes, a new one (another cookie) starts
 * from nothing; a connection that goes is no progress, one that comes
 * with bytes is. */
START_TEST(test_stall_reconnect)
{
    struct ccnc_stall s;
    struct ccnc_stall_conn two[] = { { 1, 5000 }, { 2, 300 } };
    struct ccnc_stall_conn fresh = { 3, 120 };

    ccnc_stall_init(&s);
    ccnc_stall_read(&s, 0, two, 2);
    two[1].bytes = 400;
    ck_assert(ccnc_stall_read(&s, 20, two, 2));
    /* connection 1 is gone, 2 did not move: no progress (the sum fell) */
    ck_assert(!ccnc_stall_read(&s, 40, &two[1], 1));
    ck_assert(!ccnc_stall_read(&s, 60, NULL, 0));
    ck_assert_int_eq(ccnc_stall_current_ms(&s, 300), 280);
    /* the new connection has moved 120 bytes since it came */
    ck_assert(ccnc_stall_read(&s, 300, &fresh, 1));
    ck_assert_int_eq(ccnc_stall_longest_ms(&s, 300), 280);
    ck_assert_uint_eq(s.bytes, 100 + 120);
    ccnc_stall_clear(&s);
}
END_TEST

/* A reading that failed part-way missed a connection: after a rebase its
 * return is no progress (it would otherwise count all its bytes), and
 * what moves after that is. */
START_TEST(test_stall_rebase)
{
    struct ccnc_stall s;
    struct ccnc_stall_conn two[] = { { 1, 5000 }, { 2, 300 } };

    ccnc_stall_init(&s);
    ccnc_stall_read(&s, 0, two, 2);
    two[0].bytes = 6000;
    ck_assert(ccnc_stall_read(&s, 20, two, 2));
    ck_assert(!ccnc_stall_read(&s, 40, &two[1], 1));   /* a partial reading */
    ccnc_stall_rebase(&s);
    ck_assert(!ccnc_stall_read(&s, 60, two, 2));       /* 1 is back: a baseline */
    ck_assert_uint_eq(s.bytes, 1000);
    two[1].bytes = 400;
    ck_assert(ccnc_stall_read(&s, 80, two, 2));
    ck_assert_uint_eq(s.bytes, 1100);
    ck_assert_int_eq(ccnc_stall_longest_ms(&s, 80), 60);
    ccnc_stall_clear(&s);
}
END_TEST

/* Nothing ever moves: no stall figure at all, not one that grows. */
START_TEST(test_stall_never_moves)
{
    struct ccnc_stall s;
    struct ccnc_stall_conn c = { 9, 42 };

    ccnc_stall_init(&s);
    for (long long t = 0; t < 2000; t += 20)
        ck_assert(!ccnc_stall_read(&s, t, &c, 1));
    ck_assert_int_eq(ccnc_stall_current_ms(&s, 2000), -1);
    ck_assert_int_eq(ccnc_stall_longest_ms(&s, 2000), -1);
    ccnc_stall_clear(&s);
}
END_TEST

/* The spans recorded samples show: one going on, one that ended between
 * two samples (longer than any a sample saw going on), short ones left
 * out, nothing from samples without figures. */
START_TEST(test_stall_spans)
{
    struct ccnc_stall_span sp[2];
    long long before = 0;

    /* 100 ms into a stall, then 400: the second shows [600, 1000] */
    ck_assert_int_eq(ccnc_stall_spans_at(700, 100, 130, &before, 300, sp), 0);
    ck_assert_int_eq(before, 130);
    ck_assert_int_eq(ccnc_stall_spans_at(1000, 400, 400, &before, 300, sp), 1);
    ck_assert_int_eq(sp[0].t0, 600);
    ck_assert_int_eq(sp[0].t1, 1000);
    /* it ended at 1050 after 450 ms: the next sample, 50 ms later */
    ck_assert_int_eq(ccnc_stall_spans_at(1100, 50, 450, &before, 300, sp), 1);
    ck_assert_int_eq(sp[0].t0, 600);
    ck_assert_int_eq(sp[0].t1, 1050);
    /* the same longest again: nothing new */
    ck_assert_int_eq(ccnc_stall_spans_at(1200, 60, 450, &before, 300, sp), 0);
    /* a stall of 320 ms that no sample saw going on beyond 299: it is
     * shorter than the longest (450), so the samples cannot place it */
    ck_assert_int_eq(ccnc_stall_spans_at(1500, 299, 450, &before, 300, sp), 0);
    /* with no minimum, a stall going on counts */
    ck_assert_int_eq(ccnc_stall_spans_at(1600, 80, 450, &before, 0, sp), 1);
    ck_assert_int_eq(sp[0].t0, 1520);
    /* no figures */
    ck_assert_int_eq(ccnc_stall_spans_at(1700, -1, -1, &before, 0, sp), 0);
    ck_assert_int_eq(before, 450);
}
END_TEST

Suite *
ccnc_stall_suite(void)
{
    Suite *s = suite_create("stall");
    TCase *tc = tcase_create("stall");

    tcase_add_test(tc, test_stall_paced_stream);
    tcase_add_test(tc, test_stall_reconnect);
    tcase_add_test(tc, test_stall_never_moves);
    tcase_add_test(tc, test_stall_spans);
    tcase_add_test(tc, test_stall_rebase);
    suite_add_tcase(s, tc);
    return s;
}
