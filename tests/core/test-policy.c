/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The downtime limit's steering (ccnc/policy.h): each policy's start and
 * its answer to a sequence of pre-copy rounds, table-driven. */

#include "config.h"

#include <stdlib.h>

#include <ccnc/policy.h>
#include <ccnc/precopy.h>
#include <ccnc/util.h>

#include "check-ccnc.h"

#define MIB (1024LL * 1024)
#define END -2

/* remaining bytes after each round (END ends), and the limit expected
 * after it (0: left as it is) */
static const struct {
    enum ccnc_policy policy;
    int max_ms;
    int start_ms;
    long long remaining[10];
    int want[10];
} rows[] = {
    /* QEMU: the lab's limit, never changed */
    { CCNC_POLICY_QEMU, 300, 300, { 100 * MIB, 120 * MIB, 130 * MIB, END }, { 0, 0, 0 } },
    /* ccnc's: 50 ms, 50 more at each stall (not below the least seen), up to max */
    { CCNC_POLICY_LOWEST, 300, 50,
      { 100 * MIB, 20 * MIB, 25 * MIB, 19 * MIB, 19 * MIB, 30 * MIB, 40 * MIB, 50 * MIB, 60 * MIB, END },
      { 0, 0, 100, 0, 150, 200, 250, 300, 0 } },
    { CCNC_POLICY_LOWEST, 30, 30, { 10 * MIB, 11 * MIB, END }, { 0, 0 } },
    /* oVirt's minimal downtime: 100, then 150/200/300/400 after 1-4 stalls, 500 after 6 */
    { CCNC_POLICY_MINIMAL_DOWNTIME, 300, 100,
      { 50 * MIB, 60 * MIB, 60 * MIB, 60 * MIB, 60 * MIB, 60 * MIB, 60 * MIB, 10 * MIB, END },
      { 0, 150, 200, 300, 400, 0, 500, 0 } },
    /* Nova's ladder: max/10 to start; rounds alone do not raise it */
    { CCNC_POLICY_LADDER, 500, 50, { 50 * MIB, 60 * MIB, 70 * MIB, END }, { 0, 0, 0 } },
};

START_TEST(test_policy_rows)
{
    struct ccnc_policy_state st;

    ck_assert_int_eq(ccnc_policy_start(&st, rows[_i].policy, rows[_i].max_ms, 192 * MIB),
                     rows[_i].start_ms);
    for (int k = 0; rows[_i].remaining[k] != END; k++) {
        const char *why = "x";
        int got = ccnc_policy_on_round(&st, k + 1, rows[_i].remaining[k], 100 * (k + 1), &why);

        ck_assert_msg(got == rows[_i].want[k], "%s round %d: %d, want %d",
                      ccnc_policy_to_string(rows[_i].policy), k, got, rows[_i].want[k]);
        ck_assert(got ? why != NULL : why == NULL);
        if (got)
            ck_assert_int_eq(st.limit_ms, got);
        ck_assert_int_le(st.limit_ms, rows[_i].policy == CCNC_POLICY_MINIMAL_DOWNTIME
                                          ? 500 : rows[_i].max_ms);
    }
}
END_TEST

/* A round's statistics read twice (the event came after a late read) are
 * one round: no stall, so the limit stays; a round of unknown number
 * counts as before. */
START_TEST(test_policy_round_twice)
{
    struct ccnc_policy_state st;
    const char *why;

    ck_assert_int_eq(ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 300, 192 * MIB), 50);
    ck_assert_int_eq(ccnc_policy_on_round(&st, 1, 100 * MIB, 700, &why), 0);
    ck_assert_int_eq(ccnc_policy_on_round(&st, 2, 10 * MIB, 1054, &why), 0);
    ck_assert_int_eq(ccnc_policy_on_round(&st, 2, 10 * MIB, 1055, &why), 0);
    ck_assert_ptr_null(why);
    ck_assert_int_eq(st.stalls, 0);
    ck_assert_int_eq(st.limit_ms, 50);
    /* an older round's statistics, come late, are no stall either */
    ck_assert_int_eq(ccnc_policy_on_round(&st, 1, 100 * MIB, 1056, &why), 0);
    /* the next round that leaves no less is one */
    ck_assert_int_eq(ccnc_policy_on_round(&st, 3, 10 * MIB, 1100, &why), 100);
    ck_assert_str_eq(why, "stalled rounds");
    ck_assert_int_eq(ccnc_policy_on_round(&st, -1, 11 * MIB, 1200, &why), 150);
    ck_assert_int_eq(ccnc_policy_on_round(&st, -1, 11 * MIB, 1300, &why), 200);
}
END_TEST

START_TEST(test_policy_ladder_clock)
{
    struct ccnc_policy_state st;
    const char *why;

    /* 192 MiB counts as 2 GiB: a step every 150 s, 50 -> 95 -> ... -> 500 */
    ck_assert_int_eq(ccnc_policy_start(&st, CCNC_POLICY_LADDER, 500, 192 * MIB), 50);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 149999, &why), 0);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 150000, &why), 95);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 160000, &why), 0);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 3 * 150000, &why), 185);   /* a step skipped */
    ck_assert_int_eq(ccnc_policy_on_time(&st, 100 * 150000LL, &why), 500);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 200 * 150000LL, &why), 0);
    /* 8 GiB: a step every 600 s */
    ccnc_policy_start(&st, CCNC_POLICY_LADDER, 500, 8192.0 * MIB);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 599999, &why), 0);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 600000, &why), 95);
    /* the others ignore the clock */
    ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 300, 0);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 1000000, &why), 0);
}
END_TEST

/* The highest limit each policy would ever set: a course hopeless even
 * there is given up. */
START_TEST(test_policy_highest)
{
    struct ccnc_policy_state st;
    const char *why;

    ccnc_policy_start(&st, CCNC_POLICY_QEMU, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_highest(&st), 300);
    ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 400, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_highest(&st), 400);
    /* the ladder ends at the lab's maximum, after its tenth step */
    ccnc_policy_start(&st, CCNC_POLICY_LADDER, 500, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_highest(&st), 500);
    ck_assert_int_eq(ccnc_policy_on_time(&st, 10 * 150000, &why), ccnc_policy_highest(&st));
    /* minimal-downtime: 500 ms at its last step, whatever the lab's maximum */
    ccnc_policy_start(&st, CCNC_POLICY_MINIMAL_DOWNTIME, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_highest(&st), 500);
    for (int k = 1; k <= 7; k++)
        ccnc_policy_on_round(&st, k, 10 * MIB, 1000 * k, &why);
    ck_assert_int_eq(st.limit_ms, ccnc_policy_highest(&st));
}
END_TEST

START_TEST(test_policy_names)
{
    for (int p = 0; p < CCNC_POLICY_LAST; p++)
        ck_assert_int_eq(ccnc_policy_from_string(ccnc_policy_to_string((enum ccnc_policy)p)), p);
    ck_assert_int_eq(ccnc_policy_from_string("fastest"), -1);
    ck_assert_int_eq(ccnc_policy_from_string(NULL), -1);
    ck_assert(ccnc_policy_auto_converge(CCNC_POLICY_MINIMAL_DOWNTIME));
    ck_assert(!ccnc_policy_auto_converge(CCNC_POLICY_LOWEST));
}
END_TEST

/* The steps each policy raises the limit by. */
START_TEST(test_policy_next)
{
    struct ccnc_policy_state st;

    ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_next(&st, 50), 100);
    ck_assert_int_eq(ccnc_policy_next(&st, 280), 300);
    ck_assert_int_eq(ccnc_policy_next(&st, 300), 0);
    ccnc_policy_start(&st, CCNC_POLICY_MINIMAL_DOWNTIME, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_next(&st, 100), 150);
    ck_assert_int_eq(ccnc_policy_next(&st, 300), 400);
    ck_assert_int_eq(ccnc_policy_next(&st, 500), 0);
    ccnc_policy_start(&st, CCNC_POLICY_QEMU, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_next(&st, 300), 0);
    ccnc_policy_start(&st, CCNC_POLICY_LADDER, 500, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_next(&st, 50), 500);
}
END_TEST

/* Rounds every 4 s at 10 MB/s, each leaving shrink of the one before
 * (the first, the whole RAM). */
static size_t
rounds_of(struct ccnc_precopy_round *r, size_t n, double shrink)
{
    double left = 100e6;

    for (size_t i = 0; i < n; i++) {
        r[i] = (struct ccnc_precopy_round){ .iteration = (double)(i + 1),
                                            .elapsed_ms = 4000.0 * (double)(i + 1),
                                            .processed = -1,
                                            .remaining = i == 0 ? 512e6 : left,
                                            .dirty_pages_s = -1,
                                            .bps = 10e6 };
        if (i)
            left *= shrink;
    }
    return n;
}

static double
end_at(const struct ccnc_precopy_round *r, size_t n, int limit_ms)
{
    struct ccnc_precopy_to_go g;

    ck_assert_int_eq(ccnc_precopy_to_go(r, n, 0, limit_ms, &g), CCNC_PRECOPY_SHRINKING);
    return g.elapsed_ms + g.ms;
}

/* 'lowest' on the rounds' course: raised to the lowest step whose course
 * ends within 80 % of the timeout when the one in force does not; to the
 * highest when none does; not before round 4, not in time, not for a
 * course that does not shrink (a stall's), not under another policy. */
START_TEST(test_policy_course)
{
    struct ccnc_precopy_round r[8];
    struct ccnc_policy_state st;
    double e50, e300, deadline;
    const char *why;
    size_t n = rounds_of(r, 6, 0.9);
    int got;

    e50 = end_at(r, n, 50);
    e300 = end_at(r, n, 300);
    ck_assert(e300 < e50);
    /* in time at 50 ms: left */
    ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_on_course(&st, r, n, 0, e50 / CCNC_POLICY_COURSE_SHARE + 1000,
                                           &why), 0);
    ck_assert_ptr_null(why);
    ck_assert_int_eq(st.limit_ms, 50);
    /* in time only higher: the lowest step that is */
    deadline = (e50 + e300) / 2;
    got = ccnc_policy_on_course(&st, r, n, 0, deadline / CCNC_POLICY_COURSE_SHARE, &why);
    ck_assert_int_gt(got, 50);
    ck_assert_int_le(got, 300);
    ck_assert_str_eq(why, CCNC_POLICY_COURSE_WHY);
    ck_assert_int_eq(st.limit_ms, got);
    ck_assert(end_at(r, n, got) <= deadline + 1e-6);
    ck_assert(end_at(r, n, got - 50) > deadline);
    /* said again on the same course: already there */
    ck_assert_int_eq(ccnc_policy_on_course(&st, r, n, 0, deadline / CCNC_POLICY_COURSE_SHARE,
                                           &why), 0);
    /* in time nowhere: the highest */
    ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_on_course(&st, r, n, 0, 1000, &why), 300);
    /* round 3: too soon to say */
    ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_on_course(&st, r, 3, 0, 1000, &why), 0);
    /* not shrinking: the stalls' */
    rounds_of(r, 6, 1.0);
    ck_assert_int_eq(ccnc_policy_on_course(&st, r, n, 0, 1000, &why), 0);
    /* another policy */
    rounds_of(r, 6, 0.9);
    ccnc_policy_start(&st, CCNC_POLICY_MINIMAL_DOWNTIME, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_on_course(&st, r, n, 0, 1000, &why), 0);
    ccnc_policy_start(&st, CCNC_POLICY_QEMU, 300, 192 * MIB);
    ck_assert_int_eq(ccnc_policy_on_course(&st, r, n, 0, 1000, &why), 0);
}
END_TEST

/* A stall after a raise on the course: a step above that, not the
 * stalls' count. */
START_TEST(test_policy_stall_after_course)
{
    struct ccnc_precopy_round r[8];
    struct ccnc_policy_state st;
    const char *why;
    size_t n = rounds_of(r, 6, 0.9);

    ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 300, 192 * MIB);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(ccnc_policy_on_round(&st, (int)r[i].iteration, (long long)r[i].remaining,
                                              (long long)r[i].elapsed_ms, &why), 0);
    st.limit_ms = 150;   /* as on_course would have set it */
    ck_assert_int_eq(ccnc_policy_on_round(&st, 7, (long long)r[5].remaining, 28000, &why), 200);
    ck_assert_str_eq(why, "stalled rounds");
}
END_TEST

Suite *
ccnc_policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("steer");

    tcase_add_loop_test(tc, test_policy_rows, 0, (int)CCNC_ARRAY_SIZE(rows));
    tcase_add_test(tc, test_policy_round_twice);
    tcase_add_test(tc, test_policy_ladder_clock);
    tcase_add_test(tc, test_policy_highest);
    tcase_add_test(tc, test_policy_names);
    tcase_add_test(tc, test_policy_next);
    tcase_add_test(tc, test_policy_course);
    tcase_add_test(tc, test_policy_stall_after_course);
    suite_add_tcase(s, tc);
    return s;
}
