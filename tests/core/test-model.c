/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Snapshots: sharing of host parts, reference counts, copies, and the diff
 * that turns two snapshots into change events. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/model.h>

#include "check-ccnc.h"

static struct ccnc_lab *
test_lab(void)
{
    struct ccnc_lab *lab = ccnc_lab_load_builtin();

    ck_assert_ptr_nonnull(lab);
    return lab;
}

/* A host part with one of everything, as a collector would build it. */
static struct ccnc_host *
full_host(const char *name)
{
    struct ccnc_host *h = ccnc_host_new(name, "System1", "10.77.0.11",
                                        CCNC_HOST_ROLE_HYPERVISOR);
    struct ccnc_nic *n;
    struct ccnc_link *l;
    struct ccnc_vf *vf;
    struct ccnc_bond *b;
    struct ccnc_bond_slave *s;
    struct ccnc_vm *vm;
    struct ccnc_vm_nic *vn;
    struct ccnc_export *e;

    h->connection = CCNC_CONN_CONNECTED;
    h->stale = false;
    n = ccnc_host_add_nic(h);
    n->pci = strdup("0000:01:00.0");
    n->vendor_id = 0x8086;
    n->device_id = 0x10c9;
    n->driver = strdup("igb");
    n->netdev = strdup("eth1");
    n->has_sriov = true;
    n->sriov = (struct ccnc_sriov){ 7, 2, 128, 2, 0x10ca };
    l = ccnc_host_add_link(h);
    l->name = strdup("eth1");
    l->operstate = strdup("up");
    l->carrier = 1;
    l->mtu = 1500;
    vf = ccnc_link_add_vf(l);
    vf->index = 0;
    vf->mac = strdup("52:54:00:77:01:01");
    b = ccnc_host_add_bond(h);
    b->name = strdup("bond0");
    b->mode = CCNC_BOND_MODE_ACTIVE_BACKUP;
    b->active_slave = strdup("eth1");
    s = ccnc_bond_add_slave(b);
    s->name = strdup("eth1");
    s->state = CCNC_SLAVE_ACTIVE;
    s->mii_status = strdup("up");
    e = ccnc_host_add_export(h);
    e->path = strdup("/srv/nfs");
    e->free_bytes = 1LL << 40;
    vm = ccnc_host_add_vm(h);
    vm->name = strdup("vm1");
    vm->state = CCNC_VM_RUNNING;
    vn = ccnc_vm_add_nic(vm);
    vn->mac = strdup("52:54:00:77:01:01");
    vn->role = CCNC_NIC_ROLE_PASSTHROUGH;
    vn->teaming = calloc(1, sizeof(*vn->teaming));
    vn->teaming->type = strdup("transient");
    vn->teaming->persistent = strdup("ua-net1");
    vn->teaming->partner_alias = strdup("ua-net1");
    vn->teaming->partner_mac = strdup("52:54:00:77:01:01");
    vm->bond = malloc(sizeof(*vm->bond));
    ccnc_bond_init(vm->bond);
    vm->bond->name = strdup("bond0");
    vm->bond->active_slave = strdup("eth0");
    return h;
}

START_TEST(test_snapshot_from_lab)
{
    struct ccnc_lab *lab = test_lab();
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);

    ck_assert_uint_eq(snap->n_hosts, 3);
    for (size_t i = 0; i < snap->n_hosts; i++) {
        ck_assert_int_eq(snap->hosts[i]->connection, CCNC_CONN_CONNECTING);
        ck_assert(snap->hosts[i]->stale);
        ck_assert_uint_eq(snap->hosts[i]->n_vms, 0);
        ck_assert_uint_eq(snap->hosts[i]->n_links, 0);
    }
    ck_assert_str_eq(snap->hosts[2]->label, "NFS server");
    ck_assert_int_eq(ccnc_snapshot_find_host(snap, "sys2"), 1);
    ck_assert_int_eq(ccnc_snapshot_find_host(snap, "nope"), -1);
    ccnc_lab_unref(lab); /* the snapshot keeps its own reference */
    ck_assert_str_eq(snap->lab->name, "ccnc lab in a box");
    ccnc_snapshot_unref(snap);
}
END_TEST

START_TEST(test_replace_shares)
{
    struct ccnc_lab *lab = test_lab();
    struct ccnc_snapshot *a = ccnc_snapshot_new_from_lab(lab);
    struct ccnc_snapshot *b = ccnc_snapshot_replace_host(a, 0, full_host("sys1"));
    struct ccnc_event_list ev = { 0 };
    static const struct {
        enum ccnc_event_kind kind;
        const char *object;
    } want[] = {
        { CCNC_EV_HOST_CONNECTION, "sys1" }, { CCNC_EV_HOST_LIBVIRT, "sys1" },
        { CCNC_EV_NIC_ADDED, "0000:01:00.0" }, { CCNC_EV_LINK_ADDED, "eth1" },
        { CCNC_EV_BOND_ADDED, "bond0" },       { CCNC_EV_EXPORT_ADDED, "/srv/nfs" },
        { CCNC_EV_VM_ADDED, "vm1" },
    };

    ck_assert_uint_eq(b->seq, a->seq + 1);
    ck_assert_ptr_eq(a->hosts[1], b->hosts[1]);
    ck_assert_ptr_ne(a->hosts[0], b->hosts[0]);
    ck_assert_int_eq(a->hosts[1]->refs, 2);
    ccnc_snapshot_diff(a, b, &ev);
    /* only sys1 changed: connection, and everything it now has */
    ck_assert_uint_eq(ev.n, CCNC_ARRAY_SIZE(want));
    for (size_t i = 0; i < ev.n; i++) {
        ck_assert_msg(ev.events[i].kind == want[i].kind, "event %zu: %s", i,
                      ccnc_event_kind_to_string(ev.events[i].kind));
        ck_assert_str_eq(ev.events[i].host, "sys1");
        ck_assert_str_eq(ev.events[i].object, want[i].object);
    }
    ck_assert_str_eq(ev.events[0].before, "connecting stale");
    ck_assert_str_eq(ev.events[0].after, "connected");
    ccnc_event_list_clear(&ev);
    ccnc_snapshot_unref(a);
    ck_assert_int_eq(b->hosts[1]->refs, 1);
    ccnc_snapshot_unref(b);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_dup_is_deep_and_equal)
{
    struct ccnc_host *a = full_host("sys1");
    struct ccnc_host *b = ccnc_host_dup(a);
    struct ccnc_event_list ev = { 0 };

    ck_assert_ptr_ne(a->nics[0].pci, b->nics[0].pci);
    ck_assert_str_eq(b->vms[0].nics[0].teaming->type, "transient");
    ck_assert_str_eq(b->vms[0].nics[0].teaming->partner_alias, "ua-net1");
    ck_assert_ptr_ne(b->vms[0].nics[0].teaming->partner_alias,
                     a->vms[0].nics[0].teaming->partner_alias);
    ck_assert_str_eq(b->vms[0].nics[0].teaming->partner_mac, "52:54:00:77:01:01");
    ck_assert_ptr_null(b->vms[0].nics[0].teaming->partner_pci);
    ck_assert_ptr_ne(a->vms[0].bond, b->vms[0].bond);
    ccnc_host_diff(a, b, "sys1", &ev);
    ck_assert_uint_eq(ev.n, 0);
    ccnc_host_unref(a);
    ccnc_host_unref(b);
}
END_TEST

/* One change each, and the single event it must give. */
enum mutation {
    M_CONN, M_LINK_DOWN, M_LINK_GONE, M_LINK_NEW, M_VF_MAC, M_BOND_FAILOVER,
    M_BOND_SLAVE_DOWN, M_VM_STATE, M_VM_GONE, M_VM_NIC_GONE, M_VM_BOND_FAILOVER,
    M_NIC_DRIVER, M_NIC_GONE, M_EXPORT_OPTIONS, M_SLAVE_FLAGS_ONLY, M_LAST
};

static const struct {
    enum ccnc_event_kind kind;
    const char *object, *before, *after;
} expected[M_LAST] = {
    [M_CONN] = { CCNC_EV_HOST_CONNECTION, "sys1", "connected", "unreachable stale" },
    [M_LINK_DOWN] = { CCNC_EV_LINK_CHANGED, "eth1", "up mtu 1500", "down no-carrier mtu 1500" },
    [M_LINK_GONE] = { CCNC_EV_LINK_REMOVED, "eth1", "up", NULL },
    [M_LINK_NEW] = { CCNC_EV_LINK_ADDED, "eth9", NULL, NULL },
    [M_VF_MAC] = { CCNC_EV_VF_CHANGED, "eth1/vf0", "52:54:00:77:01:01", "02:00:00:00:00:01" },
    [M_BOND_FAILOVER] = { CCNC_EV_BOND_FAILOVER, "bond0", "eth1", "eth2" },
    [M_BOND_SLAVE_DOWN] = { CCNC_EV_BOND_CHANGED, "bond0", "? eth1:up", "? eth1:down" },
    [M_VM_STATE] = { CCNC_EV_VM_STATE, "vm1", "running", "paused" },
    [M_VM_GONE] = { CCNC_EV_VM_REMOVED, "vm1", "running", NULL },
    [M_VM_NIC_GONE] = { CCNC_EV_VM_NIC_REMOVED, "vm1/52:54:00:77:01:01", "passthrough", NULL },
    [M_VM_BOND_FAILOVER] = { CCNC_EV_VM_BOND_FAILOVER, "vm1/bond0", "eth0", "eth1" },
    [M_NIC_DRIVER] = { CCNC_EV_NIC_CHANGED, "0000:01:00.0", "igb", "vfio-pci" },
    [M_NIC_GONE] = { CCNC_EV_NIC_REMOVED, "0000:01:00.0", "eth1", NULL },
    [M_EXPORT_OPTIONS] = { CCNC_EV_EXPORT_CHANGED, "/srv/nfs", NULL, NULL },
    [M_SLAVE_FLAGS_ONLY] = { CCNC_EV_BOND_FAILOVER, "bond0", "eth1", "none" },
};

static void
mutate(struct ccnc_host *h, enum mutation m)
{
    switch (m) {
    case M_CONN:
        h->connection = CCNC_CONN_UNREACHABLE;
        h->stale = true;
        break;
    case M_LINK_DOWN:
        ccnc_str_set(&h->links[0].operstate, "down");
        h->links[0].carrier = 0;
        break;
    case M_LINK_GONE:
        free(h->links[0].name);
        free(h->links[0].operstate);
        free(h->links[0].vfs[0].mac);
        free(h->links[0].vfs);
        h->n_links = 0;
        break;
    case M_LINK_NEW:
        ccnc_host_add_link(h)->name = strdup("eth9");
        break;
    case M_VF_MAC:
        ccnc_str_set(&h->links[0].vfs[0].mac, "02:00:00:00:00:01");
        break;
    case M_BOND_FAILOVER:
        ccnc_str_set(&h->bonds[0].active_slave, "eth2");
        h->bonds[0].slaves[0].state = CCNC_SLAVE_BACKUP;
        break;
    case M_BOND_SLAVE_DOWN:
        ccnc_str_set(&h->bonds[0].slaves[0].mii_status, "down");
        break;
    case M_VM_STATE:
        h->vms[0].state = CCNC_VM_PAUSED;
        break;
    case M_VM_GONE:
        ccnc_str_set(&h->vms[0].name, "vm-other");
        h->vms[0].state = CCNC_VM_RUNNING;
        break;
    case M_VM_NIC_GONE:
        ccnc_str_set(&h->vms[0].nics[0].alias, "hostdev9");
        break;
    case M_VM_BOND_FAILOVER:
        ccnc_str_set(&h->vms[0].bond->active_slave, "eth1");
        break;
    case M_NIC_DRIVER:
        ccnc_str_set(&h->nics[0].driver, "vfio-pci");
        break;
    case M_NIC_GONE:
        ccnc_str_set(&h->nics[0].pci, "0000:02:00.0");
        break;
    case M_EXPORT_OPTIONS:
        ccnc_str_set(&h->exports[0].options, "ro");
        h->exports[0].free_bytes = 5;
        break;
    case M_SLAVE_FLAGS_ONLY:
        ccnc_str_set(&h->bonds[0].active_slave, NULL);
        h->bonds[0].slaves[0].state = CCNC_SLAVE_BACKUP;
        break;
    case M_LAST:
        break;
    }
}

START_TEST(test_diff_mutation)
{
    struct ccnc_host *a = full_host("sys1");
    struct ccnc_host *b = ccnc_host_dup(a);
    struct ccnc_event_list ev = { 0 };
    const struct ccnc_event *e;
    size_t want = 1;

    mutate(b, (enum mutation)_i);
    ccnc_host_diff(a, b, "sys1", &ev);
    /* renaming a VM or NIC is a removal plus an addition */
    if (_i == M_VM_GONE || _i == M_VM_NIC_GONE || _i == M_NIC_GONE)
        want = 2;
    ck_assert_msg(ev.n == want, "mutation %d: %zu events", _i, ev.n);
    e = &ev.events[want - 1];
    if (_i == M_NIC_GONE)
        e = &ev.events[1];
    ck_assert_msg(e->kind == expected[_i].kind, "mutation %d: kind %s", _i,
                  ccnc_event_kind_to_string(e->kind));
    ck_assert_str_eq(e->host, "sys1");
    ck_assert_str_eq(e->object, expected[_i].object);
    if (expected[_i].before)
        ck_assert_str_eq(e->before, expected[_i].before);
    if (expected[_i].after)
        ck_assert_str_eq(e->after, expected[_i].after);
    ccnc_event_list_clear(&ev);
    ccnc_host_unref(a);
    ccnc_host_unref(b);
}
END_TEST

/* Free space is a gauge: the snapshot has it, the log does not. */
START_TEST(test_free_space_no_event)
{
    struct ccnc_host *a = full_host("sys1");
    struct ccnc_host *b = ccnc_host_dup(a);
    struct ccnc_event_list ev = { 0 };

    b->exports[0].free_bytes = 42;
    ccnc_host_diff(a, b, "sys1", &ev);
    ck_assert_uint_eq(ev.n, 0);
    ccnc_host_unref(a);
    ccnc_host_unref(b);
}
END_TEST

START_TEST(test_diff_against_nothing)
{
    struct ccnc_host *a = full_host("sys1");
    struct ccnc_event_list ev = { 0 };
    size_t added = 0, removed = 0;

    ccnc_host_diff(NULL, a, "sys1", &ev);
    for (size_t i = 0; i < ev.n; i++)
        added += strstr(ccnc_event_kind_to_string(ev.events[i].kind), "added") != NULL;
    ck_assert_uint_eq(added, 5); /* nic, link, bond, export, vm */
    ccnc_event_list_clear(&ev);
    ccnc_host_diff(a, NULL, "sys1", &ev);
    for (size_t i = 0; i < ev.n; i++)
        removed += strstr(ccnc_event_kind_to_string(ev.events[i].kind), "removed") != NULL;
    ck_assert_uint_eq(removed, 5);
    ccnc_event_list_clear(&ev);
    ccnc_host_unref(a);
}
END_TEST

START_TEST(test_event_format)
{
    char host[] = "sys2", object[] = "vm1/bond0", before[] = "eth0", after[] = "eth1";
    struct ccnc_event ev = { CCNC_EV_VM_BOND_FAILOVER, host, object, before, after };
    char *s = ccnc_event_format(&ev);

    ck_assert_str_eq(s, "sys2: vm1/bond0 active slave eth0 -> eth1");
    free(s);
    {
        char mac[] = "vm1/52:54:00:77:01:01", br[] = "br-pt", port[] = "vnet11";
        struct ccnc_event fdb = { CCNC_EV_FDB_LEARNED, host, mac, br, port };
        s = ccnc_event_format(&fdb);
        ck_assert_str_eq(s, "sys2: bridge br-pt learned vm1/52:54:00:77:01:01 on vnet11");
        free(s);
        fdb.kind = CCNC_EV_FDB_GONE;
        s = ccnc_event_format(&fdb);
        ck_assert_str_eq(s, "sys2: bridge br-pt forgot vm1/52:54:00:77:01:01 (on vnet11)");
        free(s);
        ck_assert_str_eq(ccnc_event_kind_to_string(CCNC_EV_FDB_GONE), "fdb-gone");
    }
}
END_TEST

/* libvirt's state in the log: the state word on both sides and why after
 * it; a state that stays, with a new reason, is not said to change. */
START_TEST(test_libvirt_event)
{
    struct ccnc_host *a = ccnc_host_new("sys2", "S", "10.0.0.2", CCNC_HOST_ROLE_HYPERVISOR),
                     *b = ccnc_host_dup(a), *c = ccnc_host_dup(a);
    struct ccnc_event_list l = { 0 };
    char *s;

    a->libvirt = CCNC_CONN_UNREACHABLE;
    a->libvirt_error = ccnc_xstrdup("cannot connect");
    b->libvirt = CCNC_CONN_CONNECTING;
    b->libvirt_error = ccnc_xstrdup("no answer in 10 s");
    c->libvirt = CCNC_CONN_CONNECTING;
    c->libvirt_error = ccnc_xstrdup("no answer in 20 s");
    ccnc_host_diff(a, b, "sys2", &l);
    ccnc_host_diff(b, c, "sys2", &l);
    ck_assert_uint_eq(l.n, 2);
    s = ccnc_event_format(&l.events[0]);
    ck_assert_str_eq(s, "sys2: libvirt unreachable -> connecting: no answer in 10 s");
    free(s);
    s = ccnc_event_format(&l.events[1]);
    ck_assert_str_eq(s, "sys2: libvirt connecting: no answer in 20 s");
    free(s);
    ccnc_event_list_clear(&l);
    ccnc_host_unref(a);
    ccnc_host_unref(b);
    ccnc_host_unref(c);
}
END_TEST

START_TEST(test_find_vm_prefers_running)
{
    struct ccnc_lab *lab = test_lab();
    struct ccnc_snapshot *a = ccnc_snapshot_new_from_lab(lab), *b, *c;
    struct ccnc_host *h1 = ccnc_host_dup(a->hosts[0]), *h2 = ccnc_host_dup(a->hosts[1]);
    const struct ccnc_host *where = NULL;
    struct ccnc_vm *vm;

    vm = ccnc_host_add_vm(h1);
    vm->name = strdup("vm1");
    vm->state = CCNC_VM_SHUTOFF;
    vm = ccnc_host_add_vm(h2);
    vm->name = strdup("vm1");
    vm->state = CCNC_VM_RUNNING;
    b = ccnc_snapshot_replace_host(a, 0, h1);
    c = ccnc_snapshot_replace_host(b, 1, h2);
    ck_assert_ptr_nonnull(ccnc_snapshot_find_vm(c, "vm1", &where));
    ck_assert_str_eq(where->name, "sys2");
    ck_assert_ptr_null(ccnc_snapshot_find_vm(c, "vm9", &where));
    ck_assert_ptr_null(where);
    ccnc_snapshot_unref(a);
    ccnc_snapshot_unref(b);
    ccnc_snapshot_unref(c);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_names_round_trip)
{
    for (int i = 0; i < CCNC_CONN_LAST; i++)
        ck_assert_int_eq(ccnc_conn_state_from_string(ccnc_conn_state_to_string(i)), i);
    for (int i = 0; i < CCNC_BOND_MODE_LAST; i++)
        ck_assert_int_eq(ccnc_bond_mode_from_string(ccnc_bond_mode_to_string(i)), i);
    for (int i = 0; i < CCNC_VM_LAST; i++)
        ck_assert_int_eq(ccnc_vm_state_from_string(ccnc_vm_state_to_string(i)), i);
    ck_assert_ptr_null(ccnc_bond_mode_to_string(CCNC_UNKNOWN));
    ck_assert_int_eq(ccnc_bond_mode_from_string("802.3ad"), CCNC_BOND_MODE_8023AD);
    ck_assert_int_eq(ccnc_bond_mode_from_string("nonsense"), -1);
}
END_TEST

/* The NFS mount a disk image lives on, as a hypervisor's agent reports its
 * mounts (export entries with "mount,fstype=..." options). */
START_TEST(test_nfs_mount_for)
{
    struct ccnc_host *h = ccnc_host_new("sys2", "System2", "10.0.0.2",
                                        CCNC_HOST_ROLE_HYPERVISOR);
    struct ccnc_export *e;

    e = ccnc_host_add_export(h);
    e->path = ccnc_xstrdup("/var/lib/libvirt/images");
    e->options = ccnc_xstrdup("mount,fstype=nfs4,rw,vers=4.1,image-dir=/var/lib/libvirt/images");
    e = ccnc_host_add_export(h);
    e->path = ccnc_xstrdup("/srv");
    e->options = ccnc_xstrdup("mount,fstype=ext4,rw");
    e = ccnc_host_add_export(h);
    e->path = ccnc_xstrdup("/var/lib/libvirt/images/gold");
    e->options = ccnc_xstrdup("mount,fstype=nfs,ro");
    ck_assert_ptr_eq(ccnc_host_nfs_mount_for(h, "/var/lib/libvirt/images/vm1.qcow2"),
                     &h->exports[0]);
    /* the deepest mount holds it */
    ck_assert_ptr_eq(ccnc_host_nfs_mount_for(h, "/var/lib/libvirt/images/gold/base.qcow2"),
                     &h->exports[2]);
    /* a local file system is no shared storage; a name that only begins alike
     * is not below the mount */
    ck_assert_ptr_null(ccnc_host_nfs_mount_for(h, "/srv/vm1.img"));
    ck_assert_ptr_null(ccnc_host_nfs_mount_for(h, "/var/lib/libvirt/images2/vm1.img"));
    ck_assert_ptr_null(ccnc_host_nfs_mount_for(h, NULL));
    ccnc_host_unref(h);
}
END_TEST

/* Teaming pairs: a VM's NICs (alias, <teaming> type or NULL for none,
 * persistent=, MAC, PCI), the failover device and its persistent partner
 * that ccnc_vm_failover_nic() finds (indexes, -1: none), and the partner
 * ccnc_vm_pair_teaming() gives each NIC. */
struct team_nic {
    const char *alias, *type, *persistent, *mac, *pci;
};

static const struct team_case {
    const char *what;
    size_t n;
    struct team_nic nics[4];
    int failover, persistent;
    int partner[4];
} team_cases[] = {
    { "plain hostdev and its virtio partner", 2,
      { { "ua-backup0", "persistent", NULL, "52:54:00:00:00:01", NULL },
        { NULL, "transient", "ua-backup0", NULL, "0000:03:07.1" } },
      1, 0, { 1, 0 } },
    { "interface hostdev before its partner, a bridge NIC between", 3,
      { { "hostdev0", "transient", "ua-net1", "52:54:00:00:00:02", "0000:03:07.2" },
        { "net0", NULL, NULL, "52:54:00:00:00:09", NULL },
        { "ua-net1", "persistent", NULL, "52:54:00:00:00:02", NULL } },
      0, 2, { 2, -1, 0 } },
    { "persistent= names nothing", 2,
      { { "ua-backup0", "persistent", NULL, "52:54:00:00:00:01", NULL },
        { NULL, "transient", "ua-gone", NULL, "0000:03:07.1" } },
      -1, -1, { -1, -1 } },
    { "persistent= names a NIC without <teaming type='persistent'>", 2,
      { { "ua-backup0", NULL, NULL, "52:54:00:00:00:01", NULL },
        { NULL, "transient", "ua-backup0", NULL, "0000:03:07.1" } },
      -1, -1, { -1, -1 } },
    { "a transient device without persistent= and a NIC without an alias", 2,
      { { NULL, "persistent", NULL, "52:54:00:00:00:01", NULL },
        { NULL, "transient", NULL, NULL, "0000:03:07.1" } },
      -1, -1, { -1, -1 } },
    { "an unpaired transient device first, then a pair", 4,
      { { NULL, "transient", "ua-gone", NULL, "0000:03:07.3" },
        { "ua-backup1", "persistent", NULL, "52:54:00:00:00:04", NULL },
        { "ua-backup0", "persistent", NULL, "52:54:00:00:00:01", NULL },
        { NULL, "transient", "ua-backup1", NULL, "0000:03:07.4" } },
      3, 1, { -1, 3, -1, 1 } },
    { "two transient devices name one persistent NIC: the first is its partner", 3,
      { { NULL, "transient", "ua-backup0", NULL, "0000:03:07.1" },
        { "ua-backup0", "persistent", NULL, "52:54:00:00:00:01", NULL },
        { NULL, "transient", "ua-backup0", NULL, "0000:03:07.2" } },
      0, 1, { 1, 0, 1 } },
};

static void
team_vm(struct ccnc_vm *vm, const struct team_case *c)
{
    ccnc_vm_init(vm);
    vm->name = strdup("vm1");
    for (size_t i = 0; i < c->n; i++) {
        const struct team_nic *tn = &c->nics[i];
        struct ccnc_vm_nic *n = ccnc_vm_add_nic(vm);
        n->alias = tn->alias ? strdup(tn->alias) : NULL;
        n->mac = tn->mac ? strdup(tn->mac) : NULL;
        n->pci = tn->pci ? strdup(tn->pci) : NULL;
        if (tn->type) {
            n->teaming = calloc(1, sizeof(*n->teaming));
            n->teaming->type = strdup(tn->type);
            n->teaming->persistent = tn->persistent ? strdup(tn->persistent) : NULL;
        }
    }
}

static void
assert_str_or_null(const char *got, const char *want, const char *what, size_t i)
{
    if (want)
        ck_assert_msg(got && strcmp(got, want) == 0, "%s: NIC %zu: '%s', not '%s'", what, i,
                      got ? got : "(null)", want);
    else
        ck_assert_msg(got == NULL, "%s: NIC %zu: '%s', not none", what, i, got);
}

START_TEST(test_teaming_pairs)
{
    const struct team_case *c = &team_cases[_i];
    const struct ccnc_vm_nic *p = (const void *)1, *t;
    struct ccnc_vm vm;

    team_vm(&vm, c);
    t = ccnc_vm_failover_nic(&vm, &p);
    if (c->failover < 0) {
        ck_assert_msg(t == NULL && p == NULL, "%s: a pair where there is none", c->what);
    } else {
        ck_assert_msg(t == &vm.nics[c->failover], "%s: failover NIC %td", c->what,
                      t ? t - vm.nics : (ptrdiff_t)-1);
        ck_assert_msg(p == &vm.nics[c->persistent], "%s: persistent NIC %td", c->what,
                      p ? p - vm.nics : (ptrdiff_t)-1);
        ck_assert_ptr_eq(ccnc_vm_failover_nic(&vm, NULL), t);
    }
    ccnc_vm_pair_teaming(&vm);
    for (size_t i = 0; i < c->n; i++) {
        const struct ccnc_teaming *tm = vm.nics[i].teaming;
        const struct team_nic *want = c->partner[i] < 0 ? NULL : &c->nics[c->partner[i]];
        if (!tm)
            continue;
        assert_str_or_null(tm->partner_alias, want ? want->alias : NULL, c->what, i);
        assert_str_or_null(tm->partner_mac, want ? want->mac : NULL, c->what, i);
        assert_str_or_null(tm->partner_pci, want ? want->pci : NULL, c->what, i);
    }
    /* pairing again replaces what the first pairing set */
    ccnc_vm_pair_teaming(&vm);
    ck_assert_ptr_eq(ccnc_vm_failover_nic(&vm, NULL),
                     c->failover < 0 ? NULL : &vm.nics[c->failover]);
    ccnc_vm_clear(&vm);
}
END_TEST

Suite *
ccnc_model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("snapshot");

    tcase_add_test(tc, test_snapshot_from_lab);
    tcase_add_test(tc, test_replace_shares);
    tcase_add_test(tc, test_dup_is_deep_and_equal);
    tcase_add_loop_test(tc, test_diff_mutation, 0, M_LAST);
    tcase_add_test(tc, test_diff_against_nothing);
    tcase_add_test(tc, test_free_space_no_event);
    tcase_add_test(tc, test_event_format);
    tcase_add_test(tc, test_libvirt_event);
    tcase_add_test(tc, test_find_vm_prefers_running);
    tcase_add_test(tc, test_names_round_trip);
    tcase_add_test(tc, test_nfs_mount_for);
    tcase_add_loop_test(tc, test_teaming_pairs, 0, (int)CCNC_ARRAY_SIZE(team_cases));
    suite_add_tcase(s, tc);
    return s;
}
