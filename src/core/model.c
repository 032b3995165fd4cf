/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Snapshots of the lab and the host parts they share (include/ccnc/model.h):
 * building, copying, reference counting and lookups. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ccnc/model.h>

#include "core/i18n.h"

/* --- names ---------------------------------------------------------------- */

static const char *const conn_names[CCNC_CONN_LAST] = {
    "connected", "connecting", "unreachable", "auth-failed",
    "hostkey-unknown", "hostkey-changed",
};
static const char *const bond_mode_names[CCNC_BOND_MODE_LAST] = {
    "balance-rr", "active-backup", "balance-xor", "broadcast",
    "802.3ad", "balance-tlb", "balance-alb",
};
static const char *const slave_state_names[CCNC_SLAVE_LAST] = { "active", "backup" };
static const char *const nic_role_names[CCNC_NIC_ROLE_LAST] = {
    "passthrough", "backup", "other",
};
static const char *const vm_state_names[CCNC_VM_LAST] = {
    "nostate", "running", "blocked", "paused", "shutdown", "shutoff",
    "crashed", "pmsuspended",
};
static const char *const vm_job_names[CCNC_VM_JOB_LAST] = {
    "none", "migration-out", "migration-in", "other",
};

#define NAME_FUNCS(fn, type, table, last)                                     \
    const char *ccnc_##fn##_to_string(type v)                                 \
    {                                                                         \
        return ccnc_enum_to_string(table, (last), (int)v, NULL);              \
    }                                                                         \
    int ccnc_##fn##_from_string(const char *s)                                \
    {                                                                         \
        return ccnc_enum_from_string(table, (last), s);                       \
    }

/* The same names for people, translated (the ones above are the JSON's). */
static const char *const vm_state_texts[CCNC_VM_LAST] = {
    N_("no state"), N_("running"), N_("blocked"), N_("paused"), N_("shutting down"),
    N_("shut off"), N_("crashed"), N_("suspended"),
};
static const char *const slave_state_texts[CCNC_SLAVE_LAST] = { N_("active"), N_("backup") };

const char *
ccnc_vm_state_text(enum ccnc_vm_state s)
{
    return _(ccnc_enum_to_string(vm_state_texts, CCNC_VM_LAST, (int)s, N_("unknown")));
}

const char *
ccnc_slave_state_text(enum ccnc_slave_state s)
{
    return _(ccnc_enum_to_string(slave_state_texts, CCNC_SLAVE_LAST, (int)s, N_("unknown")));
}

NAME_FUNCS(conn_state, enum ccnc_conn_state, conn_names, CCNC_CONN_LAST)
NAME_FUNCS(bond_mode, int, bond_mode_names, CCNC_BOND_MODE_LAST)
NAME_FUNCS(slave_state, enum ccnc_slave_state, slave_state_names, CCNC_SLAVE_LAST)
NAME_FUNCS(nic_role, enum ccnc_nic_role, nic_role_names, CCNC_NIC_ROLE_LAST)
NAME_FUNCS(vm_state, enum ccnc_vm_state, vm_state_names, CCNC_VM_LAST)
NAME_FUNCS(vm_job, enum ccnc_vm_job, vm_job_names, CCNC_VM_JOB_LAST)

/* --- freeing --------------------------------------------------------------- */

void
ccnc_nic_clear(struct ccnc_nic *n)
{
    free(n->pci); free(n->vendor); free(n->device); free(n->driver);
    free(n->netdev); free(n->pf); free(n->error);
}

static void
vf_clear(struct ccnc_vf *vf)
{
    free(vf->pci); free(vf->mac); free(vf->link_state); free(vf->vm);
}

void
ccnc_link_clear(struct ccnc_link *l)
{
    free(l->name); free(l->kind); free(l->mac); free(l->operstate); free(l->master);
    for (size_t i = 0; i < l->n_vfs; i++)
        vf_clear(&l->vfs[i]);
    free(l->vfs);
}

void
ccnc_bond_clear(struct ccnc_bond *b)
{
    if (!b)
        return;
    free(b->name); free(b->primary); free(b->active_slave); free(b->mii_status);
    for (size_t i = 0; i < b->n_slaves; i++) {
        free(b->slaves[i].name);
        free(b->slaves[i].mii_status);
        free(b->slaves[i].perm_hwaddr);
    }
    free(b->slaves);
    memset(b, 0, sizeof(*b));
}

void
ccnc_bond_free(struct ccnc_bond *b)
{
    ccnc_bond_clear(b);
    free(b);
}

static void
export_clear(struct ccnc_export *e)
{
    free(e->path); free(e->clients); free(e->options);
}

static void
vm_nic_clear(struct ccnc_vm_nic *n)
{
    free(n->mac); free(n->model); free(n->type); free(n->pci);
    free(n->target); free(n->alias); free(n->source); free(n->guest_name);
    if (n->teaming) {
        free(n->teaming->type);
        free(n->teaming->persistent);
        free(n->teaming->partner_alias);
        free(n->teaming->partner_mac);
        free(n->teaming->partner_pci);
        free(n->teaming);
    }
}

void
ccnc_lease_free(struct ccnc_lease *l)
{
    if (!l)
        return;
    free(l->run);
    free(l->by);
    free(l);
}

struct ccnc_lease *
ccnc_lease_dup(const struct ccnc_lease *l)
{
    struct ccnc_lease *d;

    if (!l)
        return NULL;
    d = ccnc_xcalloc(1, sizeof(*d));
    d->run = ccnc_xstrdup(l->run);
    d->by = ccnc_xstrdup(l->by);
    d->since_ms = l->since_ms;
    d->expires_ms = l->expires_ms;
    return d;
}

void
ccnc_vm_clear(struct ccnc_vm *vm)
{
    free(vm->name); free(vm->uuid);
    for (size_t i = 0; i < vm->n_disks; i++)
        free(vm->disks[i]);
    free(vm->disks);
    for (size_t i = 0; i < vm->n_nics; i++)
        vm_nic_clear(&vm->nics[i]);
    free(vm->nics);
    ccnc_bond_free(vm->bond);
    ccnc_lease_free(vm->lease);
}

void
ccnc_host_clear_inventory(struct ccnc_host *h)
{
    for (size_t i = 0; i < h->n_nics; i++)
        ccnc_nic_clear(&h->nics[i]);
    for (size_t i = 0; i < h->n_links; i++)
        ccnc_link_clear(&h->links[i]);
    for (size_t i = 0; i < h->n_bonds; i++)
        ccnc_bond_clear(&h->bonds[i]);
    for (size_t i = 0; i < h->n_exports; i++)
        export_clear(&h->exports[i]);
    for (size_t i = 0; i < h->n_vms; i++)
        ccnc_vm_clear(&h->vms[i]);
    free(h->nics); free(h->links); free(h->bonds); free(h->exports); free(h->vms);
    h->nics = NULL; h->links = NULL; h->bonds = NULL; h->exports = NULL; h->vms = NULL;
    h->n_nics = h->n_links = h->n_bonds = h->n_exports = h->n_vms = 0;
}

static void
host_free(struct ccnc_host *h)
{
    ccnc_host_clear_inventory(h);
    free(h->name); free(h->label); free(h->address); free(h->error);
    free(h->hostkey_sha256); free(h->agent_version); free(h->libvirt_error);
    free(h);
}

/* --- building -------------------------------------------------------------- */

struct ccnc_host *
ccnc_host_new(const char *name, const char *label, const char *address,
              enum ccnc_host_role role)
{
    struct ccnc_host *h = ccnc_xcalloc(1, sizeof(*h));

    h->refs = 1;
    h->name = ccnc_xstrdup(name);
    h->label = ccnc_xstrdup(label ? label : name);
    h->address = ccnc_xstrdup(address);
    h->role = role;
    h->connection = CCNC_CONN_CONNECTING;
    h->stale = true;
    h->libvirt = CCNC_UNKNOWN;
    h->mem_total_kib = h->mem_free_kib = CCNC_UNKNOWN;
    return h;
}

struct ccnc_host *
ccnc_host_ref(struct ccnc_host *h)
{
    if (h)
        __atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
    return h;
}

void
ccnc_host_unref(struct ccnc_host *h)
{
    if (h && __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) == 0)
        host_free(h);
}

void
ccnc_nic_init(struct ccnc_nic *n)
{
    memset(n, 0, sizeof(*n));
    n->vendor_id = n->device_id = n->iommu_group = CCNC_UNKNOWN;
    n->sriov = (struct ccnc_sriov){ CCNC_UNKNOWN, CCNC_UNKNOWN, CCNC_UNKNOWN, CCNC_UNKNOWN,
                                    CCNC_UNKNOWN };
}

struct ccnc_nic *
ccnc_host_add_nic(struct ccnc_host *h)
{
    struct ccnc_nic *x = ccnc_array_push(&h->nics, &h->n_nics, NULL, sizeof(*x));

    ccnc_nic_init(x);
    return x;
}

void
ccnc_link_init(struct ccnc_link *l)
{
    memset(l, 0, sizeof(*l));
    l->ifindex = l->mtu = l->carrier = l->speed_mbps = CCNC_UNKNOWN;
    l->rx_bps = l->tx_bps = CCNC_UNKNOWN;
}

struct ccnc_link *
ccnc_host_add_link(struct ccnc_host *h)
{
    struct ccnc_link *x = ccnc_array_push(&h->links, &h->n_links, NULL, sizeof(*x));

    ccnc_link_init(x);
    return x;
}

void
ccnc_bond_init(struct ccnc_bond *b)
{
    memset(b, 0, sizeof(*b));
    b->mode = b->miimon_ms = b->updelay_ms = b->downdelay_ms = b->arp_interval_ms =
        CCNC_UNKNOWN;
}

struct ccnc_bond *
ccnc_host_add_bond(struct ccnc_host *h)
{
    struct ccnc_bond *b;

    b = ccnc_array_push(&h->bonds, &h->n_bonds, NULL, sizeof(*b));
    ccnc_bond_init(b);
    return b;
}

struct ccnc_export *
ccnc_host_add_export(struct ccnc_host *h)
{
    struct ccnc_export *e;

    e = ccnc_array_push(&h->exports, &h->n_exports, NULL, sizeof(*e));
    e->free_bytes = CCNC_UNKNOWN;
    return e;
}

void
ccnc_vm_init(struct ccnc_vm *vm)
{
    memset(vm, 0, sizeof(*vm));
    vm->memory_kib = CCNC_UNKNOWN;
    vm->vcpus = CCNC_UNKNOWN;
}

struct ccnc_vm *
ccnc_host_add_vm(struct ccnc_host *h)
{
    struct ccnc_vm *x = ccnc_array_push(&h->vms, &h->n_vms, NULL, sizeof(*x));

    ccnc_vm_init(x);
    return x;
}

struct ccnc_vf *
ccnc_link_add_vf(struct ccnc_link *l)
{
    struct ccnc_vf *vf;

    vf = ccnc_array_push(&l->vfs, &l->n_vfs, NULL, sizeof(*vf));
    vf->spoofchk = vf->trust = CCNC_UNKNOWN;
    return vf;
}

struct ccnc_bond_slave *
ccnc_bond_add_slave(struct ccnc_bond *b)
{
    struct ccnc_bond_slave *s;

    s = ccnc_array_push(&b->slaves, &b->n_slaves, NULL, sizeof(*s));
    s->state = CCNC_SLAVE_BACKUP;
    s->speed_mbps = CCNC_UNKNOWN;
    return s;
}

struct ccnc_vm_nic *
ccnc_vm_add_nic(struct ccnc_vm *vm)
{
    struct ccnc_vm_nic *n;

    n = ccnc_array_push(&vm->nics, &vm->n_nics, NULL, sizeof(*n));
    n->role = CCNC_NIC_ROLE_OTHER;
    n->rx_bytes = n->tx_bytes = n->rx_bps = n->tx_bps = CCNC_UNKNOWN;
    return n;
}

/* --- copying --------------------------------------------------------------- */

#define DUP(field) (d->field = ccnc_xstrdup(s->field))

void
ccnc_bond_copy(struct ccnc_bond *d, const struct ccnc_bond *s)
{
    *d = *s;
    DUP(name); DUP(primary); DUP(active_slave); DUP(mii_status);
    d->slaves = NULL;
    d->n_slaves = 0;
    for (size_t i = 0; i < s->n_slaves; i++) {
        struct ccnc_bond_slave *ds = ccnc_bond_add_slave(d);
        *ds = s->slaves[i];
        ds->name = ccnc_xstrdup(s->slaves[i].name);
        ds->mii_status = ccnc_xstrdup(s->slaves[i].mii_status);
        ds->perm_hwaddr = ccnc_xstrdup(s->slaves[i].perm_hwaddr);
    }
}

static void
nic_copy(struct ccnc_nic *d, const struct ccnc_nic *s)
{
    *d = *s;
    DUP(pci); DUP(vendor); DUP(device); DUP(driver); DUP(netdev); DUP(pf); DUP(error);
}

static void
link_copy(struct ccnc_link *d, const struct ccnc_link *s)
{
    *d = *s;
    DUP(name); DUP(kind); DUP(mac); DUP(operstate); DUP(master);
    d->vfs = NULL;
    d->n_vfs = 0;
    for (size_t i = 0; i < s->n_vfs; i++) {
        struct ccnc_vf *vf = ccnc_link_add_vf(d);
        *vf = s->vfs[i];
        vf->pci = ccnc_xstrdup(s->vfs[i].pci);
        vf->mac = ccnc_xstrdup(s->vfs[i].mac);
        vf->link_state = ccnc_xstrdup(s->vfs[i].link_state);
        vf->vm = ccnc_xstrdup(s->vfs[i].vm);
    }
}

static void
export_copy(struct ccnc_export *d, const struct ccnc_export *s)
{
    *d = *s;
    DUP(path); DUP(clients); DUP(options);
}

static void
vm_copy(struct ccnc_vm *d, const struct ccnc_vm *s)
{
    *d = *s;
    DUP(name); DUP(uuid);
    d->lease = ccnc_lease_dup(s->lease);
    d->disks = NULL;
    if (s->disks) {
        d->disks = ccnc_xcalloc(s->n_disks + 1, sizeof(char *));
        for (size_t i = 0; i < s->n_disks; i++)
            d->disks[i] = ccnc_xstrdup(s->disks[i]);
    }
    d->nics = NULL;
    d->n_nics = 0;
    for (size_t i = 0; i < s->n_nics; i++) {
        const struct ccnc_vm_nic *sn = &s->nics[i];
        struct ccnc_vm_nic *dn = ccnc_vm_add_nic(d);
        *dn = *sn;
        dn->mac = ccnc_xstrdup(sn->mac);
        dn->model = ccnc_xstrdup(sn->model);
        dn->type = ccnc_xstrdup(sn->type);
        dn->pci = ccnc_xstrdup(sn->pci);
        dn->target = ccnc_xstrdup(sn->target);
        dn->alias = ccnc_xstrdup(sn->alias);
        dn->source = ccnc_xstrdup(sn->source);
        dn->guest_name = ccnc_xstrdup(sn->guest_name);
        if (sn->teaming) {
            dn->teaming = ccnc_xcalloc(1, sizeof(*dn->teaming));
            dn->teaming->type = ccnc_xstrdup(sn->teaming->type);
            dn->teaming->persistent = ccnc_xstrdup(sn->teaming->persistent);
            dn->teaming->partner_alias = ccnc_xstrdup(sn->teaming->partner_alias);
            dn->teaming->partner_mac = ccnc_xstrdup(sn->teaming->partner_mac);
            dn->teaming->partner_pci = ccnc_xstrdup(sn->teaming->partner_pci);
        }
    }
    if (s->bond) {
        d->bond = ccnc_xmalloc(sizeof(*d->bond));
        ccnc_bond_copy(d->bond, s->bond);
    }
}

struct ccnc_host *
ccnc_host_dup(const struct ccnc_host *s)
{
    struct ccnc_host *d = ccnc_xcalloc(1, sizeof(*d));

    *d = *s;
    d->refs = 1;
    DUP(name); DUP(label); DUP(address); DUP(error); DUP(hostkey_sha256);
    DUP(agent_version); DUP(libvirt_error);
    d->nics = NULL; d->links = NULL; d->bonds = NULL; d->exports = NULL; d->vms = NULL;
    d->n_nics = d->n_links = d->n_bonds = d->n_exports = d->n_vms = 0;
    for (size_t i = 0; i < s->n_nics; i++)
        nic_copy(ccnc_host_add_nic(d), &s->nics[i]);
    for (size_t i = 0; i < s->n_links; i++)
        link_copy(ccnc_host_add_link(d), &s->links[i]);
    for (size_t i = 0; i < s->n_bonds; i++)
        ccnc_bond_copy(ccnc_host_add_bond(d), &s->bonds[i]);
    for (size_t i = 0; i < s->n_exports; i++)
        export_copy(ccnc_host_add_export(d), &s->exports[i]);
    for (size_t i = 0; i < s->n_vms; i++)
        vm_copy(ccnc_host_add_vm(d), &s->vms[i]);
    return d;
}

#undef DUP

/* --- lookups --------------------------------------------------------------- */

const struct ccnc_link *
ccnc_host_find_link(const struct ccnc_host *h, const char *name)
{
    for (size_t i = 0; h && i < h->n_links; i++)
        if (ccnc_streq(h->links[i].name, name))
            return &h->links[i];
    return NULL;
}

const struct ccnc_nic *
ccnc_host_find_port(const struct ccnc_host *h, const char *name)
{
    for (size_t i = 0; h && name && i < h->n_nics; i++)
        if (!h->nics[i].is_vf && ccnc_streq(h->nics[i].netdev, name))
            return &h->nics[i];
    return NULL;
}

const struct ccnc_vf *
ccnc_link_find_vf(const struct ccnc_link *l, int index)
{
    for (size_t i = 0; l && i < l->n_vfs; i++)
        if (l->vfs[i].index == index)
            return &l->vfs[i];
    return NULL;
}

const struct ccnc_nic *
ccnc_host_find_nic(const struct ccnc_host *h, const char *pci)
{
    for (size_t i = 0; h && i < h->n_nics; i++)
        if (ccnc_streq(h->nics[i].pci, pci))
            return &h->nics[i];
    return NULL;
}

const struct ccnc_export *
ccnc_host_nfs_mount_for(const struct ccnc_host *h, const char *path)
{
    const struct ccnc_export *best = NULL;
    size_t best_len = 0;

    for (size_t i = 0; h && path && i < h->n_exports; i++) {
        const struct ccnc_export *e = &h->exports[i];
        size_t n = e->path ? strlen(e->path) : 0;
        if (!e->options || strncmp(e->options, "mount,fstype=nfs", 16) != 0 || n == 0)
            continue;
        /* path is the mount point or below it, component-wise */
        if (strncmp(path, e->path, n) != 0 ||
            !(path[n] == '\0' || path[n] == '/' || e->path[n - 1] == '/'))
            continue;
        if (n >= best_len) {
            best = e;
            best_len = n;
        }
    }
    return best;
}

const struct ccnc_vm *
ccnc_host_find_vm(const struct ccnc_host *h, const char *name)
{
    for (size_t i = 0; h && i < h->n_vms; i++)
        if (ccnc_streq(h->vms[i].name, name))
            return &h->vms[i];
    return NULL;
}

/* --- roles ---------------------------------------------------------------- */

static bool
mac_eq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

static bool
is_passthrough(const struct ccnc_vm_nic *n, const struct ccnc_lab_vm *cv)
{
    bool hostdev = ccnc_streq(n->type, "hostdev") || ccnc_streq(n->type, "interface-hostdev");

    switch (cv->passthrough_kind) {
    case CCNC_PASSTHROUGH_PCI:
        return ccnc_streq(n->pci, cv->passthrough);
    case CCNC_PASSTHROUGH_POOL:
        return hostdev && mac_eq(n->mac, cv->passthrough_mac);
    case CCNC_PASSTHROUGH_MODEL:
        return ccnc_streq(n->model, cv->passthrough) && mac_eq(n->mac, cv->passthrough_mac);
    default:
        return false;
    }
}

void
ccnc_vm_apply_roles(struct ccnc_vm *vm, const struct ccnc_lab_vm *cv)
{
    for (size_t i = 0; i < vm->n_nics; i++) {
        struct ccnc_vm_nic *n = &vm->nics[i];

        n->role = CCNC_NIC_ROLE_OTHER;
        if (!cv)
            continue;
        if (is_passthrough(n, cv))
            n->role = CCNC_NIC_ROLE_PASSTHROUGH;
        else if (cv->backup && strncmp(cv->backup, "alias:", 6) == 0
                     ? ccnc_streq(n->alias, cv->backup + 6)
                     : mac_eq(n->mac, cv->backup))
            n->role = CCNC_NIC_ROLE_BACKUP;
    }
}

/* --- teaming --------------------------------------------------------------- */

static bool
teaming_is(const struct ccnc_vm_nic *n, const char *type)
{
    return n->teaming && ccnc_streq(n->teaming->type, type);
}

/* The persistent NIC a transient device's persistent= names, or NULL. */
static const struct ccnc_vm_nic *
persistent_of(const struct ccnc_vm *vm, const struct ccnc_vm_nic *t)
{
    if (!teaming_is(t, "transient") || !t->teaming->persistent)
        return NULL;
    for (size_t i = 0; i < vm->n_nics; i++)
        if (&vm->nics[i] != t && teaming_is(&vm->nics[i], "persistent") &&
            ccnc_streq(vm->nics[i].alias, t->teaming->persistent))
            return &vm->nics[i];
    return NULL;
}

static void
set_partner(struct ccnc_teaming *t, const struct ccnc_vm_nic *p)
{
    free(t->partner_alias);
    free(t->partner_mac);
    free(t->partner_pci);
    t->partner_alias = p ? ccnc_xstrdup(p->alias) : NULL;
    t->partner_mac = p ? ccnc_xstrdup(p->mac) : NULL;
    t->partner_pci = p ? ccnc_xstrdup(p->pci) : NULL;
}

void
ccnc_vm_pair_teaming(struct ccnc_vm *vm)
{
    for (size_t i = 0; i < vm->n_nics; i++) {
        struct ccnc_vm_nic *n = &vm->nics[i];
        const struct ccnc_vm_nic *partner = NULL;

        if (!n->teaming)
            continue;
        if (teaming_is(n, "transient")) {
            partner = persistent_of(vm, n);
        } else if (teaming_is(n, "persistent")) {
            for (size_t j = 0; j < vm->n_nics && !partner; j++)
                if (persistent_of(vm, &vm->nics[j]) == n)
                    partner = &vm->nics[j];
        }
        set_partner(n->teaming, partner);
    }
}

const struct ccnc_vm_nic *
ccnc_vm_failover_nic(const struct ccnc_vm *vm, const struct ccnc_vm_nic **persistent)
{
    for (size_t i = 0; i < vm->n_nics; i++) {
        const struct ccnc_vm_nic *p = persistent_of(vm, &vm->nics[i]);
        if (p) {
            if (persistent)
                *persistent = p;
            return &vm->nics[i];
        }
    }
    if (persistent)
        *persistent = NULL;
    return NULL;
}

/* --- snapshots ------------------------------------------------------------- */

struct ccnc_snapshot *
ccnc_snapshot_new_from_lab(struct ccnc_lab *lab)
{
    struct ccnc_snapshot *snap = ccnc_xcalloc(1, sizeof(*snap));

    snap->refs = 1;
    snap->seq = 1;
    snap->time_ms = ccnc_now_wall_ms();
    snap->lab = ccnc_lab_ref(lab);
    snap->n_hosts = lab->n_hosts;
    snap->hosts = ccnc_xcalloc(lab->n_hosts, sizeof(*snap->hosts));
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const struct ccnc_lab_host *lh = &lab->hosts[i];
        struct ccnc_host *h = ccnc_host_new(lh->name, lh->label, lh->address, lh->role);
        h->error = ccnc_xstrdup(_("not contacted yet"));
        if (ccnc_lab_host_runs_libvirt(lh))
            h->libvirt = CCNC_CONN_CONNECTING;
        snap->hosts[i] = h;
    }
    return snap;
}

struct ccnc_snapshot *
ccnc_snapshot_replace_host(const struct ccnc_snapshot *old, size_t i, struct ccnc_host *host)
{
    struct ccnc_snapshot *snap = ccnc_xcalloc(1, sizeof(*snap));

    snap->refs = 1;
    snap->seq = old->seq + 1;
    snap->time_ms = ccnc_now_wall_ms();
    snap->lab = ccnc_lab_ref(old->lab);
    snap->n_hosts = old->n_hosts;
    snap->hosts = ccnc_xcalloc(old->n_hosts ? old->n_hosts : 1, sizeof(*snap->hosts));
    for (size_t k = 0; k < old->n_hosts; k++)
        snap->hosts[k] = k == i ? host : ccnc_host_ref(old->hosts[k]);
    return snap;
}

struct ccnc_snapshot *
ccnc_snapshot_ref(struct ccnc_snapshot *snap)
{
    if (snap)
        __atomic_add_fetch(&snap->refs, 1, __ATOMIC_RELAXED);
    return snap;
}

void
ccnc_snapshot_unref(struct ccnc_snapshot *snap)
{
    if (!snap || __atomic_sub_fetch(&snap->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < snap->n_hosts; i++)
        ccnc_host_unref(snap->hosts[i]);
    free(snap->hosts);
    ccnc_lab_unref(snap->lab);
    free(snap);
}

int
ccnc_snapshot_find_host(const struct ccnc_snapshot *snap, const char *name)
{
    for (size_t i = 0; snap && i < snap->n_hosts; i++)
        if (ccnc_streq(snap->hosts[i]->name, name))
            return (int)i;
    return -1;
}

const struct ccnc_vm *
ccnc_snapshot_find_vm(const struct ccnc_snapshot *snap, const char *name,
                      const struct ccnc_host **host)
{
    const struct ccnc_vm *found = NULL;
    const struct ccnc_host *found_host = NULL;

    for (size_t i = 0; snap && i < snap->n_hosts; i++) {
        const struct ccnc_vm *vm = ccnc_host_find_vm(snap->hosts[i], name);
        if (!vm)
            continue;
        /* a VM defined on both hosts mid-migration: the live one wins */
        if (!found || vm->state == CCNC_VM_RUNNING || vm->state == CCNC_VM_PAUSED) {
            found = vm;
            found_host = snap->hosts[i];
        }
    }
    if (host)
        *host = found_host;
    return found;
}

long long
ccnc_snapshot_stream_bps(const struct ccnc_snapshot *snap)
{
    const struct ccnc_lab_host *lh = snap ? ccnc_lab_storage_host(snap->lab) : NULL;
    int at = lh ? ccnc_snapshot_find_host(snap, lh->name) : -1;
    const struct ccnc_host *h = at >= 0 ? snap->hosts[at] : NULL;
    long long sum = CCNC_UNKNOWN;

    if (!h || h->stale || h->connection != CCNC_CONN_CONNECTED)
        return CCNC_UNKNOWN;
    /* a bond's or a bridge's own figures hold its slaves' and ports'
     * (counted once, at the top), a VLAN's its parent's */
    for (size_t i = 0; i < h->n_links; i++)
        if (h->links[i].tx_bps >= 0 && !h->links[i].master &&
            !ccnc_streq(h->links[i].kind, "vlan"))
            sum = (sum < 0 ? 0 : sum) + h->links[i].tx_bps;
    return sum;
}
