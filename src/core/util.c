/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocation that never fails, strings, arrays and clocks. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <ccnc/util.h>

#include "core/i18n.h"

static CCNC_NORETURN void
oom(size_t size)
{
    fprintf(stderr, "ccnc: out of memory allocating %zu bytes\n", size);
    abort();
}

void *
ccnc_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *
ccnc_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *
ccnc_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *
ccnc_xreallocarray(void *ptr, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    return ccnc_xrealloc(ptr, n * size);
}

char *
ccnc_xstrdup(const char *s)
{
    return s ? ccnc_xstrndup(s, strlen(s)) : NULL;
}

char *
ccnc_xstrndup(const char *s, size_t n)
{
    char *p;

    if (!s)
        return NULL;
    p = ccnc_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
ccnc_xvasprintf(const char *fmt, va_list ap)
{
    char *p = NULL;

    if (vasprintf(&p, fmt, ap) < 0)
        oom(strlen(fmt));
    return p;
}

char *
ccnc_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void *
ccnc_array_push(void *items_ptr, size_t *n, size_t *cap, size_t size)
{
    char **items = items_ptr;
    char *slot;

    if (!cap)
        *items = ccnc_xreallocarray(*items, *n + 1, size);
    else if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        *items = ccnc_xreallocarray(*items, ncap, size);
        *cap = ncap;
    }
    slot = *items + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

bool
ccnc_streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

void
ccnc_str_set(char **dst, const char *src)
{
    char *copy = ccnc_xstrdup(src);

    free(*dst);
    *dst = copy;
}

static long long
clock_ms(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ccnc_format_iso_ms(char buf[CCNC_ISO_TIME_LEN], long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(buf, CCNC_ISO_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

bool
ccnc_due_every(long long elapsed_ms, long long every_ms, long long *said)
{
    long long at = every_ms > 0 && elapsed_ms > 0 ? elapsed_ms / every_ms * every_ms : 0;

    if (at < every_ms || at <= *said)
        return false;
    *said = at;
    return true;
}

long long
ccnc_now_mono_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

long long
ccnc_now_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct timespec
ccnc_deadline_s(int seconds)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += seconds;
    return ts;
}

struct timespec
ccnc_deadline_ms(long long ms)
{
    struct timespec ts = ccnc_deadline_s(0);

    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    ts.tv_sec += (time_t)(ms / 1000 + ts.tv_nsec / 1000000000L);
    ts.tv_nsec %= 1000000000L;
    return ts;
}

long long
ccnc_now_wall_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

int
ccnc_enum_from_string(const char *const *table, int n, const char *s)
{
    int i;

    if (!s)
        return -1;
    for (i = 0; i < n; i++)
        if (table[i] && strcmp(table[i], s) == 0)
            return i;
    return -1;
}

const char *
ccnc_enum_to_string(const char *const *table, int n, int v, const char *fallback)
{
    return v >= 0 && v < n ? table[v] : fallback;
}

const char *
ccnc_licence_notice(void)
{
    /* TRANSLATORS: the --version notice of ccnc and ccnc-agent; keep the
     * "GPLv2+" tag and the URL as they are. */
    return _("Copyright (C) 2026 the ccnc authors\n"
             "License GPLv2+: GNU GPL version 2 or later <https://gnu.org/licenses/gpl-2.0.html>\n"
             "This is free software: you are free to change and redistribute it.\n"
             "There is NO WARRANTY, to the extent permitted by law.\n");
}

void
ccnc_i18n_init(void)
{
    setlocale(LC_ALL, "");
#if defined(ENABLE_NLS) && ENABLE_NLS
    bindtextdomain(PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(PACKAGE, "UTF-8");
#endif
}

int
ccnc_mkdir_p(const char *path, unsigned mode)
{
    char *p = ccnc_xstrdup(path);
    int rc = 0;

    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    if (rc == 0 && mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

char *
ccnc_xdg_path(const char *env, const char *home_dir, const char *rel)
{
    const char *xdg = getenv(env);
    const char *home = getenv("HOME");

    if (xdg && *xdg == '/')
        return ccnc_xasprintf("%s/ccnc/%s", xdg, rel);
    return ccnc_xasprintf("%s/%s/ccnc/%s", home && *home ? home : ".", home_dir, rel);
}

void
ccnc_str_appendf(char **s, const char *fmt, ...)
{
    va_list ap;
    char *more, *all;

    va_start(ap, fmt);
    more = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    all = ccnc_xasprintf("%s%s", *s ? *s : "", more);
    free(more);
    free(*s);
    *s = all;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double
ccnc_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
