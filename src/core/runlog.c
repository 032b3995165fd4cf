/* Run files (include/ccnc/runlog.h): JSON lines written with json-c, each
 * line written whole and flushed to disk before the action goes on. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
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
    log->fd = fd;
    log->path = path;
    o = line("run", now_ms);
    json_object_object_add(o, "version", json_object_new_int(RUN_VERSION));
    put_s(o, "kind", ccnc_action_kind_to_string(a->kind));
    put_s(o, "vm", a->vm);
    put_s(o, "source", a->source);
    put_s(o, "destination", a->destination);
    put_s(o, "nic", a->nic);
    {
        char iso[CCNC_ISO_TIME_LEN];
        ccnc_format_iso_ms(iso, now_ms);
        put_s(o, "started", iso);
    }
    {
        json_object *plan = json_object_new_array();
        for (size_t i = 0; i < a->n_steps; i++)
            if (!a->steps[i].rollback)
                json_object_array_add(plan,
                                      json_object_new_string(ccnc_step_op_to_string(a->steps[i].op)));
        json_object_object_add(o, "plan", plan);
    }
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
ccnc_runlog_probe(struct ccnc_runlog *log, long long now_ms, long long sent, long long received,
                  long long lost, long long current_gap_ms, long long longest_gap_ms)
{
    json_object *o = line("probe", now_ms);

    put_i(o, "sent", sent);
    put_i(o, "received", received);
    put_i(o, "lost", lost);
    put_i(o, "current_gap_ms", current_gap_ms);
    put_i(o, "longest_gap_ms", longest_gap_ms);
    if (longest_gap_ms > log->longest_gap_ms)
        log->longest_gap_ms = longest_gap_ms;
    if (lost > log->lost)
        log->lost = lost;
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

static void
read_line(struct ccnc_run_summary *s, json_object *o)
{
    /* a member missing or of another type reads as unknown (NULL,
     * CCNC_UNKNOWN, false), as core/json-get.h says */
    const char *type = ccnc_json_get_str(o, "type");

    if (ccnc_streq(type, "run")) {
        s->kind = ccnc_json_dup_str(o, "kind");
        s->vm = ccnc_json_dup_str(o, "vm");
        s->source = ccnc_json_dup_str(o, "source");
        s->destination = ccnc_json_dup_str(o, "destination");
        s->started_ms = ccnc_json_get_int(o, "t_ms", CCNC_UNKNOWN);
    } else if (ccnc_streq(type, "step")) {
        s->n_steps++;
        free(s->last_step);
        free(s->last_outcome);
        s->last_step = ccnc_json_dup_str(o, "op");
        s->last_outcome = ccnc_json_dup_str(o, "outcome");
        s->last_rollback = ccnc_json_get_bool(o, "rollback", false);
    } else if (ccnc_streq(type, "probe")) {
        long long g = ccnc_json_get_int(o, "longest_gap_ms", CCNC_UNKNOWN);
        long long l = ccnc_json_get_int(o, "lost", CCNC_UNKNOWN);
        s->n_probes++;
        if (g > s->longest_gap_ms)
            s->longest_gap_ms = g;
        if (l > s->lost_probes)
            s->lost_probes = l;
    } else if (ccnc_streq(type, "bond")) {
        s->n_bond_changes++;
    } else if (ccnc_streq(type, "job")) {
        json_object *stats = ccnc_json_get_object(o, "stats");
        if (stats) {
            long long d = ccnc_json_get_int(stats, "downtime", CCNC_UNKNOWN);
            long long t = ccnc_json_get_int(stats, "time_elapsed", CCNC_UNKNOWN);
            if (d >= 0)
                s->job_downtime_ms = d;
            if (t >= 0)
                s->job_total_ms = t;
        }
    } else if (ccnc_streq(type, "result")) {
        long long v;
        s->result = ccnc_json_dup_str(o, "result");
        s->summary = ccnc_json_dup_str(o, "summary");
        if ((v = ccnc_json_get_int(o, "total_ms", CCNC_UNKNOWN)) >= 0)
            s->total_ms = v;
        if ((v = ccnc_json_get_int(o, "downtime_ms", CCNC_UNKNOWN)) >= 0)
            s->downtime_ms = v;
        if ((v = ccnc_json_get_int(o, "longest_gap_ms", CCNC_UNKNOWN)) > s->longest_gap_ms)
            s->longest_gap_ms = v;
        if ((v = ccnc_json_get_int(o, "lost_probes", CCNC_UNKNOWN)) > s->lost_probes)
            s->lost_probes = v;
    } else {
        s->bad_lines++;
    }
}

int
ccnc_run_read(const char *path, struct ccnc_run_summary *out, struct ccnc_error *err)
{
    size_t len = 0;
    char *text = ccnc_file_read(path, 64 * 1024 * 1024, &len, err);
    char *p, *nl;

    memset(out, 0, sizeof(*out));
    if (!text)
        return -1;
    out->path = ccnc_xstrdup(path);
    out->total_ms = out->downtime_ms = out->longest_gap_ms = out->lost_probes = CCNC_UNKNOWN;
    out->job_downtime_ms = out->job_total_ms = out->started_ms = CCNC_UNKNOWN;
    for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
        json_object *o;
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (!*p)
            continue;
        o = json_tokener_parse(p);
        if (o && json_object_is_type(o, json_type_object))
            read_line(out, o);
        else
            out->bad_lines++; /* e.g. the half line of a crash */
        json_object_put(o);
    }
    free(text);
    if (!out->kind) {
        ccnc_error_set_at(err, CCNC_ERR_PARSE, path, 0,
                          _("this is not a ccnc run file (no \"run\" line)"));
        ccnc_run_summary_clear(out);
        return -1;
    }
    return 0;
}

void
ccnc_run_summary_clear(struct ccnc_run_summary *s)
{
    free(s->path); free(s->kind); free(s->vm); free(s->source); free(s->destination);
    free(s->result); free(s->summary); free(s->last_step); free(s->last_outcome);
    memset(s, 0, sizeof(*s));
}

const char *
ccnc_run_advice(const struct ccnc_run_summary *s)
{
    if (s->result)
        return NULL;
    if (!s->last_step)
        return _("it stopped before its first step: nothing was changed");
    if (s->last_rollback)
        return _("it stopped while undoing its steps: check the VM's NICs with 'virsh "
                 "domiflist' and its bond, then attach or switch back by hand");
    if (strcmp(s->last_step, "migrate") == 0 || strcmp(s->last_step, "attach") == 0 ||
        strcmp(s->last_step, "wait-enslaved") == 0 || strcmp(s->last_step, "bond-to-primary") == 0)
        return _("it stopped around the migration: find where the VM runs with 'ccnc status', "
                 "then attach its passthrough NIC there with 'ccnc assign'");
    if (strcmp(s->last_step, "detach") == 0 || strcmp(s->last_step, "verify-on-backup") == 0 ||
        strcmp(s->last_step, "bond-to-backup") == 0)
        return _("it stopped after the bond moved to the backup NIC: the VM may lack its "
                 "passthrough NIC; attach it again with 'ccnc assign'");
    return _("it stopped during its checks: nothing was changed");
}
