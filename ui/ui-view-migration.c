/* The migration view.  The engine runs no actions yet, so this lays out
 * where a running "migrate with passthrough" will show its steps, the
 * connectivity gap meter, the timeline (after the thesis' Figure 16) and the
 * results of earlier runs, and says that nothing is running. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "i18n.h"
#include "ui-views.h"

static const char *const steps[] = {
    N_("switch the bond to the backup NIC"),
    N_("detach the passthrough NIC"),
    N_("migrate the VM live"),
    N_("attach a free VF on the destination"),
    N_("switch the bond back to the new NIC"),
};

static const char *const phases[] = {
    N_("pre-migration"),
    N_("pre-copy rounds"),
    N_("stop-and-copy"),
    N_("activation"),
};

static const char *const gap_rows[] = {
    N_("current gap"),
    N_("longest gap"),
    N_("lost probes"),
    N_("stream"),
};

static const char *const result_cols[] = {
    N_("VM"), N_("from"), N_("to"), N_("total"), N_("downtime"), N_("longest gap"),
    N_("lost probes"),
};

static int
section(struct ui_grid *g, int y, int x, const char *title)
{
    int e = ui_grid_put(g, y, x, UI_HEADER, title);
    ui_grid_fill_attr_span(g, y, x - 1, e - x + 2, UI_HEADER);
    return y + 1;
}

static void
draw_timeline(struct ui_grid *g, int y, int x0, int w)
{
    int n = (int)CCNC_ARRAY_SIZE(phases), seg = w / n;

    for (int i = 0; i < n; i++) {
        int x = x0 + i * seg;
        int sw = i == n - 1 ? w - i * seg : seg;
        ui_grid_put_fit(g, y, x + 2, sw - 3, UI_DIM, _(phases[i]));
        ui_grid_hline(g, y + 1, x, sw);
        if (i > 0) {
            ui_grid_put(g, y, x, UI_DIM, g->ascii ? "|" : "\u2502");
            ui_grid_put(g, y + 1, x, UI_DIM, g->ascii ? "+" : "\u2534");
        }
    }
}

static void
migration_draw(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    int y = UI_BODY_TOP, bottom = UI_BODY_BOTTOM(g);
    int right = g->w >= 120 ? g->w / 2 + 4 : 50;
    const char *dash = g->ascii ? "-" : "\u2014";

    (void)snap;
    (void)st;
    ui_grid_put(g, y++, 1, UI_BOLD, _("No action is running."));
    ui_grid_put_fit(g, y++, 1, g->w - 2, UI_DIM,
                    _("Actions (migrate, assign, detach) are not available in this version;"));
    ui_grid_put_fit(g, y++, 1, g->w - 2, UI_DIM,
                    _("a running one will show its steps, gap and timeline here."));
    y++;
    if (y + 12 > bottom)
        return;

    section(g, y, 2, _("Steps"));
    section(g, y, right, _("Connectivity gap"));
    y++;
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(steps); i++) {
        ui_grid_printf(g, y + (int)i, 2, UI_DIM, "%zu", i + 1);
        ui_grid_put_fit(g, y + (int)i, 4, right - 14, UI_NORMAL, _(steps[i]));
        ui_grid_put(g, y + (int)i, right - 8, UI_DIM, dash);
    }
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(gap_rows); i++) {
        ui_grid_put_fit(g, y + (int)i, right, 18, UI_NORMAL, _(gap_rows[i]));
        ui_grid_put(g, y + (int)i, right + 19, UI_DIM, dash);
    }
    y += (int)CCNC_ARRAY_SIZE(steps) + 1;

    y = section(g, y, 2, _("Timeline"));
    ui_grid_put_fit(g, y - 1, 13, g->w - 14, UI_DIM,
                    _("the phases of a live migration, after the thesis' Figure 16"));
    draw_timeline(g, y, 2, g->w - 4);
    y += 3;
    if (y + 2 > bottom)
        return;

    y = section(g, y, 2, _("Results"));
    {
        static const int xs_narrow[] = { 2, 12, 19, 26, 35, 45, 58 };
        static const int xs_wide[] = { 2, 20, 30, 40, 52, 66, 82 };
        const int *xs = g->w >= 120 ? xs_wide : xs_narrow;
        for (size_t i = 0; i < CCNC_ARRAY_SIZE(result_cols); i++) {
            int w = i + 1 < CCNC_ARRAY_SIZE(result_cols) ? xs[i + 1] - xs[i] - 1 : 14;
            ui_grid_put_fit(g, y, xs[i], w, UI_BOLD, _(result_cols[i]));
        }
    }
    y++;
    ui_grid_put(g, y, 2, UI_DIM, _("No migration has run since the console started."));
}

static int
migration_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    (void)st;
    (void)snap;
    (void)key;
    return UI_KEY_UNHANDLED;
}

const struct ui_view ui_view_migration = {
    .name = N_("Migration"),
    .keys = NULL,
    .draw = migration_draw,
    .key = migration_key,
};
