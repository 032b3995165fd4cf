/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one planner: a table of VM states (bond on its passthrough NIC, on
 * its backup, no passthrough NIC, a pool VF, a teaming pair, not running,
 * on no host that answered, a migration running, a dead backup path) and
 * what each request plans — the steps in order — or why it is refused. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/plan.h>
#include <ccnc/pool.h>
#include <ccnc/util.h>

#include "check-ccnc.h"

static const char lab_text[] =
    "[lab]\nname = plans\n"
    "[host sys1]\naddress = 10.0.0.1\nuser = root\nrole = hypervisor\n"
    "[host sys2]\naddress = 10.0.0.2\nuser = root\nrole = hypervisor\n"
    "[host nfs]\naddress = 10.0.0.3\nuser = root\nrole = storage\n"
    "[pool vfs]\nsys1 = eth1\nsys2 = eth1\n"
    "[vm vm1]\nhost = sys1\npassthrough = model:e1000e\npassthrough_mac = 52:54:00:77:01:01\n"
    "passthrough_bridge = br-pt\nbackup = 52:54:00:77:01:02\n"
    "[vm vf1]\nhost = sys1\npassthrough = pool:vfs\npassthrough_mac = 52:54:00:77:02:01\n"
    "backup = alias:net0\n"
    "[vm vf2]\nhost = sys2\npassthrough = pool:vfs\npassthrough_mac = 52:54:00:77:03:01\nbackup = alias:net0\n"
    "[vm plain]\nhost = sys1\n";

/* What the hosts report, for one case. */
enum vm_shape {
    ON_PRIMARY,        /* both NICs, bond on the passthrough NIC */
    ON_BACKUP,         /* both NICs, bond on the backup */
    NO_PASSTHROUGH,    /* only the backup, bond on it */
    BOND_UNKNOWN,      /* both NICs, the guest agent silent */
    BACKUP_MII_DOWN,   /* both NICs, the backup's slave down in the guest */
    TAP_DOWN,          /* the backup's tap down on the host */
    TAP_NO_BRIDGE,     /* the backup's tap out of its bridge */
    TEAMING,           /* a failover pair */
    SHUT_OFF,
    MIGRATING,         /* a libvirt migration job runs */
    NOWHERE_SILENT,    /* on no host, and sys2's libvirt has not answered */
    NOWHERE,           /* on no host, every libvirt answered */
    DEST_SILENT,       /* on primary, sys2's libvirt not connected */
    DEST_CONNECTING,   /* on primary, sys2's libvirt still connecting (no error) */
    NOWHERE_CONNECTING, /* on no host, sys2's libvirt still connecting */
    DEST_VFS_TAKEN,    /* on primary, sys2's one VF of the pool reserved for vf2 */
};

static struct ccnc_lab *
load_lab(void)
{
    struct ccnc_error errs[4] = { { 0 } };
    size_t n = 0;
    struct ccnc_lab *lab = ccnc_lab_load_text("plans.conf", lab_text, strlen(lab_text), errs, 4,
                                              &n);

    ck_assert_msg(lab, "lab: %s", n ? errs[0].message : "?");
    return lab;
}

static void
add_nic(struct ccnc_vm *vm, const char *mac, const char *model, const char *type,
        const char *alias, const char *target, const char *source)
{
    struct ccnc_vm_nic *n = ccnc_vm_add_nic(vm);

    n->mac = ccnc_xstrdup(mac);
    n->model = ccnc_xstrdup(model);
    n->type = ccnc_xstrdup(type);
    n->alias = ccnc_xstrdup(alias);
    n->target = ccnc_xstrdup(target);
    n->source = ccnc_xstrdup(source);
}

static void
add_slave(struct ccnc_bond *b, const char *name, const char *mac, const char *mii)
{
    struct ccnc_bond_slave *s = ccnc_bond_add_slave(b);

    s->name = ccnc_xstrdup(name);
    s->perm_hwaddr = ccnc_xstrdup(mac);
    s->mii_status = ccnc_xstrdup(mii);
}

static void
add_link(struct ccnc_host *h, const char *name, const char *oper, const char *master)
{
    struct ccnc_link *l = ccnc_host_add_link(h);

    l->name = ccnc_xstrdup(name);
    l->operstate = ccnc_xstrdup(oper);
    l->master = ccnc_xstrdup(master);
}

/* vm (vm1, or vf1 with a VF as its passthrough NIC) on sys1 as shape says. */
static void
add_vm(struct ccnc_host *h, const struct ccnc_lab *lab, const char *name, enum vm_shape shape)
{
    struct ccnc_vm *vm = ccnc_host_add_vm(h);
    bool vf = strcmp(name, "vf1") == 0;
    const char *pt_mac = vf ? "52:54:00:77:02:01" : "52:54:00:77:01:01";
    const char *bk_mac = vf ? "52:54:00:77:02:02" : "52:54:00:77:01:02";
    bool has_pt = shape != NO_PASSTHROUGH;

    vm->name = ccnc_xstrdup(name);
    vm->state = shape == SHUT_OFF ? CCNC_VM_SHUTOFF : CCNC_VM_RUNNING;
    vm->job = shape == MIGRATING ? CCNC_VM_JOB_MIGRATION_OUT : CCNC_VM_JOB_NONE;
    if (has_pt && vf)
        add_nic(vm, pt_mac, NULL, "interface-hostdev", "hostdev0", NULL, NULL);
    else if (has_pt)
        add_nic(vm, pt_mac, "e1000e", "bridge", "net1", "vnet0", "br-pt");
    add_nic(vm, bk_mac, "virtio", "bridge", "net0", "vnet1", "br0");
    if (shape == TEAMING) {
        struct ccnc_vm_nic *t = &vm->nics[0], *p = &vm->nics[1];
        t->teaming = ccnc_xcalloc(1, sizeof(*t->teaming));
        t->teaming->type = ccnc_xstrdup("transient");
        t->teaming->persistent = ccnc_xstrdup("net0");
        p->teaming = ccnc_xcalloc(1, sizeof(*p->teaming));
        p->teaming->type = ccnc_xstrdup("persistent");
    }
    ccnc_vm_apply_roles(vm, ccnc_lab_find_vm(lab, name));
    vm->bond = ccnc_xmalloc(sizeof(*vm->bond));
    ccnc_bond_init(vm->bond);
    vm->bond->name = ccnc_xstrdup("bond0");
    vm->bond->mode = CCNC_BOND_MODE_ACTIVE_BACKUP;
    if (has_pt)
        add_slave(vm->bond, "eth0", pt_mac, "up");
    add_slave(vm->bond, "eth1", bk_mac, shape == BACKUP_MII_DOWN ? "down" : "up");
    vm->bond->active_slave = ccnc_xstrdup(shape == ON_PRIMARY || shape == BOND_UNKNOWN ||
                                                  shape == BACKUP_MII_DOWN || shape == TAP_DOWN ||
                                                  shape == TAP_NO_BRIDGE || shape == TEAMING ||
                                                  shape == MIGRATING || shape == DEST_SILENT ||
                                                  shape == DEST_CONNECTING ||
                                                  shape == SHUT_OFF
                                              ? "eth0" : "eth1");
    vm->bond_stale = shape == BOND_UNKNOWN;
}

/* The pool's port eth1 on h: with its one VF reserved for vf2 (vf), or
 * with no VF enabled. */
static void
add_pool_port(struct ccnc_host *h, const struct ccnc_lab *lab, bool vf)
{
    add_link(h, "eth1", "up", NULL);
    if (vf) {
        struct ccnc_vf *v = ccnc_link_add_vf(&h->links[h->n_links - 1]);
        v->index = 0;
        v->mac = ccnc_xstrdup("52:54:00:77:03:01");
    }
    ccnc_host_mark_vf_holders(h, lab);
}

static struct ccnc_snapshot *make_snapshot_on(struct ccnc_lab *lab, const char *vm,
                                              enum vm_shape shape, const char *where);

static struct ccnc_snapshot *
make_snapshot(struct ccnc_lab *lab, const char *vm, enum vm_shape shape)
{
    return make_snapshot_on(lab, vm, shape, "sys1");
}

/* The same with the VM on host where (its tap and bridges there too). */
static struct ccnc_snapshot *
make_snapshot_on(struct ccnc_lab *lab, const char *vm, enum vm_shape shape, const char *where)
{
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);

    for (size_t i = 0; i < snap->n_hosts; i++) {
        struct ccnc_host *h = ccnc_host_dup(snap->hosts[i]);
        struct ccnc_snapshot *next;
        bool hyper = h->role == CCNC_HOST_ROLE_HYPERVISOR;

        h->connection = CCNC_CONN_CONNECTED;
        h->stale = false;
        h->updated_ms = 1;
        if (hyper)
            h->libvirt = strcmp(h->name, "sys2") != 0 ? CCNC_CONN_CONNECTED
                         : shape == NOWHERE_SILENT || shape == DEST_SILENT
                             ? CCNC_CONN_UNREACHABLE
                         : shape == NOWHERE_CONNECTING || shape == DEST_CONNECTING
                             ? CCNC_CONN_CONNECTING
                             : CCNC_CONN_CONNECTED;
        if (strcmp(h->name, where) == 0) {
            add_link(h, "br0", "up", NULL);
            add_link(h, "br-pt", "up", NULL);
            add_link(h, "vnet0", "up", "br-pt");
            add_link(h, "vnet1", shape == TAP_DOWN ? "down" : "up",
                     shape == TAP_NO_BRIDGE ? NULL : "br0");
            if (shape != NOWHERE && shape != NOWHERE_SILENT && shape != NOWHERE_CONNECTING)
                add_vm(h, lab, vm, shape);
        } else if (shape == DEST_VFS_TAKEN && strcmp(h->name, "sys2") == 0) {
            add_pool_port(h, lab, true);
        }
        next = ccnc_snapshot_replace_host(snap, i, h);
        ccnc_snapshot_unref(snap);
        snap = next;
    }
    return snap;
}

/* The steps of a plan as text: "check-destination check-storage ...". */
static char *
steps_text(const struct ccnc_action *a)
{
    char *t = ccnc_xstrdup("");

    for (size_t i = 0; i < a->n_steps; i++) {
        char *n = ccnc_xasprintf("%s%s%s", t, *t ? " " : "", ccnc_step_op_to_string(a->steps[i].op));
        free(t);
        t = n;
    }
    return t;
}

#define FULL_MIGRATE                                                                       \
    "forecast check-destination check-storage check-backup reserve-nic bond-to-backup "             \
    "verify-on-backup detach migrate attach wait-enslaved bond-to-primary verify"

static const struct plan_case {
    const char *name;
    const char *vm;
    enum vm_shape shape;
    enum ccnc_action_kind ask;
    const char *to;
    const char *busy;
    /* the plan: its kind and steps, and a word its notes must hold; or a
     * refusal: its code and a word of its message */
    int kind;                   /* -1: refused */
    const char *steps;
    const char *note;           /* NULL: no notes */
    enum ccnc_error_code code;
    const char *why;
} cases[] = {
    { "migrate, bond on the passthrough NIC: the whole dance", "vm1", ON_PRIMARY,
      CCNC_ACTION_MIGRATE, "sys2", NULL, CCNC_ACTION_MIGRATE_PASSTHROUGH, FULL_MIGRATE, NULL, 0,
      NULL },
    { "migrate, bond already on the backup: no switch", "vm1", ON_BACKUP, CCNC_ACTION_MIGRATE,
      "sys2", NULL, CCNC_ACTION_MIGRATE_PASSTHROUGH,
      "forecast check-destination check-storage check-backup reserve-nic verify-on-backup detach migrate "
      "attach wait-enslaved bond-to-primary verify", "no switch", 0, NULL },
    { "migrate, no passthrough NIC: nothing to detach, the attach heals", "vm1", NO_PASSTHROUGH,
      CCNC_ACTION_MIGRATE_PASSTHROUGH, "sys2", NULL, CCNC_ACTION_MIGRATE_PASSTHROUGH,
      "forecast check-destination check-storage reserve-nic migrate attach wait-enslaved "
      "bond-to-primary verify", "gives it one again", 0, NULL },
    { "migrate, a VF of a pool: the whole dance", "vf1", ON_PRIMARY, CCNC_ACTION_MIGRATE,
      "sys2", NULL, CCNC_ACTION_MIGRATE_PASSTHROUGH, FULL_MIGRATE, NULL, 0, NULL },
    { "migrate, a VF of a pool, none held: reserve and attach on the destination", "vf1",
      NO_PASSTHROUGH, CCNC_ACTION_MIGRATE, "sys2", NULL, CCNC_ACTION_MIGRATE_PASSTHROUGH,
      "forecast check-destination check-storage reserve-nic migrate attach wait-enslaved "
      "bond-to-primary verify", "52:54:00:77:02:01", 0, NULL },
    { "migrate, a VF of a pool, every VF of the destination's port taken: refused, naming "
      "who holds them", "vf1", DEST_VFS_TAKEN, CCNC_ACTION_MIGRATE, "sys2", NULL, -1, NULL, NULL,
      CCNC_ERR_REFUSED, "vf2 (VF 0, reserved)" },
    { "migrate, a teaming pair: QEMU's own failover", "vm1", TEAMING, CCNC_ACTION_MIGRATE,
      "sys2", NULL, CCNC_ACTION_MIGRATE_TEAMING, "forecast check-destination check-storage migrate verify",
      "teaming", 0, NULL },
    { "migrate, no passthrough NIC in the config: a plain migration", "plain", NO_PASSTHROUGH,
      CCNC_ACTION_MIGRATE, "sys2", NULL, CCNC_ACTION_MIGRATE,
      "forecast check-destination check-storage migrate verify", NULL, 0, NULL },
    { "migrate, bond unknown: the whole dance, said so", "vm1", BOND_UNKNOWN,
      CCNC_ACTION_MIGRATE, "sys2", NULL, CCNC_ACTION_MIGRATE_PASSTHROUGH, FULL_MIGRATE,
      "not known", 0, NULL },
    { "migrate, not running", "vm1", SHUT_OFF, CCNC_ACTION_MIGRATE, "sys2", NULL, -1, NULL,
      NULL, CCNC_ERR_REFUSED, "shut off" },
    { "migrate, a migration already running", "vm1", MIGRATING, CCNC_ACTION_MIGRATE, "sys2",
      NULL, -1, NULL, NULL, CCNC_ERR_REFUSED, "being migrated" },
    { "migrate, an action of this ccnc running on it", "vm1", ON_PRIMARY, CCNC_ACTION_MIGRATE,
      "sys2", "vm1", -1, NULL, NULL, CCNC_ERR_REFUSED, "already running" },
    { "migrate, on no host and a libvirt silent: not known", "vm1", NOWHERE_SILENT,
      CCNC_ACTION_MIGRATE, "sys2", NULL, -1, NULL, NULL, CCNC_ERR_REFUSED, "is not known" },
    { "migrate, on no host at all", "vm1", NOWHERE, CCNC_ACTION_MIGRATE, "sys2", NULL, -1,
      NULL, NULL, CCNC_ERR_REFUSED, "runs on no host" },
    { "migrate to where it runs", "vm1", ON_PRIMARY, CCNC_ACTION_MIGRATE, "sys1", NULL, -1,
      NULL, NULL, CCNC_ERR_REFUSED, "already runs on sys1" },
    { "migrate to a storage host", "vm1", ON_PRIMARY, CCNC_ACTION_MIGRATE, "nfs", NULL, -1,
      NULL, NULL, CCNC_ERR_CONFIG, "not a hypervisor" },
    { "migrate to a host whose libvirt is silent", "vm1", DEST_SILENT, CCNC_ACTION_MIGRATE,
      "sys2", NULL, -1, NULL, NULL, CCNC_ERR_REFUSED, "does not answer" },
    { "migrate to a host ccnc is still connecting to", "vm1", DEST_CONNECTING,
      CCNC_ACTION_MIGRATE, "sys2", NULL, -1, NULL, NULL, CCNC_ERR_REFUSED,
      "still connecting to sys2's libvirt" },
    { "migrate, on no host yet, a libvirt still connecting", "vm1", NOWHERE_CONNECTING,
      CCNC_ACTION_MIGRATE, "sys2", NULL, -1, NULL, NULL, CCNC_ERR_REFUSED,
      "sys2's libvirt has not answered: where vm1 runs is not known" },
    { "migrate, the backup's slave down in the guest", "vm1", BACKUP_MII_DOWN,
      CCNC_ACTION_MIGRATE, "sys2", NULL, -1, NULL, NULL, CCNC_ERR_REFUSED, "eth1" },
    { "migrate, the backup's tap down on the host", "vm1", TAP_DOWN, CCNC_ACTION_MIGRATE,
      "sys2", NULL, -1, NULL, NULL, CCNC_ERR_REFUSED, "vnet1 on sys1 is down" },
    { "migrate, the backup's tap out of its bridge", "vm1", TAP_NO_BRIDGE, CCNC_ACTION_MIGRATE,
      "sys2", NULL, -1, NULL, NULL, CCNC_ERR_REFUSED, "in no bridge" },
    { "detach, bond on the passthrough NIC", "vm1", ON_PRIMARY, CCNC_ACTION_DETACH, NULL, NULL,
      CCNC_ACTION_DETACH, "check-backup bond-to-backup verify-on-backup detach verify", NULL, 0,
      NULL },
    { "detach, bond already on the backup", "vm1", ON_BACKUP, CCNC_ACTION_DETACH, NULL, NULL,
      CCNC_ACTION_DETACH, "check-backup verify-on-backup detach verify", "no switch", 0, NULL },
    { "detach twice: nothing to detach", "vm1", NO_PASSTHROUGH, CCNC_ACTION_DETACH, NULL, NULL,
      -1, NULL, NULL, CCNC_ERR_REFUSED, "nothing to detach" },
    { "detach, the backup's tap down", "vm1", TAP_DOWN, CCNC_ACTION_DETACH, NULL, NULL, -1,
      NULL, NULL, CCNC_ERR_REFUSED, "vnet1" },
    { "detach a teaming pair", "vm1", TEAMING, CCNC_ACTION_DETACH, NULL, NULL, -1, NULL, NULL,
      CCNC_ERR_REFUSED, "teaming" },
    { "assign, holding it already: nothing to assign", "vm1", ON_PRIMARY, CCNC_ACTION_ASSIGN,
      NULL, NULL, -1, NULL, NULL, CCNC_ERR_REFUSED, "nothing to assign" },
    { "assign, holding it, bond on the backup: only the switch back", "vm1", ON_BACKUP,
      CCNC_ACTION_ASSIGN, NULL, NULL, CCNC_ACTION_ASSIGN, "bond-to-primary verify",
      "already", 0, NULL },
    { "assign, holding none: reserve, attach, enslave, switch", "vm1", NO_PASSTHROUGH,
      CCNC_ACTION_ASSIGN, NULL, NULL, CCNC_ACTION_ASSIGN,
      "reserve-nic attach wait-enslaved bond-to-primary verify", NULL, 0, NULL },
    { "assign a VF of a pool, holding none", "vf1", NO_PASSTHROUGH, CCNC_ACTION_ASSIGN, NULL,
      NULL, CCNC_ACTION_ASSIGN, "reserve-nic attach wait-enslaved bond-to-primary verify", NULL,
      0, NULL },
    { "assign, bond unknown: the switch after the NIC is a slave", "vm1", BOND_UNKNOWN,
      CCNC_ACTION_ASSIGN, NULL, NULL, CCNC_ACTION_ASSIGN, "wait-enslaved bond-to-primary verify",
      "not known", 0, NULL },
    { "assign to a VM with no passthrough NIC in the config", "plain", NO_PASSTHROUGH,
      CCNC_ACTION_ASSIGN, NULL, NULL, -1, NULL, NULL, CCNC_ERR_CONFIG, "no passthrough NIC" },
    { "a VM the config does not know", "vm9", ON_PRIMARY, CCNC_ACTION_MIGRATE, "sys2", NULL, -1,
      NULL, NULL, CCNC_ERR_CONFIG, "[vm vm9]" },
};

START_TEST(test_plan_table)
{
    const struct plan_case *c = &cases[_i];
    struct ccnc_lab *lab = load_lab();
    struct ccnc_snapshot *snap = make_snapshot(lab, strcmp(c->vm, "vm9") == 0 ? "vm1" : c->vm,
                                               c->shape);
    const char *busy[] = { c->busy, NULL };
    struct ccnc_plan_request req = { .kind = c->ask, .vm = c->vm, .destination = c->to,
                                     .busy = busy };
    struct ccnc_error err = { 0 };
    struct ccnc_action *a = ccnc_plan(lab, snap, &req, &err);

    if (c->kind < 0) {
        ck_assert_msg(!a, "%s: planned, not refused", c->name);
        ck_assert_msg(err.code == c->code, "%s: code %s, not %s", c->name,
                      ccnc_error_code_to_string(err.code), ccnc_error_code_to_string(c->code));
        ck_assert_msg(err.message && strstr(err.message, c->why), "%s: '%s' says nothing of '%s'",
                      c->name, err.message ? err.message : "(null)", c->why);
    } else {
        char *steps;
        bool noted = false;
        ck_assert_msg(a, "%s: refused: %s", c->name, err.message ? err.message : "?");
        steps = steps_text(a);
        ck_assert_msg(a->kind == (enum ccnc_action_kind)c->kind, "%s: kind %s", c->name,
                      ccnc_action_kind_to_string(a->kind));
        ck_assert_msg(strcmp(steps, c->steps) == 0, "%s: steps\n  %s\nnot\n  %s", c->name, steps,
                      c->steps);
        ck_assert_str_eq(a->vm, c->vm);
        ck_assert_str_eq(a->source, "sys1");
        if (c->to)
            ck_assert_str_eq(a->destination, c->to);
        else
            ck_assert_ptr_null(a->destination);
        for (size_t k = 0; k < a->n_notes; k++)
            noted |= c->note && strstr(a->notes[k], c->note) != NULL;
        if (c->note)
            ck_assert_msg(noted, "%s: no note says '%s' (%zu notes)", c->name, c->note,
                          a->n_notes);
        else
            ck_assert_msg(a->n_notes == 0, "%s: unexpected note '%s'", c->name, a->notes[0]);
        ck_assert_int_eq(a->state, CCNC_ACTION_PLANNED);
        free(steps);
    }
    ccnc_action_free(a);
    ccnc_error_clear(&err);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* Offline (--offline --dry-run): the VM as the config says, on its home. */
START_TEST(test_plan_assumed)
{
    struct ccnc_lab *lab = load_lab();
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);
    struct ccnc_plan_request req = { .kind = CCNC_ACTION_MIGRATE, .vm = "vm1",
                                     .destination = "sys2", .assume_config = true };
    struct ccnc_error err = { 0 };
    struct ccnc_action *a = ccnc_plan(lab, snap, &req, &err);
    char *steps;

    ck_assert_ptr_nonnull(a);
    steps = steps_text(a);
    ck_assert_str_eq(steps, FULL_MIGRATE);
    ck_assert_str_eq(a->source, "sys1");
    ck_assert_int_eq(a->n_notes, 1);
    ck_assert_ptr_nonnull(strstr(a->notes[0], "home"));
    free(steps);
    ccnc_action_free(a);
    /* ... and online, the same snapshot (no host answered) knows nothing */
    req.assume_config = false;
    a = ccnc_plan(lab, snap, &req, &err);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(err.code, CCNC_ERR_REFUSED);
    ccnc_error_clear(&err);
    /* home is where it goes: refused offline too */
    req.assume_config = true;
    req.destination = "sys1";
    a = ccnc_plan(lab, snap, &req, &err);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(strstr(err.message, "already runs on sys1"));
    ccnc_error_clear(&err);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* The plan's text for --dry-run carries the notes. */
START_TEST(test_plan_text_notes)
{
    struct ccnc_lab *lab = load_lab();
    struct ccnc_snapshot *snap = make_snapshot(lab, "vm1", NO_PASSTHROUGH);
    struct ccnc_plan_request req = { .kind = CCNC_ACTION_MIGRATE, .vm = "vm1",
                                     .destination = "sys2" };
    struct ccnc_action *a = ccnc_plan(lab, snap, &req, NULL);
    char *text;

    ck_assert_ptr_nonnull(a);
    text = ccnc_action_plan_text(a);
    ck_assert_ptr_nonnull(strstr(text, " 2. check-destination"));
    ck_assert_ptr_nonnull(strstr(text, " 9. verify"));
    ck_assert_ptr_null(strstr(text, "10. "));
    ck_assert_ptr_nonnull(strstr(text, "    - vm1 holds no passthrough NIC (52:54:00:77:01:01)"));
    free(text);
    ccnc_action_free(a);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* The host side of the backup NIC, part by part. */
START_TEST(test_backup_path)
{
    struct ccnc_lab *lab = load_lab();
    struct ccnc_error err = { 0 };
    static const struct { enum vm_shape shape; int rc; const char *why; } t[] = {
        { ON_PRIMARY, 0, NULL },
        { TAP_DOWN, -1, "vnet1 on sys1 is down" },
        { TAP_NO_BRIDGE, -1, "in no bridge, not in br0" },
    };

    for (size_t k = 0; k < CCNC_ARRAY_SIZE(t); k++) {
        struct ccnc_snapshot *snap = make_snapshot(lab, "vm1", t[k].shape);
        const struct ccnc_host *h = snap->hosts[ccnc_snapshot_find_host(snap, "sys1")];
        int rc = ccnc_backup_path_check(h, ccnc_host_find_vm(h, "vm1"), &err);
        ck_assert_int_eq(rc, t[k].rc);
        if (t[k].why)
            ck_assert_msg(strstr(err.message, t[k].why), "'%s'", err.message);
        ccnc_error_clear(&err);
        ccnc_snapshot_unref(snap);
    }
    /* a host whose agent never reported: not known, not dead */
    {
        struct ccnc_snapshot *snap = make_snapshot(lab, "vm1", ON_PRIMARY);
        struct ccnc_host *h = ccnc_host_dup(snap->hosts[0]);
        h->stale = true;
        ck_assert_int_eq(ccnc_backup_path_check(h, ccnc_host_find_vm(h, "vm1"), &err), 1);
        ck_assert_ptr_nonnull(strstr(err.message, "not checked"));
        ccnc_error_clear(&err);
        ccnc_host_unref(h);
        ccnc_snapshot_unref(snap);
    }
    ccnc_lab_unref(lab);
}
END_TEST

/* A lease of another ccnc that has not lapsed refuses; a lapsed one, one's
 * own, and (for resume) the lease of the run being ended do not. */
START_TEST(test_plan_lease)
{
    struct ccnc_lab *lab = load_lab();
    struct ccnc_snapshot *snap = make_snapshot(lab, "vm1", ON_PRIMARY);
    struct ccnc_host *h = ccnc_host_dup(snap->hosts[0]);
    struct ccnc_snapshot *with;
    struct ccnc_plan_request req = { .kind = CCNC_ACTION_MIGRATE, .vm = "vm1",
                                     .destination = "sys2", .self = "me@ws (pid 1)" };
    struct ccnc_error err = { 0 };
    struct ccnc_action *a;
    struct ccnc_vm *vm = &h->vms[0];

    vm->lease = ccnc_xcalloc(1, sizeof(*vm->lease));
    vm->lease->by = ccnc_xstrdup("other@ws2 (pid 9)");
    vm->lease->run = ccnc_xstrdup("/runs/r.jsonl");
    vm->lease->expires_ms = snap->time_ms + 60000;
    with = ccnc_snapshot_replace_host(snap, 0, h);
    with->time_ms = snap->time_ms;
    ck_assert_ptr_null(ccnc_plan(lab, with, &req, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "is held by another ccnc: other@ws2 (pid 9)"));
    ccnc_error_clear(&err);
    req.resume_of = "/runs/r.jsonl";           /* ending that very run */
    a = ccnc_plan(lab, with, &req, &err);
    ck_assert_ptr_nonnull(a);
    ccnc_action_free(a);
    req.resume_of = NULL;
    with->time_ms = vm->lease->expires_ms + 1;   /* lapsed */
    a = ccnc_plan(lab, with, &req, &err);
    ck_assert_ptr_nonnull(a);
    ccnc_action_free(a);
    ccnc_snapshot_unref(with);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* --- ending an unfinished run (ccnc resume) ------------------------------------ */

static void
run_summary(struct ccnc_run_summary *r, const char *vm, const char *kind, const char *in_step,
            bool migrated)
{
    memset(r, 0, sizeof(*r));
    r->path = ccnc_xstrdup("/runs/20261203-140000-vm1-migrate-passthrough.jsonl");
    r->vm = ccnc_xstrdup(vm);
    r->kind = ccnc_xstrdup(kind);
    r->source = ccnc_xstrdup("sys1");
    r->destination = strstr(kind, "migrate") ? ccnc_xstrdup("sys2") : NULL;
    r->in_step = ccnc_xstrdup(in_step);
    r->migrated = migrated;
}

static const struct resume_case {
    const char *name;
    const char *vm, *kind, *in_step;
    bool migrated;
    const char *where;            /* where the VM runs now */
    enum vm_shape shape;
    enum ccnc_resume_way way;
    bool vf_reserved_on_sys2;     /* the run left a VF reserved there */
    /* the plan: its steps and way, or a refusal */
    const char *steps;            /* NULL: refused */
    bool undo;
    const char *why;
} resume_cases[] = {
    { "killed in the migration, which went through: forward on the destination", "vm1",
      "migrate-passthrough", "migrate", false, "sys2", NO_PASSTHROUGH, CCNC_RESUME_AUTO, false,
      "reserve-nic attach wait-enslaved bond-to-primary verify", false, NULL },
    { "killed in the migration, which did not happen: back on the source", "vm1",
      "migrate-passthrough", "migrate", false, "sys1", NO_PASSTHROUGH, CCNC_RESUME_AUTO, false,
      "reserve-nic attach wait-enslaved bond-to-primary verify", true, NULL },
    { "killed in the checks: nothing to do but close the record", "vm1", "migrate-passthrough",
      "check-storage", false, "sys1", ON_PRIMARY, CCNC_RESUME_AUTO, false, "", true, NULL },
    { "killed after the switch: the bond goes back", "vm1", "migrate-passthrough",
      "verify-on-backup", false, "sys1", ON_BACKUP, CCNC_RESUME_AUTO, false,
      "bond-to-primary verify", true, NULL },
    { "a VF left reserved on the destination is given back", "vf1", "migrate-passthrough",
      "detach", false, "sys1", ON_PRIMARY, CCNC_RESUME_AUTO, true, "release-nic", true, NULL },
    { "--undo after the migration went through: refused", "vm1", "migrate-passthrough",
      "attach", true, "sys2", NO_PASSTHROUGH, CCNC_RESUME_UNDO, false, NULL, false,
      "never migrates a VM back" },
    { "--finish when the migration did not happen: refused", "vm1", "migrate-passthrough",
      "migrate", false, "sys1", NO_PASSTHROUGH, CCNC_RESUME_FINISH, false, NULL, false,
      "did not happen" },
    { "a migration still running: refused", "vm1", "migrate-passthrough", "migrate", false,
      "sys1", MIGRATING, CCNC_RESUME_AUTO, false, NULL, false, "being migrated" },
    { "the VM on no host: refused", "vm1", "migrate-passthrough", "migrate", false, "sys1",
      NOWHERE, CCNC_RESUME_AUTO, false, NULL, false, "runs on no host" },
    { "a detach killed before it detached: finished forward", "vm1", "detach", "verify-on-backup",
      false, "sys1", ON_BACKUP, CCNC_RESUME_AUTO, false,
      "check-backup verify-on-backup detach verify", false, NULL },
    { "a detach undone: the bond back on the NIC it still holds", "vm1", "detach",
      "verify-on-backup", false, "sys1", ON_BACKUP, CCNC_RESUME_UNDO, false,
      "bond-to-primary verify", true, NULL },
    { "an assign killed after the attach: finished forward", "vm1", "assign", "wait-enslaved",
      false, "sys1", ON_BACKUP, CCNC_RESUME_AUTO, false, "bond-to-primary verify", false, NULL },
};

START_TEST(test_resume_table)
{
    const struct resume_case *c = &resume_cases[_i];
    struct ccnc_lab *lab = load_lab();
    struct ccnc_snapshot *snap = make_snapshot_on(lab, c->vm, c->shape, c->where);
    struct ccnc_run_summary run;
    struct ccnc_error err = { 0 };
    struct ccnc_action *a;

    run_summary(&run, c->vm, c->kind, c->in_step, c->migrated);
    if (c->vf_reserved_on_sys2) {
        run.vf_host = ccnc_xstrdup("sys2");
        run.vf_pf = ccnc_xstrdup("eth1");
        run.vf_pci = ccnc_xstrdup("0000:05:10.2");
        run.vf_index = 1;
    }
    a = ccnc_plan_resume(lab, snap, &run, c->way, NULL, NULL, &err);
    if (!c->steps) {
        ck_assert_msg(!a, "%s: planned, not refused", c->name);
        ck_assert_msg(err.message && strstr(err.message, c->why), "%s: '%s'", c->name,
                      err.message ? err.message : "(null)");
    } else {
        char *steps;
        ck_assert_msg(a, "%s: refused: %s", c->name, err.message ? err.message : "?");
        steps = steps_text(a);
        ck_assert_msg(strcmp(steps, c->steps) == 0, "%s: steps '%s', not '%s'", c->name, steps,
                      c->steps);
        ck_assert_msg(a->undo == c->undo, "%s: undo %d", c->name, a->undo);
        ck_assert_str_eq(a->resume_of, run.path);
        ck_assert_str_eq(a->source, c->where);
        ck_assert_ptr_null(a->destination);
        ck_assert_uint_ge(a->n_notes, 1);
        ck_assert_ptr_nonnull(strstr(a->notes[0], run.path));
        if (c->vf_reserved_on_sys2) {
            ck_assert_uint_eq(a->n_release, 1);
            ck_assert_str_eq(a->release[0].host, "sys2");
            ck_assert_str_eq(a->release[0].pci, "0000:05:10.2");
        } else {
            ck_assert_uint_eq(a->n_release, 0);
        }
        free(steps);
    }
    ccnc_action_free(a);
    ccnc_error_clear(&err);
    ccnc_run_summary_clear(&run);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* A run that ended is not resumed; an undo that succeeds ends rolled back,
 * saying so, and an empty plan ends at once. */
START_TEST(test_resume_ends)
{
    struct ccnc_lab *lab = load_lab();
    struct ccnc_snapshot *snap = make_snapshot(lab, "vm1", ON_PRIMARY);
    struct ccnc_run_summary run;
    struct ccnc_error err = { 0 };
    struct ccnc_action *a;

    run_summary(&run, "vm1", "migrate-passthrough", NULL, false);
    run.result = ccnc_xstrdup("done");
    ck_assert_ptr_null(ccnc_plan_resume(lab, snap, &run, CCNC_RESUME_AUTO, NULL, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "nothing to resume"));
    ccnc_error_clear(&err);
    free(run.result);
    run.result = NULL;
    a = ccnc_plan_resume(lab, snap, &run, CCNC_RESUME_AUTO, NULL, NULL, &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->n_steps, 0);
    ck_assert(a->undo);
    ccnc_action_confirm(a);
    ck_assert_ptr_null(ccnc_action_next(a, 1));
    ck_assert_int_eq(a->state, CCNC_ACTION_ROLLED_BACK);
    ck_assert_ptr_nonnull(strstr(a->summary, "undone; the VM runs on sys1 as before"));
    ccnc_action_free(a);
    ccnc_run_summary_clear(&run);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* --- --to auto: placement from what a rack of four reports ------------------------- */

static const char rack_text[] =
    "[lab]\nname = rack\n"
    "[host sys1]\naddress = 10.0.0.1\nuser = root\nrole = hypervisor\n"
    "[host sys2]\naddress = 10.0.0.2\nuser = root\nrole = hypervisor\n"
    "[host sys3]\naddress = 10.0.0.3\nuser = root\nrole = hypervisor\n"
    "[host sys4]\naddress = 10.0.0.4\nuser = root\nrole = hypervisor\n"
    "[host nfs]\naddress = 10.0.0.9\nuser = root\nrole = storage\n"
    "[vm vm1]\nhost = sys1\npassthrough = model:e1000e\npassthrough_mac = 52:54:00:77:01:01\n"
    "passthrough_bridge = br-pt\nbackup = 52:54:00:77:01:02\n";

/* What the rack reports, for one case. */
struct rack_case {
    const char *name;
    long long free_mib[4];     /* sys1..sys4 free memory; < 0 not known */
    bool stale[4];
    const char *mount[4];      /* an NFS mount point, NULL none */
    const char *disk;          /* vm1's disk image, NULL none */
    const char *migrating_in;  /* a host where another VM arrives now */
    const char *booked;        /* a host a batch booked */
    const char *candidates;    /* only this host, NULL all */
    long long vm_mib;
    const char *chosen;        /* NULL: refused */
    const char *why;           /* a word of a verdict (or of the refusal) */
};

static const struct rack_case rack_cases[] = {
    { "the most free memory wins; stale and own hosts passed over",
      { 9000, 1000, 4000, 8000 }, { false, false, false, true }, { NULL }, NULL, NULL, NULL,
      NULL, 192, "sys3", "not reachable" },
    { "fewest migrations first: one booked on sys3", { 9000, 1000, 4000, 800 },
      { false }, { NULL }, NULL, NULL, "sys3", NULL, 192, "sys2", "1 migrations running there" },
    { "fewest migrations first: another VM arrives on sys3", { 9000, 1000, 4000, 800 },
      { false }, { NULL }, NULL, "sys3", NULL, NULL, 192, "sys2", "0 on sys2" },
    { "not enough memory anywhere: refused with each host's reason", { 9000, 100, 150, 120 },
      { false }, { NULL }, NULL, NULL, NULL, NULL, 192, NULL, "sys3: 150 MiB free, vm1 needs 192" },
    { "the disk only on sys2's NFS mount", { 9000, 1000, 4000, 3000 }, { false },
      { NULL, "/srv/nfs", NULL, "/srv/other" }, "/srv/nfs/vm1.img", NULL, NULL, NULL, 192, "sys2",
      "does not see the VM's storage" },
    { "only the named candidates", { 9000, 1000, 4000, 3000 }, { false }, { NULL }, NULL, NULL,
      NULL, "sys2", 192, "sys2", "chosen" },
    { "a tie: the first in the lab config", { 9000, 2000, 2000, 2000 }, { false }, { NULL },
      NULL, NULL, NULL, NULL, 192, "sys2", "sys2 comes first in the lab config" },
};

static struct ccnc_snapshot *
make_rack(struct ccnc_lab *lab, const struct rack_case *c)
{
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);

    for (size_t i = 0; i < snap->n_hosts; i++) {
        struct ccnc_host *h = ccnc_host_dup(snap->hosts[i]);
        struct ccnc_snapshot *next;
        int k = h->name[0] == 's' ? h->name[3] - '1' : -1;

        h->connection = CCNC_CONN_CONNECTED;
        h->updated_ms = 1;
        h->stale = k >= 0 && c->stale[k];
        if (k >= 0) {
            h->libvirt = CCNC_CONN_CONNECTED;
            h->mem_free_kib = c->free_mib[k] < 0 ? CCNC_UNKNOWN : c->free_mib[k] * 1024;
            if (c->mount[k]) {
                struct ccnc_export *e = ccnc_host_add_export(h);
                e->path = ccnc_xstrdup(c->mount[k]);
                e->options = ccnc_xstrdup("mount,fstype=nfs4,server=10.0.0.9");
            }
        }
        if (k == 0) {
            add_link(h, "br0", "up", NULL);
            add_link(h, "br-pt", "up", NULL);
            add_link(h, "vnet0", "up", "br-pt");
            add_link(h, "vnet1", "up", "br0");
            add_vm(h, lab, "vm1", ON_PRIMARY);
            h->vms[0].memory_kib = c->vm_mib * 1024;
            if (c->disk) {
                h->vms[0].disks = ccnc_xcalloc(2, sizeof(char *));
                h->vms[0].disks[0] = ccnc_xstrdup(c->disk);
                h->vms[0].n_disks = 1;
            }
        }
        if (c->migrating_in && strcmp(h->name, c->migrating_in) == 0) {
            struct ccnc_vm *o = ccnc_host_add_vm(h);
            o->name = ccnc_xstrdup("other");
            o->state = CCNC_VM_PAUSED;
            o->job = CCNC_VM_JOB_MIGRATION_IN;
        }
        next = ccnc_snapshot_replace_host(snap, i, h);
        ccnc_snapshot_unref(snap);
        snap = next;
    }
    return snap;
}

START_TEST(test_plan_auto)
{
    const struct rack_case *c = &rack_cases[_i];
    struct ccnc_error errs[2] = { { 0 } }, err = { 0 };
    size_t ne = 0;
    struct ccnc_lab *lab = ccnc_lab_load_text("rack.conf", rack_text, strlen(rack_text), errs, 2,
                                              &ne);
    struct ccnc_snapshot *snap = make_rack(lab, c);
    const char *only[] = { c->candidates, NULL };
    struct ccnc_plan_booking booking = { "vm7", c->booked, 512 * 1024, false };
    struct ccnc_plan_request req = { .kind = CCNC_ACTION_MIGRATE, .vm = "vm1",
                                     .destination = CCNC_PLACE_AUTO,
                                     .candidates = c->candidates ? only : NULL,
                                     .booked = c->booked ? &booking : NULL,
                                     .n_booked = c->booked ? 1 : 0 };
    struct ccnc_action *a = ccnc_plan(lab, snap, &req, &err);

    if (!c->chosen) {
        ck_assert_msg(!a, "%s: planned, not refused", c->name);
        ck_assert_int_eq(err.code, CCNC_ERR_REFUSED);
        ck_assert_msg(strstr(err.message, c->why), "%s: '%s' says nothing of '%s'", c->name,
                      err.message, c->why);
    } else {
        bool said = false, chosen_once = false;
        char *text;
        ck_assert_msg(a, "%s: refused: %s", c->name, err.message);
        ck_assert_str_eq(a->destination, c->chosen);
        ck_assert_int_eq(a->kind, CCNC_ACTION_MIGRATE_PASSTHROUGH);
        ck_assert_uint_eq(a->n_placement, c->candidates ? 1 : 4);
        for (size_t i = 0; i < a->n_placement; i++) {
            said |= strstr(a->placement[i].why, c->why) != NULL;
            if (a->placement[i].chosen) {
                ck_assert(!chosen_once);
                chosen_once = true;
                ck_assert_str_eq(a->placement[i].host, c->chosen);
                ck_assert(a->placement[i].candidate);
            }
            if (strcmp(a->placement[i].host, "sys1") == 0)
                ck_assert(!a->placement[i].candidate);
        }
        ck_assert(chosen_once);
        ck_assert_msg(said, "%s: no verdict says '%s'", c->name, c->why);
        text = ccnc_action_plan_text(a);
        ck_assert_ptr_nonnull(strstr(text, "Placement:"));
        ck_assert_ptr_nonnull(strstr(text, c->why));
        free(text);
    }
    ccnc_action_free(a);
    ccnc_error_clear(&err);
    /* offline, nothing to place by */
    req.assume_config = true;
    ck_assert_ptr_null(ccnc_plan(lab, snap, &req, &err));
    ck_assert_int_eq(err.code, CCNC_ERR_CONFIG);
    ccnc_error_clear(&err);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* Placement for a VM of a pool says why each host has no VF for it: the
 * pool names no port there, the host does not show the port, the port
 * has no VFs, or every VF is taken. */
START_TEST(test_plan_auto_pool)
{
    static const char text[] =
        "[lab]\nname = pools\n"
        "[host sys1]\naddress = 10.0.0.1\nuser = root\nrole = hypervisor\n"
        "[host sys2]\naddress = 10.0.0.2\nuser = root\nrole = hypervisor\n"
        "[host sys3]\naddress = 10.0.0.3\nuser = root\nrole = hypervisor\n"
        "[host sys4]\naddress = 10.0.0.4\nuser = root\nrole = hypervisor\n"
        "[host sys5]\naddress = 10.0.0.5\nuser = root\nrole = hypervisor\n"
        "[pool vfs]\nsys1 = eth1\nsys2 = eth1\nsys3 = eth1\nsys5 = eth1\n"
        "[vm vf1]\nhost = sys1\npassthrough = pool:vfs\npassthrough_mac = 52:54:00:77:02:01\n"
        "backup = alias:net0\n"
        "[vm vf2]\nhost = sys2\npassthrough = pool:vfs\npassthrough_mac = 52:54:00:77:03:01\n"
        "backup = alias:net0\n";
    static const char *const want[] = {
        "sys2: no free VF of the VM's pool", "sys3: the VM's pool's port there has no VFs",
        "sys4: the VM's pool has no port there", "sys5: it does not show the VM's pool's port",
    };
    struct ccnc_error errs[2] = { { 0 } }, err = { 0 };
    size_t ne = 0;
    struct ccnc_lab *lab = ccnc_lab_load_text("pools.conf", text, strlen(text), errs, 2, &ne);
    struct ccnc_snapshot *snap;
    struct ccnc_plan_request req = { .kind = CCNC_ACTION_MIGRATE, .vm = "vf1",
                                     .destination = CCNC_PLACE_AUTO };

    ck_assert_msg(lab, "lab: %s", ne ? errs[0].message : "?");
    snap = ccnc_snapshot_new_from_lab(lab);
    for (size_t i = 0; i < snap->n_hosts; i++) {
        struct ccnc_host *h = ccnc_host_dup(snap->hosts[i]);
        struct ccnc_snapshot *next;

        h->connection = CCNC_CONN_CONNECTED;
        h->libvirt = CCNC_CONN_CONNECTED;
        h->updated_ms = 1;
        h->stale = false;
        h->mem_free_kib = 8LL << 20;
        if (strcmp(h->name, "sys1") == 0) {
            add_link(h, "br0", "up", NULL);
            add_link(h, "vnet1", "up", "br0");
            add_vm(h, lab, "vf1", ON_PRIMARY);
        } else if (strcmp(h->name, "sys2") == 0 || strcmp(h->name, "sys3") == 0) {
            add_pool_port(h, lab, strcmp(h->name, "sys2") == 0);
        }
        next = ccnc_snapshot_replace_host(snap, i, h);
        ccnc_snapshot_unref(snap);
        snap = next;
    }
    ck_assert_ptr_null(ccnc_plan(lab, snap, &req, &err));
    ck_assert_int_eq(err.code, CCNC_ERR_REFUSED);
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(want); i++)
        ck_assert_msg(strstr(err.message, want[i]), "'%s' says nothing of '%s'", err.message,
                      want[i]);
    ccnc_error_clear(&err);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

Suite *
ccnc_plan_suite(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("plan");

    tcase_add_loop_test(tc, test_plan_table, 0, (int)CCNC_ARRAY_SIZE(cases));
    tcase_add_test(tc, test_plan_assumed);
    tcase_add_test(tc, test_plan_text_notes);
    tcase_add_test(tc, test_backup_path);
    tcase_add_loop_test(tc, test_resume_table, 0, (int)CCNC_ARRAY_SIZE(resume_cases));
    tcase_add_test(tc, test_resume_ends);
    tcase_add_test(tc, test_plan_lease);
    tcase_add_loop_test(tc, test_plan_auto, 0, (int)CCNC_ARRAY_SIZE(rack_cases));
    tcase_add_test(tc, test_plan_auto_pool);
    suite_add_tcase(s, tc);
    return s;
}
