/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine's runner of actions, against libvirt's built-in test driver (a
 * hypervisor inside the client library, which cannot migrate): actions
 * given to it start in order, at most `parallel` at once, each with its
 * run file; its listener hears each step, and each end once; a queued
 * action can be stopped before it starts; a VM takes one action at a time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ccnc/engine.h>
#include <ccnc/log.h>
#include <ccnc/runlog.h>

#include <libvirt/libvirt.h>

#include "check-ccnc.h"

/* two running domains, as the test driver reads them from a file */
static const char node_xml[] =
    "<node>\n"
    "  <domain type='test'><name>vmA</name><memory>8192</memory>"
    "<os><type>hvm</type></os></domain>\n"
    "  <domain type='test'><name>vmB</name><memory>8192</memory>"
    "<os><type>hvm</type></os></domain>\n"
    "</node>\n";

#define MAX_EVENTS 256

struct heard {
    struct ccnc_engine *engine;
    struct { int id; enum ccnc_engine_action_event ev; } ev[MAX_EVENTS];
    int n;
    int finished, want_finished;
    char notice[256];       /* the first notice heard */
    int notice_step;        /* how many step events came before it */
    int close_on_notice;    /* a descriptor closed when it comes, or -1 */
};

static int first(const struct heard *h, int id, enum ccnc_engine_action_event ev, int *count);

static void
on_action(void *data, int id, enum ccnc_engine_action_event ev, const struct ccnc_action *a,
          const struct ccnc_step *step)
{
    struct heard *h = data;

    ck_assert_ptr_nonnull(a);
    ck_assert((ev == CCNC_ENGINE_ACTION_STEP) == (step != NULL));
    if (h->n < MAX_EVENTS) {
        h->ev[h->n].id = id;
        h->ev[h->n].ev = ev;
        h->n++;
    }
    if (ev == CCNC_ENGINE_ACTION_NOTICE && !h->notice[0]) {
        ck_assert_ptr_nonnull(a->notice);
        snprintf(h->notice, sizeof(h->notice), "%s", a->notice);
        h->notice_step = first(h, id, CCNC_ENGINE_ACTION_STEP, NULL) + 1;
        if (h->close_on_notice > 0) {
            close(h->close_on_notice);
            h->close_on_notice = -1;
        }
    }
    if (ev == CCNC_ENGINE_ACTION_FINISHED && ++h->finished == h->want_finished)
        ccnc_loop_quit(ccnc_engine_loop(h->engine));
}

static void
give_up(void *data)
{
    ccnc_loop_quit(data);
}

/* The index of the first event ev of action id, -1 if none; and how many. */
static int
first(const struct heard *h, int id, enum ccnc_engine_action_event ev, int *count)
{
    int at = -1, n = 0;

    for (int i = 0; i < h->n; i++)
        if (h->ev[i].id == id && h->ev[i].ev == ev) {
            if (at < 0)
                at = i;
            n++;
        }
    if (count)
        *count = n;
    return at;
}

struct fixture {
    char dir[64];
    char *node;
    struct ccnc_lab *lab;
};

static void
setup(struct fixture *f)
{
    char *text;
    FILE *fp;

    snprintf(f->dir, sizeof(f->dir), "/tmp/ccnc-runner.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    f->node = ccnc_xasprintf("%s/node.xml", f->dir);
    fp = fopen(f->node, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(node_xml, fp);
    fclose(fp);
    setenv("XDG_STATE_HOME", f->dir, 1);
    text = ccnc_xasprintf("[host sys1]\naddress = localhost\nuser = root\nrole = hypervisor\n"
                          "libvirt_uri = test://%s\n"
                          "[host sys2]\naddress = localhost\nuser = root\nrole = hypervisor\n"
                          "libvirt_uri = test:///default\n"
                          "[vm vmA]\nhost = sys1\n[vm vmB]\nhost = sys1\n"
                          "[migration]\nstep_timeout_s = 5\ntimeout_s = 10\n", f->node);
    f->lab = ccnc_lab_load_text("runner.conf", text, strlen(text), NULL, 0, NULL);
    ck_assert_ptr_nonnull(f->lab);
    free(text);
}

static void
teardown(struct fixture *f)
{
    char *cmd = ccnc_xasprintf("rm -rf '%s'", f->dir);

    ccnc_lab_unref(f->lab);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(f->node);
    unsetenv("XDG_STATE_HOME");
}

static struct ccnc_action *
migration(const char *vm)
{
    return ccnc_action_new(CCNC_ACTION_MIGRATE, vm, "sys1", "sys2", NULL);
}

/* Two actions with room for one: the second starts after the first ends;
 * each step is heard started and ended, each end once; each run file
 * ends with its result. */
START_TEST(test_runner_one_at_a_time)
{
    struct fixture f;
    struct heard h = { 0 };
    struct ccnc_engine *e;
    struct ccnc_error err = { 0 };
    int a, b, n, guard;

    setup(&f);
    e = ccnc_engine_new(f.lab);
    h.engine = e;
    h.want_finished = 2;
    ccnc_engine_set_parallel(e, 1);
    ccnc_engine_set_action_listener(e, on_action, &h);
    a = ccnc_engine_submit(e, migration("vmA"), &err);
    b = ccnc_engine_submit(e, migration("vmB"), &err);
    ck_assert_int_gt(a, 0);
    ck_assert_int_gt(b, a);
    /* queued: nothing starts before the loop runs */
    ck_assert(ccnc_engine_action_active(e, a));
    ck_assert(ccnc_engine_action_active(e, b));
    ck_assert_ptr_null(ccnc_engine_action_run_file(e, a));
    ck_assert_int_eq(h.n, 0);
    /* a VM takes one action at a time */
    ck_assert_int_eq(ccnc_engine_submit(e, migration("vmA"), &err), -1);
    ck_assert_int_eq(err.code, CCNC_ERR_REFUSED);
    ccnc_error_clear(&err);
    guard = ccnc_loop_add_timer(ccnc_engine_loop(e), 60000, false, give_up,
                                ccnc_engine_loop(e));
    ccnc_loop_run(ccnc_engine_loop(e));
    ccnc_loop_remove(ccnc_engine_loop(e), guard);
    ck_assert_int_eq(h.finished, 2);

    ck_assert_int_eq(first(&h, a, CCNC_ENGINE_ACTION_STARTED, &n), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_ge(first(&h, b, CCNC_ENGINE_ACTION_STARTED, &n), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_gt(first(&h, b, CCNC_ENGINE_ACTION_STARTED, NULL),
                     first(&h, a, CCNC_ENGINE_ACTION_FINISHED, NULL));
    first(&h, a, CCNC_ENGINE_ACTION_FINISHED, &n);
    ck_assert_int_eq(n, 1);
    for (int id = a; id <= b; id++) {
        const struct ccnc_action *act = ccnc_engine_action_get(e, id);
        const char *file = ccnc_engine_action_run_file(e, id);
        struct ccnc_run_summary s;
        int steps;
        ck_assert_ptr_nonnull(act);
        ck_assert(!ccnc_engine_action_active(e, id));
        /* the test driver cannot migrate: the checks pass, the migration fails */
        ck_assert_int_eq(act->state, CCNC_ACTION_FAILED);
        ck_assert_int_eq(act->steps[0].outcome, CCNC_STEP_OK);
        ck_assert_int_eq(act->steps[0].op, CCNC_STEP_FORECAST);
        ck_assert_int_eq(act->steps[3].op, CCNC_STEP_MIGRATE);
        ck_assert_int_eq(act->steps[3].outcome, CCNC_STEP_FAILED);
        ck_assert_ptr_nonnull(strstr(act->steps[3].error, "the migration failed"));
        /* the test driver cannot sample: the forecast says so, and the
         * action goes on */
        ck_assert(act->forecast.tried && !act->forecast.dirty_measured);
        ck_assert_msg(act->forecast.dirty_why[0], "no reason");
        /* each of the four steps that ran: heard running, and heard ended */
        first(&h, id, CCNC_ENGINE_ACTION_STEP, &steps);
        ck_assert_int_eq(steps, 8);
        ck_assert_ptr_nonnull(file);
        ck_assert_int_eq(ccnc_run_read(file, &s, NULL), 0);
        ck_assert_str_eq(s.result, "failed");
        ck_assert_str_eq(s.vm, act->vm);
        ck_assert_uint_eq(s.n_steps, 4);   /* the four that ran: a skipped step has no line */
        ccnc_run_summary_clear(&s);
        {
            /* the forecast step's own line, after its step-start */
            struct ccnc_run_line *lines;
            size_t n_lines, bad, k;
            ck_assert_int_eq(ccnc_run_read_lines(file, &lines, &n_lines, &bad, NULL), 0);
            for (k = 0; k < n_lines && lines[k].type != CCNC_RUN_LINE_FORECAST; k++)
                ;
            ck_assert_uint_lt(k, n_lines);
            ck_assert_int_eq(lines[k - 1].type, CCNC_RUN_LINE_STEP_START);
            ck_assert_int_eq(lines[k - 1].step.op, CCNC_STEP_FORECAST);
            ccnc_run_lines_free(lines, n_lines);
        }
    }
    ck_assert(!ccnc_engine_busy(e));
    ck_assert_uint_eq(ccnc_engine_n_actions(e), 2);
    ck_assert_uint_eq(ccnc_engine_n_results(e), 2);
    ccnc_engine_free(e);
    teardown(&f);
}
END_TEST

/* A queued action stopped before it starts: it ends at once, says so, and
 * leaves no run file; the running one is not touched. */
START_TEST(test_runner_abort_queued)
{
    struct fixture f;
    struct heard h = { 0 };
    struct ccnc_engine *e;
    int a, b, n, guard;
    const struct ccnc_action *act;

    setup(&f);
    e = ccnc_engine_new(f.lab);
    h.engine = e;
    h.want_finished = 2;
    ccnc_engine_set_parallel(e, 1);
    ccnc_engine_set_action_listener(e, on_action, &h);
    a = ccnc_engine_submit(e, migration("vmA"), NULL);
    b = ccnc_engine_submit(e, migration("vmB"), NULL);
    ccnc_engine_abort(e, b, "test");
    ck_assert_int_eq(first(&h, b, CCNC_ENGINE_ACTION_FINISHED, &n), 0);
    ck_assert_int_eq(n, 1);
    act = ccnc_engine_action_get(e, b);
    ck_assert_int_eq(act->state, CCNC_ACTION_FAILED);
    ck_assert_ptr_nonnull(strstr(act->summary, "not started"));
    ck_assert_ptr_nonnull(strstr(act->summary, "(test)"));
    ck_assert(!ccnc_engine_action_active(e, b));
    ck_assert(ccnc_engine_action_active(e, a));
    /* stopping it again changes nothing */
    ccnc_engine_abort(e, b, "test");
    first(&h, b, CCNC_ENGINE_ACTION_FINISHED, &n);
    ck_assert_int_eq(n, 1);
    guard = ccnc_loop_add_timer(ccnc_engine_loop(e), 60000, false, give_up,
                                ccnc_engine_loop(e));
    ccnc_loop_run(ccnc_engine_loop(e));
    ccnc_loop_remove(ccnc_engine_loop(e), guard);
    ck_assert_int_eq(h.finished, 2);
    ck_assert_int_lt(first(&h, b, CCNC_ENGINE_ACTION_STARTED, NULL), 0);
    ck_assert_ptr_null(ccnc_engine_action_run_file(e, b));
    ck_assert_ptr_nonnull(ccnc_engine_action_run_file(e, a));
    ck_assert_int_eq(ccnc_engine_action_get(e, a)->state, CCNC_ACTION_FAILED);
    ccnc_engine_free(e);
    teardown(&f);
}
END_TEST

/* Room for two: both run at once. */
START_TEST(test_runner_parallel)
{
    struct fixture f;
    struct heard h = { 0 };
    struct ccnc_engine *e;
    int a, b, guard;

    setup(&f);
    e = ccnc_engine_new(f.lab);
    h.engine = e;
    h.want_finished = 2;
    ccnc_engine_set_parallel(e, 2);
    ccnc_engine_set_action_listener(e, on_action, &h);
    a = ccnc_engine_submit(e, migration("vmA"), NULL);
    b = ccnc_engine_submit(e, migration("vmB"), NULL);
    guard = ccnc_loop_add_timer(ccnc_engine_loop(e), 60000, false, give_up,
                                ccnc_engine_loop(e));
    ccnc_loop_run(ccnc_engine_loop(e));
    ccnc_loop_remove(ccnc_engine_loop(e), guard);
    ck_assert_int_eq(h.finished, 2);
    /* both started before either finished */
    ck_assert_int_lt(first(&h, b, CCNC_ENGINE_ACTION_STARTED, NULL),
                     first(&h, a, CCNC_ENGINE_ACTION_FINISHED, NULL));
    ccnc_engine_free(e);
    teardown(&f);
}
END_TEST

/* Two ccnc (two engines) start an action on one VM at the same moment:
 * the lease in the domain's metadata lets one go on and refuses the other,
 * naming who holds it; the one that went on gives it back at its end. */
START_TEST(test_runner_lease_race)
{
    static const char lab_text[] =
        "[host sys1]\naddress = localhost\nuser = root\nrole = hypervisor\n"
        "libvirt_uri = test:///default\n"
        "[host sys2]\naddress = localhost\nuser = root\nrole = hypervisor\n"
        "libvirt_uri = test:///default\n"
        "[vm test]\nhost = sys1\n[migration]\nstep_timeout_s = 5\ntimeout_s = 10\n";
    struct fixture f;
    struct ccnc_lab *lab;
    struct ccnc_engine *e[2];
    struct heard h[2] = { { 0 } };
    int id[2], refused = 0, went_on = 0;
    long long until = ccnc_now_mono_ms() + 60000;
    virConnectPtr c;
    virDomainPtr d;
    char *left;

    setup(&f);
    lab = ccnc_lab_load_text("race.conf", lab_text, strlen(lab_text), NULL, 0, NULL);
    ck_assert_ptr_nonnull(lab);
    for (int k = 0; k < 2; k++) {
        e[k] = ccnc_engine_new(lab);
        h[k].engine = e[k];
        h[k].want_finished = 1;
        ccnc_engine_set_action_listener(e[k], on_action, &h[k]);
        id[k] = ccnc_engine_submit(e[k], migration("test"), NULL);
        ck_assert_int_gt(id[k], 0);
    }
    while ((h[0].finished < 1 || h[1].finished < 1) && ccnc_now_mono_ms() < until)
        for (int k = 0; k < 2; k++)
            ccnc_loop_run_once(ccnc_engine_loop(e[k]), 10);
    ck_assert_int_eq(h[0].finished + h[1].finished, 2);
    for (int k = 0; k < 2; k++) {
        const struct ccnc_action *a = ccnc_engine_action_get(e[k], id[k]);
        const char *why = a->steps[0].error ? a->steps[0].error : "";
        if (a->steps[0].outcome == CCNC_STEP_FAILED &&
            (strstr(why, "is held by another ccnc") || strstr(why, "at the same moment")))
            refused++;
        else if (a->steps[0].outcome == CCNC_STEP_OK)
            went_on++;
    }
    ck_assert_int_eq(refused, 1);
    ck_assert_int_eq(went_on, 1);
    /* given back at the end */
    c = virConnectOpen("test:///default");
    ck_assert_ptr_nonnull(c);
    d = virDomainLookupByName(c, "test");
    ck_assert_ptr_nonnull(d);
    left = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, CCNC_LEASE_NS,
                                VIR_DOMAIN_AFFECT_LIVE);
    ck_assert_msg(left == NULL, "the lease is still there: %s", left);
    virDomainFree(d);
    virConnectClose(c);
    for (int k = 0; k < 2; k++)
        ccnc_engine_free(e[k]);
    ccnc_lab_unref(lab);
    teardown(&f);
}
END_TEST

/* A source whose libvirt takes the connection and never answers, as a
 * hung libvirtd does (a socket listened on and never read): before any
 * step the run says what it waits for, after 10 s; once the socket
 * closes the open fails, and the first step with it, nothing done. */
START_TEST(test_runner_silent_source)
{
    struct fixture f;
    struct heard h = { 0 };
    struct ccnc_engine *e;
    struct ccnc_lab *lab;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const struct ccnc_action *a;
    int sock, id, guard;
    char *text;

    setup(&f);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/silent.sock", f.dir);
    sock = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(sock, 0);
    ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(sock, 16), 0);
    text = ccnc_xasprintf("[host sys1]\naddress = localhost\nuser = root\nrole = hypervisor\n"
                          "libvirt_uri = qemu+unix:///system?socket=%s\n"
                          "[host sys2]\naddress = localhost\nuser = root\nrole = hypervisor\n"
                          "libvirt_uri = test:///default\n"
                          "[vm vmA]\nhost = sys1\n"
                          "[migration]\nstep_timeout_s = 5\ntimeout_s = 10\n", sa.sun_path);
    lab = ccnc_lab_load_text("silent.conf", text, strlen(text), NULL, 0, NULL);
    ck_assert_ptr_nonnull(lab);
    free(text);
    e = ccnc_engine_new(lab);
    h.engine = e;
    h.want_finished = 1;
    h.close_on_notice = sock;
    ccnc_engine_set_action_listener(e, on_action, &h);
    id = ccnc_engine_submit(e, migration("vmA"), NULL);
    ck_assert_int_gt(id, 0);
    guard = ccnc_loop_add_timer(ccnc_engine_loop(e), 60000, false, give_up,
                                ccnc_engine_loop(e));
    ccnc_loop_run(ccnc_engine_loop(e));
    ccnc_loop_remove(ccnc_engine_loop(e), guard);
    if (h.close_on_notice > 0)
        close(h.close_on_notice);   /* no notice came: the open still waits */
    ck_assert_msg(strstr(h.notice, "sys1's libvirt has not answered in 10 s") &&
                      strstr(h.notice, "nothing is changed yet"),
                  "the notice: '%s'", h.notice);
    ck_assert_int_eq(h.notice_step, 0);     /* before any step */
    ck_assert_int_eq(h.finished, 1);
    a = ccnc_engine_action_get(e, id);
    ck_assert_int_eq(a->state, CCNC_ACTION_FAILED);
    ck_assert_int_eq(a->steps[0].outcome, CCNC_STEP_FAILED);
    ck_assert_int_eq(a->steps[1].outcome, CCNC_STEP_SKIPPED);
    {
        /* and the run file keeps it, before the first step's line */
        struct ccnc_run_line *lines;
        size_t n_lines, bad, k;

        ck_assert_int_eq(ccnc_run_read_lines(ccnc_engine_action_run_file(e, id), &lines,
                                             &n_lines, &bad, NULL), 0);
        for (k = 0; k < n_lines && lines[k].type != CCNC_RUN_LINE_NOTICE; k++)
            ck_assert_int_ne(lines[k].type, CCNC_RUN_LINE_STEP_START);
        ck_assert_uint_lt(k, n_lines);
        ck_assert_str_eq(lines[k].summary, h.notice);
        ccnc_run_lines_free(lines, n_lines);
    }
    ccnc_engine_free(e);
    ccnc_lab_unref(lab);
    teardown(&f);
}
END_TEST

/* -vv: the URIs the run opens and each libvirt call it makes, a line each
 * naming the host and the VM, on stderr. */
START_TEST(test_runner_verbose)
{
    static const char *const want[] = {
        "ccnc: sys1: opening libvirt at test://",
        "ccnc: sys2: opening libvirt at test:///default\n",
        "ccnc: sys1: libvirt virDomainLookupByName for vmA\n",
        "ccnc: sys1: libvirt virDomainGetMetadata for vmA\n",
        "ccnc: sys1: libvirt virDomainSetMetadata for vmA\n",
        "ccnc: sys1: libvirt virDomainGetXMLDesc for vmA\n",
        "ccnc: sys1: libvirt virDomainMigrateToURI3 for vmA\n",
    };
    struct fixture f;
    struct heard h = { 0 };
    struct ccnc_engine *e;
    char path[] = "/tmp/ccnc-runner-log-XXXXXX";
    int fd, saved, guard;
    char *text;

    setup(&f);
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    ccnc_log_set_level(CCNC_LOG_CALLS);
    e = ccnc_engine_new(f.lab);
    h.engine = e;
    h.want_finished = 1;
    ccnc_engine_set_action_listener(e, on_action, &h);
    ck_assert_int_gt(ccnc_engine_submit(e, migration("vmA"), NULL), 0);
    guard = ccnc_loop_add_timer(ccnc_engine_loop(e), 60000, false, give_up,
                                ccnc_engine_loop(e));
    ccnc_loop_run(ccnc_engine_loop(e));
    ccnc_loop_remove(ccnc_engine_loop(e), guard);
    ccnc_engine_free(e);
    ccnc_log_set_level(CCNC_LOG_QUIET);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    ck_assert_int_eq(h.finished, 1);
    text = ccnc_test_read(path, NULL);
    unlink(path);
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(want); i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "no '%s' in:\n%s", want[i], text);
    ck_assert_msg(strstr(text, "vmB") == NULL, "a line of another VM:\n%s", text);
    free(text);
    teardown(&f);
}
END_TEST

Suite *
ccnc_runner_suite(void)
{
    Suite *s = suite_create("runner");
    TCase *tc = tcase_create("runner");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_runner_one_at_a_time);
    tcase_add_test(tc, test_runner_abort_queued);
    tcase_add_test(tc, test_runner_parallel);
    tcase_add_test(tc, test_runner_lease_race);
    tcase_add_test(tc, test_runner_verbose);
    tcase_add_test(tc, test_runner_silent_source);
    suite_add_tcase(s, tc);
    return s;
}
