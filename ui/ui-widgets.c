/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small pieces every view uses: list selection and scrolling, the "more
 * below" mark, a short age.  The views and the screen call these; these
 * call only the grid. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui-views.h"     /* the key codes and UI_KEY_* flags */
#include "ui-widgets.h"

void
ui_draw_more_below(struct ui_grid *g, int y, int n)
{
    char *t = ccnc_xasprintf(g->ascii ? _("v %d more") : _("\u2193 %d more"), n);
    int x = g->w - ui_text_width(t) - 2;

    ui_grid_printf(g, y, x - 1, UI_DIM, " %s ", t);
    free(t);
}

int
ui_select_move(int *sel, int n, int key)
{
    int s = *sel;

    switch (key) {
    case 'j':
    case UI_K_DOWN:
        s++;
        break;
    case 'k':
    case UI_K_UP:
        s--;
        break;
    case UI_K_PGDN:
        s += 10;
        break;
    case UI_K_PGUP:
        s -= 10;
        break;
    case UI_K_HOME:
    case 'g':
        s = 0;
        break;
    case UI_K_END:
    case 'G':
        s = n - 1;
        break;
    default:
        return UI_KEY_UNHANDLED;
    }
    if (s >= n)
        s = n - 1;
    if (s < 0)
        s = 0;
    *sel = s;
    return UI_KEY_HANDLED | UI_KEY_REDRAW;
}

int
ui_scroll_top(int first, int last, int avail)
{
    if (avail <= 0 || last < avail)
        return 0;
    if (last - first + 1 > avail)
        return first;
    return last - avail + 1;
}

void
ui_format_age(char *buf, size_t len, long long ms)
{
    long long s = ms / 1000;

    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(buf, len, "%llds", s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm %02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, len, "%lldh %02lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, len, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

int
ui_put_wrapped(struct ui_grid *g, int y, int x, int w, int max_lines, enum ui_attr attr,
               const char *text)
{
    for (int n = 0; *text && n < max_lines && w > 0; n++) {
        size_t len = strlen(text), cut = len;
        char *line;
        if (ui_text_width(text) > w) {
            cut = 0;
            for (size_t i = 0; i < len; i++) {
                char *part;
                bool fits;
                if (((unsigned char)text[i] & 0xc0) == 0x80)
                    continue;   /* inside a UTF-8 sequence: measured whole, below */
                part = ccnc_xstrndup(text, i);
                fits = ui_text_width(part) <= w;
                free(part);
                if (!fits)
                    break;
                if (text[i] == ' ')
                    cut = i;
            }
            if (cut == 0) {
                /* one word longer than the row (a path): broken where it fills it */
                size_t fit = 0;
                for (size_t i = 1; i <= len; i++) {
                    char *part;
                    bool fits;
                    if (((unsigned char)text[i] & 0xc0) == 0x80)
                        continue;   /* inside a UTF-8 sequence */
                    part = ccnc_xstrndup(text, i);
                    fits = ui_text_width(part) <= w;
                    free(part);
                    if (!fits)
                        break;
                    fit = i;
                }
                cut = fit ? fit : len;
            }
        }
        line = ccnc_xstrndup(text, cut);
        if (g)
            ui_grid_put_fit(g, y, x, w, attr, line);
        y++;
        free(line);
        text += cut;
        while (*text == ' ')
            text++;
    }
    return y;
}

bool
ui_edit_line(char *buf, size_t len, int key)
{
    size_t n = strlen(buf);

    if (key == UI_K_BACKSPACE) {
        while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
            n--;    /* the continuation bytes of the last character */
        if (n > 0)
            n--;
        buf[n] = '\0';
        return true;
    }
    if (key >= 0x20 && key < 0x110000 && key != 0x7f) {
        char mb[8];
        mbstate_t ms;
        size_t k;

        memset(&ms, 0, sizeof(ms));
        k = wcrtomb(mb, (wchar_t)key, &ms);
        if (k != (size_t)-1 && n + k < len) {
            memcpy(buf + n, mb, k);
            buf[n + k] = '\0';
        }
        return true;
    }
    return false;
}

bool
ui_contains_nocase(const char *text, const char *part)
{
    size_t n = strlen(part);

    if (!text)
        return n == 0;
    for (; ; text++) {
        if (strncasecmp(text, part, n) == 0)
            return true;
        if (!*text)
            return false;
    }
}
