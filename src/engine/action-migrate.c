/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The steps of a migration: the destination and its libvirt, the VM's
 * storage seen from there, and the live migration itself (peer to peer,
 * libvirt's statistics at each pre-copy round, a bounded wait), plus the
 * way another shell aborts one.  Run on the action's thread. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include <ccnc/log.h>

#include "core/i18n.h"
#include "core/virxml.h"
#include "engine/action-internal.h"
#include "engine/collect-libvirt.h"

/* How soon a round's statistics are asked for again while QEMU is still
 * setting the migration up. */
#define SETUP_POLL_MS 100

/* --- connections and device events --------------------------------------------- */

char *
ccnc_run_host_uri(const char *host, const struct ccnc_lab *lab, struct ccnc_error *err)
{
    const struct ccnc_lab_host *h = ccnc_lab_find_host(lab, host);
    char *uri;

    if (!h) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("no host '%s' in the lab config"), host);
        return NULL;
    }
    uri = ccnc_collect_libvirt_uri(h, err);
    if (uri)
        ccnc_collect_libvirt_log_open(host, uri);
    return uri;
}

virConnectPtr
ccnc_run_open_uri(const char *uri, struct ccnc_error *err)
{
    virConnectPtr c = virConnectOpenAuth(uri, NULL, 0);

    if (!c) {
        char *shown = ccnc_log_uri(uri);
        char *what = ccnc_xasprintf(_("cannot connect to %s"), shown);
        ccnc_run_lv_fail(err, what);
        free(what);
        free(shown);
    } else {
        virConnectSetKeepAlive(c, 5, 3);
    }
    return c;
}

virConnectPtr
ccnc_run_open_host(const char *host, const struct ccnc_lab *lab, struct ccnc_error *err)
{
    char *uri = ccnc_run_host_uri(host, lab, err);
    virConnectPtr c = uri ? ccnc_run_open_uri(uri, err) : NULL;

    free(uri);
    return c;
}

/* A device event: raise its flag and wake the step that waits for it. */
static void
raise_flag(struct ccnc_action_run *r, bool *flag)
{
    pthread_mutex_lock(&r->mu);
    *flag = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
}

static void
on_device_removed(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    struct ccnc_action_run *r = opaque;

    (void)c; (void)alias;
    if (ccnc_streq(virDomainGetName(d), r->a->vm))
        raise_flag(r, &r->device_removed);
}

static void
on_device_added(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    struct ccnc_action_run *r = opaque;

    (void)c; (void)alias;
    if (ccnc_streq(virDomainGetName(d), r->a->vm))
        raise_flag(r, &r->device_added);
}

static void
on_removal_failed(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    struct ccnc_action_run *r = opaque;

    (void)c; (void)alias;
    if (ccnc_streq(virDomainGetName(d), r->a->vm))
        raise_flag(r, &r->removal_failed);
}

void
ccnc_run_register_device_events(struct ccnc_action_run *r, virConnectPtr conn, int *ids)
{
    ids[0] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_device_removed), r,
                                              NULL);
    ids[1] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_device_added), r, NULL);
    ids[2] = virConnectDomainEventRegisterAny(conn, NULL,
                                              VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_removal_failed), r,
                                              NULL);
}

/* --- the checks ------------------------------------------------------------------- */

/* The destination's libvirt must be able to run the VM as it runs now:
 * its emulator, architecture and machine type (a QEMU there without the
 * VM's machine type would fail the migration after the VM lost its
 * passthrough NIC).  Asking also has the destination's libvirt probe that
 * emulator now, when its cache of the emulator's capabilities is stale
 * (a QEMU upgraded there: some seconds), rather than while the VM
 * migrates. */
static int
check_can_run(struct ccnc_action_run *r, struct ccnc_error *err)
{
    struct ccnc_virxml_target t;
    char *xml = ccnc_run_domain_xml(r, NULL, err), *caps = NULL;
    int rc = 0;

    if (!xml)
        return -1;
    if (ccnc_virxml_domain_target(xml, strlen(xml), &t) == 0) {
        ccnc_run_trace(r, r->dst, "virConnectGetDomainCapabilities");
        caps = virConnectGetDomainCapabilities(r->dst, t.emulator, t.arch, t.machine,
                                               t.virttype, 0);
        int code = caps ? VIR_ERR_OK : virGetLastErrorCode();
        char *what = NULL;

        switch (code) {
        case VIR_ERR_OK:
            break;
        case VIR_ERR_NO_SUPPORT:
            /* a driver that cannot say (libvirt's test driver) is not asked */
            virResetLastError();
            break;
        case VIR_ERR_INVALID_ARG:
        case VIR_ERR_CONFIG_UNSUPPORTED:
        case VIR_ERR_OPERATION_FAILED:
        case VIR_ERR_INTERNAL_ERROR:
            what = ccnc_xasprintf(_("%s cannot run %s as it runs now (%s, machine %s, "
                                    "emulator %s)"),
                                  r->a->destination, r->a->vm, t.virttype ? t.virttype : "?",
                                  t.machine ? t.machine : "?", t.emulator ? t.emulator : "?");
            break;
        default:
            /* the connection or the call failed, not the answer */
            what = ccnc_xasprintf(_("cannot ask %s's libvirt whether it can run %s"),
                                  r->a->destination, r->a->vm);
            break;
        }
        if (what) {
            rc = ccnc_run_lv_fail(err, what);
            free(what);
        }
    }
    ccnc_virxml_target_clear(&t);
    free(caps);
    free(xml);
    return rc;
}

int
ccnc_step_check_destination(struct ccnc_action_run *r, struct ccnc_error *err)
{
    if (!r->dst)
        r->dst = ccnc_run_open(r, r->a->destination, true, err);
    if (!r->dst)
        return -1;
    ccnc_run_register_device_events(r, r->dst, r->cb_dst);
    return check_can_run(r, err);
}

/* The VM's disk images must be on NFS mounts of the destination, as its
 * agent reports them (a diskless VM, like the lab's, has none to check). */
int
ccnc_step_check_storage(struct ccnc_action_run *r, struct ccnc_error *err)
{
    char *xml = ccnc_run_domain_xml(r, NULL, err), **files = NULL;
    size_t n = xml ? ccnc_virxml_disk_files(xml, strlen(xml), &files) : 0;
    int rc = 0;

    if (!xml) {
        rc = -1;
    } else if (n > 0) {
        struct ccnc_snapshot *snap = ccnc_run_snapshot(r);
        int i = snap ? ccnc_snapshot_find_host(snap, r->a->destination) : -1;
        const struct ccnc_host *h = i < 0 ? NULL : snap->hosts[i];
        if (!h || h->stale || h->updated_ms <= 0)
            rc = ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                                _("%s's agent has not reported its mounts: the VM's disks cannot "
                                  "be checked there"), r->a->destination);
        for (size_t k = 0; rc == 0 && files[k]; k++)
            if (!ccnc_host_nfs_mount_for(h, files[k]))
                rc = ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                                    _("the VM's disk %s is on no NFS mount of %s"), files[k],
                                    r->a->destination);
        ccnc_snapshot_unref(snap);
    }
    for (size_t k = 0; files && files[k]; k++)
        free(files[k]);
    free(files);
    free(xml);
    return rc;
}

/* --- the migration ---------------------------------------------------------------- */

/* libvirt's statistics of d's job (flags: VIR_DOMAIN_JOB_STATS_COMPLETED
 * or 0 for the running one) into the run file under phase, and into the
 * action's migration figures.  A round's statistics are only worth a line
 * once QEMU counts rounds: its first round begins while the migration is
 * still in setup, which reports no memory figures yet.  Returns 1 when
 * recorded, 0 when a running job had no memory figures yet, -1 when
 * libvirt gave none. */
static int
record_job(struct ccnc_action_run *r, virDomainPtr d, unsigned int flags, const char *phase)
{
    static const char *const names[] = {
        VIR_DOMAIN_JOB_TIME_ELAPSED, VIR_DOMAIN_JOB_DOWNTIME, VIR_DOMAIN_JOB_SETUP_TIME,
        VIR_DOMAIN_JOB_MEMORY_TOTAL, VIR_DOMAIN_JOB_MEMORY_PROCESSED,
        VIR_DOMAIN_JOB_MEMORY_REMAINING, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE,
        VIR_DOMAIN_JOB_MEMORY_ITERATION, VIR_DOMAIN_JOB_MEMORY_BPS,
    };
    virTypedParameterPtr params = NULL;
    int nparams = 0, type = 0;
    long long values[CCNC_ARRAY_SIZE(names)];
    const char *have[CCNC_ARRAY_SIZE(names)];
    struct ccnc_migration_figures f = { 0, -1, -1, -1, -1, -1, -1, -1, { 0 } };
    size_t n = 0;

    ccnc_run_trace_dom(r, d, "virDomainGetJobStats");
    if (virDomainGetJobStats(d, &type, &params, &nparams, flags) < 0)
        return -1;
    /* a running job whose first round has not synced yet counts round 0
     * (or none): not a round yet */
    if (!flags) {
        unsigned long long it = 0;

        if (virTypedParamsGetULLong(params, nparams, VIR_DOMAIN_JOB_MEMORY_ITERATION, &it) != 1 ||
            it < 1) {
            virTypedParamsFree(params, nparams);
            return 0;
        }
    }
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(names); i++) {
        unsigned long long v;
        if (virTypedParamsGetULLong(params, nparams, names[i], &v) != 1)
            continue;
        have[n] = names[i];
        values[n++] = (long long)v;
        if (strcmp(names[i], VIR_DOMAIN_JOB_DOWNTIME) == 0 && flags)
            r->downtime_ms = (long long)v;
        else if (strcmp(names[i], VIR_DOMAIN_JOB_TIME_ELAPSED) == 0)
            f.elapsed_ms = (long long)v;
        else if (strcmp(names[i], VIR_DOMAIN_JOB_MEMORY_TOTAL) == 0)
            f.memory_total = (long long)v;
        else if (strcmp(names[i], VIR_DOMAIN_JOB_MEMORY_PROCESSED) == 0)
            f.memory_processed = (long long)v;
        else if (strcmp(names[i], VIR_DOMAIN_JOB_MEMORY_REMAINING) == 0)
            f.memory_remaining = (long long)v;
        else if (strcmp(names[i], VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE) == 0)
            f.dirty_rate = (long long)v;
        else if (strcmp(names[i], VIR_DOMAIN_JOB_MEMORY_ITERATION) == 0)
            f.iteration = (int)v;
        else if (strcmp(names[i], VIR_DOMAIN_JOB_MEMORY_BPS) == 0)
            f.bps = (long long)v;
    }
    virTypedParamsFree(params, nparams);
    ccnc_run_log_job(r, phase, have, values, n);
    pthread_mutex_lock(&r->mu);
    f.to_go = r->a->migration.to_go;   /* said again by follow_course */
    f.limit_ms = r->a->migration.limit_ms;   /* and by set_limit */
    memcpy(f.limit_why, r->a->migration.limit_why, sizeof(f.limit_why));
    f.timeout_ms = r->lab->migration.timeout_s * 1000LL;
    r->a->migration = f;
    pthread_mutex_unlock(&r->mu);
    return 1;
}

/* Set the downtime limit the policy asks for, recorded first. */
static void
set_limit(struct ccnc_action_run *r, virDomainPtr d, int limit_ms, const char *why)
{
    if (limit_ms <= 0)
        return;
    ccnc_run_log_setting(r, r->a->source, "downtime_limit_ms", limit_ms, why);
    pthread_mutex_lock(&r->mu);
    r->a->migration.limit_ms = limit_ms;
    snprintf(r->a->migration.limit_why, sizeof(r->a->migration.limit_why), "%s", why ? why : "");
    pthread_mutex_unlock(&r->mu);
    ccnc_run_trace_dom(r, d, "virDomainMigrateSetMaxDowntime");
    virDomainMigrateSetMaxDowntime(d, (unsigned long long)limit_ms, 0);
}

/* Whether the source has stopped the guest for the switch-over.  QEMU's
 * last sync (a round, with its event) comes after the stop: a limit set on
 * it steers nothing, and would be recorded and shown as if it had.  Any
 * pause counts: a guest paused for another reason dirties nothing, and
 * its migration needs no higher limit, nor giving up. */
static bool
guest_stopped(struct ccnc_action_run *r, virDomainPtr d)
{
    int state = VIR_DOMAIN_NOSTATE, reason = 0;

    ccnc_run_trace_dom(r, d, "virDomainGetState");
    return virDomainGetState(d, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED;
}

/* May a migration whose course is hopeless be given up?  Not when the
 * lab says no, nor under auto-converge (QEMU slows the guest more at each
 * round). */
static bool
may_give_up(const struct ccnc_action_run *r)
{
    return r->lab->migration.give_up && !r->lab->migration.auto_converge &&
           !ccnc_policy_auto_converge(r->lab->migration.policy);
}

/* Where the migration is going, after a round recorded and the policy's
 * limit set: from the newest rounds, into the action's figures and the
 * run file, at the limit 'lowest' raises it to when the course says it
 * would end too late (unless the guest has stopped).  True when the
 * migration will not end within its timeout and may be given up now. */
static bool
follow_course(struct ccnc_action_run *r, virDomainPtr d, bool stopped)
{
    struct ccnc_migration_figures m;
    struct ccnc_precopy_round *x;
    struct ccnc_precopy_to_go g, top;
    const char *why;
    bool hopeless;
    int limit;

    pthread_mutex_lock(&r->mu);
    m = r->a->migration;
    pthread_mutex_unlock(&r->mu);
    if (r->n_rounds == CCNC_ARRAY_SIZE(r->rounds)) {
        memmove(r->rounds, r->rounds + 1, (r->n_rounds - 1) * sizeof(*r->rounds));
        r->n_rounds--;
    }
    x = &r->rounds[r->n_rounds++];
    *x = ccnc_migration_round(&m);
    if (x->elapsed_ms < 0)
        x->elapsed_ms = (double)(ccnc_now_mono_ms() - r->migrate_t0);
    if (!stopped) {
        limit = ccnc_policy_on_course(&r->policy, r->rounds, r->n_rounds,
                                      r->a->forecast.in.rate_bps, (double)m.timeout_ms, &why);
        set_limit(r, d, limit, why);
    }
    if (ccnc_precopy_to_go(r->rounds, r->n_rounds, r->a->forecast.in.rate_bps,
                           r->policy.limit_ms, &g) == CCNC_PRECOPY_UNKNOWN) {
        ccnc_precopy_hopeless(NULL, m.timeout_ms, &r->hopeless);
        return false;
    }
    /* hopeless even at the highest limit the policy would raise it to */
    ccnc_precopy_to_go(r->rounds, r->n_rounds, r->a->forecast.in.rate_bps,
                       ccnc_policy_highest(&r->policy), &top);
    hopeless = ccnc_precopy_hopeless(&top, m.timeout_ms, &r->hopeless);
    pthread_mutex_lock(&r->mu);
    r->a->migration.to_go = g;
    pthread_mutex_unlock(&r->mu);
    ccnc_run_log_to_go(r, &g);
    return hopeless && !stopped && may_give_up(r);
}

/* The migration did not end within the lab's timeout_s, or was given up
 * before it: said with where it was going at its last round. */
static void
timeout_error(struct ccnc_action_run *r, struct ccnc_error *err)
{
    struct ccnc_migration_figures m;
    int t = r->lab->migration.timeout_s;
    bool warn;
    char *course;

    pthread_mutex_lock(&r->mu);
    m = r->a->migration;
    pthread_mutex_unlock(&r->mu);
    course = ccnc_forecast_course_text(&m.to_go, m.timeout_ms, &warn);
    ccnc_error_clear(err);
    if (course && r->migration_given_up)
        ccnc_error_set(err, CCNC_ERR_TIMEOUT,
                       _("the migration was given up after round %d, at %.1f s, not left to run "
                         "into its %d s (lab.conf timeout_s, give_up): %.1f MiB left; %s"),
                       m.to_go.iteration, m.to_go.elapsed_ms / 1000.0, t,
                       m.to_go.remaining_bytes / (1024.0 * 1024.0), course);
    else if (course)
        ccnc_error_set(err, CCNC_ERR_TIMEOUT,
                       _("the migration did not end within its %d s (lab.conf timeout_s): after "
                         "round %d, %.1f MiB left; %s"),
                       t, m.to_go.iteration, m.to_go.remaining_bytes / (1024.0 * 1024.0), course);
    else if (m.iteration <= 0 && m.setup_ms > 0)
        /* it never began */
        ccnc_error_set(err, CCNC_ERR_TIMEOUT,
                       _("the migration did not begin within its %d s (lab.conf timeout_s): it "
                         "was still being set up between %s and %s (did both libvirtds "
                         "answer?)"),
                       t, r->a->source, r->a->destination);
    else
        ccnc_error_set(err, CCNC_ERR_TIMEOUT,
                       _("the migration did not end within its %d s (lab.conf timeout_s)"), t);
    free(course);
}

static void
on_iteration(virConnectPtr c, virDomainPtr d, int iteration, void *opaque)
{
    struct ccnc_action_run *r = opaque;

    (void)c;
    if (!ccnc_streq(virDomainGetName(d), r->a->vm))
        return;
    pthread_mutex_lock(&r->mu);
    r->iteration_seen = iteration;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
}

/* After the migration call failed without ccnc calling it off: whether it
 * went through all the same.  A source's libvirtd that hung past ccnc's
 * keepalive cuts ccnc's call, and carries on with the migration once it
 * runs again: the VM may end up running on the destination while the call
 * said it failed.  Waited for (bounded: the migration's timeout, 30 to
 * 60 s, then called off and 10 s more) until the source has no job and the
 * VM runs on one host. */
static bool
went_through(struct ccnc_action_run *r, const char *why)
{
    int t = r->lab->migration.timeout_s;
    long long t0 = ccnc_now_mono_ms(), said = 0;
    long long until = t0 + (t < 30 ? 30 : t > 60 ? 60 : t) * 1000LL;
    bool aborted = false;

    for (;;) {
        struct ccnc_run_vm_seen src, dst;
        virDomainPtr sd = NULL;
        int on_src = ccnc_run_vm_state(r, false, &src, &sd);
        int on_dst = r->dst ? ccnc_run_vm_state(r, true, &dst, NULL) : 0;
        bool src_runs = on_src > 0 && src.state == VIR_DOMAIN_RUNNING;
        bool src_gone = on_src == 0 || (on_src > 0 && src.state == VIR_DOMAIN_SHUTOFF);
        bool dst_runs = on_dst > 0 && dst.state == VIR_DOMAIN_RUNNING;
        bool dst_gone = on_dst == 0 || (on_dst > 0 && dst.state == VIR_DOMAIN_SHUTOFF);
        int verdict = src_gone && dst_runs    ? 1   /* it runs on the destination */
                      : src_runs && !src.job  ? 0   /* on the source, no migration */
                      : src_gone && dst_gone  ? 0   /* on neither: said after the rollback */
                      : -1;

        if (verdict < 0 && ccnc_now_mono_ms() >= until) {
            if (aborted || !src_runs) {
                verdict = 0;
            } else {
                /* still migrating without ccnc's call: called off, then seen */
                ccnc_run_trace_dom(r, sd, "virDomainAbortJob");
                if (virDomainAbortJob(sd) < 0)
                    ccnc_log(CCNC_LOG_CONNECT, "%s: %s", r->a->vm,
                             _("the migration goes on without ccnc's call and could not be "
                               "aborted"));
                aborted = true;
                until = ccnc_now_mono_ms() + 10000;
            }
        }
        if (sd)
            virDomainFree(sd);
        if (verdict >= 0)
            return verdict > 0;
        if (ccnc_due_every(ccnc_now_mono_ms() - t0, CCNC_MIGRATION_SETUP_SLOW_MS, &said))
            /* (a source that hangs holds the look, and nothing else shows it) */
            ccnc_run_notice(
                r, on_src < 0
                       ? ccnc_xasprintf(_("ccnc's call for the migration failed (%s); nothing "
                                          "is undone until %s answers, for the migration may "
                                          "go on there (%lld s so far)"),
                                        why, r->a->source, said / 1000)
                       : ccnc_xasprintf(_("ccnc's call for the migration failed (%s), and %s "
                                          "still migrates the VM: ccnc waits for it to end "
                                          "(%lld s so far)"),
                                        why, r->a->source, said / 1000));
        usleep(500 * 1000);
    }
}

/* No round yet after CCNC_MIGRATION_SETUP_SLOW_MS, and after each as long
 * more: said (progress), with whether ccnc's own connection to the
 * destination has closed meanwhile.  Called and returns with r->mu held. */
static void
note_setup(struct ccnc_action_run *r)
{
    long long s = ccnc_now_mono_ms() - r->migrate_t0;
    struct ccnc_migration_figures *m = &r->a->migration;
    bool now = false, call_off = false;
    char *text;

    if (m->iteration > 0)
        return;
    if (!r->setup_abort_ok && (r->abort_req || s >= r->lab->migration.timeout_s * 1000LL)) {
        /* out of time (or stopped) before it began: called off now, and
         * again each second until the source takes it, for the watch may
         * be held in a call until the destination answers */
        if (!r->abort_req)
            r->migration_timed_out = true;
        now = !m->called_off && s >= CCNC_MIGRATION_SETUP_SLOW_MS;   /* said at once */
        m->called_off = call_off = true;
    }
    if (ccnc_due_every(s, CCNC_MIGRATION_SETUP_SLOW_MS, &m->setup_ms) || now) {
        /* (the action's thread is in the migration call: r->src and r->dst
         * stay put) */
        m->dst_lost = r->dst && virConnectIsAlive(r->dst) != 1;
        m->src_lost = r->src && virConnectIsAlive(r->src) != 1;
        text = ccnc_migration_setup_text(m, r->a->source, r->a->destination);
        if (text) {
            pthread_mutex_unlock(&r->mu);
            ccnc_run_notice(r, text);
            pthread_mutex_lock(&r->mu);
        }
    }
    /* said before the call, which waits as long as the source does */
    if (call_off && r->migrating)
        r->setup_abort_ok = ccnc_run_abort_job(r);
}

/* While the migration has no round: note_setup each second, on a thread
 * of its own, for the watch may be held in a statistics call that the
 * source's libvirtd answers only once the destination's has (hung). */
static void *
setup_watch(void *arg)
{
    struct ccnc_action_run *r = arg;

    pthread_mutex_lock(&r->mu);
    while (r->migrating && r->a->migration.iteration <= 0) {
        struct timespec tick = ccnc_deadline_s(1);

        pthread_cond_timedwait(&r->cond, &r->mu, &tick);
        if (r->migrating)
            note_setup(r);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Beside a running migration: record libvirt's statistics at each pre-copy
 * round, and abort the job at the migration timeout or when asked. */
static void *
migration_watch(void *arg)
{
    struct ccnc_action_run *r = arg;
    struct timespec ts = ccnc_deadline_s(r->lab->migration.timeout_s);

    pthread_mutex_lock(&r->mu);
    while (r->migrating && !r->abort_req) {
        struct timespec tick = ccnc_deadline_s(1);
        const char *why = NULL;
        int limit;

        if (r->iteration_seen > r->iteration_logged && r->migrating_dom) {
            virDomainPtr d = r->migrating_dom;
            int seen = r->iteration_seen, recorded;
            bool give_up = false;
            virDomainRef(d);
            pthread_mutex_unlock(&r->mu);
            recorded = record_job(r, d, 0, "iteration");
            if (recorded > 0) {
                /* the policy sees what this round left, while the guest
                 * still runs */
                bool stopped = guest_stopped(r, d);

                if (!stopped) {
                    limit = ccnc_policy_on_round(&r->policy, r->a->migration.iteration,
                                                 r->a->migration.memory_remaining,
                                                 ccnc_now_mono_ms() - r->migrate_t0, &why);
                    set_limit(r, d, limit, why);
                }
                give_up = follow_course(r, d, stopped);
                ccnc_run_post(r, CCNC_RUN_EV_PROGRESS, NULL);
            }
            virDomainFree(d);
            pthread_mutex_lock(&r->mu);
            if (give_up) {
                /* ended now, as at the timeout, but sooner: the VM is back
                 * on its passthrough NIC minutes earlier */
                r->migration_given_up = r->migration_timed_out = true;
                break;
            }
            if (recorded != 0) {
                /* recorded, or libvirt has none to give: not asked again.
                 * Statistics read late may already count the round whose
                 * event is still on its way: that round is not recorded
                 * again, or the policy would take it for a stalled one */
                if (recorded > 0 && r->a->migration.iteration > seen)
                    seen = r->a->migration.iteration;
                r->iteration_logged = seen;
            } else if (r->migrating && !r->abort_req) {
                /* still in setup: asked again shortly, unless a round ends
                 * first; the migration's timeout holds all the same */
                struct timespec soon = ccnc_deadline_ms(SETUP_POLL_MS);
                pthread_cond_timedwait(&r->cond, &r->mu, &soon);
                if (ccnc_now_mono_ms() - r->migrate_t0 >= r->lab->migration.timeout_s * 1000LL) {
                    r->migration_timed_out = true;
                    break;
                }
            }
            continue;
        }
        /* woken each second for a policy that follows the clock */
        if (tick.tv_sec > ts.tv_sec || (tick.tv_sec == ts.tv_sec && tick.tv_nsec > ts.tv_nsec))
            tick = ts;
        if (pthread_cond_timedwait(&r->cond, &r->mu, &tick) == ETIMEDOUT) {
            if (ccnc_now_mono_ms() - r->migrate_t0 >= r->lab->migration.timeout_s * 1000LL) {
                r->migration_timed_out = true;
                break;
            }
            struct ccnc_policy_state before = r->policy;   /* this thread's */

            if (r->migrating_dom &&
                (limit = ccnc_policy_on_time(&r->policy, ccnc_now_mono_ms() - r->migrate_t0,
                                             &why)) > 0) {
                virDomainPtr d = r->migrating_dom;
                virDomainRef(d);
                pthread_mutex_unlock(&r->mu);
                if (!guest_stopped(r, d)) {
                    set_limit(r, d, limit, why);
                    ccnc_run_post(r, CCNC_RUN_EV_PROGRESS, NULL);   /* said by ccnc migrate */
                } else {
                    r->policy = before;   /* not set: the course stays at the limit in force */
                }
                virDomainFree(d);
                pthread_mutex_lock(&r->mu);
            }
        }
    }
    /* stopped, or out of time: the job is aborted, again every 100 ms
     * while it goes on (an abort asked for as it started finds no job) */
    while (r->migrating && !ccnc_run_abort_job(r)) {
        struct timespec soon = ccnc_deadline_ms(SETUP_POLL_MS);

        pthread_cond_timedwait(&r->cond, &r->mu, &soon);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

bool
ccnc_run_abort_job(struct ccnc_action_run *r)
{
    virDomainPtr w = r->migrating_dom, s = r->migrating_src_dom;
    bool ok = false;

    if (!w && !s)
        return false;
    /* the calls without the lock: a source that hangs holds them until
     * the keepalive gives up, and nothing else should wait that long */
    if (w)
        virDomainRef(w);
    if (s)
        virDomainRef(s);
    pthread_mutex_unlock(&r->mu);
    if (w) {
        ccnc_run_trace_dom(r, w, "virDomainAbortJob");
        ok = virDomainAbortJob(w) == 0;
    }
    if (!ok && s && s != w) {
        /* the watch's connection is gone: the source's, late or not */
        ccnc_run_trace_dom(r, s, "virDomainAbortJob");
        ok = virDomainAbortJob(s) == 0;
    }
    if (w)
        virDomainFree(w);
    if (s)
        virDomainFree(s);
    pthread_mutex_lock(&r->mu);
    return ok;
}

static void
log_job_stats(struct ccnc_action_run *r)
{
    virDomainPtr d;

    ccnc_run_trace(r, r->dst, "virDomainLookupByName");
    d = virDomainLookupByName(r->dst, r->a->vm);
    if (!d)
        return;
    record_job(r, d, VIR_DOMAIN_JOB_STATS_COMPLETED, "completed");
    virDomainFree(d);
}

/* The watch's connection, once the migration has ended: one connection
 * less on the source for the steps after. */
static void
close_watch_conn(struct ccnc_action_run *r)
{
    if (r->watch_conn) {
        virConnectClose(r->watch_conn);
        r->watch_conn = NULL;
    }
}

int
ccnc_step_migrate(struct ccnc_action_run *r, struct ccnc_error *err)
{
    const struct ccnc_lab_host *dh = ccnc_lab_find_host(r->lab, r->a->destination);
    virDomainPtr d = ccnc_run_domain(r, err);
    char *uri;
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0, rc = -1;
    unsigned int flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST |
                         VIR_MIGRATE_UNDEFINE_SOURCE;
    pthread_t watch, setup;
    bool started;
    int iter_cb;
    virConnectPtr wc;
    virDomainPtr wd = NULL;
    unsigned char uuid[VIR_UUID_BUFLEN];

    if (!d)
        return -1;
    if (r->lab->migration.auto_converge || ccnc_policy_auto_converge(r->lab->migration.policy))
        flags |= VIR_MIGRATE_AUTO_CONVERGE;
    if (r->lab->migration.bandwidth_mbps > 0)
        virTypedParamsAddULLong(&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_BANDWIDTH,
                                (unsigned long long)(r->lab->migration.bandwidth_mbps / 8 ?
                                                     r->lab->migration.bandwidth_mbps / 8 : 1));
    /* the policy's first limit, recorded before it is set */
    set_limit(r, d,
              ccnc_policy_start(&r->policy, r->lab->migration.policy,
                                r->lab->migration.max_downtime_ms,
                                r->a->forecast.in.memory_bytes),
              ccnc_policy_to_string(r->lab->migration.policy));
    /* peer to peer: the source's libvirtd reaches the destination itself,
     * with the lab's URI and its own ssh (the wrapper is this workstation's) */
    uri = ccnc_lab_host_migration_uri(dh);
    /* the watch's calls on a connection of their own, when there is one */
    wc = ccnc_run_watch_conn(r);
    if (wc && virDomainGetUUID(d, uuid) == 0) {
        ccnc_run_trace(r, wc, "virDomainLookupByUUID");
        wd = virDomainLookupByUUID(wc, uuid);
    }
    if (!wd) {
        wd = d;
        virDomainRef(wd);
    }
    iter_cb = virConnectDomainEventRegisterAny(virDomainGetConnect(wd), wd,
                                               VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                               VIR_DOMAIN_EVENT_CALLBACK(on_iteration), r, NULL);
    pthread_mutex_lock(&r->mu);
    started = !r->abort_req;   /* stopped while the watch's connection opened: not */
    if (started) {
        r->migrating = true;
        r->migrating_dom = wd;
        r->migrating_src_dom = d;
        r->iteration_seen = r->iteration_logged = 0;
        r->migrate_t0 = ccnc_now_mono_ms();
        r->n_rounds = 0;
        r->hopeless = (struct ccnc_precopy_hopeless){ 0 };
        r->migration_timed_out = r->migration_given_up = false;
        r->a->migration.setup_ms = 0;
        r->a->migration.dst_lost = r->a->migration.src_lost = false;
        r->a->migration.called_off = false;
        r->setup_abort_ok = false;
    }
    pthread_mutex_unlock(&r->mu);
    if (!started) {
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("aborted before the migration began"));
    } else {
        bool watching = pthread_create(&watch, NULL, migration_watch, r) == 0;
        /* (without the rounds' events it could not tell a running one) */
        bool setting_up = iter_cb >= 0 && pthread_create(&setup, NULL, setup_watch, r) == 0;

        ccnc_run_trace_dom(r, d, "virDomainMigrateToURI3");
        if (virDomainMigrateToURI3(d, uri, params, (unsigned int)nparams, flags) < 0)
            ccnc_run_lv_fail(err, _("the migration failed"));
        else
            rc = 0;
        pthread_mutex_lock(&r->mu);
        r->migrating = false;
        r->migrating_dom = r->migrating_src_dom = NULL;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->mu);
        if (setting_up)
            pthread_join(setup, NULL);
        if (watching)
            pthread_join(watch, NULL);
        if (rc < 0 && went_through(r, err->message ? err->message : "?")) {
            /* the call was cut (the source's libvirtd hung past ccnc's
             * keepalive), the migration was not: it runs there now */
            ccnc_log(CCNC_LOG_CONNECT, _("%s: the migration went through, though ccnc's call "
                                         "for it failed: %s"),
                     r->a->vm, err->message ? err->message : "?");
            ccnc_error_clear(err);
            rc = 0;
        }
        /* aborted at the timeout: that, and where it was going, not what
         * libvirt made of the cut (an end of file, an I/O error) */
        if (rc < 0 && r->migration_timed_out) {
            timeout_error(r, err);
        } else if (rc < 0 && r->dst && virConnectIsAlive(r->dst) != 1) {
            /* the destination went away (its libvirtd or sshd stopped):
             * that first, then what the source's libvirt made of it */
            char *lv = ccnc_xstrdup(err->message ? err->message : "?");

            ccnc_error_clear(err);
            ccnc_error_set(err, CCNC_ERR_CONNECT,
                           _("%s stopped answering during the migration (ccnc's connection to "
                             "its libvirt closed): %s"), r->a->destination, lv);
            free(lv);
        }
    }
    if (iter_cb >= 0)
        virConnectDomainEventDeregisterAny(virDomainGetConnect(wd), iter_cb);
    virTypedParamsFree(params, nparams);
    virDomainFree(wd);
    virDomainFree(d);
    free(uri);
    close_watch_conn(r);
    if (rc == 0)
        log_job_stats(r);
    return rc;
}

/* --- from another shell ---------------------------------------------------------- */

int
ccnc_action_abort_vm(const struct ccnc_lab *lab, const char *vm, const char *runs_dir,
                     const char *who, struct ccnc_error *err)
{
    int rc = 0;
    bool seen = false;
    char *unreached = NULL;   /* the hosts that could not be asked, and why */

    for (size_t i = 0; i < lab->n_hosts && rc == 0; i++) {
        const struct ccnc_lab_host *h = &lab->hosts[i];
        struct ccnc_error cerr = { 0 };
        virConnectPtr c;
        virDomainPtr d;
        virDomainJobInfo info;

        if (!ccnc_lab_host_runs_libvirt(h))
            continue;
        c = ccnc_run_open_host(h->name, lab, &cerr);
        if (!c) {
            char *more = ccnc_xasprintf("%s%s%s: %s", unreached ? unreached : "",
                                        unreached ? "; " : "", h->name,
                                        cerr.message ? cerr.message : "?");
            free(unreached);
            unreached = more;
            ccnc_error_clear(&cerr);
            continue;
        }
        ccnc_run_log_call(h->name, "virDomainLookupByName", vm);
        d = virDomainLookupByName(c, vm);
        if (d)
            ccnc_run_log_call(h->name, "virDomainGetJobInfo", vm);
        if (d) {
            seen = true;
            if (virDomainGetJobInfo(d, &info) == 0 && info.type != VIR_DOMAIN_JOB_NONE) {
                /* who asked goes into the run's own record first, so that
                 * the ccnc running it says why its migration ended */
                char *file = runs_dir ? ccnc_run_find_unfinished(runs_dir, vm) : NULL;
                if (file)
                    ccnc_run_append_abort(file, ccnc_now_wall_ms(), who, NULL);
                free(file);
                ccnc_run_log_call(h->name, "virDomainAbortJob", vm);
                if (virDomainAbortJob(d) == 0)
                    rc = 1;
                else
                    rc = ccnc_run_lv_fail(err, _("libvirt refused to abort the job"));
            }
            virDomainFree(d);
        }
        virConnectClose(c);
    }
    if (rc == 0 && !seen && unreached)
        rc = ccnc_error_set(err, CCNC_ERR_CONNECT, _("no host that answered runs %s, and these "
                                                     "could not be asked: %s"), vm, unreached);
    else if (rc == 0 && !seen)
        rc = ccnc_error_set(err, CCNC_ERR_LIBVIRT, _("no host of the lab answered with a VM "
                                                     "named %s"), vm);
    free(unreached);
    return rc;
}
