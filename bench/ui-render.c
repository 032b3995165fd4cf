/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Frame render time of the console's views into the in-memory grid, for a
 * big lab: 2 hypervisors with 256 VMs and an SR-IOV port of 128 VFs each
 * (or HOSTS hypervisors with VMS each, up to 128 VFs), and a full log.
 * Prints median and p99 per view and size, and the peak RSS.
 * Usage: bench/ui-render [FRAMES [HOSTS VMS]]   (default 1000 2 256) */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <ccnc/model.h>
#include <ccnc/util.h>

#include "ui-screen.h"
#include "ui-views.h"

static int n_hypervisors = 2;
static int vms_per_host = 256;
static int vfs_per_host = 128;

static char *
lab_text(void)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = ccnc_xmalloc(cap);

#define ADD(...)                                                                            \
    do {                                                                                    \
        int n_ = snprintf(buf + len, cap - len, __VA_ARGS__);                               \
        while ((size_t)n_ >= cap - len) {                                                   \
            cap *= 2;                                                                       \
            buf = ccnc_xrealloc(buf, cap);                                                  \
            n_ = snprintf(buf + len, cap - len, __VA_ARGS__);                               \
        }                                                                                   \
        len += (size_t)n_;                                                                  \
    } while (0)
    ADD("[lab]\nname = render benchmark\n");
    for (int h = 0; h < n_hypervisors; h++)
        ADD("[host sys%d]\naddress = 192.0.2.%d\nuser = root\nrole = hypervisor\n", h + 1,
            h + 11);
    ADD("[host nfs]\naddress = 192.0.2.30\nuser = root\nrole = storage\n");
    for (int h = 0; h < n_hypervisors; h++)
        for (int v = 0; v < vms_per_host; v++)
            ADD("[vm vm%d-%03d]\nhost = sys%d\npassthrough = pci:0000:%02x:%02x.%d\n"
                "backup = 52:54:00:%02x:%02x:02\n",
                h + 1, v, h + 1, 0x10 + v / 32, v % 32, 0, h, v);
#undef ADD
    return buf;
}

static struct ccnc_host *
make_host(int h)
{
    char name[32];
    struct ccnc_host *host;
    struct ccnc_nic *pf;
    struct ccnc_link *l;

    snprintf(name, sizeof(name), "sys%d", h + 1);
    host = ccnc_host_new(name, name, "192.0.2.11", CCNC_HOST_ROLE_HYPERVISOR);
    host->connection = CCNC_CONN_CONNECTED;
    host->stale = false;
    host->hostkey_sha256 = ccnc_xstrdup("SHA256:2c6PZRVlb0rGr7T8tSSSHpZ0mk4TGS5JjEMtGMCAlfE");
    host->agent_version = ccnc_xstrdup("0.1.0");
    host->updated_ms = ccnc_now_wall_ms();
    pf = ccnc_host_add_nic(host);
    pf->pci = ccnc_xstrdup("0000:05:00.0");
    pf->device = ccnc_xstrdup("Ethernet Controller 10-Gigabit X540-AT2");
    pf->netdev = ccnc_xstrdup("enp5s0f0");
    pf->has_sriov = true;
    pf->sriov = (struct ccnc_sriov){ 128, 128, 128, 2, 5390 };
    l = ccnc_host_add_link(host);
    l->name = ccnc_xstrdup("enp5s0f0");
    l->operstate = ccnc_xstrdup("up");
    for (int i = 0; i < vfs_per_host; i++) {
        struct ccnc_vf *vf = ccnc_link_add_vf(l);
        vf->index = i;
        vf->pci = ccnc_xasprintf("0000:%02x:%02x.%d", 0x06 + i / 128, 0x10 + i % 128 / 8, i % 8);
        vf->mac = ccnc_xasprintf("52:54:00:%02x:%02x:01", h, i);
        vf->vlan = 201;
        vf->max_tx_rate = 1000;
        vf->spoofchk = 1;
        vf->trust = 0;
        vf->link_state = ccnc_xstrdup("auto");
        vf->vm = ccnc_xasprintf("vm%d-%03d", h + 1, i);
    }
    for (int v = 0; v < vms_per_host; v++) {
        struct ccnc_vm *vm = ccnc_host_add_vm(host);
        struct ccnc_vm_nic *n;
        struct ccnc_bond_slave *s;

        vm->name = ccnc_xasprintf("vm%d-%03d", h + 1, v);
        vm->state = CCNC_VM_RUNNING;
        n = ccnc_vm_add_nic(vm);
        n->mac = ccnc_xasprintf("52:54:00:%02x:%02x:01", h, v);
        n->type = ccnc_xstrdup("hostdev");
        n->role = CCNC_NIC_ROLE_PASSTHROUGH;
        n->pci = v < vfs_per_host ? ccnc_xstrdup(l->vfs[v].pci) : NULL;
        n = ccnc_vm_add_nic(vm);
        n->mac = ccnc_xasprintf("52:54:00:%02x:%02x:02", h, v);
        n->model = ccnc_xstrdup("virtio");
        n->type = ccnc_xstrdup("bridge");
        n->role = CCNC_NIC_ROLE_BACKUP;
        n->target = ccnc_xasprintf("vnet%d", v);
        n->source = ccnc_xstrdup("br0");
        vm->bond = ccnc_xcalloc(1, sizeof(*vm->bond));
        ccnc_bond_init(vm->bond);
        vm->bond->name = ccnc_xstrdup("bond0");
        vm->bond->mode = CCNC_BOND_MODE_ACTIVE_BACKUP;
        vm->bond->primary = ccnc_xstrdup("eth0");
        vm->bond->active_slave = ccnc_xstrdup(v % 7 ? "eth0" : "eth1");
        s = ccnc_bond_add_slave(vm->bond);
        s->name = ccnc_xstrdup("eth0");
        s->mii_status = ccnc_xstrdup("up");
        s->perm_hwaddr = ccnc_xasprintf("52:54:00:%02x:%02x:01", h, v);
        s = ccnc_bond_add_slave(vm->bond);
        s->name = ccnc_xstrdup("eth1");
        s->mii_status = ccnc_xstrdup("up");
        s->perm_hwaddr = ccnc_xasprintf("52:54:00:%02x:%02x:02", h, v);
    }
    return host;
}

static int
cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static long long
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
    static const struct { int view; const char *filter, *name; } cases[] = {
        { UI_VIEW_OVERVIEW, "", "overview" },
        { UI_VIEW_VFS, "", "vfs" },
        { UI_VIEW_MIGRATION, "", "migration" },
        { UI_VIEW_LOG, "", "log" },
        { UI_VIEW_LOG, "vm2-25", "log /vm2-25" },
    };
    static const int sizes[][2] = { { 80, 24 }, { 160, 50 } };
    int frames = argc > 1 ? atoi(argv[1]) : 1000;
    char *text = lab_text();
    struct ccnc_lab *lab;
    struct ccnc_snapshot *snap;
    struct ui_log *log = ui_log_new(0);
    long long *t;
    struct rusage ru;

    setlocale(LC_ALL, "C.UTF-8");
    if (frames < 10)
        frames = 10;
    if (argc > 3) {
        n_hypervisors = atoi(argv[2]);
        vms_per_host = atoi(argv[3]);
        if (n_hypervisors < 1 || n_hypervisors > 99 || vms_per_host < 1 || vms_per_host > 999) {
            fprintf(stderr, "ui-render: HOSTS 1-99, VMS 1-999\n");
            return 2;
        }
        vfs_per_host = vms_per_host < 128 ? vms_per_host : 128;
    }
    lab = ccnc_lab_load_text("bench", text, strlen(text), NULL, 0, NULL);
    if (!lab) {
        fprintf(stderr, "ui-render: the generated lab does not load\n");
        return 1;
    }
    snap = ccnc_snapshot_new_from_lab(lab);
    for (int h = 0; h < n_hypervisors; h++) {
        struct ccnc_snapshot *next = ccnc_snapshot_replace_host(snap, (size_t)h, make_host(h));
        ccnc_snapshot_unref(snap);
        snap = next;
    }
    for (int i = 0; i < 1500; i++) {
        char line[96];
        snprintf(line, sizeof(line), "sys%d: vm%d-%03d/bond0 active slave eth0 -> eth1",
                 i % 2 + 1, i % 2 + 1, i % 256);
        ui_log_add(log, ccnc_now_wall_ms(), UI_LOG_WARN, line);
    }

    t = ccnc_xcalloc((size_t)frames, sizeof(*t));
    printf("lab: %d hypervisors x %d VMs (2 NICs, bond) x %d VFs, log of %zu lines\n",
           n_hypervisors, vms_per_host, vfs_per_host, log->n);
    printf("%-12s %-8s %10s %10s %10s\n", "view", "size", "median", "p99", "max");
    for (size_t s = 0; s < CCNC_ARRAY_SIZE(sizes); s++) {
        struct ui_grid *g = ui_grid_new(sizes[s][0], sizes[s][1], false);
        for (size_t c = 0; c < CCNC_ARRAY_SIZE(cases); c++) {
            struct ui_state st = { .view = cases[c].view, .clock = "12:34:56", .log = log };
            char size[16];

            snprintf(st.filter, sizeof(st.filter), "%s", cases[c].filter);
            /* the selection in the middle: the lists scroll to it */
            st.selected[UI_VIEW_OVERVIEW] = n_hypervisors * vms_per_host / 2;
            st.selected[UI_VIEW_VFS] = vfs_per_host;
            for (int f = 0; f < frames; f++) {
                long long t0 = now_ns();
                ui_draw_screen(g, snap, &st);
                t[f] = now_ns() - t0;
            }
            qsort(t, (size_t)frames, sizeof(*t), cmp_ll);
            snprintf(size, sizeof(size), "%dx%d", sizes[s][0], sizes[s][1]);
            printf("%-12s %-8s %8.3f ms %7.3f ms %7.3f ms\n", cases[c].name, size,
                   t[frames / 2] / 1e6,
                   t[(frames * 99) / 100] / 1e6, t[frames - 1] / 1e6);
        }
        ui_grid_free(g);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("frames per view: %d, peak RSS: %ld KiB\n", frames, ru.ru_maxrss);
    free(t);
    ui_log_free(log);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
    free(text);
    return 0;
}
