/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Recorded runs as `ccnc report` shows them: a run's trace (its steps, the
 * probe's samples, libvirt's figures) read from its run file, and the
 * thesis' Table 1 over many migrations, beside the thesis' own figures.
 * Everything but ccnc_run_trace_read() is pure; any thread. */
#ifndef CCNC_REPORT_H
#define CCNC_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <ccnc/action.h>
#include <ccnc/runlog.h>

/* One step of a run as it happened (started_ms, ended_ms: wall clock; an
 * unfinished step ends at the last line of the file). */
struct ccnc_trace_step {
    enum ccnc_step_op op;
    bool rollback;
    enum ccnc_step_outcome outcome;
    long long started_ms, ended_ms;
};

/* One sample of the connectivity probe (a probe line). */
struct ccnc_trace_sample {
    long long t_ms;
    long long sent, received, lost;
    long long current_gap_ms, longest_gap_ms;
    /* the NFS stream: what the storage host sent (bits per second), the
     * stall going on and the longest so far; CCNC_UNKNOWN where not read */
    long long stream_bps, stream_stall_ms, stream_longest_stall_ms;
};

/* A bridge's forwarding entry of the VM's MAC that changed during the run
 * (an fdb line): learned on a port, or gone. */
struct ccnc_trace_fdb {
    long long t_ms;                  /* when the console heard of it */
    bool learned;
    char host[64], bridge[16], port[16];
};

/* Fill fd: event "learned" or "gone" (NULL: gone); host, bridge, port
 * may be NULL ("?"), and are cut to fit. */
void ccnc_trace_fdb_set(struct ccnc_trace_fdb *fd, long long t_ms, const char *event,
                        const char *host, const char *bridge, const char *port);

/* A run file as the figure needs it.  Figures are CCNC_UNKNOWN (-1) when
 * the file does not hold them. */
struct ccnc_run_trace {
    char *path, *kind, *vm, *source, *destination;
    char *result;                    /* NULL: unfinished */
    long long started_ms;            /* the run line's time */
    struct ccnc_trace_step *steps;   /* in the order they started */
    size_t n_steps;
    struct ccnc_trace_sample *samples;
    size_t n_samples;
    long long total_ms;              /* the result line's */
    long long migrate_started_ms;    /* the migrate step's start */
    long long job_elapsed_ms;        /* libvirt's time_elapsed of its last job line */
    long long downtime_ms;           /* libvirt's (the result line's, else the job's) */
    long long longest_gap_ms, lost_probes, sent_probes;
    long long stream_stall_ms;       /* the NFS stream's longest stall */
    bool has_stream;                 /* a sample holds the stream's rate or stall */
    struct ccnc_trace_fdb *fdb;      /* in the order they came */
    size_t n_fdb;
};

/* The trace of lines (ccnc_run_read_lines()); path is copied.  Clear
 * with ccnc_run_trace_clear(). */
void ccnc_run_trace_from_lines(const char *path, const struct ccnc_run_line *lines, size_t n,
                               struct ccnc_run_trace *out);
/* Read the run file at path.  -1 and err when it cannot be read. */
int ccnc_run_trace_read(const char *path, struct ccnc_run_trace *out, struct ccnc_error *err);
void ccnc_run_trace_clear(struct ccnc_run_trace *t);

/* The longest gap's place in time: the probe's samples say how long it
 * was and near which sample it ended.  false when there was none. */
bool ccnc_run_trace_longest_gap(const struct ccnc_run_trace *t, long long *start_ms,
                                long long *end_ms);

/* The rows of the thesis' Table 1 as `ccnc report --table` prints them. */
enum ccnc_table_row {
    CCNC_TABLE_TOTAL,        /* the whole action: first step to result */
    CCNC_TABLE_MIGRATION,    /* libvirt's migration alone (time_elapsed) */
    CCNC_TABLE_DOWNTIME,     /* libvirt's downtime */
    CCNC_TABLE_GAP,          /* the probe's longest gap */
    CCNC_TABLE_LOST,         /* probes lost */
    CCNC_TABLE_STALL,        /* the NFS stream's longest stall, where measured */
    CCNC_TABLE_ROW_LAST
};

/* A row's least, median (of an even count, the mean of the middle two,
 * rounded down) and greatest figure over the n runs that have it. */
struct ccnc_table_cell {
    bool recorded;           /* run files hold this figure at all (the stream's
                                stall: one of these runs' files does) */
    size_t n;
    long long min, median, max;   /* CCNC_UNKNOWN when n is 0 */
};

struct ccnc_table {
    size_t n_runs;           /* runs given */
    size_t n_used;           /* of them, migrations that ended done */
    struct ccnc_table_cell rows[CCNC_TABLE_ROW_LAST];
};

/* The row's name in JSON ("total_ms", ...) and its label (translated). */
const char *ccnc_table_row_to_string(enum ccnc_table_row r);
const char *ccnc_table_row_describe(enum ccnc_table_row r);
/* Why a run is left out of the table (translated), NULL when it counts:
 * only migrations that ended done do. */
const char *ccnc_table_left_out(const struct ccnc_run_summary *s);
/* Table 1 over runs[0..n). */
void ccnc_table_make(const struct ccnc_run_summary *runs, size_t n, struct ccnc_table *out);

/* The thesis' own Table 1 (Xen 3.2 and 4.0 live migration), for comparison:
 * its downtime is the time its video stream paused, judged by eye. */
struct ccnc_thesis_figures {
    const char *system;
    long long total_ms, downtime_ms;
    bool downtime_below;     /* the thesis gives "< downtime_ms" */
};
const struct ccnc_thesis_figures *ccnc_table_thesis(size_t *n);

/* Table 1 over runs[0..n) as text, a line each row, as `ccnc report
 * --table` prints it (with notes: what the thesis' figures are and which
 * runs were left out, and why).  Caller frees. */
char *ccnc_table_text(const struct ccnc_table *t, const struct ccnc_run_summary *runs, size_t n,
                      bool notes);

#endif
