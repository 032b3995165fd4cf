/* The console's views: each draws a snapshot into a grid and handles its
 * keys, returning what changed (never drawing from a key handler). */
#ifndef CCNC_UI_VIEWS_H
#define CCNC_UI_VIEWS_H

#include <ccnc/model.h>

#include "ui-grid.h"

/* What a key handler asks of the loop. */
enum {
    UI_KEY_UNHANDLED = 0,
    UI_KEY_HANDLED = 1 << 0,
    UI_KEY_REDRAW = 1 << 1,
    UI_KEY_QUIT = 1 << 2,
};

/* Keys beyond plain characters, as ui.c hands them to views. */
enum {
    UI_K_UP = 0x1000,
    UI_K_DOWN,
    UI_K_LEFT,
    UI_K_RIGHT,
    UI_K_TAB,
    UI_K_ESC,
    UI_K_ENTER,
};

struct ui_state {
    int view;               /* index into ui_views */
    int selected;           /* selected row of the current view */
    bool help;              /* help overlay shown */
    const char *clock;      /* "HH:MM:SS", may be NULL (tests) */
};

struct ui_view {
    const char *name;       /* untranslated, N_() */
    void (*draw)(struct ui_grid *g, const struct ccnc_snapshot *snap,
                 const struct ui_state *st);
    int (*key)(struct ui_state *st, const struct ccnc_snapshot *snap, int key);
};

extern const struct ui_view ui_view_overview;

/* Draw the whole screen: title bar, the current view, the status line, and
 * the help overlay if asked for. */
void ui_draw_screen(struct ui_grid *g, const struct ccnc_snapshot *snap,
                    const struct ui_state *st);
/* Handle one key for the whole console. */
int ui_handle_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key);

#endif
