/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The console's screens, drawn from fixed snapshots into a grid and
 * compared with golden text (80x24 and 160x50, UTF-8 and ASCII, colour and
 * monochrome looks); its keys; and the log view's ring. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ccnc/json.h>
#include <ccnc/model.h>
#include <ccnc/policy.h>
#include <ccnc/util.h>

#include "check-ccnc.h"
#include "ui-keys.h"
#include "ui-screen.h"
#include "ui-views.h"

/* The fixed wall clock of the fixture: 2026-09-21 05:46:40 UTC. */
#define FIXTURE_TIME_MS 1790142400000LL

/* --- fixtures -------------------------------------------------------------- */

static struct ccnc_lab *
load_lab(const char *rel, const char *shown_as)
{
    char *path = ccnc_test_data(rel);
    struct ccnc_lab *lab = ccnc_lab_load(path, NULL, 0, NULL);

    ck_assert_msg(lab != NULL, "cannot load %s", path);
    ccnc_str_set(&lab->path, shown_as);
    free(path);
    return lab;
}

/* tests/data/snapshots: two hypervisors with their VMs and VFs, and an NFS
 * server that has become unreachable (stale for 4m 10s, with the error). */
static struct ccnc_snapshot *
fixture_snapshot(void)
{
    static const char *const hosts[] = { "sys1", "sys2", "nfs" };
    struct ccnc_lab *lab = load_lab("snapshots/lab.conf", "tests/data/snapshots/lab.conf");
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(hosts); i++) {
        char *rel = ccnc_xasprintf("snapshots/%s.json", hosts[i]);
        char *path = ccnc_test_data(rel);
        char *text = ccnc_test_read(path, NULL);
        struct ccnc_error err = { 0 };
        struct ccnc_host *h = ccnc_json_parse_host(text, &err);
        struct ccnc_snapshot *next;
        int at = ccnc_snapshot_find_host(snap, hosts[i]);

        ck_assert_msg(h != NULL, "%s does not parse", path);
        ck_assert_int_ge(at, 0);
        h->updated_ms = h->stale ? FIXTURE_TIME_MS - 250000 : FIXTURE_TIME_MS - 2000;
        /* the stream on vm1's NICs: a sparkline where there is room */
        for (size_t v = 0; v < h->n_vms; v++)
            for (size_t k = 0; k < h->vms[v].n_nics && strcmp(h->vms[v].name, "vm1") == 0; k++) {
                static const long long bps[] = { 2100000, 2300000, 2200000, 800000, 0,
                                                  1500000, 2400000, 2250000, 2300000 };
                struct ccnc_vm_nic *n = &h->vms[v].nics[k];
                if (n->pci)
                    continue; /* a hostdev: the host sees none of its traffic */
                for (size_t b = 0; b < CCNC_ARRAY_SIZE(bps); b++)
                    n->history[n->n_history++] = bps[b] / (long long)(k + 1);
                n->rx_bps = n->history[n->n_history - 1] - 2000;
                n->tx_bps = 2000;
            }
        next = ccnc_snapshot_replace_host(snap, (size_t)at, h);
        ccnc_snapshot_unref(snap);
        snap = next;
        free(text);
        free(path);
        free(rel);
    }
    snap->time_ms = FIXTURE_TIME_MS;
    ccnc_lab_unref(lab);
    return snap;
}

static struct ui_log *
fixture_log(void)
{
    static const struct { int at_s; enum ui_log_level level; const char *text; } lines[] = {
        { -300, UI_LOG_INFO, "Console started with 'tests/data/snapshots/lab.conf': 3 hosts, 5 VMs configured." },
        { -299, UI_LOG_CHANGE, "sys1: connection connecting -> connected" },
        { -299, UI_LOG_CHANGE, "sys2: connection connecting -> connected" },
        { -298, UI_LOG_CHANGE, "nfs: connection connecting -> connected" },
        { -290, UI_LOG_CHANGE, "sys1: vm-added vm1 (- -> running)" },
        { -290, UI_LOG_CHANGE, "sys1: vm-added vm2 (- -> running)" },
        { -288, UI_LOG_CHANGE, "sys2: vm-added vm3 (- -> running)" },
        { -260, UI_LOG_ERROR, "nfs: connection connected -> unreachable" },
        { -200, UI_LOG_WARN, "sys1: vm2/bond0 active slave eth0 -> eth1" },
        { -199, UI_LOG_CHANGE, "sys1: vf-changed eth1/2 (auto -> disable)" },
        { -120, UI_LOG_WARN, "sys2: vm3/bond0 active slave eth0 -> -" },
        { -60, UI_LOG_CHANGE, "sys2: VM scratch running -> shutoff" },
        { -5, UI_LOG_CHANGE, "sys2: vm-bond-changed video2/bond0 (agent -> silent)" },
    };
    struct ui_log *log = ui_log_new(0);

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(lines); i++)
        ui_log_add(log, FIXTURE_TIME_MS + lines[i].at_s * 1000LL, lines[i].level, lines[i].text);
    return log;
}

/* A rack: 16 hypervisors and 32 configured VMs.  hv03 and hv09 are stale,
 * hv07 unreachable, hv12 not contacted yet (its two VMs are seen nowhere),
 * hv04 runs nothing and has no VFs; VMs on their backup NIC on hv02 and
 * hv05, and db-10 migrating from hv05 to hv06; VFs free and taken; memory
 * from plenty to little, unknown where libvirt was not read. */
#define RACK_HOSTS 16
static const int rack_vms[RACK_HOSTS] = { 3, 2, 3, 0, 3, 2, 2, 1, 2, 3, 1, 2, 2, 3, 2, 1 };

static void
rack_vm_name(char *buf, size_t len, int k)
{
    static const char *const kinds[] = { "web", "db", "cache", "build", "video", "mail", "api",
                                         "dns" };
    snprintf(buf, len, "%s-%02d", kinds[k % 8], k + 1);
}

static void
rack_add_vm(struct ccnc_host *h, struct ccnc_link *l, int hi, int j, const char *name,
            bool on_backup)
{
    struct ccnc_vm *vm = ccnc_host_add_vm(h);
    struct ccnc_vm_nic *n;
    struct ccnc_bond_slave *sl;
    char mac1[32], mac2[32];

    snprintf(mac1, sizeof(mac1), "52:54:00:%02x:%02x:01", hi + 1, j);
    snprintf(mac2, sizeof(mac2), "52:54:00:%02x:%02x:02", hi + 1, j);
    vm->name = ccnc_xstrdup(name);
    vm->uuid = ccnc_xasprintf("0c0ffee0-0000-4000-8000-%06d%06d", hi + 1, j);
    vm->state = CCNC_VM_RUNNING;
    n = ccnc_vm_add_nic(vm);
    n->mac = ccnc_xstrdup(mac1);
    n->type = ccnc_xstrdup("hostdev");
    n->role = CCNC_NIC_ROLE_PASSTHROUGH;
    if (l && (size_t)j < l->n_vfs) {
        n->pci = ccnc_xstrdup(l->vfs[j].pci);
        ccnc_str_set(&l->vfs[j].vm, name);
        ccnc_str_set(&l->vfs[j].mac, mac1);
    }
    n = ccnc_vm_add_nic(vm);
    n->mac = ccnc_xstrdup(mac2);
    n->model = ccnc_xstrdup("virtio");
    n->type = ccnc_xstrdup("bridge");
    n->role = CCNC_NIC_ROLE_BACKUP;
    n->target = ccnc_xasprintf("vnet%d", j);
    n->source = ccnc_xstrdup("br0");
    vm->bond = ccnc_xcalloc(1, sizeof(*vm->bond));
    ccnc_bond_init(vm->bond);
    vm->bond->name = ccnc_xstrdup("bond0");
    vm->bond->mode = CCNC_BOND_MODE_ACTIVE_BACKUP;
    vm->bond->mii_status = ccnc_xstrdup("up");
    vm->bond->primary = ccnc_xstrdup("eth0");
    vm->bond->active_slave = ccnc_xstrdup(on_backup ? "eth1" : "eth0");
    vm->bond->miimon_ms = 100;
    vm->bond->updelay_ms = vm->bond->downdelay_ms = 0;
    sl = ccnc_bond_add_slave(vm->bond);
    sl->name = ccnc_xstrdup("eth0");
    sl->state = on_backup ? CCNC_SLAVE_BACKUP : CCNC_SLAVE_ACTIVE;
    sl->mii_status = ccnc_xstrdup("up");
    sl->speed_mbps = 1000;
    sl->perm_hwaddr = ccnc_xstrdup(mac1);
    sl = ccnc_bond_add_slave(vm->bond);
    sl->name = ccnc_xstrdup("eth1");
    sl->state = on_backup ? CCNC_SLAVE_ACTIVE : CCNC_SLAVE_BACKUP;
    sl->mii_status = ccnc_xstrdup("up");
    sl->perm_hwaddr = ccnc_xstrdup(mac2);
}

static struct ccnc_snapshot *
rack_snapshot(void)
{
    /* free memory in MiB per host; -1: not read */
    static const long long free_mib[RACK_HOSTS] = { 12595, 40960, 3072, 61000, 2048, 30720,
                                                    -1, 51200, 8192, 16384, 45000, -1,
                                                    1200, 22528, 35840, 60000 };
    char *text = ccnc_xstrdup("[lab]\nname = ccnc rack lab\n"), *t, name[32];
    struct ccnc_lab *lab;
    struct ccnc_snapshot *snap;
    int k = 0;

    for (int i = 0; i < RACK_HOSTS; i++) {
        t = ccnc_xasprintf("%s[host hv%02d]\naddress = 10.78.0.%d\nuser = root\n"
                           "role = hypervisor\n", text, i + 1, i + 11);
        free(text);
        text = t;
    }
    t = ccnc_xasprintf("%s[host nfs]\nlabel = NFS server\naddress = 10.78.0.30\nuser = root\n"
                       "role = storage\n", text);
    free(text);
    text = t;
    for (int i = 0; i < RACK_HOSTS; i++)
        for (int j = 0; j < rack_vms[i]; j++, k++) {
            rack_vm_name(name, sizeof(name), k);
            t = ccnc_xasprintf("%s[vm %s]\nhost = hv%02d\nbackup = 52:54:00:%02x:%02x:02\n", text,
                               name, i + 1, i + 1, j);
            free(text);
            text = t;
        }
    lab = ccnc_lab_load_text("rack.conf", text, strlen(text), NULL, 0, NULL);
    ck_assert_msg(lab != NULL, "the rack's lab does not load");
    free(text);
    snap = ccnc_snapshot_new_from_lab(lab);
    k = 0;
    for (int i = 0; i < RACK_HOSTS; i++) {
        struct ccnc_host *h;
        struct ccnc_link *l = NULL;
        struct ccnc_snapshot *next;
        char hn[16];

        snprintf(hn, sizeof(hn), "hv%02d", i + 1);
        if (i == 11) {      /* hv12: not contacted yet, as the lab made it */
            k += rack_vms[i];
            continue;
        }
        h = ccnc_host_dup(snap->hosts[i]);
        ccnc_str_set(&h->error, NULL);
        h->connection = CCNC_CONN_CONNECTED;
        h->stale = false;
        h->libvirt = CCNC_CONN_CONNECTED;
        h->updated_ms = FIXTURE_TIME_MS - 2000;
        h->hostkey_sha256 = ccnc_xasprintf("SHA256:rack%02dPZRVlb0rGr7T8tSSSHpZ0mk4TGS5JjEMtGM", i + 1);
        h->agent_version = ccnc_xstrdup("0.1.0");
        h->mem_total_kib = 64LL * 1024 * 1024;
        h->mem_free_kib = free_mib[i] < 0 ? CCNC_UNKNOWN : free_mib[i] * 1024;
        if (i != 3) {
            /* an SR-IOV port: 4 VFs, 8 on every fourth host */
            int n_vfs = i % 4 == 0 ? 8 : 4;
            l = ccnc_host_add_link(h);
            l->name = ccnc_xstrdup("ens1f0");
            l->operstate = ccnc_xstrdup("up");
            for (int v = 0; v < n_vfs; v++) {
                struct ccnc_vf *vf = ccnc_link_add_vf(l);
                vf->index = v;
                vf->pci = ccnc_xasprintf("0000:3b:%02x.%d", 2 + v / 8, v % 8);
                vf->mac = ccnc_xstrdup("00:00:00:00:00:00");
                vf->vlan = 0;
                vf->link_state = ccnc_xstrdup("auto");
            }
        }
        for (int j = 0; j < rack_vms[i]; j++, k++) {
            rack_vm_name(name, sizeof(name), k);
            rack_add_vm(h, l, i, j, name, (i == 1 && j == 1) || (i == 4 && j > 0));
        }
        if (i == 4) {
            /* hv05 -> hv06: db-10 leaves, and arrives paused on hv06 */
            ck_assert_str_eq(h->vms[1].name, "db-10");
            h->vms[1].job = CCNC_VM_JOB_MIGRATION_OUT;
        } else if (i == 5) {
            rack_add_vm(h, NULL, i, 9, "db-10", true);
            h->vms[h->n_vms - 1].state = CCNC_VM_PAUSED;
            h->vms[h->n_vms - 1].job = CCNC_VM_JOB_MIGRATION_IN;
        }
        if (i == 2 || i == 8) {
            h->stale = true;
            h->updated_ms = FIXTURE_TIME_MS - 95000;
            h->error = ccnc_xstrdup("the agent has not answered for 95 s");
        } else if (i == 6) {
            h->connection = CCNC_CONN_UNREACHABLE;
            h->stale = true;
            h->updated_ms = FIXTURE_TIME_MS - 250000;
            h->error = ccnc_xstrdup("ssh: connect to 10.78.0.17 port 22: Connection timed out");
        }
        next = ccnc_snapshot_replace_host(snap, (size_t)i, h);
        ccnc_snapshot_unref(snap);
        snap = next;
    }
    {
        /* the NFS server, answering */
        int at = ccnc_snapshot_find_host(snap, "nfs");
        struct ccnc_host *h = ccnc_host_dup(snap->hosts[at]);
        struct ccnc_export *ex = ccnc_host_add_export(h);
        struct ccnc_snapshot *next;

        ccnc_str_set(&h->error, NULL);
        h->connection = CCNC_CONN_CONNECTED;
        h->stale = false;
        h->updated_ms = FIXTURE_TIME_MS - 1000;
        h->agent_version = ccnc_xstrdup("0.1.0");
        ex->path = ccnc_xstrdup("/srv/images");
        ex->clients = ccnc_xstrdup("10.78.0.0/24");
        next = ccnc_snapshot_replace_host(snap, (size_t)at, h);
        ccnc_snapshot_unref(snap);
        snap = next;
    }
    snap->time_ms = FIXTURE_TIME_MS;
    ccnc_lab_unref(lab);
    return snap;
}

static void
utc(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
}

/* --- golden screens ---------------------------------------------------------- */

enum lab_kind { LAB_FIXTURE, LAB_BUILTIN, LAB_EXAMPLE, LAB_FIXTURE_HOSTKEY, LAB_FIXTURE_HOSTILE,
                LAB_RACK, LAB_FIXTURE_TEAMING };

static const struct {
    enum lab_kind lab;
    int view;
    int w, h;
    bool ascii;
    int selected;
    const char *keys;     /* typed before drawing ("" none) */
    const char *golden;
} screens[] = {
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 80, 24, false, 0, "", "golden/ui-overview-80x24.txt" },
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 160, 50, false, 0, "", "golden/ui-overview-160x50.txt" },
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 80, 24, true, 0, "", "golden/ui-overview-80x24-ascii.txt" },
    /* the last VM selected: the list scrolls to show it */
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 80, 24, false, 5, "", "golden/ui-overview-80x24-last.txt" },
    { LAB_FIXTURE, UI_VIEW_VFS, 80, 24, false, 0, "", "golden/ui-vfs-80x24.txt" },
    { LAB_FIXTURE, UI_VIEW_VFS, 160, 50, false, 0, "", "golden/ui-vfs-160x50.txt" },
    { LAB_FIXTURE, UI_VIEW_VFS, 80, 24, true, 0, "", "golden/ui-vfs-80x24-ascii.txt" },
    { LAB_FIXTURE, UI_VIEW_VFS, 80, 24, false, 10, "", "golden/ui-vfs-80x24-last.txt" },
    { LAB_FIXTURE, UI_VIEW_MIGRATION, 80, 24, false, 0, "", "golden/ui-migration-80x24.txt" },
    { LAB_FIXTURE, UI_VIEW_MIGRATION, 160, 50, false, 0, "", "golden/ui-migration-160x50.txt" },
    { LAB_FIXTURE, UI_VIEW_MIGRATION, 80, 24, true, 0, "", "golden/ui-migration-80x24-ascii.txt" },
    { LAB_FIXTURE, UI_VIEW_LOG, 80, 24, false, 0, "", "golden/ui-log-80x24.txt" },
    { LAB_FIXTURE, UI_VIEW_LOG, 160, 50, false, 0, "", "golden/ui-log-160x50.txt" },
    { LAB_FIXTURE, UI_VIEW_LOG, 80, 24, true, 0, "", "golden/ui-log-80x24-ascii.txt" },
    { LAB_FIXTURE, UI_VIEW_LOG, 80, 24, false, 0, "/bond\r", "golden/ui-log-80x24-filtered.txt" },
    { LAB_FIXTURE, UI_VIEW_LOG, 80, 24, false, 0, "/sys2", "golden/ui-log-80x24-editing.txt" },
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 80, 24, false, 0, "?", "golden/ui-help-80x24.txt" },
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 80, 24, true, 0, "?", "golden/ui-help-80x24-ascii.txt" },
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 160, 50, false, 0, "?", "golden/ui-help-160x50.txt" },
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 80, 24, false, 0, "x", "golden/ui-action-message-80x24.txt" },
    { LAB_FIXTURE, UI_VIEW_OVERVIEW, 79, 24, false, 0, "", "golden/ui-too-small.txt" },
    /* System2 answers with a host key that known_hosts lacks */
    { LAB_FIXTURE_HOSTKEY, UI_VIEW_OVERVIEW, 80, 24, false, 0, "",
      "golden/ui-overview-hostkey-80x24.txt" },
    /* what the console shows before any collector reported */
    { LAB_BUILTIN, UI_VIEW_OVERVIEW, 80, 24, false, 0, "", "golden/ui-overview-builtin-80x24.txt" },
    { LAB_EXAMPLE, UI_VIEW_OVERVIEW, 80, 24, false, 0, "", "golden/ui-overview-example-80x24.txt" },
    { LAB_EXAMPLE, UI_VIEW_VFS, 80, 24, false, 0, "", "golden/ui-vfs-example-80x24.txt" },
    /* names and errors from hosts that hold escape sequences and invalid
     * UTF-8: drawn as escapes */
    { LAB_FIXTURE_HOSTILE, UI_VIEW_OVERVIEW, 160, 50, false, 0, "",
      "golden/ui-overview-hostile-160x50.txt" },
    { LAB_FIXTURE_HOSTILE, UI_VIEW_VFS, 80, 24, false, 0, "", "golden/ui-vfs-hostile-80x24.txt" },
    /* video2 as a QEMU failover pair (<teaming>): no bond in the guest, each
     * NIC's role left of its traffic; selected, with its details */
    { LAB_FIXTURE_TEAMING, UI_VIEW_OVERVIEW, 160, 50, false, 3, "",
      "golden/ui-overview-teaming-160x50.txt" },
    /* 16 hosts, 32 VMs: folded but for the selected VM's host, all open
     * (+), a search being typed, a host's line selected by its number */
    { LAB_RACK, UI_VIEW_OVERVIEW, 80, 24, false, 0, "", "golden/ui-overview-rack-80x24.txt" },
    { LAB_RACK, UI_VIEW_OVERVIEW, 160, 50, false, 0, "", "golden/ui-overview-rack-160x50.txt" },
    { LAB_RACK, UI_VIEW_OVERVIEW, 80, 24, true, 0, "", "golden/ui-overview-rack-80x24-ascii.txt" },
    { LAB_RACK, UI_VIEW_OVERVIEW, 80, 24, false, 0, "+", "golden/ui-overview-rack-80x24-open.txt" },
    { LAB_RACK, UI_VIEW_OVERVIEW, 160, 50, false, 0, "+",
      "golden/ui-overview-rack-160x50-open.txt" },
    { LAB_RACK, UI_VIEW_OVERVIEW, 80, 24, false, 0, "/db-1",
      "golden/ui-overview-rack-80x24-find.txt" },
    { LAB_RACK, UI_VIEW_OVERVIEW, 160, 50, false, 0, "h7\r",
      "golden/ui-overview-rack-160x50-host.txt" },
};

/* The fixture with sys2 replaced by what edit makes of a copy of it. */
static struct ccnc_snapshot *
fixture_with_sys2(void (*edit)(struct ccnc_host *h))
{
    struct ccnc_snapshot *snap = fixture_snapshot(), *next;
    int at = ccnc_snapshot_find_host(snap, "sys2");
    struct ccnc_host *h = ccnc_host_dup(snap->hosts[at]);

    edit(h);
    next = ccnc_snapshot_replace_host(snap, (size_t)at, h);
    next->time_ms = FIXTURE_TIME_MS;
    ccnc_snapshot_unref(snap);
    return next;
}

/* System2 answers with a host key that known_hosts lacks */
static void
sys2_hostkey_unknown(struct ccnc_host *h)
{
    h->connection = CCNC_CONN_HOSTKEY_UNKNOWN;
    h->stale = true;
    ccnc_str_set(&h->error, "the host key of 10.77.0.12 is not in ~/.ssh/known_hosts");
}

/* video2 as a QEMU failover pair: <teaming> on both NICs, no bond */
static void
sys2_teaming(struct ccnc_host *h)
{
    for (size_t v = 0; v < h->n_vms; v++) {
        struct ccnc_vm *vm = &h->vms[v];

        if (strcmp(vm->name, "video2") != 0)
            continue;
        ck_assert_uint_eq(vm->n_nics, 2);
        ck_assert_str_eq(vm->nics[1].alias, "net1");
        vm->nics[0].teaming = ccnc_xcalloc(1, sizeof(struct ccnc_teaming));
        vm->nics[0].teaming->type = ccnc_xstrdup("transient");
        vm->nics[0].teaming->persistent = ccnc_xstrdup("net1");
        vm->nics[1].teaming = ccnc_xcalloc(1, sizeof(struct ccnc_teaming));
        vm->nics[1].teaming->type = ccnc_xstrdup("persistent");
        ccnc_vm_pair_teaming(vm);
        /* the virtio half carries the traffic while the VF is away */
        vm->nics[1].rx_bps = 20000000;
        vm->nics[1].tx_bps = 1000000;
        for (int k = 0; k < 8; k++)
            vm->nics[1].history[vm->nics[1].n_history++] = 15000000 + k * 1000000;
        ccnc_bond_free(vm->bond);
        vm->bond = NULL;
        vm->bond_stale = false;   /* the collector does not read one */
    }
}

static struct ccnc_snapshot *
screen_snapshot(enum lab_kind kind)
{
    struct ccnc_lab *lab;
    struct ccnc_snapshot *snap;

    if (kind == LAB_FIXTURE)
        return fixture_snapshot();
    if (kind == LAB_RACK)
        return rack_snapshot();
    if (kind == LAB_FIXTURE_HOSTKEY)
        return fixture_with_sys2(sys2_hostkey_unknown);
    if (kind == LAB_FIXTURE_TEAMING)
        return fixture_with_sys2(sys2_teaming);
    if (kind == LAB_FIXTURE_HOSTILE) {
        /* what a hostile or broken host could send: a link name that clears
         * the screen, a VM name that sets the terminal's title, a C1 CSI
         * in a bond's slave, invalid UTF-8, an error in red */
        struct ccnc_snapshot *next;
        struct ccnc_host *h;
        int at;

        snap = fixture_snapshot();
        at = ccnc_snapshot_find_host(snap, "sys2");
        h = ccnc_host_dup(snap->hosts[at]);
        ck_assert_str_eq(h->links[0].name, "enp5s0f0");
        ccnc_str_set(&h->links[0].name, "enp5s0f0\033[2J");
        for (size_t v = 0; v < h->n_vms; v++) {
            if (strcmp(h->vms[v].name, "scratch") == 0)
                ccnc_str_set(&h->vms[v].name, "scratch\033]0;owned\007\xff");
            if (strcmp(h->vms[v].name, "video2") == 0 && h->vms[v].bond)
                ccnc_str_set(&h->vms[v].bond->active_slave, "eth0\xc2\x9b" "31m");
        }
        next = ccnc_snapshot_replace_host(snap, (size_t)at, h);
        ccnc_snapshot_unref(snap);
        snap = next;
        at = ccnc_snapshot_find_host(snap, "nfs");
        h = ccnc_host_dup(snap->hosts[at]);
        ccnc_str_set(&h->error, "ssh: \033[31mNo route\033[0m to host \xfe\xfe");
        next = ccnc_snapshot_replace_host(snap, (size_t)at, h);
        next->time_ms = FIXTURE_TIME_MS;
        ccnc_snapshot_unref(snap);
        return next;
    }
    lab = kind == LAB_BUILTIN ? ccnc_lab_load_builtin()
                              : load_lab("../../docs/examples/lab.conf", "docs/examples/lab.conf");
    snap = ccnc_snapshot_new_from_lab(lab);
    ccnc_lab_unref(lab);
    return snap;
}

static void
type_keys(struct ui_state *st, const struct ccnc_snapshot *snap, const char *keys)
{
    for (const char *k = keys; *k; k++)
        ui_handle_key(st, snap, *k == '\r' ? UI_K_ENTER : *k == 27 ? UI_K_ESC : *k);
}

START_TEST(test_screen_golden)
{
    struct ccnc_snapshot *snap = screen_snapshot(screens[_i].lab);
    struct ui_log *log;
    struct ui_grid *g = ui_grid_new(screens[_i].w, screens[_i].h, screens[_i].ascii);
    struct ui_state st = { .view = screens[_i].view, .clock = "12:34:56" };
    char *text;

    utc();  /* before the log formats its times */
    st.log = log = fixture_log();
    st.selected[st.view] = screens[_i].selected;
    type_keys(&st, snap, screens[_i].keys);
    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden(screens[_i].golden, text);
    free(text);
    ui_grid_free(g);
    ui_log_free(log);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* How a screen looks on a monochrome terminal and in colour: the style
 * flags of every cell (ui_grid_styles_to_text). */
static const struct {
    int view;
    bool color;
    const char *golden;
} looks[] = {
    { UI_VIEW_OVERVIEW, false, "golden/ui-overview-80x24-mono.txt" },
    { UI_VIEW_OVERVIEW, true, "golden/ui-overview-80x24-color.txt" },
    { UI_VIEW_VFS, false, "golden/ui-vfs-80x24-mono.txt" },
};

START_TEST(test_screen_looks)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ui_grid *g = ui_grid_new(80, 24, false);
    struct ui_state st = { .view = looks[_i].view, .clock = "12:34:56" };
    char *text, *styles, *all;

    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, false);
    styles = ui_grid_styles_to_text(g, looks[_i].color);
    all = ccnc_xasprintf("%s--- %s: 1 bold, 2 dim, 4 underline, 8 reverse ---\n%s", text,
                         looks[_i].color ? "colour" : "monochrome", styles);
    if (looks[_i].color) {
        char *colors = ui_grid_colors_to_text(g), *both;
        both = ccnc_xasprintf("%s--- colours: foreground 1 red, 2 green, 3 yellow, 4 blue;"
                              " g: on cyan ---\n%s", all, colors);
        free(all);
        free(colors);
        all = both;
    }
    ccnc_test_golden(looks[_i].golden, all);
    free(all);
    free(styles);
    free(text);
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* On a monochrome terminal every attribute that asks for attention looks
 * different from normal text and from each other. */
START_TEST(test_mono_distinct)
{
    static const enum ui_attr marked[] = { UI_NORMAL, UI_BOLD, UI_DIM, UI_REVERSE,
                                           UI_HEADER, UI_WARN, UI_BAD };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(marked); i++) {
        for (size_t j = i + 1; j < CCNC_ARRAY_SIZE(marked); j++) {
            unsigned a = ui_attr_style(marked[i], false).flags;
            unsigned b = ui_attr_style(marked[j], false).flags;
            ck_assert_msg(a != b, "attributes %d and %d look alike in monochrome",
                          (int)marked[i], (int)marked[j]);
        }
        ck_assert_int_eq(ui_attr_style(marked[i], false).fg, UI_COLOR_DEFAULT);
    }
    /* in colour, good, warning and failure differ by colour */
    ck_assert_int_ne(ui_attr_style(UI_GOOD, true).fg, ui_attr_style(UI_WARN, true).fg);
    ck_assert_int_ne(ui_attr_style(UI_WARN, true).fg, ui_attr_style(UI_BAD, true).fg);
}
END_TEST

/* --- keys -------------------------------------------------------------------- */

/* A key sequence from a fresh state and what it leaves behind. */
static const struct {
    const char *name;
    int keys[12];          /* 0 ends */
    int last_result;       /* flags the last key returns, -1: don't check */
    int view;
    int selected;          /* of that view */
    bool help, editing;
    const char *filter, *edit, *message;   /* message: a substring, "" none */
} key_cases[] = {
    { "tab cycles", { UI_K_TAB, UI_K_TAB, UI_K_TAB }, UI_KEY_HANDLED | UI_KEY_REDRAW,
      UI_VIEW_LOG, 0, false, false, "", "", "" },
    { "tab wraps", { UI_K_TAB, UI_K_TAB, UI_K_TAB, UI_K_TAB }, -1, UI_VIEW_OVERVIEW, 0,
      false, false, "", "", "" },
    { "shift-tab back", { UI_K_BTAB }, -1, UI_VIEW_LOG, 0, false, false, "", "", "" },
    { "digits", { '4', '2' }, -1, UI_VIEW_VFS, 0, false, false, "", "", "" },
    /* vm1, vm2, System2's line, vm3 */
    { "j selects", { 'j', 'j', UI_K_DOWN }, -1, UI_VIEW_OVERVIEW, 2, false, false, "", "", "" },
    { "k stops at 0", { 'j', 'k', 'k', UI_K_UP }, -1, UI_VIEW_OVERVIEW, 0, false, false, "",
      "", "" },
    { "j stops at the last VM", { 'j', 'j', 'j', 'j', 'j', 'j', 'j', 'j', 'j' }, -1,
      UI_VIEW_OVERVIEW, 5, false, false, "", "", "" },
    { "G and g", { 'G' }, -1, UI_VIEW_OVERVIEW, 5, false, false, "", "", "" },
    { "VFs select", { '2', UI_K_PGDN }, -1, UI_VIEW_VFS, 10, false, false, "", "", "" },
    { "VFs bounded", { '2', 'G', 'j' }, -1, UI_VIEW_VFS, 10, false, false, "", "", "" },
    { "selection per view", { 'j', '2', 'j', 'j', '1' }, -1, UI_VIEW_OVERVIEW, 1, false,
      false, "", "", "" },
    { "help opens", { '?' }, UI_KEY_HANDLED | UI_KEY_REDRAW, UI_VIEW_OVERVIEW, 0, true,
      false, "", "", "" },
    { "any key closes help", { '?', 'j' }, UI_KEY_HANDLED | UI_KEY_REDRAW, UI_VIEW_OVERVIEW,
      0, false, false, "", "", "" },
    { "q in help quits", { '?', 'q' }, UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_QUIT,
      UI_VIEW_OVERVIEW, 0, false, false, "", "", "" },
    { "q quits", { 'q' }, UI_KEY_QUIT, UI_VIEW_OVERVIEW, 0, false, false, "", "", "" },
    /* actions: the highlighted VM's plan is asked of ui.c */
    { "assign asks for a plan", { 'a' }, UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST,
      UI_VIEW_OVERVIEW, 0, false, false, "", "", "" },
    { "detach asks for a plan", { 'j', 'd' }, UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST,
      UI_VIEW_OVERVIEW, 1, false, false, "", "", "" },
    { "migrate asks for a plan", { 'm' }, UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST,
      UI_VIEW_OVERVIEW, 0, false, false, "", "", "" },
    { "migrate from another view needs a VM", { '2', 'm' }, UI_KEY_HANDLED | UI_KEY_REDRAW,
      UI_VIEW_VFS, 0, false, false, "", "", "Select a VM" },
    { "abort with nothing running", { 'x' }, -1, UI_VIEW_OVERVIEW, 0, false, false, "", "",
      "No action is running" },
    { "bandwidth test of the highlighted VM", { 'j', 'b' },
      UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST, UI_VIEW_OVERVIEW, 1, false, false, "",
      "", "" },
    { "bandwidth from another view needs a VM", { '2', 'b' }, UI_KEY_HANDLED | UI_KEY_REDRAW,
      UI_VIEW_VFS, 0, false, false, "", "", "Select a VM" },
    { "v leads to the VF view", { 'v' }, UI_KEY_HANDLED | UI_KEY_REDRAW, UI_VIEW_VFS, 0, false,
      false, "", "", "press v to edit" },
    { "a message lasts one key", { 'x', 'j' }, UI_KEY_HANDLED | UI_KEY_REDRAW,
      UI_VIEW_OVERVIEW, 1, false, false, "", "", "" },
    /* / filters the log from every view but the overview, where it finds a VM */
    { "slash edits the log filter", { '2', '/', 'b', 'o' }, UI_KEY_HANDLED | UI_KEY_REDRAW,
      UI_VIEW_LOG, 0, false, true, "", "bo", "" },
    { "enter applies", { '4', '/', 'b', 'o', UI_K_ENTER }, -1, UI_VIEW_LOG, 0, false, false,
      "bo", "bo", "" },
    { "esc cancels", { '4', '/', 'b', UI_K_ENTER, '/', 'x', UI_K_ESC }, -1, UI_VIEW_LOG, 0,
      false, false, "b", "bx", "" },
    { "q while editing is text", { '3', '/', 'q', 'j', '?' }, UI_KEY_HANDLED | UI_KEY_REDRAW,
      UI_VIEW_LOG, 0, false, true, "", "qj?", "" },
    { "backspace", { '4', '/', 'a', 0xe9, UI_K_BACKSPACE, 'b', UI_K_ENTER }, -1, UI_VIEW_LOG,
      0, false, false, "ab", "ab", "" },
    { "backspace on empty", { '4', '/', UI_K_BACKSPACE, UI_K_ENTER }, -1, UI_VIEW_LOG, 0,
      false, false, "", "", "" },
    { "esc clears an applied filter", { '4', '/', 'b', UI_K_ENTER, UI_K_ESC }, -1,
      UI_VIEW_LOG, 0, false, false, "", "b", "" },
    { "slash in the overview finds a VM", { '/', 'v', 'm' }, UI_KEY_HANDLED | UI_KEY_REDRAW,
      UI_VIEW_OVERVIEW, 0, false, false, "", "", "" },
    { "unknown key", { 'Z' }, UI_KEY_UNHANDLED, UI_VIEW_OVERVIEW, 0, false, false, "", "", "" },
    { "migration view has no selection", { '3', 'j' }, UI_KEY_UNHANDLED, UI_VIEW_MIGRATION, 0,
      false, false, "", "", "" },
    { "log scrolls up to the oldest", { '4', 'k', 'k', 'g' }, -1, UI_VIEW_LOG, 12, false,
      false, "", "", "" },
    { "log back to the newest", { '4', 'k', 'k', 'G' }, -1, UI_VIEW_LOG, 0, false, false, "",
      "", "" },
};

START_TEST(test_keys)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ui_log *log = fixture_log();
    struct ui_state st = { .log = log };
    int r = 0;

    for (size_t k = 0; k < CCNC_ARRAY_SIZE(key_cases[_i].keys) && key_cases[_i].keys[k]; k++)
        r = ui_handle_key(&st, snap, key_cases[_i].keys[k]);
    if (key_cases[_i].last_result >= 0)
        ck_assert_msg(r == key_cases[_i].last_result, "%s: result %d", key_cases[_i].name, r);
    ck_assert_msg(st.view == key_cases[_i].view, "%s: view %d", key_cases[_i].name, st.view);
    ck_assert_msg(st.selected[st.view] == key_cases[_i].selected, "%s: selected %d",
                  key_cases[_i].name, st.selected[st.view]);
    ck_assert_msg(st.help == key_cases[_i].help, "%s: help", key_cases[_i].name);
    ck_assert_msg(st.editing == key_cases[_i].editing, "%s: editing", key_cases[_i].name);
    ck_assert_str_eq(st.filter, key_cases[_i].filter);
    ck_assert_str_eq(st.edit, key_cases[_i].edit);
    if (*key_cases[_i].message)
        ck_assert_msg(strstr(st.message, key_cases[_i].message), "%s: message '%s'",
                      key_cases[_i].name, st.message);
    else
        ck_assert_msg(st.message[0] == '\0', "%s: message '%s'", key_cases[_i].name,
                      st.message);
    ui_log_free(log);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* The overview of a rack: folds, the VM search, going to a host.  Each
 * case types keys from a fresh state; folded is one digit a host (1:
 * folded), NULL while the overview still chooses. */
static const struct {
    const char *name;
    int keys[12];               /* 0 ends */
    const char *vm, *host;      /* selected_vm, selected_host */
    int finding;
    const char *folded;
    const char *message;        /* a substring, "" none */
    const char *req_vm;         /* the plan asked for, NULL none */
} rack_key_cases[] = {
    { "starts on the first VM", { 0 }, "web-01", "", UI_FIND_NONE, NULL, "", NULL },
    { "j walks the open host, then the next host's line", { 'j', 'j', 'j' }, "", "hv02",
      UI_FIND_NONE, NULL, "", NULL },
    { "j goes on into the host it selected", { 'j', 'j', 'j', 'j' }, "build-04", "",
      UI_FIND_NONE, NULL, "", NULL },
    { "Enter on a host's line folds it", { 'j', 'j', 'j', UI_K_ENTER }, "", "hv02",
      UI_FIND_NONE, "1111111111111111", "", NULL },
    { "Enter on a VM folds its host, its line selected", { UI_K_ENTER }, "", "hv01",
      UI_FIND_NONE, "1111111111111111", "", NULL },
    { "Enter again opens it", { UI_K_ENTER, UI_K_ENTER }, "", "hv01", UI_FIND_NONE,
      "0111111111111111", "", NULL },
    { "space is Enter", { ' ', ' ' }, "", "hv01", UI_FIND_NONE, "0111111111111111", "", NULL },
    { "+ opens every host", { '+' }, "web-01", "", UI_FIND_NONE, "0000000000000000", "", NULL },
    { "- folds every host", { 'j', '-' }, "", "hv01", UI_FIND_NONE, "1111111111111111", "",
      NULL },
    { "+ then - then Enter", { '+', '-', ']', UI_K_ENTER }, "", "hv02", UI_FIND_NONE,
      "1011111111111111", "", NULL },
    { "] and [ go from host to host", { ']', ']', '[' }, "", "hv02", UI_FIND_NONE, NULL, "",
      NULL },
    { "Left folds, Right opens", { UI_K_LEFT, UI_K_RIGHT }, "", "hv01", UI_FIND_NONE,
      "0111111111111111", "", NULL },
    { "/ finds the first VM as typed", { '/', 'c', 'a' }, "cache-03", "", UI_FIND_VM, NULL, "",
      NULL },
    { "and on in folded hosts", { '/', 'd', 'b', '-', '1' }, "db-10", "", UI_FIND_VM, NULL, "",
      NULL },
    { "Enter keeps it, n finds the next", { '/', 'v', 'i', 'd', UI_K_ENTER, 'n' }, "video-13",
      "", UI_FIND_NONE, NULL, "", NULL },
    { "N the one before, around the top", { '/', 'v', 'i', 'd', UI_K_ENTER, 'N' }, "video-29",
      "", UI_FIND_NONE, NULL, "", NULL },
    { "n from a host's line", { '/', 'w', 'e', 'b', UI_K_ENTER, ']', ']', ']', 'n' }, "web-09",
      "", UI_FIND_NONE, NULL, "", NULL },
    { "Esc puts the selection back", { 'j', '/', 'w', 'e', 'b', '-', '0', '9', UI_K_ESC },
      "db-02", "", UI_FIND_NONE, NULL, "", NULL },
    { "backspace finds again", { '/', 'd', 'n', 's', '-', '3', UI_K_BACKSPACE }, "dns-08", "",
      UI_FIND_VM, NULL, "", NULL },
    { "no match: the selection stays, and says so", { '/', 'z', 'z', UI_K_ENTER }, "web-01", "",
      UI_FIND_NONE, NULL, "No VM's name contains 'zz'", NULL },
    { "keys are text while finding", { '/', 'q', '2', 'm' }, "web-01", "", UI_FIND_VM, NULL, "",
      NULL },
    { "n before any search", { 'n' }, "web-01", "", UI_FIND_NONE, NULL, "Press / to find", NULL },
    { "h and a number go to that host", { 'h', '1', '2', UI_K_ENTER }, "", "hv12",
      UI_FIND_NONE, NULL, "", NULL },
    { "h and a part of a name", { 'h', 'v', '1', '4', UI_K_ENTER }, "", "hv14", UI_FIND_NONE,
      NULL, "", NULL },
    { "h and Esc", { 'j', 'h', '7', UI_K_ESC }, "db-02", "", UI_FIND_NONE, NULL, "", NULL },
    { "h on folds opens the host", { '-', 'h', '5', UI_K_ENTER }, "", "hv05", UI_FIND_NONE,
      "1111011111111111", "", NULL },
    { "m plans the VM found", { '/', 'd', 'b', '-', '2', '6', UI_K_ENTER, 'm' }, "db-26", "",
      UI_FIND_NONE, NULL, "", "db-26" },
    { "m on a host's line asks for a VM", { UI_K_ENTER, 'm' }, "", "hv01", UI_FIND_NONE,
      "1111111111111111", "Select a VM", NULL },
};

START_TEST(test_rack_keys)
{
    struct ccnc_snapshot *snap = rack_snapshot();
    struct ui_state st = { 0 };
    struct ui_grid *g = ui_grid_new(80, 24, false);

    for (size_t k = 0; k < CCNC_ARRAY_SIZE(rack_key_cases[_i].keys) && rack_key_cases[_i].keys[k];
         k++) {
        ui_handle_key(&st, snap, rack_key_cases[_i].keys[k]);
        ui_draw_screen(g, snap, &st);
    }
    if (rack_key_cases[_i].vm[0])
        ui_overview_selected_vm(&st, snap);
    ck_assert_msg(st.view == UI_VIEW_OVERVIEW, "%s: view %d", rack_key_cases[_i].name, st.view);
    ck_assert_msg(strcmp(st.selected_vm, rack_key_cases[_i].vm) == 0, "%s: VM '%s'",
                  rack_key_cases[_i].name, st.selected_vm);
    ck_assert_msg(strcmp(st.selected_host, rack_key_cases[_i].host) == 0, "%s: host '%s'",
                  rack_key_cases[_i].name, st.selected_host);
    ck_assert_msg(st.finding == rack_key_cases[_i].finding, "%s: finding %d",
                  rack_key_cases[_i].name, st.finding);
    if (rack_key_cases[_i].folded) {
        char folded[RACK_HOSTS + 1];
        for (int i = 0; i < RACK_HOSTS; i++)
            folded[i] = st.folded[i] ? '1' : '0';
        folded[RACK_HOSTS] = '\0';
        ck_assert_msg(st.folds_set, "%s: folds not set", rack_key_cases[_i].name);
        ck_assert_msg(strcmp(folded, rack_key_cases[_i].folded) == 0, "%s: folded %s",
                      rack_key_cases[_i].name, folded);
    } else {
        ck_assert_msg(!st.folds_set, "%s: folds set", rack_key_cases[_i].name);
    }
    if (*rack_key_cases[_i].message)
        ck_assert_msg(strstr(st.message, rack_key_cases[_i].message), "%s: message '%s'",
                      rack_key_cases[_i].name, st.message);
    else
        ck_assert_msg(st.message[0] == '\0', "%s: message '%s'", rack_key_cases[_i].name,
                      st.message);
    if (rack_key_cases[_i].req_vm) {
        ck_assert_int_eq(st.request, UI_REQ_PLAN);
        ck_assert_str_eq(st.req_vm, rack_key_cases[_i].req_vm);
    } else {
        ck_assert_int_eq(st.request, UI_REQ_NONE);
    }
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* The rack starts folded but for the selected VM's host; the fixture's
 * two hosts start open, as before. */
START_TEST(test_rack_folds)
{
    struct ccnc_snapshot *rack = rack_snapshot(), *two = fixture_snapshot();
    struct ui_grid *g = ui_grid_new(160, 50, false);
    struct ui_state st = { 0 };
    char *text;

    ui_draw_screen(g, rack, &st);
    text = ui_grid_to_text(g, false);
    ck_assert_ptr_nonnull(strstr(text, "\u25be  1 hv01"));
    ck_assert_ptr_nonnull(strstr(text, "\u25b8  2 hv02"));
    ck_assert_ptr_nonnull(strstr(text, "\u25b8 16 hv16"));
    ck_assert_ptr_null(strstr(text, "build-04"));
    ck_assert_ptr_nonnull(strstr(text, "2 on backup  1 migrating"));   /* hv05 */
    free(text);
    ui_draw_screen(g, two, &st);
    text = ui_grid_to_text(g, false);
    ck_assert_ptr_nonnull(strstr(text, "\u25be  1 System1 (sys1)"));
    ck_assert_ptr_nonnull(strstr(text, "\u25be  2 System2 (sys2)"));
    ck_assert_ptr_nonnull(strstr(text, "video2"));
    free(text);
    ui_grid_free(g);
    ccnc_snapshot_unref(two);
    ccnc_snapshot_unref(rack);
}
END_TEST

/* Keys never fail on an empty lab, with no log, nor below 80x24: every
 * view has no rows, so each key leaves its selection on the first. */
START_TEST(test_keys_empty)
{
    static const char text[] = "[host h]\naddress = 192.0.2.1\nuser = root\n"
                               "role = hypervisor\n";
    struct ccnc_lab *lab = ccnc_lab_load_text("empty", text, strlen(text), NULL, 0, NULL);
    struct ccnc_snapshot *snap;
    struct ui_state st = { 0 };
    struct ui_grid *g = ui_grid_new(80, 24, false);
    static const int keys[] = { 'j', 'k', 'G', 'g', UI_K_PGDN, UI_K_PGUP, UI_K_TAB, 'j', 'G',
                                UI_K_TAB, 'j', UI_K_TAB, 'k', 'G', '/', 'x', UI_K_ENTER };

    ck_assert_ptr_nonnull(lab);
    snap = ccnc_snapshot_new_from_lab(lab);
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(keys); i++) {
        ui_handle_key(&st, snap, keys[i]);
        for (int v = 0; v < UI_VIEW_LAST; v++)
            ck_assert_msg(st.selected[v] == 0, "key %zu: view %d selects row %d", i, v,
                          st.selected[v]);
        ui_draw_screen(g, snap, &st);
    }
    /* the keys did reach every view: the three tabs led to the log's filter */
    ck_assert_int_eq(st.view, UI_VIEW_LOG);
    ck_assert_str_eq(st.filter, "x");
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* The overview's selection stays on its VM when the list changes order
 * (a VM that migrates moves to another host's group). */
START_TEST(test_selection_follows_vm)
{
    struct ccnc_snapshot *snap = fixture_snapshot(), *next;
    struct ui_state st = { 0 };
    struct ui_grid *g = ui_grid_new(80, 24, false);
    int at = ccnc_snapshot_find_host(snap, "sys1");
    struct ccnc_host *h;
    struct ccnc_vm tmp;
    char *text, *line;

    ck_assert_int_ge(at, 0);
    h = ccnc_host_dup(snap->hosts[at]);
    ui_handle_key(&st, snap, 'j');
    ck_assert_str_eq(st.selected_vm, "vm2");
    ck_assert_uint_eq(h->n_vms, 2);
    ck_assert_str_eq(h->vms[1].name, "vm2");
    tmp = h->vms[0];            /* vm2 now comes first on sys1 */
    h->vms[0] = h->vms[1];
    h->vms[1] = tmp;
    next = ccnc_snapshot_replace_host(snap, (size_t)at, h);
    ui_draw_screen(g, next, &st);
    text = ui_grid_to_text(g, false);
    line = strstr(text, "\u25b6");
    ck_assert_ptr_nonnull(line);
    ck_assert_msg(strncmp(line, "\u25b6 vm2 ", strlen("\u25b6 vm2 ")) == 0, "selected: %.20s",
                  line);
    ui_handle_key(&st, next, 'j');   /* moves on from where vm2 is now */
    ck_assert_str_eq(st.selected_vm, "vm1");
    free(text);
    ui_grid_free(g);
    ccnc_snapshot_unref(next);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* A host part as bare as the builders make it (every string NULL, every
 * number unknown) draws in every view without crashing. */
START_TEST(test_bare_host)
{
    struct ccnc_lab *lab = load_lab("snapshots/lab.conf", "lab.conf");
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab), *next;
    struct ccnc_host *h = ccnc_host_new("sys1", NULL, NULL, CCNC_HOST_ROLE_HYPERVISOR);
    struct ccnc_host *nfs = ccnc_host_new("nfs", NULL, NULL, CCNC_HOST_ROLE_STORAGE);
    struct ccnc_link *l;
    struct ccnc_vm *vm;
    struct ccnc_nic *nic;

    h->connection = CCNC_CONN_HOSTKEY_CHANGED;
    h->stale = true;
    h->updated_ms = 1;
    nic = ccnc_host_add_nic(h);
    nic->has_sriov = true;
    nic->sriov.vf_offset = 128;
    nic->sriov.vf_stride = 2;
    ccnc_host_add_nic(h)->is_vf = true;
    l = ccnc_host_add_link(h);
    ccnc_link_add_vf(l);
    ccnc_link_add_vf(l)->vm = ccnc_xstrdup("vm1");
    ccnc_host_add_link(h);
    ccnc_host_add_bond(h);
    vm = ccnc_host_add_vm(h);
    vm->name = ccnc_xstrdup("vm1");
    ccnc_vm_add_nic(vm);
    ccnc_vm_add_nic(vm)->role = CCNC_NIC_ROLE_BACKUP;
    ccnc_vm_add_nic(vm)->teaming = ccnc_xcalloc(1, sizeof(struct ccnc_teaming));
    vm->bond = ccnc_xcalloc(1, sizeof(*vm->bond));
    ccnc_bond_init(vm->bond);
    vm->bond->active_slave = ccnc_xstrdup("eth9");
    ccnc_bond_add_slave(vm->bond);
    ccnc_bond_add_slave(vm->bond)->perm_hwaddr = ccnc_xstrdup("52:54:00:00:00:01");
    ccnc_host_add_vm(h);    /* a VM without even a name */
    ccnc_host_add_export(nfs);
    next = ccnc_snapshot_replace_host(snap, 0, h);
    ccnc_snapshot_unref(snap);
    snap = ccnc_snapshot_replace_host(next, 2, nfs);
    ccnc_snapshot_unref(next);
    for (int size = 0; size < 2; size++) {
        struct ui_grid *g = size ? ui_grid_new(160, 50, false) : ui_grid_new(80, 24, true);
        for (int v = 0; v < UI_VIEW_LAST; v++) {
            struct ui_state st = { .view = v };
            ui_draw_screen(g, snap, &st);
            ui_handle_key(&st, snap, 'G');
            ui_handle_key(&st, snap, 'j');
            ui_draw_screen(g, snap, &st);
        }
        ui_grid_free(g);
    }
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

/* --- the log ring -------------------------------------------------------------- */

START_TEST(test_log_ring)
{
    struct ui_log *log = ui_log_new(1000);
    char buf[32];

    for (int i = 0; i < 1005; i++) {
        snprintf(buf, sizeof(buf), "line %d", i);
        ui_log_add(log, i * 1000LL, UI_LOG_CHANGE, buf);
    }
    ck_assert_uint_eq(log->n, 1000);
    ck_assert_uint_eq(log->total, 1005);
    ck_assert_str_eq(ui_log_get(log, 0)->text, "line 5");
    ck_assert_str_eq(ui_log_get(log, 999)->text, "line 1004");
    ck_assert_ptr_null(ui_log_get(log, 1000));
    ui_log_free(log);
}
END_TEST

START_TEST(test_log_lines)
{
    struct ui_log *log = ui_log_new(3);
    struct ccnc_event_list changes = { 0 };
    struct ccnc_event *ev = ccnc_array_push(&changes.events, &changes.n, &changes.cap,
                                            sizeof(*ev));

    utc();
    ev->kind = CCNC_EV_VM_BOND_FAILOVER;
    ev->host = ccnc_xstrdup("sys1");
    ev->object = ccnc_xstrdup("vm2/bond0");
    ev->before = ccnc_xstrdup("eth0");
    ev->after = ccnc_xstrdup("eth1");
    ui_log_add_events(log, FIXTURE_TIME_MS, &changes);
    ui_log_add(log, FIXTURE_TIME_MS, UI_LOG_ERROR, "two\nlines\tand a tab");
    ck_assert_uint_eq(log->n, 2);
    ck_assert_str_eq(ui_log_get(log, 0)->text, "sys1: vm2/bond0 active slave eth0 -> eth1");
    ck_assert_int_eq(ui_log_get(log, 0)->level, UI_LOG_WARN);
    ck_assert_str_eq(ui_log_get(log, 1)->text, "two lines and a tab");
    ck_assert(ui_log_line_matches(ui_log_get(log, 0), "BOND0"));
    ck_assert(ui_log_line_matches(ui_log_get(log, 0), ""));
    ck_assert(ui_log_line_matches(ui_log_get(log, 0), "05:46"));
    ck_assert(!ui_log_line_matches(ui_log_get(log, 0), "vm3"));
    ccnc_event_list_clear(&changes);
    ui_log_free(log);
}
END_TEST

START_TEST(test_helpers)
{
    char buf[32];
    int sel = 0;

    ui_format_age(buf, sizeof(buf), 250000);
    ck_assert_str_eq(buf, "4m 10s");
    ui_format_age(buf, sizeof(buf), 59000);
    ck_assert_str_eq(buf, "59s");
    ui_format_age(buf, sizeof(buf), 2 * 86400000LL + 3600000);
    ck_assert_str_eq(buf, "2d 1h");
    ui_format_age(buf, sizeof(buf), -5);
    ck_assert_str_eq(buf, "0s");
    ck_assert_int_eq(ui_scroll_top(0, 3, 10), 0);
    ck_assert_int_eq(ui_scroll_top(12, 14, 10), 5);
    ck_assert_int_eq(ui_scroll_top(12, 30, 10), 12);   /* taller than the window */
    ck_assert_int_eq(ui_select_move(&sel, 0, 'j'), UI_KEY_HANDLED | UI_KEY_REDRAW);
    ck_assert_int_eq(sel, 0);
    ck_assert_int_eq(ui_select_move(&sel, 3, 'x'), UI_KEY_UNHANDLED);
}
END_TEST

START_TEST(test_grid_clip_and_wide)
{
    struct ui_grid *g = ui_grid_new(6, 2, false);
    char *text;

    ui_grid_put(g, 0, 3, UI_BOLD, "abcdef");
    ui_grid_put(g, 1, 0, UI_NORMAL, "\xe4\xb8\xad\xe6\x96\x87x"); /* two wide + x */
    ui_grid_put(g, 5, 0, UI_NORMAL, "off the grid");
    text = ui_grid_to_text(g, false);
    ck_assert_str_eq(text, "   abc\n\xe4\xb8\xad\xe6\x96\x87x\n");
    free(text);
    ui_grid_free(g);
}
END_TEST


/* Text from a host is drawn with its control characters and invalid UTF-8
 * as escapes, and measured and cut as drawn. */
START_TEST(test_grid_printable)
{
    struct ui_grid *g = ui_grid_new(30, 3, false);
    char *text;

    ui_grid_put(g, 0, 0, UI_NORMAL, "eth0\033[2J\033[H");
    ui_grid_put(g, 1, 0, UI_NORMAL, "vm\xff\xc2\x9b" "1");
    ck_assert_int_eq(ui_text_width("a\033b"), 6);
    ck_assert_int_eq(ui_text_width("\xe4\xb8\xad"), 2);
    ui_grid_put_fit(g, 2, 0, 8, UI_NORMAL, "x\033[31mred");
    text = ui_grid_to_text(g, false);
    ck_assert_str_eq(text, "eth0\\x1b[2J\\x1b[H\nvm\\xff\\xc2\\x9b1\nx\\x1b[3\u2026\n");
    free(text);
    ui_grid_free(g);
}
END_TEST

/* --- actions on the screen ------------------------------------------------------ */

/* A migrate-with-passthrough driven to step `upto` of its plan after the
 * forecast (failing it when fail), with fixed times: the forecast took a
 * second's sample. */
static struct ccnc_action *
fixture_action_on(enum ccnc_action_kind kind, const char *vm, const char *from, const char *to,
                  size_t upto, bool fail)
{
    struct ccnc_action *a = ccnc_action_new(kind, vm, from, to, "e1000e");
    static const int ms[] = { 40, 3, 180, 1, 230, 820, 210, 3120, 410, 2600, 220, 190 };
    long long t = FIXTURE_TIME_MS;
    struct ccnc_step *s;
    size_t n = 0;

    ccnc_action_confirm(a);
    while ((s = ccnc_action_next(a, t)) != NULL) {
        bool last = n == upto;
        if (s->op == CCNC_STEP_FORECAST) {
            t += 1080;
            ccnc_action_report(a, CCNC_STEP_OK, NULL, t);
            continue;
        }
        if (last && !fail)
            break; /* left running */
        t += s->rollback ? 300 : ms[n % CCNC_ARRAY_SIZE(ms)];
        ccnc_action_report(a, last ? CCNC_STEP_FAILED : CCNC_STEP_OK,
                           last ? "the NIC did not appear within 30 s" : NULL, t);
        n++;
    }
    return a;
}

static struct ccnc_action *
fixture_action(size_t upto, bool fail)
{
    return fixture_action_on(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys1", "sys2", upto, fail);
}

static const struct {
    size_t upto;
    bool fail, running;
    int w, h;
    const char *golden;
} action_screens[] = {
    { 7, false, true, 80, 24, "golden/ui-migration-running-80x24.txt" },
    { 7, false, true, 160, 50, "golden/ui-migration-running-160x50.txt" },
    { 99, false, false, 80, 24, "golden/ui-migration-done-80x24.txt" },
    { 8, true, false, 80, 24, "golden/ui-migration-failed-80x24.txt" },
    { 5, true, false, 80, 24, "golden/ui-migration-rolled-back-80x24.txt" },
};

START_TEST(test_action_screen)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ccnc_action *a = fixture_action(action_screens[_i].upto, action_screens[_i].fail);
    struct ui_grid *g = ui_grid_new(action_screens[_i].w, action_screens[_i].h, false);
    struct ccnc_engine_result results[2] = {
        { (char *)"vm1", (char *)"sys2", (char *)"sys1", CCNC_ACTION_MIGRATE_PASSTHROUGH,
          CCNC_ACTION_DONE, 6535, 158, 166, 14, 540 },
        { (char *)"vm1", (char *)"sys1", (char *)"sys2", CCNC_ACTION_MIGRATE_PASSTHROUGH,
          CCNC_ACTION_ROLLED_BACK, 9120, CCNC_UNKNOWN, CCNC_UNKNOWN, CCNC_UNKNOWN,
          CCNC_UNKNOWN },
    };
    struct ui_state st = { .view = UI_VIEW_MIGRATION, .clock = "12:34:56" };
    char *text;

    if (action_screens[_i].upto == 7) {
        /* mid-migration: the probe sees the stall */
        a->probe = (struct ccnc_probe_figures){ .measured = true, .sent = 450, .received = 447,
                                                .lost = 3, .current_gap_ms = 240,
                                                .longest_gap_ms = 240, .stream = true,
                                                .stream_stall_ms = 360,
                                                .stream_longest_stall_ms = 360 };
        a->migration = (struct ccnc_migration_figures){ 3, 272629760, 281018368, 13002752,
                                                        1180, 99614720, 5200, 90000 };
        /* where it is going: half of what is left each round, 10 MB under
         * a 100 ms limit */
        a->migration.to_go = (struct ccnc_precopy_to_go){ CCNC_PRECOPY_SHRINKING, 3, 5200, 0.45,
                                                          13002752, 9961472, 1, 190 };
        /* 'lowest' raised its limit from 50 ms at a stalled round */
        a->migration.limit_ms = 100;
        snprintf(a->migration.limit_why, sizeof(a->migration.limit_why), "%s",
                 CCNC_POLICY_STALL_WHY);
    } else if (!action_screens[_i].fail) {
        a->probe = (struct ccnc_probe_figures){ .measured = true, .done = true, .sent = 529,
                                                .received = 515, .lost = 14,
                                                .current_gap_ms = 8, .longest_gap_ms = 166,
                                                .stream = true, .stream_stall_ms = 40,
                                                .stream_longest_stall_ms = 540 };
    } else if (action_screens[_i].upto == 8) {
        a->probe.error = ccnc_xstrdup("no probe_target in the VM's section of the lab config");
    }
    if (!action_screens[_i].fail) {
        /* the plan's forecast, shown under the timeline */
        a->forecast.in = (struct ccnc_precopy_input){ .memory_bytes = 192.0 * 1048576,
                                                      .first_round_bytes = 115.0 * 1048576,
                                                      .rate_bps = 88.0 * 1048576,
                                                      .limit_ms = 50, .switchover_ms = 120,
                                                      .setup_ms = 3, .gap_extra_ms = 64 };
        ccnc_forecast_compute(&a->forecast);
    }
    struct ui_action rec = {
        .id = 1, .action = a, .active = action_screens[_i].running,
        .run_file = "/root/.local/state/ccnc/runs/20261125-194613-vm1-migrate-passthrough.jsonl",
        .total_ms = CCNC_UNKNOWN, .downtime_ms = CCNC_UNKNOWN,
    };
    st.actions = &rec;
    st.n_actions = 1;
    st.action_running = action_screens[_i].running;
    st.results = results;
    st.n_results = 2;
    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden(action_screens[_i].golden, text);
    free(text);
    if (!action_screens[_i].fail && action_screens[_i].upto == 99) {
        /* a guest that dirtied as fast as the link: the forecast says it
         * was at the edge */
        a->forecast.dirty_measured = true;
        a->forecast.in.dirty_bps = a->forecast.in.rate_bps;
        ui_draw_screen(g, snap, &st);
        text = ui_grid_to_text(g, true);
        ck_assert_msg(strstr(text, "at the edge: dirtying 100 % of the link"), "%s", text);
        free(text);
        /* the forecast made on it: what 15 % less or more would give,
         * where there is room */
        ccnc_forecast_compute(&a->forecast);
        ui_grid_free(g);
        g = ui_grid_new(100, 40, false);
        ui_draw_screen(g, snap, &st);
        text = ui_grid_to_text(g, true);
        ck_assert_msg(strstr(text, "forecast: it will not converge") &&
                          strstr(text, "with 15 % less or more dirtying: ") &&
                          strstr(text, " s to beyond the 300 s timeout"),
                      "%s", text);
        free(text);
    }
    ui_grid_free(g);
    ccnc_action_free(a);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* Several actions of one session, as ui.c hands them to the Migration
 * view: vm1 mid-migration, video1 queued behind it, vm2 failed (its NIC
 * did not come back on the destination), video2's NIC detached, vm3
 * done. */
struct fixture_actions {
    struct ccnc_action *a[5];
    struct ui_action rec[5];
    char run_file[5][96];
};

static void
fixture_actions(struct fixture_actions *f)
{
    static const struct {
        enum ccnc_action_kind kind;
        size_t upto;            /* 0: queued */
        bool fail, active;
        const char *vm, *from, *to;
    } made[] = {    /* in the order given: ids 1, 2, ... */
        { CCNC_ACTION_MIGRATE_PASSTHROUGH, 99, false, false, "vm3", "sys2", "sys1" },
        { CCNC_ACTION_DETACH, 99, false, false, "video2", "sys2", NULL },
        { CCNC_ACTION_MIGRATE_PASSTHROUGH, 8, true, false, "vm2", "sys1", "sys2" },
        { CCNC_ACTION_MIGRATE_PASSTHROUGH, 7, false, true, "vm1", "sys1", "sys2" },
        { CCNC_ACTION_MIGRATE_PASSTHROUGH, 0, false, true, "video1", "sys2", "sys1" },
    };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(made); i++) {
        struct ccnc_action *a;
        if (made[i].upto == 0) {
            /* queued: confirmed, no step started */
            a = ccnc_action_new(made[i].kind, made[i].vm, made[i].from, made[i].to, "e1000e");
            ccnc_action_confirm(a);
        } else {
            a = fixture_action_on(made[i].kind, made[i].vm, made[i].from, made[i].to,
                                  made[i].upto, made[i].fail);
            snprintf(f->run_file[i], sizeof(f->run_file[i]),
                     "/root/.local/state/ccnc/runs/20261125-19461%zu-%s-%s.jsonl", i, made[i].vm,
                     ccnc_action_kind_to_string(made[i].kind));
        }
        if (made[i].upto == 7) {
            a->probe = (struct ccnc_probe_figures){ .measured = true, .sent = 450,
                                                    .received = 447, .lost = 3,
                                                    .current_gap_ms = 240,
                                                    .longest_gap_ms = 240 };
            a->migration = (struct ccnc_migration_figures){ 3, 272629760, 281018368,
                                                            13002752, 1180, 99614720 };
        } else if (made[i].upto == 99 && made[i].to) {
            a->probe = (struct ccnc_probe_figures){ .measured = true, .done = true, .sent = 529,
                                                    .received = 515, .lost = 14,
                                                    .current_gap_ms = 8,
                                                    .longest_gap_ms = 166 };
        }
        f->a[i] = a;
        f->rec[i] = (struct ui_action){
            .id = (int)i + 1, .action = a, .active = made[i].active,
            .run_file = made[i].upto ? f->run_file[i] : NULL,
            .total_ms = made[i].upto == 99 && made[i].to ? 6535 : CCNC_UNKNOWN,
            .downtime_ms = made[i].upto == 99 && made[i].to ? 158 : CCNC_UNKNOWN,
        };
    }
    ui_actions_order(f->rec, CCNC_ARRAY_SIZE(f->rec));
}

static void
fixture_actions_clear(struct fixture_actions *f)
{
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(f->a); i++)
        ccnc_action_free(f->a[i]);
}

static const struct {
    int w, h;
    const char *keys;     /* typed in the Migration view before drawing */
    const char *golden;
} list_screens[] = {
    { 80, 24, "", "golden/ui-migration-list-80x24.txt" },
    { 160, 50, "", "golden/ui-migration-list-160x50.txt" },
    /* the failed one selected: its summary and rollback */
    { 80, 24, "jj", "golden/ui-migration-list-failed-80x24.txt" },
    /* the oldest selected: the list scrolls to it */
    { 80, 24, "G", "golden/ui-migration-list-last-80x24.txt" },
    { 160, 50, "jjj", "golden/ui-migration-list-detach-160x50.txt" },
};

START_TEST(test_action_list_screen)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ui_grid *g = ui_grid_new(list_screens[_i].w, list_screens[_i].h, false);
    struct ui_state st = { .view = UI_VIEW_MIGRATION, .clock = "12:34:56",
                           .action_running = true, .now_ms = FIXTURE_TIME_MS + 12400 };
    struct fixture_actions f;
    char *text;

    fixture_actions(&f);
    st.actions = f.rec;
    st.n_actions = CCNC_ARRAY_SIZE(f.rec);
    type_keys(&st, snap, list_screens[_i].keys);
    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden(list_screens[_i].golden, text);
    free(text);
    ui_grid_free(g);
    fixture_actions_clear(&f);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* The list's order: running and queued ones first in the order given,
 * then those that ended, the newest first. */
START_TEST(test_action_list_order)
{
    struct ui_action r[] = {
        { .id = 1 }, { .id = 2, .active = true }, { .id = 3 }, { .id = 4, .active = true },
        { .id = 5 },
    };
    static const int want[] = { 2, 4, 5, 3, 1 };
    struct ui_state st = { .actions = r, .n_actions = CCNC_ARRAY_SIZE(r) };

    ui_actions_order(r, CCNC_ARRAY_SIZE(r));
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(want); i++)
        ck_assert_int_eq(r[i].id, want[i]);
    ck_assert_int_eq(ui_actions_selected(&st), 0);   /* none chosen: the first */
    st.action_id = 3;
    ck_assert_int_eq(ui_actions_selected(&st), 3);
    st.action_id = 42;                              /* gone: the first again */
    ck_assert_int_eq(ui_actions_selected(&st), 0);
    st.n_actions = 0;
    ck_assert_int_eq(ui_actions_selected(&st), -1);
}
END_TEST

/* The Migration view's keys: j/k choose the action shown, by id (the
 * choice stays on it when the list's order changes); x aborts the one
 * chosen, or says it has ended; elsewhere x with several running leads
 * to the Migration view; m asks for a plan while others run. */
START_TEST(test_action_list_keys)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ui_state st = { .view = UI_VIEW_MIGRATION, .action_running = true };
    struct fixture_actions f;
    static const int order[] = { 4, 5, 3, 2, 1 };

    fixture_actions(&f);
    st.actions = f.rec;
    st.n_actions = CCNC_ARRAY_SIZE(f.rec);
    /* vm1 (running), video1 (queued), then ended: vm2, video2, vm3 */
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(order); i++)
        ck_assert_int_eq(f.rec[i].id, order[i]);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'j'), UI_KEY_HANDLED | UI_KEY_REDRAW);
    ck_assert_int_eq(st.action_id, 5);
    ck_assert_int_eq(st.selected[UI_VIEW_MIGRATION], 1);
    ui_handle_key(&st, snap, UI_K_DOWN);
    ck_assert_int_eq(st.action_id, 3);
    ui_handle_key(&st, snap, 'G');
    ck_assert_int_eq(st.action_id, 1);
    ui_handle_key(&st, snap, 'j');                  /* stops at the last */
    ck_assert_int_eq(st.action_id, 1);
    ui_handle_key(&st, snap, UI_K_PGUP);
    ck_assert_int_eq(st.action_id, 4);
    ui_handle_key(&st, snap, UI_K_UP);              /* stops at the first */
    ck_assert_int_eq(st.action_id, 4);
    /* x on a running one aborts that one */
    ck_assert_int_eq(ui_handle_key(&st, snap, 'x'),
                     UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST);
    ck_assert_int_eq(st.request, UI_REQ_ABORT);
    ck_assert_int_eq(st.req_action, 4);
    st.request = UI_REQ_NONE;
    /* on one that ended: nothing asked, and said so */
    ui_handle_key(&st, snap, 'j');
    ui_handle_key(&st, snap, 'j');
    ck_assert_int_eq(st.action_id, 3);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'x'), UI_KEY_HANDLED | UI_KEY_REDRAW);
    ck_assert_int_eq(st.request, UI_REQ_NONE);
    ck_assert_ptr_nonnull(strstr(st.message, "has ended"));
    /* vm1 ends: it moves below the queued one, first of those ended, and
     * stays chosen */
    ui_handle_key(&st, snap, 'g');
    ck_assert_int_eq(st.action_id, 4);
    f.rec[0].active = false;
    ui_actions_order(f.rec, CCNC_ARRAY_SIZE(f.rec));
    ck_assert_int_eq(f.rec[0].id, 5);
    ck_assert_int_eq(f.rec[1].id, 4);
    ck_assert_int_eq(ui_actions_selected(&st), 1);
    ui_handle_key(&st, snap, 'j');
    ck_assert_int_eq(st.action_id, 3);
    f.rec[1].active = true;                         /* vm1 runs again */
    ui_actions_order(f.rec, CCNC_ARRAY_SIZE(f.rec));
    ck_assert_int_eq(f.rec[0].id, 4);
    /* elsewhere, with two running, x does not guess */
    st.view = UI_VIEW_OVERVIEW;
    ck_assert_int_eq(ui_handle_key(&st, snap, 'x'), UI_KEY_HANDLED | UI_KEY_REDRAW);
    ck_assert_int_eq(st.request, UI_REQ_NONE);
    ck_assert_int_eq(st.view, UI_VIEW_MIGRATION);
    ck_assert_ptr_nonnull(strstr(st.message, "Several actions are running"));
    /* with one running, x aborts it from anywhere */
    f.rec[1].active = false;
    st.view = UI_VIEW_VFS;
    ui_handle_key(&st, snap, 'x');
    ck_assert_int_eq(st.request, UI_REQ_ABORT);
    ck_assert_int_eq(st.req_action, 4);
    /* m on a VM while actions run: a plan is asked, as ever */
    st.request = UI_REQ_NONE;
    st.view = UI_VIEW_OVERVIEW;
    ck_assert_int_eq(ui_handle_key(&st, snap, 'm'),
                     UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST);
    ck_assert_int_eq(st.request, UI_REQ_PLAN);
    fixture_actions_clear(&f);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* A VF whose VLAN is no longer what ccnc set: marked, and said when selected */
START_TEST(test_vf_drift)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ui_grid *g = ui_grid_new(80, 24, false);
    struct ui_state st = { .clock = "12:34:56", .view = UI_VIEW_VFS };
    struct ccnc_vf_intent *in = ccnc_vf_intent_load(NULL);
    struct ccnc_vf_change c;
    struct ccnc_error err = { 0 };
    char *text;

    ccnc_vf_change_init(&c, "eth1", 0);
    ccnc_vf_change_line(&c, "vlan=300", &err);
    ccnc_vf_intent_set(in, "sys1", &c);
    ccnc_vf_change_clear(&c);
    st.vf_intent = in;
    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden("golden/ui-vfs-drift-80x24.txt", text);
    free(text);
    ccnc_vf_intent_free(in);
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* v in the VF view: the selected VF's settings as words, edited, sent */
START_TEST(test_vf_editor)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ui_grid *g = ui_grid_new(80, 24, false);
    struct ui_state st = { .clock = "12:34:56" };
    const char *typed = "vlan=57";
    char *text;

    /* elsewhere, v leads to the VF view */
    ck_assert_int_eq(ui_handle_key(&st, snap, 'v'), UI_KEY_HANDLED | UI_KEY_REDRAW);
    ck_assert_int_eq(st.view, UI_VIEW_VFS);
    ck_assert(!st.vf_editing);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'v'), UI_KEY_HANDLED | UI_KEY_REDRAW);
    ck_assert(st.vf_editing);
    ck_assert_int_eq(strncmp(st.vf_edit, "mac=", 4), 0);
    ck_assert_ptr_nonnull(strstr(st.vf_edit, " trust="));
    ui_handle_key(&st, snap, 0x15);
    ck_assert_str_eq(st.vf_edit, "");
    for (const char *p = typed; *p; p++)
        ui_handle_key(&st, snap, *p);
    ui_handle_key(&st, snap, UI_K_BACKSPACE);
    ui_handle_key(&st, snap, '8');
    ck_assert_str_eq(st.vf_edit, "vlan=58");
    /* q is text here, not quit */
    ck_assert_int_eq(ui_handle_key(&st, snap, 'q'), UI_KEY_HANDLED | UI_KEY_REDRAW);
    ui_handle_key(&st, snap, UI_K_BACKSPACE);
    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden("golden/ui-vf-editor-80x24.txt", text);
    free(text);
    ck_assert_int_eq(ui_handle_key(&st, snap, UI_K_ENTER),
                     UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST);
    ck_assert_int_eq(st.request, UI_REQ_VF_SET);
    ck_assert(!st.vf_editing);
    /* Esc cancels */
    st.request = UI_REQ_NONE;
    ui_handle_key(&st, snap, 'v');
    ck_assert(st.vf_editing);
    ui_handle_key(&st, snap, UI_K_ESC);
    ck_assert(!st.vf_editing);
    ck_assert_int_eq(st.request, UI_REQ_NONE);
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
}
END_TEST

/* A migration's plan with its forecast (from the run files: the console
 * does not stop to measure the dirty rate): it fits 80x24 under the steps. */
START_TEST(test_plan_dialog_forecast)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys1",
                                            "sys2", "e1000e");
    struct ui_grid *g = ui_grid_new(80, 24, false);
    struct ui_state st = { .clock = "12:34:56" };
    char *plan, *text;

    a->forecast.in = (struct ccnc_precopy_input){ .memory_bytes = 192.0 * 1048576,
                                                  .first_round_bytes = 115.0 * 1048576,
                                                  .rate_bps = 88.0 * 1048576,
                                                  .limit_ms = 50,
                                                  .switchover_ms = 190,
                                                  .setup_ms = 3,
                                                  .gap_extra_ms = 64 };
    a->forecast.n_link = 3;
    a->forecast.n_gap = 3;
    /* the console's sample, taken while the dialog is open: 1 s old
     * (the text is made within 0.8 s of now) */
    ccnc_forecast_add_sample(&a->forecast, 12.0 * 1048576, 1, ccnc_now_mono_ms() - 1200);
    ccnc_forecast_compute(&a->forecast);
    plan = ccnc_action_plan_text(a);
    st.plan = plan;
    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden("golden/ui-plan-forecast-80x24.txt", text);
    ck_assert_ptr_nonnull(strstr(text, "Forecast: "));
    ck_assert_ptr_nonnull(strstr(text, "sample 1 s ago: dirtying 12.0 MiB/s of 192 MiB"));
    free(text);
    ui_grid_free(g);
    free(plan);
    ccnc_action_free(a);
    ccnc_snapshot_unref(snap);
}
END_TEST

START_TEST(test_plan_dialog)
{
    struct ccnc_snapshot *snap = fixture_snapshot();
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys1",
                                            "sys2", "e1000e");
    char *plan;
    struct ui_grid *g = ui_grid_new(80, 24, false);
    struct ui_state st = { .clock = "12:34:56" };
    char *text;

    /* a note longer than the dialog is wide: wrapped under its dash */
    ccnc_action_add_note(a, "bond0 already runs on its backup NIC eth1: no switch, and the "
                            "steps read the guest bond again before they change anything");
    plan = ccnc_action_plan_text(a);
    st.plan = plan;
    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden("golden/ui-plan-80x24.txt", text);
    free(text);
    /* the plan takes every key: Tab asks for another destination, y runs */
    ck_assert_int_eq(ui_handle_key(&st, snap, 'j'), UI_KEY_HANDLED);
    ck_assert_int_eq(ui_handle_key(&st, snap, UI_K_TAB),
                     UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST);
    ck_assert_int_eq(st.request, UI_REQ_NEXT_DEST);
    ui_handle_key(&st, snap, 'y');
    ck_assert_int_eq(st.request, UI_REQ_RUN);
    ui_handle_key(&st, snap, UI_K_ESC);
    ck_assert_int_eq(st.request, UI_REQ_CANCEL);
    st.plan = NULL;
    /* another action runs: a plan for this VM is asked all the same (the
     * planner refuses a VM that has one), and asks y/n again */
    st.action_running = true;
    ck_assert_int_eq(ui_handle_key(&st, snap, 'm'),
                     UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST);
    ck_assert_int_eq(st.request, UI_REQ_PLAN);
    ui_handle_key(&st, snap, 'x');
    ck_assert_int_eq(st.request, UI_REQ_ABORT);
    ck_assert_int_eq(st.req_action, 0);
    ui_grid_free(g);
    free(plan);
    ccnc_action_free(a);
    ccnc_snapshot_unref(snap);
}
END_TEST


START_TEST(test_hostkey_question)
{
    struct ccnc_snapshot *snap = screen_snapshot(LAB_FIXTURE_HOSTKEY);
    struct ui_grid *g = ui_grid_new(80, 24, false);
    struct ui_state st = { .clock = "12:34:56", .question_host = "sys2" };
    char *text;

    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden("golden/ui-hostkey-question-80x24.txt", text);
    free(text);
    /* the question takes every key: only y or n answer it */
    ck_assert_int_eq(ui_handle_key(&st, snap, 'j'), UI_KEY_HANDLED);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'm'), UI_KEY_HANDLED);
    ck_assert_int_eq(st.request, UI_REQ_NONE);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'y'), UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST);
    ck_assert_int_eq(st.request, UI_REQ_TRUST);
    ui_handle_key(&st, snap, 'n');
    ck_assert_int_eq(st.request, UI_REQ_DISTRUST);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'q'), UI_KEY_QUIT);
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
}
END_TEST


/* A run that stopped half-way: its question, a long run file path broken
 * where it fills the row; f, u and l answer it, other keys wait. */
START_TEST(test_unfinished_question)
{
    struct ccnc_snapshot *snap = screen_snapshot(LAB_FIXTURE);
    struct ui_grid *g = ui_grid_new(80, 24, false);
    struct ui_state st = {
        .clock = "12:34:56",
        .unfinished = "vm1: migrate-passthrough from sys1 to sys2, run file "
                      "/root/.local/state/ccnc/runs/20261203-151530-vm1-migrate-passthrough.jsonl"
                      ", stopped in 'migrate'. Now vm1 runs on sys2 with NO PASSTHROUGH NIC: only "
                      "its backup carries it. It stopped during the migration, which libvirt may "
                      "have finished on its own: 'ccnc resume vm1' finds where the VM runs and "
                      "finishes the action or undoes it.",
    };
    char *text;

    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden("golden/ui-unfinished-80x24.txt", text);
    /* every part of the path is on the screen */
    ck_assert_ptr_nonnull(strstr(text, "/root/.local/state/ccnc/runs/"));
    ck_assert_ptr_nonnull(strstr(text, "-vm1-migrate-passthrough.jso"));
    ck_assert_ptr_nonnull(strstr(text, "nl, stopped in"));   /* its end on the next row */
    free(text);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'j'), UI_KEY_HANDLED);
    ck_assert_int_eq(st.request, UI_REQ_NONE);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'f'), UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST);
    ck_assert_int_eq(st.request, UI_REQ_RESUME);
    ui_handle_key(&st, snap, 'u');
    ck_assert_int_eq(st.request, UI_REQ_RESUME_UNDO);
    ui_handle_key(&st, snap, UI_K_ESC);
    ck_assert_int_eq(st.request, UI_REQ_LEAVE_RUN);
    ck_assert_int_eq(ui_handle_key(&st, snap, 'q'), UI_KEY_QUIT);
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
}
END_TEST

START_TEST(test_passphrase_question)
{
    struct ccnc_snapshot *snap = screen_snapshot(LAB_FIXTURE);
    struct ui_grid *g = ui_grid_new(80, 24, false);
    struct ui_state st = { .clock = "12:34:56", .pass_host = "sys1" };
    char *text;

    ck_assert_int_eq(ui_handle_key(&st, snap, 's'), UI_KEY_HANDLED | UI_KEY_REDRAW);
    ui_handle_key(&st, snap, 'q'); /* text here, not quit */
    ui_handle_key(&st, snap, 'x');
    ui_handle_key(&st, snap, UI_K_BACKSPACE);
    ui_handle_key(&st, snap, '3');
    ck_assert_str_eq(st.secret, "sq3");
    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ck_assert_ptr_null(strstr(text, "sq3")); /* never shown */
    ccnc_test_golden("golden/ui-passphrase-80x24.txt", text);
    free(text);
    ck_assert_int_eq(ui_handle_key(&st, snap, UI_K_ENTER),
                     UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST);
    ck_assert_int_eq(st.request, UI_REQ_PASSPHRASE);
    ui_handle_key(&st, snap, UI_K_ESC);
    ck_assert_int_eq(st.request, UI_REQ_NO_PASSPHRASE);
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
}
END_TEST

Suite *
ccnc_ui_suite(void)
{
    Suite *s = suite_create("ui");
    TCase *tc = tcase_create("render");
    TCase *tk = tcase_create("keys");
    TCase *tl = tcase_create("log");

    tcase_add_loop_test(tc, test_screen_golden, 0, (int)CCNC_ARRAY_SIZE(screens));
    tcase_add_loop_test(tc, test_screen_looks, 0, (int)CCNC_ARRAY_SIZE(looks));
    tcase_add_test(tc, test_mono_distinct);
    tcase_add_test(tc, test_grid_clip_and_wide);
    tcase_add_test(tc, test_grid_printable);
    tcase_add_test(tc, test_bare_host);
    tcase_add_loop_test(tc, test_action_screen, 0, (int)CCNC_ARRAY_SIZE(action_screens));
    tcase_add_loop_test(tc, test_action_list_screen, 0, (int)CCNC_ARRAY_SIZE(list_screens));
    tcase_add_test(tc, test_action_list_order);
    tcase_add_test(tc, test_plan_dialog);
    tcase_add_test(tc, test_plan_dialog_forecast);
    tcase_add_test(tc, test_vf_editor);
    tcase_add_test(tc, test_vf_drift);
    tcase_add_test(tc, test_hostkey_question);
    tcase_add_test(tc, test_unfinished_question);
    tcase_add_test(tc, test_passphrase_question);
    tcase_add_loop_test(tk, test_keys, 0, (int)CCNC_ARRAY_SIZE(key_cases));
    tcase_add_test(tk, test_keys_empty);
    tcase_add_loop_test(tk, test_rack_keys, 0, (int)CCNC_ARRAY_SIZE(rack_key_cases));
    tcase_add_test(tk, test_rack_folds);
    tcase_add_test(tk, test_action_list_keys);
    tcase_add_test(tk, test_selection_follows_vm);
    tcase_add_test(tk, test_helpers);
    tcase_add_test(tl, test_log_ring);
    tcase_add_test(tl, test_log_lines);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, tk);
    suite_add_tcase(s, tl);
    return s;
}
