/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The actions' state machines (include/ccnc/action.h): plans per kind, and
 * the pure step function that walks a plan and, on a failure, its rollback. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/action.h>
#include <ccnc/policy.h>
#include <ccnc/util.h>

#include "core/i18n.h"

static const char *const kind_names[CCNC_ACTION_LAST] = {
    "assign", "detach", "migrate", "migrate-passthrough", "migrate-teaming",
};
static const char *const state_names[CCNC_ACTION_STATE_LAST] = {
    "planned", "confirmed", "running", "verifying", "done", "failed", "rolled-back",
};
static const char *const op_names[CCNC_STEP_LAST] = {
    "forecast", "check-destination", "check-storage", "check-backup", "reserve-nic", "bond-to-backup",
    "detach", "verify-on-backup", "migrate", "attach", "wait-enslaved", "bond-to-primary",
    "verify", "release-nic", "reattach-source", "restore-primary",
};
static const char *const outcome_names[CCNC_STEP_OUTCOME_LAST] = {
    "pending", "running", "ok", "failed", "timeout", "skipped",
};
/* the same for people, translated */
static const char *const state_texts[CCNC_ACTION_STATE_LAST] = {
    N_("planned"), N_("confirmed"), N_("running"), N_("verifying"), N_("done"), N_("failed"),
    N_("rolled back"),
};
static const char *const outcome_texts[CCNC_STEP_OUTCOME_LAST] = {
    N_("pending"), N_("running"), N_("ok"), N_("failed"), N_("timeout"), N_("skipped"),
};

const char *
ccnc_action_state_text(enum ccnc_action_state s)
{
    return _(ccnc_enum_to_string(state_texts, CCNC_ACTION_STATE_LAST, (int)s, "?"));
}

const char *
ccnc_step_outcome_text(enum ccnc_step_outcome o)
{
    return _(ccnc_enum_to_string(outcome_texts, CCNC_STEP_OUTCOME_LAST, (int)o, "?"));
}

const char *
ccnc_action_kind_to_string(enum ccnc_action_kind k)
{
    return ccnc_enum_to_string(kind_names, CCNC_ACTION_LAST, (int)k, "?");
}

int
ccnc_action_kind_from_string(const char *s)
{
    return ccnc_enum_from_string(kind_names, CCNC_ACTION_LAST, s);
}

bool
ccnc_action_kind_migrates(int kind)
{
    return kind == CCNC_ACTION_MIGRATE || kind == CCNC_ACTION_MIGRATE_PASSTHROUGH ||
           kind == CCNC_ACTION_MIGRATE_TEAMING;
}

int
ccnc_step_op_from_string(const char *s)
{
    return ccnc_enum_from_string(op_names, CCNC_STEP_LAST, s);
}

const char *
ccnc_action_state_to_string(enum ccnc_action_state s)
{
    return ccnc_enum_to_string(state_names, CCNC_ACTION_STATE_LAST, (int)s, "?");
}

const char *
ccnc_step_op_to_string(enum ccnc_step_op op)
{
    return ccnc_enum_to_string(op_names, CCNC_STEP_LAST, (int)op, "?");
}

const char *
ccnc_step_outcome_to_string(enum ccnc_step_outcome o)
{
    return ccnc_enum_to_string(outcome_names, CCNC_STEP_OUTCOME_LAST, (int)o, "?");
}

const char *
ccnc_step_op_describe(enum ccnc_step_op op)
{
    switch (op) {
    case CCNC_STEP_FORECAST: return _("sample the guest's dirty rate and forecast the migration");
    case CCNC_STEP_CHECK_DESTINATION: return _("check that the destination host and its libvirt can run the VM");
    case CCNC_STEP_CHECK_STORAGE: return _("check that the VM's storage is visible on the destination");
    case CCNC_STEP_CHECK_BACKUP: return _("check that the backup NIC is up and in the bond");
    case CCNC_STEP_RESERVE_NIC: return _("reserve a free NIC or VF for the VM");
    case CCNC_STEP_BOND_TO_BACKUP: return _("switch the guest bond to the backup NIC (planned, no loss)");
    case CCNC_STEP_DETACH: return _("detach the passthrough NIC and wait until it is gone");
    case CCNC_STEP_VERIFY_ON_BACKUP: return _("verify that probe replies arrive over the backup NIC");
    case CCNC_STEP_MIGRATE: return _("migrate the VM live and wait until it runs on the destination");
    case CCNC_STEP_ATTACH: return _("attach the NIC with the VM's MAC and wait until it is added");
    case CCNC_STEP_WAIT_ENSLAVED: return _("wait until the guest makes the NIC a bond slave");
    case CCNC_STEP_BOND_TO_PRIMARY: return _("switch the guest bond back to the passthrough NIC");
    case CCNC_STEP_VERIFY: return _("verify where the VM runs and which NIC its bond uses");
    case CCNC_STEP_RELEASE_NIC: return _("release the reserved NIC or VF");
    case CCNC_STEP_REATTACH_SOURCE: return _("attach the passthrough NIC again on the source");
    case CCNC_STEP_RESTORE_PRIMARY: return _("switch the guest bond back to the passthrough NIC");
    default: return "?";
    }
}

/* The most steps a rollback adds (release-nic, reattach-source,
 * restore-primary). */
#define ROLLBACK_MAX 3

static void
add_step(struct ccnc_action *a, enum ccnc_step_op op, bool rollback)
{
    struct ccnc_step *s = ccnc_array_push(&a->steps, &a->n_steps, &a->cap_steps, sizeof(*s));

    s->op = op;
    s->rollback = rollback;
    s->outcome = CCNC_STEP_PENDING;
}

static const enum ccnc_step_op plan_assign[] = {
    CCNC_STEP_RESERVE_NIC, CCNC_STEP_ATTACH, CCNC_STEP_WAIT_ENSLAVED,
    CCNC_STEP_BOND_TO_PRIMARY, CCNC_STEP_VERIFY,
};
/* The backup path is proven (verify-on-backup) before anything is
 * detached: a dead backup is found while the passthrough NIC can still
 * take the traffic back. */
static const enum ccnc_step_op plan_detach[] = {
    CCNC_STEP_CHECK_BACKUP, CCNC_STEP_BOND_TO_BACKUP, CCNC_STEP_VERIFY_ON_BACKUP,
    CCNC_STEP_DETACH, CCNC_STEP_VERIFY,
};
static const enum ccnc_step_op plan_migrate[] = {
    CCNC_STEP_FORECAST, CCNC_STEP_CHECK_DESTINATION, CCNC_STEP_CHECK_STORAGE, CCNC_STEP_MIGRATE,
    CCNC_STEP_VERIFY,
};
static const enum ccnc_step_op plan_migrate_passthrough[] = {
    CCNC_STEP_FORECAST, CCNC_STEP_CHECK_DESTINATION, CCNC_STEP_CHECK_STORAGE, CCNC_STEP_CHECK_BACKUP,
    CCNC_STEP_RESERVE_NIC, CCNC_STEP_BOND_TO_BACKUP, CCNC_STEP_VERIFY_ON_BACKUP,
    CCNC_STEP_DETACH, CCNC_STEP_MIGRATE, CCNC_STEP_ATTACH, CCNC_STEP_WAIT_ENSLAVED,
    CCNC_STEP_BOND_TO_PRIMARY, CCNC_STEP_VERIFY,
};

bool
ccnc_step_op_reads_only(enum ccnc_step_op op)
{
    return op == CCNC_STEP_FORECAST || op == CCNC_STEP_CHECK_DESTINATION ||
           op == CCNC_STEP_CHECK_STORAGE || op == CCNC_STEP_CHECK_BACKUP;
}

size_t
ccnc_action_default_steps(enum ccnc_action_kind kind, const enum ccnc_step_op **steps)
{
    switch (kind) {
    case CCNC_ACTION_ASSIGN:
        *steps = plan_assign;
        return CCNC_ARRAY_SIZE(plan_assign);
    case CCNC_ACTION_DETACH:
        *steps = plan_detach;
        return CCNC_ARRAY_SIZE(plan_detach);
    case CCNC_ACTION_MIGRATE_PASSTHROUGH:
        *steps = plan_migrate_passthrough;
        return CCNC_ARRAY_SIZE(plan_migrate_passthrough);
    default: /* migrate, migrate-teaming: QEMU handles a failover pair itself */
        *steps = plan_migrate;
        return CCNC_ARRAY_SIZE(plan_migrate);
    }
}

struct ccnc_action *
ccnc_action_new_steps(enum ccnc_action_kind kind, const char *vm, const char *source,
                      const char *destination, const char *nic, const enum ccnc_step_op *steps,
                      size_t n_steps)
{
    struct ccnc_action *a = ccnc_xcalloc(1, sizeof(*a));

    a->kind = kind;
    a->state = CCNC_ACTION_PLANNED;
    a->vm = ccnc_xstrdup(vm);
    a->source = ccnc_xstrdup(source);
    a->destination = ccnc_xstrdup(destination);
    a->nic = ccnc_xstrdup(nic);
    for (size_t i = 0; i < n_steps; i++)
        add_step(a, steps[i], false);
    /* room for the longest rollback now: a step handed out by
     * ccnc_action_next() stays where it is while report() adds the undo */
    if (a->cap_steps < a->n_steps + ROLLBACK_MAX) {
        a->cap_steps = a->n_steps + ROLLBACK_MAX;
        a->steps = ccnc_xreallocarray(a->steps, a->cap_steps, sizeof(*a->steps));
    }
    return a;
}

struct ccnc_action *
ccnc_action_new(enum ccnc_action_kind kind, const char *vm, const char *source,
                const char *destination, const char *nic)
{
    const enum ccnc_step_op *steps;
    size_t n = ccnc_action_default_steps(kind, &steps);

    return ccnc_action_new_steps(kind, vm, source, destination, nic, steps, n);
}

void
ccnc_action_add_note(struct ccnc_action *a, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    *(char **)ccnc_array_push(&a->notes, &a->n_notes, NULL, sizeof(char *)) =
        ccnc_xvasprintf(fmt, ap);
    va_end(ap);
}

struct ccnc_precopy_round
ccnc_migration_round(const struct ccnc_migration_figures *m)
{
    return (struct ccnc_precopy_round){
        .iteration = m->iteration,
        .elapsed_ms = (double)m->elapsed_ms,
        .processed = (double)m->memory_processed,
        .remaining = (double)m->memory_remaining,
        .dirty_pages_s = (double)m->dirty_rate,
        .bps = (double)m->bps,
    };
}

bool
ccnc_migration_limit_raised(const struct ccnc_migration_figures *m)
{
    return m->limit_ms > 0 && ccnc_policy_raise_of(m->limit_why) != CCNC_POLICY_RAISE_NONE;
}

char *
ccnc_migration_limit_text(const struct ccnc_migration_figures *m)
{
    if (m->limit_ms <= 0)
        return NULL;
    switch (ccnc_policy_raise_of(m->limit_why)) {
    case CCNC_POLICY_RAISE_COURSE:
        /* TRANSLATORS: the policy raised QEMU's downtime limit because the
         * rounds say the migration would end too late (lab.conf(5)) */
        return ccnc_xasprintf(_("downtime limit %d ms: raised on the rounds' course (it would "
                                "have ended too late)"),
                              m->limit_ms);
    case CCNC_POLICY_RAISE_STALL:
        return ccnc_xasprintf(_("downtime limit %d ms: raised at stalled rounds"), m->limit_ms);
    case CCNC_POLICY_RAISE_LADDER:
        return ccnc_xasprintf(_("downtime limit %d ms: the ladder's next step"), m->limit_ms);
    default:
        return NULL;   /* the policy's first */
    }
}

char *
ccnc_migration_setup_text(const struct ccnc_migration_figures *m, const char *source,
                          const char *destination)
{
    long long s = m->setup_ms / 1000;

    if (m->setup_ms <= 0 || m->iteration > 0)
        return NULL;
    if (m->called_off)
        /* nothing ends it before the source's libvirtd returns, and that
         * waits for the destination's */
        return ccnc_xasprintf(_("no pre-copy round yet after %lld s: ccnc has asked %s to "
                                "call the migration off, which ends once %s's libvirtd "
                                "answers it (or %s's gives up on it)"),
                              s, source ? source : "?", destination ? destination : "?",
                              source ? source : "?");
    if (m->src_lost || m->dst_lost)
        return ccnc_xasprintf(_("no pre-copy round yet after %lld s: ccnc's connection to %s's "
                                "libvirt closed (is its libvirtd answering?)"),
                              s, m->src_lost ? (source ? source : "?")
                                             : (destination ? destination : "?"));
    return ccnc_xasprintf(_("no pre-copy round yet after %lld s: %s and %s are still setting "
                            "the migration up (are both libvirtds answering?)"),
                          s, source ? source : "?", destination ? destination : "?");
}

void
ccnc_action_free(struct ccnc_action *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_steps; i++)
        free(a->steps[i].error);
    free(a->steps);
    free(a->vm);
    free(a->source);
    free(a->destination);
    free(a->nic);
    free(a->summary);
    free(a->notice);
    free(a->probe.error);
    for (size_t i = 0; i < a->n_notes; i++)
        free(a->notes[i]);
    free(a->notes);
    free(a->resume_of);
    for (size_t i = 0; i < a->n_release; i++) {
        free(a->release[i].host);
        free(a->release[i].pci);
    }
    free(a->release);
    for (size_t i = 0; i < a->n_placement; i++) {
        free(a->placement[i].host);
        free(a->placement[i].why);
    }
    free(a->placement);
    free(a);
}

struct ccnc_action *
ccnc_action_dup(const struct ccnc_action *a)
{
    struct ccnc_action *d = ccnc_xcalloc(1, sizeof(*d));

    *d = *a;
    d->vm = ccnc_xstrdup(a->vm);
    d->source = ccnc_xstrdup(a->source);
    d->destination = ccnc_xstrdup(a->destination);
    d->nic = ccnc_xstrdup(a->nic);
    d->summary = ccnc_xstrdup(a->summary);
    d->notice = ccnc_xstrdup(a->notice);
    d->probe.error = ccnc_xstrdup(a->probe.error);
    d->notes = a->n_notes ? ccnc_xcalloc(a->n_notes, sizeof(*d->notes)) : NULL;
    for (size_t i = 0; i < a->n_notes; i++)
        d->notes[i] = ccnc_xstrdup(a->notes[i]);
    d->resume_of = ccnc_xstrdup(a->resume_of);
    d->release = a->n_release ? ccnc_xcalloc(a->n_release, sizeof(*d->release)) : NULL;
    for (size_t i = 0; i < a->n_release; i++) {
        d->release[i].host = ccnc_xstrdup(a->release[i].host);
        d->release[i].pci = ccnc_xstrdup(a->release[i].pci);
    }
    d->placement = a->n_placement ? ccnc_xcalloc(a->n_placement, sizeof(*d->placement)) : NULL;
    for (size_t i = 0; i < a->n_placement; i++) {
        d->placement[i] = a->placement[i];
        d->placement[i].host = ccnc_xstrdup(a->placement[i].host);
        d->placement[i].why = ccnc_xstrdup(a->placement[i].why);
    }
    d->cap_steps = a->n_steps;
    d->steps = ccnc_xcalloc(a->n_steps ? a->n_steps : 1, sizeof(*d->steps));
    for (size_t i = 0; i < a->n_steps; i++) {
        d->steps[i] = a->steps[i];
        d->steps[i].error = ccnc_xstrdup(a->steps[i].error);
    }
    return d;
}

int
ccnc_action_confirm(struct ccnc_action *a)
{
    if (a->state != CCNC_ACTION_PLANNED)
        return -1;
    a->state = CCNC_ACTION_CONFIRMED;
    return 0;
}

bool
ccnc_action_finished(const struct ccnc_action *a)
{
    return a->state == CCNC_ACTION_DONE || a->state == CCNC_ACTION_FAILED ||
           a->state == CCNC_ACTION_ROLLED_BACK;
}

/* Did step op of the plan end well? */
static bool
plan_ok(const struct ccnc_action *a, enum ccnc_step_op op)
{
    for (size_t i = 0; i < a->n_steps; i++)
        if (!a->steps[i].rollback && a->steps[i].op == op)
            return a->steps[i].outcome == CCNC_STEP_OK;
    return false;
}

static bool
plan_started(const struct ccnc_action *a, enum ccnc_step_op op)
{
    for (size_t i = 0; i < a->n_steps; i++)
        if (!a->steps[i].rollback && a->steps[i].op == op)
            return a->steps[i].outcome != CCNC_STEP_PENDING &&
                   a->steps[i].outcome != CCNC_STEP_SKIPPED;
    return false;
}

const char *
ccnc_action_failure(const struct ccnc_action *a)
{
    for (size_t i = 0; i < a->n_steps; i++)
        if (a->steps[i].outcome == CCNC_STEP_FAILED || a->steps[i].outcome == CCNC_STEP_TIMEOUT)
            return a->steps[i].error ? a->steps[i].error : ccnc_step_op_to_string(a->steps[i].op);
    return NULL;
}

static void
finish(struct ccnc_action *a, enum ccnc_action_state state)
{
    const char *vm = a->vm ? a->vm : "?";
    const char *where = a->on_destination && a->destination ? a->destination
                        : a->source ? a->source : "?";
    const char *why = ccnc_action_failure(a);
    if (state == CCNC_ACTION_DONE && a->undo)
        state = CCNC_ACTION_ROLLED_BACK;   /* the way back, finished */
    a->state = state;
    free(a->summary);
    if (state == CCNC_ACTION_ROLLED_BACK && a->undo && !why)
        a->summary = ccnc_xasprintf(_("%s: undone; the VM runs on %s as before"), vm, where);
    else if (state == CCNC_ACTION_DONE)
        a->summary = ccnc_xasprintf(_("%s: done; the VM runs on %s"), vm, where);
    else if (state == CCNC_ACTION_ROLLED_BACK)
        a->summary = ccnc_xasprintf(_("%s: rolled back after '%s'; the VM runs on %s as before"),
                                    vm, why ? why : "?", where);
    else if (a->on_backup_only)
        /* TRANSLATORS: said loudly: the VM has lost its passthrough NIC;
         * the command at the end gives it one again where it runs */
        a->summary = ccnc_xasprintf(_("%s: FAILED after '%s'; the VM runs on %s with ONLY ITS "
                                      "BACKUP NIC in the bond; it was not migrated back; to give "
                                      "it a passthrough NIC there: ccnc assign %s"),
                                    vm, why ? why : "?", where, vm);
    else
        a->summary = ccnc_xasprintf(_("%s: failed after '%s'; the VM runs on %s"), vm,
                                    why ? why : "?", where);
}

/* Plan the rollback after a failure; returns whether there is anything to
 * undo.  Before the VM runs on the destination everything is undone; after
 * that the VM stays where it is, on its backup NIC. */
static bool
plan_rollback(struct ccnc_action *a)
{
    bool reserved = plan_ok(a, CCNC_STEP_RESERVE_NIC);
    bool attached = plan_ok(a, CCNC_STEP_ATTACH);
    bool detached = plan_ok(a, CCNC_STEP_DETACH);
    bool switched = plan_started(a, CCNC_STEP_BOND_TO_BACKUP);
    size_t before = a->n_steps;

    if (a->kind == CCNC_ACTION_ASSIGN) {
        if (attached)
            add_step(a, CCNC_STEP_DETACH, true);
        if (reserved)
            add_step(a, CCNC_STEP_RELEASE_NIC, true);
        return a->n_steps > before;
    }
    if (reserved && !attached)
        add_step(a, CCNC_STEP_RELEASE_NIC, true);
    if (!a->on_destination) {
        if (detached)
            add_step(a, CCNC_STEP_REATTACH_SOURCE, true);
        if (switched)
            add_step(a, CCNC_STEP_RESTORE_PRIMARY, true);
    }
    return a->n_steps > before;
}

static bool
in_rollback(const struct ccnc_action *a)
{
    return a->current < a->n_steps && a->steps[a->current].rollback;
}

struct ccnc_step *
ccnc_action_next(struct ccnc_action *a, long long now_ms)
{
    struct ccnc_step *s;

    if (a->state == CCNC_ACTION_PLANNED || ccnc_action_finished(a))
        return NULL;
    if (a->n_steps == 0) {
        finish(a, CCNC_ACTION_DONE);   /* nothing to do: the VM is as it should be */
        return NULL;
    }
    if (a->current >= a->n_steps)
        return NULL;
    s = &a->steps[a->current];
    if (s->outcome == CCNC_STEP_RUNNING_NOW)
        return s; /* still waiting for its report */
    if (a->state == CCNC_ACTION_CONFIRMED)
        a->state = CCNC_ACTION_RUNNING;
    if (!s->rollback && s->op == CCNC_STEP_VERIFY)
        a->state = CCNC_ACTION_VERIFYING;
    s->outcome = CCNC_STEP_RUNNING_NOW;
    s->started_ms = now_ms;
    return s;
}

static void
step_succeeded(struct ccnc_action *a, const struct ccnc_step *s)
{
    switch (s->op) {
    case CCNC_STEP_DETACH:
        a->on_backup_only = !s->rollback;
        break;
    case CCNC_STEP_MIGRATE:
        a->on_destination = true;
        break;
    case CCNC_STEP_WAIT_ENSLAVED:
    case CCNC_STEP_REATTACH_SOURCE:
        a->on_backup_only = false;
        break;
    default:
        break;
    }
}

void
ccnc_action_report(struct ccnc_action *a, enum ccnc_step_outcome outcome, const char *error,
                   long long now_ms)
{
    struct ccnc_step *s;
    bool rollback;

    if (a->current >= a->n_steps || ccnc_action_finished(a))
        return;
    s = &a->steps[a->current];
    if (s->outcome != CCNC_STEP_RUNNING_NOW)
        return;
    s->outcome = outcome;
    s->ended_ms = now_ms;
    ccnc_str_set(&s->error, error);
    rollback = in_rollback(a);
    a->current++;

    if (outcome == CCNC_STEP_OK) {
        step_succeeded(a, s);
        if (a->current < a->n_steps)
            return;
        if (rollback) {
            /* every rollback step done: rolled back, unless some failed */
            bool clean = true;
            for (size_t i = 0; i < a->n_steps; i++)
                if (a->steps[i].rollback && a->steps[i].outcome != CCNC_STEP_OK)
                    clean = false;
            finish(a, clean && !a->on_destination ? CCNC_ACTION_ROLLED_BACK
                                                  : CCNC_ACTION_FAILED);
        } else {
            finish(a, CCNC_ACTION_DONE);
        }
        return;
    }

    if (rollback) {
        /* a rollback step failed: go on with the others, end FAILED */
        if (a->current >= a->n_steps)
            finish(a, CCNC_ACTION_FAILED);
        return;
    }
    for (size_t i = a->current; i < a->n_steps; i++)
        a->steps[i].outcome = CCNC_STEP_SKIPPED;
    a->current = a->n_steps;
    if (plan_rollback(a) && !a->on_destination)
        return; /* the rollback steps run next */
    if (a->current < a->n_steps)
        return; /* after the migration: only the reservation to release */
    finish(a, CCNC_ACTION_FAILED);
}

char *
ccnc_action_plan_text(const struct ccnc_action *a)
{
    char *text = ccnc_xasprintf(_("Plan: %s %s%s%s%s%s\n"), ccnc_action_kind_to_string(a->kind),
                                a->vm ? a->vm : "", a->source ? _(" from ") : "",
                                a->source ? a->source : "", a->destination ? _(" to ") : "",
                                a->destination ? a->destination : "");

    for (size_t i = 0, k = 1; i < a->n_steps; i++) {
        char *n;
        if (a->steps[i].rollback)
            continue;
        /* a migration that switches no bond verifies only where the VM runs */
        bool where_only = a->steps[i].op == CCNC_STEP_VERIFY &&
                          (a->kind == CCNC_ACTION_MIGRATE || a->kind == CCNC_ACTION_MIGRATE_TEAMING);
        n = ccnc_xasprintf("%s%2zu. %-18s %s\n", text, k++, ccnc_step_op_to_string(a->steps[i].op),
                           where_only ? _("verify that the VM runs on the destination")
                                      : ccnc_step_op_describe(a->steps[i].op));
        free(text);
        text = n;
    }
    for (size_t i = 0; i < a->n_notes; i++) {
        char *n = ccnc_xasprintf("%s    - %s\n", text, a->notes[i]);
        free(text);
        text = n;
    }
    if (a->n_placement)
        ccnc_str_appendf(&text, "%s\n", _("Placement:"));
    for (size_t i = 0; i < a->n_placement; i++)
        ccnc_str_appendf(&text, "  %s %-8s %s\n", a->placement[i].chosen ? "*" : " ",
                         a->placement[i].host, a->placement[i].why);
    if (a->forecast.tried) {
        char *f = ccnc_forecast_text(&a->forecast, ccnc_now_mono_ms());
        char *n = ccnc_xasprintf("%s%s", text, f);

        free(f);
        free(text);
        text = n;
    }
    return text;
}
