/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A run's trace read from recorded lab runs, where its longest gap was,
 * and the thesis' Table 1 over many runs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/model.h>
#include <ccnc/report.h>

#include "check-ccnc.h"

/* real runs of ccnc's lab in a box (tests/data/MANIFEST.tsv) */
static const char *const lab_runs[] = {
    "runs/lab-20261203-221714-vm1-migrate-passthrough.jsonl",
    "runs/lab-20261203-221730-vm1-migrate-passthrough.jsonl",
    "runs/lab-20261203-221802-vm1-migrate-passthrough.jsonl",
};

START_TEST(test_trace_lab_run)
{
    char *path = ccnc_test_data(lab_runs[0]);
    struct ccnc_run_trace t;
    struct ccnc_error err = { 0 };
    const enum ccnc_step_op *plan;
    size_t n_plan = ccnc_action_default_steps(CCNC_ACTION_MIGRATE_PASSTHROUGH, &plan);
    long long gs, ge, job_end;

    ck_assert_int_eq(ccnc_run_trace_read(path, &t, &err), 0);
    ck_assert_str_eq(t.vm, "vm1");
    ck_assert_str_eq(t.source, "sys1");
    ck_assert_str_eq(t.destination, "sys2");
    ck_assert_str_eq(t.result, "done");
    ck_assert_uint_eq(t.n_steps, 12);
    ck_assert_uint_ge(n_plan, 13);
    /* recorded before the plan had its forecast step: the rest of it */
    ck_assert_int_eq(plan[0], CCNC_STEP_FORECAST);
    for (size_t i = 0; i < t.n_steps; i++) {
        ck_assert_int_eq(t.steps[i].op, plan[i + 1]);
        ck_assert_int_eq(t.steps[i].outcome, CCNC_STEP_OK);
        ck_assert(!t.steps[i].rollback);
        ck_assert_int_le(t.steps[i].started_ms, t.steps[i].ended_ms);
        if (i)
            ck_assert_int_le(t.steps[i - 1].ended_ms, t.steps[i].started_ms);
    }
    ck_assert_int_eq(t.steps[7].started_ms, 1796336236444LL);   /* migrate */
    ck_assert_int_eq(t.migrate_started_ms, 1796336236444LL);
    ck_assert_int_eq(t.job_elapsed_ms, 1797);
    ck_assert_int_eq(t.downtime_ms, 250);
    ck_assert_int_eq(t.total_ms, 9162);
    ck_assert_int_eq(t.longest_gap_ms, 321);
    ck_assert_int_eq(t.lost_probes, 31);
    ck_assert_uint_gt(t.n_samples, 80);
    /* the longest gap came during the migration, across libvirt's
     * downtime at the end of its job */
    ck_assert(ccnc_run_trace_longest_gap(&t, &gs, &ge));
    ck_assert_int_eq(ge - gs, 321);
    ck_assert_int_gt(gs, t.steps[7].started_ms);
    ck_assert_int_lt(ge, t.steps[7].ended_ms);
    job_end = t.migrate_started_ms + t.job_elapsed_ms;
    ck_assert_int_lt(gs, job_end);
    ck_assert_int_gt(ge, job_end - t.downtime_ms);
    ccnc_run_trace_clear(&t);
    free(path);
}
END_TEST

/* Where the longest gap was, from samples every 100 ms. */
static const struct {
    const char *why;
    struct ccnc_trace_sample s[4];
    size_t n;
    bool found;
    long long start, end;
} gap_rows[] = {
    { "ended between two samples, under way at the first",
      { { 1000, 10, 10, 0, 5, 12 }, { 1100, 20, 18, 0, 80, 80 }, { 1200, 30, 27, 0, 3, 150 } }, 3,
      true, 1020, 1170 },
    { "still under way at the sample that first knows it",
      { { 1000, 10, 10, 0, 5, 12 }, { 1100, 20, 15, 0, 90, 90 }, { 1200, 30, 15, 5, 190, 190 } },
      3, true, 1010, 1200 },
    { "the first sample already knows it", { { 1000, 10, 8, 0, 0, 140 } }, 1, true, 860, 1000 },
    { "no gap at all", { { 1000, 10, 10, 0, 0, 0 } }, 1, false, 0, 0 },
    { "no samples", { { 0 } }, 0, false, 0, 0 },
};

START_TEST(test_longest_gap_rows)
{
    struct ccnc_run_trace t = { 0 };
    long long s = 0, e = 0;
    bool found;

    t.samples = (struct ccnc_trace_sample *)gap_rows[_i].s;
    t.n_samples = gap_rows[_i].n;
    found = ccnc_run_trace_longest_gap(&t, &s, &e);
    ck_assert_msg(found == gap_rows[_i].found, "%s", gap_rows[_i].why);
    if (found) {
        ck_assert_msg(s == gap_rows[_i].start, "%s: starts at %lld", gap_rows[_i].why, s);
        ck_assert_msg(e == gap_rows[_i].end, "%s: ends at %lld", gap_rows[_i].why, e);
    }
}
END_TEST

/* A trace of lines written before step-start lines existed, and one that
 * stopped in a step. */
START_TEST(test_trace_old_and_unfinished)
{
    struct ccnc_run_line lines[4];
    struct ccnc_run_trace t;

    memset(lines, 0, sizeof(lines));
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(lines); i++) {
        lines[i].kind = lines[i].state = -1;
        lines[i].total_ms = lines[i].downtime_ms = lines[i].longest_gap_ms =
            lines[i].lost_probes = CCNC_UNKNOWN;
        lines[i].job_downtime_ms = lines[i].job.elapsed_ms = CCNC_UNKNOWN;
    }
    lines[0].type = CCNC_RUN_LINE_RUN;
    lines[0].t_ms = 1000;
    lines[0].kind = CCNC_ACTION_MIGRATE;
    lines[1].type = CCNC_RUN_LINE_STEP;   /* no step-start before it */
    lines[1].t_ms = 1500;
    lines[1].step = (struct ccnc_step){ CCNC_STEP_CHECK_DESTINATION, false, CCNC_STEP_OK, 1100,
                                        1500, NULL };
    lines[2].type = CCNC_RUN_LINE_STEP_START;
    lines[2].t_ms = 1600;
    lines[2].step.op = CCNC_STEP_MIGRATE;
    lines[3].type = CCNC_RUN_LINE_JOB;
    lines[3].t_ms = 2600;
    lines[3].job.elapsed_ms = 900;
    ccnc_run_trace_from_lines("x.jsonl", lines, CCNC_ARRAY_SIZE(lines), &t);
    ck_assert_str_eq(t.kind, "migrate");
    ck_assert_ptr_null(t.result);
    ck_assert_uint_eq(t.n_steps, 2);
    ck_assert_int_eq(t.steps[0].started_ms, 1100);
    ck_assert_int_eq(t.steps[0].ended_ms, 1500);
    ck_assert_int_eq(t.steps[1].outcome, CCNC_STEP_RUNNING_NOW);
    ck_assert_int_eq(t.steps[1].ended_ms, 2600);   /* as far as the file goes */
    ck_assert_int_eq(t.migrate_started_ms, 1600);
    ck_assert_int_eq(t.job_elapsed_ms, 900);
    ck_assert_int_eq(t.downtime_ms, CCNC_UNKNOWN);
    ck_assert_int_eq(t.longest_gap_ms, CCNC_UNKNOWN);
    ccnc_run_trace_clear(&t);
}
END_TEST

static struct ccnc_run_summary
summary(const char *kind, const char *result, long long total, long long migration,
        long long downtime, long long gap, long long lost)
{
    struct ccnc_run_summary s;

    memset(&s, 0, sizeof(s));
    s.kind = (char *)kind;
    s.result = (char *)result;
    s.total_ms = total;
    s.job_total_ms = migration;
    s.downtime_ms = CCNC_UNKNOWN;
    s.job_downtime_ms = downtime;   /* from the job line when the result has none */
    s.longest_gap_ms = gap;
    s.lost_probes = lost;
    s.stream_stall_ms = CCNC_UNKNOWN;   /* no stream seen */
    return s;
}

START_TEST(test_table)
{
    struct ccnc_run_summary runs[] = {
        summary("migrate-passthrough", "done", 9000, 1800, 250, 320, 30),
        summary("assign", "done", 500, -1, -1, 0, 0),
        summary("migrate-passthrough", "done", 8000, 1500, 120, 180, 15),
        summary("migrate-passthrough", "rolled-back", 4000, -1, -1, 10, 0),
        summary("migrate", "done", 12000, 2000, 300, -1, -1),
        summary("migrate-teaming", NULL, 100, -1, -1, -1, -1),
        summary("migrate-passthrough", "done", 10000, 1700, 200, 330, 31),
    };
    struct ccnc_table t;

    /* no run holds the stream: its row says so */
    ccnc_table_make(runs, CCNC_ARRAY_SIZE(runs), &t);
    ck_assert(!t.rows[CCNC_TABLE_STALL].recorded);
    ck_assert(t.rows[CCNC_TABLE_GAP].recorded);
    {
        char *text = ccnc_table_text(&t, runs, CCNC_ARRAY_SIZE(runs), false);
        ck_assert_ptr_nonnull(strstr(text, "longest stream stall   not measured"));
        free(text);
    }
    /* two done migrations saw the stream; a rolled-back one is left out */
    runs[0].stream_stall_ms = 540;
    runs[2].stream_stall_ms = 420;
    runs[3].stream_stall_ms = 9000;
    ccnc_table_make(runs, CCNC_ARRAY_SIZE(runs), &t);
    ck_assert_uint_eq(t.n_runs, 7);
    ck_assert_uint_eq(t.n_used, 4);
    ck_assert_ptr_nonnull(ccnc_table_left_out(&runs[1]));   /* not a migration */
    ck_assert_ptr_nonnull(ccnc_table_left_out(&runs[3]));   /* rolled back */
    ck_assert_ptr_nonnull(ccnc_table_left_out(&runs[5]));   /* never ended */
    ck_assert_ptr_null(ccnc_table_left_out(&runs[4]));
    /* 4 figures: the median is the mean of the middle two */
    ck_assert_uint_eq(t.rows[CCNC_TABLE_TOTAL].n, 4);
    ck_assert_int_eq(t.rows[CCNC_TABLE_TOTAL].min, 8000);
    ck_assert_int_eq(t.rows[CCNC_TABLE_TOTAL].median, 9500);
    ck_assert_int_eq(t.rows[CCNC_TABLE_TOTAL].max, 12000);
    ck_assert_int_eq(t.rows[CCNC_TABLE_MIGRATION].median, 1750);
    ck_assert_int_eq(t.rows[CCNC_TABLE_DOWNTIME].min, 120);
    ck_assert_int_eq(t.rows[CCNC_TABLE_DOWNTIME].median, 225);
    ck_assert_int_eq(t.rows[CCNC_TABLE_DOWNTIME].max, 300);
    /* the plain migration had no probe: 3 figures, the middle one */
    ck_assert_uint_eq(t.rows[CCNC_TABLE_GAP].n, 3);
    ck_assert_int_eq(t.rows[CCNC_TABLE_GAP].median, 320);
    ck_assert_int_eq(t.rows[CCNC_TABLE_LOST].min, 15);
    ck_assert_int_eq(t.rows[CCNC_TABLE_LOST].max, 31);
    /* the stream's stall where the run files hold it */
    ck_assert(t.rows[CCNC_TABLE_STALL].recorded);
    ck_assert_uint_eq(t.rows[CCNC_TABLE_STALL].n, 2);
    ck_assert_int_eq(t.rows[CCNC_TABLE_STALL].min, 420);
    ck_assert_int_eq(t.rows[CCNC_TABLE_STALL].median, 480);
    ck_assert_int_eq(t.rows[CCNC_TABLE_STALL].max, 540);
    ck_assert_str_eq(ccnc_table_row_to_string(CCNC_TABLE_STALL), "stream_stall_ms");
    {
        char *text = ccnc_table_text(&t, runs, CCNC_ARRAY_SIZE(runs), false);
        ck_assert_ptr_nonnull(strstr(text, "longest stream stall       420     480     540    2"));
        free(text);
    }
    /* none at all */
    ccnc_table_make(runs, 0, &t);
    ck_assert_uint_eq(t.n_used, 0);
    ck_assert_int_eq(t.rows[CCNC_TABLE_TOTAL].min, CCNC_UNKNOWN);
}
END_TEST

/* Three rounds of a real demo on the lab, whose run files hold the NFS
 * stream's stall as the NFS server's agent read it. */
START_TEST(test_table_demo_runs)
{
    static const char *const demo[] = {
        "runs/demo-20261204-161615-vm1-migrate-passthrough.jsonl",
        "runs/demo-20261204-161623-vm1-migrate-passthrough.jsonl",
        "runs/demo-20261204-161631-vm1-migrate-passthrough.jsonl",
    };
    struct ccnc_run_summary runs[CCNC_ARRAY_SIZE(demo)];
    struct ccnc_table t;
    char *text;

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(demo); i++) {
        char *path = ccnc_test_data(demo[i]);
        ck_assert_int_eq(ccnc_run_read(path, &runs[i], NULL), 0);
        free(path);
    }
    ck_assert_int_eq(runs[0].stream_stall_ms, 423);
    ck_assert_int_eq(runs[1].stream_stall_ms, 242);
    ck_assert_int_eq(runs[2].stream_stall_ms, 405);
    ccnc_table_make(runs, CCNC_ARRAY_SIZE(runs), &t);
    ck_assert_uint_eq(t.n_used, 3);
    ck_assert(t.rows[CCNC_TABLE_STALL].recorded);
    ck_assert_uint_eq(t.rows[CCNC_TABLE_STALL].n, 3);
    ck_assert_int_eq(t.rows[CCNC_TABLE_STALL].min, 242);
    ck_assert_int_eq(t.rows[CCNC_TABLE_STALL].median, 405);
    ck_assert_int_eq(t.rows[CCNC_TABLE_STALL].max, 423);
    ck_assert_int_eq(t.rows[CCNC_TABLE_GAP].median, 229);
    text = ccnc_table_text(&t, runs, CCNC_ARRAY_SIZE(runs), false);
    ck_assert_ptr_nonnull(strstr(text, "longest stream stall       242     405     423    3"));
    free(text);
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(runs); i++)
        ccnc_run_summary_clear(&runs[i]);
}
END_TEST

/* fdb lines become the trace's forwarding entries, in order. */
START_TEST(test_trace_fdb)
{
    struct ccnc_run_line lines[2] = {
        { .type = CCNC_RUN_LINE_FDB, .t_ms = 5000, .host = (char *)"sys2",
          .event = (char *)"learned", .mac = (char *)"52:54:00:77:01:01",
          .before = (char *)"br-pt", .after = (char *)"vnet11" },
        { .type = CCNC_RUN_LINE_FDB, .t_ms = 5100, .host = (char *)"sys1",
          .event = (char *)"gone", .mac = (char *)"52:54:00:77:01:01", .after = (char *)"vnet3" },
    };
    struct ccnc_run_trace t;

    for (size_t i = 0; i < 2; i++)
        lines[i].kind = lines[i].state = -1;
    ccnc_run_trace_from_lines("x.jsonl", lines, 2, &t);
    ck_assert_uint_eq(t.n_fdb, 2);
    ck_assert(t.fdb[0].learned);
    ck_assert_int_eq(t.fdb[0].t_ms, 5000);
    ck_assert_str_eq(t.fdb[0].host, "sys2");
    ck_assert_str_eq(t.fdb[0].bridge, "br-pt");
    ck_assert_str_eq(t.fdb[0].port, "vnet11");
    ck_assert(!t.fdb[1].learned);
    ck_assert_str_eq(t.fdb[1].bridge, "?");
    ccnc_run_trace_clear(&t);
}
END_TEST

START_TEST(test_table_lab_runs)
{
    struct ccnc_run_summary runs[CCNC_ARRAY_SIZE(lab_runs)];
    struct ccnc_table t;
    size_t n_th;
    const struct ccnc_thesis_figures *th = ccnc_table_thesis(&n_th);

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(lab_runs); i++) {
        char *path = ccnc_test_data(lab_runs[i]);
        ck_assert_int_eq(ccnc_run_read(path, &runs[i], NULL), 0);
        free(path);
    }
    ccnc_table_make(runs, CCNC_ARRAY_SIZE(runs), &t);
    ck_assert_uint_eq(t.n_used, 3);
    ck_assert_int_eq(t.rows[CCNC_TABLE_TOTAL].min, 8730);
    ck_assert_int_eq(t.rows[CCNC_TABLE_TOTAL].median, 9162);
    ck_assert_int_eq(t.rows[CCNC_TABLE_TOTAL].max, 10357);
    ck_assert_int_eq(t.rows[CCNC_TABLE_MIGRATION].median, 1797);
    ck_assert_int_eq(t.rows[CCNC_TABLE_DOWNTIME].min, 127);
    ck_assert_int_eq(t.rows[CCNC_TABLE_DOWNTIME].median, 250);
    ck_assert_int_eq(t.rows[CCNC_TABLE_DOWNTIME].max, 300);
    ck_assert_int_eq(t.rows[CCNC_TABLE_GAP].median, 321);
    ck_assert_int_eq(t.rows[CCNC_TABLE_LOST].max, 31);
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(runs); i++)
        ccnc_run_summary_clear(&runs[i]);
    /* the thesis' own Table 1 */
    ck_assert_uint_eq(n_th, 2);
    ck_assert_str_eq(th[0].system, "Xen 3.2");
    ck_assert_int_eq(th[0].total_ms, 60000);
    ck_assert_int_eq(th[0].downtime_ms, 4000);
    ck_assert(!th[0].downtime_below);
    ck_assert_str_eq(th[1].system, "Xen 4.0");
    ck_assert_int_eq(th[1].total_ms, 32000);
    ck_assert_int_eq(th[1].downtime_ms, 1000);
    ck_assert(th[1].downtime_below);
}
END_TEST

Suite *
ccnc_report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("trace and table");

    tcase_add_test(tc, test_trace_lab_run);
    tcase_add_loop_test(tc, test_longest_gap_rows, 0, (int)CCNC_ARRAY_SIZE(gap_rows));
    tcase_add_test(tc, test_trace_old_and_unfinished);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_table_lab_runs);
    tcase_add_test(tc, test_table_demo_runs);
    tcase_add_test(tc, test_trace_fdb);
    suite_add_tcase(s, tc);
    return s;
}
