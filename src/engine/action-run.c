/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running an action: a thread walks the state machine (core/action.c) and
 * hands each step to its function in a table (action-nic.c,
 * action-migrate.c), each wait bounded by the lab config's timeouts,
 * writing the run file a line per step.  What the thread needs of the
 * engine, and its progress, cross to the loop's thread through
 * ccnc_loop_post().  The thread owns the action while it runs; the loop's
 * thread reads it only once the run has finished. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include <ccnc/log.h>

#include "core/i18n.h"
#include "engine/action-internal.h"
#include "engine/collect-agent.h"
#include "engine/collect-libvirt.h"

#define PROBE_RATE_HZ 100
/* how long the end of a run waits for the probe's final sample */
#define PROBE_FINAL_S 3

long long
ccnc_run_now_ms(void)
{
    return ccnc_now_wall_ms();
}

static void on_wake(void *data);

/* --- progress to the loop --------------------------------------------------- */

/* Queue ev with a copy of the action as it stands (r->mu held). */
static void
post_locked(struct ccnc_action_run *r, enum ccnc_action_run_event ev, const struct ccnc_step *s)
{
    struct ccnc_run_progress *p;

    p = ccnc_array_push(&r->queue, &r->n_queue, &r->cap_queue, sizeof(*p));
    p->ev = ev;
    p->copy = ccnc_action_dup(r->a);
    if (s) {
        p->step = *s;
        p->step.error = ccnc_xstrdup(s->error);
        p->has_step = true;
    }
}

void
ccnc_run_post(struct ccnc_action_run *r, enum ccnc_action_run_event ev, const struct ccnc_step *s)
{
    pthread_mutex_lock(&r->mu);
    post_locked(r, ev, s);
    pthread_mutex_unlock(&r->mu);
    ccnc_loop_post(r->env.loop, on_wake, r);
}

/* --- the engine's calls, made on the loop's thread ------------------------- */

static void
loop_answer(struct ccnc_action_run *r, bool ok, const char *error)
{
    pthread_mutex_lock(&r->mu);
    r->loop_done = true;
    r->loop_ok = ok;
    ccnc_str_set(&r->loop_error, error);
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
}

static void
on_loop_reply(void *data, bool ok, const char *error)
{
    loop_answer(data, ok, error);
}

static void
loop_call(struct ccnc_action_run *r)
{
    const struct ccnc_action_env_ops *ops = r->env.ops;
    struct ccnc_error err = { 0 };
    struct ccnc_pool_vf vf = { 0 };
    int rc;

    switch (r->loop_req) {
    case CCNC_RUN_LOOP_SNAPSHOT: {
        struct ccnc_snapshot *snap = ops->snapshot(r->env.owner);
        pthread_mutex_lock(&r->mu);
        ccnc_snapshot_unref(r->loop_snap);
        r->loop_snap = snap;
        pthread_mutex_unlock(&r->mu);
        rc = 1;
        break;
    }
    case CCNC_RUN_LOOP_RESERVE:
        rc = ops->pool_reserve(r->env.owner, r->a->vm, r->loop_host, &vf, on_loop_reply, r, &err);
        pthread_mutex_lock(&r->mu);
        ccnc_pool_vf_clear(&r->vf);
        r->vf = vf;
        pthread_mutex_unlock(&r->mu);
        break;
    case CCNC_RUN_LOOP_RELEASE:
        rc = ops->pool_release(r->env.owner, r->a->vm, r->loop_host, r->loop_pci, on_loop_reply,
                               r, &err);
        break;
    default:
        rc = 1;
        break;
    }
    if (rc != 0)
        loop_answer(r, rc > 0, rc < 0 ? err.message : NULL);
    ccnc_error_clear(&err);
}

int
ccnc_run_loop_request(struct ccnc_action_run *r, enum ccnc_run_loop_req req, const char *host,
                      const char *pci, struct ccnc_error *err)
{
    struct timespec ts = ccnc_deadline_s(r->lab->migration.step_timeout_s);
    int rc;

    pthread_mutex_lock(&r->mu);
    r->loop_req = req;
    r->loop_sent = r->loop_done = r->loop_ok = false;
    ccnc_str_set(&r->loop_host, host);
    ccnc_str_set(&r->loop_pci, pci);
    ccnc_str_set(&r->loop_error, NULL);
    pthread_mutex_unlock(&r->mu);
    ccnc_loop_post(r->env.loop, on_wake, r);
    pthread_mutex_lock(&r->mu);
    while (!r->loop_done)
        if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
            break;
    if (!r->loop_done && host)
        rc = ccnc_error_set(err, CCNC_ERR_TIMEOUT, _("%s did not answer within %d s"), host,
                            r->lab->migration.step_timeout_s);
    else if (!r->loop_done)
        rc = ccnc_error_set(err, CCNC_ERR_TIMEOUT, _("the console did not answer within %d s"),
                            r->lab->migration.step_timeout_s);
    else if (!r->loop_ok)
        rc = ccnc_error_set(err, CCNC_ERR_UNAVAILABLE, "%s",
                            r->loop_error ? r->loop_error : _("the agent said no"));
    else
        rc = 0;
    r->loop_req = CCNC_RUN_LOOP_NONE;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

struct ccnc_snapshot *
ccnc_run_snapshot(struct ccnc_action_run *r)
{
    struct ccnc_snapshot *snap = NULL;

    if (ccnc_run_loop_request(r, CCNC_RUN_LOOP_SNAPSHOT, NULL, NULL, NULL) == 0) {
        pthread_mutex_lock(&r->mu);
        snap = r->loop_snap;
        r->loop_snap = NULL;
        pthread_mutex_unlock(&r->mu);
    }
    return snap;
}

/* Posted by the thread: the engine's calls it waits for, the probe's stop,
 * and its progress, on the loop's thread. */
static void
on_wake(void *data)
{
    struct ccnc_action_run *r = data;
    struct ccnc_run_progress *q;
    size_t n;

    pthread_mutex_lock(&r->mu);
    if (r->probe_stop_req && r->probe_handle > 0) {
        struct ccnc_agent *agent = r->env.ops->probe_agent(r->env.owner);
        r->probe_stop_req = false;
        pthread_mutex_unlock(&r->mu);
        if (agent)
            ccnc_agent_probe_stop(agent, r->probe_handle);  /* may call on_probe */
        pthread_mutex_lock(&r->mu);
    }
    if (r->loop_req != CCNC_RUN_LOOP_NONE && !r->loop_sent) {
        r->loop_sent = true;
        pthread_mutex_unlock(&r->mu);
        loop_call(r);
        pthread_mutex_lock(&r->mu);
    }
    q = r->queue;
    n = r->n_queue;
    r->queue = NULL;
    r->n_queue = r->cap_queue = 0;
    pthread_mutex_unlock(&r->mu);
    for (size_t i = 0; i < n; i++) {
        if (q[i].ev == CCNC_RUN_EV_FINISHED)
            r->env.ops->pool_unclaim(r->env.owner, r->a->vm);
        if (r->cb)
            r->cb(r->cb_data, q[i].ev, q[i].copy, q[i].has_step ? &q[i].step : NULL);
        else
            ccnc_action_free(q[i].copy);
        free(q[i].step.error);
    }
    free(q);
}

/* --- the connectivity probe (the loop's thread) ------------------------------ */

static void
on_probe(void *data, const struct ccnc_probe_figures *f)
{
    struct ccnc_action_run *r = data;
    struct ccnc_probe_figures *p = &r->a->probe;
    struct ccnc_action *copy;

    pthread_mutex_lock(&r->mu);
    if (f->measured) {
        p->measured = true;
        p->sent = f->sent;
        p->received = f->received;
        p->lost = f->lost;
        p->current_gap_ms = f->current_gap_ms;
        p->longest_gap_ms = f->longest_gap_ms;
        p->stream = f->stream;
        p->stream_stall_ms = f->stream_stall_ms;
        p->stream_longest_stall_ms = f->stream_longest_stall_ms;
        r->probe_samples++;
    }
    if (f->error)
        ccnc_str_set(&p->error, f->error);
    if (f->done) {
        p->done = true;
        r->probe_handle = 0;
    }
    pthread_cond_broadcast(&r->cond);   /* verify-on-backup waits for samples */
    copy = r->cb ? ccnc_action_dup(r->a) : NULL;
    pthread_mutex_unlock(&r->mu);
    if (f->measured && r->log) {
        /* on the loop's thread: the engine's snapshot as it is now */
        struct ccnc_snapshot *snap = r->env.ops->snapshot(r->env.owner);
        long long stream = ccnc_snapshot_stream_bps(snap);
        ccnc_snapshot_unref(snap);
        pthread_mutex_lock(&r->log_mu);
        if (!r->log_done)   /* nothing after the result line */
            ccnc_runlog_probe(r->log, ccnc_run_now_ms(), f, stream);
        pthread_mutex_unlock(&r->log_mu);
    }
    if (copy)
        r->cb(r->cb_data, CCNC_RUN_EV_PROGRESS, copy, NULL);
}

/* Ping the VM from the storage host while the action runs (from the moment
 * its agent runs, if it does not yet); without a probe target or a storage
 * host, the run says why it has no figures. */
static void
start_probe(struct ccnc_action_run *r)
{
    struct ccnc_agent *agent = r->env.ops->probe_agent(r->env.owner);
    struct ccnc_error err = { 0 };
    /* bounded even if this console dies: every step's timeout, and some */
    int max_s = r->lab->migration.timeout_s + 8 * r->lab->migration.step_timeout_s + 30;

    if (!r->cv->probe_target)
        ccnc_str_set(&r->a->probe.error, _("no probe_target in the VM's section of the lab "
                                           "config"));
    else if (!agent)
        ccnc_str_set(&r->a->probe.error, _("the lab has no storage host to probe from"));
    else if ((r->probe_handle = ccnc_agent_probe_start(agent, r->cv->probe_target,
                                                       PROBE_RATE_HZ, max_s, on_probe, r,
                                                       &err)) <= 0) {
        r->probe_handle = 0;
        ccnc_str_set(&r->a->probe.error, err.message);
    }
    ccnc_error_clear(&err);
}

/* The thread's end: stop the probe and wait (bounded) for its last sample,
 * so the run file's figures are whole. */
static void
finish_probe(struct ccnc_action_run *r)
{
    struct timespec ts = ccnc_deadline_s(PROBE_FINAL_S);

    pthread_mutex_lock(&r->mu);
    if (r->probe_handle > 0) {
        r->probe_stop_req = true;
        pthread_mutex_unlock(&r->mu);
        ccnc_loop_post(r->env.loop, on_wake, r);
        pthread_mutex_lock(&r->mu);
        while (r->probe_stop_req || r->probe_handle > 0)
            if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
                break;
    }
    pthread_mutex_unlock(&r->mu);
}

/* --- helpers for the steps ----------------------------------------------------- */

void
ccnc_run_log_call(const char *host, const char *call, const char *vm)
{
    /* TRANSLATORS: -vv: "sys1: libvirt virDomainDetachDeviceFlags for vm1" */
    ccnc_log(CCNC_LOG_CALLS, _("%s: libvirt %s for %s"), host ? host : "?", call, vm);
}

const char *
ccnc_run_host_of(const struct ccnc_action_run *r, virConnectPtr c)
{
    return c && c == r->dst ? r->a->destination : r->a->source;
}

void
ccnc_run_trace(const struct ccnc_action_run *r, virConnectPtr c, const char *call)
{
    if (ccnc_log_enabled(CCNC_LOG_CALLS))
        ccnc_run_log_call(ccnc_run_host_of(r, c), call, r->a->vm);
}

int
ccnc_run_lv_fail(struct ccnc_error *err, const char *what)
{
    const char *msg = virGetLastErrorMessage();
    int len = msg ? (int)strlen(msg) : 0;

    /* libvirt passes on what a child printed, its newline included */
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r' || msg[len - 1] == ' '))
        len--;
    return ccnc_error_set(err, CCNC_ERR_LIBVIRT, "%s: %.*s", what, len > 0 ? len : 1,
                          len > 0 ? msg : "?");
}

/* The connection to the source (dst false) or the destination, opened
 * again when it died (its libvirtd restarted, its sshd killed, the link
 * cut), at most once a second; the device events follow it.  A connection
 * that cannot be opened again stays the dead one: the step's calls fail
 * with libvirt's own words and the step's bounds hold. */
static virConnectPtr
alive_conn(struct ccnc_action_run *r, bool dst)
{
    virConnectPtr *c = dst ? &r->dst : &r->src;
    int *ids = dst ? r->cb_dst : r->cb_src;
    long long now;
    struct ccnc_error err = { 0 };
    virConnectPtr n;

    if (!*c || virConnectIsAlive(*c) == 1)
        return *c;
    now = ccnc_now_mono_ms();
    if (r->reopened_ms[dst] && now - r->reopened_ms[dst] < 1000)
        return *c;
    r->reopened_ms[dst] = now;
    n = ccnc_run_open(r, dst ? r->a->destination : r->a->source, false, &err);
    if (!n) {
        ccnc_error_clear(&err);
        return *c;
    }
    for (int i = 0; i < 3; i++) {
        if (ids[i] >= 0)
            virConnectDomainEventDeregisterAny(*c, ids[i]);
        ids[i] = -1;
    }
    virConnectClose(*c);
    *c = n;
    ccnc_run_register_device_events(r, n, ids);
    return n;
}

virConnectPtr
ccnc_run_conn(struct ccnc_action_run *r, bool dst)
{
    return alive_conn(r, dst && r->dst);
}

virConnectPtr
ccnc_run_here(struct ccnc_action_run *r)
{
    return alive_conn(r, r->a->on_destination && r->dst);
}

/* A connection that died is waited for this long to come back (its host's
 * sshd or libvirtd restarting) before a step fails with it. */
#define RECONNECT_S 20

virDomainPtr
ccnc_run_domain(struct ccnc_action_run *r, struct ccnc_error *err)
{
    long long until = ccnc_now_mono_ms() + RECONNECT_S * 1000LL;

    for (;;) {
        virConnectPtr c = ccnc_run_here(r);
        struct ccnc_error lv = { 0 };
        virDomainPtr d;
        bool alive;

        if (c)
            ccnc_run_trace(r, c, "virDomainLookupByName");
        d = c ? virDomainLookupByName(c, r->a->vm) : NULL;

        if (d)
            return d;
        /* libvirt's words, before any other call of its API resets them */
        ccnc_run_lv_fail(&lv, _("cannot find the VM"));
        alive = c && virConnectIsAlive(c) == 1;
        /* the VM is not there, or its host stays away: the step fails */
        if (!c || alive || ccnc_now_mono_ms() >= until || ccnc_run_abort_requested(r)) {
            if (c && !alive && !ccnc_run_abort_requested(r))
                /* its host went away: that first, then libvirt's words */
                ccnc_error_set(err, CCNC_ERR_CONNECT,
                               _("%s does not answer (ccnc's connection to its libvirt closed "
                                 "and did not come back in %d s): %s"),
                               r->a->on_destination && r->dst ? r->a->destination
                                                              : r->a->source,
                               RECONNECT_S, lv.message);
            else
                ccnc_error_set(err, lv.code, "%s", lv.message);
            ccnc_error_clear(&lv);
            return NULL;
        }
        ccnc_error_clear(&lv);
        usleep(250 * 1000);
    }
}

char *
ccnc_run_domain_xml(struct ccnc_action_run *r, virDomainPtr d, struct ccnc_error *err)
{
    virDomainPtr own = d ? NULL : ccnc_run_domain(r, err);
    char *xml;

    if (!d && !own)
        return NULL;
    ccnc_run_trace_dom(r, d ? d : own, "virDomainGetXMLDesc");
    xml = virDomainGetXMLDesc(d ? d : own, 0);
    if (!xml)
        ccnc_run_lv_fail(err, _("cannot read the VM's XML"));
    if (own)
        virDomainFree(own);
    return xml;
}

int
ccnc_run_vm_state(struct ccnc_action_run *r, bool dst, struct ccnc_run_vm_seen *seen,
                  virDomainPtr *dp)
{
    virConnectPtr c = (dst && !r->dst) ? NULL : alive_conn(r, dst);
    virDomainPtr d;
    virDomainJobInfo info;

    *seen = (struct ccnc_run_vm_seen){ .state = -1 };
    if (dp)
        *dp = NULL;
    if (!c || virConnectIsAlive(c) != 1)
        return -1;
    ccnc_run_trace(r, c, "virDomainLookupByName");
    d = virDomainLookupByName(c, r->a->vm);
    if (!d)
        return virGetLastErrorCode() == VIR_ERR_NO_DOMAIN ? 0 : -1;
    ccnc_run_trace_dom(r, d, "virDomainGetState");
    if (virDomainGetState(d, &seen->state, &seen->reason, 0) < 0)
        seen->state = -1;
    if (seen->state == VIR_DOMAIN_RUNNING || seen->state == VIR_DOMAIN_PAUSED) {
        ccnc_run_trace_dom(r, d, "virDomainGetJobInfo");
        seen->job = virDomainGetJobInfo(d, &info) == 0 && info.type != VIR_DOMAIN_JOB_NONE;
    }
    if (dp)
        *dp = d;
    else
        virDomainFree(d);
    return 1;
}

/* Why the VM does not run on host DST (the destination, else the source):
 * NULL when it runs (or paused), or when that cannot be told (no
 * connection); else a translated phrase. */
static const char *
vm_down_on(struct ccnc_action_run *r, bool dst)
{
    struct ccnc_run_vm_seen seen;
    int there = ccnc_run_vm_state(r, dst, &seen, NULL);

    if (there == 0)
        return _("it is not defined there");
    switch (there < 0 ? -1 : seen.state) {
    case VIR_DOMAIN_SHUTOFF:
        return seen.reason == VIR_DOMAIN_SHUTOFF_CRASHED ? _("it crashed")
               : seen.reason == VIR_DOMAIN_SHUTOFF_SHUTDOWN
                   ? _("it shut down: its guest powered off, rebooted or panicked")
                   : _("it is shut off");
    case VIR_DOMAIN_CRASHED:
        return _("it crashed");
    case VIR_DOMAIN_SHUTDOWN:
        return _("it is shutting down");
    default:
        return NULL;
    }
}

const char *
ccnc_run_vm_down(struct ccnc_action_run *r)
{
    return vm_down_on(r, r->a->on_destination && r->dst);
}

/* After a failure: a VM that runs on neither host is said loudly, whatever
 * the steps believed. */
static void
say_vm_down(struct ccnc_action_run *r)
{
    bool here = r->a->on_destination && r->dst;
    const char *why, *failed = ccnc_action_failure(r->a);
    char *s;

    if (r->a->state != CCNC_ACTION_FAILED || !(why = vm_down_on(r, here)))
        return;
    if (r->a->destination && r->dst && r->src && !vm_down_on(r, !here)) {
        /* it runs on the other host: the steps' view stands */
        return;
    }
    /* the steps' view of its NICs no longer matters */
    /* TRANSLATORS: said loudly: the VM is lost; the last %s says why */
    s = ccnc_xasprintf(_("%s: FAILED after '%s'; THE VM IS NOT RUNNING on %s: %s (start it "
                         "again; its QEMU log and serial console on that host say why)"),
                       r->a->vm, failed ? failed : "?", here ? r->a->destination : r->a->source,
                       why);
    free(r->a->summary);
    r->a->summary = s;
}

bool
ccnc_run_wait_flag(struct ccnc_action_run *r, bool *flag, bool *fail_flag, int timeout_s)
{
    struct timespec ts = ccnc_deadline_s(timeout_s);
    bool ok;

    pthread_mutex_lock(&r->mu);
    while (!*flag && !(fail_flag && *fail_flag))
        if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
            break;
    ok = *flag;
    pthread_mutex_unlock(&r->mu);
    return ok;
}

bool
ccnc_run_abort_requested(struct ccnc_action_run *r)
{
    return __atomic_load_n(&r->abort_req, __ATOMIC_ACQUIRE);
}

void
ccnc_run_log_bond(struct ccnc_action_run *r, const char *before, const char *after)
{
    if (!r->log)
        return;
    pthread_mutex_lock(&r->log_mu);
    ccnc_runlog_bond(r->log, ccnc_run_now_ms(), r->a->vm, before, after);
    pthread_mutex_unlock(&r->log_mu);
}

void
ccnc_run_log_vf(struct ccnc_action_run *r, const char *event, const char *host, const char *pf,
                int index, const char *pci)
{
    if (!r->log)
        return;
    pthread_mutex_lock(&r->log_mu);
    ccnc_runlog_vf(r->log, ccnc_run_now_ms(), event, host, pf, index, pci);
    pthread_mutex_unlock(&r->log_mu);
}

void
ccnc_run_log_setting(struct ccnc_action_run *r, const char *host, const char *name, long long value,
                     const char *why)
{
    if (!r->log)
        return;
    pthread_mutex_lock(&r->log_mu);
    ccnc_runlog_setting(r->log, ccnc_run_now_ms(), host, name, value, why);
    pthread_mutex_unlock(&r->log_mu);
}

void
ccnc_run_log_forecast(struct ccnc_action_run *r, const struct ccnc_forecast *f)
{
    if (!r->log)
        return;
    pthread_mutex_lock(&r->log_mu);
    ccnc_runlog_forecast(r->log, ccnc_run_now_ms(), f);
    pthread_mutex_unlock(&r->log_mu);
}

void
ccnc_run_log_to_go(struct ccnc_action_run *r, const struct ccnc_precopy_to_go *g)
{
    if (!r->log)
        return;
    pthread_mutex_lock(&r->log_mu);
    ccnc_runlog_to_go(r->log, ccnc_run_now_ms(), g);
    pthread_mutex_unlock(&r->log_mu);
}

void
ccnc_run_log_job(struct ccnc_action_run *r, const char *phase, const char *const *names,
                 const long long *values, size_t n)
{
    if (!r->log)
        return;
    pthread_mutex_lock(&r->log_mu);
    ccnc_runlog_job(r->log, phase, ccnc_run_now_ms(), names, values, n);
    pthread_mutex_unlock(&r->log_mu);
}

/* --- the thread ----------------------------------------------------------------- */

/* Each step's function: the plan's table (core/action.c) names the steps,
 * this one says who carries them out. */
static int (*const step_fns[CCNC_STEP_LAST])(struct ccnc_action_run *, struct ccnc_error *) = {
    [CCNC_STEP_FORECAST] = ccnc_step_forecast,
    [CCNC_STEP_CHECK_DESTINATION] = ccnc_step_check_destination,
    [CCNC_STEP_CHECK_STORAGE] = ccnc_step_check_storage,
    [CCNC_STEP_CHECK_BACKUP] = ccnc_step_check_backup,
    [CCNC_STEP_RESERVE_NIC] = ccnc_step_reserve_nic,
    [CCNC_STEP_BOND_TO_BACKUP] = ccnc_step_bond_to_backup,
    [CCNC_STEP_DETACH] = ccnc_step_detach,
    [CCNC_STEP_VERIFY_ON_BACKUP] = ccnc_step_verify_on_backup,
    [CCNC_STEP_MIGRATE] = ccnc_step_migrate,
    [CCNC_STEP_ATTACH] = ccnc_step_attach,
    [CCNC_STEP_WAIT_ENSLAVED] = ccnc_step_wait_enslaved,
    [CCNC_STEP_BOND_TO_PRIMARY] = ccnc_step_bond_to_primary,
    [CCNC_STEP_VERIFY] = ccnc_step_verify,
    [CCNC_STEP_RELEASE_NIC] = ccnc_step_release_nic,
    [CCNC_STEP_REATTACH_SOURCE] = ccnc_step_reattach_source,
    [CCNC_STEP_RESTORE_PRIMARY] = ccnc_step_restore_primary,
};

/* Who asked to stop: this process's operator, or (seen in the run file)
 * `ccnc abort` from another shell.  NULL: nobody.  Caller frees. */
static char *
abort_who(struct ccnc_action_run *r)
{
    char *who;

    pthread_mutex_lock(&r->mu);
    who = ccnc_xstrdup(r->abort_who);
    pthread_mutex_unlock(&r->mu);
    if (!who && r->log)
        who = ccnc_run_abort_who(ccnc_runlog_path(r->log));
    return who;
}

static void *
open_watch_conn(void *arg)
{
    struct ccnc_action_run *r = arg;
    struct ccnc_error err = { 0 };

    /* failing, the watch shares the source's connection as before */
    r->watch_conn = ccnc_run_open_host(r->a->source, r->lab, &err);
    ccnc_error_clear(&err);
    return NULL;
}

/* Whether the plan migrates the VM. */
static bool
plan_migrates(const struct ccnc_action *a)
{
    for (size_t i = 0; i < a->n_steps; i++)
        if (a->steps[i].op == CCNC_STEP_MIGRATE && !a->steps[i].rollback)
            return true;
    return false;
}

virConnectPtr
ccnc_run_watch_conn(struct ccnc_action_run *r)
{
    if (r->watch_opening) {
        pthread_join(r->watch_opener, NULL);
        r->watch_opening = false;
    }
    return r->watch_conn && virConnectIsAlive(r->watch_conn) == 1 ? r->watch_conn : NULL;
}

void
ccnc_run_notice(struct ccnc_action_run *r, char *text)
{
    /* written while text is still this caller's: three threads say notices */
    ccnc_log(CCNC_LOG_CONNECT, "%s: %s", r->a->vm, text);
    if (r->log) {
        pthread_mutex_lock(&r->log_mu);
        if (!r->log_done)
            ccnc_runlog_notice(r->log, ccnc_run_now_ms(), text);
        pthread_mutex_unlock(&r->log_mu);
    }
    /* then the action's, and its copy queued, under one lock: each event
     * carries its own */
    pthread_mutex_lock(&r->mu);
    free(r->a->notice);
    r->a->notice = text;
    post_locked(r, CCNC_RUN_EV_NOTICE, NULL);
    pthread_mutex_unlock(&r->mu);
    ccnc_loop_post(r->env.loop, on_wake, r);
}

/* Whether the run may still stop without undoing anything: not a resume
 * (the run before it changed things), and no step begun but the forecast
 * and the checks. */
static bool
nothing_changed(const struct ccnc_action_run *r)
{
    if (r->a->resume_of)
        return false;
    for (size_t i = 0; i < r->a->n_steps; i++) {
        const struct ccnc_step *s = &r->a->steps[i];

        if (s->started_ms && (s->rollback || !ccnc_step_op_reads_only(s->op)))
            return false;
    }
    return true;
}

/* A libvirt open on a thread of its own, which the run may stop waiting
 * for: the last of the two to let go frees it (and the connection, when
 * the run no longer wants it). */
struct opener {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    char *uri;
    virConnectPtr c;
    struct ccnc_error err;
    bool done, abandoned;
};

static void
opener_free(struct opener *o)
{
    if (o->c)
        virConnectClose(o->c);
    ccnc_error_clear(&o->err);
    free(o->uri);
    pthread_cond_destroy(&o->cond);
    pthread_mutex_destroy(&o->mu);
    free(o);
}

static void *
opener_main(void *arg)
{
    struct opener *o = arg;
    struct ccnc_error err = { 0 };
    virConnectPtr c = ccnc_run_open_uri(o->uri, &err);   /* libvirt's words are this thread's */
    bool abandoned;

    pthread_mutex_lock(&o->mu);
    o->c = c;
    o->err = err;
    o->done = true;
    abandoned = o->abandoned;
    pthread_cond_signal(&o->cond);
    pthread_mutex_unlock(&o->mu);
    if (abandoned)
        opener_free(o);
    return NULL;
}

/* Open uri, waiting until it is open or, when may_stop, the operator stops
 * the run. */
static virConnectPtr
open_stoppable(struct ccnc_action_run *r, const char *host, char *uri, bool may_stop,
               struct ccnc_error *err)
{
    struct opener *o = ccnc_xcalloc(1, sizeof(*o));
    virConnectPtr c = NULL;
    pthread_t t;
    bool done;

    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cond, NULL);
    o->uri = uri;
    if (pthread_create(&t, NULL, opener_main, o) != 0) {
        c = ccnc_run_open_uri(uri, err);
        opener_free(o);
        return c;
    }
    pthread_detach(t);
    pthread_mutex_lock(&o->mu);
    while (!o->done && !(may_stop && ccnc_run_abort_requested(r))) {
        struct timespec tick = ccnc_deadline_ms(100);   /* the stop is polled */

        pthread_cond_timedwait(&o->cond, &o->mu, &tick);
    }
    done = o->done;
    if (done) {
        c = o->c;
        o->c = NULL;
        *err = o->err;
        memset(&o->err, 0, sizeof(o->err));
    } else {
        o->abandoned = true;
    }
    pthread_mutex_unlock(&o->mu);
    if (done)
        opener_free(o);
    else
        ccnc_error_set(err, CCNC_ERR_CONNECT,
                       _("stopped while %s's libvirt had not answered; nothing was changed"),
                       host);
    return c;
}

virConnectPtr
ccnc_run_open(struct ccnc_action_run *r, const char *host, bool stoppable, struct ccnc_error *err)
{
    virConnectPtr c;
    char *uri;

    stoppable = stoppable && nothing_changed(r);
    if (stoppable && ccnc_run_abort_requested(r)) {
        ccnc_error_set(err, CCNC_ERR_CONNECT, _("stopped before %s's libvirt was opened; nothing "
                                                "was changed"), host);
        return NULL;
    }
    uri = ccnc_run_host_uri(host, r->lab, err);
    if (!uri)
        return NULL;
    pthread_mutex_lock(&r->mu);
    r->opening = host;
    r->opening_ms = ccnc_now_mono_ms();
    pthread_mutex_unlock(&r->mu);
    c = open_stoppable(r, host, uri, stoppable, err);
    pthread_mutex_lock(&r->mu);
    r->opening = NULL;
    pthread_mutex_unlock(&r->mu);
    return c;
}

/* Beside the run's thread, for its whole run: an open of its that waits
 * is said (ccnc_run_open), for nothing else shows the run waiting. */
static void *
open_watch(void *arg)
{
    struct ccnc_action_run *r = arg;
    const char *host = NULL;
    long long since = 0, said = 0;

    pthread_mutex_lock(&r->mu);
    while (!r->open_watch_stop) {
        struct timespec tick = ccnc_deadline_s(1);
        bool begun;
        char *text;

        pthread_cond_timedwait(&r->cond, &r->mu, &tick);
        if (r->opening != host || r->opening_ms != since) {
            host = r->opening;  /* another open: counted from 0 */
            since = r->opening_ms;
            said = 0;
        }
        if (!host || !ccnc_due_every(ccnc_now_mono_ms() - since,
                                     CCNC_MIGRATION_SETUP_SLOW_MS, &said))
            continue;
        begun = r->a->n_steps && r->a->steps[0].started_ms;
        text = begun ? ccnc_xasprintf(_("%s's libvirt has not answered in %lld s (is its "
                                        "libvirtd, or sshd, running?): ccnc keeps waiting"),
                                      host, said / 1000)
                     : ccnc_xasprintf(_("%s's libvirt has not answered in %lld s (is its "
                                        "libvirtd, or sshd, running?): nothing is changed "
                                        "yet, and ccnc keeps waiting"),
                                      host, said / 1000);
        pthread_mutex_unlock(&r->mu);
        ccnc_run_notice(r, text);
        pthread_mutex_lock(&r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void *
run_thread(void *arg)
{
    struct ccnc_action_run *r = arg;
    struct ccnc_error src_err = { 0 };
    struct ccnc_step *s;
    pthread_t opener;
    bool watching;

    r->t0 = ccnc_now_mono_ms();
    watching = pthread_create(&opener, NULL, open_watch, r) == 0;
    /* here, not on the loop: with several runs starting at once, each
     * connects to the source in its own thread */
    r->src = ccnc_run_open(r, r->a->source, true, &src_err);
    if (r->src)
        ccnc_run_register_device_events(r, r->src, r->cb_src);
    /* one owner per VM: the lease first; without it nothing is done */
    if (r->src && ccnc_run_lease_take(r, &src_err) < 0) {
        virConnectClose(r->src);
        r->src = NULL;
    }
    while ((s = ccnc_action_next(r->a, ccnc_run_now_ms())) != NULL) {
        struct ccnc_error err = { 0 };
        char *who = NULL;
        int rc, wrote = 0;

        ccnc_run_post(r, CCNC_RUN_EV_STEP, s);
        /* the watch's connection opens beside the checks, after the first
         * step, not with the run's first connects (an evacuation's runs
         * start together, and a host's sshd drops connects beyond its
         * MaxStartups) */
        if (r->src && !s->rollback && !r->watch_tried && s->op != CCNC_STEP_FORECAST &&
            !ccnc_run_abort_requested(r) && plan_migrates(r->a))
            r->watch_opening = r->watch_tried =
                pthread_create(&r->watch_opener, NULL, open_watch_conn, r) == 0;
        /* the record first: a run killed in the middle of a step says which;
         * a record that cannot be written stops the plan before it acts
         * (undoing goes on: a half-done VM is worse than a missing line) */
        if (r->log) {
            pthread_mutex_lock(&r->log_mu);
            wrote = ccnc_runlog_step_start(r->log, s);
            pthread_mutex_unlock(&r->log_mu);
        }
        if (r->src)
            ccnc_run_lease_renew(r);
        if (wrote < 0 && !s->rollback)
            rc = ccnc_error_set(&err, CCNC_ERR_IO, _("the run file %s cannot be written: "
                                                     "nothing more is changed"),
                                ccnc_runlog_path(r->log));
        else if (ccnc_run_abort_requested(r) && !s->rollback)
            rc = -1;    /* said below: the operator's words */
        else if (!r->src)
            /* no connection to the source, or its lease refused: the first
             * step fails with it; nothing was done */
            rc = ccnc_error_set(&err, src_err.code, "%s", src_err.message);
        else if (s->op < CCNC_STEP_LAST && step_fns[s->op])
            rc = step_fns[s->op](r, &err);
        else
            rc = ccnc_error_set(&err, CCNC_ERR_INTERNAL, _("unknown step"));
        /* a step that failed because the operator stopped it says so, not
         * what libvirt made of the cut (an end of file, an I/O error) */
        if (rc < 0 && !s->rollback && (ccnc_run_abort_requested(r) || s->op == CCNC_STEP_MIGRATE) &&
            (who = abort_who(r)) != NULL)
            ccnc_error_set(&err, CCNC_ERR_INTERNAL, _("aborted by the operator (%s)"), who);
        free(who);
        ccnc_action_report(r->a, rc == 0 ? CCNC_STEP_OK
                                 : err.code == CCNC_ERR_TIMEOUT ? CCNC_STEP_TIMEOUT
                                                                : CCNC_STEP_FAILED,
                           rc == 0 ? NULL : err.message, ccnc_run_now_ms());
        if (r->log) {
            pthread_mutex_lock(&r->log_mu);
            ccnc_runlog_step(r->log, r->a, s);
            pthread_mutex_unlock(&r->log_mu);
        }
        ccnc_run_post(r, CCNC_RUN_EV_STEP, s);
        ccnc_error_clear(&err);
    }
    r->total_ms = ccnc_now_mono_ms() - r->t0;
    if (r->cv->passthrough_kind == CCNC_PASSTHROUGH_POOL && r->a->on_destination &&
        r->source_pci) {
        /* the VF the VM left on the source is free again (libvirt put the
         * VM's MAC back on it at the detach); a refusal is recorded, and
         * the VF shows as reserved until given back by hand */
        struct ccnc_error err = { 0 };
        ccnc_run_release_vf(r, r->a->source, r->source_pci, &err);
        ccnc_error_clear(&err);
    }
    say_vm_down(r);
    ccnc_run_lease_release(r);
    pthread_mutex_lock(&r->mu);
    r->open_watch_stop = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
    if (watching)
        pthread_join(opener, NULL);
    finish_probe(r);
    if (r->log) {
        pthread_mutex_lock(&r->log_mu);
        ccnc_runlog_finish(r->log, r->a, ccnc_run_now_ms(), r->total_ms, r->downtime_ms);
        r->log_done = true;
        pthread_mutex_unlock(&r->log_mu);
    }
    ccnc_error_clear(&src_err);
    __atomic_store_n(&r->finished, 1, __ATOMIC_RELEASE);
    ccnc_run_post(r, CCNC_RUN_EV_FINISHED, NULL);
    return NULL;
}

struct ccnc_action_run *
ccnc_action_run_start(const struct ccnc_action_env *env, struct ccnc_action *a,
                      ccnc_action_run_cb cb, void *data, struct ccnc_error *err)
{
    struct ccnc_action_run *r;
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(env->lab, a->vm);

    if (!cv) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("the lab config has no [vm %s]"), a->vm);
        ccnc_action_free(a);
        return NULL;
    }
    if (a->state == CCNC_ACTION_PLANNED) {
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("the action was not confirmed"));
        ccnc_action_free(a);
        return NULL;
    }
    if (ccnc_libvirt_events_acquire() < 0) {
        ccnc_error_set(err, CCNC_ERR_LIBVIRT, _("libvirt's event loop cannot be set up"));
        ccnc_action_free(a);
        return NULL;
    }
    r = ccnc_xcalloc(1, sizeof(*r));
    r->env = *env;
    r->env.lab = ccnc_lab_ref(env->lab);
    r->env.runs_dir = ccnc_xstrdup(env->runs_dir);
    r->env.who = ccnc_xstrdup(env->who);
    r->lab = r->env.lab;
    r->cv = cv;
    r->a = a;
    r->cb = cb;
    r->cb_data = data;
    r->total_ms = r->downtime_ms = CCNC_UNKNOWN;
    for (int i = 0; i < 3; i++)
        r->cb_src[i] = r->cb_dst[i] = -1;
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->log_mu, NULL);
    pthread_cond_init(&r->cond, NULL);
    /* a resumed run goes on in its own file, which then ends with a result */
    r->log = a->resume_of ? ccnc_runlog_reopen(a->resume_of, a, ccnc_run_now_ms(), r->env.who, err)
                          : ccnc_runlog_open(r->env.runs_dir, a, ccnc_run_now_ms(), err);
    if (!r->log) {
        ccnc_action_run_free(r);
        return NULL;
    }
    start_probe(r);
    r->started = pthread_create(&r->thread, NULL, run_thread, r) == 0;
    if (!r->started) {
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("cannot start the action's thread"));
        ccnc_action_run_free(r);
        return NULL;
    }
    return r;
}

void
ccnc_action_run_abort(struct ccnc_action_run *r, const char *who)
{
    bool first;

    pthread_mutex_lock(&r->mu);
    first = !r->abort_req && !r->finished;
    if (first) {
        ccnc_str_set(&r->abort_who, who ? who : _("the operator"));
        __atomic_store_n(&r->abort_req, 1, __ATOMIC_RELEASE);
        /* a running migration's watch wakes and aborts its job (the
         * caller, the loop's thread, never waits for a hung source) */
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->mu);
    if (first && r->log) {
        /* recorded before anything is undone */
        pthread_mutex_lock(&r->log_mu);
        if (!r->log_done)
            ccnc_runlog_abort(r->log, ccnc_run_now_ms(), who ? who : "operator");
        pthread_mutex_unlock(&r->log_mu);
    }
}

void
ccnc_action_run_fdb(struct ccnc_action_run *r, const char *host, const char *event,
                    const char *mac, const char *bridge, const char *port, long long host_ms)
{
    if (!r->log)
        return;
    pthread_mutex_lock(&r->log_mu);
    if (!r->log_done)
        ccnc_runlog_fdb(r->log, ccnc_run_now_ms(), host, event, mac, bridge, port, host_ms);
    pthread_mutex_unlock(&r->log_mu);
}

bool
ccnc_action_run_finished(const struct ccnc_action_run *r)
{
    return __atomic_load_n(&r->finished, __ATOMIC_ACQUIRE);
}

const struct ccnc_action *
ccnc_action_run_action(const struct ccnc_action_run *r)
{
    return r->a;
}

const char *
ccnc_action_run_file(const struct ccnc_action_run *r)
{
    return r->log ? ccnc_runlog_path(r->log) : NULL;
}

long long
ccnc_action_run_total_ms(const struct ccnc_action_run *r)
{
    return r->total_ms;
}

long long
ccnc_action_run_downtime_ms(const struct ccnc_action_run *r)
{
    return r->downtime_ms;
}

void
ccnc_action_run_free(struct ccnc_action_run *r)
{
    if (!r)
        return;
    if (r->started)
        pthread_join(r->thread, NULL);
    ccnc_loop_unpost(r->env.loop, r);
    r->env.ops->forget_replies(r->env.owner, r);
    r->env.ops->pool_unclaim(r->env.owner, r->a->vm);
    if (r->probe_handle > 0) {
        struct ccnc_agent *agent = r->env.ops->probe_agent(r->env.owner);
        if (agent)
            ccnc_agent_probe_cancel(agent, r->probe_handle);
    }
    for (int i = 0; i < 3; i++) {
        if (r->src && r->cb_src[i] >= 0)
            virConnectDomainEventDeregisterAny(r->src, r->cb_src[i]);
        if (r->dst && r->cb_dst[i] >= 0)
            virConnectDomainEventDeregisterAny(r->dst, r->cb_dst[i]);
    }
    if (r->src)
        virConnectClose(r->src);
    if (r->dst)
        virConnectClose(r->dst);
    if (r->watch_opening)
        pthread_join(r->watch_opener, NULL);
    if (r->watch_conn)
        virConnectClose(r->watch_conn);
    ccnc_libvirt_events_release();
    for (size_t i = 0; i < r->n_queue; i++) {
        ccnc_action_free(r->queue[i].copy);
        free(r->queue[i].step.error);
    }
    free(r->queue);
    ccnc_runlog_close(r->log);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->log_mu);
    pthread_cond_destroy(&r->cond);
    free(r->nic_xml);
    free(r->source_pci);
    free(r->loop_host);
    free(r->loop_pci);
    free(r->loop_error);
    free(r->abort_who);
    ccnc_snapshot_unref(r->loop_snap);
    ccnc_pool_vf_clear(&r->vf);
    ccnc_action_free(r->a);
    free((char *)r->env.runs_dir);
    free((char *)r->env.who);
    ccnc_lab_unref(r->env.lab);
    free(r);
}
