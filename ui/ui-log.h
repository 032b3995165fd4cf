/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The log view's memory: a bounded ring of timestamped, already formatted
 * lines.  ui.c fills it from the engine's change events; the tests fill it
 * by hand.  Not thread-safe: the loop's thread only. */
#ifndef CCNC_UI_LOG_H
#define CCNC_UI_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include <ccnc/model.h>

#define UI_LOG_DEFAULT_CAP 1000

enum ui_log_level {
    UI_LOG_INFO,
    UI_LOG_CHANGE,
    UI_LOG_WARN,
    UI_LOG_ERROR,
    UI_LOG_LAST
};

struct ui_log_line {
    long long time_ms;      /* wall clock */
    enum ui_log_level level;
    char clock[12];         /* "HH:MM:SS" local time, formatted once */
    char *text;             /* "sys1: bond0 active slave eth0 -> eth1" */
};

struct ui_log {
    struct ui_log_line *lines;
    size_t cap;             /* at most this many lines are kept */
    size_t start;           /* index of the oldest */
    size_t n;
    unsigned long long total;   /* lines ever added */
};

/* A new empty ring of cap lines (0: UI_LOG_DEFAULT_CAP). */
struct ui_log *ui_log_new(size_t cap);
void ui_log_free(struct ui_log *log);
/* Append a copy of text; the oldest line goes when the ring is full. */
void ui_log_add(struct ui_log *log, long long time_ms, enum ui_log_level level,
                const char *text);
/* One line per change event, formatted by ccnc_event_format(). */
void ui_log_add_events(struct ui_log *log, long long time_ms,
                       const struct ccnc_event_list *changes);
/* Line i, 0 the oldest kept; borrowed, NULL past the end. */
const struct ui_log_line *ui_log_get(const struct ui_log *log, size_t i);
/* Whether a line matches a filter: case-insensitive substring of its
 * text or its "HH:MM:SS" time; the empty filter matches everything. */
bool ui_log_line_matches(const struct ui_log_line *line, const char *filter);
/* "HH:MM:SS" in local time. */
void ui_log_format_time(char *buf, size_t len, long long time_ms);

#endif
