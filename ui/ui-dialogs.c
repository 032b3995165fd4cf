/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dialogs over the views: the plan waiting for yes, an unknown host
 * key, a key's passphrase, the VF editor, and the help over them all.
 * Drawing only; their keys are ui-keys.c's. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui-dialogs.h"
#include "ui-widgets.h"

/* The width of the plan, host key and passphrase dialogs (the help and
 * the VF editor have their own): 90 columns where they fit with room to
 * spare, else the screen less two a side. */
static int
dialog_width(const struct ui_grid *g)
{
    return g->w >= 96 ? 90 : g->w - 4;
}

/* A framed, reversed box that a dialog writes into. */
static void
draw_box(struct ui_grid *g, int y0, int x0, int h, int w)
{
    const char *edge = g->ascii ? "|" : "\u2502";

    for (int y = 0; y < h; y++) {
        ui_grid_printf(g, y0 + y, x0, UI_REVERSE, "%*s", w, "");
        if (y == 0 || y == h - 1) {
            static const char *const corners[2][2] = {
                { "\u250c", "\u2510" }, { "\u2514", "\u2518" } };
            int b = y != 0;
            ui_grid_hline(g, y0 + y, x0, w);
            ui_grid_put(g, y0 + y, x0, UI_DIM, g->ascii ? "+" : corners[b][0]);
            ui_grid_put(g, y0 + y, x0 + w - 1, UI_DIM, g->ascii ? "+" : corners[b][1]);
            ui_grid_fill_attr_span(g, y0 + y, x0, w, UI_REVERSE);
        } else {
            ui_grid_put(g, y0 + y, x0, UI_REVERSE, edge);
            ui_grid_put(g, y0 + y, x0 + w - 1, UI_REVERSE, edge);
        }
    }
}

static void
draw_help(struct ui_grid *g)
{
    static const struct { const char *key, *what; } keys[] = {
        { "1 2 3 4", N_("Overview, VFs, Migration, Log") },
        { "Tab", N_("next view (Shift-Tab: previous)") },
        { "j/k", N_("select a VM, a VF, an action (also arrows, PgUp/PgDn, g/G)") },
        { "/", N_("Log: filter it; Overview: find a VM (n, N: next, previous)") },
        { "Enter", N_("Overview: fold or unfold a host's VMs (+, -: all; Left, Right)") },
        { "h [ ]", N_("Overview: go to a host by number or name; previous, next host") },
        { "m", N_("migrate the selected VM, with its passthrough NIC (asks first)") },
        { "d", N_("detach the passthrough NIC, bond on the backup (asks first)") },
        { "a", N_("attach the passthrough NIC again, bond back on it (asks first)") },
        { "x", N_("abort the running action (in Migration: the one selected)") },
        { "v", N_("edit the selected VF: MAC, VLAN, rate, trust, spoofchk") },
        { "b", N_("bandwidth test of the VM: iperf3 from the storage host") },
        { "p", N_("presenter layout: the gap and the stream large, the timeline") },
        { "D", N_("demo: the VM there and back, filling the thesis' Table 1") },
    };
    int h = (int)CCNC_ARRAY_SIZE(keys) + 6;
    int w = g->w >= 84 ? 72 : g->w - 4;
    int y0 = (g->h - h) / 2, x0 = (g->w - w) / 2, y;

    if (y0 < 1)
        y0 = 1;
    draw_box(g, y0, x0, h, w);
    y = y0 + 1;
    ui_grid_put_fit(g, y++, x0 + 2, w - 4, UI_REVERSE, _("Keys"));
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(keys); i++, y++) {
        ui_grid_put(g, y, x0 + 2, UI_REVERSE, keys[i].key);
        ui_grid_put_fit(g, y, x0 + 12, w - 14, UI_REVERSE, _(keys[i].what));
    }
    y++;
    ui_grid_put(g, y, x0 + 2, UI_REVERSE, "?");
    ui_grid_put_fit(g, y, x0 + 12, w - 14, UI_REVERSE, _("show or hide this help"));
    y++;
    ui_grid_put(g, y, x0 + 2, UI_REVERSE, "q");
    ui_grid_put_fit(g, y, x0 + 12, w - 14, UI_REVERSE, _("quit"));
}

/* How much of a plan line stays in place while the rest is wrapped under
 * it: its indent and a note's dash ("    - why", "    Forecast: ...");
 * 0 for a line that is not wrapped (the title, a step: one line each). */
static size_t
wrap_prefix(const char *line)
{
    size_t n = strspn(line, " ");

    if (n == 0 || (line[n] >= '0' && line[n] <= '9'))
        return 0;
    if (line[n] == '-' && line[n + 1] == ' ')
        n += 2;
    return n;
}

/* The plan of an action, waiting for the operator's yes. */
static void
draw_plan(struct ui_grid *g, const char *plan, bool held)
{
    /* the plan's notes ("    - why") and its forecast are wrapped under
     * their indent; each step is one line */
    int rows = 0, w = dialog_width(g), h, y0, x0, y;
    const char *p;

    for (p = plan; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = ccnc_xstrndup(p, len);
        size_t pre = wrap_prefix(line);

        rows += pre ? ui_put_wrapped(NULL, 0, 0, w - 4 - (int)pre, g->h, UI_REVERSE, line + pre)
                    : 1;
        free(line);
        p = nl ? nl + 1 : p + len;
    }
    h = rows + 5;
    if (h > g->h - 2)
        h = g->h - 2;
    y0 = (g->h - h) / 2;
    x0 = (g->w - w) / 2;
    if (y0 < 1)
        y0 = 1;
    draw_box(g, y0, x0, h, w);
    y = y0 + 1;
    for (p = plan; *p && y < y0 + h - 3;) {
        const char *nl = strchr(p, '\n');
        char *line = ccnc_xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
        size_t pre = wrap_prefix(line);

        if (pre) {
            char *head = ccnc_xstrndup(line, pre);

            ui_grid_put_fit(g, y, x0 + 2, (int)pre, UI_REVERSE, head);
            free(head);
            y = ui_put_wrapped(g, y, x0 + 2 + (int)pre, w - 4 - (int)pre, y0 + h - 3 - y,
                               UI_REVERSE, line + pre);
        } else {
            ui_grid_put_fit(g, y, x0 + 2, w - 4, y == y0 + 1 ? UI_BOLD : UI_REVERSE, line);
            y++;
        }
        free(line);
        p = nl ? nl + 1 : p + strlen(p);
    }
    for (int r = y0 + 1; r < y0 + h - 1; r++)
        ui_grid_fill_attr_span(g, r, x0 + 1, 1, UI_REVERSE);
    ui_grid_fill_attr_span(g, y0 + 1, x0 + 1, w - 2, UI_REVERSE);
    ui_grid_put_fit(g, y0 + h - 2, x0 + 2, w - 4, UI_REVERSE,
                    held ? _("n or Esc: cancel the wait")
                         : _("y: run it   Tab: another destination   n or Esc: cancel"));
}

/* The question the SSH side waits for: trust an unknown host key? */
static void
draw_hostkey(struct ui_grid *g, const struct ccnc_snapshot *snap, const char *name)
{
    int at = ccnc_snapshot_find_host(snap, name);
    const struct ccnc_host *h = at >= 0 ? snap->hosts[at] : NULL;
    int w = dialog_width(g), h_box = 10, y0 = (g->h - 10) / 2, x0 = (g->w - w) / 2;
    char *line;

    if (!h)
        return;
    draw_box(g, y0, x0, h_box, w);
    line = ccnc_xasprintf(_("The host key of %s (%s, %s) is not known."), h->label, h->name,
                          h->address ? h->address : "?");
    ui_grid_put_fit(g, y0 + 1, x0 + 2, w - 4, UI_BOLD, line);
    ui_grid_fill_attr_span(g, y0 + 1, x0 + 1, w - 2, UI_REVERSE);
    free(line);
    ui_grid_put_fit(g, y0 + 3, x0 + 2, w - 4, UI_REVERSE, _("It offers:"));
    ui_grid_put_fit(g, y0 + 4, x0 + 4, w - 6, UI_REVERSE,
                    h->hostkey_sha256 ? h->hostkey_sha256 : "?");
    ui_grid_put_fit(g, y0 + 5, x0 + 2, w - 4, UI_REVERSE,
                    _("Trust it only if it matches the key on the host:"));
    ui_grid_put_fit(g, y0 + 6, x0 + 4, w - 6, UI_REVERSE,
                    "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");
    ui_grid_put_fit(g, y0 + 8, x0 + 2, w - 4, UI_REVERSE,
                    _("y: trust it and add it to known_hosts   n: do not connect"));
}

/* The identity's passphrase, typed unseen. */
static void
draw_passphrase(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    int at = ccnc_snapshot_find_host(snap, st->pass_host);
    const struct ccnc_host *h = at >= 0 ? snap->hosts[at] : NULL;
    int w = dialog_width(g), y0 = (g->h - 8) / 2, x0 = (g->w - w) / 2;
    size_t n = strlen(st->secret);
    char *line;

    if (!h)
        return;
    draw_box(g, y0, x0, 8, w);
    line = ccnc_xasprintf(_("%s (%s) needs the passphrase of its SSH key."), h->label, h->name);
    ui_grid_put_fit(g, y0 + 1, x0 + 2, w - 4, UI_BOLD, line);
    ui_grid_fill_attr_span(g, y0 + 1, x0 + 1, w - 2, UI_REVERSE);
    free(line);
    ui_grid_put_fit(g, y0 + 2, x0 + 2, w - 4, UI_REVERSE, h->error ? h->error : "");
    line = ccnc_xasprintf("%s %.*s", _("Passphrase:"), (int)(n < 40 ? n : 40),
                          "****************************************");
    ui_grid_put_fit(g, y0 + 4, x0 + 2, w - 4, UI_REVERSE, line);
    free(line);
    ui_grid_put_fit(g, y0 + 6, x0 + 2, w - 4, UI_REVERSE,
                    _("Enter: use it (it is not kept)   Esc: not now"));
}

/* The VF editor: the VF's settings as KEY=VALUE words, edited in place. */
static void
draw_vf_editor(struct ui_grid *g, const struct ui_state *st)
{
    int w = g->w >= 104 ? 100 : g->w - 4, y0 = (g->h - 10) / 2, x0 = (g->w - w) / 2;
    int room = w - 6, len = (int)strlen(st->vf_edit);
    char *line;

    draw_box(g, y0, x0, 10, w);
    line = ccnc_xasprintf(_("Edit VF %d of %s on %s"), st->vf_index, st->vf_pf, st->vf_host);
    ui_grid_put_fit(g, y0 + 1, x0 + 2, w - 4, UI_BOLD, line);
    ui_grid_fill_attr_span(g, y0 + 1, x0 + 1, w - 2, UI_REVERSE);
    free(line);
    ui_grid_put_fit(g, y0 + 2, x0 + 2, w - 4, UI_REVERSE,
                    _("Only what you change is sent; the agent sets it through netlink."));
    /* the end of the line stays in sight, with the cursor after it */
    line = ccnc_xasprintf("> %s_", st->vf_edit + (len > room - 3 ? len - (room - 3) : 0));
    ui_grid_put_fit(g, y0 + 4, x0 + 2, w - 4, UI_BOLD, line);
    free(line);
    ui_grid_put_fit(g, y0 + 6, x0 + 2, w - 4, UI_REVERSE,
                    _("mac=  vlan=0-4095  qos=0-7  rate=Mb/s (0: none)  min_tx_rate=Mb/s"));
    ui_grid_put_fit(g, y0 + 7, x0 + 2, w - 4, UI_REVERSE,
                    _("spoofchk=on|off  trust=on|off  state=auto|enable|disable"));
    ui_grid_put_fit(g, y0 + 8, x0 + 2, w - 4, UI_REVERSE,
                    _("Enter: apply   Backspace: erase   Ctrl-U: clear   Esc: cancel"));
}

/* A run that stopped half-way, and what the VM is now: finish, undo, leave. */
static void
draw_unfinished(struct ui_grid *g, const char *text)
{
    int w = dialog_width(g), rows = ui_put_wrapped(NULL, 0, 0, w - 4, g->h, UI_REVERSE, text);
    int h = rows + 5, y0, x0 = (g->w - w) / 2;

    if (h > g->h - 2)
        h = g->h - 2;
    y0 = (g->h - h) / 2 < 1 ? 1 : (g->h - h) / 2;
    draw_box(g, y0, x0, h, w);
    for (int r = y0 + 1; r < y0 + h - 1; r++)
        ui_grid_fill_attr_span(g, r, x0 + 1, w - 2, UI_REVERSE);
    ui_grid_put_fit(g, y0 + 1, x0 + 2, w - 4, UI_BOLD, _("An action stopped half-way"));
    ui_put_wrapped(g, y0 + 2, x0 + 2, w - 4, h - 5, UI_REVERSE, text);
    ui_grid_put_fit(g, y0 + h - 2, x0 + 2, w - 4, UI_REVERSE,
                    _("f: finish it   u: undo it   l or Esc: leave it as it is"));
}

void
ui_dialogs_draw(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    if (st->plan)
        draw_plan(g, st->plan, st->plan_held);
    else if (st->question_host)
        draw_hostkey(g, snap, st->question_host);
    else if (st->pass_host)
        draw_passphrase(g, snap, st);
    else if (st->unfinished)
        draw_unfinished(g, st->unfinished);
    else if (st->vf_editing)
        draw_vf_editor(g, st);
    if (st->help)
        draw_help(g);
}
