/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A test driver for the engine's questions (tests/engine/test-ssh.sh): start the
 * engine on LAB, wait until HOST asks about its unknown key (answer yes or
 * no through ccnc_engine_answer_hostkey) or its identity's passphrase
 * (answer with each line of standard input in turn, through
 * ccnc_engine_answer_passphrase), as the console would, and print what the
 * host part says before and after; for the passphrase, also whether the
 * process may be dumped (PR_GET_DUMPABLE) at each step. */
#include "config.h"

#include <sys/prctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/engine.h>
#include <ccnc/lab.h>

static const struct ccnc_host *
find(struct ccnc_snapshot *snap, const char *name)
{
    int i = ccnc_snapshot_find_host(snap, name);

    return i < 0 ? NULL : snap->hosts[i];
}

/* Run the loop until pred holds for the host or ms pass. */
static bool
wait_for(struct ccnc_engine *e, const char *name, int ms,
         bool (*pred)(const struct ccnc_host *))
{
    long long end = ccnc_now_mono_ms() + ms;

    while (ccnc_now_mono_ms() < end) {
        struct ccnc_snapshot *snap = ccnc_engine_snapshot(e);
        const struct ccnc_host *h = find(snap, name);
        bool done = h && pred(h);
        ccnc_snapshot_unref(snap);
        if (done)
            return true;
        ccnc_loop_run_once(ccnc_engine_loop(e), 100);
    }
    return false;
}

static bool asking(const struct ccnc_host *h) { return h->hostkey_question; }
static bool asking_pass(const struct ccnc_host *h) { return h->passphrase_question; }
static bool live(const struct ccnc_host *h)
{
    return h->connection == CCNC_CONN_CONNECTED && !h->stale;
}

static void
show(struct ccnc_engine *e, const char *name, const char *when)
{
    struct ccnc_snapshot *snap = ccnc_engine_snapshot(e);
    const struct ccnc_host *h = find(snap, name);

    if (!h) {
        printf("%s no host '%s'\n", when, name);
        ccnc_snapshot_unref(snap);
        return;
    }
    printf("%s connection=%s stale=%d question=%d passphrase=%d fingerprint=%s error=%s\n", when,
           ccnc_conn_state_to_string(h->connection), h->stale, h->hostkey_question,
           h->passphrase_question,
           h->hostkey_sha256 ? h->hostkey_sha256 : "-", h->error ? h->error : "-");
    ccnc_snapshot_unref(snap);
}

static void
show_dumpable(const char *when)
{
    printf("dumpable %s %d\n", when, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
}

/* Answer the passphrase question with each line of standard input. */
static int
passphrases(const char *conf, const char *name)
{
    struct ccnc_lab *lab = ccnc_lab_load(conf, NULL, 0, NULL);
    struct ccnc_engine *e;
    char line[256];
    int rc = 1;

    if (!lab)
        return 2;
    show_dumpable("before");
    e = ccnc_engine_new(lab);
    /* the SSH side alone: these hosts have no libvirtd, and libvirt's
     * ssh children would only add noise (and, under ASan, forks that hang) */
    ccnc_engine_set_options(e, &(struct ccnc_engine_options){ .ssh_only = true });
    ccnc_engine_start(e);
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        if (!wait_for(e, name, 10000, asking_pass)) {
            show(e, name, "no-question");
            break;
        }
        show(e, name, "asked");
        show_dumpable("asked");
        if (ccnc_engine_answer_passphrase(e, name, line) != 0) {
            printf("answer refused\n");
            break;
        }
        memset(line, 0, sizeof(line));
        /* a wrong one is asked again; a right one logs in */
        for (int i = 0; i < 3; i++)
            ccnc_loop_run_once(ccnc_engine_loop(e), 100);
    }
    if (wait_for(e, name, 10000, live))
        rc = 0;
    show(e, name, "answered");
    show_dumpable("answered");
    ccnc_engine_free(e);
    show_dumpable("after");
    ccnc_lab_unref(lab);
    return rc;
}

int
main(int argc, char **argv)
{
    struct ccnc_lab *lab;
    struct ccnc_engine *e;
    bool trust;
    int rc = 0;

    if (argc != 4 || (strcmp(argv[3], "yes") != 0 && strcmp(argv[3], "no") != 0 &&
                      strcmp(argv[3], "passphrase") != 0)) {
        fprintf(stderr, "usage: ssh-answer LAB HOST yes|no|passphrase\n");
        return 2;
    }
    if (strcmp(argv[3], "passphrase") == 0)
        return passphrases(argv[1], argv[2]);
    trust = strcmp(argv[3], "yes") == 0;
    lab = ccnc_lab_load(argv[1], NULL, 0, NULL);
    if (!lab) {
        fprintf(stderr, "ssh-answer: cannot load %s\n", argv[1]);
        return 2;
    }
    e = ccnc_engine_new(lab);
    /* the SSH side alone: these hosts have no libvirtd, and libvirt's
     * ssh children would only add noise (and, under ASan, forks that hang) */
    ccnc_engine_set_options(e, &(struct ccnc_engine_options){ .ssh_only = true });
    ccnc_engine_start(e);
    if (!wait_for(e, argv[2], 10000, asking)) {
        show(e, argv[2], "no-question");
        rc = 1;
        goto cleanup;
    }
    show(e, argv[2], "asked");
    if (ccnc_engine_answer_hostkey(e, argv[2], trust) != 0) {
        printf("answer refused\n");
        rc = 1;
        goto cleanup;
    }
    if (ccnc_engine_answer_hostkey(e, argv[2], trust) != -1) {
        printf("a second answer was taken\n");
        rc = 1;
    }
    if (trust && !wait_for(e, argv[2], 10000, live))
        rc = 1;
    if (!trust) {
        /* nothing may happen any more: give it a moment to prove it */
        for (int i = 0; i < 10; i++)
            ccnc_loop_run_once(ccnc_engine_loop(e), 100);
    }
    show(e, argv[2], "answered");
cleanup:
    ccnc_engine_free(e);
    ccnc_lab_unref(lab);
    return rc;
}
