/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The overview: a header line per host (connection, host key, agent, stale
 * marker), the storage exports, then a summary line per host (state, VMs,
 * VMs on their backup NIC, free VFs, free memory, migrations) with its VMs
 * under it, folded or not, each with its NICs, the guest bond's active
 * slave and the VF it holds; configured VMs seen nowhere come last.  '/'
 * finds a VM, 'h' a host. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui-views.h"

/* One selectable VM: seen on a host, or only configured. */
struct entry {
    const struct ccnc_host *host;   /* NULL: not seen anywhere */
    int hi;                         /* host's place in the snapshot, -1: none */
    const struct ccnc_vm *vm;       /* NULL: not seen anywhere */
    const struct ccnc_lab_vm *cv;   /* NULL: not in the lab config */
};

struct entries {
    struct entry *e;
    size_t n, cap;
};

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_lab_vm(const void *a, const void *b)
{
    const struct ccnc_lab_vm *x = *(const struct ccnc_lab_vm *const *)a;
    const struct ccnc_lab_vm *y = *(const struct ccnc_lab_vm *const *)b;
    return strcmp(x->name, y->name);
}

/* The VMs in display order.  Names are matched through sorted indexes, so
 * that a lab of hundreds of VMs still draws in well under a millisecond. */
static void
collect(const struct ccnc_snapshot *snap, struct entries *out)
{
    const struct ccnc_lab *lab = snap->lab;
    const struct ccnc_lab_vm **by_name = ccnc_xcalloc(lab->n_vms + 1, sizeof(*by_name));
    const char **seen;
    size_t n_seen = 0;

    for (size_t i = 0; i < snap->n_hosts; i++)
        n_seen += snap->hosts[i]->n_vms;
    seen = ccnc_xcalloc(n_seen + 1, sizeof(*seen));
    n_seen = 0;
    for (size_t i = 0; i < lab->n_vms; i++)
        by_name[i] = &lab->vms[i];
    qsort(by_name, lab->n_vms, sizeof(*by_name), cmp_lab_vm);

    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *h = snap->hosts[i];
        for (size_t j = 0; j < h->n_vms; j++) {
            struct entry *e = ccnc_array_push(&out->e, &out->n, &out->cap, sizeof(*e));
            struct ccnc_lab_vm key = { .name = h->vms[j].name };
            const struct ccnc_lab_vm *kp = &key, **found;

            e->host = h;
            e->hi = (int)i;
            e->vm = &h->vms[j];
            found = h->vms[j].name ? bsearch(&kp, by_name, lab->n_vms, sizeof(*by_name),
                                             cmp_lab_vm)
                                   : NULL;
            e->cv = found ? *found : NULL;
            if (h->vms[j].name)
                seen[n_seen++] = h->vms[j].name;
        }
    }
    qsort(seen, n_seen, sizeof(*seen), cmp_name);
    for (size_t i = 0; i < lab->n_vms; i++) {
        const char *name = lab->vms[i].name;
        if (!bsearch(&name, seen, n_seen, sizeof(*seen), cmp_name)) {
            struct entry *e = ccnc_array_push(&out->e, &out->n, &out->cap, sizeof(*e));
            e->cv = &lab->vms[i];
            e->hi = -1;
        }
    }
    free(seen);
    free(by_name);
}

static const char *
entry_name(const struct entry *e)
{
    return e->cv ? e->cv->name : ui_str(e->vm->name);
}

/* How much a listed copy of a VM is the VM: running (the source, while a
 * migration runs), then paused (the destination's copy, until it takes
 * over), then any other (a shut-off copy left on the source). */
static int
entry_rank(const struct entry *e)
{
    if (!e->vm)
        return 0;
    return e->vm->state == CCNC_VM_RUNNING ? 2 : e->vm->state == CCNC_VM_PAUSED ? 1 : 0;
}

/* The selected entry: the VM named in the state if it is still listed
 * (where it runs, rather than a copy), else the selected row. */
static int
selected_entry(const struct entries *es, const struct ui_state *st)
{
    int found = -1;

    if (st->selected_vm[0]) {
        for (size_t i = 0; i < es->n; i++) {
            if (strcmp(entry_name(&es->e[i]), st->selected_vm) != 0)
                continue;
            if (found < 0 || entry_rank(&es->e[i]) > entry_rank(&es->e[found]))
                found = (int)i;
        }
        /* the copy the operator chose, while it is still up (two are
         * during a migration) */
        for (size_t i = 0; found >= 0 && st->selected_vm_host[0] && i < es->n; i++)
            if (es->e[i].host && ccnc_streq(es->e[i].host->name, st->selected_vm_host) &&
                strcmp(entry_name(&es->e[i]), st->selected_vm) == 0 &&
                (entry_rank(&es->e[i]) > 0 || entry_rank(&es->e[found]) == 0))
                found = (int)i;
        if (found >= 0)
            return found;
    }
    found = st->selected[UI_VIEW_OVERVIEW];
    if (found >= (int)es->n)
        found = (int)es->n - 1;
    return found;
}

/* Whether a host gets a group heading: hypervisors always, others when a
 * VM runs there. */
static bool
host_has_group(const struct ccnc_host *h)
{
    return h->role == CCNC_HOST_ROLE_HYPERVISOR || h->n_vms > 0;
}

static int
entry_rows(const struct entry *e)
{
    return e->vm ? 1 + (int)e->vm->n_nics : 1;
}

/* --- the host lines ----------------------------------------------------------- */

static enum ui_attr
conn_attr(const struct ccnc_host *h)
{
    switch (h->connection) {
    case CCNC_CONN_CONNECTED:
        return h->stale ? UI_WARN : UI_GOOD;
    case CCNC_CONN_CONNECTING:
        return UI_WARN;
    default:
        return UI_BAD;
    }
}

static const char *
conn_text(enum ccnc_conn_state s)
{
    switch (s) {
    case CCNC_CONN_CONNECTED: return _("connected");
    case CCNC_CONN_CONNECTING: return _("connecting");
    case CCNC_CONN_UNREACHABLE: return _("unreachable");
    case CCNC_CONN_AUTH_FAILED: return _("auth failed");
    case CCNC_CONN_HOSTKEY_UNKNOWN: return _("host key unknown");
    case CCNC_CONN_HOSTKEY_CHANGED: return _("HOST KEY CHANGED");
    default: return "?";
    }
}

static void
host_name(char *buf, size_t len, const struct ccnc_host *h)
{
    if (h->label && !ccnc_streq(h->label, h->name))
        snprintf(buf, len, "%s (%s)", h->label, ui_str(h->name));
    else
        snprintf(buf, len, "%s", ui_str(h->name));
}

/* The rows under a host's line that say what is wrong with it: an
 * unknown or changed host key, then the error. */
static bool
hostkey_row(const struct ccnc_host *h)
{
    return (h->connection == CCNC_CONN_HOSTKEY_UNKNOWN ||
            h->connection == CCNC_CONN_HOSTKEY_CHANGED) && h->hostkey_sha256;
}

static int
problem_rows(const struct ccnc_host *h)
{
    return hostkey_row(h) + (h->error != NULL);
}

/* Row k (0-based) of those; y < 0 draws nothing. */
static void
draw_problem_row(struct ui_grid *g, int y, const struct ccnc_host *h, int k)
{
    const char *arrow = g->ascii ? "->" : "\u21b3";

    if (y < 0)
        return;
    if (k == 0 && hostkey_row(h)) {
        /* the whole fingerprint, to compare with the host's own */
        char *t = ccnc_xasprintf(h->connection == CCNC_CONN_HOSTKEY_UNKNOWN
                                     ? _("host key %s: unknown")
                                     : _("host key %s: CHANGED"),
                                 h->hostkey_sha256);
        ui_grid_put(g, y, 3, UI_DIM, arrow);
        ui_grid_put_fit(g, y, g->ascii ? 6 : 5, g->w - 7,
                        h->connection == CCNC_CONN_HOSTKEY_UNKNOWN ? UI_WARN : UI_BAD, t);
        free(t);
    } else if (h->error) {
        /* the error on its own line, where it can be read whole */
        int x = ui_grid_put(g, y, 3, UI_DIM, arrow);
        ui_grid_put_fit(g, y, x + 1, g->w - x - 2,
                        h->connection == CCNC_CONN_CONNECTED && !h->stale ? UI_WARN : UI_BAD,
                        h->error);
    }
}

static int
draw_host_line(struct ui_grid *g, int y, const struct ccnc_snapshot *snap,
               const struct ccnc_host *h)
{
    bool wide = ui_wide(g);
    char buf[128];
    int x;

    host_name(buf, sizeof(buf), h);
    ui_grid_put_fit(g, y, 1, 18, UI_BOLD, buf);
    ui_grid_put_fit(g, y, 20, 15, UI_NORMAL, h->address ? h->address : "");
    x = 36;
    if (wide) {
        ui_grid_put(g, y, x, UI_DIM,
                    h->role == CCNC_HOST_ROLE_STORAGE ? _("storage") : _("hypervisor"));
        x += 11;
    }
    {
        int end = ui_grid_put_fit(g, y, x, 20, conn_attr(h), conn_text(h->connection)) + 1;
        x = end > x + 11 ? end : x + 11;
    }
    if (h->stale) {
        char age[32], *t;
        if (h->updated_ms == 0) {
            t = ccnc_xstrdup(_("no data yet"));
        } else if (snap->time_ms > 0) {
            ui_format_age(age, sizeof(age), snap->time_ms - h->updated_ms);
            /* TRANSLATORS: a host's data is old; %s is an age like "4m 10s" */
            t = ccnc_xasprintf(_("STALE, last seen %s ago"), age);
        } else {
            t = ccnc_xstrdup(_("STALE"));
        }
        x = ui_grid_put_fit(g, y, x, g->w - x - 1, UI_WARN, t) + 1;
        free(t);
    } else if (h->connection == CCNC_CONN_CONNECTED) {
        if (h->hostkey_sha256) {
            x = ui_grid_put_fit(g, y, x, wide ? 52 : 16, UI_DIM, h->hostkey_sha256) + 1;
        } else {
            x = ui_grid_put(g, y, x, UI_DIM, _("no host key")) + 1;
        }
        if (h->agent_version) {
            char *t = ccnc_xasprintf(_("agent %s"), h->agent_version);
            x = ui_grid_put_fit(g, y, x, g->w - x - 1, UI_NORMAL, t) + 1;
            free(t);
        } else if (h->role == CCNC_HOST_ROLE_HYPERVISOR || h->role == CCNC_HOST_ROLE_STORAGE) {
            x = ui_grid_put_fit(g, y, x, g->w - x - 1, UI_WARN, _("no agent")) + 1;
        }
    }
    y++;
    for (int k = 0; k < problem_rows(h); k++)
        draw_problem_row(g, y++, h, k);
    return y;
}

static void rate_text(char *buf, size_t len, long long bps);

/* What a storage host sends, bits per second: the stream, in the lab.
 * Links with a master (a bond's slaves) are counted in their master. */
static long long
storage_tx_bps(const struct ccnc_host *h)
{
    long long sum = CCNC_UNKNOWN;

    for (size_t i = 0; i < h->n_links; i++) {
        const struct ccnc_link *l = &h->links[i];
        if (l->master || l->tx_bps < 0 || ccnc_streq(l->name, "lo"))
            continue;
        sum = (sum < 0 ? 0 : sum) + l->tx_bps;
    }
    return sum;
}

static int
draw_storage(struct ui_grid *g, int y, const struct ccnc_snapshot *snap)
{
    const char *arrow = g->ascii ? "->" : "\u2192";

    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *h = snap->hosts[i];
        int x;

        if (h->role != CCNC_HOST_ROLE_STORAGE)
            continue;
        x = ui_grid_put(g, y, 1, UI_BOLD, _("Storage"));
        x = ui_grid_printf(g, y, x + 1, UI_NORMAL, "%s:", ui_str(h->name)) + 1;
        if (h->n_exports == 0)
            ui_grid_put_fit(g, y, x, g->w - x - 1, UI_DIM,
                            h->stale ? _("no exports known") : _("no exports"));
        for (size_t j = 0; j < h->n_exports && x < g->w - 2; j++) {
            const struct ccnc_export *ex = &h->exports[j];
            char freebuf[48] = "", *t;
            if (ui_wide(g) && ex->free_bytes >= 0) {
                char *f = ccnc_xasprintf(_("%.1f GiB free"),
                                         (double)ex->free_bytes / (1024.0 * 1024 * 1024));
                snprintf(freebuf, sizeof(freebuf), " (%s)", f);
                free(f);
            }
            t = ccnc_xasprintf("%s %s %s%s%s", ui_str(ex->path), arrow,
                               ex->clients ? ex->clients : "?", freebuf,
                               j + 1 < h->n_exports ? "," : "");
            x = ui_grid_put_fit(g, y, x, g->w - x - 1, h->stale ? UI_DIM : UI_NORMAL, t) + 1;
            free(t);
        }
        if (h->stale && h->n_exports && x < g->w - 8)
            ui_grid_put(g, y, x, UI_WARN, _("(stale)"));
        if (!h->stale && storage_tx_bps(h) >= 0) {
            /* the stream's throughput, at the right end */
            char rate[40], *t;
            int tw;
            rate_text(rate, sizeof(rate), storage_tx_bps(h));
            /* TRANSLATORS: what the storage host sends: the stream */
            t = ccnc_xasprintf(_("sending %s"), rate);
            tw = ui_text_width(t);
            if (x + tw + 2 < g->w) {
                ui_grid_printf(g, y, g->w - tw - 2, UI_NORMAL, " %s", "");
                ui_grid_put(g, y, g->w - tw - 1, UI_GOOD, t);
            }
            free(t);
        }
        y++;
    }
    return y;
}

/* --- a VM and its NICs -------------------------------------------------------- */

static const struct ccnc_bond_slave *
slave_by_mac(const struct ccnc_bond *b, const char *mac)
{
    if (!b || !mac)
        return NULL;
    for (size_t i = 0; i < b->n_slaves; i++)
        if (b->slaves[i].perm_hwaddr && strcasecmp(b->slaves[i].perm_hwaddr, mac) == 0)
            return &b->slaves[i];
    return NULL;
}

static const struct ccnc_vm_nic *
nic_of_slave(const struct ccnc_vm *vm, const struct ccnc_bond_slave *s)
{
    if (!s || !s->perm_hwaddr)
        return NULL;
    for (size_t i = 0; i < vm->n_nics; i++)
        if (vm->nics[i].mac && strcasecmp(vm->nics[i].mac, s->perm_hwaddr) == 0)
            return &vm->nics[i];
    return NULL;
}

/* Whether the guest bond runs on its backup NIC (drawn "ON BACKUP"). */
static bool
vm_on_backup(const struct ccnc_vm *vm)
{
    const struct ccnc_bond *b = vm->bond;

    for (size_t i = 0; b && b->active_slave && i < b->n_slaves; i++) {
        if (ccnc_streq(b->slaves[i].name, b->active_slave)) {
            const struct ccnc_vm_nic *n = nic_of_slave(vm, &b->slaves[i]);
            return n && n->role == CCNC_NIC_ROLE_BACKUP;
        }
    }
    return false;
}

/* The VF (and its PF link) attached to a VM on host h (not one only
 * reserved for it), or that a hostdev with PCI address pci is. */
static const struct ccnc_vf *
find_vf(const struct ccnc_host *h, const char *vm, const char *pci,
        const struct ccnc_link **pf)
{
    for (size_t i = 0; h && i < h->n_links; i++) {
        for (size_t j = 0; j < h->links[i].n_vfs; j++) {
            const struct ccnc_vf *vf = &h->links[i].vfs[j];
            if ((pci && vf->pci && strcasecmp(vf->pci, pci) == 0) ||
                (!pci && vm && ccnc_streq(vf->vm, vm) && !vf->reserved)) {
                if (pf)
                    *pf = &h->links[i];
                return vf;
            }
        }
    }
    return NULL;
}

static bool
nic_is_vf(const struct ccnc_host *h, const struct ccnc_vm_nic *n)
{
    const struct ccnc_nic *pn;

    if (!n->pci)
        return false;
    pn = ccnc_host_find_nic(h, n->pci);
    if (pn)
        return pn->is_vf;
    return find_vf(h, NULL, n->pci, NULL) != NULL;
}

static const char *
role_text(const struct ccnc_host *h, const struct ccnc_vm_nic *n)
{
    switch (n->role) {
    case CCNC_NIC_ROLE_PASSTHROUGH:
        return nic_is_vf(h, n) ? _("VF") : _("passthrough");
    case CCNC_NIC_ROLE_BACKUP:
        return ccnc_streq(n->model, "virtio") ? _("virtio-backup") : _("backup");
    default:
        return n->model ? n->model : (n->type ? n->type : "?");
    }
}

static enum ui_attr
state_attr(enum ccnc_vm_state s)
{
    switch (s) {
    case CCNC_VM_RUNNING: return UI_NORMAL;
    case CCNC_VM_PAUSED:
    case CCNC_VM_BLOCKED:
    case CCNC_VM_PMSUSPENDED: return UI_WARN;
    case CCNC_VM_CRASHED: return UI_BAD;
    default: return UI_DIM;
    }
}

/* Why a VM shows no bond: a QEMU failover pair has none in the guest (the
 * kernel's net_failover joins the two, and the collector does not ask),
 * else its agent did not answer, or it was not read. */
static const char *
no_bond_text(const struct ccnc_vm *vm)
{
    if (ccnc_vm_failover_nic(vm, NULL))
        /* TRANSLATORS: libvirt's <teaming>: QEMU's failover, no guest bond */
        return _("QEMU failover pair (teaming): no bond in the guest");
    return vm->bond_stale ? _("guest agent silent, bond unknown") : _("guest bond not read");
}

static void
draw_bond(struct ui_grid *g, int y, int x, const struct entry *e)
{
    const struct ccnc_vm *vm = e->vm;
    const struct ccnc_bond *b = vm->bond;
    const struct ccnc_bond_slave *active = NULL;
    const struct ccnc_vm_nic *an;
    const char *mode;
    char *t;
    enum ui_attr a;

    if (!b) {
        ui_grid_put_fit(g, y, x, g->w - x - 1, UI_DIM, no_bond_text(vm));
        return;
    }
    mode = ccnc_bond_mode_to_string(b->mode);
    if (vm->bond_stale)
        /* TRANSLATORS: the guest agent stopped answering; what follows is
         * the bond as last read */
        t = ccnc_xasprintf(_("%s agent silent"), b->name ? b->name : "?");
    else
        t = ccnc_xasprintf("%s %s", b->name ? b->name : "?", mode ? mode : "?");
    ui_grid_put_fit(g, y, x, 19, vm->bond_stale ? UI_WARN : UI_NORMAL, t);
    free(t);
    x += 20;
    for (size_t i = 0; i < b->n_slaves && b->active_slave; i++)
        if (ccnc_streq(b->slaves[i].name, b->active_slave))
            active = &b->slaves[i];
    an = nic_of_slave(vm, active);
    if (!b->active_slave) {
        t = ccnc_xstrdup(_("NO ACTIVE SLAVE"));
        a = UI_BAD;
    } else if (an && an->role == CCNC_NIC_ROLE_BACKUP) {
        /* TRANSLATORS: the guest bond runs on its backup (virtio) NIC */
        t = ccnc_xasprintf(_("ON BACKUP %s"), b->active_slave);
        a = UI_WARN;
    } else if (an && an->role == CCNC_NIC_ROLE_PASSTHROUGH) {
        t = ccnc_xasprintf(_("on %s (primary)"), b->active_slave);
        a = UI_GOOD;
    } else if (b->primary && !ccnc_streq(b->primary, b->active_slave)) {
        t = ccnc_xasprintf(_("ON %s, not primary"), b->active_slave);
        a = UI_WARN;
    } else {
        t = ccnc_xasprintf(_("on %s"), b->active_slave);
        a = UI_NORMAL;
    }
    ui_grid_put_fit(g, y, x, g->w - x - 1, vm->bond_stale ? UI_DIM : a, t);
    free(t);
}

static void
draw_vm_line(struct ui_grid *g, int y, const struct entry *e, bool selected)
{
    const char *mark = g->ascii ? ">" : "\u25b6";
    bool wide = ui_wide(g);
    int name_w = wide ? 16 : 10;
    int x = 2 + name_w + 1;

    if (y < 0)
        return;
    if (selected)
        ui_grid_put(g, y, 0, UI_REVERSE, mark);
    /* VMs the lab config does not name are shown, but quieter */
    ui_grid_put_fit(g, y, 2, name_w, e->cv ? UI_BOLD : UI_DIM, entry_name(e));
    if (selected)
        ui_grid_fill_attr_span(g, y, 0, 2 + name_w, UI_REVERSE);
    if (!e->vm) {
        char *t;
        ui_grid_put(g, y, x, UI_DIM, _("not seen"));
        if (e->cv->passthrough_kind != CCNC_PASSTHROUGH_NONE)
            t = ccnc_xasprintf(_("configured on %s, passthrough %s:%s"), e->cv->host,
                               ccnc_passthrough_kind_to_string(e->cv->passthrough_kind),
                               e->cv->passthrough);
        else
            t = ccnc_xasprintf(_("configured on %s"), e->cv->host);
        ui_grid_put_fit(g, y, x + 10, g->w - x - 11, UI_DIM, t);
        free(t);
        return;
    }
    ui_grid_put_fit(g, y, x, 9, state_attr(e->vm->state), ccnc_vm_state_text(e->vm->state));
    x += 10;
    draw_bond(g, y, x, e);
    {
        const struct ccnc_link *pf = NULL;
        const struct ccnc_vf *vf = e->vm->name ? find_vf(e->host, e->vm->name, NULL, &pf) : NULL;
        int vx = g->w - (wide ? 42 : 16);
        if (vf) {
            char *t = wide && vf->pci
                          ? ccnc_xasprintf(_("holds VF %s #%d (%s)"), ui_str(pf->name),
                                           vf->index, vf->pci)
                          : ccnc_xasprintf(_("VF %s #%d"), ui_str(pf->name), vf->index);
            /* clear what the bond text left there, then say it */
            ui_grid_printf(g, y, vx - 1, UI_NORMAL, "%*s", g->w - vx + 1, "");
            ui_grid_put_fit(g, y, vx, g->w - vx - 1, UI_NORMAL, t);
            free(t);
        }
    }
}

/* "812 b/s", "12.3 kb/s", "1.2 Mb/s" */
static void
rate_text(char *buf, size_t len, long long bps)
{
    if (bps < 1000)
        snprintf(buf, len, "%lld b/s", bps);
    else if (bps < 1000000)
        snprintf(buf, len, "%.1f kb/s", (double)bps / 1e3);
    else if (bps < 1000000000)
        snprintf(buf, len, "%.1f Mb/s", (double)bps / 1e6);
    else
        snprintf(buf, len, "%.2f Gb/s", (double)bps / 1e9);
}

/* The NIC's traffic over the last seconds, one cell a second, scaled to
 * its own peak, and the rate now (rx + tx). */
static void
draw_sparkline(struct ui_grid *g, int y, int x, int cells, const struct ccnc_vm_nic *n)
{
    static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
                                          "\u2585", "\u2586", "\u2587", "\u2588" };
    static const char ascii[] = "_.,-=+*#";
    int first = n->n_history > cells ? n->n_history - cells : 0;
    long long peak = 0;
    char rate[40];

    for (int i = first; i < n->n_history; i++)
        if (n->history[i] > peak)
            peak = n->history[i];
    for (int i = first, c = 0; i < n->n_history; i++, c++) {
        int level = peak > 0 ? (int)(n->history[i] * 7 / peak) : 0;
        char a[2] = { ascii[level], 0 };
        ui_grid_put(g, y, x + cells - (n->n_history - first) + c, UI_GOOD,
                    g->ascii ? a : blocks[level]);
    }
    rate_text(rate, sizeof(rate), n->rx_bps + n->tx_bps);
    ui_grid_put_fit(g, y, x + cells + 1, 10, UI_DIM, rate);
}

static void
draw_nic_line(struct ui_grid *g, int y, const struct entry *e, const struct ccnc_vm_nic *n)
{
    const struct ccnc_bond_slave *s = slave_by_mac(e->vm->bond, n->mac);
    const struct ccnc_link *hl = n->target ? ccnc_host_find_link(e->host, n->target) : NULL;
    bool wide = ui_wide(g);
    char side[96];
    const char *link = NULL;
    enum ui_attr la = UI_DIM;
    int x, right = g->w - 1;

    if (y < 0)
        return;
    ui_grid_put_fit(g, y, 5, 6, UI_NORMAL, s ? ui_str(s->name) : "-");
    ui_grid_put_fit(g, y, 12, 15, n->role == CCNC_NIC_ROLE_BACKUP ? UI_NORMAL : UI_BOLD,
                    role_text(e->host, n));
    ui_grid_put_fit(g, y, 28, 17, UI_NORMAL, n->mac ? n->mac : "-");
    if (n->pci)
        snprintf(side, sizeof(side), "%s", n->pci);
    else if (n->target)
        snprintf(side, sizeof(side), "%s %s %s", n->target, g->ascii ? "->" : "\u2192",
                 n->source ? n->source : "?");
    else if (n->source)
        snprintf(side, sizeof(side), "%s %s", n->type ? n->type : "", n->source);
    else
        snprintf(side, sizeof(side), "%s", n->type ? n->type : "");
    x = 46;
    ui_grid_put_fit(g, y, x, wide ? 30 : 16, UI_DIM, side);
    x += wide ? 31 : 17;
    /* the guest's view of the link first: that is what the bond acts on */
    if (s && s->mii_status) {
        link = s->mii_status;
        la = ccnc_streq(link, "up") ? UI_GOOD : UI_BAD;
    } else if (hl && hl->operstate) {
        link = hl->operstate;
        la = ccnc_streq(link, "up") || ccnc_streq(link, "unknown") ? UI_NORMAL : UI_BAD;
    }
    x = ui_grid_put_fit(g, y, x, 10, la, link ? link : "?") + 1;
    if (s && s->state == CCNC_SLAVE_ACTIVE && e->vm->bond &&
        ccnc_streq(s->name, e->vm->bond->active_slave))
        x = ui_grid_put(g, y, x, UI_DIM, _("active")) + 1;
    if (s && s->link_failures > 0 && x < g->w - 12) {
        char *t = ccnc_xasprintf(dngettext(PACKAGE, "%d link failure", "%d link failures",
                                           s->link_failures),
                                 s->link_failures);
        ui_grid_put_fit(g, y, x, g->w - x - 1, UI_DIM, t);
        free(t);
    }
    /* traffic, where there is room (100 columns and more), at the right
     * edge; the NIC's teaming role left of it */
    if (g->w >= 100 && n->n_history > 0 && n->rx_bps >= 0 && x <= g->w - 22) {
        draw_sparkline(g, y, g->w - 21, 8, n);
        right = g->w - 22;
    }
    if (n->teaming && wide && x < right - 21) {
        char *t = ccnc_xasprintf(_("teaming %s"), n->teaming->type ? n->teaming->type : "?");
        ui_grid_put_fit(g, y, right - 20, 19, UI_DIM, t);
        free(t);
    }
}

/* --- details of the selected VM, when the screen has room ------------------ */

static int
details_rows(const struct entry *e)
{
    int n = 3;  /* rule and name, state, bond */

    if (!e || !e->vm)
        return 0;
    if (e->vm->bond)
        n += (int)e->vm->bond->n_slaves;
    if (e->vm->name && find_vf(e->host, e->vm->name, NULL, NULL))
        n++;
    return n;
}

static void
draw_details(struct ui_grid *g, int y, const struct entry *e)
{
    const struct ccnc_vm *vm = e->vm;
    const struct ccnc_bond *b = vm->bond;
    const struct ccnc_link *pf = NULL;
    const struct ccnc_vf *vf = vm->name ? find_vf(e->host, vm->name, NULL, &pf) : NULL;
    char host[128], *t;
    int x;

    ui_grid_hline(g, y, 0, g->w);
    host_name(host, sizeof(host), e->host);
    t = ccnc_xasprintf(_("%s on %s"), ui_str(vm->name), host);
    ui_grid_printf(g, y++, 2, UI_BOLD, " %s ", t);
    free(t);
    t = ccnc_xasprintf(_("state %s, UUID %s"), ccnc_vm_state_text(vm->state),
                       ui_str(vm->uuid));
    ui_grid_put_fit(g, y++, 2, g->w - 3, UI_NORMAL, t);
    free(t);
    if (!b) {
        ui_grid_put_fit(g, y, 2, g->w - 3, UI_DIM, no_bond_text(vm));
        return;
    }
    /* TRANSLATORS: the guest bond's settings, as /proc/net/bonding says them */
    t = ccnc_xasprintf(_("%s: %s, primary %s, active %s, MII %s, miimon %d ms, "
                         "updelay %d ms, downdelay %d ms"),
                       ui_str(b->name), ui_str(ccnc_bond_mode_to_string(b->mode)),
                       b->primary ? b->primary : "-", b->active_slave ? b->active_slave : "-",
                       ui_str(b->mii_status), b->miimon_ms, b->updelay_ms, b->downdelay_ms);
    ui_grid_put_fit(g, y++, 2, g->w - 3, vm->bond_stale ? UI_DIM : UI_NORMAL, t);
    free(t);
    for (size_t i = 0; i < b->n_slaves; i++, y++) {
        const struct ccnc_bond_slave *sl = &b->slaves[i];
        const struct ccnc_vm_nic *n = nic_of_slave(vm, sl);
        char speed[32];

        if (sl->speed_mbps > 0)
            snprintf(speed, sizeof(speed), "%d Mb/s", sl->speed_mbps);
        else
            snprintf(speed, sizeof(speed), "-");
        ui_grid_put_fit(g, y, 4, 8, UI_BOLD, ui_str(sl->name));
        ui_grid_put_fit(g, y, 13, 8, UI_NORMAL, ccnc_slave_state_text(sl->state));
        ui_grid_put_fit(g, y, 22, 6, ccnc_streq(sl->mii_status, "up") ? UI_GOOD : UI_BAD,
                        ui_str(sl->mii_status));
        ui_grid_put_fit(g, y, 29, 11, UI_NORMAL, speed);
        t = ccnc_xasprintf(dngettext(PACKAGE, "%d link failure", "%d link failures",
                                     sl->link_failures),
                           sl->link_failures);
        x = ui_grid_put_fit(g, y, 41, 18, sl->link_failures ? UI_WARN : UI_DIM, t) + 1;
        free(t);
        x = ui_grid_put_fit(g, y, x > 60 ? x : 60, 18, UI_NORMAL,
                            sl->perm_hwaddr ? sl->perm_hwaddr : "-") + 1;
        if (n)
            ui_grid_put_fit(g, y, x, g->w - x - 1, UI_DIM, role_text(e->host, n));
    }
    if (vf) {
        char rate[32];
        if (vf->max_tx_rate > 0)
            snprintf(rate, sizeof(rate), "%d Mb/s", vf->max_tx_rate);
        else
            snprintf(rate, sizeof(rate), "-");
        /* TRANSLATORS: the settings of the VF a VM holds */
        t = ccnc_xasprintf(_("VF %s #%d %s: MAC %s, VLAN %d, max rate %s, spoofchk %s, "
                             "trust %s, link %s"),
                           ui_str(pf->name), vf->index, ui_str(vf->pci), ui_str(vf->mac),
                           vf->vlan, rate,
                           vf->spoofchk == CCNC_UNKNOWN ? "?" : vf->spoofchk ? _("on") : _("off"),
                           vf->trust == CCNC_UNKNOWN ? "?" : vf->trust ? _("on") : _("off"),
                           ui_str(vf->link_state));
        ui_grid_put_fit(g, y, 2, g->w - 3, UI_NORMAL, t);
        free(t);
    }
}

/* --- the hosts' summary lines, folds and the selection ------------------------ */

/* With more hypervisors than this, their connection lines above the list
 * give way to their summary lines, the list starts folded (only the
 * selection's host shows its VMs), and only the selected VM shows its
 * NICs. */
#define FEW_HOSTS 4

/* One row the operator can select: a host's summary line, or a VM. */
struct item {
    int host;       /* the host's place in the snapshot; -1: a VM seen nowhere */
    int entry;      /* the VM's entry; -1: the host's line */
};

/* The list as the state and the snapshot make it now. */
struct layout {
    struct entries es;
    size_t n_hosts;
    bool *group;        /* per host: it has a summary line */
    bool *open;         /* per host: its VMs are shown */
    int *number;        /* per host: its number on the screen, 0 none */
    int n_groups;
    bool compact;       /* many hosts: no connection lines above the list */
    int sel_entry;      /* the selected VM, -1 none */
    int sel_host;       /* the host whose line is selected, -1 none */
    struct item *items;
    size_t n_items, cap_items;
    int sel_item;       /* -1: nothing to select */
};

static int
find_group(const struct ccnc_snapshot *snap, const struct layout *L, const char *name)
{
    for (size_t i = 0; i < snap->n_hosts; i++)
        if (L->group[i] && ccnc_streq(snap->hosts[i]->name, name))
            return (int)i;
    return -1;
}

static bool
folded_flag(const struct ui_state *st, size_t i)
{
    return i < UI_FOLD_MAX && st->folded[i];
}

static void
layout_make(struct layout *L, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    int focus;
    size_t k = 0;

    memset(L, 0, sizeof(*L));
    collect(snap, &L->es);
    L->n_hosts = snap->n_hosts;
    L->group = ccnc_xcalloc(snap->n_hosts + 1, sizeof(*L->group));
    L->open = ccnc_xcalloc(snap->n_hosts + 1, sizeof(*L->open));
    L->number = ccnc_xcalloc(snap->n_hosts + 1, sizeof(*L->number));
    for (size_t i = 0; i < snap->n_hosts; i++) {
        L->group[i] = host_has_group(snap->hosts[i]);
        if (L->group[i])
            L->number[i] = ++L->n_groups;
    }
    L->compact = L->n_groups > FEW_HOSTS;

    /* the selection: a host's line by name, else a VM (by name, else row) */
    L->sel_host = st->selected_host[0] ? find_group(snap, L, st->selected_host) : -1;
    L->sel_entry = L->sel_host < 0 ? selected_entry(&L->es, st) : -1;
    if (L->sel_entry < 0 && L->sel_host < 0)
        for (size_t i = 0; i < snap->n_hosts && L->sel_host < 0; i++)
            if (L->group[i])
                L->sel_host = (int)i;

    /* the folds: the operator's, else open when there are a few hosts,
     * else only the selection's host; the selected VM is never hidden */
    focus = L->sel_host >= 0 ? L->sel_host : L->sel_entry >= 0 ? L->es.e[L->sel_entry].hi : -1;
    for (size_t i = 0; i < snap->n_hosts; i++)
        L->open[i] = st->folds_set ? !folded_flag(st, i) : !L->compact || (int)i == focus;
    if (L->sel_entry >= 0 && L->es.e[L->sel_entry].hi >= 0)
        L->open[L->es.e[L->sel_entry].hi] = true;

    L->sel_item = -1;
    for (size_t i = 0; i < snap->n_hosts; i++) {
        struct item *it;
        if (!L->group[i])
            continue;
        if ((int)i == L->sel_host)
            L->sel_item = (int)L->n_items;
        it = ccnc_array_push(&L->items, &L->n_items, &L->cap_items, sizeof(*it));
        it->host = (int)i;
        it->entry = -1;
        for (; k < L->es.n && L->es.e[k].hi == (int)i; k++) {
            if (!L->open[i])
                continue;
            if ((int)k == L->sel_entry)
                L->sel_item = (int)L->n_items;
            it = ccnc_array_push(&L->items, &L->n_items, &L->cap_items, sizeof(*it));
            it->host = (int)i;
            it->entry = (int)k;
        }
    }
    for (; k < L->es.n; k++) {
        struct item *it = ccnc_array_push(&L->items, &L->n_items, &L->cap_items, sizeof(*it));
        if ((int)k == L->sel_entry)
            L->sel_item = (int)L->n_items - 1;
        it->host = -1;
        it->entry = (int)k;
    }
}

static void
layout_clear(struct layout *L)
{
    free(L->es.e);
    free(L->group);
    free(L->open);
    free(L->number);
    free(L->items);
}

/* What a summary line says of a host's connection. */
static const char *
summary_state(const struct ccnc_host *h, enum ui_attr *a)
{
    if (h->connection == CCNC_CONN_CONNECTING) {
        *a = UI_WARN;
        return _("connecting");
    }
    if (h->connection != CCNC_CONN_CONNECTED) {
        *a = UI_BAD;
        return _("error");
    }
    *a = h->stale ? UI_WARN : UI_GOOD;
    return h->stale ? _("stale") : _("connected");
}

/* Whether a summary line has its problem rows under it (many hosts): a
 * host in error or stale says why; one still connecting does not. */
static bool
summary_problems(const struct layout *L, const struct ccnc_host *h)
{
    return L->compact && h->connection != CCNC_CONN_CONNECTING &&
           (h->connection != CCNC_CONN_CONNECTED || h->stale);
}

struct sum_cols {
    int num, name, name_w, state, state_w, vms, vms_w, vfs, vfs_w, mem, mem_w, tail;
};

static struct sum_cols
sum_columns(const struct ui_grid *g)
{
    if (ui_wide(g))
        return (struct sum_cols){ 2, 5, 24, 31, 10, 42, 7, 50, 12, 63, 23, 88 };
    return (struct sum_cols){ 2, 5, 14, 21, 10, 32, 7, 40, 11, 53, 14, 68 };
}

/* "12.3" GiB from KiB */
static double
gib(long long kib)
{
    return (double)kib / (1024.0 * 1024.0);
}

/* A host's summary line: fold mark, number, name, state, VMs, free VFs,
 * free memory, then what asks for attention: VMs on their backup NIC and
 * migrations under way. */
/* This ccnc's actions queued or running on host h (its source or its
 * destination) on VMs libvirt shows no migration job for. */
static int
actions_on(const struct ui_state *st, const struct ccnc_host *h)
{
    int n = 0;

    for (size_t i = 0; st && i < st->n_actions; i++) {
        const struct ccnc_action *a = st->actions[i].action;
        const struct ccnc_vm *vm;
        if (!st->actions[i].active || !a ||
            !(ccnc_streq(a->source, h->name) || ccnc_streq(a->destination, h->name)))
            continue;
        vm = ccnc_host_find_vm(h, a->vm);
        if (!vm || (vm->job != CCNC_VM_JOB_MIGRATION_OUT && vm->job != CCNC_VM_JOB_MIGRATION_IN))
            n++;
    }
    return n;
}

static void
draw_summary(struct ui_grid *g, int y, const struct layout *L, const struct ccnc_host *h,
             int hi, bool selected, const struct ui_state *st)
{
    struct sum_cols c = sum_columns(g);
    char name[128], *t;
    const char *state;
    enum ui_attr a;
    int x, vfs = 0, used = 0, backup = 0, moving = 0, acting;

    if (y < 0)
        return;
    ui_grid_put(g, y, 0, selected ? UI_REVERSE : UI_HEADER,
                L->open[hi] ? (g->ascii ? "-" : "\u25be") : (g->ascii ? "+" : "\u25b8"));
    ui_grid_printf(g, y, c.num, UI_HEADER, "%2d", L->number[hi]);
    host_name(name, sizeof(name), h);
    x = ui_grid_put_fit(g, y, c.name, c.name_w, UI_HEADER, name);
    ui_grid_fill_attr_span(g, y, 0, x + 1, selected ? UI_REVERSE : UI_HEADER);
    state = summary_state(h, &a);
    ui_grid_put_fit(g, y, c.state, c.state_w, a, state);
    if (h->stale && h->updated_ms == 0) {
        ui_grid_put_fit(g, y, c.vms, g->w - c.vms - 1, UI_DIM, _("nothing known yet"));
        return;
    }
    if (h->n_vms == 0 && h->libvirt != CCNC_CONN_CONNECTED)
        /* TRANSLATORS: how many VMs run on a host is not known (its
         * libvirt has not answered) */
        t = ccnc_xstrdup(_("VMs ?"));
    else
        t = ccnc_xasprintf(dngettext(PACKAGE, "%zu VM", "%zu VMs", h->n_vms), h->n_vms);
    ui_grid_put_fit(g, y, c.vms, c.vms_w, h->n_vms ? UI_NORMAL : UI_DIM, t);
    free(t);

    for (size_t i = 0; i < h->n_links; i++) {
        vfs += (int)h->links[i].n_vfs;
        for (size_t j = 0; j < h->links[i].n_vfs; j++)
            used += h->links[i].vfs[j].vm != NULL;
    }
    if (vfs == 0) {
        ui_grid_put_fit(g, y, c.vfs, c.vfs_w, UI_DIM, _("no VFs"));
    } else {
        /* TRANSLATORS: a host's SR-IOV VFs that no VM holds */
        t = ccnc_xasprintf(dngettext(PACKAGE, "%d VF free", "%d VFs free", vfs - used),
                           vfs - used);
        ui_grid_put_fit(g, y, c.vfs, c.vfs_w, used == vfs ? UI_WARN : UI_NORMAL, t);
        free(t);
    }

    if (h->mem_free_kib < 0) {
        /* TRANSLATORS: the host's free memory is not known */
        ui_grid_put_fit(g, y, c.mem, c.mem_w, UI_DIM, _("mem ?"));
    } else {
        bool low = h->mem_total_kib > 0 && h->mem_free_kib * 10 < h->mem_total_kib;
        if (ui_wide(g) && h->mem_total_kib > 0)
            /* TRANSLATORS: a host's free memory of its total, in GiB */
            t = ccnc_xasprintf(_("free %.1f of %.1f GiB"), gib(h->mem_free_kib),
                               gib(h->mem_total_kib));
        else
            /* TRANSLATORS: a host's free memory, in GiB */
            t = ccnc_xasprintf(_("free %.1f GiB"), gib(h->mem_free_kib));
        ui_grid_put_fit(g, y, c.mem, c.mem_w, low ? UI_WARN : UI_NORMAL, t);
        free(t);
    }

    for (size_t i = 0; i < h->n_vms; i++) {
        backup += vm_on_backup(&h->vms[i]);
        moving += h->vms[i].job == CCNC_VM_JOB_MIGRATION_OUT ||
                  h->vms[i].job == CCNC_VM_JOB_MIGRATION_IN;
    }
    x = c.tail;
    if (backup) {
        /* TRANSLATORS: VMs whose guest bond runs on its backup NIC */
        t = ccnc_xasprintf(dngettext(PACKAGE, "%d on backup", "%d on backup", backup), backup);
        x = ui_grid_put_fit(g, y, x, g->w - x - 1, UI_WARN, t) + 2;
        free(t);
    }
    if (moving && x < g->w - 2) {
        /* TRANSLATORS: VMs migrating to or from a host */
        t = ccnc_xasprintf(dngettext(PACKAGE, "%d migrating", "%d migrating", moving), moving);
        x = ui_grid_put_fit(g, y, x, g->w - x - 1, UI_BOLD, t) + 2;
        free(t);
    }
    acting = actions_on(st, h);
    if (acting && x < g->w - 2) {
        /* TRANSLATORS: this ccnc's actions under way on a host (other than
         * the migrations counted before) */
        t = ccnc_xasprintf(dngettext(PACKAGE, "%d action", "%d actions", acting), acting);
        ui_grid_put_fit(g, y, x, g->w - x - 1, UI_BOLD, t);
        free(t);
    }
}

/* The selected host line's host in detail, where the selected VM's would
 * be: its connection line and what is wrong with it. */
static int
host_details_rows(const struct ccnc_host *h)
{
    return 2 + problem_rows(h);
}

static void
draw_host_details(struct ui_grid *g, int y, const struct ccnc_snapshot *snap,
                  const struct ccnc_host *h)
{
    char name[128];

    ui_grid_hline(g, y, 0, g->w);
    host_name(name, sizeof(name), h);
    ui_grid_printf(g, y++, 2, UI_BOLD, " %s ", name);
    draw_host_line(g, y, snap, h);
}

/* --- the whole view ---------------------------------------------------------- */

static void
overview_draw(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    struct layout L;
    int y = UI_BODY_TOP, bottom = UI_BODY_BOTTOM(g);
    int v, total, top = 0, avail;
    bool not_seen_head = false;

    layout_make(&L, snap, st);
    for (size_t i = 0; i < snap->n_hosts && y <= bottom; i++)
        if (!L.compact || snap->hosts[i]->role != CCNC_HOST_ROLE_HYPERVISOR)
            y = draw_host_line(g, y, snap, snap->hosts[i]);
    y = draw_storage(g, y, snap);
    ui_grid_hline(g, y++, 0, g->w);
    avail = bottom - y + 1;

    /* v counts virtual rows; pass 0 finds the selected item's rows, pass 1
     * draws the rows within [top, top + avail) */
    {
        int pass_first = -1, pass_last = -1;
        v = 0;
        for (int pass = 0; pass < 2; pass++) {
            top = pass == 0 ? 0 : ui_scroll_top(pass_first, pass_last, avail);
            if (pass == 1 && v > top + avail && avail > 1) {
                avail--;    /* the last row says how many more there are */
                top = ui_scroll_top(pass_first, pass_last, avail);
            }
            v = 0;
            not_seen_head = false;
#define VY(row) (pass == 1 && (row) >= top && (row) < top + avail ? y + (row) - top : -1)
            for (size_t n = 0; n < L.n_items; n++) {
                const struct item *it = &L.items[n];
                const struct entry *e;
                bool sel = (int)n == L.sel_item;

                if (it->entry < 0) {
                    const struct ccnc_host *h = snap->hosts[it->host];
                    if (sel) {
                        pass_first = v;
                        pass_last = v;
                    }
                    draw_summary(g, VY(v), &L, h, it->host, sel, st);
                    v++;
                    if (summary_problems(&L, h))
                        for (int k = 0; k < problem_rows(h); k++, v++)
                            draw_problem_row(g, VY(v), h, k);
                    if (L.open[it->host] && h->n_vms == 0 && !(h->stale && h->updated_ms == 0)) {
                        char *why = h->libvirt != CCNC_CONN_CONNECTED && h->libvirt_error
                                        /* TRANSLATORS: why a host's VMs are not known */
                                        ? ccnc_xasprintf(_("libvirt: %s"), h->libvirt_error)
                                        : NULL;
                        if (VY(v) >= 0)
                            ui_grid_put(g, VY(v), 2, UI_DIM,
                                        h->libvirt == CCNC_CONN_CONNECTED
                                            ? _("no VMs run here")
                                        : why ? why
                                        : h->libvirt == CCNC_CONN_CONNECTING
                                            ? _("its libvirt has not answered yet: which VMs "
                                                "run here is not known")
                                            : _("its libvirt does not answer: which VMs run "
                                                "here is not known"));
                        free(why);
                        v++;
                    }
                    continue;
                }
                e = &L.es.e[it->entry];
                if (it->host < 0 && !not_seen_head) {
                    if (VY(v) >= 0) {
                        int x = ui_grid_put(g, VY(v), 1, UI_HEADER, _("Not seen on any host"));
                        ui_grid_fill_attr_span(g, VY(v), 0, x + 1, UI_HEADER);
                    }
                    not_seen_head = true;
                    v++;
                }
                if (sel) {
                    pass_first = v;
                    pass_last = v + entry_rows(e) - 1;
                }
                draw_vm_line(g, VY(v), e, sel);
                v++;
                /* many hosts: a line a VM, the NICs only under the selected one */
                for (size_t k = 0; e->vm && k < e->vm->n_nics && (sel || !L.compact); k++, v++)
                    draw_nic_line(g, VY(v), e, &e->vm->nics[k]);
            }
#undef VY
        }
        total = v;
        /* room left below the list: the selected VM (or host) in detail */
        if (L.sel_entry >= 0) {
            int d = details_rows(&L.es.e[L.sel_entry]);
            if (d > 0 && avail - total >= d + 1)
                draw_details(g, bottom - d + 1, &L.es.e[L.sel_entry]);
        } else if (L.sel_host >= 0 && L.compact) {
            const struct ccnc_host *h = snap->hosts[L.sel_host];
            int d = host_details_rows(h);
            if (avail - total >= d + 1)
                draw_host_details(g, bottom - d + 1, snap, h);
        }
        if (L.es.n == 0 && L.n_items == 0 && avail > 0)
            ui_grid_put(g, y, 2, UI_DIM, _("No VM is configured or seen on any host."));
        if (top > 0) {
            char *t = ccnc_xasprintf(g->ascii ? _("^ %d more") : _("\u2191 %d more"), top);
            ui_grid_put(g, y - 1, g->w - ui_text_width(t) - 2, UI_DIM, t);
            free(t);
        }
        if (total > top + avail)
            ui_draw_more_below(g, bottom, total - top - avail);
    }
    layout_clear(&L);
}

/* --- keys ---------------------------------------------------------------------- */

static void
select_host_line(struct ui_state *st, const struct ccnc_snapshot *snap, int hi)
{
    snprintf(st->selected_host, sizeof(st->selected_host), "%s", snap->hosts[hi]->name);
    st->selected_vm[0] = '\0';
}

static void
select_vm(struct ui_state *st, const struct layout *L, int entry)
{
    const struct ccnc_host *h = L->es.e[entry].host;

    st->selected_host[0] = '\0';
    snprintf(st->selected_vm, sizeof(st->selected_vm), "%s", entry_name(&L->es.e[entry]));
    snprintf(st->selected_vm_host, sizeof(st->selected_vm_host), "%s", h ? h->name : "");
    st->selected[UI_VIEW_OVERVIEW] = entry;
}

static void
select_item(struct ui_state *st, const struct ccnc_snapshot *snap, const struct layout *L,
            int n)
{
    if (L->items[n].entry < 0)
        select_host_line(st, snap, L->items[n].host);
    else
        select_vm(st, L, L->items[n].entry);
}

/* Fold (or open) host hi, -1 every host.  The first fold the operator
 * makes keeps what the overview chose until then for the others. */
static void
set_fold(struct ui_state *st, const struct layout *L, int hi, bool folded)
{
    if (!st->folds_set) {
        for (size_t i = 0; i < L->n_hosts && i < UI_FOLD_MAX; i++)
            st->folded[i] = !L->open[i];
        st->folds_set = true;
    }
    for (size_t i = 0; i < L->n_hosts && i < UI_FOLD_MAX; i++)
        if (hi < 0 || (int)i == hi)
            st->folded[i] = folded;
}

/* The next VM after the selection (before it, back) whose name holds
 * text, around the end of the list; -1 none. */
static int
find_vm(const struct layout *L, const char *text, bool back)
{
    int n = (int)L->es.n, from;

    if (n == 0 || !text[0])
        return -1;
    if (L->sel_entry >= 0) {
        from = L->sel_entry;
    } else {
        /* a host's line: as if just before its first VM */
        from = back ? 0 : n - 1;
        for (int i = 0; i < n; i++)
            if (L->es.e[i].hi >= L->sel_host && L->sel_host >= 0) {
                from = back ? i : i - 1;
                break;
            }
    }
    for (int k = 1; k <= n; k++) {
        int i = ((from + (back ? -k : k)) % n + n) % n;
        if (ui_contains_nocase(entry_name(&L->es.e[i]), text))
            return i;
    }
    return -1;
}

/* The host a prompt names: its number on the screen, else the first whose
 * name or label holds the text; -1 none. */
static int
find_host(const struct ccnc_snapshot *snap, const struct layout *L, const char *text)
{
    char *end;
    long no;

    if (!text[0])
        return -1;
    no = strtol(text, &end, 10);
    if (*end == '\0')
        for (size_t i = 0; i < snap->n_hosts; i++)
            if (L->number[i] == no)
                return (int)i;
    for (size_t i = 0; i < snap->n_hosts; i++)
        if (L->group[i] && (ui_contains_nocase(snap->hosts[i]->name, text) ||
                            ui_contains_nocase(snap->hosts[i]->label, text)))
            return (int)i;
    return -1;
}

static void
set_message(struct ui_state *st, enum ui_attr attr, const char *text)
{
    snprintf(st->message, sizeof(st->message), "%s", text);
    st->message_attr = attr;
}

static void
no_match(struct ui_state *st, const char *text)
{
    /* TRANSLATORS: the overview's search for a VM found nothing */
    char *t = ccnc_xasprintf(_("No VM's name contains '%s'."), text);
    set_message(st, UI_WARN, t);
    free(t);
}

static int
overview_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    struct layout L;
    int r = UI_KEY_HANDLED | UI_KEY_REDRAW, sel, hi = -1;

    layout_make(&L, snap, st);
    sel = L.sel_item;
    if (sel >= 0)
        hi = L.items[sel].host;
    switch (key) {
    case UI_K_ENTER:
    case ' ':
    case UI_K_LEFT:
    case UI_K_RIGHT:
        /* on a host's line: fold it, open it; on a VM: fold its host */
        if (hi < 0) {
            r = UI_KEY_UNHANDLED;
        } else if (L.items[sel].entry >= 0) {
            if (key == UI_K_RIGHT) {
                r = UI_KEY_UNHANDLED;
                break;
            }
            select_host_line(st, snap, hi);
            set_fold(st, &L, hi, true);
        } else {
            set_fold(st, &L, hi, key == UI_K_LEFT || (key != UI_K_RIGHT && L.open[hi]));
        }
        break;
    case '-':
        if (hi >= 0)
            select_host_line(st, snap, hi);
        set_fold(st, &L, -1, true);
        break;
    case '+':
        set_fold(st, &L, -1, false);
        break;
    case '[':
    case ']': {
        /* the previous or next host's line */
        int step = key == '[' ? -1 : 1;
        for (int n = sel + step; n >= 0 && n < (int)L.n_items; n += step) {
            if (L.items[n].entry < 0) {
                select_item(st, snap, &L, n);
                break;
            }
        }
        break;
    }
    case '/':
    case 'h':
        st->finding = key == '/' ? UI_FIND_VM : UI_FIND_HOST;
        st->find[0] = '\0';
        st->find_miss = false;
        snprintf(st->find_from_vm, sizeof(st->find_from_vm), "%s", st->selected_vm);
        snprintf(st->find_from_host, sizeof(st->find_from_host), "%s", st->selected_host);
        st->find_from_row = st->selected[UI_VIEW_OVERVIEW];
        break;
    case 'n':
    case 'N': {
        int e;
        if (!st->find_last[0]) {
            set_message(st, UI_NORMAL, _("Press / to find a VM first."));
            break;
        }
        e = find_vm(&L, st->find_last, key == 'N');
        if (e < 0) {
            no_match(st, st->find_last);
            break;
        }
        select_vm(st, &L, e);
        if (L.es.e[e].hi >= 0 && st->folds_set)
            set_fold(st, &L, L.es.e[e].hi, false);
        break;
    }
    default: {
        int n = sel < 0 ? 0 : sel;
        r = ui_select_move(&n, (int)L.n_items, key);
        if (r != UI_KEY_UNHANDLED && L.n_items > 0)
            select_item(st, snap, &L, n);
        break;
    }
    }
    layout_clear(&L);
    return r;
}

/* The selection as it was when the prompt opened. */
static void
find_restore(struct ui_state *st)
{
    snprintf(st->selected_vm, sizeof(st->selected_vm), "%s", st->find_from_vm);
    snprintf(st->selected_host, sizeof(st->selected_host), "%s", st->find_from_host);
    st->selected[UI_VIEW_OVERVIEW] = st->find_from_row;
}

int
ui_overview_find_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    struct layout L;
    int found;

    if (key == UI_K_ESC) {
        find_restore(st);
        st->finding = UI_FIND_NONE;
        st->find_miss = false;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    }
    if (key == UI_K_ENTER) {
        /* keep what was found; its host stays open */
        layout_make(&L, snap, st);
        if (st->finding == UI_FIND_VM && st->find[0]) {
            snprintf(st->find_last, sizeof(st->find_last), "%s", st->find);
            if (st->find_miss)
                no_match(st, st->find);
        }
        if (!st->find_miss && st->find[0] && st->folds_set) {
            int hi = L.sel_entry >= 0 ? L.es.e[L.sel_entry].hi : L.sel_host;
            if (hi >= 0)
                set_fold(st, &L, hi, false);
        }
        layout_clear(&L);
        st->finding = UI_FIND_NONE;
        st->find_miss = false;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    }
    if (!ui_edit_line(st->find, sizeof(st->find), key))
        return UI_KEY_HANDLED;  /* anything else waits for the prompt's end */
    /* each key jumps afresh from where the prompt opened */
    find_restore(st);
    layout_make(&L, snap, st);
    if (st->finding == UI_FIND_VM) {
        /* the first VM in the list whose name holds the text */
        found = -1;
        for (size_t i = 0; i < L.es.n && found < 0 && st->find[0]; i++)
            if (ui_contains_nocase(entry_name(&L.es.e[i]), st->find))
                found = (int)i;
        if (found >= 0)
            select_vm(st, &L, found);
    } else {
        found = find_host(snap, &L, st->find);
        if (found >= 0)
            select_host_line(st, snap, found);
    }
    st->find_miss = st->find[0] && found < 0;
    layout_clear(&L);
    return UI_KEY_HANDLED | UI_KEY_REDRAW;
}

const char *
ui_overview_selected_vm(struct ui_state *st, const struct ccnc_snapshot *snap)
{
    struct layout L;

    layout_make(&L, snap, st);
    if (L.sel_entry >= 0)
        snprintf(st->selected_vm, sizeof(st->selected_vm), "%s",
                 entry_name(&L.es.e[L.sel_entry]));
    else
        st->selected_vm[0] = '\0';  /* a host's line: no VM */
    layout_clear(&L);
    return st->selected_vm[0] ? st->selected_vm : NULL;
}

const struct ui_view ui_view_overview = {
    .name = N_("Overview"),
    /* TRANSLATORS: the overview's own keys on the key line */
    .keys = N_("Enter:fold  /:find  h:host"),
    .draw = overview_draw,
    .key = overview_key,
};
