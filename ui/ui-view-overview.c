/* The overview: one line per host with its connection, then the VMs the lab
 * knows, where they run and how their bond stands. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ui-views.h"

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
draw_hosts(struct ui_grid *g, const struct ccnc_snapshot *snap, int *y)
{
    bool wide = g->w >= 100;

    ui_grid_put(g, *y, 1, UI_BOLD, _("Hosts"));
    (*y)++;
    for (size_t i = 0; i < snap->n_hosts && *y < g->h - 2; i++, (*y)++) {
        const struct ccnc_host *h = snap->hosts[i];
        char name[64];
        int x;

        snprintf(name, sizeof(name), "%s (%s)", h->label, h->name);
        ui_grid_put_fit(g, *y, 1, 18, UI_BOLD, name);
        x = ui_grid_put_fit(g, *y, 20, 15, UI_NORMAL, h->address ? h->address : "");
        x = 36;
        if (wide) {
            ui_grid_put(g, *y, x, UI_NORMAL,
                        h->role == CCNC_HOST_ROLE_STORAGE ? _("storage") : _("hypervisor"));
            x += 11;
        }
        x = ui_grid_put(g, *y, x, conn_attr(h), conn_text(h->connection));
        if (h->stale)
            x = ui_grid_put(g, *y, x + 1, UI_WARN, _("[stale]"));
        if (h->error)
            ui_grid_put_fit(g, *y, x + 1, g->w - x - 2, UI_DIM, h->error);
    }
}

static void
draw_vms(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st,
         int *y)
{
    const struct ccnc_lab *lab = snap->lab;

    (*y)++;
    ui_grid_put(g, *y, 1, UI_BOLD, _("VM"));
    ui_grid_put(g, *y, 12, UI_BOLD, _("host"));
    ui_grid_put(g, *y, 19, UI_BOLD, _("state"));
    ui_grid_put(g, *y, 29, UI_BOLD, _("bond"));
    ui_grid_put(g, *y, 37, UI_BOLD, _("active"));
    ui_grid_put(g, *y, 47, UI_BOLD, _("passthrough / backup"));
    (*y)++;
    if (lab->n_vms == 0 && *y < g->h - 1)
        ui_grid_put(g, (*y)++, 2, UI_DIM, _("The lab config names no VM."));
    for (size_t i = 0; i < lab->n_vms && *y < g->h - 1; i++, (*y)++) {
        const struct ccnc_lab_vm *cv = &lab->vms[i];
        const struct ccnc_host *host = NULL;
        const struct ccnc_vm *vm = ccnc_snapshot_find_vm(snap, cv->name, &host);
        const char *active = "?";
        enum ui_attr bond_attr = UI_DIM;
        char pt[64];
        int x;

        if (vm && vm->bond && !vm->bond_stale) {
            active = vm->bond->active_slave ? vm->bond->active_slave : _("none");
            bond_attr = vm->bond->active_slave ? UI_GOOD : UI_BAD;
        }
        if (cv->passthrough_kind == CCNC_PASSTHROUGH_NONE)
            snprintf(pt, sizeof(pt), "%s", _("none"));
        else
            snprintf(pt, sizeof(pt), "%s:%s", ccnc_passthrough_kind_to_string(cv->passthrough_kind),
                     cv->passthrough);
        ui_grid_put_fit(g, *y, 1, 10, UI_NORMAL, cv->name);
        ui_grid_put_fit(g, *y, 12, 6, UI_NORMAL, host ? host->name : "-");
        ui_grid_put_fit(g, *y, 19, 9, vm ? UI_NORMAL : UI_DIM,
                        vm ? ccnc_vm_state_to_string(vm->state) : _("not seen"));
        ui_grid_put_fit(g, *y, 29, 7, UI_NORMAL, cv->bond);
        ui_grid_put_fit(g, *y, 37, 9, bond_attr, active);
        x = ui_grid_put_fit(g, *y, 47, g->w - 48, UI_NORMAL, pt);
        snprintf(pt, sizeof(pt), " / %s", cv->backup ? cv->backup : "-");
        ui_grid_put_fit(g, *y, x, g->w - x - 1, UI_NORMAL, pt);
        if ((int)i == st->selected)
            ui_grid_fill_attr(g, *y, UI_REVERSE);
    }
}

static void
overview_draw(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    int y = 2;

    draw_hosts(g, snap, &y);
    draw_vms(g, snap, st, &y);
}

static int
overview_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    int n = (int)snap->lab->n_vms;

    switch (key) {
    case 'j':
    case UI_K_DOWN:
        if (st->selected + 1 < n)
            st->selected++;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    case 'k':
    case UI_K_UP:
        if (st->selected > 0)
            st->selected--;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    default:
        return UI_KEY_UNHANDLED;
    }
}

const struct ui_view ui_view_overview = {
    .name = N_("Overview"),
    .draw = overview_draw,
    .key = overview_key,
};
