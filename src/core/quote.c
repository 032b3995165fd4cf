/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shell quoting (src/core/quote.h).  Single quotes are the only POSIX quoting in
 * which no character is special, so anything not plainly safe goes there. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "core/quote.h"

/* Characters no POSIX shell treats specially anywhere in a word.  '=' and
 * '~' are left out: a leading '~' expands, and "a=b" as a first word is an
 * assignment. */
static bool
safe_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == ',' || c == '+' ||
           c == '@' || c == '%';
}

char *
ccnc_quote_word(const char *arg)
{
    size_t len = strlen(arg), n = 2, j = 0;
    bool plain = len > 0;
    char *out;

    for (size_t i = 0; i < len; i++) {
        if (!safe_char((unsigned char)arg[i]))
            plain = false;
        n += arg[i] == '\'' ? 4 : 1;
    }
    if (plain)
        return ccnc_xstrdup(arg);
    out = ccnc_xmalloc(n + 1);
    out[j++] = '\'';
    for (size_t i = 0; i < len; i++) {
        if (arg[i] == '\'') {
            memcpy(out + j, "'\\''", 4);
            j += 4;
        } else {
            out[j++] = arg[i];
        }
    }
    out[j++] = '\'';
    out[j] = '\0';
    return out;
}

char *
ccnc_quote_argv(const char *const *argv, size_t n)
{
    char *line = ccnc_xstrdup("");

    for (size_t i = 0; i < n; i++) {
        char *w = ccnc_quote_word(argv[i]);
        char *next = ccnc_xasprintf("%s%s%s", line, i ? " " : "", w);
        free(w);
        free(line);
        line = next;
    }
    return line;
}

/* How many bytes at s (n of them) make one character a terminal shows as
 * it is: a valid UTF-8 sequence (no overlong form, no surrogate, nothing
 * past U+10FFFF) of anything but a C0 control, DEL or a C1 control.  0: the
 * byte at s is to be escaped. */
static size_t
printable_span(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;

    if (c < 0x20 || c == 0x7f)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;   /* a continuation byte, or a lead byte UTF-8 never uses */
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) ||       /* overlong */
        (c == 0xed && s[1] >= 0xa0) ||      /* UTF-16 surrogates */
        (c == 0xf0 && s[1] < 0x90) ||       /* overlong */
        (c == 0xf4 && s[1] >= 0x90))        /* past U+10FFFF */
        return 0;
    if (c == 0xc2 && s[1] < 0xa0)           /* U+0080..U+009F: C1 controls (CSI is U+009B) */
        return 0;
    return len;
}

static char *
printable(const char *text, bool keep_newlines)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n, cap, j = 0;
    char *out;

    if (!text)
        return NULL;
    n = strlen(text);
    cap = n * 4 + 1;    /* every byte escaped at worst */
    out = ccnc_xmalloc(cap);
    for (size_t i = 0; i < n;) {
        size_t span = printable_span(s + i, n - i);
        if (span) {
            memcpy(out + j, s + i, span);
            j += span;
            i += span;
        } else if (keep_newlines && s[i] == '\n') {
            out[j++] = '\n';
            i++;
        } else {
            static const char hex[] = "0123456789abcdef";
            out[j++] = '\\';
            out[j++] = 'x';
            out[j++] = hex[s[i] >> 4];
            out[j++] = hex[s[i] & 15];
            i++;
        }
    }
    out[j] = '\0';
    return out;
}

char *
ccnc_quote_printable(const char *text)
{
    return printable(text, false);
}

char *
ccnc_quote_printable_lines(const char *text)
{
    return printable(text, true);
}

char *
ccnc_quote_uri(const char *s)
{
    char *out = ccnc_xmalloc(strlen(s) * 3 + 1), *o = out;

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("/._~-", ch))
            *o++ = (char)ch;
        else
            o += sprintf(o, "%%%02X", ch);
    }
    *o = '\0';
    return out;
}
