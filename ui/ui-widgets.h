/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small pieces every view uses: the wide layout, list selection and
 * scrolling, the "more below" mark, short texts.  Below the views and the screen: it calls
 * neither. */
#ifndef CCNC_UI_WIDGETS_H
#define CCNC_UI_WIDGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "ui-grid.h"

/* From this many columns on, the views use their wide layout (longer
 * names, more fields); below it, the one made for 80 columns. */
#define UI_WIDE_COLS 120
static inline bool
ui_wide(const struct ui_grid *g)
{
    return g->w >= UI_WIDE_COLS;
}

/* Move a selection of n rows by key (j/k, arrows, PgUp/PgDn, Home/End);
 * returns UI_KEY_* flags, UI_KEY_UNHANDLED when key is no motion. */
int ui_select_move(int *sel, int n, int key);
/* "↓ N more" at the right end of row y: the list goes on below. */
void ui_draw_more_below(struct ui_grid *g, int y, int n);
/* First row to show so that rows [first, last] of a list stay visible in
 * `avail` rows (keeps the end of the selected item at the bottom edge). */
int ui_scroll_top(int first, int last, int avail);
/* Text that may be missing from a snapshot, shown as "?". */
static inline const char *
ui_str(const char *s)
{
    return s ? s : "?";
}
/* text over at most max_lines rows of width w from (y, x), broken at
 * spaces; returns the row after the last one.  g NULL: only counts. */
int ui_put_wrapped(struct ui_grid *g, int y, int x, int w, int max_lines, enum ui_attr attr,
                   const char *text);
/* A key typed into a line being edited (buf holds at most len bytes with
 * its NUL): a character is appended as UTF-8, Backspace drops the last
 * one.  false when key is neither (the caller decides). */
bool ui_edit_line(char *buf, size_t len, int key);
/* Whether text contains part, ignoring ASCII case; "" is in everything. */
bool ui_contains_nocase(const char *text, const char *part);
/* "4m 10s", "2h 05m", "3d 4h": a short age for stale markers. */
void ui_format_age(char *buf, size_t len, long long ms);

#endif
