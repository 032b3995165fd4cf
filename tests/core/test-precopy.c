/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pre-copy model: hand-computed cases (a 1 GiB guest on a 1 Gb/s
 * link, as in the thesis' Fig. 17), what makes a stalled migration
 * converge, input it refuses, and libvirt's statistics of real migrations
 * on the lab (tests/data/migration): learnt from one, each is predicted
 * exactly again, and the next one between the same hosts within the
 * error the figures below record. */
#include "config.h"

#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ccnc/action.h>
#include <ccnc/forecast.h>
#include <ccnc/policy.h>
#include <ccnc/precopy.h>
#include <ccnc/runlog.h>
#include <ccnc/util.h>

#include "check-ccnc.h"

#define GIB 1073741824.0
#define MIB 1048576.0
#define GBIT 125e6 /* 1 Gb/s in bytes per second */

struct row {
    const char *name;
    double dirty_bps, working_set, limit_ms;
    bool converges;
    int rounds;
    double total_ms, downtime_ms, sent_bytes;
};

/* 1 GiB, 1 Gb/s, no setup, no switch-over learnt: the RAM alone.  At
 * QEMU's 300 ms limit the threshold is 37.5 MB; a check sends 6.25 MB, so a
 * sync finds 34.375 MB unsent on average (the tail), which an idle guest's
 * stop sends in 275 ms. */
#define TAIL_300 34375000.0
#define FIRST_300 8314.934592 /* ms: the first round less its tail */
static const struct row rows[] = {
    /* nothing dirtied: one sync at the first round's tail, and the stop */
    { "idle", 0, 0, 0, true, 1, FIRST_300 + 275, 275, GIB },
    /* half the rate: each sync finds half of what the one before added,
     * until a check's time apart (the eighth finds 4.06 MB); then each
     * succeeds with a chance of a half: 1.3 syncs more expected, and the
     * stop sends the tail and half of a check's dirtying (3.125 MB) */
    { "half", GBIT / 2, 0, 0, true, 9, 16917.369184, 287.5, 2110611121.3 },
    /* the same with a 100 ms limit: a tail of 9.375 MB, 200 ms less */
    { "half-100ms", GBIT / 2, 0, 100, true, 9, 17117.369184, 87.5, 2135513465.1 },
    /* dirtying as fast as the link: the second sync finds as much as the
     * first */
    { "at-rate", GBIT, 0, 0, false, 2, FIRST_300 * 2, 0, 2078733648.0 },
    /* twice the link's rate on a 64 MiB working set: the second sync finds
     * all of it dirty again, more than the threshold */
    { "wss-64", 2 * GBIT, 64 * MIB, 0, false, 2, FIRST_300 + 536.870912, 0, GIB - TAIL_300 + 64 * MIB },
    /* the same working set fits under a 600 ms limit (75 MB): the stop
     * sends the tail of the working set's round (71.875 MB) */
    { "wss-64-600ms", 2 * GBIT, 64 * MIB, 600, true, 2, 9126.805504, 575, GIB + 64 * MIB },
};

static struct ccnc_precopy_input
gib_on_gbit(void)
{
    struct ccnc_precopy_input in = { .memory_bytes = GIB, .rate_bps = GBIT };

    return in;
}

START_TEST(test_precopy_rows)
{
    const struct row *r = &rows[_i];
    struct ccnc_precopy_input in = gib_on_gbit();
    struct ccnc_precopy_prediction p;

    in.dirty_bps = r->dirty_bps;
    in.working_set_bytes = r->working_set;
    in.limit_ms = r->limit_ms;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert_msg(p.converges == r->converges, "%s: converges %d", r->name, p.converges);
    ck_assert_msg(p.rounds == r->rounds, "%s: %d rounds", r->name, p.rounds);
    ck_assert_msg(fabs(p.total_ms - r->total_ms) < 0.01, "%s: total %.3f ms, not %.3f", r->name,
                  p.total_ms, r->total_ms);
    ck_assert_msg(fabs(p.downtime_ms - r->downtime_ms) < 0.01, "%s: downtime %.3f ms", r->name,
                  p.downtime_ms);
    ck_assert_msg(fabs(p.sent_bytes - r->sent_bytes) < 1, "%s: sent %.0f", r->name, p.sent_bytes);
    ck_assert_double_eq_tol(p.threshold_bytes,
                            GBIT * (r->limit_ms > 0 ? r->limit_ms : 300) / 1000, 1e-6);
}
END_TEST

/* Setup, the switch-over's cost, the network's extra, and the share of the
 * RAM that goes on the wire all land where they belong. */
START_TEST(test_precopy_parts)
{
    struct ccnc_precopy_input in = gib_on_gbit();
    struct ccnc_precopy_prediction p;

    in.first_round_bytes = GIB / 4;
    in.setup_ms = 10;
    in.switchover_ms = 150;
    in.gap_extra_ms = 85;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(p.converges);
    /* the first round less its tail; the switch-over learnt at this limit */
    ck_assert_double_eq_tol(p.total_ms, 10 + 8589.934592 / 4 - 275 + 150, 1e-6);
    ck_assert_double_eq_tol(p.downtime_ms, 150, 1e-9);
    ck_assert_double_eq_tol(p.gap_ms, 235, 1e-9);
    ck_assert_double_eq_tol(p.rest_bytes, TAIL_300, 1e-6);
    /* learnt at a 50 ms limit (a tail of 25 ms at the link's rate): at
     * 300 ms the tail is 250 ms longer, taken at half the share the learnt
     * figure allows (150 ms for 25: all of it) */
    in.switchover_limit_ms = 50;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert_double_eq_tol(p.downtime_ms, 150 + 250 * 0.5, 1e-6);
    /* and back: 400 ms learnt at 300 (k <= 400 / 275: at most all of it),
     * at 50 ms 125 ms less */
    in.switchover_ms = 400;
    in.switchover_limit_ms = 300;
    in.limit_ms = 50;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert_double_eq_tol(p.downtime_ms, 400 - 250 * 0.5, 1e-6);
    /* a first round bigger than the RAM is the RAM */
    in.first_round_bytes = 2 * GIB;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert_double_eq_tol(p.sent_bytes, GIB, 1e-6);
}
END_TEST

/* What would make it converge: each answer converges, and a hair less
 * does not. */
/* QEMU's auto-converge: a guest dirtying twice the link's rate over its
 * whole RAM never converges alone; throttled (20 %, then 10 % more at every
 * second stalled period of a second) it does, slowed to at least half; one
 * dirtying far beyond what 99 % leaves does not, and the model gives up in
 * bounded time.  More throttle is never slower to converge than less. */
START_TEST(test_precopy_auto_converge)
{
    struct ccnc_precopy_input in = gib_on_gbit();
    struct ccnc_precopy_prediction p, q;

    in.dirty_bps = 2 * GBIT;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(!p.converges);
    ck_assert_int_eq(p.throttle_pct, 0);
    in.auto_converge = true;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert_msg(p.converges, "rounds %d, %g ms, throttle %d", p.rounds, p.total_ms,
                  p.throttle_pct);
    ck_assert_int_ge(p.throttle_pct, 50);
    ck_assert_int_le(p.throttle_pct, CCNC_PRECOPY_THROTTLE_MAX);
    /* the first throttle comes after two stalled periods of a second */
    ck_assert(p.total_ms > 2 * CCNC_PRECOPY_THROTTLE_PERIOD_MS);
    ck_assert(p.downtime_ms <= 300 + 1);
    /* a guest that dirties less is throttled less and done sooner */
    in.dirty_bps = 1.2 * GBIT;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &q), 0);
    ck_assert(q.converges);
    ck_assert_int_le(q.throttle_pct, p.throttle_pct);
    ck_assert(q.total_ms <= p.total_ms);
    /* 500 times the link: 1 % of it is still 5 times the link */
    in.dirty_bps = 500 * GBIT;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(!p.converges);
    ck_assert_int_eq(p.throttle_pct, CCNC_PRECOPY_THROTTLE_MAX);
    ck_assert(p.total_ms <= CCNC_PRECOPY_GIVE_UP_MS + 10000);
    /* an idle guest: nothing to throttle, the same as without */
    in.dirty_bps = 0;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    in.auto_converge = false;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &q), 0);
    ck_assert_int_eq(p.throttle_pct, 0);
    ck_assert_double_eq(p.total_ms, q.total_ms);
}
END_TEST

START_TEST(test_precopy_to_converge)
{
    struct ccnc_precopy_input in = gib_on_gbit(), x;
    struct ccnc_precopy_prediction p;
    double limit, rate;

    /* 64 MiB dirtied at twice the link's rate need 537 ms */
    in.dirty_bps = 2 * GBIT;
    in.working_set_bytes = 64 * MIB;
    ck_assert_double_eq(ccnc_precopy_limit_to_converge(&in, 10000), 537);
    /* every byte of 1 GiB at the link's rate: only a limit the size of the
     * whole RAM's transfer does */
    in = gib_on_gbit();
    in.dirty_bps = GBIT;
    ck_assert_double_eq(ccnc_precopy_limit_to_converge(&in, 5000), -1);
    /* (no sync has a chance against a guest that dirties as fast as the
     * link: the threshold must hold the whole RAM) */
    ck_assert_double_eq(ccnc_precopy_limit_to_converge(&in, 10000), 8590);
    rate = ccnc_precopy_rate_to_converge(&in);
    ck_assert(rate > GBIT);
    x = in;
    x.rate_bps = rate;
    ck_assert_int_eq(ccnc_precopy_predict(&x, &p), 0);
    ck_assert(p.converges);
    x.rate_bps = rate * 0.998;
    ck_assert_int_eq(ccnc_precopy_predict(&x, &p), 0);
    ck_assert(!p.converges);
    /* one that converges already needs nothing more */
    in.dirty_bps = 0;
    ck_assert_double_eq(ccnc_precopy_rate_to_converge(&in), GBIT);
    limit = ccnc_precopy_limit_to_converge(&in, 1000);
    ck_assert_double_eq(limit, 1);
}
END_TEST

/* Converging only grows with the limit and with the link's rate, which
 * the searches above take for granted: a working set that fits once the
 * first round is out (512 MB, 50 MB on the wire, 20 MB rewritten at 110
 * MB/s over a 100 MB/s link), and a guest dirtying a hair below the link. */
START_TEST(test_precopy_monotonic)
{
    struct ccnc_precopy_input in = { .memory_bytes = 512e6, .first_round_bytes = 50e6,
                                     .rate_bps = 100e6, .dirty_bps = 110e6,
                                     .working_set_bytes = 20e6 };
    struct ccnc_precopy_prediction p;
    bool seen = false;

    for (int l = 1; l <= 2000; l++) {
        in.limit_ms = l;
        ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
        ck_assert_msg(p.converges || !seen, "converges at some limit below %d ms, not at it", l);
        seen = seen || p.converges;
    }
    ck_assert(seen);
    in.limit_ms = 0;
    ck_assert_double_eq(ccnc_precopy_limit_to_converge(&in, 400), 201);
    in = (struct ccnc_precopy_input){ .memory_bytes = 512e6, .first_round_bytes = 28e6,
                                      .dirty_bps = 99.9e6 };
    seen = false;
    for (int r = 90; r <= 200; r++) {
        in.rate_bps = r * 1e6;
        ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
        ck_assert_msg(p.converges || !seen, "converges below %d MB/s, not at it", r);
        seen = seen || p.converges;
    }
    ck_assert(seen);
}
END_TEST

START_TEST(test_precopy_refused)
{
    struct ccnc_precopy_input in = gib_on_gbit();
    struct ccnc_precopy_prediction p;

    in.memory_bytes = 0;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), -1);
    in = gib_on_gbit();
    in.rate_bps = 0;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), -1);
    in = gib_on_gbit();
    in.dirty_bps = NAN;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), -1);
    in = gib_on_gbit();
    in.limit_ms = -1;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), -1);
    in = gib_on_gbit();
    in.rate_bps = INFINITY;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), -1);
    ck_assert_int_eq(ccnc_precopy_predict(NULL, &p), -1);
    ck_assert_int_eq(p.rounds, 0);
    ck_assert(!p.converges);
}
END_TEST

/* The stop's own cost learnt: the downtime is that and the rest at the
 * link's rate.  The first round's tail learnt: an idle guest, or one that
 * dirties little, stops at the first sync with that tail and what the
 * round dirtied. */
START_TEST(test_precopy_stop)
{
    struct ccnc_precopy_input in = gib_on_gbit();
    struct ccnc_precopy_prediction p;
    double t1 = (GIB - 18750000) / GBIT * 1000;

    in.stop_ms = 20;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert_double_eq_tol(p.downtime_ms, 20 + 275, 1e-6);
    /* half the threshold (18.75 MB) left by the first round */
    in.first_tail_share = 0.5;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert_int_eq(p.rounds, 1);
    ck_assert_double_eq_tol(p.rest_bytes, 18750000, 1e-3);
    ck_assert_double_eq_tol(p.downtime_ms, 20 + 150, 1e-6);
    ck_assert_double_eq_tol(p.total_ms, t1 + 170, 1e-6);
    /* 1 MB/s dirtied over the first round still fits: the same sync */
    in.dirty_bps = 1e6;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert_int_eq(p.rounds, 1);
    ck_assert_double_eq_tol(p.rest_bytes, 18750000 + t1 * 1000, 1e-3);
    ck_assert_double_eq_tol(p.downtime_ms, 20 + (18750000 + t1 * 1000) / GBIT * 1000, 1e-6);
    /* 10 MB/s does not: later rounds, each stop the rest at the link's rate */
    in.dirty_bps = 1e7;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(p.converges);
    ck_assert_int_gt(p.rounds, 1);
    ck_assert_double_gt(p.rest_bytes, 18750000);
    ck_assert_double_eq_tol(p.downtime_ms, 20 + p.rest_bytes / GBIT * 1000, 1e-6);
    /* ... which one round allowed does not have */
    in.max_rounds = 1;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(!p.converges);
    ck_assert_int_eq(p.rounds, 1);
    in.max_rounds = 0;
    /* neither may be negative */
    in.stop_ms = -1;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), -1);
    in.stop_ms = 20;
    in.first_tail_share = NAN;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), -1);
}
END_TEST

/* Two migrations of the Fig. 17 sweep (tests/data/migration/fig17-runs/
 * 1000), their rounds as the run files keep them: the stop's cost is the
 * downtime less the rest at the last sync (read 2 and 4 ms after the
 * stop), the first round's tail its remaining less what the guest dirtied
 * during it; only the idle one keeps its switch-over. */
START_TEST(test_precopy_learn_rounds)
{
    static const struct ccnc_precopy_round dirty[] = {
        { 1, 706, 133429, 536436736, 0 },        { 2, 2648, 231232945, 77369344, 8433 },
        { 3, 3003, 273278015, 45854720, 8433 },  { 4, 3125, 287732339, 35667968, 8433 },
        { 5, 3188, 294040195, 31846400, 8433 },  { 6, 3447, 324870679, 0, 8433 },
    };
    static const struct ccnc_precopy_round idle[] = {
        { 1, 724, 133429, 536436736, 0 },
        { 2, 2611, 222634929, 21778432, 358 },
        { 3, 2764, 240937282, 0, 358 },
    };
    struct ccnc_precopy_input in = { .rate_bps = 117e6, .switchover_ms = 319,
                                     .switchover_limit_ms = 300, .first_round_bytes = 324870679 };
    double thr = 117e6 * 0.3, left;

    ck_assert_int_eq(ccnc_precopy_learn_rounds(&in, dirty, 6, 3505, 319, 6, 300), 3);
    ck_assert_double_eq_tol(in.stop_ms, 319 - (31846400 + 117e6 * 0.002) / 117e6 * 1000, 1e-6);
    left = 77369344 - 8433.0 * 4096 * 1.942;
    ck_assert_double_eq_tol(in.first_tail_share, left / thr, 1e-9);
    ck_assert_double_eq_tol(in.first_round_bytes, 231232945 + left, 1e-3);
    ck_assert_double_eq(in.switchover_ms, 0);
    ck_assert_double_eq(in.switchover_limit_ms, 0);

    in = (struct ccnc_precopy_input){ .rate_bps = 117e6, .switchover_ms = 200,
                                      .switchover_limit_ms = 300, .first_round_bytes = 240937282 };
    ck_assert_int_eq(ccnc_precopy_learn_rounds(&in, idle, 3, 2807, 200, 3, 300), 2);
    ck_assert_double_eq_tol(in.stop_ms, 200 - (21778432 + 117e6 * 0.004) / 117e6 * 1000, 1e-6);
    ck_assert_double_eq_tol(in.first_tail_share, (21778432 - 358.0 * 4096 * 1.887) / thr, 1e-9);
    ck_assert_double_eq(in.first_round_bytes, 240937282);
    ck_assert_double_eq(in.switchover_ms, 200);

    /* the last sync read long after the stop says nothing of it */
    in = (struct ccnc_precopy_input){ .rate_bps = 117e6 };
    ck_assert_int_eq(ccnc_precopy_learn_rounds(&in, idle, 3, 2807 + 500, 200, 3, 300), 1);
    ck_assert_double_eq(in.stop_ms, 0);
    /* no rounds, no rate: nothing */
    ck_assert_int_eq(ccnc_precopy_learn_rounds(&in, NULL, 0, 2807, 200, 3, 300), 0);
    in.rate_bps = 0;
    ck_assert_int_eq(ccnc_precopy_learn_rounds(&in, idle, 3, 2807, 200, 3, 300), 0);
}
END_TEST

/* The median of what each run taught, over those that taught it. */
START_TEST(test_precopy_median)
{
    struct ccnc_precopy_input l[4] = {
        { .rate_bps = 100, .switchover_ms = 200, .memory_bytes = 10 },
        { .rate_bps = 300, .memory_bytes = 10 },
        { .rate_bps = 200, .switchover_ms = 250, .memory_bytes = 10 },
        { .rate_bps = NAN, .switchover_ms = 180, .memory_bytes = 10 },
    };
    struct ccnc_precopy_input out = { .gap_extra_ms = 85, .setup_ms = 7 };

    ccnc_precopy_median(l, 4, &out);
    ck_assert_double_eq(out.rate_bps, 200);
    ck_assert_double_eq(out.switchover_ms, 200);
    ck_assert_double_eq(out.memory_bytes, 10);
    /* what none taught is kept */
    ck_assert_double_eq(out.setup_ms, 7);
    ck_assert_double_eq(out.gap_extra_ms, 85);
    ck_assert_double_eq(out.first_round_bytes, 0);
    ccnc_precopy_median(l, 0, &out);
    ck_assert_double_eq(out.rate_bps, 200);
}
END_TEST

/* --- recorded migrations ----------------------------------------------------------- */

#define MAX_STATS 16

struct job {
    const char *names[MAX_STATS];
    long long values[MAX_STATS];
    size_t n;
    json_object *root;
};

static double
stat(const struct job *j, const char *name)
{
    for (size_t i = 0; i < j->n; i++)
        if (strcmp(j->names[i], name) == 0)
            return (double)j->values[i];
    ck_abort_msg("no %s", name);
    return 0;
}

/* The completed jobs of tests/data/migration/lab-completed-jobs.jsonl, in
 * the order they ran. */
static size_t
read_jobs(struct job *jobs, size_t max)
{
    char *path = ccnc_test_data("migration/lab-completed-jobs.jsonl");
    char *text = ccnc_test_read(path, NULL), *save = NULL;
    size_t n = 0;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_object *root = json_tokener_parse(line), *stats, *phase;
        struct job *j;

        ck_assert_msg(root != NULL, "a bad line in %s", path);
        ck_assert(json_object_object_get_ex(root, "phase", &phase));
        ck_assert_str_eq(json_object_get_string(phase), "completed");
        ck_assert(json_object_object_get_ex(root, "stats", &stats));
        ck_assert_uint_lt(n, max);
        j = &jobs[n++];
        j->root = root;
        json_object_object_foreach(stats, key, val)
        {
            ck_assert_uint_lt(j->n, MAX_STATS);
            j->names[j->n] = key;
            j->values[j->n++] = json_object_get_int64(val);
        }
    }
    free(text);
    free(path);
    return n;
}

/* A migration whose source's libvirtd hung as it ended (lab
 * freeze-daemon, 70 s): libvirt's time holds the wait, QEMU's rate does
 * not; nothing is learnt of the link from it.  The same statistics
 * without the wait teach a rate near QEMU's. */
START_TEST(test_precopy_held_not_learnt)
{
    char *path = ccnc_test_data("migration/hung-source-job.jsonl");
    char *text = ccnc_test_read(path, NULL);
    json_object *root = text ? json_tokener_parse(text) : NULL, *stats;
    const char *names[32];
    long long values[32];
    size_t n = 0;
    struct ccnc_precopy_input in = { 0 };

    ck_assert_msg(root, "%s", path);
    ck_assert(json_object_object_get_ex(root, "stats", &stats));
    json_object_object_foreach(stats, key, val)
    {
        ck_assert_uint_lt(n, CCNC_ARRAY_SIZE(names));
        names[n] = key;
        values[n++] = json_object_get_int64(val);
    }
    ck_assert_int_eq(ccnc_precopy_learn(&in, names, values, n, 300, 0), -1);
    ck_assert(!(in.rate_bps > 0));
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], "time_elapsed") == 0)
            values[i] = 700;    /* what it took when nothing hung */
    ck_assert_int_ge(ccnc_precopy_learn(&in, names, values, n, 300, 0), 1);
    ck_assert_msg(in.rate_bps > 0.4 * 286250220 && in.rate_bps < 286250220 * 1.1, "%.0f",
                  in.rate_bps);
    json_object_put(root);
    free(text);
    free(path);
}
END_TEST

/* Learnt from a migration, the model gives that migration back: its time,
 * its downtime and libvirt's count of bitmap syncs. */
START_TEST(test_precopy_recorded_self)
{
    struct job jobs[256] = { 0 };
    size_t n = read_jobs(jobs, CCNC_ARRAY_SIZE(jobs));

    ck_assert_uint_ge(n, 10);
    for (size_t i = 0; i < n; i++) {
        struct ccnc_precopy_input in = { 0 };
        struct ccnc_precopy_prediction p;

        ck_assert_int_eq(ccnc_precopy_learn(&in, jobs[i].names, jobs[i].values, jobs[i].n, 300, 0), 3);
        ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
        ck_assert(p.converges);
        ck_assert_msg(fabs(p.total_ms - stat(&jobs[i], "time_elapsed")) < 0.5, "job %zu: %.1f ms", i,
                      p.total_ms);
        ck_assert_double_eq_tol(p.downtime_ms, stat(&jobs[i], "downtime"), 1e-6);
        /* libvirt counts a sync more when the guest dirtied a few pages
         * that its dirty-rate sample rounds to nothing */
        ck_assert_int_ge((int)stat(&jobs[i], "memory_iteration"), p.rounds + 2);
        ck_assert_int_le((int)stat(&jobs[i], "memory_iteration"), p.rounds + 3);
    }
    for (size_t i = 0; i < n; i++)
        json_object_put(jobs[i].root);
}
END_TEST

/* Learnt from the last few migrations (the median of each figure), the
 * next: over the recorded runs the median error stays within the goals
 * (total time 15 %, downtime 25 % or 30 ms).  A single run may miss: the
 * lab's guests run under TCG on a shared machine. */
#define LEARN_FROM 5
START_TEST(test_precopy_recorded_next)
{
    struct job jobs[256] = { 0 };
    size_t n = read_jobs(jobs, CCNC_ARRAY_SIZE(jobs)), k = 0;
    double total_err[256], down_err[256];

    for (size_t i = LEARN_FROM; i < n; i++) {
        struct ccnc_precopy_input learnt[LEARN_FROM] = { 0 }, in = { 0 };
        struct ccnc_precopy_prediction p;
        double total = stat(&jobs[i], "time_elapsed"), down = stat(&jobs[i], "downtime");

        for (size_t j = 0; j < LEARN_FROM; j++) {
            const struct job *b = &jobs[i - LEARN_FROM + j];
            ck_assert_int_eq(ccnc_precopy_learn(&learnt[j], b->names, b->values, b->n, 300, 0), 3);
        }
        ccnc_precopy_median(learnt, LEARN_FROM, &in);
        /* the next guest's RAM as its own statistics give it */
        in.memory_bytes = stat(&jobs[i], "memory_total");
        ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
        total_err[k] = fabs(p.total_ms - total) / total;
        down_err[k] = fabs(p.downtime_ms - down) <= 30 ? 0 : fabs(p.downtime_ms - down) / down;
        k++;
    }
    for (size_t i = 0; i < n; i++)
        json_object_put(jobs[i].root);
    ck_assert_uint_ge(k, 9);
    /* medians */
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++) {
            if (total_err[j] < total_err[i]) {
                double t = total_err[i];
                total_err[i] = total_err[j];
                total_err[j] = t;
            }
            if (down_err[j] < down_err[i]) {
                double t = down_err[i];
                down_err[i] = down_err[j];
                down_err[j] = t;
            }
        }
    ck_assert_msg(total_err[k / 2] <= 0.15, "median total error %.1f %%", total_err[k / 2] * 100);
    ck_assert_msg(down_err[k / 2] <= 0.25, "median downtime error %.1f %%", down_err[k / 2] * 100);
}
END_TEST

/* The Fig. 17 sweep on the lab (tests/data/migration/fig17-q10.jsonl): each
 * migration's forecast, as its run line kept it, comes out of the model
 * again from the input recorded beside it; and against what libvirt
 * measured, the model keeps the accuracy it had there (of the 14 forecast
 * to converge that did, time within 15 % for 9, downtime within 25 % or
 * 30 ms for 13; the 3 that did not end within 90 s forecast as such).
 * Where the time misses, the 1 s dirty-rate sample read the NFS stream's
 * page cache churning at 4-10 MiB/s on a slow link, or read 40 MiB/s for
 * 32. */
static double
num(json_object *o, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_double(v) : 0;
}

START_TEST(test_precopy_recorded_fig17)
{
    char *path = ccnc_test_data("migration/fig17-q10.jsonl");
    char *text = ccnc_test_read(path, NULL), *save = NULL;
    int n = 0, both = 0, time_ok = 0, down_ok = 0, stuck = 0, stuck_seen = 0;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_object *root = json_tokener_parse(line), *f, *st = NULL, *res;
        struct ccnc_precopy_input in = { 0 };
        struct ccnc_precopy_prediction p;
        bool done;

        ck_assert_ptr_nonnull(root);
        ck_assert(json_object_object_get_ex(root, "forecast", &f));
        json_object_object_get_ex(root, "stats", &st);
        done = json_object_object_get_ex(root, "result", &res) &&
               strcmp(json_object_get_string(res), "done") == 0;
        in.memory_bytes = num(f, "memory_bytes");
        in.rate_bps = num(f, "rate_bps");
        in.dirty_bps = num(f, "dirty_bps") * (num(f, "dirty_ratio") > 0 ? num(f, "dirty_ratio") : 1);
        in.limit_ms = num(f, "limit_ms");
        in.first_round_bytes = num(f, "first_round_bytes");
        in.working_set_bytes = num(f, "working_set_bytes");
        in.setup_ms = num(f, "setup_ms");
        in.switchover_ms = num(f, "switchover_ms");
        in.switchover_limit_ms = num(f, "switchover_limit_ms");
        in.gap_extra_ms = num(f, "gap_extra_ms");
        in.stop_ms = num(f, "stop_ms");
        in.first_tail_share = num(f, "first_tail_share");
        /* the model then called a migration non-converging after 30 rounds */
        in.max_rounds = 30;
        ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
        /* the recorded forecast, again (from its input rounded to whole
         * bytes and milliseconds, as the run line keeps it) */
        ck_assert_int_eq(p.converges, json_object_get_boolean(json_object_object_get(f, "converges")));
        ck_assert_int_eq(p.rounds, (int)num(f, "rounds"));
        if (p.converges) {
            ck_assert_double_eq_tol(p.total_ms, num(f, "total_ms"), 2);
            ck_assert_double_eq_tol(p.downtime_ms, num(f, "downtime_ms"), 2);
        }
        n++;
        if (!done) {
            stuck_seen++;
            stuck += !p.converges;
        } else if (p.converges && st) {
            double t = num(st, "time_elapsed"), d = num(st, "downtime");

            both++;
            time_ok += fabs(p.total_ms - t) <= 0.15 * t;
            down_ok += fabs(p.downtime_ms - d) <= 30 || fabs(p.downtime_ms - d) <= 0.25 * d;
        }
        json_object_put(root);
    }
    free(text);
    free(path);
    ck_assert_int_eq(n, 18);
    ck_assert_int_eq(both, 14);
    ck_assert_msg(time_ok >= 9, "time within 15 %%: %d of %d", time_ok, both);
    ck_assert_msg(down_ok >= 13, "downtime within 25 %% or 30 ms: %d of %d", down_ok, both);
    ck_assert_int_eq(stuck_seen, 3);
    ck_assert_int_eq(stuck, 3);
}
END_TEST

/* A migration under QEMU's auto-converge (tests/data/migration/
 * auto-converge-q10.jsonl: the minimal-downtime policy, a 100 Mb/s link, the
 * guest rewriting 32 MiB at 24 MiB/s): the forecast its first step made
 * comes out again from its input; and given what the 1 s sample cannot
 * tell, the working set (32 MiB) and the limit the policy ended at (its
 * last setting), the model comes near the measurement: 54.4 s against
 * 66.5 s (18 % short: the limit was raised step by step, the model takes
 * the last from the start), the guest throttled; the downtime is short
 * of it (below).  (Without the working set the forecast took the whole RAM as
 * rewritten: 275 s.) */
START_TEST(test_precopy_recorded_auto_converge)
{
    char *path = ccnc_test_data("migration/auto-converge-q10.jsonl");
    char *text = ccnc_test_read(path, NULL), *save = NULL;
    json_object *fc = NULL, *stats = NULL;
    double last_limit = 0, t, d;
    struct ccnc_precopy_input in = { 0 };
    struct ccnc_precopy_prediction p;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_object *root = json_tokener_parse(line), *v;
        const char *type;

        ck_assert_ptr_nonnull(root);
        type = json_object_get_string(json_object_object_get(root, "type"));
        if (strcmp(type, "forecast") == 0 && json_object_object_get_ex(root, "forecast", &v))
            fc = json_object_get(v);
        else if (strcmp(type, "job") == 0 &&
                 strcmp(json_object_get_string(json_object_object_get(root, "phase")),
                        "completed") == 0 &&
                 json_object_object_get_ex(root, "stats", &v))
            stats = json_object_get(v);
        else if (strcmp(type, "setting") == 0)
            last_limit = num(root, "value");
        json_object_put(root);
    }
    ck_assert_ptr_nonnull(fc);
    ck_assert_ptr_nonnull(stats);
    ck_assert(json_object_get_boolean(json_object_object_get(fc, "auto_converge")));
    in.memory_bytes = num(fc, "memory_bytes");
    in.rate_bps = num(fc, "rate_bps");
    in.dirty_bps = num(fc, "dirty_bps") * (num(fc, "dirty_ratio") > 0 ? num(fc, "dirty_ratio") : 1);
    in.limit_ms = num(fc, "limit_ms");
    in.first_round_bytes = num(fc, "first_round_bytes");
    in.working_set_bytes = num(fc, "working_set_bytes");
    in.setup_ms = num(fc, "setup_ms");
    in.switchover_ms = num(fc, "switchover_ms");
    in.switchover_limit_ms = num(fc, "switchover_limit_ms");
    in.gap_extra_ms = num(fc, "gap_extra_ms");
    in.stop_ms = num(fc, "stop_ms");
    in.first_tail_share = num(fc, "first_tail_share");
    in.auto_converge = true;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(p.converges);
    ck_assert_int_eq(p.rounds, (int)num(fc, "rounds"));
    ck_assert_double_eq_tol(p.total_ms, num(fc, "total_ms"), 2);
    ck_assert_int_eq(p.throttle_pct, (int)num(fc, "throttle_pct"));

    in.working_set_bytes = 32.0 * 1048576;
    in.limit_ms = last_limit;
    ck_assert_double_eq(last_limit, 500);
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    t = num(stats, "time_elapsed");
    d = num(stats, "downtime");
    ck_assert(p.converges && p.throttle_pct > 0);
    ck_assert_msg(fabs(p.total_ms - t) <= 0.20 * t, "time %.0f ms, measured %.0f", p.total_ms, t);
    /* the downtime: 338 ms within the limit, where QEMU took 546, beyond
     * its own limit of 500 (what was left when it stopped the guest under
     * TCG grew while it decided); not foreseen */
    ck_assert_msg(p.downtime_ms > 0.5 * d && p.downtime_ms <= last_limit,
                  "downtime %.0f ms, measured %.0f", p.downtime_ms, d);
    json_object_put(fc);
    json_object_put(stats);
    free(text);
    free(path);
}
END_TEST

/* --- the forecast from run files ---------------------------------------- */

static void
put_file(const char *dir, const char *name, const char *text)
{
    char *path = ccnc_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

/* a run file of a migration from src to dst of an idle guest (dirtied
 * nothing) that sent processed bytes in copy_ms, downtime down_ms, and
 * whose network came back gap_ms after it stopped */
static char *
run_text(const char *vm, const char *src, const char *dst, long long processed, long long copy_ms,
         long long down_ms, long long gap_ms)
{
    return ccnc_xasprintf(
        "{\"type\":\"run\",\"t_ms\":1,\"version\":1,\"kind\":\"migrate-passthrough\","
        "\"vm\":\"%s\",\"source\":\"%s\",\"destination\":\"%s\",\"plan\":[\"migrate\"]}\n"
        "{\"type\":\"job\",\"t_ms\":2,\"phase\":\"iteration\",\"stats\":{\"time_elapsed\":5}}\n"
        "{\"type\":\"job\",\"t_ms\":3,\"phase\":\"completed\",\"stats\":{\"time_elapsed\":%lld,"
        "\"downtime\":%lld,\"setup_time\":2,\"memory_total\":201326592,"
        "\"memory_processed\":%lld,\"memory_dirty_rate\":0}}\n"
        "{\"type\":\"result\",\"t_ms\":4,\"result\":\"done\",\"longest_gap_ms\":%lld}\n",
        vm, src, dst, copy_ms + down_ms + 2, down_ms, processed, gap_ms);
}

/* A guest dirtying close to the link's rate is at the edge: the plan says
 * so, and the run file's forecast too, whether the model converges or not. */
START_TEST(test_forecast_edge)
{
    const double mib = 1024.0 * 1024;
    static const double share[] = { 0.2, 0.49, 0.6, 1.0, 1.4, 1.6 };
    static const bool edge[] = { false, false, true, true, true, false };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(share); i++) {
        struct ccnc_forecast f = { 0 };
        char *text;

        f.in.memory_bytes = 512 * mib;
        f.in.rate_bps = 12e6;
        f.in.limit_ms = 300;
        ccnc_forecast_add_sample(&f, share[i] * 12e6, 1, 1000);
        ccnc_forecast_compute(&f);
        ck_assert_double_eq_tol(ccnc_forecast_dirty_share(&f), share[i], 1e-9);
        ck_assert_msg(ccnc_forecast_at_edge(&f) == edge[i], "share %.2f", share[i]);
        text = ccnc_forecast_text(&f, 0);
        ck_assert_msg((strstr(text, "AT THE EDGE") != NULL) == edge[i], "share %.2f:\n%s",
                      share[i], text);
        free(text);
    }
    {
        /* not measured: not known, not at the edge */
        struct ccnc_forecast f = { 0 };
        f.in.memory_bytes = 512 * mib;
        f.in.rate_bps = 12e6;
        ccnc_forecast_compute(&f);
        ck_assert_double_eq(ccnc_forecast_dirty_share(&f), 0);
        ck_assert(!ccnc_forecast_at_edge(&f));
    }
}
END_TEST

/* f zeroed, under policy, its limit from start_ms up to raise_ms. */
static void
under_policy(struct ccnc_forecast *f, const char *policy, double start_ms, double raise_ms)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->policy, sizeof(f->policy), "%s", policy);
    f->start_limit_ms = start_ms;
    f->raise_to_ms = raise_ms;
}

/* 'lowest' forecast as it steers: where the migration would end beyond
 * 80 % of its timeout at 50 ms but within it higher, the model takes the
 * lowest of the policy's steps that does, and the plan says so; where it
 * ends in time at 50 ms, or under 'qemu', no such line. */
static void
lowest_at(struct ccnc_forecast *f, const char *policy, double dirty_bps)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->policy, sizeof(f->policy), "%s", policy);
    f->in.memory_bytes = 512.0 * 1024 * 1024;
    f->in.working_set_bytes = 128.0 * 1024 * 1024;
    f->in.rate_bps = 36e6;
    f->in.max_ms = 90000;
    f->start_limit_ms = 50;
    f->raise_to_ms = 300;
    ccnc_forecast_add_sample(f, dirty_bps, 1, 1000);
    ccnc_forecast_compute(f);
}

/* The model at limit_ms alone, no policy to raise it. */
static void
fixed_at(struct ccnc_forecast *f, double dirty_bps, double limit_ms)
{
    lowest_at(f, "qemu", dirty_bps);
    f->start_limit_ms = limit_ms;
    f->raise_to_ms = 0;
    ccnc_forecast_compute(f);
    ck_assert_double_eq(f->in.limit_ms, limit_ms);
}

START_TEST(test_forecast_lowest_course)
{
    struct ccnc_forecast f, q;
    double found = -1, top_late = -1;

    /* a dirty rate where 50 ms ends late and 300 ms in time */
    for (double d = 20e6; d < 36e6 && found < 0; d += 0.01e6) {
        fixed_at(&q, d, 50);
        if (!(q.valid && (!q.out.converges || q.out.total_ms > CCNC_POLICY_COURSE_SHARE * 90000)))
            continue;
        lowest_at(&f, "lowest", d);
        if (f.valid && f.out.converges && f.course_limit_ms > 0 && f.course_limit_ms < 300)
            found = d;   /* (at 300 ms, the highest, it may end late all the same) */
    }
    ck_assert_msg(found > 0, "no dirty rate steps the limit");
    lowest_at(&f, "lowest", found);
    if (getenv("CCNC_TEST_VERBOSE")) {
        fixed_at(&q, found, 50);
        fprintf(stderr, "dirty %.2f MB/s: at 50 ms %s %.0f ms; at %.0f ms %.0f ms\n", found / 1e6,
                q.out.converges ? "ends" : "not", q.out.total_ms, f.course_limit_ms,
                f.out.total_ms);
    }
    ck_assert_double_gt(f.course_limit_ms, 50);
    ck_assert_double_le(f.course_limit_ms, 300);
    ck_assert_double_eq(f.in.limit_ms, f.course_limit_ms);
    ck_assert_double_le(f.out.total_ms, CCNC_POLICY_COURSE_SHARE * 90000);
    {
        char *text = ccnc_forecast_text(&f, 0), *want;

        want = ccnc_xasprintf("limit %.0f ms: the lowest at which it ends within 72 s",
                              f.course_limit_ms);
        ck_assert_msg(strstr(text, want) != NULL, "%s", text);
        free(want);
        free(text);
    }
    /* the step below it ends late */
    {
        struct ccnc_forecast b;

        fixed_at(&b, found, f.course_limit_ms - 50);
        ck_assert(!b.out.converges || b.out.total_ms > CCNC_POLICY_COURSE_SHARE * 90000);
    }
    /* late even at the highest, 300 ms: modelled there, and the plan does
     * not say it ends in time */
    for (double d = found; d < 36e6 && top_late < 0; d += 0.01e6) {
        fixed_at(&q, d, 300);
        if (q.valid && q.out.converges && q.out.total_ms > CCNC_POLICY_COURSE_SHARE * 90000)
            top_late = d;
    }
    ck_assert_msg(top_late > 0, "no dirty rate ends late at 300 ms");
    lowest_at(&f, "lowest", top_late);
    ck_assert_double_eq(f.in.limit_ms, 300);
    ck_assert_double_eq(f.course_limit_ms, 0);
    {
        char *text = ccnc_forecast_text(&f, 0);

        ck_assert_msg(strstr(text, "the lowest at which it ends") == NULL, "%s", text);
        free(text);
    }
    /* in time at 50 ms: left there */
    lowest_at(&f, "lowest", 5e6);
    ck_assert(f.out.converges);
    ck_assert_double_eq(f.course_limit_ms, 0);
    ck_assert_double_eq(f.in.limit_ms, 50);
    /* a guest that dirties faster than the link: a stall's, not the course's */
    lowest_at(&f, "lowest", 40e6);
    ck_assert_double_eq(f.course_limit_ms, 0);
}
END_TEST

/* An idle guest's sample (whole MiB/s) counts the pages it rewrites again
 * and again: recorded, the thirteenth Fig. 17 run at 100 Mb/s, whose idle
 * migrations (sampled 1-2 MiB/s) left 2-4.5 MB after a first round of
 * 20 s.  The forecast takes that for the working set of a guest sampled
 * below CCNC_FORECAST_RATIO_MIN_BPS, and says so; not above it. */
START_TEST(test_forecast_background)
{
    const double mib = 1024.0 * 1024;
    char *rec = ccnc_test_data("migration/fig17-course/100");
    struct ccnc_forecast f = { 0 };
    double wide;
    char *text;

    under_policy(&f, "lowest", 50, 300);
    f.in.max_ms = 90000;
    ck_assert_uint_eq(ccnc_forecast_learn(&f, rec, "vm1", "sys1", "sys2", 512 * mib), 5);
    /* the three idle ones (sampled 2, 1 and 2 MiB/s) left 4.14, 4.22 and
     * 4.48 MB at the first reading of their second round */
    ck_assert_uint_eq(f.n_background, 3);
    ck_assert_double_eq_tol(f.background_bytes, 4.22e6, 0.01e6);
    ccnc_forecast_add_sample(&f, 2 * mib, 1, 1000);
    ccnc_forecast_compute(&f);
    ck_assert(f.background_applied && f.out.converges);
    ck_assert_double_eq(f.in.working_set_bytes, f.background_bytes);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_msg(strstr(text, "its background, as") != NULL, "%s", text);
    free(text);
    /* measured 22563 ms; without it the model sent 2 MiB/s of the first
     * round's 20 s again */
    ck_assert_double_le(fabs(f.out.total_ms - 22563) / 22563, 0.15);
    {
        struct ccnc_forecast g = f;

        g.background_bytes = 0;
        ccnc_forecast_compute(&g);
        ck_assert(!g.background_applied);
        ck_assert_double_eq(g.in.working_set_bytes, 0);
        wide = g.out.total_ms;
        ck_assert_double_gt(wide, f.out.total_ms + 2000);
    }
    /* a working set the console's 3 s sample saw saturate wins over the
     * background, whatever the order of the samples and computes */
    ccnc_forecast_add_sample(&f, 3.5 * mib, 1, 2000);   /* the median: 2.75 */
    ccnc_forecast_compute(&f);
    ck_assert(f.background_applied);
    ccnc_forecast_add_sample(&f, 1 * mib, 3, 5000);
    ck_assert_double_eq(f.in.working_set_bytes, 3 * mib);
    ccnc_forecast_compute(&f);
    ck_assert(!f.background_applied);
    ck_assert_double_eq(f.in.working_set_bytes, 3 * mib);
    /* a guest that dirties more: its sample says what it does */
    ccnc_forecast_add_sample(&f, 6 * mib, 1, 16000);   /* the others stale */
    ccnc_forecast_add_sample(&f, 6 * mib, 1, 17000);
    ccnc_forecast_compute(&f);
    ck_assert(!f.background_applied);
    ck_assert_double_eq(f.in.working_set_bytes, 0);
    free(rec);
}
END_TEST

/* A run whose first round's statistics were read late (its pages already
 * going) has QEMU's start from the others: its copy did not begin at
 * libvirt's setup_time, and the forecast adds the start as its setup. */
START_TEST(test_forecast_learn_late_start)
{
    char dir[] = "/tmp/ccnc-forecast-XXXXXX";
    struct ccnc_forecast f = { 0 };
    const double mib = 1024.0 * 1024;
    static const char fmt[] =
        "{\"type\":\"run\",\"t_ms\":1,\"version\":1,\"kind\":\"migrate-passthrough\","
        "\"vm\":\"vm1\",\"source\":\"sys1\",\"destination\":\"sys2\",\"plan\":[\"migrate\"]}\n"
        "{\"type\":\"job\",\"t_ms\":2,\"phase\":\"iteration\",\"stats\":{\"time_elapsed\":%d,"
        "\"memory_iteration\":1,\"memory_processed\":%lld,\"memory_remaining\":1}}\n"
        "{\"type\":\"job\",\"t_ms\":3,\"phase\":\"completed\",\"stats\":{\"time_elapsed\":1900,"
        "\"downtime\":200,\"setup_time\":2,\"memory_total\":201326592,"
        "\"memory_processed\":104857600,\"memory_dirty_rate\":0}}\n"
        "{\"type\":\"result\",\"t_ms\":4,\"result\":\"done\",\"longest_gap_ms\":260}\n";
    char *t;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* both sent 100 MiB in 1 s after a 700 ms start; the second's first
     * round was read 5 s in, 90 MiB already sent */
    t = ccnc_xasprintf(fmt, 700, 133429LL);
    put_file(dir, "20261201-100000-vm1-migrate-passthrough.jsonl", t);
    free(t);
    t = ccnc_xasprintf(fmt, 5000, 90 * 1048576LL);
    put_file(dir, "20261201-100100-vm1-migrate-passthrough.jsonl", t);
    free(t);
    f.in.limit_ms = 300;
    ck_assert_uint_eq(ccnc_forecast_learn(&f, dir, "vm1", "sys1", "sys2", 192 * mib), 2);
    ck_assert_double_eq_tol(f.in.setup_ms, 700, 0.01);
    /* 100 MiB in 1 s and the 275 ms tail, for both (without the other's
     * start, the second would say 1.7 s) */
    ck_assert_double_eq_tol(f.in.rate_bps, 100 * mib / 1.275, 1);
    {
        char *cmd = ccnc_xasprintf("rm -rf %s", dir);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
    }
}
END_TEST

/* A policy that raises the limit at each stalled round ('lowest': 50 ms
 * up to the lab's 300) ended this VM's earlier runs at 100, 250 and 300 ms
 * (a limit set after the guest stopped not counted): the model starts from
 * their median, and the plan says why.  Runs under another policy, or of
 * another VM, do not count; nor does it for the ladder (it raises the limit
 * on the clock), or above the lab's limit now. */
START_TEST(test_forecast_learn_ended_limit)
{
    char dir[] = "/tmp/ccnc-forecast-XXXXXX", *t, *text, *cmd;
    struct ccnc_forecast f = { 0 };
    const double mib = 1024.0 * 1024;
    static const char fmt[] =
        "{\"type\":\"run\",\"t_ms\":1,\"version\":1,\"kind\":\"migrate-passthrough\","
        "\"vm\":\"%s\",\"source\":\"sys1\",\"destination\":\"sys2\",\"plan\":[\"migrate\"]}\n"
        "{\"type\":\"setting\",\"t_ms\":2,\"host\":\"sys1\",\"name\":\"downtime_limit_ms\","
        "\"value\":%d,\"why\":\"%s\"}\n"
        "{\"type\":\"setting\",\"t_ms\":3,\"host\":\"sys1\",\"name\":\"downtime_limit_ms\","
        "\"value\":%d,\"why\":\"stalled rounds\"}\n"
        "{\"type\":\"job\",\"t_ms\":4,\"phase\":\"completed\",\"stats\":{\"time_elapsed\":1900,"
        "\"downtime\":280,\"setup_time\":700,\"memory_total\":201326592,"
        "\"memory_processed\":104857600,\"memory_dirty_rate\":0}}\n";
    static const struct {
        const char *name, *vm, *policy;
        int first, last;
    } runs[] = {
        { "20261201-100000-vm1-migrate-passthrough.jsonl", "vm1", "lowest", 50, 250 },
        { "20261201-100100-vm1-migrate-passthrough.jsonl", "vm1", "lowest", 50, 300 },
        { "20261201-100200-vm1-migrate-passthrough.jsonl", "vm1", "ladder", 30, 120 },
        { "20261201-100300-vm2-migrate-passthrough.jsonl", "vm2", "lowest", 50, 150 },
    };

    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(runs); i++) {
        t = ccnc_xasprintf(fmt, runs[i].vm, runs[i].first, runs[i].policy, runs[i].last);
        put_file(dir, runs[i].name, t);
        free(t);
    }
    /* one that ended at 100 ms: the policy raised it to 300 on the round
     * read as the guest stopped (1625 ms; the stop 1900 - 280), too late */
    t = ccnc_xasprintf(fmt, "vm1", 50, "lowest", 100);
    {
        char *more = ccnc_xasprintf(
            "%s{\"type\":\"job\",\"t_ms\":5,\"phase\":\"iteration\",\"stats\":{\"time_elapsed\":"
            "1625,\"memory_iteration\":4,\"memory_processed\":100000000,\"memory_remaining\":1}}\n"
            "{\"type\":\"setting\",\"t_ms\":6,\"host\":\"sys1\",\"name\":\"downtime_limit_ms\","
            "\"value\":300,\"why\":\"stalled rounds\"}\n",
            t);

        put_file(dir, "20261201-100400-vm1-migrate-passthrough.jsonl", more);
        free(more);
    }
    free(t);
    /* one that 'lowest' raised to 200 on its course, and a stall to 250
     * after: where it ended says how long it ran, not what the guest
     * rewrites, and is not learnt */
    t = ccnc_xasprintf(fmt, "vm1", 50, "lowest", 150);
    {
        char *more = ccnc_xasprintf(
            "%s{\"type\":\"setting\",\"t_ms\":5,\"host\":\"sys1\",\"name\":"
            "\"downtime_limit_ms\",\"value\":200,\"why\":\"" CCNC_POLICY_COURSE_WHY "\"}\n"
            "{\"type\":\"setting\",\"t_ms\":6,\"host\":\"sys1\",\"name\":"
            "\"downtime_limit_ms\",\"value\":250,\"why\":\"" CCNC_POLICY_STALL_WHY "\"}\n",
            t);

        put_file(dir, "20261201-100500-vm1-migrate-passthrough.jsonl", more);
        free(more);
    }
    free(t);
    under_policy(&f, "lowest", 50, 300);
    ck_assert_uint_eq(ccnc_forecast_learn(&f, dir, "vm1", "sys1", "sys2", 192 * mib), 6);
    ck_assert_uint_eq(f.n_ended, 3);
    ck_assert_double_eq_tol(f.ended_limit_ms, 250, 0.01);   /* of 100, 250 and 300 */
    ccnc_forecast_compute(&f);
    ck_assert(f.valid && f.out.converges);
    ck_assert_double_eq_tol(f.in.limit_ms, 250, 0.01);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_msg(strstr(text, "limit 250 ms: where the lowest policy ended this VM's 3 earlier "
                               "runs between these hosts (their median)"), "%s", text);
    free(text);
    /* the downtime: from the rest at 250 ms, well above that at 50 */
    {
        struct ccnc_forecast g = f;

        g.ended_limit_ms = 0;
        ccnc_forecast_compute(&g);
        ck_assert_double_eq_tol(g.in.limit_ms, 50, 0.01);
        ck_assert_msg(f.out.downtime_ms > g.out.downtime_ms + 50, "%.0f, %.0f", f.out.downtime_ms,
                      g.out.downtime_ms);
        text = ccnc_forecast_text(&g, 0);
        ck_assert_ptr_null(strstr(text, "policy ended"));
        free(text);
    }
    /* the lab's limit lowered below it since: the policy's own, and the
     * plan does not say it ended there */
    f.raise_to_ms = 200;
    ccnc_forecast_compute(&f);
    ck_assert_double_eq_tol(f.in.limit_ms, 50, 0.01);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_ptr_null(strstr(text, "policy ended"));
    free(text);
    /* the ladder raises its limit on the clock: where it ended says how
     * long the run took, and does not apply */
    under_policy(&f, "ladder", 30, 300);
    ck_assert_uint_eq(ccnc_forecast_learn(&f, dir, "vm1", "sys1", "sys2", 192 * mib), 6);
    ck_assert_uint_eq(f.n_ended, 1);
    ck_assert_double_eq_tol(f.ended_limit_ms, 120, 0.01);
    ccnc_forecast_compute(&f);
    ck_assert_double_eq_tol(f.in.limit_ms, 30, 0.01);
    /* recorded (the thirteenth Fig. 17 run, 300 Mb/s): the last of its 7
     * migrations was raised to 300 ms on its course, and is not learnt as
     * where the policy ended */
    {
        char *rec = ccnc_test_data("migration/fig17-course/300");

        under_policy(&f, "lowest", 50, 300);
        ck_assert_uint_eq(ccnc_forecast_learn(&f, rec, "vm1", "sys1", "sys2", 512 * mib), 7);
        ck_assert_uint_eq(f.n_ended, 6);
        for (size_t i = 0; i < f.n_ended; i++)
            ck_assert_double_lt(f.ended_at_ms[i], 300);
        free(rec);
    }
    cmd = ccnc_xasprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}
END_TEST

/* Recorded under 'lowest' at 100 Mb/s: the policy raised the limit to 200
 * ms, QEMU stopped the guest (22208 - 297 ms in), and the policy took the
 * round read 2 ms after for a stalled one and set 250.  The run's summary
 * (ccnc report's "limit ms") says the limit in force, 200; the forecast
 * learns that one too. */
START_TEST(test_run_limit_at_stop)
{
    static const struct {
        const char *run;
        long long limit_ms;
        const char *why;
    } runs[] = {
        { "migration/fig17-lowest/100/20261207-054234-vm1-migrate-passthrough.jsonl", 200,
          CCNC_POLICY_STALL_WHY },
        /* raised to 300 ms on its course (the thirteenth Fig. 17 run) */
        { "migration/fig17-course/300/20261207-094202-vm1-migrate-passthrough.jsonl", 300,
          CCNC_POLICY_COURSE_WHY },
        /* idle at 1 Gb/s: the policy's first */
        { "migration/fig17-course/1000/20261207-094340-vm1-migrate-passthrough.jsonl", 50,
          "lowest" },
    };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(runs); i++) {
        char *path = ccnc_test_data(runs[i].run);
        struct ccnc_run_summary s;

        ck_assert_int_eq(ccnc_run_read(path, &s, NULL), 0);
        ck_assert(s.migrated);
        ck_assert_int_eq(s.limit_ms, runs[i].limit_ms);
        ck_assert_str_eq(s.policy, "lowest");
        ck_assert_str_eq(s.limit_why, runs[i].why);
        ccnc_run_summary_clear(&s);
        free(path);
    }
}
END_TEST

/* Recorded: the first of two migrations had its first round read 579 ms
 * in, 9 MB already sent; the second's began at 761 ms.  The first's copy
 * cannot have begun after its own pages went: taken back at the pace to
 * its next reading (120 MB at 948 ms), it began by 549 ms, and the two
 * rates, 343 and 241 MB/s, are one link's (with the other's 761 ms, the
 * first said 714 MB/s: "another link", and the plan learnt from one run). */
START_TEST(test_forecast_learn_late_start_recorded)
{
    char *dir = ccnc_test_data("migration/late-start");
    struct ccnc_forecast f = { 0 };

    f.in.limit_ms = 50;
    ck_assert_uint_eq(ccnc_forecast_learn(&f, dir, "vm1", "sys1", "sys2", 201326592), 2);
    ck_assert_uint_eq(f.n_link, 2);
    ck_assert_uint_eq(f.n_link_before, 0);
    ck_assert_double_eq_tol(f.in.setup_ms, 761, 0.01);
    ck_assert_msg(f.in.rate_bps > 241e6 && f.in.rate_bps < 343e6, "%.0f", f.in.rate_bps);
    free(dir);
}
END_TEST

/* The link changed (another network, the lab's link-rate): its rate comes
 * from the runs since, from the first one on; the other figures from all. */
START_TEST(test_forecast_learn_link_changed)
{
    char dir[] = "/tmp/ccnc-forecast-XXXXXX", *t, *text, *cmd;
    struct ccnc_forecast f = { 0 };
    const double mib = 1024.0 * 1024;
    static const struct {
        const char *name;
        long long mib_s;   /* MiB in the copy's 1 s */
        long long down_ms;
    } runs[] = {
        /* oldest first: three at 100 MiB/s, then the link slowed to a third */
        { "20261201-100000-vm1-migrate-passthrough.jsonl", 100, 200 },
        { "20261201-100100-vm1-migrate-passthrough.jsonl", 110, 220 },
        { "20261201-100200-vm1-migrate-passthrough.jsonl", 90, 240 },
        { "20261201-100300-vm1-migrate-passthrough.jsonl", 30, 260 },
        { "20261201-100400-vm1-migrate-passthrough.jsonl", 36, 280 },
    };

    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (size_t i = 0; i < 4; i++) {
        t = run_text("vm1", i % 2 ? "sys2" : "sys1", i % 2 ? "sys1" : "sys2",
                     runs[i].mib_s * 1048576LL, 1000, runs[i].down_ms, runs[i].down_ms + 60);
        put_file(dir, runs[i].name, t);
        free(t);
    }
    /* one run on the new link: the rate is that run's alone */
    f.in.limit_ms = 300;
    ck_assert_uint_eq(ccnc_forecast_learn(&f, dir, "vm1", "sys1", "sys2", 192 * mib), 4);
    ck_assert_uint_eq(f.n_link, 1);
    ck_assert_uint_eq(f.n_link_before, 3);
    ck_assert_double_eq_tol(f.in.rate_bps, 30 * mib / 1.275, 1);
    /* the rest from all four: their downtimes at 300 ms, 200 220 240 260 */
    ck_assert_double_eq_tol(f.in.switchover_ms, 230, 0.01);
    ccnc_forecast_compute(&f);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_msg(strstr(text, "from the newest run between these hosts; the 3 before it ran "
                               "on another link"), "%s", text);
    free(text);
    /* two: their median */
    t = run_text("vm1", "sys1", "sys2", runs[4].mib_s * 1048576LL, 1000, runs[4].down_ms,
                 runs[4].down_ms + 60);
    put_file(dir, runs[4].name, t);
    free(t);
    memset(&f, 0, sizeof(f));
    f.in.limit_ms = 300;
    ck_assert_uint_eq(ccnc_forecast_learn(&f, dir, "vm1", "sys1", "sys2", 192 * mib), 5);
    ck_assert_uint_eq(f.n_link, 2);
    ck_assert_uint_eq(f.n_link_before, 3);
    ck_assert_double_eq_tol(f.in.rate_bps, 33 * mib / 1.275, 1);
    ccnc_forecast_compute(&f);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_msg(strstr(text, "median of the newest 2 runs between these hosts; those before "
                               "ran on another link"), "%s", text);
    free(text);
    cmd = ccnc_xasprintf("rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}
END_TEST

START_TEST(test_forecast_learn)
{
    char dir[] = "/tmp/ccnc-forecast-XXXXXX", *t, *text, *cmd;
    struct ccnc_forecast f = { 0 };
    const double mib = 1024.0 * 1024;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* three between sys1 and sys2 (either way): 100, 80 and 120 MiB in 1 s */
    t = run_text("vm1", "sys1", "sys2", 100 * 1048576LL, 1000, 200, 260);
    put_file(dir, "20261201-100000-vm1-migrate-passthrough.jsonl", t);
    free(t);
    t = run_text("vm2", "sys2", "sys1", 80 * 1048576LL, 1000, 240, 340);
    put_file(dir, "20261201-100100-vm2-migrate-passthrough.jsonl", t);
    free(t);
    t = run_text("vm1", "sys2", "sys1", 120 * 1048576LL, 1000, 220, 300);
    put_file(dir, "20261201-100200-vm1-migrate-passthrough.jsonl", t);
    free(t);
    /* one between other hosts, a damaged file and a detach: not learnt */
    t = run_text("vm1", "sys3", "sys4", 1, 1000, 9000, 9000);
    put_file(dir, "20261201-100300-vm1-migrate-passthrough.jsonl", t);
    free(t);
    put_file(dir, "20261201-100400-vm1-migrate-passthrough.jsonl", "{\"type\":\"run\",\"ki");
    put_file(dir, "20261201-100500-vm1-detach.jsonl",
             "{\"type\":\"run\",\"t_ms\":1,\"kind\":\"detach\",\"vm\":\"vm1\","
             "\"source\":\"sys1\"}\n");

    f.in.limit_ms = 300;
    ck_assert_uint_eq(ccnc_forecast_learn(&f, dir, "vm1", "sys1", "sys2", 192 * mib), 3);
    ck_assert_uint_eq(f.n_link, 3);
    ck_assert_uint_eq(f.n_vm, 2);
    ck_assert_uint_eq(f.n_gap, 3);
    /* the median: 100 MiB in 1 s and the 275 ms tail (QEMU's 300 ms limit) */
    ck_assert_double_eq_tol(f.in.rate_bps, 100 * mib / 1.275, 1);
    ck_assert_double_eq_tol(f.in.switchover_limit_ms, 300, 0.01);
    ck_assert_double_eq_tol(f.in.switchover_ms, 220, 0.01);
    ck_assert_double_eq_tol(f.in.gap_extra_ms, 80, 0.01);         /* 60, 100, 80 */
    ck_assert_double_eq_tol(f.in.memory_bytes, 192 * mib, 1);
    /* vm1 sent 100, then 120 MiB of its 192: the newest (what a guest
     * wrote stays written until it boots again) */
    ck_assert_double_eq_tol(f.in.first_round_bytes, 120 * mib, 1);

    ccnc_forecast_compute(&f);
    ck_assert(f.tried && f.valid && f.out.converges);
    ck_assert_double_eq_tol(f.out.gap_ms, f.out.downtime_ms + 80, 0.01);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_ptr_nonnull(strstr(text, "Forecast: "));
    ck_assert_ptr_nonnull(strstr(text, "median of 3 earlier runs"));
    ck_assert_ptr_nonnull(strstr(text, "dirty rate assumed 0"));
    free(text);

    /* a guest that dirties faster than the link: no convergence, and what would do */
    f.in.dirty_bps = 150 * mib;
    f.in.working_set_bytes = 150 * mib;
    ccnc_forecast_compute(&f);
    ck_assert(f.valid && !f.out.converges);
    ck_assert(f.limit_to_converge_ms > 300);
    ck_assert(f.rate_to_converge_bps > f.in.rate_bps);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_ptr_nonnull(strstr(text, "IT WILL NOT CONVERGE"));
    /* each way out with what it would give */
    ck_assert(f.at_limit.converges && f.at_rate.converges);
    ck_assert_msg(strstr(text, "it would with a downtime limit of ") &&
                      strstr(text, "it would with a link of "),
                  "%s", text);
    if (f.with_auto_converge.converges)
        ck_assert_msg(strstr(text, "it would with auto-converge: "), "%s", text);
    free(text);
    /* already with auto-converge: not offered again, and the model throttles */
    f.in.auto_converge = true;
    ccnc_forecast_compute(&f);
    ck_assert(!f.with_auto_converge.converges);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_ptr_null(strstr(text, "it would with auto-converge"));
    free(text);
    f.in.auto_converge = false;

    /* hosts with no history: no rate, no forecast, and the plan says why */
    memset(&f, 0, sizeof(f));
    ck_assert_uint_eq(ccnc_forecast_learn(&f, dir, "vm1", "sys1", "sys9", 192 * mib), 0);
    ccnc_forecast_compute(&f);
    ck_assert(f.tried && !f.valid);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_ptr_nonnull(strstr(text, "no earlier migration between these hosts"));
    free(text);
    /* no runs folder at all */
    memset(&f, 0, sizeof(f));
    ck_assert_uint_eq(ccnc_forecast_learn(&f, "/nonexistent/ccnc", "vm1", "a", "b", 0), 0);

    cmd = ccnc_xasprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}
END_TEST


/* The Fig. 17 sweep replayed from its run files
 * (tests/data/migration/fig17-runs/SPEED, probe lines left out): at each
 * link speed, each migration after the two idle ones is forecast as the
 * forecast step made it, from the run files before it (ccnc_forecast_learn
 * on a folder that holds just those) and the dirty rate its own step
 * sampled (16384 pages a GiB), and held against what libvirt measured.
 * All 13 that completed are forecast to converge within the sweep's 90 s
 * timeout (at 300 Mb/s and 32 MiB/s, sampled at 35, QEMU took 124 rounds
 * and 73.5 s, the forecast 57 and 66.8 s: at the edge, where the model
 * calls only a migration that outlasts the timeout non-converging, no
 * longer one of over 30 rounds); time within 15 % for 12 of them,
 * downtime within 25 % or 30 ms for all; the two at 100 Mb/s that did not
 * end within 90 s forecast as such.  With the first pass's start left in the link's time, as the
 * forecast had it when the sweep ran, time held for 8: the extra pages of
 * a dirtying guest were charged at two thirds of the link's rate at
 * 1000 Mb/s. */
/* The run file's first (first) or last line of a type; NULL: none. */
static json_object *
run_line_of(const char *path, const char *type, bool first)
{
    char *text = ccnc_test_read(path, NULL), *save = NULL;
    json_object *found = NULL;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_object *o = json_tokener_parse(line), *t;

        if (o && json_object_object_get_ex(o, "type", &t) &&
            strcmp(json_object_get_string(t), type) == 0 && !(first && found)) {
            json_object_put(found);
            found = o;
        } else {
            json_object_put(o);
        }
    }
    free(text);
    return found;
}

static json_object *
run_line(const char *path, const char *type)
{
    return run_line_of(path, type, false);
}

static json_object *
completed_stats(const char *path)
{
    char *text = ccnc_test_read(path, NULL), *save = NULL;
    json_object *found = NULL;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_object *o = json_tokener_parse(line), *v;

        if (o && json_object_object_get_ex(o, "phase", &v) &&
            strcmp(json_object_get_string(v), "completed") == 0 &&
            json_object_object_get_ex(o, "stats", &v)) {
            json_object_put(found);
            found = json_object_get(v);
        }
        json_object_put(o);
    }
    free(text);
    return found;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* At the edge of converging: the model calls non-converging only a
 * migration that outlasts the action's timeout, however many rounds it
 * takes (300 Mb/s at 32 MiB/s took QEMU 81 rounds and 75.2 s on the lab,
 * which a bound of 30 rounds called non-converging); the plan says the
 * time at 15 % less and more dirtying, which no 1 s sample tells apart. */
START_TEST(test_forecast_edge_timeout)
{
    const double mib = 1048576;
    struct ccnc_forecast f = { 0 };
    char *text;

    f.in.memory_bytes = 512 * mib;
    f.in.first_round_bytes = 240 * mib;
    f.in.rate_bps = 34 * mib;
    f.in.dirty_bps = 31 * mib;            /* 91 % of the link */
    f.in.setup_ms = 500;
    f.dirty_measured = true;
    f.in.max_ms = 90000;
    ccnc_forecast_compute(&f);
    ck_assert(f.valid && f.out.converges);
    ck_assert_int_gt(f.out.rounds, 30);
    ck_assert_double_lt(f.out.total_ms, 90000);
    ck_assert(ccnc_forecast_at_edge(&f));
    /* 15 % less: sooner; 15 % more: beyond the timeout */
    ck_assert(f.edge_less.converges && f.edge_less.total_ms < f.out.total_ms);
    ck_assert(!f.edge_more.converges);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_msg(strstr(text, "AT THE EDGE (dirtying 91 % of the link)"), "%s", text);
    ck_assert_msg(strstr(text, "with 15 % less or more dirtying: ") &&
                      strstr(text, " s to beyond the 90 s timeout"),
                  "%s", text);
    free(text);
    /* the run line keeps the bound and the band */
    {
        struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE, "vm1", "sys1", "sys2", NULL);
        char *plan;
        json_object *o, *fo, *v;

        a->forecast = f;
        plan = ccnc_runlog_plan_json(a);
        o = json_tokener_parse(plan);
        ck_assert(json_object_object_get_ex(o, "forecast", &fo));
        ck_assert(json_object_object_get_ex(fo, "timeout_ms", &v) && json_object_get_int(v) == 90000);
        ck_assert(json_object_object_get_ex(fo, "edge_less_ms", &v) &&
                  json_object_get_int(v) == (int)lround(f.edge_less.total_ms));
        ck_assert(json_object_object_get_ex(fo, "edge_more_ms", &v) && v == NULL);
        json_object_put(o);
        free(plan);
        ccnc_action_free(a);
    }
    /* a shorter timeout: the same migration does not converge, and the
     * plan says within which */
    f.in.max_ms = 30000;
    ccnc_forecast_compute(&f);
    ck_assert(f.valid && !f.out.converges);
    text = ccnc_forecast_text(&f, 0);
    ck_assert(f.out.out_of_time);
    ck_assert_msg(strstr(text, "Forecast: IT WILL NOT CONVERGE within the 30 s timeout: "), "%s",
                  text);
    /* what would do ends within it, its downtime included */
    ck_assert(!f.at_limit.converges || f.at_limit.total_ms <= 30000);
    ck_assert(!f.at_rate.converges || f.at_rate.total_ms <= 30000);
    /* even 15 % less would not end in 30 s */
    ck_assert(!f.edge_less.converges);
    ck_assert_msg(strstr(text, "even with 15 % less dirtying: not within the 30 s timeout"), "%s",
                  text);
    /* the edge follows the headline */
    ck_assert(strstr(text, "AT THE EDGE") > strstr(text, "IT WILL NOT CONVERGE"));
    free(text);
    /* both sides converge: a range */
    f.in.max_ms = 0;   /* 300 s */
    f.in.dirty_bps = 24 * mib;   /* 71 % */
    ccnc_forecast_compute(&f);
    ck_assert(f.valid && f.out.converges && f.edge_less.converges && f.edge_more.converges);
    ck_assert(f.edge_less.total_ms < f.out.total_ms && f.out.total_ms < f.edge_more.total_ms);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_msg(strstr(text, "with 15 % less or more dirtying: ") && strstr(text, " s\n") &&
                      !strstr(text, "not within"),
                  "%s", text);
    free(text);
    /* away from the edge: no band */
    f.in.dirty_bps = 5 * mib;
    ccnc_forecast_compute(&f);
    ck_assert(!ccnc_forecast_at_edge(&f) && !f.edge_less.converges && !f.edge_more.converges);
    /* faster than the link: what is left stops shrinking, whatever the
     * time; the plan does not blame the timeout */
    f.in.dirty_bps = 40 * mib;
    ccnc_forecast_compute(&f);
    ck_assert(f.valid && !f.out.converges && !f.out.out_of_time);
    text = ccnc_forecast_text(&f, 0);
    ck_assert_msg(strstr(text, "Forecast: IT WILL NOT CONVERGE: dirtying 40.0 MiB/s"), "%s", text);
    free(text);
}
END_TEST

/* The bound holds where the guest stops too: an idle guest whose first
 * round alone outlasts the timeout does not converge (its time counted
 * with the downtime), with or without a learnt first-round tail. */
START_TEST(test_precopy_timeout_at_stop)
{
    const double mib = 1048576;
    struct ccnc_precopy_input in = { 0 };
    struct ccnc_precopy_prediction p;

    in.memory_bytes = 8192 * mib;
    in.first_round_bytes = 6000 * mib;
    in.rate_bps = 11.4 * mib;             /* 6000 MiB: 526 s */
    in.max_ms = 300000;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(!p.converges && p.out_of_time);
    in.first_tail_share = 0.85;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(!p.converges && p.out_of_time);
    ck_assert_double_eq(p.downtime_ms, 0);
    /* with the time it needs: the same model converges */
    in.max_ms = 600000;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(p.converges && !p.out_of_time);
    /* a stop at the bound's edge: the downtime counts */
    in.max_ms = p.total_ms - p.downtime_ms / 2;
    ck_assert_int_eq(ccnc_precopy_predict(&in, &p), 0);
    ck_assert(!p.converges && p.out_of_time);
}
END_TEST

struct replayed {
    int n, conv, time_ok, down_ok, stuck_seen, stuck, ratio_seen, long_seen;
    int edge_done, edge_within;   /* edge points that ended; within the band */
};

static void
replay_sweep(const char *sweep, struct replayed *r)
{
    static const char *const speeds[] = { "100", "300", "1000" };
    int n = 0, conv = 0, time_ok = 0, down_ok = 0, stuck_seen = 0, stuck = 0, ratio_seen = 0, long_seen = 0;
    int edge_done = 0, edge_within = 0;

    for (size_t sp = 0; sp < CCNC_ARRAY_SIZE(speeds); sp++) {
        char *rel = ccnc_xasprintf("migration/%s/%s", sweep, speeds[sp]);
        char *src_dir = ccnc_test_data(rel), dir[] = "/tmp/ccnc-replay-XXXXXX", *cmd;
        char *names[16];
        size_t k = 0;
        DIR *d = opendir(src_dir);
        struct dirent *e;

        ck_assert_ptr_nonnull(d);
        while ((e = readdir(d)) != NULL)
            if (strstr(e->d_name, ".jsonl") && k < CCNC_ARRAY_SIZE(names))
                names[k++] = ccnc_xstrdup(e->d_name);
        closedir(d);
        qsort(names, k, sizeof(*names), by_name);
        ck_assert_uint_eq(k, 7);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        for (size_t i = 0; i < k; i++) {
            char *path = ccnc_xasprintf("%s/%s", src_dir, names[i]);
            char *link = ccnc_xasprintf("%s/%s", dir, names[i]);
            json_object *run = run_line(path, "run"), *fl = run_line(path, "forecast");
            json_object *res = run_line(path, "result"), *st = completed_stats(path), *fo;
            struct ccnc_forecast f = { 0 };
            const char *result = json_object_get_string(json_object_object_get(res, "result"));

            ck_assert(run && fl && res);
            ck_assert(json_object_object_get_ex(fl, "forecast", &fo));
            if (i >= 2) {
                /* the policy's first limit, as its first setting says;
                 * one that raises it goes up to the lab's 300 ms */
                json_object *set = run_line_of(path, "setting", true);
                const char *policy = json_object_get_string(json_object_object_get(set, "why"));

                ck_assert(set && policy);
                snprintf(f.policy, sizeof(f.policy), "%s", policy);
                f.in.limit_ms = f.start_limit_ms = num(set, "value");
                f.raise_to_ms = strcmp(policy, "qemu") != 0 ? 300 : 0;
                json_object_put(set);
                f.in.max_ms = 90000;      /* the sweep's timeout_s */
                ck_assert_uint_ge(
                    ccnc_forecast_learn(&f, dir, "vm1",
                                        json_object_get_string(json_object_object_get(run, "source")),
                                        json_object_get_string(
                                            json_object_object_get(run, "destination")),
                                        num(fo, "memory_bytes")),
                    2);
                f.in.dirty_bps = num(fo, "dirty_bps");
                f.dirty_measured = json_object_get_boolean(json_object_object_get(fo, "dirty_measured"));
                ccnc_forecast_compute(&f);
                ck_assert(f.valid);
                /* a migration QEMU took 40 rounds or more to end was at
                 * the edge, and the forecast says so */
                if (strcmp(result, "done") == 0 && st && num(st, "memory_iteration") - 2 >= 40) {
                    long_seen++;
                    ck_assert_msg(ccnc_forecast_at_edge(&f), "%s: %.0f rounds, share %.2f",
                                  names[i], num(st, "memory_iteration") - 2, ccnc_forecast_dirty_share(&f));
                }
                /* at the edge, the time at 15 % less dirtying to that at
                 * 15 % more (or never) */
                if (strcmp(result, "done") == 0 && st && ccnc_forecast_at_edge(&f)) {
                    double t = num(st, "time_elapsed");

                    edge_done++;
                    edge_within += f.edge_less.converges && f.edge_less.total_ms <= t &&
                                   (!f.edge_more.converges || t <= f.edge_more.total_ms);
                }
                /* what the guest dirtied while it migrated, from the
                 * runs sampled at 4 MiB/s or more */
                if (f.n_ratio) {
                    ratio_seen++;
                    ck_assert(f.dirty_ratio > 0.5 && f.dirty_ratio < 2);
                }
                n++;
                if (strcmp(result, "done") != 0) {
                    stuck_seen++;
                    stuck += !f.out.converges;
                } else if (f.out.converges && st) {
                    double t = num(st, "time_elapsed"), dt = num(st, "downtime");

                    conv++;
                    time_ok += fabs(f.out.total_ms - t) <= 0.15 * t;
                    down_ok += fabs(f.out.downtime_ms - dt) <= 30 ||
                               fabs(f.out.downtime_ms - dt) <= 0.25 * dt;
                }
                if (getenv("CCNC_TEST_VERBOSE"))
                    fprintf(stderr, "%s Mb/s %s: dirty %.1f MiB/s: forecast %s %.0f ms, %.0f ms, "
                                    "%d rounds; measured %s %.0f ms, %.0f ms, %.0f rounds; "
                                    "rate %.1f MB/s, first %.1f MB, setup %.0f ms, stop %.0f ms, "
                                    "first tail %.2f, ratio %.2f, share %.2f%s\n",
                            speeds[sp], names[i], f.in.dirty_bps / MIB,
                            f.out.converges ? "converges" : "stalls", f.out.total_ms,
                            f.out.downtime_ms, f.out.rounds, result,
                            st ? num(st, "time_elapsed") : -1, st ? num(st, "downtime") : -1,
                            st ? num(st, "memory_iteration") - 2 : -1, f.in.rate_bps / 1e6,
                            f.in.first_round_bytes / 1e6, f.in.setup_ms, f.in.stop_ms,
                            f.in.first_tail_share, f.dirty_ratio, ccnc_forecast_dirty_share(&f),
                            ccnc_forecast_at_edge(&f) ? " AT THE EDGE" : "");
            }
            /* then it is history for the next */
            ck_assert_int_eq(symlink(path, link), 0);
            json_object_put(run);
            json_object_put(fl);
            json_object_put(res);
            json_object_put(st);
            free(link);
            free(path);
            free(names[i]);
        }
        cmd = ccnc_xasprintf("rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
        free(src_dir);
        free(rel);
    }
    *r = (struct replayed){ n,          conv,      time_ok,   down_ok,  stuck_seen,
                            stuck,      ratio_seen, long_seen, edge_done, edge_within };
}

START_TEST(test_forecast_replay_fig17)
{
    /* each sweep: the migrations that did not end, and of them those
     * forecast not to; converging forecasts; of them, time within 15 % (at
     * least) and downtime within 25 % or 30 ms; those that took 40 rounds
     * or more (each forecast at the edge); the edge points that ended, and
     * those within the band (at least).  QEMU's dirty rate is learnt from
     * rounds of a second or more only (since 2026-12-07: faster ones count
     * what the guest rewrites all the time once a sync), and a policy that
     * raises the limit is modelled from where it ended this VM's runs */
    static const struct {
        const char *sweep;
        int stuck_seen, stuck, conv, time_ok, down_ok, long_seen, edge_done, edge_within;
    } want[] = {
        /* 2026-12-05, under QEMU's policy: the miss 100 Mb/s at 8 MiB/s
         * (46 rounds, at the edge: 32.1 s for 64.9); 300 Mb/s at 35
         * (122 rounds) 66.8 s for 73.5 (53.6 s with QEMU's rate over its
         * fast rounds); 100 Mb/s at 16 and 32 never ended */
        { "fig17-runs", 2, 2, 13, 12, 13, 2, 3, 2 },
        /* 2026-12-06: 100 Mb/s at 8 MiB/s (93 rounds) 48.4 s for 72.1;
         * 300 Mb/s at 32 (sampled 33) forecast not to end within 90 s
         * took 75.2 */
        { "fig17-given-up", 2, 2, 12, 11, 12, 2, 2, 1 },
        /* 2026-12-07: 100 Mb/s idle (sampled 2 MiB/s) was +20 % before
         * the background's working set (+3.0 % with it);
         * 300 Mb/s at 32 (sampled 37) forecast not to end within 90 s,
         * but from 35.0 s at 15 % less, took 67.4 s */
        { "fig17-timeout", 2, 2, 12, 12, 12, 2, 2, 2 },
        /* 2026-12-07 under ccnc's 'lowest' policy (50 ms, 50 more at each
         * stalled round): at 100 Mb/s it stopped the guest at 200-300 ms,
         * idle too, with 1-2.6 MB left at the last sync (from the limit it
         * starts with and the threshold's tail, the downtime held at 6 of
         * 11);
         * 300 Mb/s at 32 (sampled 31), at the edge, forecast at 58.4 s,
         * did not end within 90 s; 100 Mb/s at 8 (sampled 10), forecast
         * not to, took 73.3 s */
        { "fig17-lowest", 3, 2, 11, 11, 11, 1, 1, 1 },
        /* the same an hour later: the misses 100 Mb/s at 4 (sampled 6, at
         * the edge) 42.5 s for 33.6, 300 Mb/s at 16 (sampled 20) downtime
         * 131 ms for 177; 300 Mb/s at 32 (sampled 33) forecast at 33.9 s,
         * the band 21.4 s to 85.3, did not end within 90 s */
        { "fig17-lowest-2", 3, 2, 12, 11, 11, 1, 3, 2 },
        /* 'lowest' raising the limit on the course too (2026-12-07, the
         * thirteenth run): 300 Mb/s at 32 (sampled 33), forecast at 50 ms
         * to end in 50.9 s, was raised to 300 ms on its course at 14.9 s
         * and ended in 69.0 s, downtime 344 ms for 112; at 100 Mb/s the
         * samples read 6 and 11 MiB/s for 4 and 8 (+24.4 %, +28.1 %; idle,
         * sampled 2, it was +17.6 % live, -0.5 % with the background's
         * working set); 300 Mb/s at 16, 17 rounds for 7 (-18.6 %,
         * downtime 116 ms for 160) */
        { "fig17-course", 2, 2, 13, 9, 11, 2, 3, 2 },
    };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(want); i++) {
        struct replayed r;

        replay_sweep(want[i].sweep, &r);
        if (getenv("CCNC_TEST_VERBOSE"))
            fprintf(stderr, "%s: { %d, %d, %d, %d, %d, %d, %d, %d }\n", want[i].sweep,
                    r.stuck_seen, r.stuck, r.conv, r.time_ok, r.down_ok, r.long_seen, r.edge_done,
                    r.edge_within);
        ck_assert_int_eq(r.n, 15);
        ck_assert_msg(r.stuck_seen == want[i].stuck_seen && r.stuck == want[i].stuck,
                      "%s: %d did not end, %d forecast as such", want[i].sweep, r.stuck_seen,
                      r.stuck);
        ck_assert_msg(r.conv == want[i].conv, "%s: forecast to converge: %d", want[i].sweep,
                      r.conv);
        ck_assert_msg(r.time_ok >= want[i].time_ok, "%s: time within 15 %%: %d of %d",
                      want[i].sweep, r.time_ok, r.conv);
        ck_assert_msg(r.down_ok == want[i].down_ok, "%s: downtime within 25 %% or 30 ms: %d of %d",
                      want[i].sweep, r.down_ok, r.conv);
        ck_assert_int_ge(r.ratio_seen, 7);
        ck_assert_msg(r.long_seen == want[i].long_seen, "%s: %d took 40 rounds or more",
                      want[i].sweep, r.long_seen);
        ck_assert_int_eq(r.edge_done, want[i].edge_done);
        ck_assert_msg(r.edge_within >= want[i].edge_within, "%s: within the band: %d of %d",
                      want[i].sweep, r.edge_within, r.edge_done);
    }
}
END_TEST

/* Dirty-rate samples: the median of the fresh ones is the model's rate; a
 * stale sample drops out; the plan says how old the newest is; a forecast
 * that stalls at the policy's first limit is made again at the one it
 * raises to. */
START_TEST(test_forecast_samples)
{
    const double mib = 1048576.0;
    struct ccnc_forecast f = { 0 };
    char *text;

    f.in.memory_bytes = 192 * mib;
    f.in.rate_bps = 10 * mib;
    f.in.first_round_bytes = 192 * mib;
    ck_assert(!ccnc_forecast_fresh(&f, 1000));
    ccnc_forecast_add_sample(&f, 8 * mib, 1, 1000);
    ck_assert(f.dirty_measured && f.n_samples == 1);
    ck_assert_double_eq_tol(f.in.dirty_bps, 8 * mib, 1);
    ccnc_forecast_add_sample(&f, 2 * mib, 1, 3000);
    ck_assert_double_eq_tol(f.in.dirty_bps, 5 * mib, 1);    /* two: their mean */
    ccnc_forecast_add_sample(&f, 3 * mib, 1, 5000);
    ck_assert_double_eq_tol(f.in.dirty_bps, 3 * mib, 1);    /* 8 overread: not the rate */
    ccnc_forecast_add_sample(&f, 4 * mib, 1, 6000);
    ck_assert_int_eq(f.n_samples, CCNC_FORECAST_SAMPLES);
    ck_assert_double_eq_tol(f.in.dirty_bps, 3.5 * mib, 1);  /* 2, 3, 4, 8 */
    ccnc_forecast_add_sample(&f, 3 * mib, 1, 7000);         /* the oldest goes */
    ck_assert_int_eq(f.n_samples, CCNC_FORECAST_SAMPLES);
    ck_assert_double_eq_tol(f.in.dirty_bps, 3 * mib, 1);    /* 2, 3, 3, 4 */
    ck_assert(ccnc_forecast_fresh(&f, 7000 + CCNC_FORECAST_FRESH_MS));
    ck_assert(!ccnc_forecast_fresh(&f, 7001 + CCNC_FORECAST_FRESH_MS));
    /* 12 s later: the others are stale */
    ccnc_forecast_add_sample(&f, 6 * mib, 1, 19000);
    ck_assert_int_eq(f.n_samples, 1);
    ck_assert_double_eq_tol(f.in.dirty_bps, 6 * mib, 1);

    ccnc_forecast_compute(&f);
    ck_assert(f.valid);
    text = ccnc_forecast_text(&f, 21500);
    ck_assert_msg(strstr(text, "sample 2 s ago: dirtying 6.0 MiB/s of 192 MiB"), "%s", text);
    free(text);
    ccnc_forecast_add_sample(&f, 7 * mib, 1, 21000);
    text = ccnc_forecast_text(&f, 21000);
    ck_assert_msg(strstr(text, "dirtying 6.5 MiB/s of 192 MiB (median of 2, the last 0 s ago)"),
                  "%s", text);
    ck_assert_ptr_null(strstr(text, "working set"));
    free(text);
    /* a 3 s sample whose distinct pages stop at 12 MiB, where the rate
     * would dirty 19.5: within what whole MiB/s and the guest's
     * background leave open (60 % of 5.5 MiB/s over 3 s) */
    ccnc_forecast_add_sample(&f, 4 * mib, 3, 23000);
    ck_assert_double_eq(f.in.working_set_bytes, 0);
    /* at 9 MiB: the working set; the rate stays the short ones' */
    ccnc_forecast_add_sample(&f, 3 * mib, 3, 24000);
    ck_assert_double_eq_tol(f.in.dirty_bps, 6.5 * mib, 1);
    ck_assert_double_eq_tol(f.in.working_set_bytes, 9 * mib, 1);
    text = ccnc_forecast_text(&f, 24000);
    ck_assert_msg(strstr(text, "working set 9 MiB (a 3 s sample saturated)"), "%s", text);
    free(text);
    /* one that does not stop short (18 of 19.5 MiB): no working set seen */
    ccnc_forecast_add_sample(&f, 6 * mib, 3, 27000);
    ck_assert_double_eq(f.in.working_set_bytes, 0);

    /* the policy's limits: a guest dirtying 95 % of the link's rate
     * stalls at 50 ms (its rounds would take longer than 300 s), and
     * converges at the limit that would do */
    memset(&f, 0, sizeof(f));
    f.in.memory_bytes = 192 * mib;
    f.in.rate_bps = 10 * mib;
    f.in.dirty_bps = 9.5 * mib;
    f.start_limit_ms = 50;
    ccnc_forecast_compute(&f);
    ck_assert(f.valid && !f.out.converges);
    ck_assert_double_eq(f.in.limit_ms, 50);
    ck_assert_msg(f.limit_to_converge_ms > 50, "%g %d", f.limit_to_converge_ms, f.out.rounds);
    f.raise_to_ms = f.limit_to_converge_ms;
    ccnc_forecast_compute(&f);
    ck_assert(f.valid && f.out.converges);
    ck_assert_double_eq(f.in.limit_ms, f.raise_to_ms);
    /* computed again: from the first limit again */
    f.in.working_set_bytes = 1 * mib;
    f.in.dirty_bps = 1 * mib;
    ccnc_forecast_compute(&f);
    ck_assert(f.out.converges);
    ck_assert_double_eq(f.in.limit_ms, 50);
}
END_TEST

/* --- a running migration's course (ccnc_precopy_to_go) ------------------------ */

/* By hand: the shrink over up to five rounds after the first, the rounds
 * until what is left fits under rate x limit, their time. */
START_TEST(test_precopy_to_go_cases)
{
    /* remaining halves each round, 100 MB/s, limit 100 ms: 10 MB */
    static const struct ccnc_precopy_round halving[] = {
        { 1, 500, 0, 1e9, 0, -1 },       { 2, 9000, 0, 320e6, 0, 100e6 },
        { 3, 12200, 0, 160e6, 0, 100e6 }, { 4, 13800, 0, 80e6, 0, 100e6 },
    };
    static const struct ccnc_precopy_round flat[] = {
        { 2, 9000, 0, 300e6, 0, 100e6 }, { 3, 12000, 0, 300e6, 0, 100e6 },
        { 4, 15000, 0, 301e6, 0, 100e6 },
    };
    static const struct ccnc_precopy_round near[] = {
        { 2, 9000, 0, 12e6, 0, 100e6 }, { 3, 9100, 0, 13e6, 0, 100e6 },
        { 4, 9200, 0, 12e6, 0, 100e6 },
    };
    /* round 3 read twice, round 5's event missed; no rate in the newest */
    static const struct ccnc_precopy_round gaps[] = {
        { 2, 9000, 0, 320e6, 0, 100e6 }, { 3, 12200, 0, 160e6, 0, 100e6 },
        { 3, 12201, 0, 160e6, 0, 100e6 }, { 6, 14000, 0, 20e6, 0, -1 },
    };
    struct ccnc_precopy_to_go g;

    ck_assert_int_eq(ccnc_precopy_to_go(halving, 4, 0, 100, &g), CCNC_PRECOPY_SHRINKING);
    ck_assert_int_eq(g.iteration, 4);
    ck_assert_double_eq_tol(g.shrink, 0.5, 1e-12);
    ck_assert_double_eq_tol(g.threshold_bytes, 10e6, 1e-3);
    /* 80 -> 40 -> 20 -> 10 MB: three rounds (80+40+20 MB) and the rest of 10 */
    ck_assert_int_eq(g.rounds, 3);
    ck_assert_double_eq_tol(g.ms, 1500, 1e-6);
    ck_assert_double_eq(g.elapsed_ms, 13800);

    /* the first round alone, or it and one more: not yet */
    ck_assert_int_eq(ccnc_precopy_to_go(halving, 2, 0, 100, &g), CCNC_PRECOPY_UNKNOWN);
    /* no rate anywhere */
    ck_assert_int_eq(ccnc_precopy_to_go(gaps, 4, 0, 100, &g), CCNC_PRECOPY_UNKNOWN);
    /* the rate given, the repeat skipped, the shrink per round over three */
    ck_assert_int_eq(ccnc_precopy_to_go(gaps, 4, 100e6, 100, &g), CCNC_PRECOPY_SHRINKING);
    ck_assert_double_eq_tol(g.shrink, 0.5, 1e-12);
    ck_assert_int_eq(g.rounds, 1);
    ck_assert_double_eq_tol(g.ms, 300, 1e-6);
    /* the default limit: 30 MB, fits already */
    ck_assert_int_eq(ccnc_precopy_to_go(gaps, 4, 100e6, 0, &g), CCNC_PRECOPY_SHRINKING);
    ck_assert_int_eq(g.rounds, 0);
    ck_assert_double_eq_tol(g.ms, 200, 1e-6);

    ck_assert_int_eq(ccnc_precopy_to_go(flat, 3, 0, 300, &g), CCNC_PRECOPY_STALLED);
    ck_assert_int_eq(ccnc_precopy_to_go(near, 3, 0, 100, &g), CCNC_PRECOPY_NEAR);
    ck_assert_int_eq(ccnc_precopy_to_go(NULL, 0, 1e6, 300, &g), CCNC_PRECOPY_UNKNOWN);
    {
        /* the last sync, with the guest stopped: nothing left to say */
        struct ccnc_precopy_round end[5];

        memcpy(end, halving, sizeof(halving));
        end[4] = (struct ccnc_precopy_round){ 5, 14000, 0, 0, 0, 100e6 };
        ck_assert_int_eq(ccnc_precopy_to_go(end, 5, 0, 100, &g), CCNC_PRECOPY_UNKNOWN);
    }
}
END_TEST

START_TEST(test_precopy_hopeless)
{
    struct ccnc_precopy_to_go stalled = { .course = CCNC_PRECOPY_STALLED },
                              far = { .course = CCNC_PRECOPY_SHRINKING, .elapsed_ms = 30000,
                                      .ms = 200000 },
                              soon = { .course = CCNC_PRECOPY_SHRINKING, .elapsed_ms = 30000,
                                       .ms = 100000 },
                              near = { .course = CCNC_PRECOPY_NEAR };
    struct ccnc_precopy_hopeless h = { 0 };

    /* rounds 1 to 3: not counted, whatever they say */
    for (int i = 1; i < CCNC_PRECOPY_GIVE_UP_FROM; i++) {
        stalled.iteration = i;
        ck_assert(!ccnc_precopy_hopeless(&stalled, 60000, &h));
    }
    ck_assert_int_eq(h.run, 0);
    /* from round 4, three in a row: stalled, or an end beyond twice the
     * timeout (230 s > 120); a round read again counts once */
    stalled.iteration = CCNC_PRECOPY_GIVE_UP_FROM;
    ck_assert(!ccnc_precopy_hopeless(&stalled, 60000, &h));
    ck_assert(!ccnc_precopy_hopeless(&stalled, 60000, &h));
    ck_assert_int_eq(h.run, 1);
    far.iteration = CCNC_PRECOPY_GIVE_UP_FROM + 1;
    ck_assert(!ccnc_precopy_hopeless(&far, 60000, &h));
    stalled.iteration = CCNC_PRECOPY_GIVE_UP_FROM + 2;
    ck_assert(ccnc_precopy_hopeless(&stalled, 60000, &h));
    ck_assert(ccnc_precopy_hopeless(&stalled, 60000, &h));   /* read again: still */
    /* any other round starts the count again: near, within twice the
     * timeout (130 s < 2 x 90 s), a round that told nothing, no timeout */
    near.iteration = 20;
    ck_assert(!ccnc_precopy_hopeless(&near, 60000, &h));
    ck_assert_int_eq(h.run, 0);
    h = (struct ccnc_precopy_hopeless){ CCNC_PRECOPY_GIVE_UP_ROUNDS - 1, 20 };
    soon.iteration = 21;
    ck_assert(!ccnc_precopy_hopeless(&soon, 90000, &h));
    ck_assert_int_eq(h.run, 0);
    h = (struct ccnc_precopy_hopeless){ CCNC_PRECOPY_GIVE_UP_ROUNDS - 1, 21 };
    soon.iteration = 22;
    ck_assert(ccnc_precopy_hopeless(&soon, 60000, &h));
    h.run = CCNC_PRECOPY_GIVE_UP_ROUNDS - 1;
    ck_assert(!ccnc_precopy_hopeless(NULL, 60000, &h));
    ck_assert_int_eq(h.run, 0);
    stalled.iteration = 30;
    h.run = CCNC_PRECOPY_GIVE_UP_ROUNDS;
    ck_assert(!ccnc_precopy_hopeless(&stalled, 0, &h));
}
END_TEST

/* A run file's rounds, read as the console and the report read run files
 * and turned into the model's as the watch turns them. */
static struct ccnc_precopy_round *
recorded_rounds(const char *path, size_t *n)
{
    struct ccnc_run_line *lines;
    struct ccnc_precopy_round *r = NULL;
    size_t n_lines, bad, cap = 0;

    *n = 0;
    ck_assert_int_eq(ccnc_run_read_lines(path, &lines, &n_lines, &bad, NULL), 0);
    for (size_t i = 0; i < n_lines; i++)
        if (lines[i].type == CCNC_RUN_LINE_JOB && ccnc_streq(lines[i].phase, "iteration"))
            *(struct ccnc_precopy_round *)ccnc_array_push(&r, n, &cap, sizeof(*r)) =
                ccnc_migration_round(&lines[i].job);
    ccnc_run_lines_free(lines, n_lines);
    return r;
}

/* A Fig. 17 sweep's run files (tests/data/migration/BASE/SPEED), round by
 * round as the watch read them: from the 15th round on, each course said
 * of a migration that ended is within 25 % of its time, or near the
 * threshold; of those that did not end, every one from the 4th round on
 * says not at this limit, or an end beyond the 90 s timeout.  give_up
 * never fires on one that ended, and on each that did not before its
 * timeout; live_gave_up: the sweep ran with give_up on, so each that did
 * not end stopped at the round the replay gives it up at.  Counts into
 * *ended, *said, *stuck_said, *given_up. */
/* Each run file of a Fig. 17 sweep (tests/data/migration/BASE/SPEED, at
 * 100, 300 and 1000 Mb/s): fn(base, speed, its name, its path, arg). */
static void
each_sweep_run(const char *base,
               void (*fn)(const char *base, const char *speed, const char *name,
                          const char *path, void *arg),
               void *arg)
{
    static const char *const speeds[] = { "100", "300", "1000" };

    for (size_t sp = 0; sp < CCNC_ARRAY_SIZE(speeds); sp++) {
        char *rel = ccnc_xasprintf("migration/%s/%s", base, speeds[sp]);
        char *dir = ccnc_test_data(rel);
        DIR *d = opendir(dir);
        struct dirent *e;

        ck_assert_msg(d != NULL, "%s", dir);
        while ((e = readdir(d)) != NULL) {
            char *path;

            if (!strstr(e->d_name, ".jsonl"))
                continue;
            path = ccnc_xasprintf("%s/%s", dir, e->d_name);
            fn(base, speeds[sp], e->d_name, path, arg);
            free(path);
        }
        closedir(d);
        free(dir);
        free(rel);
    }
}

struct sweep_counts {
    bool live_gave_up;
    int ended, said, stuck_said, given_up;
};

static void
check_run(const char *base, const char *speed, const char *name, const char *path, void *arg)
{
    struct sweep_counts *c = arg;
    struct ccnc_precopy_hopeless hopeless = { 0 };
    struct ccnc_precopy_round *r;
    double gave_up_ms = -1;
    int gave_up_round = -1;
    json_object *st;
    size_t n;

    r = recorded_rounds(path, &n);
    st = completed_stats(path);
    for (size_t k = 1; k <= n; k++) {
        struct ccnc_precopy_to_go g;
        enum ccnc_precopy_course course = ccnc_precopy_to_go(r, k, 0, 300, &g);

        /* the sweeps' timeout_s was 90 */
        if (ccnc_precopy_hopeless(course == CCNC_PRECOPY_UNKNOWN ? NULL : &g, 90000,
                                  &hopeless) && gave_up_ms < 0) {
            gave_up_ms = g.elapsed_ms;
            gave_up_round = g.iteration;
        }
        if (st && g.iteration >= 15) {
            double t = num(st, "time_elapsed");

            ck_assert_msg(course == CCNC_PRECOPY_NEAR ||
                              (course == CCNC_PRECOPY_SHRINKING &&
                               fabs(g.elapsed_ms + g.ms - t) <= 0.25 * t),
                          "%s/%s %s round %d: course %d, %.0f ms against %.0f", base, speed,
                          name, g.iteration, (int)course, g.elapsed_ms + g.ms, t);
            c->said++;
        } else if (!st && g.iteration >= 4) {
            ck_assert_msg(course == CCNC_PRECOPY_STALLED ||
                              (course == CCNC_PRECOPY_SHRINKING && g.elapsed_ms + g.ms > 90000),
                          "%s/%s round %d: course %d, %.0f ms", base, name, g.iteration,
                          (int)course, g.elapsed_ms + g.ms);
            c->stuck_said++;
        }
        if (getenv("CCNC_TEST_VERBOSE") && course != CCNC_PRECOPY_UNKNOWN)
            fprintf(stderr, "%s/%s/%s round %d: course %d, shrink %.3f, %d rounds, end %.0f ms (%s %.0f)\n",
                    base, speed, name, g.iteration, (int)course, g.shrink, g.rounds,
                    g.elapsed_ms + g.ms, st ? "ended" : "not", st ? num(st, "time_elapsed") : 0);
    }
    /* give_up: never a migration that ended; each one that did not,
     * before its timeout */
    ck_assert_msg(st ? gave_up_ms < 0 : gave_up_ms >= 0 && gave_up_ms < 90000,
                  "%s/%s %s: %s, given up at %.0f ms", base, speed, name,
                  st ? "ended" : "did not end", gave_up_ms);
    /* ... and live, at the same round: the last one it read */
    if (c->live_gave_up && !st)
        ck_assert_msg(n > 0 && gave_up_round == (int)r[n - 1].iteration,
                      "%s/%s %s: given up live after round %d, the replay at %d", base, speed,
                      name, n ? (int)r[n - 1].iteration : -1, gave_up_round);
    c->given_up += gave_up_ms >= 0;
    c->ended += st != NULL;
    json_object_put(st);
    free(r);
}

static void
check_sweep(const char *base, bool live_gave_up, int *ended, int *said, int *stuck_said,
            int *given_up)
{
    struct sweep_counts c = { .live_gave_up = live_gave_up };

    each_sweep_run(base, check_run, &c);
    *ended += c.ended;
    *said += c.said;
    *stuck_said += c.stuck_said;
    *given_up += c.given_up;
}

/* The sweep of 2026-12-05, give_up not there yet: the two that never ended
 * ran into the timeout.  The early rounds of the one at the edge (300 Mb/s,
 * 32 MiB/s: 124 rounds) are 20-50 % short: its rounds shrink faster at
 * first. */
START_TEST(test_precopy_to_go_recorded)
{
    int said = 0, ended = 0, stuck_said = 0, given_up = 0;

    check_sweep("fig17-runs", false, &ended, &said, &stuck_said, &given_up);
    ck_assert_int_eq(ended, 19);
    ck_assert_int_ge(said, 100);     /* the long ones' rounds */
    ck_assert_int_ge(stuck_said, 8);
    ck_assert_int_eq(given_up, 2);
}
END_TEST

/* The sweep of 2026-12-06 evening, give_up on: the two that never end
 * were given up after round 6; the two long ones that ended (95 and 83
 * rounds) were not. */
START_TEST(test_precopy_given_up_recorded)
{
    int said = 0, ended = 0, stuck_said = 0, given_up = 0;

    check_sweep("fig17-given-up", true, &ended, &said, &stuck_said, &given_up);
    ck_assert_int_eq(ended, 19);
    ck_assert_int_ge(said, 100);
    ck_assert_int_ge(stuck_said, 6);
    ck_assert_int_eq(given_up, 2);
}
END_TEST

/* 'lowest' on the course, replayed on the rounds QEMU ran under 'lowest'
 * (the sweeps of 2026-12-07 morning, timeout_s 90, max_downtime_ms 300):
 * round by round, the stalls and the course as the watch gives them.
 * Until the limit is raised on the course the rounds are what they would
 * have been, so where a later recorded round fits under the raised limit
 * (QEMU's rule: what is left within its rate times the limit) the guest
 * would have stopped.  A migration that ended within the policy's share of
 * its timeout is never raised on its course.  The two that did not end,
 * 300 Mb/s at 31 and 33 MiB/s, are raised to the highest, 300 ms, by
 * their 5th round (the stalls took them there after 89 s), and would not
 * have ended within the 90 s all the same: 23.5 MB were left at the end,
 * where 300 ms of the link is 10.8 MB.  100 Mb/s at 10 MiB/s (73.3 s) is
 * raised at 67.4 s and would have stopped at 71.8. */
struct course_counts {
    int raised, stuck, left_alone;
};

static void
course_run(const char *base, const char *speed, const char *name, const char *path, void *arg)
{
    struct course_counts *c = arg;
    struct ccnc_policy_state st;
    struct ccnc_precopy_round *r;
    double raised_ms = -1, stop_ms = -1, t;
    int at_course = 0;
    json_object *stats;
    size_t n;

    r = recorded_rounds(path, &n);
    stats = completed_stats(path);
    t = stats ? num(stats, "time_elapsed") : -1;
    ccnc_policy_start(&st, CCNC_POLICY_LOWEST, 300, 512.0 * 1024 * 1024);
    for (size_t k = 1; k <= n; k++) {
        const struct ccnc_precopy_round *x = &r[k - 1];
        const char *why;
        int limit;

        if (at_course && x->remaining >= 0 && x->bps > 0 &&
            x->remaining <= x->bps * st.limit_ms / 1000) {
            stop_ms = x->elapsed_ms;   /* QEMU stops the guest here */
            break;
        }
        ccnc_policy_on_round(&st, (int)x->iteration, (long long)x->remaining,
                             (long long)x->elapsed_ms, &why);
        limit = ccnc_policy_on_course(&st, r, k, 0, 90000, &why);
        if (limit > 0) {
            ck_assert_str_eq(why, CCNC_POLICY_COURSE_WHY);
            if (raised_ms < 0)
                raised_ms = x->elapsed_ms;
            at_course = limit;
        }
    }
    if (getenv("CCNC_TEST_VERBOSE"))
        fprintf(stderr, "%s/%s/%s: %s %.0f ms; raised on the course at %.0f ms to %d "
                "ms, would stop at %.0f ms\n", base, speed, name,
                stats ? "ended" : "did not end", t, raised_ms, st.limit_ms, stop_ms);
    if (stats && t <= CCNC_POLICY_COURSE_SHARE * 90000) {
        ck_assert_msg(raised_ms < 0, "%s %s: ended at %.0f ms, raised at %.0f", base, name, t,
                      raised_ms);
        c->left_alone++;
    }
    if (!stats && strcmp(speed, "300") == 0) {
        ck_assert_msg(raised_ms >= 0 && raised_ms < 20000 && st.limit_ms == 300 && stop_ms < 0,
                      "%s %s: raised at %.0f ms to %d, would stop at %.0f", base, name,
                      raised_ms, st.limit_ms, stop_ms);
        c->stuck++;
    }
    if (stats && t > CCNC_POLICY_COURSE_SHARE * 90000)
        ck_assert_msg(raised_ms >= 0 && stop_ms > 0 && stop_ms <= t,
                      "%s %s: ended at %.0f ms; raised at %.0f, would stop at %.0f", base, name,
                      t, raised_ms, stop_ms);
    c->raised += raised_ms >= 0;
    json_object_put(stats);
    free(r);
}

START_TEST(test_policy_course_recorded)
{
    struct course_counts c = { 0 };

    each_sweep_run("fig17-lowest", course_run, &c);
    each_sweep_run("fig17-lowest-2", course_run, &c);
    ck_assert_int_eq(c.stuck, 2);      /* 300 Mb/s at 31 and 33 MiB/s */
    ck_assert_int_ge(c.left_alone, 20);
    ck_assert_int_eq(c.raised, 4);     /* and 100 Mb/s at 10 MiB/s, twice */
}
END_TEST

Suite *
ccnc_precopy_suite(void)
{
    Suite *s = suite_create("precopy");
    TCase *tc = tcase_create("model");

    tcase_add_loop_test(tc, test_precopy_rows, 0, (int)CCNC_ARRAY_SIZE(rows));
    tcase_add_test(tc, test_precopy_parts);
    tcase_add_test(tc, test_precopy_to_converge);
    tcase_add_test(tc, test_precopy_auto_converge);
    tcase_add_test(tc, test_precopy_monotonic);
    tcase_add_test(tc, test_precopy_refused);
    tcase_add_test(tc, test_precopy_stop);
    tcase_add_test(tc, test_precopy_learn_rounds);
    tcase_add_test(tc, test_precopy_median);
    tcase_add_test(tc, test_precopy_recorded_self);
    tcase_add_test(tc, test_precopy_held_not_learnt);
    tcase_add_test(tc, test_precopy_recorded_next);
    tcase_add_test(tc, test_precopy_recorded_fig17);
    tcase_add_test(tc, test_precopy_recorded_auto_converge);
    tcase_add_test(tc, test_forecast_learn);
    tcase_add_test(tc, test_forecast_learn_late_start);
    tcase_add_test(tc, test_forecast_learn_late_start_recorded);
    tcase_add_test(tc, test_run_limit_at_stop);
    tcase_add_test(tc, test_forecast_learn_ended_limit);
    tcase_add_test(tc, test_forecast_learn_link_changed);
    tcase_add_test(tc, test_forecast_edge);
    tcase_add_test(tc, test_forecast_lowest_course);
    tcase_add_test(tc, test_forecast_background);
    tcase_add_test(tc, test_forecast_samples);
    tcase_add_test(tc, test_forecast_replay_fig17);
    tcase_add_test(tc, test_forecast_edge_timeout);
    tcase_add_test(tc, test_precopy_timeout_at_stop);
    tcase_add_test(tc, test_precopy_to_go_cases);
    tcase_add_test(tc, test_precopy_to_go_recorded);
    tcase_add_test(tc, test_precopy_hopeless);
    tcase_add_test(tc, test_precopy_given_up_recorded);
    tcase_add_test(tc, test_policy_course_recorded);
    suite_add_tcase(s, tc);
    return s;
}
