/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An in-memory character grid that views draw into.  ui.c copies it to the
 * terminal; tests compare it with golden text. */
#ifndef CCNC_UI_GRID_H
#define CCNC_UI_GRID_H

#include <stdbool.h>
#include <wchar.h>

enum ui_attr {
    UI_NORMAL,
    UI_BOLD,
    UI_DIM,
    UI_REVERSE,     /* selection */
    UI_HEADER,      /* title bar and section heads */
    UI_GOOD,        /* connected, up, on the primary */
    UI_WARN,        /* connecting, on the backup */
    UI_BAD,         /* unreachable, down, refused */
    UI_ATTR_LAST
};

/* How an attribute looks: in colour, and on a monochrome terminal (or with
 * NO_COLOR) by attributes alone, so that warnings and failures stay
 * distinguishable from normal text and from each other. */
enum {
    UI_STYLE_BOLD = 1 << 0,
    UI_STYLE_DIM = 1 << 1,
    UI_STYLE_UNDERLINE = 1 << 2,
    UI_STYLE_REVERSE = 1 << 3,
};

/* ANSI colour numbers (the same as curses' COLOR_*); -1 the default. */
enum ui_color {
    UI_COLOR_DEFAULT = -1,
    UI_COLOR_BLACK, UI_COLOR_RED, UI_COLOR_GREEN, UI_COLOR_YELLOW,
    UI_COLOR_BLUE, UI_COLOR_MAGENTA, UI_COLOR_CYAN, UI_COLOR_WHITE,
};

struct ui_style {
    unsigned flags;     /* UI_STYLE_* */
    int fg, bg;         /* enum ui_color */
};

struct ui_style ui_attr_style(enum ui_attr attr, bool color);

struct ui_cell {
    wchar_t ch;
    unsigned char attr;
};

struct ui_grid {
    int w, h;
    bool ascii;             /* draw lines with ASCII instead of UTF-8 */
    struct ui_cell *cells;
};

struct ui_grid *ui_grid_new(int w, int h, bool ascii);
void ui_grid_free(struct ui_grid *g);
void ui_grid_clear(struct ui_grid *g);
/* Write UTF-8 text at y,x clipped to the grid; returns the column after it.
 * Control characters and invalid UTF-8 are drawn as escapes ("\x1b", see
 * ccnc_quote_printable()): text from a host cannot drive the terminal. */
int ui_grid_put(struct ui_grid *g, int y, int x, enum ui_attr attr, const char *text);
/* The same, but at most width columns; text that does not fit ends in an
 * ellipsis ("~" in ASCII mode) so that a cut is visible. */
int ui_grid_put_fit(struct ui_grid *g, int y, int x, int width, enum ui_attr attr,
                    const char *text);
/* Display width of UTF-8 text in columns, as the grid draws it. */
int ui_text_width(const char *text);
int ui_grid_printf(struct ui_grid *g, int y, int x, enum ui_attr attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Paint attr over a whole row (for selection and title bars). */
void ui_grid_fill_attr(struct ui_grid *g, int y, enum ui_attr attr);
void ui_grid_fill_attr_span(struct ui_grid *g, int y, int x, int len, enum ui_attr attr);
void ui_grid_hline(struct ui_grid *g, int y, int x, int len);
/* The grid as UTF-8 text, one line per row, trailing blanks cut; with
 * attrs, a second block marks each non-normal cell with a letter. */
char *ui_grid_to_text(const struct ui_grid *g, bool attrs);
/* The grid's look on a terminal: each cell's ui_attr_style() flags as one
 * hex digit (1 bold, 2 dim, 4 underline, 8 reverse; blank for none). */
char *ui_grid_styles_to_text(const struct ui_grid *g, bool color);
/* The grid's colours: each cell's foreground as its ANSI digit (0-7), or
 * for a cell with a background colour, a letter a-h for that background;
 * blank for the terminal's default. */
char *ui_grid_colors_to_text(const struct ui_grid *g);

#endif
