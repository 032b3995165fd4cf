/* The whole screen as a grid: title bar, the current view, the key line
 * and the help overlay; and the keys every view shares.  No curses here, so
 * the tests draw exactly what the terminal shows. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "i18n.h"
#include "ui-views.h"

static const struct ui_view *const views[] = { &ui_view_overview };

/* --- drawing, shared with the tests --------------------------------------- */

static void
draw_help(struct ui_grid *g)
{
    static const struct { const char *key, *what; } keys[] = {
        { "j/k, \u2191/\u2193", N_("select a VM") },
        { "Tab", N_("next view") },
        { "?", N_("show or hide this help") },
        { "q", N_("quit") },
    };
    int w = 50, h = (int)CCNC_ARRAY_SIZE(keys) + 4;
    int y0 = (g->h - h) / 2, x0 = (g->w - w) / 2;

    if (x0 < 0)
        x0 = 0;
    if (y0 < 1)
        y0 = 1;
    for (int y = 0; y < h; y++) {
        const char *edge = g->ascii ? "|" : "\u2502";
        ui_grid_printf(g, y0 + y, x0, UI_REVERSE, "%*s", w, "");
        if (y == 0 || y == h - 1) {
            ui_grid_hline(g, y0 + y, x0, w);
            ui_grid_fill_attr_span(g, y0 + y, x0, w, UI_REVERSE);
        } else {
            ui_grid_put(g, y0 + y, x0, UI_REVERSE, edge);
            ui_grid_put(g, y0 + y, x0 + w - 1, UI_REVERSE, edge);
        }
    }
    ui_grid_put(g, y0 + 1, x0 + 2, UI_REVERSE, _("Keys"));
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(keys); i++) {
        const char *k = keys[i].key;
        if (g->ascii && i == 0)
            k = "j/k, Up/Down";
        ui_grid_put(g, y0 + 2 + (int)i, x0 + 2, UI_REVERSE, k);
        ui_grid_put(g, y0 + 2 + (int)i, x0 + 18, UI_REVERSE, _(keys[i].what));
    }
}

void
ui_draw_screen(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    const struct ui_view *v = views[st->view];
    char right[128];
    int len;

    ui_grid_clear(g);
    if (g->w < 80 || g->h < 24) {
        ui_grid_put(g, 0, 0, UI_BAD, _("The terminal is too small for ccnc:"));
        ui_grid_printf(g, 1, 0, UI_NORMAL, _("it needs 80x24, it has %dx%d."), g->w, g->h);
        return;
    }
    ui_grid_fill_attr(g, 0, UI_HEADER);
    snprintf(right, sizeof(right), "%s  %s", snap->lab->path, st->clock ? st->clock : "");
    len = ui_text_width(right);
    ui_grid_put(g, 0, g->w - len - 1, UI_HEADER, right);
    {
        char *title = ccnc_xasprintf("ccnc  %s  %s  %s", snap->lab->name,
                                     g->ascii ? "-" : "\u2014", _(v->name));
        ui_grid_put_fit(g, 0, 1, g->w - len - 4, UI_HEADER, title);
        free(title);
    }
    ui_grid_hline(g, 1, 0, g->w);

    v->draw(g, snap, st);

    ui_grid_fill_attr(g, g->h - 1, UI_HEADER);
    ui_grid_put(g, g->h - 1, 1, UI_HEADER, _("?:help  Tab:view  j/k:select  q:quit"));
    if (st->help)
        draw_help(g);
}

int
ui_handle_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    int r;

    if (st->help) {
        st->help = false;
        return UI_KEY_HANDLED | UI_KEY_REDRAW | (key == 'q' ? UI_KEY_QUIT : 0);
    }
    switch (key) {
    case 'q':
        return UI_KEY_QUIT;
    case '?':
        st->help = true;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    case UI_K_TAB:
        st->view = (st->view + 1) % (int)CCNC_ARRAY_SIZE(views);
        st->selected = 0;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    default:
        r = views[st->view]->key(st, snap, key);
        return r;
    }
}

