/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The log view: the engine's change events (and the console's own notes)
 * with their times, newest at the bottom, filtered with '/'. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui-views.h"

static enum ui_attr
level_attr(enum ui_log_level l)
{
    switch (l) {
    case UI_LOG_WARN: return UI_WARN;
    case UI_LOG_ERROR: return UI_BAD;
    case UI_LOG_INFO: return UI_DIM;
    default: return UI_NORMAL;
    }
}

/* Indices of the lines that pass the filter; caller frees. */
static size_t *
matching(const struct ui_log *log, const char *filter, size_t *n)
{
    size_t *idx = ccnc_xcalloc(log && log->n ? log->n : 1, sizeof(*idx));

    *n = 0;
    for (size_t i = 0; log && i < log->n; i++)
        if (ui_log_line_matches(ui_log_get(log, i), filter))
            idx[(*n)++] = i;
    return idx;
}

static void
log_draw(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    const struct ui_log *log = st->log;
    int y = UI_BODY_TOP, bottom = UI_BODY_BOTTOM(g), avail, scroll, x;
    /* while the filter is typed, the lines follow it */
    const char *filter = st->editing ? st->edit : st->filter;
    size_t n, *idx = matching(log, filter, &n);
    size_t kept = log ? log->n : 0;
    char *t;

    (void)snap;
    if (filter[0]) {
        /* TRANSLATORS: log heading with a filter: matching, kept lines, filter */
        t = ccnc_xasprintf(dngettext(PACKAGE, "%zu of %zu line matches '%s'",
                                     "%zu of %zu lines match '%s'", kept),
                           n, kept, filter);
        x = ui_grid_put_fit(g, y, 1, g->w - 30, UI_WARN, t);
        if (!st->editing)
            ui_grid_put(g, y, x + 2, UI_DIM, _("Esc clears the filter"));
    } else {
        t = ccnc_xasprintf(dngettext(PACKAGE, "%zu line (the last %zu are kept)",
                                     "%zu lines (the last %zu are kept)", kept),
                           kept, log ? log->cap : (size_t)UI_LOG_DEFAULT_CAP);
        ui_grid_put_fit(g, y, 1, g->w - 2, UI_BOLD, t);
    }
    free(t);
    y++;
    avail = bottom - y + 1;
    scroll = st->selected[UI_VIEW_LOG];
    if (scroll > (int)n - avail)
        scroll = (int)n - avail;
    if (scroll < 0)
        scroll = 0;
    if (n == 0) {
        ui_grid_put(g, y, 2, UI_DIM,
                    filter[0] ? _("No line matches the filter.")
                                  : _("Nothing has happened yet."));
    }
    {
        /* the newest `avail` lines that end `scroll` lines above the last */
        long end = (long)n - scroll;
        long first = end - avail < 0 ? 0 : end - avail;
        for (long i = first; i < end; i++, y++) {
            const struct ui_log_line *l = ui_log_get(log, idx[i]);
            ui_grid_put(g, y, 1, UI_DIM, l->clock);
            ui_grid_put_fit(g, y, 11, g->w - 12, level_attr(l->level), l->text);
        }
    }
    if (scroll > 0) {
        t = ccnc_xasprintf(g->ascii ? _("v %d newer") : _("\u2193 %d newer"), scroll);
        x = g->w - ui_text_width(t) - 2;
        ui_grid_printf(g, bottom, x - 1, UI_DIM, " %s ", t);
        free(t);
    }
    free(idx);
}

static int
log_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    int *s = &st->selected[UI_VIEW_LOG];
    size_t n;
    size_t *idx = matching(st->log, st->filter, &n);
    int max = (int)n - 1;

    (void)snap;
    free(idx);
    /* the log scrolls: up is older, and the offset counts from the newest */
    switch (key) {
    case 'k':
    case UI_K_UP: *s += 1; break;
    case 'j':
    case UI_K_DOWN: *s -= 1; break;
    case UI_K_PGUP: *s += 10; break;
    case UI_K_PGDN: *s -= 10; break;
    case 'g':
    case UI_K_HOME: *s = max; break;
    case 'G':
    case UI_K_END: *s = 0; break;
    default: return UI_KEY_UNHANDLED;
    }
    if (*s > max)
        *s = max;
    if (*s < 0)
        *s = 0;
    return UI_KEY_HANDLED | UI_KEY_REDRAW;
}

const struct ui_view ui_view_log = {
    .name = N_("Log"),
    .keys = N_("/:filter  Esc:clear"),
    .draw = log_draw,
    .key = log_key,
};
