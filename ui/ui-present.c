/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The presenter layout (p, --present): for a demo, what the back of the
 * room must read: the connectivity gap and the NFS stream in big digits,
 * the selected action's timeline under them.  No dim text: a projector
 * washes it out. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/lab.h>
#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui-timeline.h"
#include "ui-views.h"

/* Digits 3 x 5, '#' set; '.' and '-' too. */
static const char *
glyph(char ch)
{
    static const char *const digits[10] = {
        "####.##.##.####", ".#.##..#..#.###", "###..#####..###", "###..####..####",
        "#.##.####..#..#", "####..###..####", "####..####.####", "###..#..#..#..#",
        "####.#####.####", "####.####..####",
    };

    if (ch >= '0' && ch <= '9')
        return digits[ch - '0'];
    if (ch == '-')
        return "......###......";
    if (ch == '.')
        return ".............#.";
    return "...............";
}

/* text (digits, '.', '-') in big digits from (y, x): each dot scale rows
 * by 2 x scale columns.  Returns the column after it. */
static int
put_big(struct ui_grid *g, int y, int x, int scale, enum ui_attr attr, const char *text)
{
    const char *dot = g->ascii ? "#" : "\u2588";

    for (const char *p = text; *p; p++) {
        const char *gl = glyph(*p);
        int cols = *p == '.' ? 1 : 3, first = *p == '.' ? 1 : 0;
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < cols; c++)
                if (gl[r * 3 + first + c] == '#')
                    for (int dy = 0; dy < scale; dy++)
                        for (int dx = 0; dx < 2 * scale; dx++)
                            ui_grid_put(g, y + r * scale + dy, x + c * 2 * scale + dx, attr,
                                        dot);
        x += cols * 2 * scale + scale;
    }
    return x;
}

static enum ui_attr
gap_attr(long long ms)
{
    return ms >= 1000 ? UI_BAD : ms >= 100 ? UI_WARN : UI_GOOD;
}

/* One big figure in a block w columns wide from (y, x): its name, the
 * digits, their unit beside their last row, a line under them. */
static void
figure(struct ui_grid *g, int y, int x, int w, int scale, const char *name, const char *digits,
       const char *unit, enum ui_attr attr, const char *under)
{
    int e;

    ui_grid_put_fit(g, y, x, w, UI_BOLD, name);
    e = put_big(g, y + 1, x, scale, attr, digits);
    if (unit)
        ui_grid_put_fit(g, y + 5 * scale, e, x + w - e, UI_BOLD, unit);
    if (under)
        ui_grid_put_fit(g, y + 1 + 5 * scale, x, w, UI_BOLD, under);
}

void
ui_present_draw(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    int y = UI_BODY_TOP, bottom = UI_BODY_BOTTOM(g);
    int scale = g->w >= 140 && g->h >= 44 ? 2 : 1;
    int half = (g->w - 4) / 2;
    int sel = ui_actions_selected(st);
    const struct ui_action *r = sel >= 0 ? &st->actions[sel] : NULL;
    const struct ccnc_action *a = r ? r->action : NULL;
    const struct ccnc_probe_figures *p = a ? &a->probe : NULL;
    long long bps = ccnc_snapshot_stream_bps(snap);
    const char *arrow = g->ascii ? "->" : "\u2192";
    char digits[32], *under;
    struct ui_timeline tl;   /* the action's: its stall is named from it, and drawn */

    if (a) {
        ui_timeline_build(&tl, a, &st->samples, r->active, st->now_ms);
        char *head = a->destination
                         ? ccnc_xasprintf("%s: %s %s %s  %s", a->vm, a->source, arrow,
                                          a->destination, ccnc_action_kind_to_string(a->kind))
                         : ccnc_xasprintf("%s: %s  %s", a->vm, a->source,
                                          ccnc_action_kind_to_string(a->kind));
        int x = ui_grid_put_fit(g, y, 2, g->w - 20, UI_BOLD, head);
        enum ui_attr sa = a->state == CCNC_ACTION_DONE && !a->on_backup_only ? UI_GOOD
                          : a->state == CCNC_ACTION_FAILED || a->on_backup_only ? UI_BAD
                          : a->state == CCNC_ACTION_ROLLED_BACK ? UI_WARN : UI_BOLD;
        ui_grid_put(g, y, x + 2, sa, ccnc_action_state_text(a->state));
        free(head);
    } else {
        ui_grid_put_fit(g, y, 2, g->w - 4, UI_BOLD,
                        _("No action yet: select a VM in the overview and press m."));
    }
    y += 2;

    /* the gap: now, while the action runs; the longest, once it ended */
    if (p && p->measured) {
        bool now = r->active && !p->done;
        long long ms = now ? p->current_gap_ms : p->longest_gap_ms;
        snprintf(digits, sizeof(digits), "%lld", ms);
        /* TRANSLATORS: under the big gap: the probe's counts */
        under = ccnc_xasprintf(_("%lld of %lld probes lost"), p->lost, p->sent);
        figure(g, y, 2, half - 2, scale, now ? _("CONNECTIVITY GAP NOW") : _("LONGEST GAP"),
               digits, "ms", gap_attr(ms), under);
        free(under);
    } else {
        figure(g, y, 2, half - 2, scale, _("CONNECTIVITY GAP"), "-", NULL, UI_BOLD,
               p && p->error ? p->error : _("not measured"));
    }
    /* the stream: its stall, where the NFS server's agent reads its
     * sockets (the stall going on once it is long, else the longest), with
     * its throughput under it; else the throughput alone, where the NFS
     * server reports it (the snapshot's one-second readings; none in a
     * replay: no host is asked) */
    if (p && p->stream) {
        bool now;
        long long ms = ui_stall_shown(p, r->active, &now);
        under = now ? NULL : ui_timeline_stall_text(&tl, a);
        snprintf(digits, sizeof(digits), "%lld", ms);
        if (!under)
            under = bps >= 0
                        ? ccnc_xasprintf(_("%.1f Mb/s from the NFS server"), (double)bps / 1e6)
                        : ccnc_xstrdup(_("as the NFS server's sockets show it"));
        figure(g, y, 2 + half, g->w - half - 4, scale,
               now ? _("STREAM STALLED NOW") : _("LONGEST STREAM STALL"), digits, "ms",
               ui_stall_attr(ms), under);
        free(under);
    } else if (bps >= 0) {
        snprintf(digits, sizeof(digits), "%.1f", (double)bps / 1e6);
        figure(g, y, 2 + half, g->w - half - 4, scale, _("NFS STREAM"), digits, "Mb/s",
               bps > 0 ? UI_GOOD : UI_BAD, bps > 0 ? _("flowing from the NFS server")
                                               : _("nothing flows from the NFS server"));
    } else {
        figure(g, y, 2 + half, g->w - half - 4, scale, _("NFS STREAM"), "-", NULL, UI_BOLD,
               _("no figures from the NFS server"));
    }
    y += 5 * scale + 3;

    if (a) {
        if (y + 1 + ui_timeline_rows(&tl) <= bottom + 1) {
            int e = ui_grid_put(g, y, 2, UI_HEADER, _("Timeline"));
            ui_grid_fill_attr_span(g, y, 1, e - 1, UI_HEADER);
            y = ui_timeline_draw(g, y + 1, 2, g->w - 4, &tl, a, true);
        }
    }
    if (a && a->summary && y + 1 <= bottom) {
        y = ui_put_wrapped(g, y + 1, 2, g->w - 4, bottom - y, UI_BOLD, a->summary);
    }
    ui_demo_table_draw(g, y, bottom, st);
}
