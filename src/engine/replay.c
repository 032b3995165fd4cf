/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replaying a run file (replay.h): the lines read back by the run file
 * reader (core/runlog.c), each applied to an action at its recorded time,
 * divided by the speed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/model.h>
#include <ccnc/runlog.h>

#include "core/i18n.h"
#include "engine/replay.h"

#define TICK_MS 50

struct ccnc_replay {
    struct ccnc_loop *loop;
    struct ccnc_replay_callbacks cb;
    void *data;
    struct ccnc_run_line *lines;
    size_t n, next;
    long long t0;
    double speed;
    int timer;
    struct ccnc_action *a;
    bool finished;
};

/* The first step of op and kind that has not ended, NULL if none. */
static struct ccnc_step *
open_step(struct ccnc_action *a, enum ccnc_step_op op, bool rollback)
{
    for (size_t i = 0; i < a->n_steps; i++)
        if (a->steps[i].op == op && a->steps[i].rollback == rollback &&
            (a->steps[i].outcome == CCNC_STEP_PENDING ||
             a->steps[i].outcome == CCNC_STEP_RUNNING_NOW))
            return &a->steps[i];
    return NULL;
}

/* A step line: that step ended as recorded, the next one runs. */
static const struct ccnc_step *
apply_step(struct ccnc_replay *r, const struct ccnc_run_line *l)
{
    struct ccnc_action *a = r->a;
    struct ccnc_step *s;

    if (l->step.op >= CCNC_STEP_LAST)
        return NULL;
    s = open_step(a, l->step.op, l->step.rollback);
    if (!s && l->step.rollback) {
        s = ccnc_array_push(&a->steps, &a->n_steps, &a->cap_steps, sizeof(*s));
        s->op = l->step.op;
        s->rollback = true;
    }
    if (!s)
        return NULL;
    if (l->step.outcome < CCNC_STEP_OUTCOME_LAST)
        s->outcome = l->step.outcome;
    s->started_ms = l->step.started_ms;
    s->ended_ms = l->step.ended_ms;
    ccnc_str_set(&s->error, l->step.error);
    if (l->state >= 0)
        a->state = (enum ccnc_action_state)l->state;
    a->on_destination = l->on_destination;
    a->on_backup_only = l->on_backup_only;
    /* what comes next is running, as it was */
    for (size_t i = 0; i < a->n_steps; i++)
        if (a->steps[i].outcome == CCNC_STEP_PENDING && !ccnc_action_finished(a)) {
            a->steps[i].outcome = CCNC_STEP_RUNNING_NOW;
            a->steps[i].started_ms = s->ended_ms;
            break;
        }
    return s;
}

static void
finish(struct ccnc_replay *r, const struct ccnc_run_line *l)
{
    struct ccnc_action *a = r->a;

    if (l && l->state >= 0)
        a->state = (enum ccnc_action_state)l->state;
    if (l)
        ccnc_str_set(&a->summary, l->summary);
    if (!l || !ccnc_action_finished(a)) {
        /* a run that never finished: say so rather than run forever */
        a->state = CCNC_ACTION_FAILED;
        ccnc_str_set(&a->summary, _("the recorded run ends here, unfinished"));
    }
    for (size_t i = 0; i < a->n_steps; i++)
        if (a->steps[i].outcome == CCNC_STEP_PENDING ||
            a->steps[i].outcome == CCNC_STEP_RUNNING_NOW)
            a->steps[i].outcome = CCNC_STEP_SKIPPED;
    a->probe.done = true;
    r->finished = true;
    r->cb.finished(r->data, a, l ? l->total_ms : CCNC_UNKNOWN, l ? l->downtime_ms : CCNC_UNKNOWN,
                   l ? l->longest_gap_ms : CCNC_UNKNOWN, l ? l->lost_probes : CCNC_UNKNOWN);
}

static void
apply(struct ccnc_replay *r, const struct ccnc_run_line *l)
{
    struct ccnc_action *a = r->a;
    const struct ccnc_step *s;

    switch (l->type) {
    case CCNC_RUN_LINE_STEP_START: {
        /* the step began then: shown running from that moment */
        struct ccnc_step *st = l->step.op < CCNC_STEP_LAST
                                   ? open_step(a, l->step.op, l->step.rollback) : NULL;
        if (st) {
            st->outcome = CCNC_STEP_RUNNING_NOW;
            st->started_ms = l->t_ms;
            r->cb.changed(r->data, a, st);
        }
        break;
    }
    case CCNC_RUN_LINE_RESUME:
        /* the run was ended later by ccnc resume: what was left of the
         * first plan never ran; the resume's plan follows */
        for (size_t i = 0; i < a->n_steps; i++)
            if (a->steps[i].outcome == CCNC_STEP_PENDING ||
                a->steps[i].outcome == CCNC_STEP_RUNNING_NOW)
                a->steps[i].outcome = CCNC_STEP_SKIPPED;
        for (size_t i = 0; i < l->n_plan; i++) {
            struct ccnc_step *st = ccnc_array_push(&a->steps, &a->n_steps, &a->cap_steps,
                                                   sizeof(*st));
            st->op = l->plan[i];
        }
        r->cb.changed(r->data, a, NULL);
        break;
    case CCNC_RUN_LINE_STEP:
        if ((s = apply_step(r, l)) != NULL)
            r->cb.changed(r->data, a, s);
        break;
    case CCNC_RUN_LINE_JOB:
        if (ccnc_streq(l->phase, "iteration")) {
            struct ccnc_migration_figures was = a->migration;   /* replays know no timeout */

            a->migration = l->job;
            a->migration.to_go = was.to_go;   /* until the next to_go line */
            a->migration.limit_ms = was.limit_ms;   /* until the next setting line */
            memcpy(a->migration.limit_why, was.limit_why, sizeof(was.limit_why));
            r->cb.changed(r->data, a, NULL);
        }
        break;
    case CCNC_RUN_LINE_TO_GO:
        a->migration.to_go = l->job.to_go;
        r->cb.changed(r->data, a, NULL);
        break;
    case CCNC_RUN_LINE_SETTING:
        if (ccnc_streq(l->event, "downtime_limit_ms") && l->value > 0) {
            a->migration.limit_ms = (int)l->value;
            snprintf(a->migration.limit_why, sizeof(a->migration.limit_why), "%s",
                     l->who ? l->who : "");
            r->cb.changed(r->data, a, NULL);
        }
        break;
    case CCNC_RUN_LINE_PROBE:
        a->probe.measured = true;
        a->probe.sent = l->probe.sent;
        a->probe.received = l->probe.received;
        a->probe.lost = l->probe.lost;
        a->probe.current_gap_ms = l->probe.current_gap_ms;
        a->probe.longest_gap_ms = l->probe.longest_gap_ms;
        a->probe.stream = l->probe.stream;
        a->probe.stream_stall_ms = l->probe.stream_stall_ms;
        a->probe.stream_longest_stall_ms = l->probe.stream_longest_stall_ms;
        r->cb.changed(r->data, a, NULL);
        break;
    case CCNC_RUN_LINE_NOTICE:
        if (l->summary) {
            ccnc_str_set(&a->notice, l->summary);
            r->cb.notice(r->data, a);
        }
        break;
    case CCNC_RUN_LINE_RESULT:
        finish(r, l);
        break;
    default:
        break;
    }
}

static void
tick(void *data)
{
    struct ccnc_replay *r = data;
    long long now = ccnc_now_mono_ms();
    long long first = r->n ? r->lines[0].t_ms : 0;

    while (!r->finished && r->next < r->n &&
           (double)(r->lines[r->next].t_ms - first) / r->speed <= (double)(now - r->t0))
        apply(r, &r->lines[r->next++]);
    if (!r->finished && r->next >= r->n)
        finish(r, NULL);
    if (r->finished)
        ccnc_loop_cancel(r->loop, &r->timer);
}

struct ccnc_replay *
ccnc_replay_start(struct ccnc_loop *loop, const char *run_file, double speed,
                  const struct ccnc_replay_callbacks *cb, void *data, struct ccnc_error *err)
{
    struct ccnc_replay *r = ccnc_xcalloc(1, sizeof(*r));
    const struct ccnc_run_line *head = NULL;

    if (ccnc_run_read_lines(run_file, &r->lines, &r->n, NULL, err) < 0) {
        free(r);
        return NULL;
    }
    for (size_t i = 0; i < r->n && !head; i++)
        if (r->lines[i].type == CCNC_RUN_LINE_RUN)
            head = &r->lines[i];
    if (!head || head->kind < 0) {
        ccnc_run_lines_free(r->lines, r->n);
        free(r);
        ccnc_error_set_at(err, CCNC_ERR_PARSE, run_file, 0,
                          _("this run file names no action this ccnc knows"));
        return NULL;
    }
    r->loop = loop;
    r->cb = *cb;
    r->data = data;
    r->speed = speed > 0 ? speed : 1;
    /* the steps as planned then (older files: the kind's whole plan) */
    if (head->plan)
        r->a = ccnc_action_new_steps((enum ccnc_action_kind)head->kind, head->vm, head->source,
                                     head->destination, head->nic, head->plan, head->n_plan);
    else
        r->a = ccnc_action_new((enum ccnc_action_kind)head->kind, head->vm, head->source,
                               head->destination, head->nic);
    for (size_t i = 0; i < head->n_notes; i++)
        ccnc_action_add_note(r->a, "%s", head->notes[i]);
    ccnc_action_confirm(r->a);
    r->a->state = CCNC_ACTION_RUNNING;
    if (r->a->n_steps)
        r->a->steps[0].outcome = CCNC_STEP_RUNNING_NOW;
    r->t0 = ccnc_now_mono_ms();
    r->timer = ccnc_loop_add_timer(loop, TICK_MS, true, tick, r);
    return r;
}

const struct ccnc_action *
ccnc_replay_action(const struct ccnc_replay *r)
{
    return r->a;
}

const struct ccnc_run_line *
ccnc_replay_lines(const struct ccnc_replay *r, size_t *n)
{
    *n = r->next;
    return r->lines;
}

bool
ccnc_replay_finished(const struct ccnc_replay *r)
{
    return r->finished;
}

void
ccnc_replay_to_end(struct ccnc_replay *r)
{
    /* every line left, whatever the clock says (the same millisecond
     * as the start would play none) */
    while (!r->finished && r->next < r->n)
        apply(r, &r->lines[r->next++]);
    if (!r->finished)
        finish(r, NULL);
    ccnc_loop_cancel(r->loop, &r->timer);
}

void
ccnc_replay_free(struct ccnc_replay *r)
{
    if (!r)
        return;
    ccnc_loop_cancel(r->loop, &r->timer);
    ccnc_run_lines_free(r->lines, r->n);
    ccnc_action_free(r->a);
    free(r);
}
