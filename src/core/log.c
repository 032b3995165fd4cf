/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -v and -vv: one level for the process and lines on stderr (include/ccnc/log.h). */
#include "config.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ccnc/log.h>

#include "core/quote.h"

static atomic_int level;

void
ccnc_log_set_level(int l)
{
    atomic_store(&level, l < 0 ? 0 : l);
}

bool
ccnc_log_enabled(int l)
{
    return l > CCNC_LOG_QUIET && atomic_load(&level) >= l;
}

void
ccnc_log(int l, const char *fmt, ...)
{
    va_list ap;
    char *text, *safe, *line;

    if (!ccnc_log_enabled(l))
        return;
    va_start(ap, fmt);
    text = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    /* names and errors may come from a host: never raw to the terminal */
    safe = ccnc_quote_printable(text);
    line = ccnc_xasprintf("%s: %s\n", PACKAGE, safe);
    /* one line at a time, whichever thread */
    flockfile(stderr);
    fputs(line, stderr);
    fflush(stderr);
    funlockfile(stderr);
    free(line);
    free(safe);
    free(text);
}

/* Could the query parameter name[0..len) hold a secret? */
static bool
secret_param(const char *name, size_t len)
{
    static const char *const words[] = { "pass", "secret", "token" };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(words); i++)
        for (size_t k = 0; k + strlen(words[i]) <= len; k++)
            if (strncasecmp(name + k, words[i], strlen(words[i])) == 0)
                return true;
    return false;
}

char *
ccnc_log_uri(const char *uri)
{
    const char *scheme = strstr(uri, "://");
    const char *auth = scheme ? scheme + 3 : uri;
    size_t auth_len = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', auth_len);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    const char *query = strchr(auth, '?');
    char *out;

    /* user:password@host -> user:***@host */
    if (colon)
        out = ccnc_xasprintf("%.*s:***%.*s", (int)(colon - uri), uri,
                             (int)((query ? query : auth + strlen(auth)) - at), at);
    else
        out = ccnc_xstrndup(uri, query ? (size_t)(query - uri) : strlen(uri));
    for (const char *p = query; p && *p;) {
        const char *name = p + 1, *end = name + strcspn(name, "&#"), *eq;
        size_t name_len;
        char *more;

        eq = memchr(name, '=', (size_t)(end - name));
        name_len = eq ? (size_t)(eq - name) : (size_t)(end - name);
        if (eq && secret_param(name, name_len))
            more = ccnc_xasprintf("%s%c%.*s=***", out, *p, (int)name_len, name);
        else
            more = ccnc_xasprintf("%s%c%.*s", out, *p, (int)(end - name), name);
        free(out);
        out = more;
        if (*end != '&') {
            if (*end) {   /* a #fragment: kept as it is */
                more = ccnc_xasprintf("%s%s", out, end);
                free(out);
                out = more;
            }
            break;
        }
        p = end;
    }
    return out;
}
