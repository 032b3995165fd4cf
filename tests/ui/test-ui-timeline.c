/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Migration view's timeline and the presenter layout: the time-slice
 * mapping and the probe strip on made-up samples, and golden screens of a
 * real run (tests/data/runs/timeline-*.jsonl) played through the replay. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/engine.h>
#include <ccnc/policy.h>
#include <ccnc/util.h>

#include "check-ccnc.h"
#include "ui-keys.h"
#include "ui-screen.h"
#include "ui-timeline.h"
#include "ui-views.h"

#define RUN_DONE "runs/timeline-migrate-passthrough-done.jsonl"
#define RUN_DEMO "runs/demo-20261204-161615-vm1-migrate-passthrough.jsonl"
#define RUN_FDB "runs/fdb-20261204-192956-vm1-migrate-passthrough.jsonl"

/* --- the time-slice mapping ------------------------------------------------ */

static const struct {
    long long span;
    int w;
} axes[] = { { 8290, 68 }, { 68, 68 }, { 1000, 7 }, { 123457, 148 }, { 7, 20 }, { 1, 1 } };

/* Every millisecond of the axis falls in exactly one column, the columns'
 * slices follow each other without a hole, and each slice's times map
 * back to its column. */
START_TEST(test_slice_mapping)
{
    struct ui_timeline tl = { .t0 = 1796336145000LL };
    int w = axes[_i].w;

    tl.t1 = tl.t0 + axes[_i].span;
    for (int c = 0; c < w; c++) {
        long long from, to;
        ui_timeline_slice_times(&tl, w, c, &from, &to);
        if (c == 0)
            ck_assert_int_eq(from, tl.t0);
        if (c == w - 1)
            ck_assert_int_eq(to, tl.t1);
        if (c + 1 < w) {
            long long nf, nt;
            ui_timeline_slice_times(&tl, w, c + 1, &nf, &nt);
            ck_assert_int_eq(to, nf);
        }
        ck_assert_int_le(from, to);
        if (to > from) {
            ck_assert_int_eq(ui_timeline_col(&tl, w, from), c);
            ck_assert_int_eq(ui_timeline_col(&tl, w, to - 1), c);
        }
    }
    for (long long t = tl.t0; t < tl.t1; t += axes[_i].span / 97 + 1) {
        int c = ui_timeline_col(&tl, w, t);
        long long from, to;
        ui_timeline_slice_times(&tl, w, c, &from, &to);
        ck_assert_int_ge(t, from);
        ck_assert_int_lt(t, to);
    }
    /* before and after the axis: its ends */
    ck_assert_int_eq(ui_timeline_col(&tl, w, tl.t0 - 5000), 0);
    ck_assert_int_eq(ui_timeline_col(&tl, w, tl.t1 + 5000), w - 1);
}
END_TEST

/* Probe samples every 100 ms from 1000 to 5000 ms after T0, 10 probes
 * each: no reply from 2000 until just after 2300 (late: all answered
 * then), and the 10 probes sent at 3000-3100 never answered: counted lost
 * a second later, at the sample of 4100.  A detach's steps over them. */
#define T0 1796336000000LL
static struct ccnc_engine_probe_sample made_probes[41];

static void
make_samples(struct ccnc_engine_samples *s, struct ccnc_action **a)
{
    long long longest = 5;

    for (int i = 0; i <= 40; i++) {
        long long t = 1000 + i * 100, sent = 10LL * (i + 1), received = sent, gap = 5;
        if (t > 2000 && t <= 2300) {
            received = 110;     /* what came by 2000 */
            gap = t - 2000;
        }
        if (t >= 3100)
            received = sent - 10;
        if (gap > longest)
            longest = gap;
        made_probes[i] = (struct ccnc_engine_probe_sample){ T0 + t, sent, received,
                                                            t >= 4100 ? 10 : 0, gap, longest,
                                                            CCNC_UNKNOWN, CCNC_UNKNOWN,
                                                            CCNC_UNKNOWN };
    }
    *s = (struct ccnc_engine_samples){ made_probes, 41, NULL, 0 };
    *a = ccnc_action_new(CCNC_ACTION_DETACH, "vm1", "sys1", NULL, "e1000e");
    ccnc_action_confirm(*a);
    for (long long t = T0 + 1000; ccnc_action_next(*a, t); t += 500)
        ccnc_action_report(*a, CCNC_STEP_OK, NULL, t + 500 < T0 + 5000 ? t + 500 : T0 + 5000);
}

START_TEST(test_slice_kinds)
{
    struct ccnc_engine_samples s;
    struct ccnc_action *a;
    struct ui_timeline tl;
    int w;

    make_samples(&s, &a);
    ui_timeline_build(&tl, a, &s, false, 0);
    ck_assert_int_eq(tl.t0, T0 + 900);
    ck_assert_int_eq(tl.t1, T0 + 5000);
    w = 41;     /* a column [900 + 100 c, 1000 + 100 c) */
    /* the gap: 300 ms, ended at 2300, exactly */
    ck_assert_int_eq(tl.gap_ms, 300);
    ck_assert_int_eq(tl.gap_t1, T0 + 2300);
    ck_assert(tl.gap_exact);
    for (int c = 0; c < w; c++) {
        long long from, to;
        enum ui_tl_slice k = ui_timeline_slice(&tl, w, c);
        ui_timeline_slice_times(&tl, w, c, &from, &to);
        if (from >= T0 + 2000 && to <= T0 + 2300)
            ck_assert_msg(k == UI_TL_LATE, "column %d (%lld) is %d, not late", c, from - T0, k);
        else if (from >= T0 + 3000 && to <= T0 + 3100)
            ck_assert_msg(k == UI_TL_LOST, "column %d (%lld) is %d, not lost", c, from - T0, k);
        else if (from >= T0 + 1000 && to <= T0 + 1900)
            ck_assert_msg(k == UI_TL_OK, "column %d (%lld) is %d, not ok", c, from - T0, k);
    }
    ck_assert_int_eq(ui_timeline_slice(&tl, w * 3, 0), UI_TL_OK);
    ccnc_action_free(a);
}
END_TEST

/* The NFS stream's row: each column's level from the samples in its slice
 * (8: the run's highest, 0: nothing sent), none without readings. */
START_TEST(test_stream_levels)
{
    struct ccnc_engine_samples s;
    struct ccnc_action *a;
    struct ui_timeline tl;
    int w = 41;

    make_samples(&s, &a);
    for (int i = 0; i <= 40; i++)
        made_probes[i].stream_bps = CCNC_UNKNOWN;
    ui_timeline_build(&tl, a, &s, false, 0);
    ck_assert(!tl.has_stream);
    ck_assert_int_eq(ui_timeline_rows(&tl), UI_TL_ROWS);
    ck_assert_int_eq(ui_timeline_stream_level(&tl, w, 5), -1);
    for (int i = 0; i <= 40; i++) {
        long long t = 1000 + i * 100;
        made_probes[i].stream_bps = t < 2000 ? 8000000 : t < 2400 ? 0 : 4000000;
    }
    ui_timeline_build(&tl, a, &s, false, 0);
    ck_assert(tl.has_stream);
    ck_assert_int_eq(tl.stream_max, 8000000);
    ck_assert_int_eq(ui_timeline_rows(&tl), UI_TL_ROWS + 1);
    for (int c = 0; c < w; c++) {
        long long from, to;
        int lv = ui_timeline_stream_level(&tl, w, c);
        ui_timeline_slice_times(&tl, w, c, &from, &to);
        if (from >= T0 + 1000 && to <= T0 + 2000)
            ck_assert_msg(lv == 8, "column %d (%lld): level %d, not 8", c, from - T0, lv);
        else if (from >= T0 + 2000 && to <= T0 + 2400)
            ck_assert_msg(lv == 0, "column %d (%lld): level %d, not 0", c, from - T0, lv);
        else if (from >= T0 + 2400 && from <= T0 + 5000)
            ck_assert_msg(lv == 4, "column %d (%lld): level %d, not 4", c, from - T0, lv);
    }
    for (int i = 0; i <= 40; i++)
        made_probes[i].stream_bps = CCNC_UNKNOWN;
    ccnc_action_free(a);
}
END_TEST

/* The stream's stall on its row, from the samples' stall going on and
 * longest: columns whose middle lies in a stall of 300 ms or more are
 * stalled, no others. */
static void
stalled_columns(const struct ccnc_action *a, const struct ccnc_engine_samples *s,
                long long s0, long long s1)
{
    struct ui_timeline tl;
    int w = 41, stalled = 0;

    ui_timeline_build(&tl, a, s, false, 0);
    ck_assert(tl.has_stream);   /* the stall alone makes the row */
    for (int c = 0; c < w; c++) {
        long long from, to, mid;
        bool st = ui_timeline_stream_stalled(&tl, w, c);
        ui_timeline_slice_times(&tl, w, c, &from, &to);
        mid = from + (to - from) / 2 - T0;
        ck_assert_msg(st == (mid >= s0 && mid <= s1), "column %d (%lld ms): %s", c, mid,
                      st ? "stalled" : "not stalled");
        stalled += st;
    }
    if (s1 > s0)
        ck_assert_int_ge(stalled, 2);
}

START_TEST(test_stream_stalled)
{
    struct ccnc_engine_samples s;
    struct ccnc_action *a;
    long long longest = 40;

    make_samples(&s, &a);
    /* nothing moved from 2000 to 2600: the samples see it going on */
    for (int i = 0; i <= 40; i++) {
        long long t = 1000 + i * 100;
        made_probes[i].stream_stall_ms = t > 2000 && t <= 2600 ? t - 2000 : 40;
        if (made_probes[i].stream_stall_ms > longest)
            longest = made_probes[i].stream_stall_ms;
        made_probes[i].stream_longest_stall_ms = longest;
    }
    stalled_columns(a, &s, 2000, 2600);
    /* 2001 to 2305: no sample sees 300 ms going on (299 at 2300), but the
     * one at 2400 says a stall of 304 ms ended 95 ms before it */
    for (int i = 0; i <= 40; i++) {
        long long t = 1000 + i * 100;
        made_probes[i].stream_stall_ms = t > 2000 && t <= 2300 ? t - 2001 : t == 2400 ? 95 : 40;
        made_probes[i].stream_longest_stall_ms = t < 2100 ? 40 : t < 2400 ? t - 2001 : 304;
    }
    stalled_columns(a, &s, 2001, 2305);
    /* a stall of 200 ms marks nothing */
    for (int i = 0; i <= 40; i++) {
        long long t = 1000 + i * 100;
        made_probes[i].stream_stall_ms = t > 2000 && t <= 2200 ? t - 2000 : 40;
        made_probes[i].stream_longest_stall_ms = t <= 2000 ? 40 : t <= 2200 ? t - 2000 : 200;
    }
    stalled_columns(a, &s, 1, 0);
    for (int i = 0; i <= 40; i++)
        made_probes[i].stream_stall_ms = made_probes[i].stream_longest_stall_ms = CCNC_UNKNOWN;
    ccnc_action_free(a);
}
END_TEST

/* A running action's axis grows in whole lengths: 10 s at 7 s, 15 s at
 * 12 s; a finished one's ends with it. */
START_TEST(test_axis_grows)
{
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_DETACH, "vm1", "sys1", NULL, "e1000e");
    struct ui_timeline tl;

    ccnc_action_confirm(a);
    ccnc_action_next(a, T0);
    ui_timeline_build(&tl, a, NULL, true, T0 + 7000);
    ck_assert_int_eq(tl.t1 - tl.t0, 10000);
    ck_assert_int_eq(tl.spans[0].t1, T0 + 7000);
    ui_timeline_build(&tl, a, NULL, true, T0 + 12000);
    ck_assert_int_eq(tl.t1 - tl.t0, 15000);
    ccnc_action_report(a, CCNC_STEP_OK, NULL, T0 + 12345);
    ui_timeline_build(&tl, a, NULL, false, T0 + 20000);
    ck_assert_int_eq(tl.t1 - tl.t0, 12345);
    ccnc_action_free(a);
}
END_TEST

/* A migrate step running with no round yet is reservation (the hosts
 * still setting the migration up), not pre-copy; its first round makes
 * the rest of it pre-copy; ended without the job's figures, pre-copy. */
START_TEST(test_migrate_not_begun)
{
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE, "vm1", "sys1", "sys2", NULL);
    struct ccnc_engine_job_sample job = { .t_ms = T0 + 16000, .iteration = 1,
                                          .elapsed_ms = 1000, .downtime_ms = CCNC_UNKNOWN,
                                          .memory_remaining = CCNC_UNKNOWN };
    struct ccnc_engine_samples s = { NULL, 0, &job, 1, NULL, 0 };
    struct ui_timeline tl;
    long long t = T0;
    size_t m = 0;

    ccnc_action_confirm(a);
    while (ccnc_action_next(a, t) && a->steps[a->current].op != CCNC_STEP_MIGRATE) {
        t += 500;
        ccnc_action_report(a, CCNC_STEP_OK, NULL, t);
    }
    ck_assert_int_eq(a->steps[a->current].op, CCNC_STEP_MIGRATE);
    ui_timeline_build(&tl, a, NULL, true, t + 12000);
    for (m = 0; m < tl.n_spans && a->steps[tl.spans[m].step].op != CCNC_STEP_MIGRATE; m++)
        ;
    ck_assert_uint_lt(m, tl.n_spans);
    ck_assert_int_eq(tl.spans[m].phase, UI_TL_RESERVE);
    ck_assert(tl.spans[m].running);
    ck_assert_uint_eq(m + 1, tl.n_spans);
    /* the first round came 15 s in (its figures a second later) */
    job.t_ms = t + 16000;
    a->migration.iteration = 1;
    ui_timeline_build(&tl, a, &s, true, t + 17000);
    ck_assert_int_eq(tl.spans[m].phase, UI_TL_RESERVE);
    ck_assert_int_eq(tl.spans[m].t1, t + 15000);
    ck_assert_int_eq(tl.spans[m + 1].phase, UI_TL_PRECOPY);
    ck_assert(tl.spans[m + 1].running);
    /* ended, no figures: pre-copy as a whole */
    ccnc_action_report(a, CCNC_STEP_OK, NULL, t + 20000);
    ui_timeline_build(&tl, a, NULL, false, t + 21000);
    ck_assert_int_eq(tl.spans[m].phase, UI_TL_PRECOPY);
    ccnc_action_free(a);
}
END_TEST

/* --- a real run, replayed --------------------------------------------------- */

struct replayed {
    struct ccnc_lab *lab;
    struct ccnc_engine *e;
    struct ccnc_snapshot *snap;
    struct ui_action act;
    struct ui_state st;
};

static void
replay_run(struct replayed *r, const char *rel)
{
    char *lab = ccnc_test_data("snapshots/lab.conf"), *run = ccnc_test_data(rel);
    struct ccnc_error err = { 0 };
    int id;

    memset(r, 0, sizeof(*r));
    r->lab = ccnc_lab_load(lab, NULL, 0, NULL);
    ck_assert_ptr_nonnull(r->lab);
    r->e = ccnc_engine_new(r->lab);
    ck_assert_msg(ccnc_engine_replay(r->e, run, 1, &err) == 0, "%s", ui_str(err.message));
    id = ccnc_engine_action_id(r->e, 0);
    ccnc_engine_abort(r->e, id, "test");    /* played to its end at once */
    r->act = (struct ui_action){
        .id = id, .action = ccnc_engine_action_get(r->e, id), .active = false,
        .run_file = "~/.local/state/ccnc/runs/20261203-221545-vm1-migrate-passthrough.jsonl",
        .total_ms = ccnc_engine_action_total_ms(r->e, id),
        .downtime_ms = ccnc_engine_action_downtime_ms(r->e, id),
    };
    r->st = (struct ui_state){ .view = UI_VIEW_MIGRATION, .clock = "22:15:53",
                               .actions = &r->act, .n_actions = 1, .action_id = id };
    ccnc_engine_action_samples(r->e, id, &r->st.samples);
    r->snap = ccnc_engine_snapshot(r->e);
    free(lab);
    free(run);
}

static void
replayed_clear(struct replayed *r)
{
    ccnc_snapshot_unref(r->snap);
    ccnc_engine_free(r->e);
    ccnc_lab_unref(r->lab);
}

/* The real run: libvirt's downtime and the probe's longest gap, named as
 * the figures say (worked out by hand from the file's lines: the job began
 * at 148308 - 999, ended 1747 ms later, 121 ms of it downtime; the gap's
 * one reply came 20 ms before the sample at 149144). */
START_TEST(test_real_run_gap)
{
    struct replayed r;
    struct ui_timeline tl;
    char *text;

    replay_run(&r, RUN_DONE);
    ck_assert_uint_eq(r.st.samples.n_probes, 83);
    ck_assert_uint_eq(r.st.samples.n_jobs, 4);
    ui_timeline_build(&tl, r.act.action, &r.st.samples, false, 0);
    ck_assert_int_eq(tl.down_t1, 1796336147309LL + 1747);
    ck_assert_int_eq(tl.down_t1 - tl.down_t0, 121);
    ck_assert_int_eq(tl.gap_ms, 195);
    ck_assert_int_eq(tl.gap_t1, 1796336149124LL);
    ck_assert_uint_eq(tl.n_rounds, 2);
    text = ui_timeline_gap_text(&tl);
    ck_assert_str_eq(text, "195 ms, during stop-and-copy, 68 ms after QEMU's downtime ended");
    free(text);
    ck_assert_int_eq(ui_timeline_phase_at(&tl, tl.down_t0, tl.down_t1), UI_TL_STOPCOPY);
    ck_assert_int_eq(ui_timeline_phase_at(&tl, r.act.action->steps[0].started_ms + 100,
                                          r.act.action->steps[0].started_ms + 200), UI_TL_INIT);
    ck_assert_int_eq(ui_timeline_phase_at(&tl, tl.t0, tl.t0 + 100), UI_TL_UNDO);
    ccnc_action_free(NULL);
    replayed_clear(&r);
}
END_TEST

/* A demo round whose run file holds the stream's stall: its longest, 423
 * ms (the sample at 1796400978918 says it ended 10 ms before), began in
 * QEMU's stop-and-copy and ended after it. */
START_TEST(test_real_run_stall)
{
    struct replayed r;
    struct ui_timeline tl;
    char *text;

    replay_run(&r, RUN_DEMO);
    ck_assert(r.act.action->probe.stream);
    ck_assert_int_eq(r.act.action->probe.stream_longest_stall_ms, 423);
    ui_timeline_build(&tl, r.act.action, &r.st.samples, false, 0);
    ck_assert(tl.has_stream);
    text = ui_timeline_stall_text(&tl, r.act.action);
    ck_assert_str_eq(ui_str(text), "from stop-and-copy into commitment");
    free(text);
    ck_assert_int_eq(ui_timeline_phase_at(&tl, 1796400978908LL - 423, 1796400978908LL - 422),
                     UI_TL_STOPCOPY);
    ck_assert_int_eq(ui_timeline_phase_at(&tl, 1796400978907LL, 1796400978908LL),
                     UI_TL_COMMIT);
    replayed_clear(&r);
}
END_TEST

/* The bridges that learned the VM's MAC after QEMU's downtime: the first
 * time per bridge, in order, counted from the downtime's end; none before
 * the downtime began, none gone, none long after; the replies' return. */
START_TEST(test_relearn_text)
{
    struct ui_timeline tl = { .t0 = T0, .t1 = T0 + 10000, .down_t0 = T0 + 5000,
                              .down_t1 = T0 + 5200, .gap_ms = 400, .gap_t1 = T0 + 5300 };
    struct ccnc_trace_fdb f[7];
    char *text;

    ccnc_trace_fdb_set(&f[0], T0 + 1000, "learned", "sys1", "br-pt", "vnet1");   /* before */
    ccnc_trace_fdb_set(&f[1], T0 + 5212, "learned", "sys2", "br-pt", "vnet11");
    ccnc_trace_fdb_set(&f[2], T0 + 5215, "gone", "sys1", "br-pt", "vnet2");
    ccnc_trace_fdb_set(&f[3], T0 + 5190, "learned", "nfs", "br0", "eth0");      /* in it */
    ccnc_trace_fdb_set(&f[4], T0 + 5240, "learned", "sys2", "br-pt", "vnet12"); /* again */
    ccnc_trace_fdb_set(&f[5], T0 + 5250, "learned", "sys1", "br-lan", "eth1");
    ccnc_trace_fdb_set(&f[6], T0 + 12000, "learned", "sys2", "br-lan", "vnet9"); /* later */
    tl.fdb = f;
    tl.n_fdb = 7;
    text = ui_timeline_relearn_text(&tl);
    ck_assert_str_eq(ui_str(text), "sys2 br-pt +12 ms, nfs br0 -10 ms, sys1 br-lan +50 ms; "
                                   "replies +100 ms");
    free(text);
    /* no downtime known, or no bridge that learned: nothing to say */
    tl.down_t1 = CCNC_UNKNOWN;
    ck_assert_ptr_null(ui_timeline_relearn_text(&tl));
    tl.down_t1 = T0 + 5200;
    tl.n_fdb = 1;
    ck_assert_ptr_null(ui_timeline_relearn_text(&tl));
}
END_TEST

/* A real migration whose run file holds the bridges' entries: both
 * hosts' br-pt learned vm1's MAC from the destination's first frames, a
 * few ms before the end of the downtime as the job's figures place it,
 * and the replies came back 67 ms after it; the switch to the backup and
 * the NIC's return are marked on the axis too, the entries gone not. */
START_TEST(test_real_run_relearn)
{
    struct replayed r;
    struct ui_timeline tl;
    struct ui_grid *g = ui_grid_new(80, 8, false);
    char *text;
    int marks = 0;

    replay_run(&r, RUN_FDB);
    ui_timeline_build(&tl, r.act.action, &r.st.samples, false, 0);
    ck_assert_uint_eq(tl.n_fdb, 7);
    text = ui_timeline_relearn_text(&tl);
    ck_assert_str_eq(ui_str(text), "sys1 br-pt -13 ms, sys2 br-pt -12 ms; replies +67 ms");
    free(text);
    ui_timeline_draw(g, 0, 0, 80, &tl, r.act.action, false);
    text = ui_grid_to_text(g, false);
    for (const char *p = text; (p = strstr(p, "\u25c6")); p++)
        marks++;
    /* six learned entries, some in one column */
    ck_assert_int_ge(marks, 3);
    ck_assert_int_le(marks, 6);
    free(text);
    ui_grid_free(g);
    replayed_clear(&r);
}
END_TEST

/* A migration under 'lowest' whose limit the stalled rounds raised from
 * 50 to 300 ms (tests/data/migration/fig17-lowest): the replay follows the
 * run file's setting lines, and the Migration view says the limit and why
 * under the round's figures. */
START_TEST(test_real_run_limit_raised)
{
    struct replayed r;
    struct ui_grid *g = ui_grid_new(80, 24, false);
    char *text;

    replay_run(&r, "migration/fig17-lowest/100/20261207-054335-vm1-migrate-passthrough.jsonl");
    ck_assert_int_eq(r.act.action->migration.limit_ms, 300);
    ck_assert_str_eq(r.act.action->migration.limit_why, CCNC_POLICY_STALL_WHY);
    ck_assert(ccnc_migration_limit_raised(&r.act.action->migration));
    ui_draw_screen(g, r.snap, &r.st);
    text = ui_grid_to_text(g, false);
    ck_assert_msg(strstr(text, "downtime limit 300 ms: raised at stalled rounds") != NULL, "%s",
                  text);
    free(text);
    ui_grid_free(g);
    replayed_clear(&r);
}
END_TEST

static const struct {
    bool present;
    int w, h;
    bool ascii;
    int look;         /* 0 text and attributes, 1 monochrome, 2 colour */
    const char *golden;
    const char *run;  /* NULL: RUN_DONE */
} screens[] = {
    { false, 80, 24, false, 0, "golden/ui-timeline-80x24.txt" },
    { false, 160, 50, false, 0, "golden/ui-timeline-160x50.txt" },
    { false, 80, 24, true, 0, "golden/ui-timeline-80x24-ascii.txt" },
    { false, 80, 24, false, 1, "golden/ui-timeline-80x24-mono.txt" },
    { false, 80, 24, false, 2, "golden/ui-timeline-80x24-color.txt" },
    { true, 80, 24, false, 0, "golden/ui-present-80x24.txt" },
    { true, 160, 50, false, 0, "golden/ui-present-160x50.txt" },
    { true, 80, 24, true, 0, "golden/ui-present-80x24-ascii.txt" },
    { true, 80, 24, false, 1, "golden/ui-present-80x24-mono.txt" },
    { true, 80, 24, false, 2, "golden/ui-present-80x24-color.txt" },
    { true, 160, 50, false, 2, "golden/ui-present-160x50-color.txt" },
    /* a demo's round whose run file holds the NFS stream's stall */
    { true, 80, 24, false, 0, "golden/ui-present-stall-80x24.txt", RUN_DEMO },
    { false, 80, 24, false, 0, "golden/ui-timeline-stall-80x24.txt", RUN_DEMO },
    /* a migration with the bridges' entries: the marks, the relearn line */
    { false, 160, 50, false, 0, "golden/ui-timeline-fdb-160x50.txt", RUN_FDB },
};

START_TEST(test_replayed_screen)
{
    struct replayed r;
    struct ui_grid *g = ui_grid_new(screens[_i].w, screens[_i].h, screens[_i].ascii);
    char *text;

    replay_run(&r, screens[_i].run ? screens[_i].run : RUN_DONE);
    if (screens[_i].present)
        ck_assert_int_eq(ui_handle_key(&r.st, r.snap, 'p') & UI_KEY_REDRAW, UI_KEY_REDRAW);
    ck_assert(r.st.present == screens[_i].present);
    ui_draw_screen(g, r.snap, &r.st);
    if (screens[_i].look == 0) {
        text = ui_grid_to_text(g, true);
    } else {
        bool color = screens[_i].look == 2;
        char *plain = ui_grid_to_text(g, false), *styles = ui_grid_styles_to_text(g, color);
        text = ccnc_xasprintf("%s--- %s: 1 bold, 2 dim, 4 underline, 8 reverse ---\n%s", plain,
                              color ? "colour" : "monochrome", styles);
        if (color) {
            char *colors = ui_grid_colors_to_text(g), *both;
            both = ccnc_xasprintf("%s--- colours: foreground 1 red, 2 green, 3 yellow;"
                                  " g: on cyan ---\n%s", text, colors);
            free(text);
            free(colors);
            text = both;
        }
        free(plain);
        free(styles);
    }
    ccnc_test_golden(screens[_i].golden, text);
    free(text);
    ui_grid_free(g);
    replayed_clear(&r);
}
END_TEST

/* p toggles the presenter layout from any view, onto the Migration view's
 * selection; again, back. */
START_TEST(test_present_key)
{
    struct replayed r;

    replay_run(&r, RUN_DONE);
    r.st.view = UI_VIEW_OVERVIEW;
    ui_handle_key(&r.st, r.snap, 'p');
    ck_assert(r.st.present);
    ck_assert_int_eq(r.st.view, UI_VIEW_MIGRATION);
    ui_handle_key(&r.st, r.snap, 'p');
    ck_assert(!r.st.present);
    replayed_clear(&r);
}
END_TEST

Suite *
ccnc_ui_timeline_suite(void)
{
    Suite *s = suite_create("ui-timeline");
    TCase *tc = tcase_create("timeline");

    tcase_add_loop_test(tc, test_slice_mapping, 0, (int)CCNC_ARRAY_SIZE(axes));
    tcase_add_test(tc, test_slice_kinds);
    tcase_add_test(tc, test_axis_grows);
    tcase_add_test(tc, test_migrate_not_begun);
    tcase_add_test(tc, test_stream_levels);
    tcase_add_test(tc, test_stream_stalled);
    tcase_add_test(tc, test_real_run_stall);
    tcase_add_test(tc, test_real_run_gap);
    tcase_add_test(tc, test_relearn_text);
    tcase_add_test(tc, test_real_run_relearn);
    tcase_add_test(tc, test_real_run_limit_raised);
    tcase_add_loop_test(tc, test_replayed_screen, 0, (int)CCNC_ARRAY_SIZE(screens));
    tcase_add_test(tc, test_present_key);
    suite_add_tcase(s, tc);
    return s;
}
