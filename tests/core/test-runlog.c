/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run files: written line by line as an action goes, read back into a
 * summary; an unfinished or damaged file still says how far the run got. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ccnc/model.h>
#include <ccnc/runlog.h>

#include "check-ccnc.h"

static char dir[] = "/tmp/ccnc-runs-XXXXXX";

static void
setup(void)
{
    strcpy(dir, "/tmp/ccnc-runs-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
    char *cmd = ccnc_xasprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}

/* Run a migrate-with-passthrough to its end (or to stop_after steps),
 * writing the run file as the engine does. */
static char *
write_run(size_t stop_after, int fail_at)
{
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys1",
                                            "sys2", "pool:vf0");
    struct ccnc_error err = { 0 };
    struct ccnc_runlog *log;
    struct ccnc_step *s;
    long long t = 1764097200000LL;
    size_t n = 0;
    int pos = 0;
    char *path;
    static const char *const names[] = { "time_elapsed", "downtime", "memory_processed" };
    const long long values[] = { 3120, 212, 201326592 };

    ccnc_action_confirm(a);
    log = ccnc_runlog_open(dir, a, t, &err);
    ck_assert_msg(log != NULL, "%s", err.message);
    while ((s = ccnc_action_next(a, t)) != NULL) {
        bool fail = !s->rollback && pos++ == fail_at;
        ck_assert_int_eq(ccnc_runlog_step_start(log, s), 0);
        if (n++ >= stop_after)
            break;   /* "killed" in the middle of this step */
        t += 100;
        {
            bool mig = s->op == CCNC_STEP_MIGRATE;
            /* the stream is seen from the second step on; it stalls in
             * the migration, and that stall is its longest */
            struct ccnc_probe_figures f = {
                .measured = true, .sent = n * 10, .received = n * 10 - (mig ? 2 : 0),
                .lost = mig ? 2 : 0, .current_gap_ms = 0, .longest_gap_ms = mig ? 230 : 12,
                .stream = n > 1, .stream_stall_ms = mig ? 40 : 20,
                .stream_longest_stall_ms = mig ? 480 : 130 };
            ccnc_runlog_probe(log, t, &f, CCNC_UNKNOWN);
        }
        if (s->op == CCNC_STEP_BOND_TO_BACKUP)
            ccnc_runlog_bond(log, t, "vm1", "eth0", "eth1");
        if (s->op == CCNC_STEP_MIGRATE) {
            /* a round's "downtime" is QEMU's expectation, not a downtime */
            const long long round[] = { 1500, 9999, 100663296 };
            ccnc_runlog_job(log, "iteration", t, names, round, 3);
            if (!fail)
                ccnc_runlog_job(log, "completed", t, names, values, 3);
        }
        ccnc_action_report(a, fail ? CCNC_STEP_FAILED : CCNC_STEP_OK, fail ? "injected" : NULL, t);
        ck_assert_int_eq(ccnc_runlog_step(log, a, s), 0);
    }
    if (ccnc_action_finished(a))
        ck_assert_int_eq(ccnc_runlog_finish(log, a, t, 4100, 212), 0);
    path = ccnc_xstrdup(ccnc_runlog_path(log));
    ccnc_runlog_close(log);
    ccnc_action_free(a);
    return path;
}

START_TEST(test_run_done)
{
    char *path = write_run(100, -1);
    struct ccnc_run_summary s;
    struct ccnc_error err = { 0 };

    ck_assert_ptr_nonnull(strstr(path, "-vm1-migrate-passthrough.jsonl"));
    ck_assert_int_eq(ccnc_run_read(path, &s, &err), 0);
    ck_assert_str_eq(s.kind, "migrate-passthrough");
    ck_assert_str_eq(s.vm, "vm1");
    ck_assert_str_eq(s.destination, "sys2");
    ck_assert_str_eq(s.result, "done");
    ck_assert_str_eq(s.summary, "vm1: done; the VM runs on sys2");
    ck_assert_uint_eq(s.n_steps, 13);
    ck_assert_uint_eq(s.n_probes, 13);
    ck_assert_uint_eq(s.n_bond_changes, 1);
    ck_assert_int_eq(s.total_ms, 4100);
    ck_assert_int_eq(s.downtime_ms, 212);
    ck_assert_int_eq(s.job_downtime_ms, 212);
    ck_assert_int_eq(s.longest_gap_ms, 230);
    ck_assert_int_eq(s.lost_probes, 2);
    ck_assert_int_eq(s.stream_stall_ms, 480);
    ck_assert_uint_eq(s.bad_lines, 0);
    {
        /* the result line carries the longest stall too */
        struct ccnc_run_line *lines;
        size_t n, bad;
        ck_assert_int_eq(ccnc_run_read_lines(path, &lines, &n, &bad, NULL), 0);
        ck_assert_int_eq(lines[n - 1].type, CCNC_RUN_LINE_RESULT);
        ck_assert_int_eq(lines[n - 1].stream_stall_ms, 480);
        ck_assert(!lines[2].probe.stream);   /* the first step's sample: none yet */
        ccnc_run_lines_free(lines, n);
    }
    ck_assert_ptr_null(ccnc_run_advice(&s));   /* finished: nothing to advise */
    ccnc_run_summary_clear(&s);
    free(path);
}
END_TEST

START_TEST(test_run_rolled_back)
{
    char *path = write_run(100, 8); /* the migration fails */
    struct ccnc_run_summary s;

    ck_assert_int_eq(ccnc_run_read(path, &s, NULL), 0);
    ck_assert_str_eq(s.result, "rolled-back");
    ck_assert_uint_eq(s.n_steps, 12); /* 9 of the plan, 3 to undo */
    /* no migration completed: no downtime, whatever its rounds expected */
    ck_assert_int_eq(s.job_downtime_ms, CCNC_UNKNOWN);
    ck_assert_int_eq(s.job_total_ms, 1500);
    ck_assert_str_eq(s.last_step, "restore-primary");
    ck_assert(s.last_rollback);
    ccnc_run_summary_clear(&s);
    free(path);
}
END_TEST

START_TEST(test_run_unfinished_and_damaged)
{
    char *path = write_run(9, -1); /* "dies" during the migration */
    struct ccnc_run_summary s;
    FILE *f = fopen(path, "a");

    fputs("{\"type\":\"step\",\"op\":\"att", f); /* a half-written line */
    fclose(f);
    ck_assert_int_eq(ccnc_run_read(path, &s, NULL), 0);
    ck_assert_ptr_null(s.result);
    ck_assert_str_eq(s.last_step, "migrate");
    ck_assert_uint_eq(s.bad_lines, 1);
    {
        char *advice = ccnc_run_advice(&s);
        /* the migrate step ended ok: it stopped after the migration */
        ck_assert_msg(strstr(advice, "after the migration") && strstr(advice, "ccnc resume vm1"),
                      "%s", advice);
        free(advice);
    }
    ccnc_run_summary_clear(&s);
    free(path);
}
END_TEST

/* `ccnc abort` from another shell: the unfinished run of the VM is found,
 * a whole abort line is appended, and the reader says who stopped it. */
START_TEST(test_abort_from_elsewhere)
{
    char *done = write_run(100, -1);      /* vm1, finished */
    char *open_run = write_run(9, -1);    /* vm1, stopped mid-run */
    char *found, *who;
    struct ccnc_run_summary s;
    struct ccnc_error err = { 0 };

    ck_assert_str_ne(done, open_run);
    found = ccnc_run_find_unfinished(dir, "vm1");
    ck_assert_ptr_nonnull(found);
    ck_assert_str_eq(found, open_run);
    ck_assert_ptr_null(ccnc_run_find_unfinished(dir, "vm2"));
    ck_assert_ptr_null(ccnc_run_abort_who(open_run));
    ck_assert_int_eq(ccnc_run_append_abort(found, 1764097209000LL, "ccnc abort, from another "
                                                                   "shell", &err), 0);
    who = ccnc_run_abort_who(open_run);
    ck_assert_str_eq(who, "ccnc abort, from another shell");
    ck_assert_int_eq(ccnc_run_read(open_run, &s, NULL), 0);
    ck_assert_str_eq(s.abort_who, "ccnc abort, from another shell");
    ck_assert_int_eq(s.abort_ms, 1764097209000LL);
    ck_assert_uint_eq(s.bad_lines, 0);    /* a whole line among the others */
    ck_assert_ptr_null(s.result);
    ccnc_run_summary_clear(&s);
    ck_assert_int_eq(ccnc_run_append_abort("/nonexistent/run.jsonl", 1, "x", &err), -1);
    ck_assert_int_eq(err.code, CCNC_ERR_IO);
    ccnc_error_clear(&err);
    free(who);
    free(found);
    free(done);
    free(open_run);
}
END_TEST

/* Another process appends its abort line while the run still writes: the
 * line stays, whole, between the run's own. */
START_TEST(test_abort_while_open)
{
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE, "vm1", "sys1", "sys2", NULL);
    struct ccnc_runlog *log = ccnc_runlog_open(dir, a, 1000, NULL);
    struct ccnc_run_line *lines;
    size_t n, bad;

    ck_assert_ptr_nonnull(log);
    ccnc_runlog_probe(log, 1100, &(struct ccnc_probe_figures){ .sent = 10, .received = 10,
                      .current_gap_ms = 1, .longest_gap_ms = 5 }, CCNC_UNKNOWN);
    ck_assert_int_eq(ccnc_run_append_abort(ccnc_runlog_path(log), 1150, "elsewhere", NULL), 0);
    ccnc_runlog_probe(log, 1200, &(struct ccnc_probe_figures){ .sent = 20, .received = 20,
                      .current_gap_ms = 1, .longest_gap_ms = 5 }, CCNC_UNKNOWN);
    ccnc_runlog_probe(log, 1300, &(struct ccnc_probe_figures){ .sent = 30, .received = 30,
                      .current_gap_ms = 1, .longest_gap_ms = 5 }, CCNC_UNKNOWN);
    ck_assert_int_eq(ccnc_run_read_lines(ccnc_runlog_path(log), &lines, &n, &bad, NULL), 0);
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(lines[2].type, CCNC_RUN_LINE_ABORT);
    ck_assert_str_eq(lines[2].who, "elsewhere");
    ck_assert_int_eq(lines[4].probe.sent, 30);
    ck_assert(!lines[4].probe.stream);
    ccnc_run_lines_free(lines, n);
    /* a bridge's forwarding entry, as the host's agent saw it */
    ck_assert_int_eq(ccnc_runlog_fdb(log, 1400, "sys2", "learned", "52:54:00:77:01:01", "br-pt",
                                     "vnet11", 1397), 0);
    ck_assert_int_eq(ccnc_run_read_lines(ccnc_runlog_path(log), &lines, &n, &bad, NULL), 0);
    ck_assert_uint_eq(n, 6);
    ck_assert_int_eq(lines[5].type, CCNC_RUN_LINE_FDB);
    ck_assert_int_eq(lines[5].t_ms, 1400);
    ck_assert_str_eq(lines[5].host, "sys2");
    ck_assert_str_eq(lines[5].event, "learned");
    ck_assert_str_eq(lines[5].mac, "52:54:00:77:01:01");
    ck_assert_str_eq(lines[5].before, "br-pt");
    ck_assert_str_eq(lines[5].after, "vnet11");
    ck_assert_int_eq(lines[5].value, 1397);
    ccnc_run_lines_free(lines, n);
    ccnc_runlog_close(log);
    ccnc_action_free(a);
}
END_TEST

/* The line reader: the run line's plan and notes, each step, the abort
 * and the result, in order, as written. */
START_TEST(test_read_lines)
{
    struct ccnc_action *a = ccnc_action_new_steps(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys2",
                                                  "sys1", "e1000e",
                                                  (const enum ccnc_step_op[]){
                                                      CCNC_STEP_CHECK_DESTINATION,
                                                      CCNC_STEP_MIGRATE, CCNC_STEP_ATTACH },
                                                  3);
    struct ccnc_runlog *log;
    struct ccnc_run_line *lines;
    struct ccnc_step *st;
    size_t n, bad;

    ccnc_action_add_note(a, "vm1 holds no passthrough NIC now");
    ccnc_action_confirm(a);
    log = ccnc_runlog_open(dir, a, 1000, NULL);
    ck_assert_ptr_nonnull(log);
    st = ccnc_action_next(a, 1100);
    ccnc_action_report(a, CCNC_STEP_OK, NULL, 1200);
    ccnc_runlog_step(log, a, st);
    ccnc_runlog_abort(log, 1300, "console");
    st = ccnc_action_next(a, 1300);
    ccnc_action_report(a, CCNC_STEP_FAILED, "aborted by the operator (console)", 1400);
    ccnc_runlog_step(log, a, st);
    ccnc_runlog_finish(log, a, 1500, 500, CCNC_UNKNOWN);
    ck_assert_int_eq(ccnc_run_read_lines(ccnc_runlog_path(log), &lines, &n, &bad, NULL), 0);
    ck_assert_uint_eq(n, 5);
    ck_assert_uint_eq(bad, 0);
    ck_assert_int_eq(lines[0].type, CCNC_RUN_LINE_RUN);
    ck_assert_int_eq(lines[0].kind, CCNC_ACTION_MIGRATE_PASSTHROUGH);
    ck_assert_uint_eq(lines[0].n_plan, 3);
    ck_assert_int_eq(lines[0].plan[1], CCNC_STEP_MIGRATE);
    ck_assert_uint_eq(lines[0].n_notes, 1);
    ck_assert_str_eq(lines[0].notes[0], "vm1 holds no passthrough NIC now");
    ck_assert_int_eq(lines[1].type, CCNC_RUN_LINE_STEP);
    ck_assert_int_eq(lines[1].step.op, CCNC_STEP_CHECK_DESTINATION);
    ck_assert_int_eq(lines[1].step.outcome, CCNC_STEP_OK);
    ck_assert_int_eq(lines[2].type, CCNC_RUN_LINE_ABORT);
    ck_assert_str_eq(lines[2].who, "console");
    ck_assert_int_eq(lines[3].step.op, CCNC_STEP_MIGRATE);
    ck_assert_int_eq(lines[3].step.outcome, CCNC_STEP_FAILED);
    ck_assert_str_eq(lines[3].step.error, "aborted by the operator (console)");
    ck_assert_int_eq(lines[4].type, CCNC_RUN_LINE_RESULT);
    ck_assert_int_eq(lines[4].state, a->state);
    ck_assert_int_eq(lines[4].total_ms, 500);
    ccnc_run_lines_free(lines, n);
    ccnc_runlog_close(log);
    ccnc_action_free(a);
}
END_TEST

/* A migration's run file, open in dir from 1000 ms: its one step, the
 * migration (*a: the action, confirmed). */
static struct ccnc_runlog *
open_migration_log(struct ccnc_action **a)
{
    struct ccnc_runlog *log;

    *a = ccnc_action_new_steps(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys1", "sys2", NULL,
                               (const enum ccnc_step_op[]){ CCNC_STEP_MIGRATE }, 1);
    ccnc_action_confirm(*a);
    log = ccnc_runlog_open(dir, *a, 1000, NULL);
    ck_assert_ptr_nonnull(log);
    return log;
}

/* A running migration's course, a line after each round: read back line
 * by line, and the summary keeps the first said at round 10 or after. */
START_TEST(test_to_go)
{
    struct ccnc_action *a;
    struct ccnc_runlog *log = open_migration_log(&a);
    struct ccnc_run_line *lines;
    struct ccnc_run_summary s;
    size_t n, bad;
    const struct ccnc_precopy_to_go said[] = {
        { CCNC_PRECOPY_SHRINKING, 9, 30000, 0.95, 90e6, 10.5e6, 42, 40000 },
        { CCNC_PRECOPY_STALLED, 10, 31500, 0.998, 95e6, 10.5e6, 0, 0 },
        { CCNC_PRECOPY_SHRINKING, 11, 33000, 0.9571, 88e6, 10.5e6, 49, 41234.4 },
    };
    char *text;

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(said); i++)
        ck_assert_int_eq(ccnc_runlog_to_go(log, 2000 + (long long)i, &said[i]), 0);
    ck_assert_int_eq(ccnc_run_read_lines(ccnc_runlog_path(log), &lines, &n, &bad, NULL), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(bad, 0);
    ck_assert_int_eq(lines[1].type, CCNC_RUN_LINE_TO_GO);
    ck_assert_int_eq(lines[1].job.to_go.course, CCNC_PRECOPY_SHRINKING);
    ck_assert_int_eq(lines[1].job.to_go.iteration, 9);
    ck_assert_int_eq(lines[1].job.to_go.rounds, 42);
    ck_assert_double_eq(lines[1].job.to_go.ms, 40000);
    ck_assert_double_eq(lines[1].job.to_go.shrink, 0.95);
    ck_assert_int_eq(lines[2].job.to_go.course, CCNC_PRECOPY_STALLED);
    ck_assert_double_eq(lines[2].job.to_go.ms, 0);   /* null: none said */
    ck_assert_double_eq(lines[3].job.to_go.shrink, 0.957);   /* three places */
    ck_assert_double_eq(lines[3].job.to_go.ms, 41234);
    ccnc_run_lines_free(lines, n);
    /* the line as written: the end, and no 17-digit shrink */
    text = ccnc_test_read(ccnc_runlog_path(log), NULL);
    ck_assert_ptr_nonnull(strstr(text, "\"type\":\"to_go\""));
    ck_assert_ptr_nonnull(strstr(text, "\"course\":\"stalled\""));
    ck_assert_ptr_nonnull(strstr(text, "\"shrink\":0.957,"));
    ck_assert_ptr_nonnull(strstr(text, "\"end_ms\":74234"));
    free(text);
    ck_assert_int_eq(ccnc_run_read(ccnc_runlog_path(log), &s, NULL), 0);
    ck_assert_int_eq(s.course.course, CCNC_PRECOPY_STALLED);
    ck_assert_int_eq(s.course.iteration, 10);
    ccnc_run_summary_clear(&s);
    ccnc_runlog_close(log);
    ccnc_action_free(a);
}
END_TEST

/* What a run said it waits for: a notice line, read back with its text;
 * a reader that does not know a line's type keeps it as another. */
START_TEST(test_notice)
{
    struct ccnc_action *a;
    struct ccnc_runlog *log = open_migration_log(&a);
    struct ccnc_run_line *lines;
    size_t n, bad;
    char *text;

    ck_assert_int_eq(ccnc_runlog_notice(log, 11000, "sys1's libvirt has not answered in 10 s"), 0);
    ck_assert_int_eq(ccnc_run_read_lines(ccnc_runlog_path(log), &lines, &n, &bad, NULL), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(bad, 0);
    ck_assert_int_eq(lines[1].type, CCNC_RUN_LINE_NOTICE);
    ck_assert_int_eq(lines[1].t_ms, 11000);
    ck_assert_str_eq(lines[1].summary, "sys1's libvirt has not answered in 10 s");
    ccnc_run_lines_free(lines, n);
    text = ccnc_test_read(ccnc_runlog_path(log), NULL);
    ck_assert_ptr_nonnull(strstr(text, "{\"type\":\"notice\",\"t_ms\":11000,\"text\":\"sys1's"));
    free(text);
    ccnc_runlog_close(log);
    ccnc_action_free(a);
}
END_TEST

/* Killed in the middle of the migrate step, with a VF reserved on the
 * destination: the step-start line says where it stopped, the vf line
 * what it holds, and the advice says what resume does. */
START_TEST(test_run_killed_mid_step)
{
    char *path = write_run(8, -1);
    struct ccnc_run_summary s;
    char *advice;
    FILE *f = fopen(path, "a");

    ck_assert_ptr_nonnull(f);
    fputs("{\"type\":\"vf\",\"t_ms\":1764097200500,\"event\":\"reserved\",\"host\":\"sys2\","
          "\"pf\":\"eth1\",\"vf\":3,\"pci\":\"0000:05:10.6\"}\n", f);
    fclose(f);
    ck_assert_int_eq(ccnc_run_read(path, &s, NULL), 0);
    ck_assert_ptr_null(s.result);
    ck_assert_str_eq(s.in_step, "migrate");
    ck_assert_str_eq(s.last_step, "detach");
    ck_assert(!s.migrated);
    ck_assert_str_eq(s.vf_host, "sys2");
    ck_assert_int_eq(s.vf_index, 3);
    advice = ccnc_run_advice(&s);
    ck_assert_msg(strstr(advice, "during the migration") && strstr(advice, "ccnc resume vm1") &&
                      strstr(advice, "VF 3 of eth1 on sys2 (0000:05:10.6) stays reserved"),
                  "%s", advice);
    free(advice);
    ccnc_run_summary_clear(&s);
    /* given back later: not reserved any more */
    f = fopen(path, "a");
    fputs("{\"type\":\"vf\",\"t_ms\":1764097200600,\"event\":\"released\",\"host\":\"sys2\","
          "\"pci\":\"0000:05:10.6\"}\n", f);
    fclose(f);
    ck_assert_int_eq(ccnc_run_read(path, &s, NULL), 0);
    ck_assert_ptr_null(s.vf_host);
    ccnc_run_summary_clear(&s);
    free(path);
}
END_TEST

START_TEST(test_not_a_run_file)
{
    struct ccnc_run_summary s;
    struct ccnc_error err = { 0 };
    char *path = ccnc_xasprintf("%s/x.jsonl", dir);
    FILE *f = fopen(path, "w");

    fputs("{\"hello\":1}\nnot json\n", f);
    fclose(f);
    ck_assert_int_eq(ccnc_run_read(path, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not a ccnc run file"));
    ccnc_error_clear(&err);
    ck_assert_int_eq(ccnc_run_read("/nonexistent/run.jsonl", &s, &err), -1);
    ck_assert_int_eq(err.code, CCNC_ERR_IO);
    ccnc_error_clear(&err);
    free(path);
}
END_TEST

START_TEST(test_two_runs_same_second)
{
    char *a = write_run(2, -1), *b = write_run(2, -1);

    ck_assert_str_ne(a, b); /* never overwrites */
    free(a);
    free(b);
}
END_TEST

START_TEST(test_default_dir)
{
    char *d;

    setenv("XDG_STATE_HOME", "/s", 1);
    d = ccnc_runlog_default_dir();
    ck_assert_str_eq(d, "/s/ccnc/runs");
    free(d);
    unsetenv("XDG_STATE_HOME");
    setenv("HOME", "/home/op", 1);
    d = ccnc_runlog_default_dir();
    ck_assert_str_eq(d, "/home/op/.local/state/ccnc/runs");
    free(d);
}
END_TEST

Suite *
ccnc_runlog_suite(void)
{
    Suite *s = suite_create("runlog");
    TCase *tc = tcase_create("run-files");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_run_done);
    tcase_add_test(tc, test_run_rolled_back);
    tcase_add_test(tc, test_run_unfinished_and_damaged);
    tcase_add_test(tc, test_not_a_run_file);
    tcase_add_test(tc, test_run_killed_mid_step);
    tcase_add_test(tc, test_abort_from_elsewhere);
    tcase_add_test(tc, test_read_lines);
    tcase_add_test(tc, test_to_go);
    tcase_add_test(tc, test_notice);
    tcase_add_test(tc, test_abort_while_open);
    tcase_add_test(tc, test_two_runs_same_second);
    tcase_add_test(tc, test_default_dir);
    suite_add_tcase(s, tc);
    return s;
}
