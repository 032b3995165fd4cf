/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine with its libvirt collector, against libvirt's built-in test
 * driver (a hypervisor inside the client library: no daemon, no network).
 * The collector's worker connects, lists the domains, and the result is
 * published as a snapshot on the loop's thread, with change events. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccnc/engine.h>
#include <ccnc/runlog.h>

#include <libvirt/libvirt.h>

#include "check-ccnc.h"
#include "engine/collect-libvirt.h"

struct seen {
    struct ccnc_engine *engine;
    int vm_added;
    int libvirt_events;
    bool done;
};

static void
on_change(const struct ccnc_snapshot *snap, const struct ccnc_event_list *changes, void *data)
{
    struct seen *seen = data;

    for (size_t i = 0; i < changes->n; i++) {
        if (changes->events[i].kind == CCNC_EV_VM_ADDED &&
            strcmp(changes->events[i].object, "test") == 0)
            seen->vm_added++;
        if (changes->events[i].kind == CCNC_EV_HOST_LIBVIRT)
            seen->libvirt_events++;
    }
    if (snap->hosts[0]->libvirt != CCNC_CONN_CONNECTING) {
        seen->done = true;
        ccnc_loop_quit(ccnc_engine_loop(seen->engine));
    }
}

static void
give_up(void *data)
{
    ccnc_loop_quit(ccnc_engine_loop(data));
}

static struct ccnc_snapshot *
run_lab(const char *uri, struct seen *seen)
{
    char *text = ccnc_xasprintf("[host t]\naddress = localhost\nuser = root\n"
                                "role = hypervisor\nlibvirt_uri = %s\n"
                                "[vm test]\nhost = t\npassthrough = model:e1000e\n"
                                "passthrough_mac = aa:bb:cc:dd:ee:ff\npassthrough_bridge = br0\n"
                                "backup = 52:54:00:00:00:02\n", uri);
    struct ccnc_lab *lab = ccnc_lab_load_text("engine.conf", text, strlen(text), NULL, 0, NULL);
    struct ccnc_snapshot *snap;

    ck_assert_ptr_nonnull(lab);
    seen->engine = ccnc_engine_new(lab);
    ccnc_engine_set_listener(seen->engine, on_change, seen);
    ccnc_engine_start(seen->engine);
    ccnc_loop_add_timer(ccnc_engine_loop(seen->engine), 20000, false, give_up, seen->engine);
    ccnc_loop_run(ccnc_engine_loop(seen->engine));
    snap = ccnc_engine_snapshot(seen->engine);
    ccnc_engine_free(seen->engine);
    ccnc_lab_unref(lab);
    free(text);
    return snap;
}

START_TEST(test_engine_lists_test_driver)
{
    struct seen seen = { 0 };
    struct ccnc_snapshot *snap = run_lab("test:///default", &seen);
    const struct ccnc_host *host = NULL;
    const struct ccnc_vm *vm;

    ck_assert_msg(seen.done, "no answer from the test driver within 20 s");
    ck_assert_int_eq(snap->hosts[0]->libvirt, CCNC_CONN_CONNECTED);
    ck_assert_ptr_null(snap->hosts[0]->libvirt_error);
    vm = ccnc_snapshot_find_vm(snap, "test", &host);
    ck_assert_ptr_nonnull(vm);
    ck_assert_str_eq(host->name, "t");
    ck_assert_int_eq(vm->state, CCNC_VM_RUNNING);
    ck_assert_int_gt(vm->memory_kib, 0);
    ck_assert_int_eq(seen.vm_added, 1);
    ck_assert_int_eq(seen.libvirt_events, 1);
    /* the SSH side has not been reached: still honest about it */
    ck_assert(snap->hosts[0]->stale);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* --- following libvirt's lifecycle ----------------------------------------- */

struct follow {
    struct ccnc_engine *engine;
    const char *vm;
    int want;            /* a VM state, or -1: the VM gone */
    bool met;
};

static bool
follow_met(const struct ccnc_snapshot *snap, const struct follow *f)
{
    const struct ccnc_vm *vm = snap->n_hosts ? ccnc_host_find_vm(snap->hosts[0], f->vm) : NULL;

    return f->want < 0 ? !vm && snap->hosts[0]->libvirt == CCNC_CONN_CONNECTED
                       : vm && (int)vm->state == f->want;
}

static void
on_follow(const struct ccnc_snapshot *snap, const struct ccnc_event_list *changes, void *data)
{
    struct follow *f = data;

    (void)changes;
    if (follow_met(snap, f)) {
        f->met = true;
        ccnc_loop_quit(ccnc_engine_loop(f->engine));
    }
}

static void
stop_loop(void *data)
{
    ccnc_loop_quit(data);
}

/* Run the engine's loop until the snapshot shows vm in state want (-1:
 * gone), 15 s at most. */
static bool
wait_vm(struct follow *f, const char *vm, int want)
{
    struct ccnc_snapshot *snap = ccnc_engine_snapshot(f->engine);
    int t;

    f->vm = vm;
    f->want = want;
    f->met = follow_met(snap, f);
    ccnc_snapshot_unref(snap);
    if (f->met)
        return true;
    t = ccnc_loop_add_timer(ccnc_engine_loop(f->engine), 15000, false, stop_loop,
                            ccnc_engine_loop(f->engine));
    ccnc_loop_run(ccnc_engine_loop(f->engine));
    ccnc_loop_remove(ccnc_engine_loop(f->engine), t);
    return f->met;
}

/* A domain defined, started, paused, resumed, stopped and undefined by
 * another client of the same hypervisor: the snapshot follows each step,
 * and after the undefine the VM is gone, not left shut off. */
START_TEST(test_engine_follows_lifecycle)
{
    static const char xml[] = "<domain type='test'><name>ghost</name><memory>8192</memory>"
                              "<os><type>hvm</type></os></domain>";
    char *text = ccnc_xstrdup("[host t]\naddress = localhost\nuser = root\n"
                              "role = hypervisor\nlibvirt_uri = test:///default\n");
    struct ccnc_lab *lab = ccnc_lab_load_text("engine.conf", text, strlen(text), NULL, 0, NULL);
    struct follow f = { 0 };
    virConnectPtr other;
    virDomainPtr dom;

    ck_assert_ptr_nonnull(lab);
    f.engine = ccnc_engine_new(lab);
    ccnc_engine_set_listener(f.engine, on_follow, &f);
    ccnc_engine_start(f.engine);
    ck_assert(wait_vm(&f, "test", CCNC_VM_RUNNING));
    /* the default test driver is one per process: this is the same host */
    other = virConnectOpen("test:///default");
    ck_assert_ptr_nonnull(other);
    dom = virDomainDefineXML(other, xml);
    ck_assert_ptr_nonnull(dom);
    ck_assert_msg(wait_vm(&f, "ghost", CCNC_VM_SHUTOFF), "defined: not seen");
    ck_assert_int_eq(virDomainCreate(dom), 0);
    ck_assert_msg(wait_vm(&f, "ghost", CCNC_VM_RUNNING), "started: not seen");
    ck_assert_int_eq(virDomainSuspend(dom), 0);
    ck_assert_msg(wait_vm(&f, "ghost", CCNC_VM_PAUSED), "suspended: not seen");
    ck_assert_int_eq(virDomainResume(dom), 0);
    ck_assert_msg(wait_vm(&f, "ghost", CCNC_VM_RUNNING), "resumed: not seen");
    ck_assert_int_eq(virDomainDestroy(dom), 0);
    ck_assert_msg(wait_vm(&f, "ghost", CCNC_VM_SHUTOFF), "destroyed: not seen");
    ck_assert_int_eq(virDomainUndefine(dom), 0);
    ck_assert_msg(wait_vm(&f, "ghost", -1), "undefined: still shown");
    /* a transient domain that stops is gone with it */
    virDomainFree(dom);
    dom = virDomainCreateXML(other, xml, 0);
    ck_assert_ptr_nonnull(dom);
    ck_assert_msg(wait_vm(&f, "ghost", CCNC_VM_RUNNING), "transient: not seen");
    ck_assert_int_eq(virDomainDestroy(dom), 0);
    ck_assert_msg(wait_vm(&f, "ghost", -1), "transient, stopped: still shown");
    virDomainFree(dom);
    virConnectClose(other);
    ccnc_engine_set_listener(f.engine, NULL, NULL);
    ccnc_engine_free(f.engine);
    ccnc_lab_unref(lab);
    free(text);
}
END_TEST

START_TEST(test_engine_reports_libvirt_failure)
{
    struct seen seen = { 0 };
    struct ccnc_snapshot *snap = run_lab("test:///nonexistent/ccnc/node.xml", &seen);

    ck_assert(seen.done);
    ck_assert_int_eq(snap->hosts[0]->libvirt, CCNC_CONN_UNREACHABLE);
    ck_assert_ptr_nonnull(snap->hosts[0]->libvirt_error);
    ck_assert_msg(strstr(snap->hosts[0]->libvirt_error, "cannot connect to test:///nonexistent"),
                  "%s", snap->hosts[0]->libvirt_error);
    ck_assert_ptr_nonnull(strstr(snap->hosts[0]->libvirt_error, "next try in 1 s"));
    ck_assert_uint_eq(snap->hosts[0]->n_vms, 0);
    ccnc_snapshot_unref(snap);
}
END_TEST

START_TEST(test_uri_wrapper)
{
    static const char text[] =
        "[host s1]\naddress = 10.0.0.1\nuser = root\nrole = hypervisor\n"
        "identity = /k/id&command=/tmp/evil.sh\nknown_hosts = /k/known hosts\n"
        "[host own]\naddress = 10.0.0.2\nuser = root\nrole = hypervisor\n"
        "libvirt_uri = qemu+ssh://root@10.0.0.2/system?command=/usr/bin/ssh\n"
        "[host nocheck]\naddress = 10.0.0.3\nuser = root\nrole = hypervisor\n"
        "libvirt_uri = qemu+ssh://root@10.0.0.3/system?no_verify=1\n"
        "[host lib]\naddress = 10.0.0.4\nuser = root\nrole = hypervisor\n"
        "known_hosts = /k/kh\nlibvirt_uri = qemu+libssh://root@10.0.0.4/system\n"
        "[host libauto]\naddress = 10.0.0.5\nuser = root\nrole = hypervisor\n"
        "libvirt_uri = qemu+libssh://root@10.0.0.5/system?known_hosts_verify=auto\n"
        "[host tls]\naddress = 10.0.0.6\nuser = root\nrole = hypervisor\n"
        "libvirt_uri = qemu+tls://10.0.0.6/system?no_verify=1\n"
        "[host local]\naddress = localhost\nuser = root\nrole = hypervisor\n"
        "libvirt_uri = test:///default\n"
        "[host bare]\naddress = 10.0.0.7\nrole = hypervisor\n";
    struct ccnc_lab *lab = ccnc_lab_load_text("u.conf", text, strlen(text), NULL, 0, NULL);
    char dir[] = "/tmp/ccnc-uri-XXXXXX";
    struct ccnc_error err = { 0 };
    char *uri, *wrapper, *script;
    static const char *const refused[] = { "own", "nocheck", "libauto", "tls" };

    ck_assert_ptr_nonnull(lab);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    setenv("XDG_RUNTIME_DIR", dir, 1);
    uri = ccnc_collect_libvirt_uri(&lab->hosts[0], &err);
    ck_assert_msg(uri, "%s", err.message);
    /* the identity is one value: its '&' cannot start another parameter */
    ck_assert_msg(strncmp(uri, "qemu+ssh://root@10.0.0.1/system?no_tty=1&keyfile=/k/id%26command%3D"
                               "/tmp/evil.sh&command=", 88) == 0, "%s", uri);
    wrapper = ccnc_xasprintf("%s/ccnc/ssh-s1", dir);
    ck_assert_ptr_nonnull(strstr(uri, wrapper));
    script = ccnc_test_read(wrapper, NULL);
    ck_assert_ptr_nonnull(strstr(script, "-o UserKnownHostsFile='/k/known hosts' "
                                         "-o GlobalKnownHostsFile=/dev/null "
                                         "-o StrictHostKeyChecking=yes -o BatchMode=yes"));
    free(script);
    free(uri);
    /* a wrapper as it should be is not written again (a file being written
     * cannot be run); one that differs is replaced */
    {
        struct stat before, after;
        FILE *f;
        ck_assert_int_eq(stat(wrapper, &before), 0);
        free(ccnc_collect_libvirt_uri(&lab->hosts[0], &err));
        ck_assert_int_eq(stat(wrapper, &after), 0);
        ck_assert_uint_eq(before.st_ino, after.st_ino);
        ck_assert_ptr_nonnull(f = fopen(wrapper, "a"));
        fputs("# changed\n", f);
        fclose(f);
        free(ccnc_collect_libvirt_uri(&lab->hosts[0], &err));
        ck_assert_int_eq(stat(wrapper, &after), 0);
        ck_assert_uint_ne(before.st_ino, after.st_ino);
        ck_assert_uint_eq(after.st_mode & 07777, 0700);
        script = ccnc_test_read(wrapper, NULL);
        ck_assert_ptr_null(strstr(script, "# changed"));
        free(script);
    }
    /* hand-written URIs that would not check the host: refused, saying why */
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(refused); i++) {
        const struct ccnc_lab_host *h = ccnc_lab_find_host(lab, refused[i]);
        ck_assert_ptr_null(ccnc_collect_libvirt_uri(h, &err));
        ck_assert_msg(strstr(err.message, h->name), "%s", err.message);
        ccnc_error_clear(&err);
    }
    /* libssh: told the lab's known_hosts and to check them */
    uri = ccnc_collect_libvirt_uri(ccnc_lab_find_host(lab, "lib"), &err);
    ck_assert_str_eq(uri, "qemu+libssh://root@10.0.0.4/system?known_hosts_verify=normal"
                          "&known_hosts=/k/kh");
    free(uri);
    /* neither user nor port in the lab: none in the URI, so ssh applies
     * ~/.ssh/config's (its wrapper passes no -F) */
    uri = ccnc_collect_libvirt_uri(ccnc_lab_find_host(lab, "bare"), &err);
    ck_assert_msg(uri, "%s", err.message);
    ck_assert_msg(strncmp(uri, "qemu+ssh://10.0.0.7/system?no_tty=1&command=", 44) == 0, "%s", uri);
    script = ccnc_test_read(strstr(uri, "&command=") + 9, NULL);
    ck_assert_ptr_nonnull(script);
    ck_assert_ptr_null(strstr(script, " -F"));
    ck_assert_ptr_null(strstr(script, " -p"));
    ck_assert_ptr_null(strstr(script, " -l"));
    free(script);
    unlink(strstr(uri, "&command=") + 9);
    free(uri);
    /* no ssh at all: as written */
    uri = ccnc_collect_libvirt_uri(ccnc_lab_find_host(lab, "local"), &err);
    ck_assert_str_eq(uri, "test:///default");
    free(uri);
    /* no private folder: no connection */
    {
        char *runtime = ccnc_xasprintf("%s/ccnc", dir);
        ck_assert_int_eq(chmod(runtime, 0755), 0);
        ck_assert_ptr_null(ccnc_collect_libvirt_uri(&lab->hosts[0], &err));
        ck_assert_ptr_nonnull(strstr(err.message, "not a private folder"));
        ccnc_error_clear(&err);
        unlink(wrapper);
        rmdir(runtime);
        free(runtime);
    }
    unsetenv("XDG_RUNTIME_DIR");
    rmdir(dir);
    free(wrapper);
    ccnc_lab_unref(lab);
}
END_TEST


/* A run file recorded as the action runner writes it, replayed fast: the
 * screens see the same steps, outcomes and result. */
static void
replay_done(const struct ccnc_snapshot *snap, const struct ccnc_event_list *changes, void *data)
{
    struct ccnc_engine *e = data;

    (void)snap;
    (void)changes;
    if (ccnc_engine_action(e) && ccnc_action_finished(ccnc_engine_action(e)))
        ccnc_loop_quit(ccnc_engine_loop(e));
}

START_TEST(test_engine_replay)
{
    char dir[] = "/tmp/ccnc-replay-XXXXXX";
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys1", "sys2",
                                            "e1000e");
    struct ccnc_lab *lab = ccnc_lab_load_builtin();
    struct ccnc_engine *e = ccnc_engine_new(lab);
    struct ccnc_error err = { 0 };
    struct ccnc_runlog *log;
    struct ccnc_step *s;
    const struct ccnc_action *shown;
    long long t = 1764097200000LL;
    int n = 0;
    char *path, *cmd;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    ccnc_action_confirm(a);
    log = ccnc_runlog_open(dir, a, t, &err);
    ck_assert_ptr_nonnull(log);
    while ((s = ccnc_action_next(a, t)) != NULL) {
        t += 200;
        /* the attach fails after the migration: left on the backup */
        bool fail = n++ == 9;
        ccnc_action_report(a, fail ? CCNC_STEP_TIMEOUT : CCNC_STEP_OK,
                           fail ? "the NIC did not appear within 30 s" : NULL, t);
        ccnc_runlog_step(log, a, s);
    }
    ccnc_runlog_finish(log, a, t, 2600, 140);
    path = ccnc_xstrdup(ccnc_runlog_path(log));
    ccnc_runlog_close(log);

    ck_assert_int_eq(ccnc_engine_replay(e, "/nonexistent/run.jsonl", 1, &err), -1);
    ccnc_error_clear(&err);
    ck_assert_int_eq(ccnc_engine_replay(e, path, 1000, &err), 0);
    ck_assert(ccnc_engine_action_running(e));
    ccnc_engine_set_listener(e, replay_done, e);
    ccnc_loop_add_timer(ccnc_engine_loop(e), 10000, false, give_up, e);
    ccnc_loop_run(ccnc_engine_loop(e));
    shown = ccnc_engine_action(e);
    ck_assert_ptr_nonnull(shown);
    ck_assert(!ccnc_engine_action_running(e));
    ck_assert_int_eq(shown->state, CCNC_ACTION_FAILED);
    ck_assert(shown->on_backup_only);
    ck_assert_str_eq(shown->summary, a->summary);
    ck_assert_uint_eq(shown->n_steps, a->n_steps);
    for (size_t i = 0; i < a->n_steps; i++) {
        ck_assert_int_eq(shown->steps[i].op, a->steps[i].op);
        ck_assert_int_eq(shown->steps[i].outcome, a->steps[i].outcome);
    }
    ck_assert_uint_eq(ccnc_engine_n_results(e), 1);
    ck_assert_int_eq(ccnc_engine_result(e, 0)->downtime_ms, 140);
    ck_assert_str_eq(ccnc_engine_action_file(e), path);
    ccnc_engine_free(e);
    ccnc_lab_unref(lab);
    ccnc_action_free(a);
    cmd = ccnc_xasprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(path);
}
END_TEST

Suite *
ccnc_engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("libvirt-collector");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_engine_lists_test_driver);
    tcase_add_test(tc, test_engine_reports_libvirt_failure);
    tcase_add_test(tc, test_engine_follows_lifecycle);
    tcase_add_test(tc, test_uri_wrapper);
    tcase_add_test(tc, test_engine_replay);
    suite_add_tcase(s, tc);
    return s;
}
