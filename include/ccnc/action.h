/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Actions as state machines: assign, detach, migrate, and migrate with
 * passthrough.  An action is a plan of steps; a pure step function says
 * which step to run next and, when one fails, which rollback steps follow.
 * Whoever runs the steps (the engine, with libvirt and the guest agent; or
 * a test) reports each outcome back.  No I/O here.
 *
 *   PLANNED -> CONFIRMED -> RUNNING -> VERIFYING -> DONE
 *                              |            |
 *                              +------------+--> FAILED | ROLLED_BACK
 */
#ifndef CCNC_ACTION_H
#define CCNC_ACTION_H

#include <ccnc/error.h>
#include <ccnc/forecast.h>

enum ccnc_action_kind {
    CCNC_ACTION_ASSIGN,
    CCNC_ACTION_DETACH,
    CCNC_ACTION_MIGRATE,              /* live, no passthrough NIC */
    CCNC_ACTION_MIGRATE_PASSTHROUGH,  /* the whole dance */
    CCNC_ACTION_MIGRATE_TEAMING,      /* QEMU failover unplugs and replugs itself */
    CCNC_ACTION_LAST
};

enum ccnc_action_state {
    CCNC_ACTION_PLANNED,
    CCNC_ACTION_CONFIRMED,
    CCNC_ACTION_RUNNING,
    CCNC_ACTION_VERIFYING,
    CCNC_ACTION_DONE,
    CCNC_ACTION_FAILED,
    CCNC_ACTION_ROLLED_BACK,
    CCNC_ACTION_STATE_LAST
};

/* What a step does; the engine maps each to libvirt, guest-agent or agent
 * calls. */
enum ccnc_step_op {
    CCNC_STEP_FORECAST,            /* sample the dirty rate, forecast (changes nothing) */
    CCNC_STEP_CHECK_DESTINATION,   /* destination reachable, its libvirt can run
                                    * the VM (emulator, machine type) */
    CCNC_STEP_CHECK_STORAGE,       /* the VM's storage is visible there */
    CCNC_STEP_CHECK_BACKUP,        /* the backup slave is up and carrying traffic */
    CCNC_STEP_RESERVE_NIC,         /* a free NIC or VF of the pool on the destination */
    CCNC_STEP_BOND_TO_BACKUP,      /* planned switch of the guest bond */
    CCNC_STEP_DETACH,              /* detach, wait for DEVICE_REMOVED */
    CCNC_STEP_VERIFY_ON_BACKUP,    /* the bond runs on the backup */
    CCNC_STEP_MIGRATE,             /* live migration, wait for completion */
    CCNC_STEP_ATTACH,              /* attach, wait for DEVICE_ADDED */
    CCNC_STEP_WAIT_ENSLAVED,       /* the guest made the NIC a bond slave */
    CCNC_STEP_BOND_TO_PRIMARY,     /* switch the bond back to the NIC */
    CCNC_STEP_VERIFY,              /* final check of where things stand */
    /* rollback */
    CCNC_STEP_RELEASE_NIC,         /* give the reserved NIC or VF back */
    CCNC_STEP_REATTACH_SOURCE,     /* put the detached NIC back on the source */
    CCNC_STEP_RESTORE_PRIMARY,     /* bond back on the passthrough NIC */
    CCNC_STEP_LAST
};

enum ccnc_step_outcome {
    CCNC_STEP_PENDING,
    CCNC_STEP_RUNNING_NOW,
    CCNC_STEP_OK,
    CCNC_STEP_FAILED,
    CCNC_STEP_TIMEOUT,
    CCNC_STEP_SKIPPED,
    CCNC_STEP_OUTCOME_LAST
};

struct ccnc_step {
    enum ccnc_step_op op;
    bool rollback;            /* part of the rollback, not the plan */
    enum ccnc_step_outcome outcome;
    long long started_ms;     /* wall clock, 0 before it ran */
    long long ended_ms;
    char *error;              /* why it failed, may be NULL */
};

/* The connectivity probe's figures for a run (the agent on the storage
 * host pings the VM while the action runs): counts since the start. */
struct ccnc_probe_figures {
    bool measured;            /* at least one sample came */
    bool done;                /* the final sample came */
    long long sent, received, lost;
    long long current_gap_ms, longest_gap_ms;
    /* the stream from the storage host to the VM (ccnc/stall.h), once it
     * has moved: the stall going on and the longest, in ms */
    bool stream;
    long long stream_stall_ms, stream_longest_stall_ms;
    char *error;              /* why there are no (more) samples, may be NULL */
};

/* Where a live migration stands, from libvirt's job statistics at each
 * pre-copy round (MIGRATION_ITERATION); -1 where libvirt gave nothing. */
struct ccnc_migration_figures {
    int iteration;            /* pre-copy round, 0 before the first report */
    long long memory_total, memory_processed, memory_remaining;   /* bytes */
    long long dirty_rate;     /* pages per second */
    long long bps;            /* transfer rate, bytes per second */
    long long elapsed_ms;     /* time_elapsed: since the migration began */
    long long timeout_ms;     /* the migration's timeout (the lab's), -1 unknown */
    /* where it is going, from the rounds so far (course UNKNOWN: not yet) */
    struct ccnc_precopy_to_go to_go;
    /* no round yet: how long it has been setting up, in whole steps of
     * CCNC_MIGRATION_SETUP_SLOW_MS once it is that long (else 0), and
     * whether ccnc's own connection to the destination's (or the
     * source's) libvirt had closed by then */
    long long setup_ms;
    bool dst_lost;
    bool src_lost;            /* ... or to the source's */
    bool called_off;          /* ... and ccnc has asked the source to abort it
                                 (its timeout, or the operator) */
    /* the downtime limit in force (0: not known), and why it was set last
     * (the run file's setting line: the policy's name at the start, then
     * ccnc/policy.h's CCNC_POLICY_*_WHY) */
    int limit_ms;
    char limit_why[32];
};

/* A migration with no round after this long is said to be slow to start
 * (the destination's libvirtd hung, or busy), again after each as long. */
#define CCNC_MIGRATION_SETUP_SLOW_MS 10000

/* The figures of one pre-copy round as the model reads them
 * (ccnc/precopy.h); what libvirt did not give stays < 0. */
struct ccnc_precopy_round ccnc_migration_round(const struct ccnc_migration_figures *m);

/* Whether the policy raised m's downtime limit while the migration ran
 * (at stalled rounds, on the course, the ladder's step), and that limit
 * and why as a translated line (NULL when it did not; caller frees). */
bool ccnc_migration_limit_raised(const struct ccnc_migration_figures *m);
char *ccnc_migration_limit_text(const struct ccnc_migration_figures *m);

/* What a migration slow to start (setup_ms > 0, no round yet) from
 * source to destination is waiting for: a translated sentence, NULL when
 * it is not.  Caller frees. */
char *ccnc_migration_setup_text(const struct ccnc_migration_figures *m, const char *source,
                                const char *destination);

struct ccnc_action {
    enum ccnc_action_kind kind;
    enum ccnc_action_state state;
    char *vm;
    char *source;             /* host names */
    char *destination;        /* NULL for assign/detach */
    char *nic;                /* what is assigned/detached/reserved, may be NULL */
    struct ccnc_step *steps;
    size_t n_steps;
    size_t cap_steps;
    size_t current;           /* index of the step running or next */
    bool on_destination;      /* the VM runs on the destination now */
    bool on_backup_only;      /* the VM's bond has only its backup NIC */
    char *summary;            /* the outcome in one sentence, when finished */
    char *notice;             /* what the run says now, once (translated): set
                                 with each CCNC_ENGINE_ACTION_NOTICE, NULL */
    char **notes;             /* why the plan is what it is: translated
                                 sentences from the planner (ccnc/plan.h) */
    size_t n_notes;
    /* ending an unfinished run (ccnc resume): its run file, whose record
     * this action continues; undo: done means rolled back */
    char *resume_of;
    bool undo;
    /* VFs to give back (release-nic steps of the plan, in order), each
     * reserved for the VM by a run that did not end */
    struct ccnc_action_vf { char *host, *pci; } *release;
    size_t n_release;
    struct ccnc_probe_figures probe;
    struct ccnc_migration_figures migration;
    /* a migration whose destination placement chose: every host's
     * verdict, in the lab's order (ccnc/placement.h) */
    struct ccnc_action_place { char *host; bool chosen, candidate; char *why; } *placement;
    size_t n_placement;
    /* a migration's forecast, made before it starts (ccnc/forecast.h) */
    struct ccnc_forecast forecast;
};

/* A planned action with the kind's whole plan (the VM as the lab config
 * describes it); NULL strings are fine where the kind has no use for them.
 * Free with ccnc_action_free(). */
struct ccnc_action *ccnc_action_new(enum ccnc_action_kind kind, const char *vm,
                                    const char *source, const char *destination,
                                    const char *nic);
/* The same with the steps given (the planner's choice, or a run file's). */
struct ccnc_action *ccnc_action_new_steps(enum ccnc_action_kind kind, const char *vm,
                                          const char *source, const char *destination,
                                          const char *nic, const enum ccnc_step_op *steps,
                                          size_t n_steps);
/* The kind's whole plan, for the VM as the lab config describes it. */
size_t ccnc_action_default_steps(enum ccnc_action_kind kind, const enum ccnc_step_op **steps);
/* Add a note to the plan (a translated sentence). */
void ccnc_action_add_note(struct ccnc_action *a, const char *fmt, ...) CCNC_PRINTF(2, 3);
void ccnc_action_free(struct ccnc_action *a);
/* A deep copy, for showing a running action elsewhere. */
struct ccnc_action *ccnc_action_dup(const struct ccnc_action *a);

/* The operator said yes: PLANNED -> CONFIRMED.  -1 from any other state. */
int ccnc_action_confirm(struct ccnc_action *a);

/* The next step to run, marked running with started_ms = now_ms; NULL when
 * the action has finished (state DONE, FAILED or ROLLED_BACK) or is not
 * confirmed.  The step stays valid, where it is, for the action's life
 * (its rollback never moves the steps).  Moves CONFIRMED -> RUNNING and,
 * at the verification step, RUNNING -> VERIFYING. */
struct ccnc_step *ccnc_action_next(struct ccnc_action *a, long long now_ms);

/* Report how the running step ended.  A failure or timeout switches the
 * action to its rollback (or to FAILED when nothing can be undone). */
void ccnc_action_report(struct ccnc_action *a, enum ccnc_step_outcome outcome,
                        const char *error, long long now_ms);

bool ccnc_action_finished(const struct ccnc_action *a);

const char *ccnc_action_kind_to_string(enum ccnc_action_kind k);
int ccnc_action_kind_from_string(const char *s);
/* Whether kind (an enum ccnc_action_kind, or -1) moves the VM to another
 * host: a migration of any of the three kinds. */
bool ccnc_action_kind_migrates(int kind);
int ccnc_step_op_from_string(const char *s);
const char *ccnc_action_state_to_string(enum ccnc_action_state s);
/* What the first step that failed (or timed out) said, else its name;
 * NULL when none failed. */
const char *ccnc_action_failure(const struct ccnc_action *a);
const char *ccnc_step_op_to_string(enum ccnc_step_op op);
/* Whether a step of op only reads (the forecast and the checks): false for
 * every step that changes a host, a pool or the VM. */
bool ccnc_step_op_reads_only(enum ccnc_step_op op);
const char *ccnc_step_outcome_to_string(enum ccnc_step_outcome o);
/* For people: translated ("rolled back", "ok"); the above are the JSON's. */
const char *ccnc_action_state_text(enum ccnc_action_state s);
const char *ccnc_step_outcome_text(enum ccnc_step_outcome o);
/* A translated sentence saying what the step does, for plans and logs. */
const char *ccnc_step_op_describe(enum ccnc_step_op op);

/* The plan, one translated line per step and its notes, for --dry-run.
 * Caller frees. */
char *ccnc_action_plan_text(const struct ccnc_action *a);

#endif
