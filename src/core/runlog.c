/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run files (include/ccnc/runlog.h): JSON lines written with json-c, each
 * line written whole and flushed to disk before the action goes on. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include <ccnc/model.h>
#include <ccnc/runlog.h>

#include "core/i18n.h"
#include "core/json-get.h"

#define RUN_VERSION 1

struct ccnc_runlog {
    int fd;
    char *path;
    bool failed;
    long long longest_gap_ms;
    long long lost;
    long long stream_stall_ms;   /* -1: the stream never moved */
};

char *
ccnc_runlog_default_dir(void)
{
    return ccnc_xdg_path("XDG_STATE_HOME", ".local/state", "runs");
}

static void
put_s(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void
put_i(json_object *o, const char *k, long long v)
{
    json_object_object_add(o, k, v < 0 ? NULL : json_object_new_int64(v));
}

/* Write one object as a line and flush it to disk; takes o. */
static int
emit(struct ccnc_runlog *log, json_object *o)
{
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE);
    char *line = ccnc_xasprintf("%s\n", text);
    size_t len = strlen(line), off = 0;
    int rc = 0;

    json_object_put(o);
    while (off < len) {
        ssize_t n = write(log->fd, line + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = -1;
            break;
        }
        off += (size_t)n;
    }
    if (rc == 0 && fdatasync(log->fd) < 0 && errno != EINVAL)
        rc = -1;
    if (rc < 0)
        log->failed = true;
    free(line);
    return rc;
}

static json_object *
line(const char *type, long long now_ms)
{
    json_object *o = json_object_new_object();

    put_s(o, "type", type);
    json_object_object_add(o, "t_ms", json_object_new_int64(now_ms));
    return o;
}

/* What the action is about, as the run line says it. */
static void
put_action(json_object *o, const struct ccnc_action *a)
{
    put_s(o, "kind", ccnc_action_kind_to_string(a->kind));
    put_s(o, "vm", a->vm);
    put_s(o, "source", a->source);
    put_s(o, "destination", a->destination);
    put_s(o, "nic", a->nic);
}

/* The plan's steps and notes into a run or resume line; the notes only
 * when there are some, unless always_notes. */
static json_object *
int_or_null(bool valid, double v)
{
    return valid && isfinite(v) ? json_object_new_int64(llround(v)) : NULL;
}

/* The forecast (docs/run-files.md, docs/status-json.md): the model's
 * input and output; null where the model could not run. */
static json_object *
forecast_json(const struct ccnc_forecast *f)
{
    json_object *o = json_object_new_object();
    bool v = f->valid, stuck = v && !f->out.converges;
    double share = ccnc_forecast_dirty_share(f);

    json_object_object_add(o, "valid", json_object_new_boolean(v));
    json_object_object_add(o, "converges", v ? json_object_new_boolean(f->out.converges) : NULL);
    json_object_object_add(o, "rounds", v ? json_object_new_int(f->out.rounds) : NULL);
    json_object_object_add(o, "total_ms", int_or_null(v && f->out.converges, f->out.total_ms));
    json_object_object_add(o, "downtime_ms", int_or_null(v && f->out.converges, f->out.downtime_ms));
    json_object_object_add(o, "gap_ms", int_or_null(v && f->out.converges, f->out.gap_ms));
    json_object_object_add(o, "memory_bytes",
                           int_or_null(f->in.memory_bytes > 0, f->in.memory_bytes));
    json_object_object_add(o, "rate_bps", int_or_null(f->in.rate_bps > 0, f->in.rate_bps));
    json_object_object_add(o, "dirty_bps", json_object_new_int64(llround(f->in.dirty_bps)));
    json_object_object_add(o, "dirty_measured", json_object_new_boolean(f->dirty_measured));
    json_object_object_add(o, "dirty_samples", json_object_new_int(f->n_samples));
    json_object_object_add(o, "dirty_from",
                           !f->dirty_measured ? NULL
                                              : json_object_new_string(f->step_sampled ? "step"
                                                                                       : "plan"));
    json_object_object_add(o, "dirty_sample_pages",
                           int_or_null(f->dirty_measured && f->sample_pages > 0, f->sample_pages));
    json_object_object_add(o, "dirty_ratio",
                           ccnc_forecast_ratio_applies(f)
                               ? ccnc_json_new_fixed(f->dirty_ratio, 3)
                               : NULL);
    json_object_object_add(o, "dirty_share",
                           share > 0 ? ccnc_json_new_fixed(share, 3) : NULL);
    json_object_object_add(o, "at_edge", json_object_new_boolean(ccnc_forecast_at_edge(f)));
    json_object_object_add(o, "dirty_why", !f->dirty_measured && f->dirty_why[0]
                                               ? json_object_new_string(f->dirty_why)
                                               : NULL);
    json_object_object_add(o, "limit_ms",
                           json_object_new_int64(llround(f->in.limit_ms > 0
                                                             ? f->in.limit_ms
                                                             : CCNC_PRECOPY_DEFAULT_LIMIT_MS)));
    json_object_object_add(o, "ended_limit_ms",
                           int_or_null(f->ended_limit_ms > 0, f->ended_limit_ms));
    json_object_object_add(o, "timeout_ms",
                           json_object_new_int64(llround(ccnc_precopy_max_ms(&f->in))));
    json_object_object_add(o, "edge_less_ms",
                           int_or_null(v && ccnc_forecast_at_edge(f) && f->edge_less.converges,
                                       f->edge_less.total_ms));
    json_object_object_add(o, "edge_more_ms",
                           int_or_null(v && ccnc_forecast_at_edge(f) && f->edge_more.converges,
                                       f->edge_more.total_ms));
    json_object_object_add(o, "link_runs", json_object_new_int64((int64_t)f->n_link));
    /* the rest of the model's input, so that a run can be forecast again */
    json_object_object_add(o, "first_round_bytes",
                           int_or_null(f->in.first_round_bytes > 0, f->in.first_round_bytes));
    json_object_object_add(o, "working_set_bytes",
                           int_or_null(f->in.working_set_bytes > 0, f->in.working_set_bytes));
    json_object_object_add(o, "setup_ms", json_object_new_int64(llround(f->in.setup_ms)));
    json_object_object_add(o, "switchover_ms", json_object_new_int64(llround(f->in.switchover_ms)));
    json_object_object_add(o, "switchover_limit_ms",
                           int_or_null(f->in.switchover_limit_ms > 0, f->in.switchover_limit_ms));
    json_object_object_add(o, "stop_ms", int_or_null(f->in.stop_ms > 0, f->in.stop_ms));
    json_object_object_add(o, "stop_rest_bytes",
                           int_or_null(f->in.stop_rest_bytes > 0, f->in.stop_rest_bytes));
    json_object_object_add(o, "first_tail_share",
                           f->in.first_tail_share > 0
                               ? ccnc_json_new_fixed(f->in.first_tail_share, 3)
                               : NULL);
    json_object_object_add(o, "gap_extra_ms", json_object_new_int64(llround(f->in.gap_extra_ms)));
    json_object_object_add(o, "auto_converge", json_object_new_boolean(f->in.auto_converge));
    json_object_object_add(o, "throttle_pct",
                           int_or_null(v && f->out.converges && f->in.auto_converge,
                                       f->out.throttle_pct));
    json_object_object_add(o, "auto_converge_total_ms",
                           int_or_null(stuck && f->with_auto_converge.converges,
                                       f->with_auto_converge.total_ms));
    json_object_object_add(o, "auto_converge_downtime_ms",
                           int_or_null(stuck && f->with_auto_converge.converges,
                                       f->with_auto_converge.downtime_ms));
    json_object_object_add(o, "limit_to_converge_ms",
                           int_or_null(stuck && f->limit_to_converge_ms > 0, f->limit_to_converge_ms));
    json_object_object_add(o, "rate_to_converge_bps",
                           int_or_null(stuck && f->rate_to_converge_bps > 0, f->rate_to_converge_bps));
    return o;
}

static void
put_plan(json_object *o, const struct ccnc_action *a, bool always_notes)
{
    json_object *plan = json_object_new_array();

    for (size_t i = 0; i < a->n_steps; i++)
        if (!a->steps[i].rollback)
            json_object_array_add(plan,
                                  json_object_new_string(ccnc_step_op_to_string(a->steps[i].op)));
    json_object_object_add(o, "plan", plan);
    if (a->n_notes || always_notes) {
        json_object *notes = json_object_new_array();
        for (size_t i = 0; i < a->n_notes; i++)
            json_object_array_add(notes, json_object_new_string(a->notes[i]));
        json_object_object_add(o, "notes", notes);
    }
    if (a->n_placement) {
        json_object *pl = json_object_new_array();
        for (size_t i = 0; i < a->n_placement; i++) {
            json_object *h = json_object_new_object();
            json_object_object_add(h, "host", json_object_new_string(a->placement[i].host));
            json_object_object_add(h, "chosen", json_object_new_boolean(a->placement[i].chosen));
            json_object_object_add(h, "candidate",
                                   json_object_new_boolean(a->placement[i].candidate));
            json_object_object_add(h, "why", json_object_new_string(a->placement[i].why));
            json_object_array_add(pl, h);
        }
        json_object_object_add(o, "placement", pl);
    }
    if (a->forecast.tried)
        json_object_object_add(o, "forecast", forecast_json(&a->forecast));
}

char *
ccnc_runlog_plan_json(const struct ccnc_action *a)
{
    json_object *o = json_object_new_object(), *steps = json_object_new_array();
    char *text;

    json_object_object_add(o, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    put_action(o, a);
    json_object_object_add(o, "undo", json_object_new_boolean(a->undo));
    put_plan(o, a, true);
    for (size_t i = 0; i < a->n_steps; i++) {
        json_object *s = json_object_new_object();
        put_s(s, "name", ccnc_step_op_to_string(a->steps[i].op));
        json_object_object_add(s, "rollback", json_object_new_boolean(a->steps[i].rollback));
        json_object_array_add(steps, s);
    }
    json_object_object_add(o, "steps", steps);
    text = ccnc_xstrdup(json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}

struct ccnc_runlog *
ccnc_runlog_reopen(const char *path, const struct ccnc_action *a, long long now_ms,
                   const char *who, struct ccnc_error *err)
{
    int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
    struct ccnc_runlog *log;
    struct stat st;
    json_object *o;
    char last = '\n';

    if (fd < 0) {
        ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot open: %s"), strerror(errno));
        return NULL;
    }
    /* a run killed mid-write left half a line: the next one starts anew */
    if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
        last = '\n';
    if (last != '\n' && write(fd, "\n", 1) != 1) {
        ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot write: %s"), strerror(errno));
        close(fd);
        return NULL;
    }
    log = ccnc_xcalloc(1, sizeof(*log));
    log->stream_stall_ms = -1;
    log->fd = fd;
    log->path = ccnc_xstrdup(path);
    o = line("resume", now_ms);
    put_s(o, "who", who);
    json_object_object_add(o, "undo", json_object_new_boolean(a->undo));
    put_s(o, "host", a->source);
    put_plan(o, a, false);
    if (emit(log, o) < 0) {
        ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot write the run file: %s"),
                          strerror(errno));
        ccnc_runlog_close(log);
        return NULL;
    }
    return log;
}

struct ccnc_runlog *
ccnc_runlog_open(const char *dir, const struct ccnc_action *a, long long now_ms,
                 struct ccnc_error *err)
{
    struct ccnc_runlog *log;
    char stamp[32];
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    json_object *o;
    int fd = -1;
    char *path = NULL;

    if (ccnc_mkdir_p(dir, 0700) < 0) {
        ccnc_error_set_at(err, CCNC_ERR_IO, dir, 0, _("cannot make the run folder: %s"),
                          strerror(errno));
        return NULL;
    }
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    for (int n = 0; n < 100 && fd < 0; n++) {
        free(path);
        path = n == 0 ? ccnc_xasprintf("%s/%s-%s-%s.jsonl", dir, stamp, a->vm ? a->vm : "lab",
                                       ccnc_action_kind_to_string(a->kind))
                      : ccnc_xasprintf("%s/%s-%s-%s.%d.jsonl", dir, stamp, a->vm ? a->vm : "lab",
                                       ccnc_action_kind_to_string(a->kind), n);
        /* O_APPEND: `ccnc abort` in another shell appends its line to this
         * file; each writer's line lands whole at the end, none over another */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot make the run file: %s"),
                          strerror(errno));
        free(path);
        return NULL;
    }
    log = ccnc_xcalloc(1, sizeof(*log));
    log->stream_stall_ms = -1;
    log->fd = fd;
    log->path = path;
    o = line("run", now_ms);
    json_object_object_add(o, "version", json_object_new_int(RUN_VERSION));
    put_action(o, a);
    {
        char iso[CCNC_ISO_TIME_LEN];
        ccnc_format_iso_ms(iso, now_ms);
        put_s(o, "started", iso);
    }
    put_plan(o, a, false);
    if (emit(log, o) < 0) {
        ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot write the run file: %s"),
                          strerror(errno));
        ccnc_runlog_close(log);
        return NULL;
    }
    return log;
}

const char *
ccnc_runlog_path(const struct ccnc_runlog *log)
{
    return log->path;
}

int
ccnc_runlog_step(struct ccnc_runlog *log, const struct ccnc_action *a, const struct ccnc_step *s)
{
    json_object *o = line("step", s->ended_ms ? s->ended_ms : s->started_ms);

    put_s(o, "op", ccnc_step_op_to_string(s->op));
    json_object_object_add(o, "rollback", json_object_new_boolean(s->rollback));
    put_s(o, "outcome", ccnc_step_outcome_to_string(s->outcome));
    put_i(o, "started_ms", s->started_ms ? s->started_ms : -1);
    put_i(o, "ended_ms", s->ended_ms ? s->ended_ms : -1);
    put_i(o, "duration_ms", s->ended_ms && s->started_ms ? s->ended_ms - s->started_ms : -1);
    put_s(o, "error", s->error);
    put_s(o, "state", ccnc_action_state_to_string(a->state));
    json_object_object_add(o, "on_destination", json_object_new_boolean(a->on_destination));
    json_object_object_add(o, "on_backup_only", json_object_new_boolean(a->on_backup_only));
    return emit(log, o);
}

int
ccnc_runlog_step_start(struct ccnc_runlog *log, const struct ccnc_step *s)
{
    json_object *o = line("step-start", s->started_ms);

    put_s(o, "op", ccnc_step_op_to_string(s->op));
    json_object_object_add(o, "rollback", json_object_new_boolean(s->rollback));
    return emit(log, o);
}

int
ccnc_runlog_job(struct ccnc_runlog *log, const char *phase, long long now_ms,
                const char *const *names, const long long *values, size_t n)
{
    json_object *o = line("job", now_ms), *stats = json_object_new_object();

    put_s(o, "phase", phase);
    for (size_t i = 0; i < n; i++)
        json_object_object_add(stats, names[i], json_object_new_int64(values[i]));
    json_object_object_add(o, "stats", stats);
    return emit(log, o);
}

int
ccnc_runlog_probe(struct ccnc_runlog *log, long long now_ms, const struct ccnc_probe_figures *f,
                  long long stream_bps)
{
    json_object *o = line("probe", now_ms);

    put_i(o, "sent", f->sent);
    put_i(o, "received", f->received);
    put_i(o, "lost", f->lost);
    put_i(o, "current_gap_ms", f->current_gap_ms);
    put_i(o, "longest_gap_ms", f->longest_gap_ms);
    if (stream_bps >= 0)
        put_i(o, "stream_bps", stream_bps);
    if (f->stream) {
        put_i(o, "stream_stall_ms", f->stream_stall_ms);
        put_i(o, "stream_longest_stall_ms", f->stream_longest_stall_ms);
        if (f->stream_longest_stall_ms > log->stream_stall_ms)
            log->stream_stall_ms = f->stream_longest_stall_ms;
    }
    if (f->longest_gap_ms > log->longest_gap_ms)
        log->longest_gap_ms = f->longest_gap_ms;
    if (f->lost > log->lost)
        log->lost = f->lost;
    return emit(log, o);
}

int
ccnc_runlog_bond(struct ccnc_runlog *log, long long now_ms, const char *vm, const char *before,
                 const char *after)
{
    json_object *o = line("bond", now_ms);

    put_s(o, "vm", vm);
    put_s(o, "before", before);
    put_s(o, "after", after);
    return emit(log, o);
}

int
ccnc_runlog_vf(struct ccnc_runlog *log, long long now_ms, const char *event, const char *host,
               const char *pf, int index, const char *pci)
{
    json_object *o = line("vf", now_ms);

    put_s(o, "event", event);
    put_s(o, "host", host);
    put_s(o, "pf", pf);
    put_i(o, "vf", index);
    put_s(o, "pci", pci);
    return emit(log, o);
}

int
ccnc_runlog_setting(struct ccnc_runlog *log, long long now_ms, const char *host, const char *name,
                    long long value, const char *why)
{
    json_object *o = line("setting", now_ms);

    put_s(o, "host", host);
    put_s(o, "name", name);
    put_i(o, "value", value);
    put_s(o, "why", why);
    return emit(log, o);
}

int
ccnc_runlog_to_go(struct ccnc_runlog *log, long long now_ms, const struct ccnc_precopy_to_go *g)
{
    json_object *o = line("to_go", now_ms);
    bool shrinking = g->course == CCNC_PRECOPY_SHRINKING;

    json_object_object_add(o, "iteration", json_object_new_int(g->iteration));
    put_i(o, "elapsed_ms", llround(g->elapsed_ms));
    put_s(o, "course", ccnc_precopy_course_name(g->course));
    json_object_object_add(o, "shrink", ccnc_json_new_fixed(g->shrink, 3));
    put_i(o, "remaining_bytes", llround(g->remaining_bytes));
    put_i(o, "threshold_bytes", llround(g->threshold_bytes));
    json_object_object_add(o, "rounds", shrinking ? json_object_new_int(g->rounds) : NULL);
    json_object_object_add(o, "to_go_ms", shrinking ? json_object_new_int64(llround(g->ms)) : NULL);
    json_object_object_add(o, "end_ms", shrinking ? json_object_new_int64(llround(g->elapsed_ms + g->ms))
                                                  : NULL);
    return emit(log, o);
}

int
ccnc_runlog_fdb(struct ccnc_runlog *log, long long now_ms, const char *host, const char *event,
                const char *mac, const char *bridge, const char *port, long long host_ms)
{
    json_object *o = line("fdb", now_ms);

    put_s(o, "host", host);
    put_s(o, "event", event);
    put_s(o, "mac", mac);
    put_s(o, "bridge", bridge);
    put_s(o, "port", port);
    put_i(o, "host_ms", host_ms);
    return emit(log, o);
}

int
ccnc_runlog_forecast(struct ccnc_runlog *log, long long now_ms, const struct ccnc_forecast *f)
{
    json_object *o = line("forecast", now_ms);

    json_object_object_add(o, "forecast", forecast_json(f));
    return emit(log, o);
}

int
ccnc_runlog_abort(struct ccnc_runlog *log, long long now_ms, const char *who)
{
    json_object *o = line("abort", now_ms);

    put_s(o, "who", who);
    return emit(log, o);
}

int
ccnc_runlog_notice(struct ccnc_runlog *log, long long now_ms, const char *text)
{
    json_object *o = line("notice", now_ms);

    put_s(o, "text", text);
    return emit(log, o);
}

int
ccnc_runlog_finish(struct ccnc_runlog *log, const struct ccnc_action *a, long long now_ms,
                   long long total_ms, long long downtime_ms)
{
    json_object *o = line("result", now_ms);

    put_s(o, "result", ccnc_action_state_to_string(a->state));
    put_s(o, "summary", a->summary);
    put_i(o, "total_ms", total_ms);
    put_i(o, "downtime_ms", downtime_ms);
    put_i(o, "longest_gap_ms", log->longest_gap_ms);
    put_i(o, "lost_probes", log->lost);
    if (log->stream_stall_ms >= 0)
        put_i(o, "stream_stall_ms", log->stream_stall_ms);
    json_object_object_add(o, "on_destination", json_object_new_boolean(a->on_destination));
    json_object_object_add(o, "on_backup_only", json_object_new_boolean(a->on_backup_only));
    return emit(log, o);
}

void
ccnc_runlog_close(struct ccnc_runlog *log)
{
    if (!log)
        return;
    if (log->fd >= 0)
        close(log->fd);
    free(log->path);
    free(log);
}

/* --- reading ---------------------------------------------------------------- */

/* The summary from the file's lines: the run line's plan, the last step,
 * the figures of the probe, the job and the result. */
static void
summarize(struct ccnc_run_summary *s, const struct ccnc_run_line *l)
{
    switch (l->type) {
    case CCNC_RUN_LINE_RUN:
        s->kind = ccnc_xstrdup(l->kind >= 0 ? ccnc_action_kind_to_string(l->kind) : "?");
        s->vm = ccnc_xstrdup(l->vm);
        s->source = ccnc_xstrdup(l->source);
        s->destination = ccnc_xstrdup(l->destination);
        s->started_ms = l->t_ms;
        s->forecast_total_ms = l->forecast_total_ms;
        s->forecast_downtime_ms = l->forecast_downtime_ms;
        s->forecast_gap_ms = l->forecast_gap_ms;
        s->forecast_converges = l->forecast_converges;
        break;
    case CCNC_RUN_LINE_STEP_START:
        ccnc_str_set(&s->in_step, l->step.op < CCNC_STEP_LAST ? ccnc_step_op_to_string(l->step.op)
                                                             : "?");
        s->in_rollback = l->step.rollback;
        break;
    case CCNC_RUN_LINE_STEP:
        s->n_steps++;
        ccnc_str_set(&s->last_step, l->step.op < CCNC_STEP_LAST ? ccnc_step_op_to_string(l->step.op)
                                                               : NULL);
        ccnc_str_set(&s->last_outcome, l->step.outcome < CCNC_STEP_OUTCOME_LAST
                                           ? ccnc_step_outcome_to_string(l->step.outcome)
                                           : NULL);
        s->last_rollback = l->step.rollback;
        ccnc_str_set(&s->in_step, NULL);   /* it ended */
        if (l->step.op == CCNC_STEP_MIGRATE && !l->step.rollback &&
            l->step.outcome == CCNC_STEP_OK)
            s->migrated = true;
        break;
    case CCNC_RUN_LINE_VF:
        if (ccnc_streq(l->event, "reserved")) {
            ccnc_str_set(&s->vf_host, l->host);
            ccnc_str_set(&s->vf_pf, l->pf);
            ccnc_str_set(&s->vf_pci, l->pci);
            s->vf_index = l->vf_index;
        } else if (ccnc_streq(l->event, "released") && ccnc_streq(l->host, s->vf_host) &&
                   ccnc_streq(l->pci, s->vf_pci)) {
            ccnc_str_set(&s->vf_host, NULL);
            ccnc_str_set(&s->vf_pf, NULL);
            ccnc_str_set(&s->vf_pci, NULL);
        }
        break;
    case CCNC_RUN_LINE_PROBE:
        s->n_probes++;
        if (l->probe.longest_gap_ms > s->longest_gap_ms)
            s->longest_gap_ms = l->probe.longest_gap_ms;
        if (l->probe.lost > s->lost_probes)
            s->lost_probes = l->probe.lost;
        if (l->probe.stream && l->probe.stream_longest_stall_ms > s->stream_stall_ms)
            s->stream_stall_ms = l->probe.stream_longest_stall_ms;
        break;
    case CCNC_RUN_LINE_BOND:
        s->n_bond_changes++;
        break;
    case CCNC_RUN_LINE_JOB:
        if (ccnc_streq(l->phase, "completed"))
            s->migrated = true;
        /* a running job's "downtime" is QEMU's expected one */
        if (l->job_downtime_ms >= 0 && ccnc_streq(l->phase, "completed"))
            s->job_downtime_ms = l->job_downtime_ms;
        if (l->job.elapsed_ms >= 0)
            s->job_total_ms = l->job.elapsed_ms;
        break;
    case CCNC_RUN_LINE_RESUME:
        ccnc_str_set(&s->resumed_by, l->who ? l->who : "?");
        break;
    case CCNC_RUN_LINE_TO_GO:
        /* the first said at or after the round the report shows */
        if (s->course.course == CCNC_PRECOPY_UNKNOWN &&
            l->job.to_go.iteration >= CCNC_PRECOPY_TO_GO_REPORT)
            s->course = l->job.to_go;
        break;
    case CCNC_RUN_LINE_FORECAST:
        s->forecast_total_ms = l->forecast_total_ms;
        s->forecast_downtime_ms = l->forecast_downtime_ms;
        s->forecast_gap_ms = l->forecast_gap_ms;
        s->forecast_converges = l->forecast_converges;
        break;
    case CCNC_RUN_LINE_SETTING:
        if (ccnc_streq(l->event, "downtime_limit_ms")) {
            if (!s->policy)
                s->policy = ccnc_xstrdup(l->who ? l->who : "?");
            s->limit_ms = l->value;
            free(s->limit_why);
            s->limit_why = l->who ? ccnc_xstrdup(l->who) : NULL;
        }
        break;
    case CCNC_RUN_LINE_ABORT:
        if (!s->abort_who) {
            s->abort_who = ccnc_xstrdup(l->who ? l->who : "?");
            s->abort_ms = l->t_ms;
        }
        break;
    case CCNC_RUN_LINE_RESULT:
        s->result = ccnc_xstrdup(l->state >= 0 ? ccnc_action_state_to_string(l->state) : "?");
        ccnc_str_set(&s->summary, l->summary);
        if (l->total_ms >= 0)
            s->total_ms = l->total_ms;
        if (l->downtime_ms >= 0)
            s->downtime_ms = l->downtime_ms;
        if (l->longest_gap_ms > s->longest_gap_ms)
            s->longest_gap_ms = l->longest_gap_ms;
        if (l->lost_probes > s->lost_probes)
            s->lost_probes = l->lost_probes;
        if (l->stream_stall_ms > s->stream_stall_ms)
            s->stream_stall_ms = l->stream_stall_ms;
        break;
    default:
        break;
    }
}

/* A migration that completed: the downtime limit in force when the guest
 * stopped, in s->limit_ms (ccnc_precopy_limit_at_stop). */
static void
limit_at_stop(struct ccnc_run_summary *s, const struct ccnc_run_line *lines, size_t n)
{
    struct ccnc_precopy_limit_set *set = NULL;
    const char **why = NULL;   /* each one's reason */
    size_t n_set = 0, cap = 0, n_why = 0, cap_why = 0, at = 0;
    double read_ms = -1;

    if (!s->migrated || s->job_total_ms < 0 || s->job_downtime_ms < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct ccnc_run_line *l = &lines[i];

        if (l->type == CCNC_RUN_LINE_JOB && ccnc_streq(l->phase, "iteration") &&
            l->job.elapsed_ms >= 0)
            read_ms = (double)l->job.elapsed_ms;
        else if (l->type == CCNC_RUN_LINE_SETTING && ccnc_streq(l->event, "downtime_limit_ms")) {
            *(struct ccnc_precopy_limit_set *)ccnc_array_push(&set, &n_set, &cap,
                                                              sizeof(*set)) =
                (struct ccnc_precopy_limit_set){ (double)l->value, read_ms };
            *(const char **)ccnc_array_push(&why, &n_why, &cap_why, sizeof(*why)) = l->who;
        }
    }
    if (n_set) {
        s->limit_ms = llround(ccnc_precopy_limit_at_stop(
            set, n_set, (double)(s->job_total_ms - s->job_downtime_ms), &at));
        free(s->limit_why);
        s->limit_why = why[at] ? ccnc_xstrdup(why[at]) : NULL;
    }
    free(set);
    free(why);
}

int
ccnc_run_read(const char *path, struct ccnc_run_summary *out, struct ccnc_error *err)
{
    struct ccnc_run_line *lines;
    size_t n, bad;

    memset(out, 0, sizeof(*out));
    if (ccnc_run_read_lines(path, &lines, &n, &bad, err) < 0)
        return -1;
    out->path = ccnc_xstrdup(path);
    out->total_ms = out->downtime_ms = out->longest_gap_ms = out->lost_probes = CCNC_UNKNOWN;
    out->stream_stall_ms = CCNC_UNKNOWN;
    out->job_downtime_ms = out->job_total_ms = out->started_ms = out->abort_ms = CCNC_UNKNOWN;
    out->forecast_total_ms = out->forecast_downtime_ms = out->forecast_gap_ms = CCNC_UNKNOWN;
    out->forecast_converges = -1;
    out->limit_ms = CCNC_UNKNOWN;
    out->bad_lines = bad;   /* e.g. the half line of a crash */
    for (size_t i = 0; i < n; i++)
        summarize(out, &lines[i]);
    limit_at_stop(out, lines, n);
    ccnc_run_lines_free(lines, n);
    return 0;
}

void
ccnc_run_summary_clear(struct ccnc_run_summary *s)
{
    free(s->path); free(s->kind); free(s->vm); free(s->source); free(s->destination);
    free(s->result); free(s->summary); free(s->last_step); free(s->last_outcome);
    free(s->abort_who); free(s->in_step);
    free(s->vf_host); free(s->vf_pf); free(s->vf_pci); free(s->resumed_by); free(s->policy);
    free(s->limit_why);
    memset(s, 0, sizeof(*s));
}

static bool
is_op(const char *op, const char *const *ops)
{
    for (size_t i = 0; op && ops[i]; i++)
        if (strcmp(op, ops[i]) == 0)
            return true;
    return false;
}

char *
ccnc_run_advice(const struct ccnc_run_summary *s)
{
    static const char *const on_backup[] = { "bond-to-backup", "verify-on-backup", "detach",
                                             NULL };
    static const char *const changing[] = { "bond-to-backup", "verify-on-backup", "detach",
                                            "migrate", "attach", "wait-enslaved",
                                            "bond-to-primary", "verify", NULL };
    const char *vm = s->vm ? s->vm : "VM";
    const char *step = s->in_step ? s->in_step : s->last_step;
    char *what, *all;

    if (s->result)
        return NULL;
    if (!step)
        what = ccnc_xstrdup(_("it stopped before its first step: nothing was changed."));
    else if (s->in_rollback || (!s->in_step && s->last_rollback))
        what = ccnc_xasprintf(_("it stopped while undoing its steps: 'ccnc resume %s' finishes "
                                "undoing them."), vm);
    else if (s->in_step && strcmp(s->in_step, "migrate") == 0 && !s->migrated)
        what = ccnc_xasprintf(_("it stopped during the migration, which libvirt may have "
                                "finished on its own: 'ccnc resume %s' finds where the VM runs "
                                "and finishes the action or undoes it."), vm);
    else if (s->migrated)
        what = ccnc_xasprintf(_("it stopped after the migration: the VM runs on %s, perhaps on "
                                "its backup NIC alone: 'ccnc resume %s' gives it its "
                                "passthrough NIC there."), s->destination ? s->destination : "?",
                              vm);
    else if (is_op(step, on_backup))
        what = ccnc_xasprintf(_("it stopped after the bond moved to the backup NIC: the VM may "
                                "lack its passthrough NIC; 'ccnc resume %s' puts it back."), vm);
    else if (is_op(step, changing))
        what = ccnc_xasprintf(_("it stopped during '%s': 'ccnc resume %s' finds how the VM is "
                                "and finishes the action or undoes it."), step, vm);
    else
        what = ccnc_xstrdup(_("it stopped during its checks: nothing was changed on the VM."));
    if (!s->vf_host)
        return what;
    /* TRANSLATORS: after the sentence on where the run stopped */
    all = ccnc_xasprintf(_("%s VF %d of %s on %s (%s) stays reserved for it; 'ccnc resume %s' "
                           "gives it back if the VM does not take it."), what, s->vf_index,
                         s->vf_pf ? s->vf_pf : "?", s->vf_host, s->vf_pci ? s->vf_pci : "?",
                         vm);
    free(what);
    return all;
}

/* --- another process's run --------------------------------------------------- */

/* Each line of the file at path as an object, to fn until it says stop. */
static void
each_line(const char *path, bool (*fn)(json_object *o, void *data), void *data)
{
    char *text = ccnc_file_read(path, 64 * 1024 * 1024, NULL, NULL);

    for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
        json_object *o;
        bool more = true;
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        o = *p ? json_tokener_parse(p) : NULL;
        if (o && json_object_is_type(o, json_type_object))
            more = fn(o, data);
        json_object_put(o);
        if (!more)
            break;
    }
    free(text);
}

static const char *
type_of(json_object *o)
{
    return ccnc_json_get_str(o, "type");
}

static bool
find_abort(json_object *o, void *data)
{
    const char *who = ccnc_json_get_str(o, "who");

    if (!ccnc_streq(type_of(o), "abort"))
        return true;
    *(char **)data = ccnc_xstrdup(who ? who : "?");
    return false;
}

char *
ccnc_run_abort_who(const char *path)
{
    char *who = NULL;

    each_line(path, find_abort, &who);
    return who;
}

/* What find_unfinished looks at in one file. */
struct unfinished {
    const char *vm;
    bool is_vm, has_result;
    long long t_ms;
};

static bool
look(json_object *o, void *data)
{
    struct unfinished *u = data;
    const char *type = type_of(o);

    if (ccnc_streq(type, "run")) {
        u->is_vm = ccnc_streq(ccnc_json_get_str(o, "vm"), u->vm);
        u->t_ms = ccnc_json_get_int(o, "t_ms", 0);
        return u->is_vm;
    }
    if (ccnc_streq(type, "result"))
        u->has_result = true;
    return !u->has_result;
}

char *
ccnc_run_find_unfinished(const char *dir, const char *vm)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *best = NULL;
    long long best_t = -1;

    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        struct unfinished u = { .vm = vm };
        char *path;
        if (len <= 6 || strcmp(e->d_name + len - 6, ".jsonl") != 0)
            continue;
        path = ccnc_xasprintf("%s/%s", dir, e->d_name);
        each_line(path, look, &u);
        if (u.is_vm && !u.has_result && u.t_ms > best_t) {
            free(best);
            best = path;
            best_t = u.t_ms;
        } else {
            free(path);
        }
    }
    if (d)
        closedir(d);
    return best;
}

int
ccnc_run_append_abort(const char *path, long long now_ms, const char *who,
                      struct ccnc_error *err)
{
    json_object *o = line("abort", now_ms);
    char *text;
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    ssize_t n;
    int rc = 0;

    put_s(o, "who", who);
    text = ccnc_xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    if (fd < 0)
        rc = ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot open: %s"), strerror(errno));
    else if ((n = write(fd, text, strlen(text))) != (ssize_t)strlen(text))
        rc = ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot write: %s"),
                               n < 0 ? strerror(errno) : _("a short write"));
    else if (fdatasync(fd) < 0 && errno != EINVAL)
        rc = ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot write: %s"), strerror(errno));
    if (fd >= 0)
        close(fd);
    free(text);
    return rc;
}

/* --- reading line by line ---------------------------------------------------- */

static const char *const line_types[CCNC_RUN_LINE_LAST] = {
    "run", "step", "step-start", "job", "probe", "bond", "vf", "abort", "resume", "result",
    "setting", "fdb", "forecast", "to_go", "notice", NULL,
};

static const char *
str_of(json_object *o, const char *k)
{
    return ccnc_json_get_str(o, k);
}

static long long
int_of(json_object *o, const char *k)
{
    return ccnc_json_get_int(o, k, CCNC_UNKNOWN);
}

static bool
bool_of(json_object *o, const char *k)
{
    return ccnc_json_get_bool(o, k, false);
}

static int
state_of(json_object *o, const char *k)
{
    const char *s = str_of(o, k);

    for (int i = 0; s && i < CCNC_ACTION_STATE_LAST; i++)
        if (strcmp(ccnc_action_state_to_string((enum ccnc_action_state)i), s) == 0)
            return i;
    return -1;
}

static void
read_run_line(struct ccnc_run_line *l, json_object *o)
{
    json_object *arr;
    const char *kind = str_of(o, "kind");
    int op;

    l->kind = kind ? ccnc_action_kind_from_string(kind) : -1;
    l->vm = ccnc_xstrdup(str_of(o, "vm"));
    l->source = ccnc_xstrdup(str_of(o, "source"));
    l->destination = ccnc_xstrdup(str_of(o, "destination"));
    l->nic = ccnc_xstrdup(str_of(o, "nic"));
    l->forecast_total_ms = l->forecast_downtime_ms = l->forecast_gap_ms = CCNC_UNKNOWN;
    l->forecast_converges = -1;
    if (json_object_object_get_ex(o, "forecast", &arr) &&
        json_object_is_type(arr, json_type_object)) {
        json_object *c;

        if (json_object_object_get_ex(arr, "converges", &c) && c &&
            json_object_is_type(c, json_type_boolean))
            l->forecast_converges = json_object_get_boolean(c) ? 1 : 0;
        l->forecast_total_ms = int_of(arr, "total_ms");
        l->forecast_downtime_ms = int_of(arr, "downtime_ms");
        l->forecast_gap_ms = int_of(arr, "gap_ms");
    }
    if (json_object_object_get_ex(o, "plan", &arr) && json_object_is_type(arr, json_type_array)) {
        size_t n = json_object_array_length(arr);
        l->plan = ccnc_xcalloc(n ? n : 1, sizeof(*l->plan));
        for (size_t i = 0; i < n; i++)
            if ((op = ccnc_step_op_from_string(
                     json_object_get_string(json_object_array_get_idx(arr, i)))) >= 0)
                l->plan[l->n_plan++] = (enum ccnc_step_op)op;
    }
    if (json_object_object_get_ex(o, "notes", &arr) && json_object_is_type(arr, json_type_array)) {
        size_t n = json_object_array_length(arr);
        l->notes = ccnc_xcalloc(n ? n : 1, sizeof(*l->notes));
        for (size_t i = 0; i < n; i++) {
            json_object *v = json_object_array_get_idx(arr, i);
            if (json_object_is_type(v, json_type_string))
                l->notes[l->n_notes++] = ccnc_xstrdup(json_object_get_string(v));
        }
    }
}

static void
read_step_line(struct ccnc_run_line *l, json_object *o)
{
    const char *outcome = str_of(o, "outcome");
    int op = ccnc_step_op_from_string(str_of(o, "op"));

    l->step.op = op < 0 ? CCNC_STEP_LAST : (enum ccnc_step_op)op;
    l->step.rollback = bool_of(o, "rollback");
    l->step.outcome = CCNC_STEP_OUTCOME_LAST;
    for (int i = 0; outcome && i < CCNC_STEP_OUTCOME_LAST; i++)
        if (strcmp(ccnc_step_outcome_to_string((enum ccnc_step_outcome)i), outcome) == 0)
            l->step.outcome = (enum ccnc_step_outcome)i;
    l->step.started_ms = int_of(o, "started_ms") < 0 ? 0 : int_of(o, "started_ms");
    l->step.ended_ms = int_of(o, "ended_ms") < 0 ? 0 : int_of(o, "ended_ms");
    l->step.error = ccnc_xstrdup(str_of(o, "error"));
}

static void
read_job_line(struct ccnc_run_line *l, json_object *o)
{
    json_object *st;

    l->phase = ccnc_xstrdup(str_of(o, "phase"));
    l->job = (struct ccnc_migration_figures){ 0, -1, -1, -1, -1, -1, -1, -1, { 0 } };
    l->job_downtime_ms = CCNC_UNKNOWN;
    l->stream_bps = CCNC_UNKNOWN;
    if (!json_object_object_get_ex(o, "stats", &st))
        return;
    l->job.iteration = int_of(st, "memory_iteration") < 0 ? 0 : (int)int_of(st, "memory_iteration");
    l->job.memory_total = int_of(st, "memory_total");
    l->job.memory_processed = int_of(st, "memory_processed");
    l->job.memory_remaining = int_of(st, "memory_remaining");
    l->job.dirty_rate = int_of(st, "memory_dirty_rate");
    l->job.bps = int_of(st, "memory_bps");
    l->job_downtime_ms = int_of(st, "downtime");
    l->job.elapsed_ms = int_of(st, "time_elapsed");
}

static void
read_one(struct ccnc_run_line *l, json_object *o)
{
    int t = ccnc_enum_from_string(line_types, CCNC_RUN_LINE_LAST, str_of(o, "type"));

    l->type = t < 0 ? CCNC_RUN_LINE_OTHER : (enum ccnc_run_line_type)t;
    l->t_ms = int_of(o, "t_ms");
    l->kind = l->state = -1;
    l->total_ms = l->downtime_ms = l->longest_gap_ms = l->lost_probes = CCNC_UNKNOWN;
    l->stream_stall_ms = CCNC_UNKNOWN;
    switch (l->type) {
    case CCNC_RUN_LINE_RUN:
        read_run_line(l, o);
        break;
    case CCNC_RUN_LINE_STEP_START:
        read_step_line(l, o);
        l->step.outcome = CCNC_STEP_RUNNING_NOW;
        l->step.started_ms = l->t_ms;
        break;
    case CCNC_RUN_LINE_STEP:
        read_step_line(l, o);
        l->state = state_of(o, "state");
        l->on_destination = bool_of(o, "on_destination");
        l->on_backup_only = bool_of(o, "on_backup_only");
        break;
    case CCNC_RUN_LINE_JOB:
        read_job_line(l, o);
        break;
    case CCNC_RUN_LINE_TO_GO: {
        struct ccnc_precopy_to_go *g = &l->job.to_go;

        g->course = ccnc_precopy_course_from_name(str_of(o, "course"));
        g->iteration = (int)ccnc_json_get_int(o, "iteration", 0);
        g->elapsed_ms = ccnc_json_get_double(o, "elapsed_ms", 0);
        g->shrink = ccnc_json_get_double(o, "shrink", 0);
        g->remaining_bytes = ccnc_json_get_double(o, "remaining_bytes", 0);
        g->threshold_bytes = ccnc_json_get_double(o, "threshold_bytes", 0);
        g->rounds = (int)ccnc_json_get_int(o, "rounds", 0);
        g->ms = ccnc_json_get_double(o, "to_go_ms", 0);
        break;
    }
    case CCNC_RUN_LINE_PROBE:
        l->probe.measured = true;
        l->probe.sent = int_of(o, "sent");
        l->probe.received = int_of(o, "received");
        l->probe.lost = int_of(o, "lost");
        l->probe.current_gap_ms = int_of(o, "current_gap_ms");
        l->probe.longest_gap_ms = int_of(o, "longest_gap_ms");
        l->stream_bps = int_of(o, "stream_bps");
        l->probe.stream_stall_ms = int_of(o, "stream_stall_ms");
        l->probe.stream_longest_stall_ms = int_of(o, "stream_longest_stall_ms");
        l->probe.stream = l->probe.stream_stall_ms >= 0 && l->probe.stream_longest_stall_ms >= 0;
        break;
    case CCNC_RUN_LINE_BOND:
        l->vm = ccnc_xstrdup(str_of(o, "vm"));
        l->before = ccnc_xstrdup(str_of(o, "before"));
        l->after = ccnc_xstrdup(str_of(o, "after"));
        break;
    case CCNC_RUN_LINE_VF:
        l->event = ccnc_xstrdup(str_of(o, "event"));
        l->host = ccnc_xstrdup(str_of(o, "host"));
        l->pf = ccnc_xstrdup(str_of(o, "pf"));
        l->pci = ccnc_xstrdup(str_of(o, "pci"));
        l->vf_index = (int)int_of(o, "vf");
        break;
    case CCNC_RUN_LINE_ABORT:
        l->who = ccnc_xstrdup(str_of(o, "who"));
        break;
    case CCNC_RUN_LINE_FDB:
        l->host = ccnc_xstrdup(str_of(o, "host"));
        l->event = ccnc_xstrdup(str_of(o, "event"));
        l->mac = ccnc_xstrdup(str_of(o, "mac"));
        l->before = ccnc_xstrdup(str_of(o, "bridge"));
        l->after = ccnc_xstrdup(str_of(o, "port"));
        l->value = int_of(o, "host_ms");
        break;
    case CCNC_RUN_LINE_FORECAST:
        read_run_line(l, o);
        break;
    case CCNC_RUN_LINE_SETTING:
        l->host = ccnc_xstrdup(str_of(o, "host"));
        l->event = ccnc_xstrdup(str_of(o, "name"));
        l->value = int_of(o, "value");
        l->who = ccnc_xstrdup(str_of(o, "why"));
        break;
    case CCNC_RUN_LINE_RESUME:
        read_run_line(l, o);
        l->who = ccnc_xstrdup(str_of(o, "who"));
        l->undo = bool_of(o, "undo");
        break;
    case CCNC_RUN_LINE_NOTICE:
        l->summary = ccnc_xstrdup(str_of(o, "text"));
        break;
    case CCNC_RUN_LINE_RESULT:
        l->state = state_of(o, "result");
        l->summary = ccnc_xstrdup(str_of(o, "summary"));
        l->total_ms = int_of(o, "total_ms");
        l->downtime_ms = int_of(o, "downtime_ms");
        l->longest_gap_ms = int_of(o, "longest_gap_ms");
        l->lost_probes = int_of(o, "lost_probes");
        l->stream_stall_ms = int_of(o, "stream_stall_ms");
        l->on_destination = bool_of(o, "on_destination");
        l->on_backup_only = bool_of(o, "on_backup_only");
        break;
    default:
        break;
    }
}

int
ccnc_run_read_lines(const char *path, struct ccnc_run_line **lines, size_t *n, size_t *bad,
                    struct ccnc_error *err)
{
    char *text = ccnc_file_read(path, 64 * 1024 * 1024, NULL, err);
    size_t cap = 0;
    bool has_run = false;

    *lines = NULL;
    *n = 0;
    if (bad)
        *bad = 0;
    if (!text)
        return -1;
    for (char *p = text, *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
        json_object *o;
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (!*p)
            continue;
        o = json_tokener_parse(p);
        if (o && json_object_is_type(o, json_type_object)) {
            struct ccnc_run_line *l = ccnc_array_push(lines, n, &cap, sizeof(*l));
            read_one(l, o);
            has_run |= l->type == CCNC_RUN_LINE_RUN;
        } else if (bad) {
            (*bad)++;
        }
        json_object_put(o);
    }
    free(text);
    if (!has_run) {
        ccnc_run_lines_free(*lines, *n);
        *lines = NULL;
        *n = 0;
        return ccnc_error_set_at(err, CCNC_ERR_PARSE, path, 0,
                                 _("this is not a ccnc run file (no \"run\" line)"));
    }
    return 0;
}

void
ccnc_run_lines_free(struct ccnc_run_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ccnc_run_line *l = &lines[i];
        free(l->vm); free(l->source); free(l->destination); free(l->nic);
        free(l->plan);
        for (size_t k = 0; k < l->n_notes; k++)
            free(l->notes[k]);
        free(l->notes);
        free(l->step.error);
        free(l->phase);
        free(l->before); free(l->after); free(l->event); free(l->host); free(l->pf);
        free(l->pci);
        free(l->who); free(l->summary); free(l->mac);
    }
    free(lines);
}

static int
summary_newest_first(const void *a, const void *b)
{
    const struct ccnc_run_summary *x = a, *y = b;

    return x->started_ms < y->started_ms ? 1 : x->started_ms > y->started_ms ? -1
                                                                           : strcmp(x->path, y->path);
}

size_t
ccnc_run_list_unfinished(const char *dir, struct ccnc_run_summary **out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0, cap = 0;

    *out = NULL;
    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        struct ccnc_run_summary s;
        char *path;
        if (len <= 6 || strcmp(e->d_name + len - 6, ".jsonl") != 0)
            continue;
        path = ccnc_xasprintf("%s/%s", dir, e->d_name);
        if (ccnc_run_read(path, &s, NULL) == 0 && !s.result)
            *(struct ccnc_run_summary *)ccnc_array_push(out, &n, &cap, sizeof(s)) = s;
        else
            ccnc_run_summary_clear(&s);
        free(path);
    }
    if (d)
        closedir(d);
    if (n > 1)
        qsort(*out, n, sizeof(**out), summary_newest_first);
    return n;
}
