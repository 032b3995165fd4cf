/* Shell quoting (src/quote.h).  Single quotes are the only POSIX quoting in
 * which no character is special, so anything not plainly safe goes there. */
#include "config.h"

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

char *
ccnc_quote_printable(const char *text)
{
    char *out = ccnc_xstrdup(text);

    for (unsigned char *c = (unsigned char *)out; c && *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            *c = '?';
    return out;
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
