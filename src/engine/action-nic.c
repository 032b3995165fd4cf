/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The steps on a VM's NICs and its guest bond: the backup checked end to
 * end, the bond switched (a planned switch, no loss), the passthrough NIC
 * detached and attached with libvirt's device events as the proof, a VF
 * of the VM's pool reserved and given back.  Run on the action's thread. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include <ccnc/plan.h>

#include "core/i18n.h"
#include "core/virxml.h"
#include "engine/action-internal.h"
#include "engine/collect-guest.h"

/* verify-on-backup: replies that must arrive over the backup within
 * lab.conf's verify_backup_s (the probe sends 100 a second and reports
 * every 100 ms) */
#define VERIFY_REPLIES 5

/* --- the domain's XML --------------------------------------------------------- */

static bool
xml_has_mac(struct ccnc_action_run *r, virDomainPtr d, const char *mac)
{
    char *xml = ccnc_run_domain_xml(r, d, NULL), *dev;
    bool has;

    dev = xml ? ccnc_virxml_device_xml(xml, strlen(xml), mac, NULL, NULL, NULL) : NULL;
    has = dev != NULL;
    free(dev);
    free(xml);
    return has;
}

/* The MAC of the backup NIC: the config's, or the MAC of the alias. */
static char *
backup_mac(struct ccnc_action_run *r)
{
    char *xml;
    struct ccnc_virxml x;
    char *mac = NULL;

    if (!r->cv->backup || strncmp(r->cv->backup, "alias:", 6) != 0)
        return ccnc_xstrdup(r->cv->backup);
    xml = ccnc_run_domain_xml(r, NULL, NULL);
    if (xml && ccnc_virxml_parse("domain", xml, strlen(xml), &x, NULL) == 0) {
        for (size_t i = 0; i < x.vm.n_nics; i++)
            if (ccnc_streq(x.vm.nics[i].alias, r->cv->backup + 6))
                mac = ccnc_xstrdup(x.vm.nics[i].mac);
        ccnc_virxml_clear(&x);
    }
    free(xml);
    return mac;
}

/* --- the guest's bond ------------------------------------------------------------ */

/* The guest's name for the NIC with mac, from the bond; NULL if not a slave. */
static char *
slave_for_mac(const struct ccnc_bond *b, const char *mac)
{
    for (size_t i = 0; mac && i < b->n_slaves; i++)
        if (b->slaves[i].perm_hwaddr && strcasecmp(b->slaves[i].perm_hwaddr, mac) == 0)
            return ccnc_xstrdup(b->slaves[i].name);
    return NULL;
}

/* One call on the guest's agent (ccnc_guest_*): 0, or -1 with err set. */
typedef int (*agent_op)(struct ccnc_action_run *r, virDomainPtr d, void *arg,
                        struct ccnc_error *err);

/* op on the VM's guest agent.  An agent that libvirt finds unresponsive
 * (its sync ping went unanswered: a guest busy or slow, as after a
 * migration or under a nested emulator) is asked again, a second apart,
 * until the deadline (mono ms; 0: the step timeout from now); any other
 * failure ends it.  Only for calls that may be made twice. */
static int
with_agent(struct ccnc_action_run *r, long long until, agent_op op, void *arg,
           struct ccnc_error *err)
{
    virDomainPtr d = ccnc_run_domain(r, err);
    int rc, code;

    if (!d)
        return -1;
    if (until == 0)
        until = ccnc_now_mono_ms() + r->lab->migration.step_timeout_s * 1000LL;
    ccnc_guest_trace(ccnc_run_host_of(r, virDomainGetConnect(d)), r->a->vm);
    for (;;) {
        rc = op(r, d, arg, err);
        code = virGetLastErrorCode();
        if (rc == 0 || code != VIR_ERR_AGENT_UNRESPONSIVE || ccnc_now_mono_ms() + 1000 >= until)
            break;
        ccnc_error_clear(err);
        usleep(1000 * 1000);
    }
    ccnc_guest_trace(NULL, NULL);
    virDomainFree(d);
    return rc;
}

static int
op_read_bond(struct ccnc_action_run *r, virDomainPtr d, void *arg, struct ccnc_error *err)
{
    struct ccnc_bond *b = arg;

    ccnc_bond_clear(b);
    ccnc_bond_init(b);
    return ccnc_guest_read_bond(d, r->cv->bond, CCNC_RUN_GUEST_TIMEOUT_S, b, err);
}

/* Writing the bond's active_slave again is harmless. */
static int
op_set_active(struct ccnc_action_run *r, virDomainPtr d, void *arg, struct ccnc_error *err)
{
    return ccnc_guest_set_active_slave(d, r->cv->bond, arg, CCNC_RUN_GUEST_TIMEOUT_S, err);
}

/* The guest's bond, read through its agent, until the deadline (0: the
 * step timeout) when the agent is slow. */
static int
read_bond_until(struct ccnc_action_run *r, struct ccnc_bond *b, long long until,
                struct ccnc_error *err)
{
    ccnc_bond_init(b);
    return with_agent(r, until, op_read_bond, b, err);
}

static int
read_bond(struct ccnc_action_run *r, struct ccnc_bond *b, struct ccnc_error *err)
{
    return read_bond_until(r, b, 0, err);
}

/* Switch the bond to the slave with mac, and check that it took. */
static int
switch_bond(struct ccnc_action_run *r, const char *mac, struct ccnc_error *err)
{
    struct ccnc_bond b;
    char *slave;
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
    } else {
        rc = with_agent(r, 0, op_set_active, slave, err);
        if (rc == 0) {
            struct ccnc_bond after;
            if (read_bond(r, &after, err) == 0 && !ccnc_streq(after.active_slave, slave))
                rc = ccnc_error_set(err, CCNC_ERR_INTERNAL,
                                    _("the bond stayed on %s after the switch to %s"),
                                    after.active_slave ? after.active_slave : _("none"), slave);
            else
                ccnc_run_log_bond(r, b.active_slave, slave);
            ccnc_bond_clear(&after);
        }
    }
    free(slave);
    ccnc_bond_clear(&b);
    return rc;
}

/* The bond's active slave is the NIC with mac; its name into *name. */
static int
verify_active(struct ccnc_action_run *r, const char *mac, char **name, struct ccnc_error *err)
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
    if (name)
        *name = slave;
    else
        free(slave);
    ccnc_bond_clear(&b);
    return rc;
}

/* --- the backup ----------------------------------------------------------------- */

/* What the hosts' agents say of the backup NIC's host side now: 0 alive,
 * 1 not known, -1 dead (err names the part). */
static int
backup_path(struct ccnc_action_run *r, struct ccnc_error *err)
{
    struct ccnc_snapshot *snap = ccnc_run_snapshot(r);
    const struct ccnc_host *h = NULL;
    const struct ccnc_vm *vm = snap ? ccnc_snapshot_find_vm(snap, r->a->vm, &h) : NULL;
    int rc;

    if (!vm) {
        ccnc_snapshot_unref(snap);
        ccnc_error_set(err, CCNC_ERR_UNAVAILABLE, _("the host side of the backup NIC was not "
                                                    "checked: no host reports %s now"), r->a->vm);
        return 1;
    }
    rc = ccnc_backup_path_check(h, vm, err);
    ccnc_snapshot_unref(snap);
    return rc;
}

/* The backup slave is up in the guest's bond, and its host side (tap,
 * bridge) is alive as the host's agent reports it. */
int
ccnc_step_check_backup(struct ccnc_action_run *r, struct ccnc_error *err)
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
    if (rc == 0) {
        struct ccnc_error why = { 0 };
        if (backup_path(r, &why) < 0)
            rc = ccnc_error_set(err, CCNC_ERR_UNAVAILABLE, "%s", why.message);
        ccnc_error_clear(&why);   /* not known: the probe proves it after the switch */
    }
    free(slave);
    free(mac);
    ccnc_bond_clear(&b);
    return rc;
}

int
ccnc_step_bond_to_backup(struct ccnc_action_run *r, struct ccnc_error *err)
{
    char *mac = backup_mac(r);
    int rc = switch_bond(r, mac, err);

    free(mac);
    return rc;
}

/* Wait (bounded, under r->mu) until the probe has given n samples more
 * than it had at *seen, or it ended; true when they came. */
static bool
wait_samples(struct ccnc_action_run *r, long long seen, long long n, int timeout_s)
{
    struct timespec ts = ccnc_deadline_s(timeout_s);

    while (r->probe_samples < seen + n && r->probe_handle > 0)
        if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
            break;
    return r->probe_samples >= seen + n;
}

/* The bond runs on the backup, and the connectivity probe's replies come
 * back over it: only then may the passthrough NIC go. */
int
ccnc_step_verify_on_backup(struct ccnc_action_run *r, struct ccnc_error *err)
{
    char *mac = backup_mac(r), *slave = NULL;
    long long base, got;
    int verify_s = r->lab->migration.verify_backup_s;
    bool judged, arrived;
    struct timespec ts;

    if (verify_active(r, mac, &slave, err) < 0) {
        free(mac);
        free(slave);
        return -1;
    }
    free(mac);
    pthread_mutex_lock(&r->mu);
    if (r->probe_handle > 0 && r->probe_samples == 0)
        wait_samples(r, 0, 1, 1);   /* a probe that has only just started */
    /* replies before the switch are what "it works" looks like here; a
     * probe that had none (a target that never answers) cannot judge */
    judged = r->probe_handle > 0 && r->a->probe.received > 0 &&
             r->a->probe.current_gap_ms < 1000;
    if (judged)
        wait_samples(r, r->probe_samples, 1, 1);   /* a sample after the switch */
    base = r->a->probe.received;
    ts = ccnc_deadline_s(verify_s);
    while (judged && r->a->probe.received < base + VERIFY_REPLIES && r->probe_handle > 0 &&
           !r->abort_req)
        if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
            break;
    got = r->a->probe.received - base;
    arrived = got >= VERIFY_REPLIES;
    pthread_mutex_unlock(&r->mu);
    if (!judged || arrived) {
        free(slave);
        return 0;
    }
    {
        struct ccnc_error why = { 0 };
        char *what = got > 0
                         ? ccnc_xasprintf(dngettext(PACKAGE,
                                                    "only %lld probe reply came back over the "
                                                    "backup NIC %s within %d s",
                                                    "only %lld probe replies came back over the "
                                                    "backup NIC %s within %d s",
                                                    got),
                                          got, slave ? slave : "?", verify_s)
                         : ccnc_xasprintf(_("no probe reply came back over the backup NIC %s "
                                            "within %d s"), slave ? slave : "?", verify_s);
        if (backup_path(r, &why) < 0)
            /* TRANSLATORS: what did not come back; which part of the path is dead */
            ccnc_error_set(err, CCNC_ERR_UNAVAILABLE, _("%s: %s"), what, why.message);
        else
            ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                           _("%s, though its host side looks alive: look at the bridge's "
                             "forwarding and the network behind it"), what);
        ccnc_error_clear(&why);
        free(what);
    }
    free(slave);
    return -1;
}

/* --- detach and attach ------------------------------------------------------------ */

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
    d = ccnc_run_domain(r, err);
    if (!d) {
        free(xml);
        return -1;
    }
    if (virDomainIsActive(d) == 0) {
        /* the inactive XML would name the NIC the config holds */
        const char *why = ccnc_run_vm_down(r);

        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("the VM is not running: %s"),
                       why ? why : _("libvirt says so"));
        virDomainFree(d);
        free(xml);
        return -1;
    }
    if (xml_has_mac(r, d, r->cv->passthrough_mac)) {
        /* never two NICs with one MAC on one segment */
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("the VM holds a NIC with the MAC %s already"),
                       r->cv->passthrough_mac ? r->cv->passthrough_mac : "?");
        virDomainFree(d);
        free(xml);
        return -1;
    }
    pthread_mutex_lock(&r->mu);
    r->device_added = false;
    pthread_mutex_unlock(&r->mu);
    ccnc_run_trace_dom(r, d, "virDomainAttachDeviceFlags");
    if (virDomainAttachDeviceFlags(d, xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        ccnc_run_lv_fail(err, _("libvirt refused the attach"));
        /* the connection died under the call (the host's libvirtd
         * restarted, its sshd was killed): once it is back, the NIC may
         * be there already; if not, the attach is tried once more */
        if (virConnectIsAlive(virDomainGetConnect(d)) != 1) {
            struct ccnc_error again = { 0 };

            virDomainFree(d);
            d = ccnc_run_domain(r, &again);
            if (d && xml_has_mac(r, d, r->cv->passthrough_mac)) {
                ccnc_error_clear(err);
                rc = 0;
            } else if (d) {
                ccnc_error_clear(err);
                ccnc_run_trace_dom(r, d, "virDomainAttachDeviceFlags");
                if (virDomainAttachDeviceFlags(d, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
                    ccnc_run_lv_fail(err, _("libvirt refused the attach"));
                else
                    rc = 1;
            }
            ccnc_error_clear(&again);
        }
    } else {
        rc = 1;
    }
    if (rc == 1) {
        if (ccnc_run_wait_flag(r, &r->device_added, NULL, r->lab->migration.step_timeout_s) ||
            xml_has_mac(r, d, r->cv->passthrough_mac)) {
            rc = 0;
        } else {
            ccnc_error_set(err, CCNC_ERR_TIMEOUT, _("the NIC did not appear within %d s"),
                           r->lab->migration.step_timeout_s);
            rc = -1;
        }
    }
    if (d)
        virDomainFree(d);
    free(xml);
    return rc;
}

int
ccnc_step_attach(struct ccnc_action_run *r, struct ccnc_error *err)
{
    return attach_nic(r, false, err);
}

int
ccnc_step_reattach_source(struct ccnc_action_run *r, struct ccnc_error *err)
{
    return attach_nic(r, true, err);
}

/* What is left of timeout_s since t0 (monotonic ms), at least 1 s. */
static int
remaining_s(long long t0, int timeout_s)
{
    long long left = timeout_s * 1000LL - (ccnc_now_mono_ms() - t0);

    return left < 1000 ? 1 : (int)((left + 999) / 1000);
}

int
ccnc_step_detach(struct ccnc_action_run *r, struct ccnc_error *err)
{
    virDomainPtr d = ccnc_run_domain(r, err);
    char *xml;
    int rc = -1;
    long long t0;

    if (!d)
        return -1;
    xml = ccnc_run_domain_xml(r, d, err);
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
    ccnc_run_trace_dom(r, d, "virDomainDetachDeviceFlags");
    if (virDomainDetachDeviceFlags(d, r->nic_xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        ccnc_run_lv_fail(err, _("libvirt refused the detach"));
    } else if (ccnc_run_wait_flag(r, &r->device_removed, &r->removal_failed,
                                  remaining_s(t0, r->lab->migration.step_timeout_s))) {
        rc = 0;
    } else if (r->removal_failed) {
        ccnc_error_set(err, CCNC_ERR_LIBVIRT, _("the guest refused to let go of the NIC"));
    } else if (!xml_has_mac(r, d, r->cv->passthrough_mac)) {
        rc = 0; /* gone, the event was missed */
    } else {
        ccnc_error_set(err, CCNC_ERR_TIMEOUT, _("the NIC was still there after %d s"),
                       r->lab->migration.step_timeout_s);
    }
    virDomainFree(d);
    return rc;
}

int
ccnc_step_wait_enslaved(struct ccnc_action_run *r, struct ccnc_error *err)
{
    long long until = ccnc_now_mono_ms() + r->lab->migration.step_timeout_s * 1000LL;

    do {
        struct ccnc_bond b;
        char *slave;
        if (read_bond_until(r, &b, until, NULL) == 0 &&
            (slave = slave_for_mac(&b, r->cv->passthrough_mac))) {
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
        usleep(CCNC_RUN_POLL_MS * 1000);
    } while (ccnc_now_mono_ms() < until);
    return ccnc_error_set(err, CCNC_ERR_TIMEOUT,
                          _("the guest did not make the NIC a working bond slave within %d s"),
                          r->lab->migration.step_timeout_s);
}

int
ccnc_step_bond_to_primary(struct ccnc_action_run *r, struct ccnc_error *err)
{
    return switch_bond(r, r->cv->passthrough_mac, err);
}

int
ccnc_step_restore_primary(struct ccnc_action_run *r, struct ccnc_error *err)
{
    /* after a re-attach the NIC must first be a working slave again */
    if (ccnc_step_wait_enslaved(r, err) < 0)
        return -1;
    return switch_bond(r, r->cv->passthrough_mac, err);
}

int
ccnc_step_verify(struct ccnc_action_run *r, struct ccnc_error *err)
{
    virDomainPtr d = ccnc_run_domain(r, err);
    int state = 0, reason = 0, rc;
    char *mac;

    if (!d)
        return -1;
    ccnc_run_trace_dom(r, d, "virDomainGetState");
    rc = virDomainGetState(d, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING
             ? 0
             : ccnc_error_set(err, CCNC_ERR_INTERNAL, _("the VM is not running"));
    virDomainFree(d);
    if (rc < 0 || r->a->kind == CCNC_ACTION_MIGRATE || r->a->kind == CCNC_ACTION_MIGRATE_TEAMING)
        return rc;
    mac = r->a->kind == CCNC_ACTION_DETACH ? backup_mac(r) : ccnc_xstrdup(r->cv->passthrough_mac);
    rc = verify_active(r, mac, NULL, err);
    free(mac);
    return rc;
}

/* --- VF pools ---------------------------------------------------------------------- */

/* The host the NIC goes to: the destination, or where the VM is. */
static const char *
target_host(const struct ccnc_action_run *r)
{
    return r->a->destination ? r->a->destination : r->a->source;
}

int
ccnc_step_reserve_nic(struct ccnc_action_run *r, struct ccnc_error *err)
{
    const struct ccnc_lab_pool *pool;
    char *nic;
    int rc;

    if (!pool_kind(r))
        return 0;   /* a port by address or an emulated NIC: nothing to reserve */
    pool = ccnc_lab_find_pool(r->lab, r->cv->passthrough);
    rc = ccnc_run_loop_request(r, CCNC_RUN_LOOP_RESERVE, target_host(r), NULL, err);
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
    if (r->vf.host)
        ccnc_run_log_vf(r, rc == 0 ? "reserved" : "reserve-failed", r->vf.host, r->vf.pf,
                        r->vf.index, r->vf.pci);
    return rc;
}

int
ccnc_run_release_vf(struct ccnc_action_run *r, const char *host, const char *pci,
                    struct ccnc_error *err)
{
    int rc;

    if (!pci)
        return 0;   /* nothing reserved, or the pool's network's to give back */
    rc = ccnc_run_loop_request(r, CCNC_RUN_LOOP_RELEASE, host, pci, err);
    ccnc_run_log_vf(r, rc == 0 ? "released" : "release-failed", host, NULL, CCNC_UNKNOWN, pci);
    return rc;
}

int
ccnc_step_release_nic(struct ccnc_action_run *r, struct ccnc_error *err)
{
    const struct ccnc_step *s = &r->a->steps[r->a->current];

    if (!s->rollback && r->n_released < r->a->n_release) {
        /* a VF an earlier run left reserved (ccnc resume) */
        const struct ccnc_action_vf *v = &r->a->release[r->n_released++];
        return ccnc_run_release_vf(r, v->host, v->pci, err);
    }
    return pool_kind(r) ? ccnc_run_release_vf(r, r->vf.host, r->vf.pci, err) : 0;
}
