/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The figure of `ccnc report --plot` as data: a span per step on a time
 * axis from the first step to the last, the phases, the probe's series,
 * the longest gap and libvirt's downtime marked and named. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/figure.h>
#include <ccnc/model.h>

#include "check-ccnc.h"

static const char *const lab_runs[] = {
    "runs/lab-20261203-221714-vm1-migrate-passthrough.jsonl",
    "runs/lab-20261203-221730-vm1-migrate-passthrough.jsonl",
    "runs/lab-20261203-221802-vm1-migrate-passthrough.jsonl",
};

static void
read_trace(const char *rel, struct ccnc_run_trace *t)
{
    char *path = ccnc_test_data(rel);
    struct ccnc_error err = { 0 };

    ck_assert_msg(ccnc_run_trace_read(path, t, &err) == 0, "%s: %s", path, err.message);
    free(path);
}

static const struct ccnc_fig_prim *
find(const struct ccnc_figure *f, enum ccnc_fig_kind kind, enum ccnc_fig_role role, size_t nth)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->prims[i].kind == kind && f->prims[i].role == role && nth-- == 0)
            return &f->prims[i];
    ck_abort_msg("no primitive %d of role %d", (int)kind, (int)role);
    return &f->prims[0];
}

static bool
has_text(const struct ccnc_figure *f, const char *s)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->prims[i].kind == CCNC_FIG_TEXT && strcmp(f->prims[i].text, s) == 0)
            return true;
    return false;
}

START_TEST(test_figure_one_run)
{
    struct ccnc_run_trace t;
    struct ccnc_figure *f;
    const struct ccnc_fig_prim *first, *last, *gap, *down, *series;
    double x0, x1;

    read_trace(lab_runs[0], &t);
    f = ccnc_figure_runs(&t, 1);
    ck_assert(f->width > 0 && f->height > 0);
    /* every primitive on the page */
    for (size_t i = 0; i < f->n; i++) {
        const struct ccnc_fig_prim *p = &f->prims[i];
        ck_assert_int_eq(p->panel, 0);
        ck_assert(p->x >= 0 && p->x <= f->width && p->y >= 0 && p->y <= f->height);
        if (p->kind == CCNC_FIG_RECT) {
            ck_assert(p->w > 0 && p->h > 0);
            ck_assert(p->x + p->w <= f->width + 1e-9 && p->y + p->h <= f->height + 1e-9);
        }
    }
    /* a span per step, named, in order, from the axis' start to its end */
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_STEP), t.n_steps);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_KIND_LAST, CCNC_FIG_STEP_FAILED), 0);
    for (size_t i = 0; i < t.n_steps; i++) {
        const struct ccnc_fig_prim *s = find(f, CCNC_FIG_RECT, CCNC_FIG_STEP, i);
        ck_assert_str_eq(s->text, ccnc_step_op_to_string(t.steps[i].op));
        ck_assert(has_text(f, s->text));   /* its label */
        if (i)
            ck_assert(s->x >= find(f, CCNC_FIG_RECT, CCNC_FIG_STEP, i - 1)->x);
    }
    first = find(f, CCNC_FIG_RECT, CCNC_FIG_STEP, 0);
    last = find(f, CCNC_FIG_RECT, CCNC_FIG_STEP, t.n_steps - 1);
    x0 = first->x;
    x1 = last->x + last->w;
    ck_assert(x1 > x0 + f->width / 2);
    /* the migrate step spans its share of the time axis */
    {
        const struct ccnc_fig_prim *m = find(f, CCNC_FIG_RECT, CCNC_FIG_STEP, 7);
        double want = (double)(t.steps[7].ended_ms - t.steps[7].started_ms) /
                      (double)(t.steps[11].ended_ms - t.steps[0].started_ms) * (x1 - x0);
        ck_assert_str_eq(m->text, "migrate");
        ck_assert_double_eq_tol(m->w, want, 0.5);
    }
    /* four phases, named */
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_PHASE), 4);
    ck_assert_str_eq(find(f, CCNC_FIG_RECT, CCNC_FIG_PHASE, 2)->text, "migration");
    ck_assert(has_text(f, "checks"));
    ck_assert(has_text(f, "back to the passthrough NIC"));
    /* the longest gap and libvirt's downtime, marked and named, within
     * the migrate step */
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_LONGEST_GAP), 1);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_DOWNTIME), 1);
    ck_assert(has_text(f, "longest gap 321 ms"));
    ck_assert(has_text(f, "downtime 250 ms (libvirt's)"));
    gap = find(f, CCNC_FIG_RECT, CCNC_FIG_LONGEST_GAP, 0);
    down = find(f, CCNC_FIG_RECT, CCNC_FIG_DOWNTIME, 0);
    ck_assert_double_eq_tol(gap->w, 321.0 / (double)(t.steps[11].ended_ms - t.steps[0].started_ms)
                                        * (x1 - x0), 0.5);
    ck_assert(gap->x < down->x + down->w && down->x < gap->x + gap->w);   /* they overlap */
    /* the probe's series, inside its chart: under the steps */
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_POLYLINE, CCNC_FIG_GAP), 1);
    series = find(f, CCNC_FIG_POLYLINE, CCNC_FIG_GAP, 0);
    ck_assert_uint_gt(series->n_xy, 70);
    for (size_t i = 0; i < series->n_xy; i++) {
        ck_assert(series->xy[2 * i] >= x0 - 1e-9 && series->xy[2 * i] <= x1 + 1e-9);
        ck_assert(series->xy[2 * i + 1] > last->y + last->h);
        ck_assert(series->xy[2 * i + 1] <= gap->y + gap->h + 1e-9);
        if (i)
            ck_assert(series->xy[2 * i] >= series->xy[2 * i - 2]);
    }
    /* one run: no chart over runs */
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_KIND_LAST, CCNC_FIG_BAR), 0);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_TEXT, CCNC_FIG_TITLE), 1);
    ccnc_figure_free(f);
    ccnc_run_trace_clear(&t);
}
END_TEST

START_TEST(test_figure_runs_chart)
{
    struct ccnc_run_trace t[CCNC_ARRAY_SIZE(lab_runs)];
    struct ccnc_figure *f, *one;
    size_t n = CCNC_ARRAY_SIZE(lab_runs), steps = 0;

    for (size_t i = 0; i < n; i++) {
        read_trace(lab_runs[i], &t[i]);
        steps += t[i].n_steps;
    }
    f = ccnc_figure_runs(t, n);
    one = ccnc_figure_runs(t, 1);
    ck_assert(f->height > 3 * one->height);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_STEP), steps);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_DOWNTIME), n);
    /* a title per panel and the chart's; five figures a run, of which
     * these runs hold four (no stream stall: its bars are "-") */
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_TEXT, CCNC_FIG_TITLE), n + 1);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_BAR), 4 * n);
    ck_assert(has_text(f, "longest stream stall (ms)"));
    /* bars of one figure share a scale: run 3's downtime (300 ms) stands
     * tallest, run 2's (127 ms) 127/300 of it */
    {
        const struct ccnc_fig_prim *b2 = find(f, CCNC_FIG_RECT, CCNC_FIG_BAR, n + 1);
        const struct ccnc_fig_prim *b3 = find(f, CCNC_FIG_RECT, CCNC_FIG_BAR, n + 2);
        ck_assert_int_eq(b2->panel, -1);
        ck_assert_str_eq(b3->text, "run 3");
        ck_assert_double_eq_tol(b2->h / b3->h, 127.0 / 300.0, 1e-6);
        ck_assert(has_text(f, "300"));
    }
    for (size_t i = 0; i < f->n; i++)
        ck_assert(f->prims[i].panel >= -1 && f->prims[i].panel < (int)n);
    ccnc_figure_free(one);
    ccnc_figure_free(f);
    for (size_t i = 0; i < n; i++)
        ccnc_run_trace_clear(&t[i]);
}
END_TEST

/* Demo rounds whose run files hold the stream's stall: a fifth bar each,
 * on one scale (423, 242 and 405 ms). */
START_TEST(test_figure_chart_stall)
{
    static const char *const demo[] = {
        "runs/demo-20261204-161615-vm1-migrate-passthrough.jsonl",
        "runs/demo-20261204-161623-vm1-migrate-passthrough.jsonl",
        "runs/demo-20261204-161631-vm1-migrate-passthrough.jsonl",
    };
    struct ccnc_run_trace t[CCNC_ARRAY_SIZE(demo)];
    struct ccnc_figure *f;
    size_t n = CCNC_ARRAY_SIZE(demo);

    for (size_t i = 0; i < n; i++)
        read_trace(demo[i], &t[i]);
    ck_assert_int_eq(t[0].stream_stall_ms, 423);
    ck_assert_int_eq(t[1].stream_stall_ms, 242);
    /* forwarding entries: one learned during the run (marked and named),
     * one gone (not marked), one learned long before the run (outside) */
    ck_assert_uint_eq(t[0].n_fdb, 0);
    t[0].fdb = ccnc_xcalloc(3, sizeof(*t[0].fdb));
    t[0].n_fdb = 3;
    t[0].fdb[0] = (struct ccnc_trace_fdb){ t[0].steps[8].started_ms + 10, true, "sys1", "br-pt",
                                           "vnet11" };
    t[0].fdb[1] = (struct ccnc_trace_fdb){ t[0].steps[8].started_ms + 20, false, "sys2", "br-pt",
                                           "vnet3" };
    t[0].fdb[2] = (struct ccnc_trace_fdb){ t[0].steps[0].started_ms - 60000, true, "sys2",
                                           "br-pt", "vnet4" };
    f = ccnc_figure_runs(t, n);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_LINE, CCNC_FIG_FDB), 1);
    ck_assert_str_eq(find(f, CCNC_FIG_LINE, CCNC_FIG_FDB, 0)->text, "sys1 vnet11");
    ck_assert(has_text(f, "sys1 vnet11"));
    ck_assert(!has_text(f, "sys2 vnet3"));
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_BAR), 5 * n);
    /* each panel has the stream's rate; runs 1 and 3 stalled 300 ms or
     * more (423, 405 ms), once each, named by the whole stall; run 2's
     * 242 ms is not marked */
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_POLYLINE, CCNC_FIG_STREAM), n);
    for (size_t i = 0; i < n; i++)   /* each with the run's one-second readings */
        ck_assert_uint_ge(find(f, CCNC_FIG_POLYLINE, CCNC_FIG_STREAM, i)->n_xy, 5);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_STALL), 2);
    ck_assert(has_text(f, "stream stall 423 ms"));
    ck_assert(has_text(f, "stream stall 405 ms"));
    ck_assert(!has_text(f, "stream stall 242 ms"));
    {
        const struct ccnc_fig_prim *s0 = find(f, CCNC_FIG_RECT, CCNC_FIG_STALL, 0);
        ck_assert_int_eq(s0->panel, 0);
        ck_assert_str_eq(s0->text, "stream stall");
    }
    {
        /* the stall's bars are the last three */
        const struct ccnc_fig_prim *s1 = find(f, CCNC_FIG_RECT, CCNC_FIG_BAR, 4 * n);
        const struct ccnc_fig_prim *s2 = find(f, CCNC_FIG_RECT, CCNC_FIG_BAR, 4 * n + 1);
        ck_assert_double_eq_tol(s2->h / s1->h, 242.0 / 423.0, 1e-6);
    }
    ccnc_figure_free(f);
    for (size_t i = 0; i < n; i++)
        ccnc_run_trace_clear(&t[i]);
}
END_TEST

/* A run that failed and rolled back, without a probe. */
START_TEST(test_figure_failed_run)
{
    struct ccnc_trace_step steps[] = {
        { CCNC_STEP_CHECK_DESTINATION, false, CCNC_STEP_OK, 1000, 1200 },
        { CCNC_STEP_DETACH, false, CCNC_STEP_OK, 1200, 1600 },
        { CCNC_STEP_MIGRATE, false, CCNC_STEP_FAILED, 1600, 5600 },
        { CCNC_STEP_REATTACH_SOURCE, true, CCNC_STEP_OK, 5600, 6000 },
        { CCNC_STEP_RESTORE_PRIMARY, true, CCNC_STEP_SKIPPED, 6000, 6000 },
    };
    struct ccnc_run_trace t = { 0 };
    struct ccnc_figure *f;

    t.kind = (char *)"migrate-passthrough";
    t.vm = (char *)"vm1";
    t.result = (char *)"rolled-back";
    t.steps = steps;
    t.n_steps = CCNC_ARRAY_SIZE(steps);
    t.started_ms = t.total_ms = t.migrate_started_ms = t.job_elapsed_ms = t.downtime_ms =
        t.longest_gap_ms = t.lost_probes = t.sent_probes = CCNC_UNKNOWN;
    f = ccnc_figure_runs(&t, 1);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_STEP), 2);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_STEP_FAILED), 1);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_RECT, CCNC_FIG_STEP_UNDO), 2);
    ck_assert(has_text(f, "rollback"));
    ck_assert(has_text(f, "reattach-source (undo)"));
    /* nothing to mark where nothing was measured, and it says so */
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_KIND_LAST, CCNC_FIG_DOWNTIME), 0);
    ck_assert_uint_eq(ccnc_figure_count(f, CCNC_FIG_KIND_LAST, CCNC_FIG_LONGEST_GAP), 0);
    ck_assert(has_text(f, "the probe sent nothing during the steps"));
    /* the zero-length skipped step is still visible */
    ck_assert(find(f, CCNC_FIG_RECT, CCNC_FIG_STEP_UNDO, 1)->w >= 1);
    ccnc_figure_free(f);
    ccnc_figure_free(ccnc_figure_runs(NULL, 0));
}
END_TEST

Suite *
ccnc_figure_suite(void)
{
    Suite *s = suite_create("figure");
    TCase *tc = tcase_create("model");

    tcase_add_test(tc, test_figure_one_run);
    tcase_add_test(tc, test_figure_runs_chart);
    tcase_add_test(tc, test_figure_chart_stall);
    tcase_add_test(tc, test_figure_failed_run);
    suite_add_tcase(s, tc);
    return s;
}
