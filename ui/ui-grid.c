/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The character grid views draw into (ui-grid.h). */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "core/quote.h"
#include "ui-grid.h"

struct ui_grid *
ui_grid_new(int w, int h, bool ascii)
{
    struct ui_grid *g = ccnc_xcalloc(1, sizeof(*g));

    g->w = w > 0 ? w : 1;
    g->h = h > 0 ? h : 1;
    g->ascii = ascii;
    g->cells = ccnc_xcalloc((size_t)g->w * g->h, sizeof(*g->cells));
    ui_grid_clear(g);
    return g;
}

void
ui_grid_free(struct ui_grid *g)
{
    if (!g)
        return;
    free(g->cells);
    free(g);
}

void
ui_grid_clear(struct ui_grid *g)
{
    for (int i = 0; i < g->w * g->h; i++) {
        g->cells[i].ch = L' ';
        g->cells[i].attr = UI_NORMAL;
    }
}

/* Write text from column x, never at or past column limit.  Every text
 * passes here, so this is where what came from a host (names, errors) is
 * made printable: a control character or a byte of invalid UTF-8 is shown
 * as its escape ("\x1b"), never sent to the terminal. */
static int
put_limited(struct ui_grid *g, int y, int x, int limit, enum ui_attr attr, const char *text)
{
    mbstate_t st;
    char *safe = ccnc_quote_printable(text);
    const char *p = safe;
    size_t left = strlen(safe);

    memset(&st, 0, sizeof(st));
    while (left > 0) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, left, &st);
        int width;

        if (n == (size_t)-1 || n == (size_t)-2) {
            wc = L'?';
            n = 1;
            memset(&st, 0, sizeof(st));
        } else if (n == 0) {
            break;
        }
        p += n;
        left -= n;
        width = wcwidth(wc);
        if (width < 0) {
            wc = L'?';
            width = 1;
        }
        if (width == 0)
            continue;
        if (y >= 0 && y < g->h && x >= 0 && x + width <= limit && x + width <= g->w) {
            struct ui_cell *c = &g->cells[y * g->w + x];
            c->ch = wc;
            c->attr = (unsigned char)attr;
            if (width == 2) {
                c[1].ch = 0; /* covered by the wide character */
                c[1].attr = (unsigned char)attr;
            }
        }
        x += width;
    }
    free(safe);
    return x;
}

int
ui_grid_put(struct ui_grid *g, int y, int x, enum ui_attr attr, const char *text)
{
    return put_limited(g, y, x, g->w, attr, text);
}

int
ui_text_width(const char *text)
{
    mbstate_t st;
    char *safe = ccnc_quote_printable(text);   /* as put_limited() draws it */
    const char *p = safe;
    size_t left = strlen(safe);
    int w = 0;

    memset(&st, 0, sizeof(st));
    while (left > 0) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, left, &st);
        int cw;

        if (n == (size_t)-1 || n == (size_t)-2) {
            n = 1;
            cw = 1;
            memset(&st, 0, sizeof(st));
        } else if (n == 0) {
            break;
        } else {
            cw = wcwidth(wc);
            if (cw < 0)
                cw = 1;
        }
        p += n;
        left -= n;
        w += cw;
    }
    free(safe);
    return w;
}

int
ui_grid_put_fit(struct ui_grid *g, int y, int x, int width, enum ui_attr attr, const char *text)
{
    if (width <= 0)
        return x;
    if (ui_text_width(text) <= width)
        return put_limited(g, y, x, x + width, attr, text);
    put_limited(g, y, x, x + width - 1, attr, text);
    put_limited(g, y, x + width - 1, x + width, attr, g->ascii ? "~" : "\u2026");
    return x + width;
}

int
ui_grid_printf(struct ui_grid *g, int y, int x, enum ui_attr attr, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int r;

    va_start(ap, fmt);
    s = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    r = ui_grid_put(g, y, x, attr, s);
    free(s);
    return r;
}

void
ui_grid_fill_attr(struct ui_grid *g, int y, enum ui_attr attr)
{
    ui_grid_fill_attr_span(g, y, 0, g->w, attr);
}

void
ui_grid_fill_attr_span(struct ui_grid *g, int y, int x, int len, enum ui_attr attr)
{
    if (y < 0 || y >= g->h)
        return;
    for (int i = x < 0 ? 0 : x; i < x + len && i < g->w; i++)
        g->cells[y * g->w + i].attr = (unsigned char)attr;
}

void
ui_grid_hline(struct ui_grid *g, int y, int x, int len)
{
    for (int i = 0; i < len; i++)
        ui_grid_put(g, y, x + i, UI_DIM, g->ascii ? "-" : "\u2500");
}

static void
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = ccnc_xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

/* A character per cell for what mark makes of its attribute, a line per
 * row, trailing blanks dropped. */
static void
append_marks(char **buf, size_t *len, size_t *cap, const struct ui_grid *g,
             char (*mark)(enum ui_attr attr, bool color), bool color)
{
    for (int y = 0; y < g->h; y++) {
        size_t keep = *len;
        for (int x = 0; x < g->w; x++) {
            char m = mark(g->cells[y * g->w + x].attr, color);
            append(buf, len, cap, &m, 1);
            if (m != ' ')
                keep = *len;
        }
        *len = keep;
        append(buf, len, cap, "\n", 1);
    }
}

static char
attr_mark(enum ui_attr attr, bool color)
{
    static const char marks[UI_ATTR_LAST] = { ' ', 'B', 'D', 'R', 'H', 'G', 'W', 'X' };

    (void)color;
    return marks[attr % UI_ATTR_LAST];
}

char *
ui_grid_to_text(const struct ui_grid *g, bool attrs)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;

    append(&buf, &len, &cap, "", 0);
    for (int y = 0; y < g->h; y++) {
        size_t keep = len;
        for (int x = 0; x < g->w; x++) {
            char mb[MB_LEN_MAX];
            mbstate_t st;
            wchar_t wc = g->cells[y * g->w + x].ch;
            size_t n;
            if (wc == 0)
                continue;
            memset(&st, 0, sizeof(st));
            n = wcrtomb(mb, wc, &st);
            if (n == (size_t)-1) {
                mb[0] = '?';
                n = 1;
            }
            append(&buf, &len, &cap, mb, n);
            if (wc != L' ')
                keep = len;
        }
        len = keep;
        append(&buf, &len, &cap, "\n", 1);
    }
    if (attrs) {
        append(&buf, &len, &cap, "--- attributes ---\n", 19);
        append_marks(&buf, &len, &cap, g, attr_mark, false);
    }
    return buf;
}

struct ui_style
ui_attr_style(enum ui_attr attr, bool color)
{
    /* Monochrome: normal and "good" read alike on purpose (good is the
     * usual state); everything that asks for attention is marked. */
    static const struct ui_style mono[UI_ATTR_LAST] = {
        [UI_NORMAL] = { 0, -1, -1 },
        [UI_BOLD] = { UI_STYLE_BOLD, -1, -1 },
        [UI_DIM] = { UI_STYLE_DIM, -1, -1 },
        [UI_REVERSE] = { UI_STYLE_REVERSE | UI_STYLE_BOLD, -1, -1 },
        [UI_HEADER] = { UI_STYLE_REVERSE, -1, -1 },
        [UI_GOOD] = { 0, -1, -1 },
        [UI_WARN] = { UI_STYLE_BOLD | UI_STYLE_UNDERLINE, -1, -1 },
        [UI_BAD] = { UI_STYLE_REVERSE | UI_STYLE_BOLD | UI_STYLE_UNDERLINE, -1, -1 },
    };
    static const struct ui_style colour[UI_ATTR_LAST] = {
        [UI_NORMAL] = { 0, -1, -1 },
        [UI_BOLD] = { UI_STYLE_BOLD, -1, -1 },
        [UI_DIM] = { UI_STYLE_DIM, -1, -1 },   /* not blue: unreadable on dark backgrounds */
        [UI_REVERSE] = { UI_STYLE_REVERSE, -1, -1 },
        [UI_HEADER] = { 0, UI_COLOR_BLACK, UI_COLOR_CYAN },
        [UI_GOOD] = { UI_STYLE_BOLD, UI_COLOR_GREEN, -1 },
        [UI_WARN] = { UI_STYLE_BOLD, UI_COLOR_YELLOW, -1 },
        [UI_BAD] = { UI_STYLE_BOLD, UI_COLOR_RED, -1 },
    };

    if ((unsigned)attr >= UI_ATTR_LAST)
        attr = UI_NORMAL;
    return color ? colour[attr] : mono[attr];
}

static char
style_mark(enum ui_attr attr, bool color)
{
    unsigned f = ui_attr_style(attr, color).flags;

    return f ? "0123456789abcdef"[f & 15] : ' ';
}

static char
color_mark(enum ui_attr attr, bool color)
{
    struct ui_style st = ui_attr_style(attr, color);

    if (st.bg >= 0 && st.bg < 8)
        return (char)('a' + st.bg);
    if (st.fg >= 0 && st.fg < 8)
        return (char)('0' + st.fg);
    return ' ';
}

static char *
marks_to_text(const struct ui_grid *g, char (*mark)(enum ui_attr attr, bool color), bool color)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;

    append(&buf, &len, &cap, "", 0);
    append_marks(&buf, &len, &cap, g, mark, color);
    return buf;
}

char *
ui_grid_styles_to_text(const struct ui_grid *g, bool color)
{
    return marks_to_text(g, style_mark, color);
}

char *
ui_grid_colors_to_text(const struct ui_grid *g)
{
    return marks_to_text(g, color_mark, true);
}
