/* Running an action: a thread walks the state machine (action.c) and maps
 * each step to libvirt and guest-agent calls, each wait bounded by the lab
 * config's timeouts, writing the run file a line per step.  Progress goes
 * to ccnc's loop through a pipe.  The thread owns the action while it runs;
 * the loop's thread reads it only once the run has finished. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "engine/action-run.h"
#include "engine/collect-agent.h"
#include "engine/collect-guest.h"
#include "engine/collect-libvirt.h"
#include "core/i18n.h"
#include "core/virxml.h"

#define GUEST_TIMEOUT_S 3
#define POLL_MS 100
#define PROBE_RATE_HZ 100
/* how long the end of a run waits for the probe's final sample */
#define PROBE_FINAL_S 3

struct progress {
    struct ccnc_action *copy;   /* handed to the callback */
    struct ccnc_step step;      /* a copy; error owned here */
    bool has_step;
    char *note;
    bool final;
};

struct ccnc_action_run {
    struct ccnc_engine *engine;
    struct ccnc_lab *lab;
    const struct ccnc_lab_vm *cv;
    struct ccnc_action *a;
    ccnc_action_run_cb cb;
    void *cb_data;
    struct ccnc_runlog *log;

    pthread_t thread;
    bool started;
    int finished;            /* set by the thread, read by the loop */
    int abort_req;
    int wake[2];
    int watch;

    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct progress *queue;
    size_t n_queue, cap_queue;
    pthread_mutex_t log_mu;  /* the run file: the thread's steps, the loop's probe samples */
    bool log_done;           /* its result line is written (log_mu) */

    /* what the thread asks the loop to do (under mu): reserve or release
     * a VF of a pool, look at the destination's mounts */
    enum { LOOP_NONE, LOOP_RESERVE, LOOP_RELEASE, LOOP_STORAGE } loop_req;
    bool loop_sent, loop_done, loop_ok;
    char *loop_host, *loop_pci, *loop_error;
    char **loop_files;       /* LOOP_STORAGE: the VM's disk images */
    struct ccnc_pool_vf vf;  /* the VF reserved (host NULL: none) */
    char *source_pci;        /* the pool VF the VM had on the source */

    /* the connectivity probe; the loop's, except probe_stop_req (mu) */
    int probe_handle;        /* > 0 until its last sample */
    bool probe_stop_req;

    /* the thread's */
    virConnectPtr src, dst;
    int cb_src[3], cb_dst[3];
    bool device_removed, device_added, removal_failed;
    char *nic_xml;           /* the passthrough NIC's device XML */
    long long t0;
    long long total_ms, downtime_ms;
    bool migrating;
    virDomainPtr migrating_dom;
    int iteration_seen, iteration_logged;   /* MIGRATION_ITERATION, under mu */
};

static long long
now_ms(void)
{
    return ccnc_now_wall_ms();
}

/* --- progress to the loop --------------------------------------------------- */

static void
post(struct ccnc_action_run *r, const struct ccnc_step *s, const char *note, bool final)
{
    struct progress *p;
    char byte = 1;

    pthread_mutex_lock(&r->mu);
    p = ccnc_array_push(&r->queue, &r->n_queue, &r->cap_queue, sizeof(*p));
    p->copy = ccnc_action_dup(r->a);
    if (s) {
        p->step = *s;
        p->step.error = ccnc_xstrdup(s->error);
        p->has_step = true;
    }
    p->note = ccnc_xstrdup(note);
    p->final = final;
    pthread_mutex_unlock(&r->mu);
    if (write(r->wake[1], &byte, 1) < 0 && errno != EAGAIN)
        return;
}

/* --- VF pools (the loop's thread makes the engine's calls) ------------------ */

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

/* Is each of files on an NFS mount of host, as its agent reports? */
static int
storage_visible(struct ccnc_action_run *r, const char *host, char **files,
                struct ccnc_error *err)
{
    struct ccnc_snapshot *snap = ccnc_engine_snapshot(r->engine);
    int i = ccnc_snapshot_find_host(snap, host), rc = 0;
    const struct ccnc_host *h = i < 0 ? NULL : snap->hosts[i];

    if (!h || h->stale || h->updated_ms <= 0)
        rc = ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                            _("%s's agent has not reported its mounts: the VM's disks cannot "
                              "be checked there"), host);
    for (size_t k = 0; rc == 0 && files && files[k]; k++)
        if (!ccnc_host_nfs_mount_for(h, files[k]))
            rc = ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                                _("the VM's disk %s is on no NFS mount of %s"), files[k], host);
    ccnc_snapshot_unref(snap);
    return rc;
}

static void
loop_call(struct ccnc_action_run *r)
{
    struct ccnc_error err = { 0 };
    struct ccnc_pool_vf vf = { 0 };
    int rc;

    if (r->loop_req == LOOP_STORAGE) {
        rc = storage_visible(r, r->loop_host, r->loop_files, &err);
        rc = rc < 0 ? -1 : 1;
    } else if (r->loop_req == LOOP_RESERVE) {
        rc = ccnc_engine_pool_reserve(r->engine, r->a->vm, r->loop_host, &vf, on_loop_reply, r,
                                      &err);
        pthread_mutex_lock(&r->mu);
        ccnc_pool_vf_clear(&r->vf);
        r->vf = vf;
        pthread_mutex_unlock(&r->mu);
    } else {
        rc = ccnc_engine_pool_release(r->engine, r->a->vm, r->loop_host, r->loop_pci, NULL,
                                      on_loop_reply, r, &err);
    }
    if (rc != 0)
        loop_answer(r, rc > 0, rc < 0 ? err.message : NULL);
    ccnc_error_clear(&err);
}

/* The thread: have the loop reserve (pci NULL) or release a VF of the VM's
 * pool on host, and wait (bounded) for the agent's answer. */
static int
loop_request(struct ccnc_action_run *r, int req, const char *host, const char *pci,
             struct ccnc_error *err)
{
    struct timespec ts = ccnc_deadline_s(r->lab->migration.step_timeout_s);
    char byte = 1;
    int rc;

    pthread_mutex_lock(&r->mu);
    r->loop_req = req;
    r->loop_sent = r->loop_done = r->loop_ok = false;
    ccnc_str_set(&r->loop_host, host);
    ccnc_str_set(&r->loop_pci, pci);
    ccnc_str_set(&r->loop_error, NULL);
    pthread_mutex_unlock(&r->mu);
    if (write(r->wake[1], &byte, 1) < 0 && errno != EAGAIN)
        return ccnc_error_set(err, CCNC_ERR_IO, _("cannot wake the loop: %s"), strerror(errno));
    pthread_mutex_lock(&r->mu);
    while (!r->loop_done)
        if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
            break;
    if (!r->loop_done)
        rc = ccnc_error_set(err, CCNC_ERR_TIMEOUT, _("%s's agent did not answer within %d s"),
                            host, r->lab->migration.step_timeout_s);
    else if (!r->loop_ok)
        rc = ccnc_error_set(err, CCNC_ERR_UNAVAILABLE, "%s",
                            r->loop_error ? r->loop_error : _("the agent said no"));
    else
        rc = 0;
    r->loop_req = LOOP_NONE;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

/* The host the NIC goes to: the destination, or where the VM is. */
static const char *
target_host(const struct ccnc_action_run *r)
{
    return r->a->destination ? r->a->destination : r->a->source;
}

static int
reserve_vf(struct ccnc_action_run *r, struct ccnc_error *err)
{
    const struct ccnc_lab_pool *pool = ccnc_lab_find_pool(r->lab, r->cv->passthrough);
    int rc = loop_request(r, LOOP_RESERVE, target_host(r), NULL, err);
    char *nic;

    pthread_mutex_lock(&r->mu);
    if (r->vf.host) {
        nic = r->vf.pci ? ccnc_xasprintf(_("VF %d of %s on %s (%s)"), r->vf.index, r->vf.pf,
                                         r->vf.host, r->vf.pci)
                        : ccnc_xasprintf(_("a VF of network %s on %s"),
                                         pool && pool->network ? pool->network : "?",
                                         r->vf.host);
        ccnc_str_set(&r->a->nic, nic);
        free(nic);
    }
    pthread_mutex_unlock(&r->mu);
    if (r->vf.host && r->log) {
        pthread_mutex_lock(&r->log_mu);
        ccnc_runlog_vf(r->log, now_ms(), rc == 0 ? "reserved" : "reserve-failed", r->vf.host,
                       r->vf.pf, r->vf.index, r->vf.pci);
        pthread_mutex_unlock(&r->log_mu);
    }
    return rc;
}

/* Give back a pool VF: the one reserved in this run (pci NULL), or the one
 * the VM had on the source. */
static int
release_vf(struct ccnc_action_run *r, const char *host, const char *pci,
           struct ccnc_error *err)
{
    int rc;

    if (!pci)
        return 0;   /* nothing reserved, or the pool's network's to give back */
    rc = loop_request(r, LOOP_RELEASE, host, pci, err);
    if (r->log) {
        pthread_mutex_lock(&r->log_mu);
        ccnc_runlog_vf(r->log, now_ms(), rc == 0 ? "released" : "release-failed", host, NULL,
                       CCNC_UNKNOWN, pci);
        pthread_mutex_unlock(&r->log_mu);
    }
    return rc;
}

static void
on_wake(int fd, short revents, void *data)
{
    struct ccnc_action_run *r = data;
    struct progress *q;
    size_t n;
    char buf[64];

    (void)revents;
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    pthread_mutex_lock(&r->mu);
    if (r->probe_stop_req && r->probe_handle > 0) {
        struct ccnc_agent *agent = ccnc_engine_probe_agent(r->engine, NULL);
        r->probe_stop_req = false;
        pthread_mutex_unlock(&r->mu);
        if (agent)
            ccnc_agent_probe_stop(agent, r->probe_handle);  /* may call on_probe */
        pthread_mutex_lock(&r->mu);
    }
    if (r->loop_req != LOOP_NONE && !r->loop_sent) {
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
        if (q[i].final)
            ccnc_engine_pool_unclaim(r->engine, r->a->vm);
        if (r->cb)
            r->cb(q[i].copy, q[i].has_step ? &q[i].step : NULL, q[i].note, q[i].final,
                  r->cb_data);
        else
            ccnc_action_free(q[i].copy);
        free(q[i].step.error);
        free(q[i].note);
    }
    free(q);
}

/* --- the connectivity probe (the loop's thread) --------------------------------------- */

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
    }
    if (f->error)
        ccnc_str_set(&p->error, f->error);
    if (f->done) {
        p->done = true;
        r->probe_handle = 0;
        pthread_cond_broadcast(&r->cond);
    }
    copy = r->cb ? ccnc_action_dup(r->a) : NULL;
    pthread_mutex_unlock(&r->mu);
    if (f->measured && r->log) {
        pthread_mutex_lock(&r->log_mu);
        if (!r->log_done)   /* nothing after the result line */
            ccnc_runlog_probe(r->log, now_ms(), f->sent, f->received, f->lost,
                              f->current_gap_ms, f->longest_gap_ms);
        pthread_mutex_unlock(&r->log_mu);
    }
    if (copy)
        r->cb(copy, NULL, NULL, false, r->cb_data);
}

/* Ping the VM from the storage host while the action runs (from the moment
 * its agent runs, if it does not yet); without a probe target or a storage
 * host, the run says why it has no figures. */
static void
start_probe(struct ccnc_action_run *r)
{
    struct ccnc_agent *agent = ccnc_engine_probe_agent(r->engine, NULL);
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
    char byte = 1;

    pthread_mutex_lock(&r->mu);
    if (r->probe_handle > 0) {
        r->probe_stop_req = true;
        if (write(r->wake[1], &byte, 1) < 0 && errno != EAGAIN)
            r->probe_stop_req = false;
        while (r->probe_stop_req || r->probe_handle > 0)
            if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
                break;
    }
    pthread_mutex_unlock(&r->mu);
}

/* --- libvirt helpers ---------------------------------------------------------- */

static int
lv_fail(struct ccnc_error *err, const char *what)
{
    const char *msg = virGetLastErrorMessage();

    return ccnc_error_set(err, CCNC_ERR_LIBVIRT, "%s: %s", what, msg && *msg ? msg : "?");
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

    (void)c; (void)d; (void)alias;
    raise_flag(r, &r->device_removed);
}

static void
on_device_added(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    struct ccnc_action_run *r = opaque;

    (void)c; (void)d; (void)alias;
    raise_flag(r, &r->device_added);
}

static void
on_removal_failed(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    struct ccnc_action_run *r = opaque;

    (void)c; (void)d; (void)alias;
    raise_flag(r, &r->removal_failed);
}

static void
register_device_events(struct ccnc_action_run *r, virConnectPtr conn, int *ids)
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

static virConnectPtr
open_host(const char *host, const struct ccnc_lab *lab, struct ccnc_error *err)
{
    const struct ccnc_lab_host *h = ccnc_lab_find_host(lab, host);
    char *uri;
    virConnectPtr c;

    if (!h) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("no host '%s' in the lab config"), host);
        return NULL;
    }
    uri = ccnc_collect_libvirt_uri(h, NULL);
    c = virConnectOpenAuth(uri, NULL, 0);
    if (!c) {
        char *what = ccnc_xasprintf(_("cannot connect to %s"), uri);
        lv_fail(err, what);
        free(what);
    } else {
        virConnectSetKeepAlive(c, 5, 3);
    }
    free(uri);
    return c;
}

/* The connection where the VM runs now. */
static virConnectPtr
here(struct ccnc_action_run *r)
{
    return r->a->on_destination && r->dst ? r->dst : r->src;
}

static virDomainPtr
domain(struct ccnc_action_run *r, struct ccnc_error *err)
{
    virDomainPtr d = virDomainLookupByName(here(r), r->a->vm);

    if (!d)
        lv_fail(err, _("cannot find the VM"));
    return d;
}

/* Wait on flag (under r->mu) for at most timeout_s; true when it was set. */
static bool
wait_flag(struct ccnc_action_run *r, bool *flag, bool *fail_flag, int timeout_s)
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

static bool
xml_has_mac(virDomainPtr d, const char *mac)
{
    char *xml = virDomainGetXMLDesc(d, 0);
    char *dev = xml ? ccnc_virxml_device_xml(xml, strlen(xml), mac, NULL, NULL, NULL) : NULL;
    bool has = dev != NULL;

    free(dev);
    free(xml);
    return has;
}

/* --- the guest's bond ----------------------------------------------------------- */

/* The guest's name for the NIC with mac, from the bond; NULL if not a slave. */
static char *
slave_for_mac(const struct ccnc_bond *b, const char *mac)
{
    for (size_t i = 0; mac && i < b->n_slaves; i++)
        if (b->slaves[i].perm_hwaddr && strcasecmp(b->slaves[i].perm_hwaddr, mac) == 0)
            return ccnc_xstrdup(b->slaves[i].name);
    return NULL;
}

static int
read_bond(struct ccnc_action_run *r, struct ccnc_bond *b, struct ccnc_error *err)
{
    virDomainPtr d = domain(r, err);
    int rc;

    ccnc_bond_init(b);
    if (!d)
        return -1;
    rc = ccnc_guest_read_bond(d, r->cv->bond, GUEST_TIMEOUT_S, b, err);
    virDomainFree(d);
    return rc;
}

/* The MAC of the backup NIC: the config's, or the MAC of the alias. */
static char *
backup_mac(struct ccnc_action_run *r)
{
    virDomainPtr d;
    char *xml;
    struct ccnc_virxml x;
    char *mac = NULL;

    if (!r->cv->backup || strncmp(r->cv->backup, "alias:", 6) != 0)
        return ccnc_xstrdup(r->cv->backup);
    d = domain(r, NULL);
    xml = d ? virDomainGetXMLDesc(d, 0) : NULL;
    if (xml && ccnc_virxml_parse("domain", xml, strlen(xml), &x, NULL) == 0) {
        for (size_t i = 0; i < x.vm.n_nics; i++)
            if (ccnc_streq(x.vm.nics[i].alias, r->cv->backup + 6))
                mac = ccnc_xstrdup(x.vm.nics[i].mac);
        ccnc_virxml_clear(&x);
    }
    free(xml);
    if (d)
        virDomainFree(d);
    return mac;
}

/* Switch the bond to the slave with mac, and check that it took. */
static int
switch_bond(struct ccnc_action_run *r, const char *mac, struct ccnc_error *err)
{
    struct ccnc_bond b;
    char *slave;
    virDomainPtr d;
    int rc = -1;

    if (read_bond(r, &b, err) < 0) {
        ccnc_bond_clear(&b);
        return -1;
    }
    slave = slave_for_mac(&b, mac);
    if (!slave) {
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("no slave of %s has the MAC %s"), r->cv->bond,
                       mac ? mac : "?");
    } else if (ccnc_streq(b.active_slave, slave)) {
        rc = 0; /* already there */
    } else if ((d = domain(r, err)) != NULL) {
        rc = ccnc_guest_set_active_slave(d, r->cv->bond, slave, GUEST_TIMEOUT_S, err);
        virDomainFree(d);
        if (rc == 0) {
            struct ccnc_bond after;
            if (read_bond(r, &after, err) == 0 && !ccnc_streq(after.active_slave, slave))
                rc = ccnc_error_set(err, CCNC_ERR_INTERNAL,
                                    _("the bond stayed on %s after the switch to %s"),
                                    after.active_slave ? after.active_slave : _("none"), slave);
            else if (r->log) {
                pthread_mutex_lock(&r->log_mu);
                ccnc_runlog_bond(r->log, now_ms(), r->a->vm, b.active_slave, slave);
                pthread_mutex_unlock(&r->log_mu);
            }
            ccnc_bond_clear(&after);
        }
    }
    free(slave);
    ccnc_bond_clear(&b);
    return rc;
}

/* The bond's active slave is the NIC with mac, and it is up. */
static int
verify_active(struct ccnc_action_run *r, const char *mac, struct ccnc_error *err)
{
    struct ccnc_bond b;
    char *slave;
    int rc = -1;

    if (read_bond(r, &b, err) < 0) {
        ccnc_bond_clear(&b);
        return -1;
    }
    slave = slave_for_mac(&b, mac);
    if (slave && ccnc_streq(b.active_slave, slave))
        rc = 0;
    else
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("the bond's active slave is %s, not %s (%s)"),
                       b.active_slave ? b.active_slave : _("none"), slave ? slave : "?",
                       mac ? mac : "?");
    free(slave);
    ccnc_bond_clear(&b);
    return rc;
}

/* --- steps ---------------------------------------------------------------------- */

static bool
pool_kind(const struct ccnc_action_run *r)
{
    return r->cv->passthrough_kind == CCNC_PASSTHROUGH_POOL;
}

/* The NIC's XML as the lab config has it (nothing detached in this run),
 * or for the VF reserved in it. */
static char *
config_nic_xml(struct ccnc_action_run *r, struct ccnc_error *err)
{
    struct ccnc_virxml_nic nic = { .mac = r->cv->passthrough_mac };
    const struct ccnc_lab_pool *pool;

    switch (r->cv->passthrough_kind) {
    case CCNC_PASSTHROUGH_PCI:
        nic.pci = r->cv->passthrough;
        break;
    case CCNC_PASSTHROUGH_MODEL:
        nic.model = r->cv->passthrough;
        nic.bridge = r->cv->passthrough_bridge;
        break;
    case CCNC_PASSTHROUGH_POOL:
        pool = ccnc_lab_find_pool(r->lab, r->cv->passthrough);
        if (!pool || (!r->vf.pci && !pool->network)) {
            ccnc_error_set(err, CCNC_ERR_INTERNAL, _("no VF was reserved for the VM"));
            return NULL;
        }
        nic.pci = r->vf.pci;
        nic.network = r->vf.pci ? NULL : pool->network;
        nic.vlan = pool->vlan;
        break;
    default:
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("the VM has no passthrough NIC in the lab "
                                               "config"));
        return NULL;
    }
    return ccnc_virxml_nic_xml(&nic, err);
}

/* Attach the passthrough NIC: on the target, the NIC the lab config gives
 * (for a pool, the VF reserved); back on the source, the one detached. */
static int
attach_nic(struct ccnc_action_run *r, bool back, struct ccnc_error *err)
{
    virDomainPtr d;
    char *xml;
    int rc = -1;

    if (back && r->nic_xml)
        xml = ccnc_xstrdup(r->nic_xml);
    else if (!back && r->nic_xml && !pool_kind(r))
        xml = ccnc_xstrdup(r->nic_xml);   /* the same NIC, on the destination */
    else
        xml = config_nic_xml(r, err);
    if (!xml)
        return -1;
    d = domain(r, err);
    if (!d) {
        free(xml);
        return -1;
    }
    pthread_mutex_lock(&r->mu);
    r->device_added = false;
    pthread_mutex_unlock(&r->mu);
    if (virDomainAttachDeviceFlags(d, xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        lv_fail(err, _("libvirt refused the attach"));
    } else if (wait_flag(r, &r->device_added, NULL, r->lab->migration.step_timeout_s) ||
               xml_has_mac(d, r->cv->passthrough_mac)) {
        rc = 0;
    } else {
        ccnc_error_set(err, CCNC_ERR_TIMEOUT, _("the NIC did not appear within %d s"),
                       r->lab->migration.step_timeout_s);
    }
    virDomainFree(d);
    free(xml);
    return rc;
}

/* What is left of timeout_s since t0 (monotonic ms), at least 1 s. */
static int
remaining_s(long long t0, int timeout_s)
{
    long long left = timeout_s * 1000LL - (ccnc_now_mono_ms() - t0);

    return left < 1000 ? 1 : (int)((left + 999) / 1000);
}

static int
detach_nic(struct ccnc_action_run *r, struct ccnc_error *err)
{
    virDomainPtr d = domain(r, err);
    char *xml;
    int rc = -1;
    long long t0;

    if (!d)
        return -1;
    xml = virDomainGetXMLDesc(d, 0);
    free(r->nic_xml);
    free(r->source_pci);
    r->source_pci = NULL;
    r->nic_xml = xml ? ccnc_virxml_device_xml(xml, strlen(xml), r->cv->passthrough_mac,
                                              r->cv->passthrough_kind == CCNC_PASSTHROUGH_PCI
                                                  ? r->cv->passthrough : NULL,
                                              &r->source_pci, err)
                     : NULL;
    free(xml);
    if (!r->nic_xml) {
        virDomainFree(d);
        return -1;
    }
    pthread_mutex_lock(&r->mu);
    r->device_removed = r->removal_failed = false;
    pthread_mutex_unlock(&r->mu);
    /* only a request: the guest must let go of the device first.  libvirt
     * itself waits a while for that; the step's timeout counts from here */
    t0 = ccnc_now_mono_ms();
    if (virDomainDetachDeviceFlags(d, r->nic_xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        lv_fail(err, _("libvirt refused the detach"));
    } else if (wait_flag(r, &r->device_removed, &r->removal_failed,
                         remaining_s(t0, r->lab->migration.step_timeout_s))) {
        rc = 0;
    } else if (r->removal_failed) {
        ccnc_error_set(err, CCNC_ERR_LIBVIRT, _("the guest refused to let go of the NIC"));
    } else if (!xml_has_mac(d, r->cv->passthrough_mac)) {
        rc = 0; /* gone, the event was missed */
    } else {
        ccnc_error_set(err, CCNC_ERR_TIMEOUT, _("the NIC was still there after %d s"),
                       r->lab->migration.step_timeout_s);
    }
    virDomainFree(d);
    return rc;
}

/* libvirt's statistics of d's job (flags: VIR_DOMAIN_JOB_STATS_COMPLETED
 * or 0 for the running one) into the run file under phase, and into the
 * action's migration figures. */
static void
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
    struct ccnc_migration_figures f = { 0, -1, -1, -1, -1, -1 };
    size_t n = 0;

    if (virDomainGetJobStats(d, &type, &params, &nparams, flags) < 0)
        return;
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(names); i++) {
        unsigned long long v;
        if (virTypedParamsGetULLong(params, nparams, names[i], &v) != 1)
            continue;
        have[n] = names[i];
        values[n++] = (long long)v;
        if (strcmp(names[i], VIR_DOMAIN_JOB_DOWNTIME) == 0 && flags)
            r->downtime_ms = (long long)v;
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
    if (r->log) {
        pthread_mutex_lock(&r->log_mu);
        ccnc_runlog_job(r->log, phase, now_ms(), have, values, n);
        pthread_mutex_unlock(&r->log_mu);
    }
    pthread_mutex_lock(&r->mu);
    r->a->migration = f;
    pthread_mutex_unlock(&r->mu);
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

/* Beside a running migration: record libvirt's statistics at each pre-copy
 * round, and abort the job at the migration timeout or when asked. */
static void *
migration_watch(void *arg)
{
    struct ccnc_action_run *r = arg;
    struct timespec ts = ccnc_deadline_s(r->lab->migration.timeout_s);

    pthread_mutex_lock(&r->mu);
    while (r->migrating && !r->abort_req) {
        if (r->iteration_seen != r->iteration_logged && r->migrating_dom) {
            virDomainPtr d = r->migrating_dom;
            r->iteration_logged = r->iteration_seen;
            virDomainRef(d);
            pthread_mutex_unlock(&r->mu);
            record_job(r, d, 0, "iteration");
            post(r, NULL, NULL, false);
            virDomainFree(d);
            pthread_mutex_lock(&r->mu);
            continue;
        }
        if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
            break;
    }
    if (r->migrating && r->migrating_dom)
        virDomainAbortJob(r->migrating_dom);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void
log_job_stats(struct ccnc_action_run *r)
{
    virDomainPtr d = virDomainLookupByName(r->dst, r->a->vm);

    if (!d)
        return;
    record_job(r, d, VIR_DOMAIN_JOB_STATS_COMPLETED, "completed");
    virDomainFree(d);
}

static int
migrate(struct ccnc_action_run *r, struct ccnc_error *err)
{
    const struct ccnc_lab_host *dh = ccnc_lab_find_host(r->lab, r->a->destination);
    virDomainPtr d = domain(r, err);
    char *uri;
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0, rc = -1;
    unsigned int flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST |
                         VIR_MIGRATE_UNDEFINE_SOURCE;
    pthread_t watch;
    bool watching;
    int iter_cb;

    if (!d)
        return -1;
    if (r->lab->migration.auto_converge)
        flags |= VIR_MIGRATE_AUTO_CONVERGE;
    if (r->lab->migration.bandwidth_mbps > 0)
        virTypedParamsAddULLong(&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_BANDWIDTH,
                                (unsigned long long)(r->lab->migration.bandwidth_mbps / 8 ?
                                                     r->lab->migration.bandwidth_mbps / 8 : 1));
    virDomainMigrateSetMaxDowntime(d, (unsigned long long)r->lab->migration.max_downtime_ms, 0);
    /* peer to peer: the source's libvirtd reaches the destination itself */
    uri = ccnc_collect_libvirt_uri(dh, NULL);
    iter_cb = virConnectDomainEventRegisterAny(r->src, d, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                               VIR_DOMAIN_EVENT_CALLBACK(on_iteration), r, NULL);
    pthread_mutex_lock(&r->mu);
    r->migrating = true;
    r->migrating_dom = d;
    r->iteration_seen = r->iteration_logged = 0;
    pthread_mutex_unlock(&r->mu);
    watching = pthread_create(&watch, NULL, migration_watch, r) == 0;
    if (virDomainMigrateToURI3(d, uri, params, (unsigned int)nparams, flags) < 0)
        lv_fail(err, _("the migration failed"));
    else
        rc = 0;
    pthread_mutex_lock(&r->mu);
    r->migrating = false;
    r->migrating_dom = NULL;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
    if (watching)
        pthread_join(watch, NULL);
    if (iter_cb >= 0)
        virConnectDomainEventDeregisterAny(r->src, iter_cb);
    virTypedParamsFree(params, nparams);
    virDomainFree(d);
    free(uri);
    return rc;
}

static int
wait_enslaved(struct ccnc_action_run *r, struct ccnc_error *err)
{
    long long until = ccnc_now_mono_ms() + r->lab->migration.step_timeout_s * 1000LL;

    do {
        struct ccnc_bond b;
        char *slave;
        if (read_bond(r, &b, NULL) == 0 && (slave = slave_for_mac(&b, r->cv->passthrough_mac))) {
            bool up = false;
            for (size_t i = 0; i < b.n_slaves; i++)
                if (ccnc_streq(b.slaves[i].name, slave) && ccnc_streq(b.slaves[i].mii_status, "up"))
                    up = true;
            free(slave);
            ccnc_bond_clear(&b);
            if (up)
                return 0;
        } else {
            ccnc_bond_clear(&b);
        }
        usleep(POLL_MS * 1000);
    } while (ccnc_now_mono_ms() < until);
    return ccnc_error_set(err, CCNC_ERR_TIMEOUT,
                          _("the guest did not make the NIC a working bond slave within %d s"),
                          r->lab->migration.step_timeout_s);
}

static int
check_backup(struct ccnc_action_run *r, struct ccnc_error *err)
{
    struct ccnc_bond b;
    char *mac = backup_mac(r), *slave = NULL;
    int rc = -1;

    if (read_bond(r, &b, err) == 0) {
        slave = slave_for_mac(&b, mac);
        if (!slave)
            ccnc_error_set(err, CCNC_ERR_INTERNAL, _("the backup NIC (%s) is not a slave of %s"),
                           mac ? mac : "?", r->cv->bond);
        for (size_t i = 0; slave && i < b.n_slaves; i++)
            if (ccnc_streq(b.slaves[i].name, slave))
                rc = ccnc_streq(b.slaves[i].mii_status, "up")
                         ? 0
                         : ccnc_error_set(err, CCNC_ERR_INTERNAL,
                                          _("the backup NIC %s is %s, not up"), slave,
                                          b.slaves[i].mii_status ? b.slaves[i].mii_status : "?");
    }
    free(slave);
    free(mac);
    ccnc_bond_clear(&b);
    return rc;
}

/* The VM's disk images must be on NFS mounts of the destination (a
 * diskless VM, like the lab's, has none to check). */
static int
check_storage(struct ccnc_action_run *r, struct ccnc_error *err)
{
    virDomainPtr d = domain(r, err);
    char *xml = d ? virDomainGetXMLDesc(d, 0) : NULL;
    char **files = NULL;
    size_t n = xml ? ccnc_virxml_disk_files(xml, strlen(xml), &files) : 0;
    int rc = 0;

    if (d)
        virDomainFree(d);
    if (!xml)
        rc = d ? lv_fail(err, _("cannot read the VM's XML")) : -1;
    else if (n > 0) {
        pthread_mutex_lock(&r->mu);
        r->loop_files = files;
        pthread_mutex_unlock(&r->mu);
        rc = loop_request(r, LOOP_STORAGE, r->a->destination, NULL, err);
        pthread_mutex_lock(&r->mu);
        r->loop_files = NULL;
        pthread_mutex_unlock(&r->mu);
    }
    for (size_t i = 0; files && files[i]; i++)
        free(files[i]);
    free(files);
    free(xml);
    return rc;
}

static int
run_step(struct ccnc_action_run *r, enum ccnc_step_op op, struct ccnc_error *err)
{
    char *mac;
    int rc;

    switch (op) {
    case CCNC_STEP_CHECK_DESTINATION:
        if (!r->dst)
            r->dst = open_host(r->a->destination, r->lab, err);
        if (!r->dst)
            return -1;
        register_device_events(r, r->dst, r->cb_dst);
        return 0;
    case CCNC_STEP_CHECK_STORAGE:
        return check_storage(r, err);
    case CCNC_STEP_CHECK_BACKUP:
        return check_backup(r, err);
    case CCNC_STEP_RESERVE_NIC:
        /* a port by address or an emulated NIC: nothing to reserve */
        return pool_kind(r) ? reserve_vf(r, err) : 0;
    case CCNC_STEP_RELEASE_NIC:
        return pool_kind(r) ? release_vf(r, r->vf.host, r->vf.pci, err) : 0;
    case CCNC_STEP_BOND_TO_BACKUP:
        mac = backup_mac(r);
        rc = switch_bond(r, mac, err);
        free(mac);
        return rc;
    case CCNC_STEP_DETACH:
        return detach_nic(r, err);
    case CCNC_STEP_VERIFY_ON_BACKUP:
        mac = backup_mac(r);
        rc = verify_active(r, mac, err);
        free(mac);
        return rc;
    case CCNC_STEP_MIGRATE:
        rc = migrate(r, err);
        if (rc == 0)
            log_job_stats(r);
        return rc;
    case CCNC_STEP_ATTACH:
        return attach_nic(r, false, err);
    case CCNC_STEP_REATTACH_SOURCE:
        return attach_nic(r, true, err);
    case CCNC_STEP_WAIT_ENSLAVED:
        return wait_enslaved(r, err);
    case CCNC_STEP_BOND_TO_PRIMARY:
        return switch_bond(r, r->cv->passthrough_mac, err);
    case CCNC_STEP_RESTORE_PRIMARY:
        /* after a re-attach the NIC must first be a working slave again */
        if (wait_enslaved(r, err) < 0)
            return -1;
        return switch_bond(r, r->cv->passthrough_mac, err);
    case CCNC_STEP_VERIFY: {
        virDomainPtr d = domain(r, err);
        int state = 0, reason = 0;
        if (!d)
            return -1;
        rc = virDomainGetState(d, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING
                 ? 0
                 : ccnc_error_set(err, CCNC_ERR_INTERNAL, _("the VM is not running"));
        virDomainFree(d);
        if (rc == 0 && r->a->kind != CCNC_ACTION_MIGRATE &&
            r->a->kind != CCNC_ACTION_MIGRATE_TEAMING) {
            mac = r->a->kind == CCNC_ACTION_DETACH ? backup_mac(r)
                                                   : ccnc_xstrdup(r->cv->passthrough_mac);
            rc = verify_active(r, mac, err);
            free(mac);
        }
        return rc;
    }
    default:
        return ccnc_error_set(err, CCNC_ERR_INTERNAL, _("unknown step"));
    }
}

static void *
run_thread(void *arg)
{
    struct ccnc_action_run *r = arg;
    struct ccnc_step *s;

    struct ccnc_error src_err = { 0 };

    r->t0 = ccnc_now_mono_ms();
    /* here, not on the loop: with several runs starting at once, each
     * connects to the source in its own thread */
    r->src = open_host(r->a->source, r->lab, &src_err);
    if (r->src)
        register_device_events(r, r->src, r->cb_src);
    while ((s = ccnc_action_next(r->a, now_ms())) != NULL) {
        struct ccnc_error err = { 0 };
        int rc;

        post(r, s, NULL, false);
        if (__atomic_load_n(&r->abort_req, __ATOMIC_ACQUIRE) && !s->rollback)
            rc = ccnc_error_set(&err, CCNC_ERR_INTERNAL, _("aborted by the operator"));
        else if (!r->src)   /* the first step fails with it; nothing was done */
            rc = ccnc_error_set(&err, src_err.code, "%s", src_err.message);
        else
            rc = run_step(r, s->op, &err);
        ccnc_action_report(r->a, rc == 0 ? CCNC_STEP_OK
                                 : err.code == CCNC_ERR_TIMEOUT ? CCNC_STEP_TIMEOUT
                                                                : CCNC_STEP_FAILED,
                           rc == 0 ? NULL : err.message, now_ms());
        if (r->log) {
            pthread_mutex_lock(&r->log_mu);
            ccnc_runlog_step(r->log, r->a, s);
            pthread_mutex_unlock(&r->log_mu);
        }
        post(r, s, NULL, false);
        ccnc_error_clear(&err);
    }
    r->total_ms = ccnc_now_mono_ms() - r->t0;
    if (pool_kind(r) && r->a->on_destination && r->source_pci) {
        /* the VF the VM left on the source is free again (libvirt put the
         * VM's MAC back on it at the detach); a refusal is recorded, and
         * the VF shows as reserved until given back by hand */
        struct ccnc_error err = { 0 };
        release_vf(r, r->a->source, r->source_pci, &err);
        ccnc_error_clear(&err);
    }
    finish_probe(r);
    if (r->log) {
        pthread_mutex_lock(&r->log_mu);
        ccnc_runlog_finish(r->log, r->a, now_ms(), r->total_ms, r->downtime_ms);
        r->log_done = true;
        pthread_mutex_unlock(&r->log_mu);
    }
    ccnc_error_clear(&src_err);
    __atomic_store_n(&r->finished, 1, __ATOMIC_RELEASE);
    post(r, NULL, r->a->summary, true);
    return NULL;
}

struct ccnc_action_run *
ccnc_action_run_start(struct ccnc_engine *engine, struct ccnc_action *a, const char *runs_dir,
                      ccnc_action_run_cb cb, void *data, struct ccnc_error *err)
{
    struct ccnc_action_run *r;
    const struct ccnc_lab *lab = ccnc_engine_lab(engine);
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(lab, a->vm);

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
    r->engine = engine;
    r->lab = ccnc_lab_ref((struct ccnc_lab *)lab);
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
    if (pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot make a pipe: %s"), strerror(errno));
        r->wake[0] = r->wake[1] = -1;
        ccnc_action_run_free(r);
        return NULL;
    }
    r->watch = ccnc_loop_add_fd(ccnc_engine_loop(engine), r->wake[0], POLLIN, on_wake, r);
    r->log = ccnc_runlog_open(runs_dir, a, now_ms(), err);
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
ccnc_action_run_abort(struct ccnc_action_run *r)
{
    pthread_mutex_lock(&r->mu);
    __atomic_store_n(&r->abort_req, 1, __ATOMIC_RELEASE);
    if (r->migrating && r->migrating_dom)
        virDomainAbortJob(r->migrating_dom);
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
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
    ccnc_engine_forget_replies(r->engine, r);
    ccnc_engine_pool_unclaim(r->engine, r->a->vm);
    if (r->probe_handle > 0) {
        struct ccnc_agent *agent = ccnc_engine_probe_agent(r->engine, NULL);
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
    ccnc_libvirt_events_release();
    if (r->wake[0] >= 0 || r->wake[1] >= 0) {
        ccnc_loop_remove(ccnc_engine_loop(r->engine), r->watch);
        close(r->wake[0]);
        close(r->wake[1]);
    }
    for (size_t i = 0; i < r->n_queue; i++) {
        ccnc_action_free(r->queue[i].copy);
        free(r->queue[i].step.error);
        free(r->queue[i].note);
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
    ccnc_pool_vf_clear(&r->vf);
    ccnc_action_free(r->a);
    ccnc_lab_unref(r->lab);
    free(r);
}

int
ccnc_action_abort_vm(const struct ccnc_lab *lab, const char *vm, struct ccnc_error *err)
{
    int rc = 0;
    bool seen = false;

    for (size_t i = 0; i < lab->n_hosts && rc == 0; i++) {
        const struct ccnc_lab_host *h = &lab->hosts[i];
        virConnectPtr c;
        virDomainPtr d;
        virDomainJobInfo info;

        if (!ccnc_lab_host_runs_libvirt(h))
            continue;
        c = open_host(h->name, lab, NULL);
        if (!c)
            continue;
        d = virDomainLookupByName(c, vm);
        if (d) {
            seen = true;
            if (virDomainGetJobInfo(d, &info) == 0 && info.type != VIR_DOMAIN_JOB_NONE) {
                if (virDomainAbortJob(d) == 0)
                    rc = 1;
                else
                    rc = lv_fail(err, _("libvirt refused to abort the job"));
            }
            virDomainFree(d);
        }
        virConnectClose(c);
    }
    if (rc == 0 && !seen)
        return ccnc_error_set(err, CCNC_ERR_LIBVIRT, _("no host of the lab answered with a VM "
                                                       "named %s"), vm);
    return rc;
}
