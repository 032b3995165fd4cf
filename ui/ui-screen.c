/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The whole screen as a grid: the title bar with the views as tabs, the
 * current view, the key line, and the dialog over them.  No curses here,
 * so the tests draw exactly what the terminal shows. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui-dialogs.h"
#include "ui-screen.h"

/* The views as tabs in the title bar, the current one reversed; returns
 * the column after them. */
static int
draw_tabs(struct ui_grid *g, const struct ui_state *st, int x, int limit)
{
    for (int i = 0; i < UI_VIEW_LAST && x < limit; i++) {
        char *t = ccnc_xasprintf("%d %s", i + 1, _(ui_views_get(i)->name));
        int w = ui_text_width(t) + 2;
        if (x + w > limit)
            w = limit - x;
        if (i == st->view) {
            ui_grid_put_fit(g, 0, x + 1, w - 2, UI_REVERSE, t);
            ui_grid_fill_attr_span(g, 0, x, w, UI_REVERSE);
        } else {
            ui_grid_put_fit(g, 0, x + 1, w - 2, UI_HEADER, t);
        }
        x += w;
        free(t);
    }
    return x;
}

static void
draw_key_line(struct ui_grid *g, const struct ui_state *st)
{
    int y = g->h - 1;

    ui_grid_fill_attr(g, y, UI_HEADER);
    if (st->editing) {
        int x = ui_grid_put(g, y, 1, UI_HEADER, _("Filter the log:"));
        x = ui_grid_put_fit(g, y, x + 1, g->w - x - 30, UI_REVERSE, st->edit);
        ui_grid_put(g, y, x, UI_REVERSE, " ");
        ui_grid_put_fit(g, y, x + 2, g->w - x - 3, UI_HEADER,
                        _("Enter: apply  Esc: cancel"));
        return;
    }
    if (st->finding) {
        /* the overview's search or host prompt, found as typed */
        int x = ui_grid_put(g, y, 1, UI_HEADER,
                            st->finding == UI_FIND_VM ? _("Find VM:")
                                                      : _("Go to host (number or name):"));
        x = ui_grid_put_fit(g, y, x + 1, g->w - x - 36, UI_REVERSE, st->find);
        ui_grid_put(g, y, x, UI_REVERSE, " ");
        if (st->find_miss)
            x = ui_grid_put(g, y, x + 2, UI_WARN, _("no match")) - 1;
        ui_grid_put_fit(g, y, x + 2, g->w - x - 3, UI_HEADER, _("Enter: keep  Esc: cancel"));
        return;
    }
    if (st->message[0]) {
        ui_grid_put_fit(g, y, 1, g->w - 2, st->message_attr, st->message);
        ui_grid_fill_attr_span(g, y, 0, g->w, st->message_attr);
        return;
    }
    {
        const char *own = ui_views_get(st->view)->keys;
        char *line = ccnc_xasprintf("%s%s%s", _("?:help  Tab/1-4:view  j/k:select"),
                                    own ? "  " : "", own ? _(own) : "");
        ui_grid_put_fit(g, y, 1, g->w - 10, UI_HEADER, line);
        ui_grid_put(g, y, g->w - 1 - ui_text_width(_("q:quit")), UI_HEADER, _("q:quit"));
        free(line);
    }
}

void
ui_draw_screen(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    const struct ui_view *v = ui_views_get(st->view);
    char right[160];
    int len, x;

    ui_grid_clear(g);
    if (g->w < 80 || g->h < 24) {
        ui_grid_put(g, 0, 0, UI_BAD, _("The terminal is too small for ccnc:"));
        ui_grid_printf(g, 1, 0, UI_NORMAL, _("it needs 80x24, it has %dx%d."), g->w, g->h);
        ui_grid_put(g, 2, 0, UI_NORMAL, _("Enlarge the window, or press q to quit."));
        return;
    }
    ui_grid_fill_attr(g, 0, UI_HEADER);
    snprintf(right, sizeof(right), "%s", st->clock ? st->clock : "");
    len = ui_text_width(right);
    ui_grid_put(g, 0, g->w - len - 1, UI_HEADER, right);
    x = ui_grid_put(g, 0, 1, UI_HEADER, "ccnc");
    x = draw_tabs(g, st, x + 1, g->w - len - 2);
    /* the lab's name after the tabs, as far as it fits */
    if (x < g->w - len - 6)
        ui_grid_put_fit(g, 0, x + 1, g->w - len - x - 3, UI_HEADER, snap->lab->name);
    ui_grid_hline(g, 1, 0, g->w);

    if (st->present)
        ui_present_draw(g, snap, st);   /* over every view: the demo's screen */
    else
        v->draw(g, snap, st);

    draw_key_line(g, st);
    ui_dialogs_draw(g, snap, st);
}
