/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bounded ring of log lines behind the log view (ui-log.h). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ccnc/util.h>

#include "ui-log.h"

struct ui_log *
ui_log_new(size_t cap)
{
    struct ui_log *log = ccnc_xcalloc(1, sizeof(*log));

    log->cap = cap ? cap : UI_LOG_DEFAULT_CAP;
    log->lines = ccnc_xcalloc(log->cap, sizeof(*log->lines));
    return log;
}

void
ui_log_free(struct ui_log *log)
{
    if (!log)
        return;
    for (size_t i = 0; i < log->n; i++)
        free(log->lines[(log->start + i) % log->cap].text);
    free(log->lines);
    free(log);
}

void
ui_log_add(struct ui_log *log, long long time_ms, enum ui_log_level level, const char *text)
{
    struct ui_log_line *l;

    if (log->n == log->cap) {
        l = &log->lines[log->start];
        free(l->text);
        log->start = (log->start + 1) % log->cap;
        log->n--;
    }
    l = &log->lines[(log->start + log->n) % log->cap];
    l->time_ms = time_ms;
    l->level = level;
    ui_log_format_time(l->clock, sizeof(l->clock), time_ms);
    l->text = ccnc_xstrdup(text);
    /* a line is one screen row: no control characters from remote text */
    for (char *p = l->text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    log->n++;
    log->total++;
}

static enum ui_log_level
event_level(const struct ccnc_event *ev)
{
    switch (ev->kind) {
    case CCNC_EV_HOST_CONNECTION:
        return ccnc_streq(ev->after, "connected") ? UI_LOG_CHANGE : UI_LOG_ERROR;
    case CCNC_EV_BOND_FAILOVER:
    case CCNC_EV_VM_BOND_FAILOVER:
    case CCNC_EV_NIC_REMOVED:
    case CCNC_EV_VM_NIC_REMOVED:
        return UI_LOG_WARN;
    default:
        return UI_LOG_CHANGE;
    }
}

void
ui_log_add_events(struct ui_log *log, long long time_ms, const struct ccnc_event_list *changes)
{
    for (size_t i = 0; i < changes->n; i++) {
        char *text = ccnc_event_format(&changes->events[i]);
        ui_log_add(log, time_ms, event_level(&changes->events[i]), text);
        free(text);
    }
}

const struct ui_log_line *
ui_log_get(const struct ui_log *log, size_t i)
{
    if (!log || i >= log->n)
        return NULL;
    return &log->lines[(log->start + i) % log->cap];
}

static bool
contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

bool
ui_log_line_matches(const struct ui_log_line *line, const char *filter)
{
    if (!filter || !*filter)
        return true;
    return contains_nocase(line->text, filter) || contains_nocase(line->clock, filter);
}

void
ui_log_format_time(char *buf, size_t len, long long time_ms)
{
    time_t t = (time_t)(time_ms / 1000);
    struct tm tm;

    localtime_r(&t, &tm);
    strftime(buf, len, "%H:%M:%S", &tm);
}
