/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What changed between two snapshots, as a list of events for the log, the
 * UI and the run files. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/model.h>

#include "core/i18n.h"

static const char *const event_names[CCNC_EV_LAST] = {
    "host-connection", "nic-added", "nic-removed", "nic-changed",
    "link-added", "link-removed", "link-changed", "vf-changed",
    "bond-added", "bond-removed", "bond-failover", "bond-changed",
    "export-added", "export-removed", "export-changed",
    "vm-added", "vm-removed", "vm-state", "vm-nic-added", "vm-nic-removed",
    "vm-bond-failover", "vm-bond-changed", "host-libvirt", "fdb-learned", "fdb-gone",
};

const char *
ccnc_event_kind_to_string(enum ccnc_event_kind kind)
{
    return ccnc_enum_to_string(event_names, CCNC_EV_LAST, (int)kind, "?");
}

static void
emit(struct ccnc_event_list *out, enum ccnc_event_kind kind, const char *host,
     const char *object, const char *before, const char *after)
{
    struct ccnc_event *ev = ccnc_array_push(&out->events, &out->n, &out->cap, sizeof(*ev));

    ev->kind = kind;
    ev->host = ccnc_xstrdup(host);
    ev->object = ccnc_xstrdup(object);
    ev->before = ccnc_xstrdup(before);
    ev->after = ccnc_xstrdup(after);
}

void
ccnc_event_list_clear(struct ccnc_event_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->events[i].host);
        free(list->events[i].object);
        free(list->events[i].before);
        free(list->events[i].after);
    }
    free(list->events);
    memset(list, 0, sizeof(*list));
}

#define S(a, b) ccnc_streq((a), (b))

static bool
nic_equal(const struct ccnc_nic *a, const struct ccnc_nic *b)
{
    return a->vendor_id == b->vendor_id && a->device_id == b->device_id &&
           S(a->driver, b->driver) && S(a->netdev, b->netdev) &&
           a->iommu_group == b->iommu_group && a->is_vf == b->is_vf && S(a->pf, b->pf) &&
           a->has_sriov == b->has_sriov &&
           memcmp(&a->sriov, &b->sriov, sizeof(a->sriov)) == 0 && S(a->error, b->error);
}

static bool
vf_equal(const struct ccnc_vf *a, const struct ccnc_vf *b)
{
    return a->index == b->index && S(a->pci, b->pci) && S(a->mac, b->mac) &&
           a->vlan == b->vlan && a->qos == b->qos && a->max_tx_rate == b->max_tx_rate &&
           a->min_tx_rate == b->min_tx_rate && a->spoofchk == b->spoofchk &&
           a->trust == b->trust && S(a->link_state, b->link_state) && S(a->vm, b->vm);
}

/* Text for a link's state, used as before/after of link-changed. */
static char *
link_text(const struct ccnc_link *l)
{
    return ccnc_xasprintf("%s%s mtu %d%s%s", l->operstate ? l->operstate : "?",
                          l->carrier == 0 ? " no-carrier" : "", l->mtu,
                          l->master ? " master " : "", l->master ? l->master : "");
}

/* Text for a VF's state, used as before/after of vf-changed: its MAC, and
 * its VLAN and holder when it has them ("... vlan 201 svm1"). */
static char *
vf_text(const struct ccnc_vf *v)
{
    char vlan[24] = "";

    if (v->vlan > 0)
        snprintf(vlan, sizeof(vlan), " vlan %d", v->vlan);
    return ccnc_xasprintf("%s%s%s%s%s", v->mac ? v->mac : "?", vlan, v->vm ? " " : "",
                          v->vm ? v->vm : "", v->vm && v->reserved ? " (reserved)" : "");
}

static bool
link_equal(const struct ccnc_link *a, const struct ccnc_link *b)
{
    return a->ifindex == b->ifindex && S(a->kind, b->kind) && S(a->mac, b->mac) &&
           a->mtu == b->mtu && S(a->operstate, b->operstate) && a->carrier == b->carrier &&
           a->speed_mbps == b->speed_mbps && S(a->master, b->master);
}

static bool
slave_equal(const struct ccnc_bond_slave *a, const struct ccnc_bond_slave *b)
{
    return S(a->name, b->name) && a->state == b->state && S(a->mii_status, b->mii_status) &&
           a->link_failures == b->link_failures && a->speed_mbps == b->speed_mbps &&
           S(a->perm_hwaddr, b->perm_hwaddr);
}

static bool
bond_equal_but_active(const struct ccnc_bond *a, const struct ccnc_bond *b)
{
    if (a->mode != b->mode || !S(a->primary, b->primary) ||
        !S(a->mii_status, b->mii_status) || a->miimon_ms != b->miimon_ms ||
        a->updelay_ms != b->updelay_ms || a->downdelay_ms != b->downdelay_ms ||
        a->arp_interval_ms != b->arp_interval_ms || a->n_slaves != b->n_slaves)
        return false;
    for (size_t i = 0; i < a->n_slaves; i++) {
        struct ccnc_bond_slave sa = a->slaves[i], sb = b->slaves[i];
        /* the slaves' active/backup flags follow the active slave */
        sa.state = sb.state;
        if (!slave_equal(&sa, &sb))
            return false;
    }
    return true;
}

static char *
bond_text(const struct ccnc_bond *b)
{
    char *s = ccnc_xasprintf("%s", b->mii_status ? b->mii_status : "?");

    for (size_t i = 0; i < b->n_slaves; i++) {
        char *n = ccnc_xasprintf("%s %s:%s", s, b->slaves[i].name,
                                 b->slaves[i].mii_status ? b->slaves[i].mii_status : "?");
        free(s);
        s = n;
    }
    return s;
}

static void
bond_diff(const struct ccnc_bond *a, const struct ccnc_bond *b, const char *host,
          const char *object, enum ccnc_event_kind failover, enum ccnc_event_kind changed,
          struct ccnc_event_list *out)
{
    if (!S(a->active_slave, b->active_slave))
        emit(out, failover, host, object, a->active_slave ? a->active_slave : "none",
             b->active_slave ? b->active_slave : "none");
    if (!bond_equal_but_active(a, b)) {
        char *ta = bond_text(a), *tb = bond_text(b);
        emit(out, changed, host, object, ta, tb);
        free(ta);
        free(tb);
    }
}

/* Free space is a gauge, shown in the snapshot, not a change to log. */
static bool
export_equal(const struct ccnc_export *a, const struct ccnc_export *b)
{
    return S(a->clients, b->clients) && S(a->options, b->options);
}

static const struct ccnc_vm_nic *
vm_find_nic(const struct ccnc_vm *vm, const struct ccnc_vm_nic *like)
{
    for (size_t i = 0; i < vm->n_nics; i++)
        if (S(vm->nics[i].mac, like->mac) && S(vm->nics[i].alias, like->alias))
            return &vm->nics[i];
    return NULL;
}

static char *
nic_object(const struct ccnc_vm *vm, const struct ccnc_vm_nic *n)
{
    return ccnc_xasprintf("%s/%s", vm->name, n->mac ? n->mac : n->alias ? n->alias : "?");
}

static void
vm_diff(const struct ccnc_vm *a, const struct ccnc_vm *b, const char *host,
        struct ccnc_event_list *out)
{
    if (a->state != b->state || a->job != b->job) {
        /* "running" or "running, migration-out" */
        char *was = a->job ? ccnc_xasprintf("%s, %s", ccnc_vm_state_to_string(a->state),
                                            ccnc_vm_job_to_string(a->job))
                           : ccnc_xstrdup(ccnc_vm_state_to_string(a->state));
        char *is = b->job ? ccnc_xasprintf("%s, %s", ccnc_vm_state_to_string(b->state),
                                           ccnc_vm_job_to_string(b->job))
                          : ccnc_xstrdup(ccnc_vm_state_to_string(b->state));
        emit(out, CCNC_EV_VM_STATE, host, b->name, was, is);
        free(was);
        free(is);
    }
    for (size_t i = 0; i < b->n_nics; i++) {
        if (!vm_find_nic(a, &b->nics[i])) {
            char *o = nic_object(b, &b->nics[i]);
            emit(out, CCNC_EV_VM_NIC_ADDED, host, o, NULL,
                 ccnc_nic_role_to_string(b->nics[i].role));
            free(o);
        }
    }
    for (size_t i = 0; i < a->n_nics; i++) {
        if (!vm_find_nic(b, &a->nics[i])) {
            char *o = nic_object(a, &a->nics[i]);
            emit(out, CCNC_EV_VM_NIC_REMOVED, host, o,
                 ccnc_nic_role_to_string(a->nics[i].role), NULL);
            free(o);
        }
    }
    if (a->bond && b->bond) {
        char *o = ccnc_xasprintf("%s/%s", b->name, b->bond->name ? b->bond->name : "bond");
        bond_diff(a->bond, b->bond, host, o, CCNC_EV_VM_BOND_FAILOVER,
                  CCNC_EV_VM_BOND_CHANGED, out);
        free(o);
    } else if (!a->bond != !b->bond || a->bond_stale != b->bond_stale) {
        emit(out, CCNC_EV_VM_BOND_CHANGED, host, b->name,
             a->bond ? (a->bond_stale ? "stale" : "known") : "unknown",
             b->bond ? (b->bond_stale ? "stale" : "known") : "unknown");
    }
}

/* Match elements of two arrays by a string key and call the right arm.
 * Written as a macro so that each element type keeps its own type. */
#define DIFF_BY_KEY(A, NA, B, NB, KEY, ON_ADD, ON_DEL, ON_BOTH)                \
    do {                                                                       \
        for (size_t bi_ = 0; bi_ < (NB); bi_++) {                              \
            const __typeof__((B)[0]) *y = &(B)[bi_];                           \
            const __typeof__((A)[0]) *x = NULL;                                \
            for (size_t ai_ = 0; ai_ < (NA); ai_++)                            \
                if (S((A)[ai_].KEY, y->KEY))                                   \
                    x = &(A)[ai_];                                             \
            if (!x) { ON_ADD; } else { ON_BOTH; }                              \
        }                                                                      \
        for (size_t ai_ = 0; ai_ < (NA); ai_++) {                              \
            const __typeof__((A)[0]) *x = &(A)[ai_];                           \
            bool found_ = false;                                               \
            for (size_t bi_ = 0; bi_ < (NB); bi_++)                            \
                if (S((B)[bi_].KEY, x->KEY))                                   \
                    found_ = true;                                             \
            if (!found_) { ON_DEL; }                                           \
        }                                                                      \
    } while (0)

static const struct ccnc_host empty_host;

void
ccnc_host_diff(const struct ccnc_host *a, const struct ccnc_host *b, const char *host,
               struct ccnc_event_list *out)
{
    if (!a)
        a = &empty_host;
    if (!b)
        b = &empty_host;
    if (a != &empty_host && b != &empty_host &&
        (a->connection != b->connection || a->stale != b->stale || !S(a->error, b->error) ||
         a->hostkey_question != b->hostkey_question ||
         a->passphrase_question != b->passphrase_question)) {
        char *ta = ccnc_xasprintf("%s%s", ccnc_conn_state_to_string(a->connection),
                                  a->stale ? " stale" : "");
        char *tb = ccnc_xasprintf("%s%s", ccnc_conn_state_to_string(b->connection),
                                  b->stale ? " stale" : "");
        emit(out, CCNC_EV_HOST_CONNECTION, host, host, ta, tb);
        free(ta);
        free(tb);
    }

    if (a != &empty_host && b != &empty_host &&
        (a->libvirt != b->libvirt || !S(a->libvirt_error, b->libvirt_error))) {
        const char *la = a->libvirt == CCNC_UNKNOWN ? "none" : ccnc_conn_state_to_string(a->libvirt);
        const char *lb = b->libvirt == CCNC_UNKNOWN ? "none" : ccnc_conn_state_to_string(b->libvirt);
        /* the state, and after it why ("connecting: no answer in 20 s...") */
        char *tb = b->libvirt_error ? ccnc_xasprintf("%s: %s", lb, b->libvirt_error)
                                    : ccnc_xstrdup(lb);

        emit(out, CCNC_EV_HOST_LIBVIRT, host, host, la, tb);
        free(tb);
    }

    DIFF_BY_KEY(a->nics, a->n_nics, b->nics, b->n_nics, pci,
                emit(out, CCNC_EV_NIC_ADDED, host, y->pci, NULL, y->netdev),
                emit(out, CCNC_EV_NIC_REMOVED, host, x->pci, x->netdev, NULL),
                if (!nic_equal(x, y))
                    emit(out, CCNC_EV_NIC_CHANGED, host, y->pci, x->driver, y->driver));

    DIFF_BY_KEY(a->links, a->n_links, b->links, b->n_links, name,
                emit(out, CCNC_EV_LINK_ADDED, host, y->name, NULL, y->operstate),
                emit(out, CCNC_EV_LINK_REMOVED, host, x->name, x->operstate, NULL),
                {
                    if (!link_equal(x, y)) {
                        char *ta = link_text(x);
                        char *tb = link_text(y);
                        emit(out, CCNC_EV_LINK_CHANGED, host, y->name, ta, tb);
                        free(ta);
                        free(tb);
                    }
                    for (size_t v = 0; v < y->n_vfs || v < x->n_vfs; v++) {
                        if (v < y->n_vfs && v < x->n_vfs && vf_equal(&x->vfs[v], &y->vfs[v]))
                            continue;
                        char *o = ccnc_xasprintf("%s/vf%zu", y->name, v);
                        char *ta = v < x->n_vfs ? vf_text(&x->vfs[v]) : NULL;
                        char *tb = v < y->n_vfs ? vf_text(&y->vfs[v]) : NULL;
                        emit(out, CCNC_EV_VF_CHANGED, host, o, ta, tb);
                        free(o);
                        free(ta);
                        free(tb);
                    }
                });

    DIFF_BY_KEY(a->bonds, a->n_bonds, b->bonds, b->n_bonds, name,
                emit(out, CCNC_EV_BOND_ADDED, host, y->name, NULL, y->active_slave),
                emit(out, CCNC_EV_BOND_REMOVED, host, x->name, x->active_slave, NULL),
                bond_diff(x, y, host, y->name, CCNC_EV_BOND_FAILOVER, CCNC_EV_BOND_CHANGED,
                          out));

    DIFF_BY_KEY(a->exports, a->n_exports, b->exports, b->n_exports, path,
                emit(out, CCNC_EV_EXPORT_ADDED, host, y->path, NULL, y->clients),
                emit(out, CCNC_EV_EXPORT_REMOVED, host, x->path, x->clients, NULL),
                if (!export_equal(x, y))
                    emit(out, CCNC_EV_EXPORT_CHANGED, host, y->path, x->options, y->options));

    DIFF_BY_KEY(a->vms, a->n_vms, b->vms, b->n_vms, name,
                emit(out, CCNC_EV_VM_ADDED, host, y->name, NULL,
                     ccnc_vm_state_to_string(y->state)),
                emit(out, CCNC_EV_VM_REMOVED, host, x->name,
                     ccnc_vm_state_to_string(x->state), NULL),
                vm_diff(x, y, host, out));
}

void
ccnc_snapshot_diff(const struct ccnc_snapshot *a, const struct ccnc_snapshot *b,
                   struct ccnc_event_list *out)
{
    const struct ccnc_snapshot *names = b ? b : a;

    if (!names)
        return;
    for (size_t i = 0; i < names->n_hosts; i++) {
        const char *name = names->hosts[i]->name;
        int ia = a ? ccnc_snapshot_find_host(a, name) : -1;
        int ib = b ? ccnc_snapshot_find_host(b, name) : -1;
        const struct ccnc_host *ha = ia >= 0 ? a->hosts[ia] : NULL;
        const struct ccnc_host *hb = ib >= 0 ? b->hosts[ib] : NULL;

        if (ha == hb)
            continue; /* shared host part: nothing changed */
        ccnc_host_diff(ha, hb, name, out);
    }
}

char *
ccnc_event_format(const struct ccnc_event *ev)
{
    const char *before = ev->before ? ev->before : "-";
    const char *after = ev->after ? ev->after : "-";

    switch (ev->kind) {
    case CCNC_EV_BOND_FAILOVER:
    case CCNC_EV_VM_BOND_FAILOVER:
        /* TRANSLATORS: "sys1: vm1/bond0 active slave eth0 -> eth1" */
        return ccnc_xasprintf(_("%s: %s active slave %s -> %s"), ev->host, ev->object,
                              before, after);
    case CCNC_EV_HOST_CONNECTION:
        return ccnc_xasprintf(_("%s: connection %s -> %s"), ev->host, before, after);
    case CCNC_EV_HOST_LIBVIRT:
        if (strncmp(after, before, strlen(before)) == 0 && after[strlen(before)] == ':')
            /* the same state, said again with why: "libvirt connecting: ..." */
            return ccnc_xasprintf(_("%s: libvirt %s"), ev->host, after);
        return ccnc_xasprintf(_("%s: libvirt %s -> %s"), ev->host, before, after);
    case CCNC_EV_VM_STATE:
        return ccnc_xasprintf(_("%s: VM %s %s -> %s"), ev->host, ev->object, before, after);
    case CCNC_EV_FDB_LEARNED:
        /* TRANSLATORS: "sys2: bridge br-pt learned vm1/52:54:00:77:01:01 on vnet11" */
        return ccnc_xasprintf(_("%s: bridge %s learned %s on %s"), ev->host, before,
                              ev->object, after);
    case CCNC_EV_FDB_GONE:
        /* TRANSLATORS: "sys1: bridge br-pt forgot vm1/52:54:00:77:01:01 (on vnet3)" */
        return ccnc_xasprintf(_("%s: bridge %s forgot %s (on %s)"), ev->host, before,
                              ev->object, after);
    default:
        return ccnc_xasprintf("%s: %s %s (%s -> %s)", ev->host,
                              ccnc_event_kind_to_string(ev->kind), ev->object, before, after);
    }
}
