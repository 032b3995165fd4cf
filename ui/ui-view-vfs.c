/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VFs view: per host and SR-IOV physical port, every VF with its PCI
 * address, MAC, VLAN, rate limits, trust, spoofchk, link state and the VM
 * holding it, and the port's used/free totals. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/pool.h>
#include <ccnc/util.h>
#include <ccnc/vf.h>

#include "core/i18n.h"
#include "ui-views.h"

/* The PF's PCI function for a link: the NIC whose netdev it is. */
static bool
link_has_vfs(const struct ccnc_host *h, const char *netdev)
{
    const struct ccnc_link *l = netdev ? ccnc_host_find_link(h, netdev) : NULL;
    return l && l->n_vfs > 0;
}

static int
count_vfs(const struct ccnc_snapshot *snap)
{
    int n = 0;

    for (size_t i = 0; i < snap->n_hosts; i++)
        for (size_t j = 0; j < snap->hosts[i]->n_links; j++)
            n += (int)snap->hosts[i]->links[j].n_vfs;
    return n;
}

static const char *
flag_text(int v)
{
    return v == CCNC_UNKNOWN ? "?" : v ? _("on") : _("off");
}

static void
rate_text(char *buf, size_t len, int mbps)
{
    if (mbps == CCNC_UNKNOWN)
        snprintf(buf, len, "?");
    else if (mbps == 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%d", mbps);
}

static void
put_right(struct ui_grid *g, int y, int x, int w, enum ui_attr a, const char *t)
{
    int tw = ui_text_width(t);
    ui_grid_put_fit(g, y, tw < w ? x + w - tw : x, w, a, t);
}

struct cols {
    int idx, pci, mac, vlan, max, min, trust, spoof, link, vm, vm_w;
};

static struct cols
columns(const struct ui_grid *g)
{
    struct cols c = { 1, 5, 18, 36, 41, 47, 52, 58, 64, 72, 0 };

    if (ui_wide(g)) {
        c = (struct cols){ 1, 6, 20, 39, 45, 52, 59, 66, 73, 83, 0 };
    }
    c.vm_w = g->w - c.vm - 1;
    return c;
}

static void
draw_col_heads(struct ui_grid *g, int y, const struct cols *c)
{
    put_right(g, y, c->idx, 3, UI_BOLD, _("VF"));
    ui_grid_put(g, y, c->pci, UI_BOLD, _("PCI"));
    ui_grid_put(g, y, c->mac, UI_BOLD, _("MAC"));
    put_right(g, y, c->vlan, 4, UI_BOLD, _("VLAN"));
    put_right(g, y, c->max, 5, UI_BOLD, _("max"));
    put_right(g, y, c->min, 4, UI_BOLD, _("min"));
    ui_grid_put_fit(g, y, c->trust, 5, UI_BOLD, _("trust"));
    ui_grid_put_fit(g, y, c->spoof, 5, UI_BOLD, _("spoof"));
    ui_grid_put_fit(g, y, c->link, 7, UI_BOLD, _("link"));
    ui_grid_put_fit(g, y, c->vm, c->vm_w, UI_BOLD, _("VM"));
}

static void
draw_vf(struct ui_grid *g, int y, const struct cols *c, const struct ccnc_nic *pf,
        const struct ccnc_vf *vf, bool stale, bool selected, bool drift)
{
    char buf[64];
    enum ui_attr a = stale ? UI_DIM : UI_NORMAL;

    if (selected)
        ui_grid_put(g, y, 0, UI_REVERSE, g->ascii ? ">" : "\u25b6");
    /* MAC or VLAN no longer what ccnc set */
    if (drift)
        ui_grid_put(g, y, 1, UI_BAD, "!");
    snprintf(buf, sizeof(buf), "%d", vf->index);
    put_right(g, y, c->idx, 3, a, buf);
    if (selected)
        ui_grid_fill_attr_span(g, y, 0, c->idx + 3, UI_REVERSE);
    if (vf->pci)
        ui_grid_put_fit(g, y, c->pci, 12, a, vf->pci);
    else if (ccnc_vf_pci_address(pf, vf, buf, sizeof(buf)))
        ui_grid_put_fit(g, y, c->pci, 12, UI_DIM, buf);
    else
        ui_grid_put(g, y, c->pci, UI_DIM, "?");
    ui_grid_put_fit(g, y, c->mac, 17,
                    vf->mac && strcmp(vf->mac, "00:00:00:00:00:00") ? a : UI_DIM,
                    vf->mac ? vf->mac : "?");
    if (vf->vlan > 0)
        snprintf(buf, sizeof(buf), "%d", vf->vlan);
    else
        snprintf(buf, sizeof(buf), "%s", vf->vlan == 0 ? "-" : "?");
    put_right(g, y, c->vlan, 4, a, buf);
    rate_text(buf, sizeof(buf), vf->max_tx_rate);
    put_right(g, y, c->max, 5, a, buf);
    rate_text(buf, sizeof(buf), vf->min_tx_rate);
    put_right(g, y, c->min, 4, a, buf);
    /* trust on and spoof checking off loosen the VF's isolation: mark them */
    ui_grid_put(g, y, c->trust, vf->trust == 1 ? UI_WARN : a, flag_text(vf->trust));
    ui_grid_put(g, y, c->spoof, vf->spoofchk == 0 ? UI_WARN : a, flag_text(vf->spoofchk));
    ui_grid_put_fit(g, y, c->link, 7,
                    ccnc_streq(vf->link_state, "disable") ? UI_BAD : a,
                    vf->link_state ? vf->link_state : "?");
    if (vf->vm && vf->reserved) {
        /* TRANSLATORS: a VF kept for a VM, which does not have it yet */
        char *t = ccnc_xasprintf(_("%s (reserved)"), vf->vm);
        ui_grid_put_fit(g, y, c->vm, c->vm_w, stale ? UI_DIM : UI_NORMAL, t);
        free(t);
    } else if (vf->vm)
        ui_grid_put_fit(g, y, c->vm, c->vm_w, stale ? UI_DIM : UI_BOLD, vf->vm);
    else
        ui_grid_put_fit(g, y, c->vm, c->vm_w, UI_DIM, _("free"));
}

static void
port_heading(struct ui_grid *g, int y, const struct ccnc_host *h, const struct ccnc_link *l,
             const struct ccnc_nic *pf)
{
    int used = 0, x;
    char *t;

    for (size_t i = 0; i < l->n_vfs; i++)
        used += l->vfs[i].vm != NULL;
    if (h->label && !ccnc_streq(h->label, h->name))
        t = ccnc_xasprintf("%s (%s)  %s", h->label, ui_str(h->name), ui_str(l->name));
    else
        t = ccnc_xasprintf("%s  %s", ui_str(h->name), ui_str(l->name));
    x = ui_grid_put_fit(g, y, 1, 34, UI_HEADER, t);
    ui_grid_fill_attr_span(g, y, 0, x + 1, UI_HEADER);
    free(t);
    if (pf && pf->has_sriov && pf->sriov.total_vfs > 0)
        /* TRANSLATORS: VF totals of an SR-IOV port: used, free, enabled */
        t = ccnc_xasprintf(_("%d used, %d free of %zu (max %d)"), used, (int)l->n_vfs - used,
                           l->n_vfs, pf->sriov.total_vfs);
    else
        t = ccnc_xasprintf(_("%d used, %d free of %zu"), used, (int)l->n_vfs - used, l->n_vfs);
    {
        int tw = ui_text_width(t);
        ui_grid_put(g, y, g->w - tw - 1, used == (int)l->n_vfs ? UI_WARN : UI_BOLD, t);
        free(t);
        t = ccnc_xasprintf("%s %s%s", pf && pf->pci ? pf->pci : "",
                           pf && pf->device ? pf->device : "",
                           h->stale ? _(" (stale)") : "");
        ui_grid_put_fit(g, y, x + 2, g->w - tw - x - 5, h->stale ? UI_WARN : UI_DIM, t);
        free(t);
    }
}

static void
vfs_draw(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    struct cols c = columns(g);
    int y = UI_BODY_TOP, bottom = UI_BODY_BOTTOM(g);
    int sel = st->selected[UI_VIEW_VFS], n = count_vfs(snap);
    char *drift_note = NULL;   /* the selected VF's, when it drifted */
    int avail, top = 0, total = 0;

    if (sel >= n)
        sel = n - 1;
    ui_grid_put_fit(g, y, 1, g->w - 2, UI_DIM,
                    _("Rates in Mb/s (- none); trust on and spoof off marked; ! MAC/VLAN not "
                      "as set"));
    y++;
    avail = bottom - y + 1;
    for (int pass = 0; pass < 2; pass++) {
        int v = 0, k = 0, sel_first = 0, sel_last = 0;
#define VY(row) (pass == 1 && (row) >= top && (row) < top + avail ? y + (row) - top : -1)
        for (size_t i = 0; i < snap->n_hosts; i++) {
            const struct ccnc_host *h = snap->hosts[i];
            int ports = 0;

            for (size_t j = 0; j < h->n_links; j++) {
                const struct ccnc_link *l = &h->links[j];
                const struct ccnc_nic *pf;
                if (l->n_vfs == 0)
                    continue;
                pf = ccnc_host_find_port(h, l->name);
                ports++;
                if (VY(v) >= 0)
                    port_heading(g, VY(v), h, l, pf);
                v++;
                if (VY(v) >= 0)
                    draw_col_heads(g, VY(v), &c);
                v++;
                for (size_t f = 0; f < l->n_vfs; f++, v++, k++) {
                    if (k == sel) {
                        /* keep the port's heading in sight with its first VF */
                        sel_first = f == 0 ? v - 2 : v;
                        sel_last = v;
                    }
                    if (VY(v) >= 0) {
                        char *note = ccnc_vf_intent_drift(st->vf_intent, h->name, l->name,
                                                          &l->vfs[f]);
                        draw_vf(g, VY(v), &c, pf, &l->vfs[f], h->stale, k == sel, note != NULL);
                        if (note && k == sel) {
                            drift_note = ccnc_xasprintf(_("VF %d of %s on %s drifted: %s"),
                                                        l->vfs[f].index, l->name, h->name, note);
                            free(note);
                        } else {
                            free(note);
                        }
                    }
                }
            }
            /* SR-IOV capable ports without VFs, so that "none" is visible */
            for (size_t j = 0; j < h->n_nics; j++) {
                const struct ccnc_nic *nic = &h->nics[j];
                if (!nic->has_sriov || nic->is_vf || link_has_vfs(h, nic->netdev))
                    continue;
                ports++;
                if (VY(v) >= 0) {
                    char *t = ccnc_xasprintf(_("%s %s %s: no VFs enabled (max %d)"),
                                             ui_str(h->name),
                                             nic->netdev ? nic->netdev : "-", ui_str(nic->pci),
                                             nic->sriov.total_vfs);
                    ui_grid_put_fit(g, VY(v), 1, g->w - 2, UI_DIM, t);
                    free(t);
                }
                v++;
            }
            if (ports == 0 && h->role == CCNC_HOST_ROLE_HYPERVISOR) {
                if (VY(v) >= 0) {
                    char *t = ccnc_xasprintf(h->stale && h->n_links == 0
                                                 ? _("%s: nothing known yet")
                                                 : _("%s: no SR-IOV port"),
                                             ui_str(h->name));
                    ui_grid_put_fit(g, VY(v), 1, g->w - 2, UI_DIM, t);
                    free(t);
                }
                v++;
            }
        }
#undef VY
        if (pass == 0) {
            top = ui_scroll_top(sel_first, sel_last, avail);
            if (v > top + avail && avail > 1) {
                avail--;    /* the last row says how many more there are */
                top = ui_scroll_top(sel_first, sel_last, avail);
            }
        }
        total = v;
    }
    if (total > top + avail)
        ui_draw_more_below(g, bottom, total - top - avail);
    if (drift_note) {
        /* the selected VF drifted: say what ccnc set, in place of the legend */
        ui_grid_printf(g, UI_BODY_TOP, 1, UI_NORMAL, "%*s", g->w - 2, "");
        ui_grid_put_fit(g, UI_BODY_TOP, 1, g->w - 16, UI_BAD, drift_note);
        free(drift_note);
    }
    if (top > 0) {
        char *t = ccnc_xasprintf(g->ascii ? _("^ %d more") : _("\u2191 %d more"), top);
        int x = g->w - ui_text_width(t) - 2;
        ui_grid_printf(g, UI_BODY_TOP, x - 1, UI_DIM, " %s ", t);
        free(t);
    }
}

bool
ui_vfs_selected(const struct ui_state *st, const struct ccnc_snapshot *snap,
                const struct ccnc_host **host, const struct ccnc_link **port,
                const struct ccnc_vf **vf)
{
    int k = 0, sel = st->selected[UI_VIEW_VFS];

    /* the order the view draws them in */
    for (size_t i = 0; i < snap->n_hosts; i++)
        for (size_t j = 0; j < snap->hosts[i]->n_links; j++)
            for (size_t f = 0; f < snap->hosts[i]->links[j].n_vfs; f++, k++)
                if (k == sel) {
                    *host = snap->hosts[i];
                    *port = &snap->hosts[i]->links[j];
                    *vf = &snap->hosts[i]->links[j].vfs[f];
                    return true;
                }
    return false;
}

static int
vfs_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    const struct ccnc_host *h;
    const struct ccnc_link *l;
    const struct ccnc_vf *vf;

    if (key == 'v') {
        char *text;
        if (!ui_vfs_selected(st, snap, &h, &l, &vf)) {
            snprintf(st->message, sizeof(st->message), "%s", _("No VF to edit here."));
            st->message_attr = UI_WARN;
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        if (h->stale || h->connection != CCNC_CONN_CONNECTED) {
            snprintf(st->message, sizeof(st->message), _("%s is not connected: its VFs cannot "
                                                         "be changed now."), h->name);
            st->message_attr = UI_WARN;
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        text = ccnc_vf_describe(vf);
        snprintf(st->vf_edit, sizeof(st->vf_edit), "%s", text);
        free(text);
        snprintf(st->vf_host, sizeof(st->vf_host), "%s", h->name);
        snprintf(st->vf_pf, sizeof(st->vf_pf), "%s", l->name);
        st->vf_index = vf->index;
        st->vf_editing = true;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    }
    return ui_select_move(&st->selected[UI_VIEW_VFS], count_vfs(snap), key);
}

const struct ui_view ui_view_vfs = {
    .name = N_("VFs"),
    .keys = N_("v:edit VF"),
    .draw = vfs_draw,
    .key = vfs_key,
};
