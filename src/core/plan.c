/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one planner (include/ccnc/plan.h): the steps an action needs for the
 * VM as the hosts report it now, or a refusal that says why.  Each rule
 * reads the snapshot only; the executor checks again before it changes
 * anything, since the world moves between a plan and its run. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ccnc/plan.h>

#include <ccnc/placement.h>
#include <ccnc/pool.h>

#include "core/i18n.h"

/* --- where the VM's NICs and bond stand -------------------------------------- */

/* The bond slave whose permanent MAC is mac, NULL if none. */
static const struct ccnc_bond_slave *
slave_for(const struct ccnc_bond *b, const char *mac)
{
    for (size_t i = 0; b && mac && i < b->n_slaves; i++)
        if (b->slaves[i].perm_hwaddr && strcasecmp(b->slaves[i].perm_hwaddr, mac) == 0)
            return &b->slaves[i];
    return NULL;
}

void
ccnc_vm_nic_view_get(const struct ccnc_snapshot *snap, const struct ccnc_lab_vm *cv,
                     struct ccnc_vm_nic_view *out)
{
    const struct ccnc_bond_slave *pt, *bk;

    memset(out, 0, sizeof(*out));
    out->vm = snap && cv ? ccnc_snapshot_find_vm(snap, cv->name, &out->host) : NULL;
    if (!out->vm) {
        out->host = NULL;
        return;
    }
    for (size_t i = 0; i < out->vm->n_nics; i++) {
        const struct ccnc_vm_nic *n = &out->vm->nics[i];
        if (n->role == CCNC_NIC_ROLE_PASSTHROUGH && !out->passthrough)
            out->passthrough = n;
        else if (n->role == CCNC_NIC_ROLE_BACKUP && !out->backup)
            out->backup = n;
    }
    /* a failover device with its persistent partner: QEMU's own teaming */
    out->failover = ccnc_vm_failover_nic(out->vm, NULL);
    out->bond_known = out->vm->bond && !out->vm->bond_stale;
    if (!out->vm->bond)
        return;
    pt = out->passthrough ? slave_for(out->vm->bond, out->passthrough->mac) : NULL;
    bk = out->backup ? slave_for(out->vm->bond, out->backup->mac) : NULL;
    if (pt) {
        out->on_passthrough = ccnc_streq(out->vm->bond->active_slave, pt->name);
        out->passthrough_up = ccnc_streq(pt->mii_status, "up");
    }
    if (bk) {
        out->on_backup = ccnc_streq(out->vm->bond->active_slave, bk->name);
        out->backup_up = ccnc_streq(bk->mii_status, "up");
        out->backup_slave = bk->name;
    }
}

/* --- the backup's host side --------------------------------------------------- */

static bool
link_down(const struct ccnc_link *l)
{
    return ccnc_streq(l->operstate, "down") || ccnc_streq(l->operstate, "lowerlayerdown") ||
           ccnc_streq(l->operstate, "notpresent");
}

int
ccnc_backup_path_check(const struct ccnc_host *h, const struct ccnc_vm *vm,
                       struct ccnc_error *err)
{
    const struct ccnc_vm_nic *b = NULL;
    const struct ccnc_link *l, *br;

    for (size_t i = 0; vm && i < vm->n_nics && !b; i++)
        if (vm->nics[i].role == CCNC_NIC_ROLE_BACKUP)
            b = &vm->nics[i];
    if (!b) {
        ccnc_error_set(err, CCNC_ERR_UNAVAILABLE, _("libvirt shows no backup NIC for %s"),
                       vm ? vm->name : "?");
        return 1;
    }
    if (!h || h->stale || h->updated_ms <= 0 || h->n_links == 0) {
        ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                       _("the host side of the backup NIC was not checked: %s's agent has not "
                         "reported its links"), h && h->name ? h->name : "?");
        return 1;
    }
    if (!b->target) {
        ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                       _("the host side of the backup NIC was not checked: libvirt names no "
                         "host device for it"));
        return 1;
    }
    l = ccnc_host_find_link(h, b->target);
    if (!l)
        return ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                              _("the backup NIC's host device %s is missing on %s"), b->target,
                              h->name);
    if (link_down(l))
        return ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                              _("the backup NIC's host device %s on %s is %s"), b->target,
                              h->name, l->operstate);
    if (!ccnc_streq(b->type, "bridge") || !b->source)
        return 0;   /* a network or direct NIC: the device is all there is to see */
    if (!ccnc_streq(l->master, b->source))
        return l->master
                   ? ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                                    _("the backup NIC's host device %s on %s is in %s, not in "
                                      "the bridge %s"), b->target, h->name, l->master, b->source)
                   : ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                                    _("the backup NIC's host device %s on %s is in no bridge, "
                                      "not in %s"), b->target, h->name, b->source);
    br = ccnc_host_find_link(h, b->source);
    if (!br)
        return ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                              _("the backup NIC's bridge %s is missing on %s"), b->source,
                              h->name);
    if (link_down(br))
        return ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                              _("the backup NIC's bridge %s on %s is %s"), b->source, h->name,
                              br->operstate);
    return 0;
}

/* --- plans --------------------------------------------------------------------- */

/* A plan being built: its steps, in order. */
struct steps {
    enum ccnc_step_op op[CCNC_STEP_LAST];
    size_t n;
};

static void
step(struct steps *s, enum ccnc_step_op op)
{
    if (s->n < CCNC_ARRAY_SIZE(s->op))
        s->op[s->n++] = op;
}

static struct ccnc_action *
action(enum ccnc_action_kind kind, const struct ccnc_lab_vm *cv, const char *source,
       const char *destination, const struct steps *s)
{
    return ccnc_action_new_steps(kind, cv->name, source, destination, cv->passthrough, s->op,
                                 s->n);
}

static const char *
mac_or(const struct ccnc_lab_vm *cv)
{
    return cv->passthrough_mac ? cv->passthrough_mac : cv->passthrough;
}

/* The VM as the lab config describes it, without asking any host. */
static struct ccnc_action *
plan_assumed(const struct ccnc_lab_vm *cv, const struct ccnc_lab_host *to,
             enum ccnc_action_kind kind, struct ccnc_error *err)
{
    struct ccnc_action *a;

    if (ccnc_action_kind_migrates(kind) && to) {
        if (ccnc_streq(to->name, cv->host)) {
            ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s already runs on %s"), cv->name,
                           cv->host);
            return NULL;
        }
        kind = cv->passthrough_kind == CCNC_PASSTHROUGH_NONE ? CCNC_ACTION_MIGRATE
                                                             : CCNC_ACTION_MIGRATE_PASSTHROUGH;
    }
    a = ccnc_action_new(kind, cv->name, cv->host, to ? to->name : NULL, cv->passthrough);
    ccnc_action_add_note(a, _("planned without asking the hosts: %s is assumed to run on %s, "
                              "its home in the lab config, as the config describes it"),
                         cv->name, cv->host);
    return a;
}

/* Why the VM cannot be acted on now, or 0. */
static int
refuse_state(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
             const struct ccnc_plan_request *req, const struct ccnc_vm_nic_view *v,
             struct ccnc_error *err)
{
    for (size_t i = 0; req->busy && req->busy[i]; i++)
        if (ccnc_streq(req->busy[i], req->vm))
            return ccnc_error_set(err, CCNC_ERR_REFUSED,
                                  _("an action of this ccnc is already running on %s; wait "
                                    "for it to end or abort it"), req->vm);
    if (!v->vm) {
        for (size_t i = 0; snap && i < snap->n_hosts; i++) {
            const struct ccnc_host *h = snap->hosts[i];
            const struct ccnc_lab_host *lh = ccnc_lab_find_host(lab, h->name);
            if (lh && ccnc_lab_host_runs_libvirt(lh) && h->libvirt != CCNC_CONN_CONNECTED)
                return h->libvirt_error
                           ? ccnc_error_set(err, CCNC_ERR_REFUSED,
                                            _("no host reported %s, and %s's libvirt has not "
                                              "answered (%s): where %s runs is not known"),
                                            req->vm, h->name, h->libvirt_error, req->vm)
                           : ccnc_error_set(err, CCNC_ERR_REFUSED,
                                            _("no host reported %s, and %s's libvirt has not "
                                              "answered: where %s runs is not known"),
                                            req->vm, h->name, req->vm);
        }
        return ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s runs on no host of the lab"),
                              req->vm);
    }
    if (v->vm->job == CCNC_VM_JOB_MIGRATION_OUT || v->vm->job == CCNC_VM_JOB_MIGRATION_IN)
        return ccnc_error_set(err, CCNC_ERR_REFUSED,
                              _("%s is being migrated (a libvirt job runs on %s); wait for it "
                                "to end, or stop it with 'ccnc abort %s'"),
                              req->vm, v->host->name, req->vm);
    if (v->vm->job != CCNC_VM_JOB_NONE)
        return ccnc_error_set(err, CCNC_ERR_REFUSED,
                              _("%s has a libvirt job running on %s; wait for it to end"),
                              req->vm, v->host->name);
    if (v->vm->state != CCNC_VM_RUNNING)
        return ccnc_error_set(err, CCNC_ERR_REFUSED,
                              _("%s is %s on %s; only a running VM can be acted on"), req->vm,
                              ccnc_vm_state_text(v->vm->state), v->host->name);
    /* another ccnc holds it (its lease has not lapsed); ccnc resume takes
     * over the lease of the run it ends */
    if (v->vm->lease && v->vm->lease->expires_ms > snap->time_ms &&
        !(req->self && ccnc_streq(v->vm->lease->by, req->self)) &&
        !(req->resume_of && ccnc_streq(v->vm->lease->run, req->resume_of)))
        return ccnc_error_set(err, CCNC_ERR_REFUSED,
                              _("%s is held by another ccnc: %s, for the run %s; wait for it to "
                                "end, or 'ccnc resume' that run if it stopped half-way"),
                              req->vm, v->vm->lease->by ? v->vm->lease->by : "?",
                              v->vm->lease->run ? v->vm->lease->run : "?");
    return 0;
}

/* The backup must carry the VM while its passthrough NIC is away: refuse
 * when the hosts say it cannot. */
static int
refuse_backup(const struct ccnc_lab_vm *cv, const struct ccnc_vm_nic_view *v,
              struct ccnc_error *err)
{
    struct ccnc_error why = { 0 };
    int rc;

    if (!v->backup)
        return ccnc_error_set(err, CCNC_ERR_REFUSED,
                              _("libvirt shows no backup NIC (%s) on %s: without it %s would "
                                "lose its network"), cv->backup ? cv->backup : "?", cv->name,
                              cv->name);
    if (v->bond_known && !v->backup_slave)
        return ccnc_error_set(err, CCNC_ERR_REFUSED,
                              _("the backup NIC (%s) is not a slave of %s's %s: without it %s "
                                "would lose its network"), v->backup->mac ? v->backup->mac : "?",
                              cv->name, cv->bond, cv->name);
    if (v->bond_known && !v->backup_up)
        return ccnc_error_set(err, CCNC_ERR_REFUSED,
                              _("the backup NIC %s of %s's %s is not up: without it %s would "
                                "lose its network"), v->backup_slave, cv->name, cv->bond,
                              cv->name);
    rc = ccnc_backup_path_check(v->host, v->vm, &why);
    if (rc < 0) {
        ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s; moving %s off its passthrough NIC would "
                                                "cut it off"), why.message, cv->name);
        ccnc_error_clear(&why);
        return -1;
    }
    ccnc_error_clear(&why);
    return 0;
}

static void
note_bond_unknown(struct ccnc_action *a, const struct ccnc_lab_vm *cv,
                  const struct ccnc_vm_nic_view *v)
{
    if (!v->bond_known && v->vm->bond)
        ccnc_action_add_note(a, _("%s's bond is not known now (its guest agent stopped "
                                  "answering): the steps read it before they change anything"),
                             cv->name);
    else if (!v->bond_known)
        ccnc_action_add_note(a, _("%s's bond is not known yet (its guest agent has not "
                                  "answered): the steps read it before they change anything"),
                             cv->name);
}

/* A VM whose passthrough NIC comes from a pool, sent to a host that shows
 * no VF of that pool for it (every one taken, none enabled, no port): -1
 * with err naming who holds them, before anything is touched.  0 when the
 * host has not reported its ports yet (reserve-nic finds out), and for a
 * teaming pair (QEMU replugs its VF by address itself). */
static int
refuse_no_vf(const struct ccnc_lab *lab, const struct ccnc_lab_vm *cv,
             const struct ccnc_vm_nic_view *v, const struct ccnc_host *dh,
             struct ccnc_error *err)
{
    struct ccnc_pool_vf vf;
    struct ccnc_error e = { 0 };
    int rc = 0;

    if (cv->passthrough_kind != CCNC_PASSTHROUGH_POOL || v->failover || dh->stale ||
        dh->updated_ms <= 0 || dh->n_links == 0)
        return 0;
    if (ccnc_pool_choose(dh, lab, cv, NULL, 0, &vf, &e) < 0)
        rc = ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s cannot go to %s: %s (placement can choose "
                                                      "another host: --to auto, or m again in the "
                                                      "console)"), cv->name,
                            dh->name, e.message ? e.message : "?");
    ccnc_pool_vf_clear(&vf);
    ccnc_error_clear(&e);
    return rc;
}

static struct ccnc_action *
plan_migrate(const struct ccnc_lab_vm *cv, const struct ccnc_vm_nic_view *v,
             const struct ccnc_host *to, struct ccnc_error *err)
{
    struct steps s = { .n = 0 };
    struct ccnc_action *a;

    if (v->failover) {
        step(&s, CCNC_STEP_FORECAST);
    step(&s, CCNC_STEP_CHECK_DESTINATION);
        step(&s, CCNC_STEP_CHECK_STORAGE);
        step(&s, CCNC_STEP_MIGRATE);
        step(&s, CCNC_STEP_VERIFY);
        a = action(CCNC_ACTION_MIGRATE_TEAMING, cv, v->host->name, to->name, &s);
        ccnc_action_add_note(a, _("%s's passthrough NIC is the failover half of a teaming pair "
                                  "(%s): QEMU unplugs it and plugs it again itself"),
                             cv->name, v->failover->alias ? v->failover->alias : "?");
        return a;
    }
    if (cv->passthrough_kind == CCNC_PASSTHROUGH_NONE) {
        step(&s, CCNC_STEP_FORECAST);
    step(&s, CCNC_STEP_CHECK_DESTINATION);
        step(&s, CCNC_STEP_CHECK_STORAGE);
        step(&s, CCNC_STEP_MIGRATE);
        step(&s, CCNC_STEP_VERIFY);
        return action(CCNC_ACTION_MIGRATE, cv, v->host->name, to->name, &s);
    }
    if (v->passthrough && refuse_backup(cv, v, err) < 0)
        return NULL;
    step(&s, CCNC_STEP_FORECAST);
    step(&s, CCNC_STEP_CHECK_DESTINATION);
    step(&s, CCNC_STEP_CHECK_STORAGE);
    if (v->passthrough) {
        step(&s, CCNC_STEP_CHECK_BACKUP);
        step(&s, CCNC_STEP_RESERVE_NIC);
        if (!(v->bond_known && v->on_backup))
            step(&s, CCNC_STEP_BOND_TO_BACKUP);
        step(&s, CCNC_STEP_VERIFY_ON_BACKUP);
        step(&s, CCNC_STEP_DETACH);
    } else {
        step(&s, CCNC_STEP_RESERVE_NIC);
    }
    step(&s, CCNC_STEP_MIGRATE);
    step(&s, CCNC_STEP_ATTACH);
    step(&s, CCNC_STEP_WAIT_ENSLAVED);
    step(&s, CCNC_STEP_BOND_TO_PRIMARY);
    step(&s, CCNC_STEP_VERIFY);
    a = action(CCNC_ACTION_MIGRATE_PASSTHROUGH, cv, v->host->name, to->name, &s);
    a->on_backup_only = !v->passthrough;
    if (!v->passthrough) {
        ccnc_action_add_note(a, _("%s holds no passthrough NIC (%s) now: nothing to switch or "
                                  "detach; the attach on %s gives it one again"),
                             cv->name, mac_or(cv), to->name);
        if (v->bond_known && !(v->on_backup && v->backup_up))
            ccnc_action_add_note(a, _("its backup NIC is not carrying it either: %s has no "
                                      "working NIC until the attach"), cv->name);
    } else if (v->bond_known && v->on_backup) {
        ccnc_action_add_note(a, _("%s already runs on its backup NIC %s: no switch"), cv->bond,
                             v->backup_slave);
    }
    note_bond_unknown(a, cv, v);
    return a;
}

static struct ccnc_action *
plan_detach(const struct ccnc_lab_vm *cv, const struct ccnc_vm_nic_view *v,
            struct ccnc_error *err)
{
    struct steps s = { .n = 0 };
    struct ccnc_action *a;

    if (!v->passthrough) {
        if (v->bond_known && v->on_backup)
            ccnc_error_set(err, CCNC_ERR_REFUSED,
                           _("nothing to detach: %s holds no passthrough NIC (%s); its bond "
                             "runs on its backup NIC %s"), cv->name, mac_or(cv), v->backup_slave);
        else
            ccnc_error_set(err, CCNC_ERR_REFUSED,
                           _("nothing to detach: %s holds no passthrough NIC (%s)"), cv->name,
                           mac_or(cv));
        return NULL;
    }
    if (refuse_backup(cv, v, err) < 0)
        return NULL;
    step(&s, CCNC_STEP_CHECK_BACKUP);
    if (!(v->bond_known && v->on_backup))
        step(&s, CCNC_STEP_BOND_TO_BACKUP);
    step(&s, CCNC_STEP_VERIFY_ON_BACKUP);
    step(&s, CCNC_STEP_DETACH);
    step(&s, CCNC_STEP_VERIFY);
    a = action(CCNC_ACTION_DETACH, cv, v->host->name, NULL, &s);
    if (v->bond_known && v->on_backup)
        ccnc_action_add_note(a, _("%s already runs on its backup NIC %s: no switch"), cv->bond,
                             v->backup_slave);
    note_bond_unknown(a, cv, v);
    return a;
}

static struct ccnc_action *
plan_assign(const struct ccnc_lab_vm *cv, const struct ccnc_vm_nic_view *v,
            struct ccnc_error *err)
{
    struct steps s = { .n = 0 };
    struct ccnc_action *a;

    if (v->passthrough && v->bond_known && v->on_passthrough) {
        ccnc_error_set(err, CCNC_ERR_REFUSED,
                       _("nothing to assign: %s holds its passthrough NIC (%s) and its bond "
                         "runs on it"), cv->name, mac_or(cv));
        return NULL;
    }
    if (!v->passthrough) {
        step(&s, CCNC_STEP_RESERVE_NIC);
        step(&s, CCNC_STEP_ATTACH);
    }
    if (!(v->passthrough && v->bond_known && v->passthrough_up))
        step(&s, CCNC_STEP_WAIT_ENSLAVED);
    step(&s, CCNC_STEP_BOND_TO_PRIMARY);
    step(&s, CCNC_STEP_VERIFY);
    a = action(CCNC_ACTION_ASSIGN, cv, v->host->name, NULL, &s);
    a->on_backup_only = !v->passthrough;
    if (v->passthrough)
        ccnc_action_add_note(a, _("%s holds its passthrough NIC (%s) already: nothing is "
                                  "attached, only its bond goes back to it"), cv->name,
                             mac_or(cv));
    note_bond_unknown(a, cv, v);
    return a;
}

/* --- placement ---------------------------------------------------------------------- */

/* Is name among the request's candidates (all, when it names none)? */
static bool
is_candidate(const struct ccnc_plan_request *req, const char *name)
{
    if (!req->candidates)
        return true;
    for (size_t i = 0; req->candidates[i]; i++)
        if (ccnc_streq(req->candidates[i], name))
            return true;
    return false;
}

/* What placement weighs of host h for the VM cv (vm as it runs now). */
static void
place_host(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
           const struct ccnc_plan_request *req, const struct ccnc_lab_vm *cv,
           const struct ccnc_vm *vm, const struct ccnc_host *h, const char *name,
           struct ccnc_place_host *out)
{
    out->name = name;
    out->reachable = h && h->libvirt == CCNC_CONN_CONNECTED &&
                     h->connection == CCNC_CONN_CONNECTED && !h->stale && h->updated_ms > 0;
    out->free_mem_kib = h ? h->mem_free_kib : CCNC_UNKNOWN;
    out->free_vfs = -1;
    if (cv->passthrough_kind == CCNC_PASSTHROUGH_POOL && h) {
        struct ccnc_pool_count c;
        ccnc_pool_count(h, ccnc_lab_find_pool(lab, cv->passthrough), &c);
        out->free_vfs = c.free;
        out->no_vf_why = !c.configured ? _("the VM's pool has no port there")
                         : !c.seen     ? _("it does not show the VM's pool's port")
                         : c.vfs == 0  ? _("the VM's pool's port there has no VFs")
                                       : NULL;
    }
    out->sees_storage = true;
    for (size_t k = 0; vm && k < vm->n_disks; k++)
        if (!ccnc_host_nfs_mount_for(h, vm->disks[k]))
            out->sees_storage = false;
    /* migrations: those booked, and those the hosts show that no booking names */
    out->migrations = 0;
    for (size_t i = 0; i < req->n_booked; i++) {
        const struct ccnc_plan_booking *b = &req->booked[i];
        if (!ccnc_streq(b->host, name))
            continue;
        out->migrations++;
        if (b->mem_kib > 0 && out->free_mem_kib >= 0)
            out->free_mem_kib -= b->mem_kib;
        if (b->vf && out->free_vfs > 0)
            out->free_vfs--;
    }
    for (size_t i = 0; h && i < h->n_vms; i++) {
        bool booked = false;
        if (h->vms[i].job != CCNC_VM_JOB_MIGRATION_OUT && h->vms[i].job != CCNC_VM_JOB_MIGRATION_IN)
            continue;
        for (size_t k = 0; k < req->n_booked; k++)
            booked = booked || ccnc_streq(req->booked[k].vm, h->vms[i].name);
        if (!booked)
            out->migrations++;
    }
    (void)snap;
}

/* The destination placement chooses for cv, running as v says, among the
 * lab's hypervisors (the request's candidates); each host's verdict into
 * a->placement once the action exists: kept in *verdicts (n of them,
 * names in *names) until then.  NULL with err when no host passes. */
static const struct ccnc_lab_host *
place(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
      const struct ccnc_plan_request *req, const struct ccnc_lab_vm *cv,
      const struct ccnc_vm_nic_view *v, struct ccnc_place_verdict **verdicts, size_t *n_out,
      const char ***names, struct ccnc_error *err)
{
    struct ccnc_place_host *hosts = ccnc_xcalloc(lab->n_hosts + 1, sizeof(*hosts));
    const struct ccnc_lab_host **lh = ccnc_xcalloc(lab->n_hosts + 1, sizeof(*lh));
    struct ccnc_place_vm pv = { .name = cv->name, .source = v->host->name,
                                .mem_kib = v->vm ? v->vm->memory_kib : CCNC_UNKNOWN,
                                .needs_vf = cv->passthrough_kind == CCNC_PASSTHROUGH_POOL };
    size_t n = 0;
    int best;

    for (size_t i = 0; i < lab->n_hosts; i++) {
        const struct ccnc_lab_host *h = &lab->hosts[i];
        int si;
        if (!ccnc_lab_host_runs_libvirt(h) || !is_candidate(req, h->name))
            continue;
        si = ccnc_snapshot_find_host(snap, h->name);
        place_host(lab, snap, req, cv, v->vm, si < 0 ? NULL : snap->hosts[si], h->name,
                   &hosts[n]);
        lh[n++] = h;
    }
    *verdicts = ccnc_xcalloc(n + 1, sizeof(**verdicts));
    best = ccnc_place(hosts, n, &pv, *verdicts);
    *n_out = n;
    *names = ccnc_xcalloc(n + 1, sizeof(**names));
    for (size_t i = 0; i < n; i++)
        (*names)[i] = lh[i]->name;
    if (best < 0) {
        char *why = ccnc_xstrdup("");
        for (size_t i = 0; i < n; i++) {
            char *w = ccnc_xasprintf("%s%s%s: %s", why, i ? "; " : "", lh[i]->name,
                                     (*verdicts)[i].why);
            free(why);
            why = w;
        }
        if (n == 0)
            ccnc_error_set(err, CCNC_ERR_REFUSED,
                           _("no hypervisor to place %s on: name hosts of the lab"), cv->name);
        else
            ccnc_error_set(err, CCNC_ERR_REFUSED, _("no host can take %s: %s"), cv->name, why);
        free(why);
    }
    {
        const struct ccnc_lab_host *to = best < 0 ? NULL : lh[best];
        free(hosts);
        free(lh);
        return to;
    }
}

static void
keep_placement(struct ccnc_action *a, const struct ccnc_place_verdict *verdicts, size_t n,
               const char **names)
{
    if (!a)
        return;
    a->placement = ccnc_xcalloc(n ? n : 1, sizeof(*a->placement));
    a->n_placement = n;
    for (size_t i = 0; i < n; i++) {
        a->placement[i].host = ccnc_xstrdup(names[i]);
        a->placement[i].chosen = verdicts[i].chosen;
        a->placement[i].candidate = verdicts[i].candidate;
        a->placement[i].why = ccnc_xstrdup(verdicts[i].why);
    }
    for (size_t i = 0; i < n; i++)
        if (verdicts[i].chosen)
            ccnc_action_add_note(a, _("placement chose %s: the other hosts are passed over "
                                      "below"), names[i]);
}

struct ccnc_action *
ccnc_plan(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
          const struct ccnc_plan_request *req, struct ccnc_error *err)
{
    const struct ccnc_lab_vm *cv = req->vm ? ccnc_lab_find_vm(lab, req->vm) : NULL;
    const struct ccnc_lab_host *to = NULL;
    struct ccnc_vm_nic_view v;
    bool migrate = ccnc_action_kind_migrates(req->kind);
    bool auto_place = migrate && ccnc_streq(req->destination, CCNC_PLACE_AUTO);

    if (!cv) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("the lab config has no [vm %s]; add it (see "
                                               "lab.conf(5))"), req->vm ? req->vm : "");
        return NULL;
    }
    if (migrate && !auto_place) {
        to = req->destination ? ccnc_lab_find_host(lab, req->destination) : NULL;
        if (!to || !ccnc_lab_host_runs_libvirt(to)) {
            ccnc_error_set(err, CCNC_ERR_CONFIG, _("'%s' is not a hypervisor host of the lab"),
                           req->destination ? req->destination : "");
            return NULL;
        }
    } else if (cv->passthrough_kind == CCNC_PASSTHROUGH_NONE) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("[vm %s] has no passthrough NIC in the lab "
                                               "config"), cv->name);
        return NULL;
    }
    if (req->assume_config && auto_place) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, "%s",
                       _("--to auto places by what the hosts report now: leave out --offline, "
                         "or name the host"));
        return NULL;
    }
    if (req->assume_config)
        return plan_assumed(cv, to, req->kind, err);

    ccnc_vm_nic_view_get(snap, cv, &v);
    if (refuse_state(lab, snap, req, &v, err) < 0)
        return NULL;
    if (auto_place) {
        struct ccnc_place_verdict *verdicts = NULL;
        const char **names = NULL;
        size_t n = 0;
        struct ccnc_action *a = NULL;
        to = place(lab, snap, req, cv, &v, &verdicts, &n, &names, err);
        if (to) {
            int di = ccnc_snapshot_find_host(snap, to->name);
            a = plan_migrate(cv, &v, snap->hosts[di], err);
            keep_placement(a, verdicts, n, names);
        }
        free(verdicts);
        free(names);
        return a;
    }
    if (migrate && to) {
        int di = ccnc_snapshot_find_host(snap, to->name);
        const struct ccnc_host *dh = di < 0 ? NULL : snap->hosts[di];
        if (ccnc_streq(to->name, v.host->name)) {
            ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s already runs on %s"), cv->name,
                           v.host->name);
            return NULL;
        }
        if (!dh || dh->libvirt != CCNC_CONN_CONNECTED) {
            if (dh && dh->libvirt_error)
                ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s's libvirt does not answer (%s): %s "
                                                        "cannot go there now"),
                               to->name, dh->libvirt_error, cv->name);
            else if (dh && dh->libvirt == CCNC_CONN_CONNECTING)
                ccnc_error_set(err, CCNC_ERR_REFUSED, _("ccnc is still connecting to %s's "
                                                        "libvirt: %s cannot go there yet; "
                                                        "try again in a moment"),
                               to->name, cv->name);
            else
                ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s's libvirt does not answer: %s "
                                                        "cannot go there now"),
                               to->name, cv->name);
            return NULL;
        }
        if (refuse_no_vf(lab, cv, &v, dh, err) < 0)
            return NULL;
        return plan_migrate(cv, &v, dh, err);
    }
    if (v.failover) {
        ccnc_error_set(err, CCNC_ERR_REFUSED,
                       _("%s's passthrough NIC is the failover half of a teaming pair (%s), "
                         "which QEMU unplugs and plugs again itself at a migration: ccnc leaves "
                         "it to QEMU"), cv->name, v.failover->alias ? v.failover->alias : "?");
        return NULL;
    }
    return req->kind == CCNC_ACTION_DETACH ? plan_detach(cv, &v, err) : plan_assign(cv, &v, err);
}

/* --- ending an unfinished run ------------------------------------------------------ */

static void
add_release(struct ccnc_action *a, const char *host, const char *pci)
{
    struct ccnc_action_vf *r;

    if (!host || !pci)
        return;
    for (size_t i = 0; i < a->n_release; i++)
        if (ccnc_streq(a->release[i].host, host) && ccnc_streq(a->release[i].pci, pci))
            return;
    r = ccnc_array_push(&a->release, &a->n_release, NULL, sizeof(*r));
    r->host = ccnc_xstrdup(host);
    r->pci = ccnc_xstrdup(pci);
}

/* VFs reserved for the VM (its MAC on them, attached to nothing) on hosts
 * other than keep, as the hosts report them, and the one the run recorded
 * as reserved there: each to be given back. */
static void
stale_vfs(struct ccnc_action *a, const struct ccnc_snapshot *snap, const struct ccnc_lab_vm *cv,
          const struct ccnc_run_summary *run, const char *keep)
{
    if (cv->passthrough_kind != CCNC_PASSTHROUGH_POOL)
        return;
    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *h = snap->hosts[i];
        if (ccnc_streq(h->name, keep))
            continue;
        for (size_t k = 0; k < h->n_links; k++) {
            const struct ccnc_link *l = &h->links[k];
            const struct ccnc_nic *pf = ccnc_host_find_port(h, l->name);
            for (size_t f = 0; f < l->n_vfs; f++) {
                char buf[32];
                if (l->vfs[f].reserved && ccnc_streq(l->vfs[f].vm, cv->name) &&
                    ccnc_vf_pci_address(pf, &l->vfs[f], buf, sizeof(buf)))
                    add_release(a, h->name, buf);
            }
        }
    }
    if (run->vf_host && !ccnc_streq(run->vf_host, keep))
        add_release(a, run->vf_host, run->vf_pci);
}

struct ccnc_action *
ccnc_plan_resume(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
                 const struct ccnc_run_summary *run, enum ccnc_resume_way way,
                 const char *const *busy, const char *self, struct ccnc_error *err)
{
    struct ccnc_plan_request req = { .vm = run->vm, .busy = busy, .self = self,
                                     .resume_of = run->path };
    const struct ccnc_lab_vm *cv = run->vm ? ccnc_lab_find_vm(lab, run->vm) : NULL;
    int kind = run->kind ? ccnc_action_kind_from_string(run->kind) : -1;
    struct ccnc_vm_nic_view v;
    struct ccnc_action *a = NULL, *nic = NULL;
    bool migrating = ccnc_action_kind_migrates(kind);
    bool forward, on_dest;

    if (run->result) {
        ccnc_error_set(err, CCNC_ERR_REFUSED, _("the run %s ended (%s): nothing to resume"),
                       run->path, run->result);
        return NULL;
    }
    if (!cv || kind < 0) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("the run %s names a VM or an action the lab "
                                               "config does not know"), run->path);
        return NULL;
    }
    ccnc_vm_nic_view_get(snap, cv, &v);
    if (refuse_state(lab, snap, &req, &v, err) < 0)
        return NULL;
    on_dest = migrating && ccnc_streq(v.host->name, run->destination);
    /* which way: a migration that went through goes forward (ccnc never
     * migrates a VM back by itself), one that did not goes back; the
     * others go forward unless asked back */
    if (migrating && !on_dest && !ccnc_streq(v.host->name, run->source)) {
        ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s runs on %s, neither the run's source %s nor "
                                                "its destination %s: look at it with 'ccnc "
                                                "status' before anything is changed"),
                       cv->name, v.host->name, run->source ? run->source : "?",
                       run->destination ? run->destination : "?");
        return NULL;
    }
    if (migrating) {
        forward = on_dest;
        if (way == CCNC_RESUME_UNDO && on_dest) {
            ccnc_error_set(err, CCNC_ERR_REFUSED,
                           _("the migration went through: %s runs on %s, and ccnc never "
                             "migrates a VM back by itself; resume it forward, or migrate it "
                             "with 'ccnc migrate %s --to %s'"),
                           cv->name, v.host->name, cv->name, run->source ? run->source : "?");
            return NULL;
        }
        if (way == CCNC_RESUME_FINISH && !on_dest) {
            ccnc_error_set(err, CCNC_ERR_REFUSED,
                           _("the migration did not happen: %s runs on %s, the source; resume "
                             "it with --undo, or migrate it again with 'ccnc migrate %s --to "
                             "%s'"), cv->name, v.host->name, cv->name,
                           run->destination ? run->destination : "?");
            return NULL;
        }
    } else {
        forward = way != CCNC_RESUME_UNDO;
    }

    /* what the VM's NIC needs now, as the planner sees it */
    if (cv->passthrough_kind != CCNC_PASSTHROUGH_NONE && !v.failover) {
        bool detach = !migrating && (kind == CCNC_ACTION_DETACH) == forward;
        bool nothing = detach ? !v.passthrough
                              : v.passthrough && v.bond_known && v.on_passthrough;
        if (!nothing)
            nic = detach ? plan_detach(cv, &v, err) : plan_assign(cv, &v, err);
        if (!nothing && !nic)
            return NULL;
    }
    {
        struct ccnc_action held = { 0 };   /* only its VFs to give back */
        struct steps s = { .n = 0 };
        stale_vfs(&held, snap, cv, run, v.host->name);
        for (size_t i = 0; i < held.n_release; i++)
            step(&s, CCNC_STEP_RELEASE_NIC);
        for (size_t i = 0; nic && i < nic->n_steps; i++)
            step(&s, nic->steps[i].op);
        a = ccnc_action_new_steps(nic ? nic->kind : CCNC_ACTION_ASSIGN, cv->name, v.host->name,
                                  NULL, cv->passthrough, s.op, s.n);
        a->release = held.release;
        a->n_release = held.n_release;
    }
    a->resume_of = ccnc_xstrdup(run->path);
    a->undo = !forward;
    a->on_backup_only = nic ? nic->on_backup_only : false;
    if (run->in_step && forward)
        ccnc_action_add_note(a, _("the run %s stopped during '%s'; it is finished forward"),
                             run->path, run->in_step);
    else if (run->in_step)
        ccnc_action_add_note(a, _("the run %s stopped during '%s'; it is undone"), run->path,
                             run->in_step);
    else if (forward)
        ccnc_action_add_note(a, _("the run %s stopped; it is finished forward"), run->path);
    else
        ccnc_action_add_note(a, _("the run %s stopped; it is undone"), run->path);
    for (size_t i = 0; nic && i < nic->n_notes; i++)
        ccnc_action_add_note(a, "%s", nic->notes[i]);
    for (size_t i = 0; i < a->n_release; i++)
        ccnc_action_add_note(a, _("the VF at %s on %s is reserved for %s and nobody holds it: it "
                                  "is given back"), a->release[i].pci, a->release[i].host,
                             cv->name);
    if (a->n_steps == 0)
        ccnc_action_add_note(a, _("%s is as it should be: only the record is closed"), cv->name);
    ccnc_action_free(nic);
    return a;
}

bool
ccnc_vm_settled_on(const struct ccnc_snapshot *snap, const struct ccnc_lab_vm *cv,
                   const char *host)
{
    struct ccnc_vm_nic_view v;

    ccnc_vm_nic_view_get(snap, cv, &v);
    return v.host && v.vm && ccnc_streq(v.host->name, host) &&
           v.vm->state == CCNC_VM_RUNNING && v.vm->job == CCNC_VM_JOB_NONE && v.bond_known &&
           (cv->passthrough_kind == CCNC_PASSTHROUGH_NONE || v.on_passthrough);
}
