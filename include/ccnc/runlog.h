/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run files: every action writes a JSON-lines record of itself under
 * $XDG_STATE_HOME/ccnc/runs/ as it goes — each step, libvirt's job
 * statistics, the connectivity probe's samples, the guest bond's changes —
 * flushed to disk line by line, so that a console that dies mid-run leaves
 * a record saying how far it got.  `ccnc runs` and `ccnc report` read them.
 * One writer per file; calls from the loop's thread. */
#ifndef CCNC_RUNLOG_H
#define CCNC_RUNLOG_H

#include <ccnc/action.h>

struct ccnc_runlog;

/* $XDG_STATE_HOME/ccnc/runs (or ~/.local/state/ccnc/runs); caller frees. */
char *ccnc_runlog_default_dir(void);

/* Create a new run file in dir (made if missing) for action a and write
 * its first line.  NULL and err filled when the file cannot be made. */
struct ccnc_runlog *ccnc_runlog_open(const char *dir, const struct ccnc_action *a,
                                     long long now_ms, struct ccnc_error *err);
const char *ccnc_runlog_path(const struct ccnc_runlog *log);
/* Go on writing the unfinished run file at path for a's steps, which end
 * that run (ccnc resume): a resume line first (who, the plan, its notes),
 * after a newline if the file ends with half a line.  NULL and err. */
struct ccnc_runlog *ccnc_runlog_reopen(const char *path, const struct ccnc_action *a,
                                       long long now_ms, const char *who,
                                       struct ccnc_error *err);

/* The plan of action a as `--dry-run --json` prints it (docs/status-json.md):
 * schema_version, then kind, vm, source, destination, nic, plan and notes
 * under the names the run line gives them, and every step in order with
 * its rollback flag.  Nothing is written.  Caller frees. */
char *ccnc_runlog_plan_json(const struct ccnc_action *a);

/* Each returns -1 (and remembers the error for close) when writing failed. */
int ccnc_runlog_step(struct ccnc_runlog *log, const struct ccnc_action *a,
                     const struct ccnc_step *s);
/* The step is about to act: written (and flushed) before it does, so that a
 * run killed in the middle of a step says which. */
int ccnc_runlog_step_start(struct ccnc_runlog *log, const struct ccnc_step *s);
/* libvirt job statistics as name/value pairs (virDomainGetJobStats names). */
int ccnc_runlog_job(struct ccnc_runlog *log, const char *phase, long long now_ms,
                    const char *const *names, const long long *values, size_t n);
/* The probe's figures (with the stream's stall when f->stream), and what
 * the storage host sends (the NFS stream, bits per second, its agent's
 * last one-second reading; CCNC_UNKNOWN: left out). */
int ccnc_runlog_probe(struct ccnc_runlog *log, long long now_ms,
                      const struct ccnc_probe_figures *f, long long stream_bps);
int ccnc_runlog_bond(struct ccnc_runlog *log, long long now_ms, const char *vm,
                     const char *before, const char *after);
/* A VF of a pool reserved or given back (event: "reserved", "released",
 * "reserve-failed", "release-failed"); pf may be NULL, index CCNC_UNKNOWN. */
int ccnc_runlog_vf(struct ccnc_runlog *log, long long now_ms, const char *event,
                   const char *host, const char *pf, int index, const char *pci);
/* The operator asked the action to stop (who: "console", "ccnc abort",
 * ...): written before anything is undone. */
/* A setting the action changed on a host before changing it (the
 * migration's downtime limit, ...): name, its new value, and why. */
int ccnc_runlog_setting(struct ccnc_runlog *log, long long now_ms, const char *host,
                        const char *name, long long value, const char *why);
/* The forecast made by the action's own step (its dirty-rate sample
 * taken): it stands in for the run line's from then on. */
int ccnc_runlog_forecast(struct ccnc_runlog *log, long long now_ms,
                         const struct ccnc_forecast *f);
int ccnc_runlog_abort(struct ccnc_runlog *log, long long now_ms, const char *who);
/* What the run said it waits for (the action's notice, translated): a
 * notice line, for whoever reads the run afterwards. */
int ccnc_runlog_notice(struct ccnc_runlog *log, long long now_ms, const char *text);
/* Where a running migration is going, said after a pre-copy round
 * (ccnc_precopy_to_go). */
int ccnc_runlog_to_go(struct ccnc_runlog *log, long long now_ms,
                      const struct ccnc_precopy_to_go *g);
/* A bridge on host learned the VM's MAC on port (event "learned") or
 * forgot it ("gone"), at host_ms by the host's clock; bridge may be NULL. */
int ccnc_runlog_fdb(struct ccnc_runlog *log, long long now_ms, const char *host,
                    const char *event, const char *mac, const char *bridge, const char *port,
                    long long host_ms);
/* The last line: the result and the figures; then close.  total_ms etc. may
 * be CCNC_UNKNOWN (-1). */
int ccnc_runlog_finish(struct ccnc_runlog *log, const struct ccnc_action *a, long long now_ms,
                       long long total_ms, long long downtime_ms);
void ccnc_runlog_close(struct ccnc_runlog *log);

/* What a run file says, read back. */
struct ccnc_run_summary {
    char *path;
    char *kind, *vm, *source, *destination;
    long long started_ms;
    char *result;          /* "done", "failed", "rolled-back"; NULL: unfinished */
    char *summary;
    char *last_step;       /* op of the last step line */
    char *last_outcome;
    bool last_rollback;
    long long total_ms, downtime_ms, longest_gap_ms, lost_probes;
    long long stream_stall_ms;   /* the stream's longest stall, CCNC_UNKNOWN */
    long long job_downtime_ms, job_total_ms;   /* libvirt's downtime of the completed
                                                * job; time_elapsed of the last job line */
    /* the forecast its run line kept (CCNC_UNKNOWN: none): libvirt's
     * time_elapsed, the downtime, the network's gap */
    long long forecast_total_ms, forecast_downtime_ms, forecast_gap_ms;
    int forecast_converges;      /* 1, 0 (it would not end within its
                                  * timeout), -1: no forecast */
    size_t n_steps, n_probes, n_bond_changes;
    size_t bad_lines;      /* lines that could not be read */
    char *abort_who;       /* who asked it to stop (the first abort line), NULL */
    long long abort_ms;
    char *in_step;         /* a step that started and never ended: where it stopped */
    bool in_rollback;
    bool migrated;         /* the migration went through (its step ended ok, or
                              libvirt's job statistics of a completed one came) */
    char *vf_host, *vf_pf, *vf_pci;   /* a VF reserved and not given back since */
    int vf_index;
    char *resumed_by;      /* who ended it after it stopped (a resume line), NULL */
    char *policy;          /* the downtime limit's policy (its first setting), NULL */
    long long limit_ms;    /* the downtime limit in force when the guest
                              stopped (one set on the round read as it
                              stopped came too late), else the last set;
                              CCNC_UNKNOWN */
    char *limit_why;       /* its setting line's reason (the policy's name,
                              CCNC_POLICY_*_WHY), NULL */
    /* where the migration was said to be going at its round
     * CCNC_PRECOPY_TO_GO_REPORT (the first to_go line there or after;
     * course UNKNOWN: none) */
    struct ccnc_precopy_to_go course;
};

/* Read a run file.  -1 and err when it cannot be read at all; lines that
 * are damaged are counted in bad_lines and skipped. */
int ccnc_run_read(const char *path, struct ccnc_run_summary *out, struct ccnc_error *err);
void ccnc_run_summary_clear(struct ccnc_run_summary *s);
/* What to do about an unfinished run: translated sentences; NULL for a
 * finished one.  Caller frees. */
char *ccnc_run_advice(const struct ccnc_run_summary *s);

/* One line of a run file, read back (docs/run-files.md); which fields
 * are filled depends on its type. */
enum ccnc_run_line_type {
    CCNC_RUN_LINE_RUN,
    CCNC_RUN_LINE_STEP,
    CCNC_RUN_LINE_STEP_START,
    CCNC_RUN_LINE_JOB,
    CCNC_RUN_LINE_PROBE,
    CCNC_RUN_LINE_BOND,
    CCNC_RUN_LINE_VF,
    CCNC_RUN_LINE_ABORT,
    CCNC_RUN_LINE_RESUME,
    CCNC_RUN_LINE_RESULT,
    CCNC_RUN_LINE_SETTING,
    CCNC_RUN_LINE_FDB,
    CCNC_RUN_LINE_FORECAST,
    CCNC_RUN_LINE_TO_GO,
    CCNC_RUN_LINE_NOTICE,
    CCNC_RUN_LINE_OTHER,     /* a type this ccnc does not know: kept, not read */
    CCNC_RUN_LINE_LAST
};

struct ccnc_run_line {
    enum ccnc_run_line_type type;
    long long t_ms;
    /* run, and resume (who, undo): what was planned */
    int kind;                        /* enum ccnc_action_kind, -1 unknown */
    char *vm, *source, *destination, *nic;
    enum ccnc_step_op *plan;         /* NULL when the file has no plan */
    size_t n_plan;
    char **notes;
    size_t n_notes;
    long long forecast_total_ms, forecast_downtime_ms, forecast_gap_ms;   /* or CCNC_UNKNOWN */
    int forecast_converges;          /* 1, 0, -1 unknown */
    /* step: op, rollback, outcome, started_ms, ended_ms, error; and the
     * action's state after it; also result: state is the result */
    struct ccnc_step step;
    int state;                       /* enum ccnc_action_state, -1 unknown */
    bool on_destination, on_backup_only;
    /* job, and to_go (job.to_go) */
    char *phase;                     /* "iteration", "completed" */
    struct ccnc_migration_figures job;
    long long job_downtime_ms;       /* job.elapsed_ms: its time_elapsed */
    /* probe (its error unused), and the stream's rate then (CCNC_UNKNOWN) */
    struct ccnc_probe_figures probe;
    long long stream_bps;
    /* bond: before, after; vf: event, host, pf, vf_index, pci; abort: who;
     * setting: host, event (its name), value, who (why) */
    long long value;
    char *before, *after, *event, *host, *pf, *pci, *who;
    /* fdb: host, event ("learned", "gone"), mac, before (the bridge), after
     * (the port), value (the host's clock then, ms) */
    char *mac;
    int vf_index;
    bool undo;
    /* result; and notice: summary (its text) */
    char *summary;
    long long total_ms, downtime_ms, longest_gap_ms, lost_probes;
    long long stream_stall_ms;       /* CCNC_UNKNOWN: not measured */
};

/* Every line of the run file at path, in order; a damaged line (the half
 * line of a crash) is counted in *bad and left out.  -1 and err when the
 * file cannot be read or has no run line. */
int ccnc_run_read_lines(const char *path, struct ccnc_run_line **lines, size_t *n, size_t *bad,
                        struct ccnc_error *err);
void ccnc_run_lines_free(struct ccnc_run_line *lines, size_t n);

/* Every run in dir that has no result line yet, newest first (by its run
 * line's time): *out gets n summaries (caller clears each and frees). */
size_t ccnc_run_list_unfinished(const char *dir, struct ccnc_run_summary **out);
/* The newest run file in dir of vm that has no result line yet; NULL if
 * none.  Caller frees. */
char *ccnc_run_find_unfinished(const char *dir, const char *vm);
/* Append an abort line to another process's run file (one write(2) with
 * O_APPEND: a whole line among its own).  -1 and err. */
int ccnc_run_append_abort(const char *path, long long now_ms, const char *who,
                          struct ccnc_error *err);
/* Who asked the run in path to stop (its first abort line), NULL if
 * nobody.  Caller frees. */
char *ccnc_run_abort_who(const char *path);

#endif
