/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running an action for real: a thread that maps each step of the state
 * machine to libvirt and guest-agent calls, writes the run file as it
 * goes, and tells the loop's thread what happened.  The engine runs these;
 * what a run needs of the engine comes through struct ccnc_action_env, so
 * that the run never calls the engine's API. */
#ifndef CCNC_ACTION_RUN_H
#define CCNC_ACTION_RUN_H

#include <ccnc/action.h>
#include <ccnc/loop.h>
#include <ccnc/model.h>
#include <ccnc/pool.h>
#include <ccnc/runlog.h>

struct ccnc_action_run;
struct ccnc_agent;

typedef void (*ccnc_action_reply_cb)(void *data, bool ok, const char *error);

/* What a run asks of whoever runs it; called on the loop's thread only. */
struct ccnc_action_env_ops {
    /* The current snapshot, a new reference. */
    struct ccnc_snapshot *(*snapshot)(void *owner);
    /* Reserve a VF of vm's pool on host (ccnc_engine_pool_reserve's
     * contract: 0 cb comes, 1 nothing to set, -1 err). */
    int (*pool_reserve)(void *owner, const char *vm, const char *host, struct ccnc_pool_vf *out,
                        ccnc_action_reply_cb cb, void *data, struct ccnc_error *err);
    /* Give back the VF at pci on host if it is reserved for vm. */
    int (*pool_release)(void *owner, const char *vm, const char *host, const char *pci,
                        ccnc_action_reply_cb cb, void *data, struct ccnc_error *err);
    /* The run ended: what it reserved is the snapshot's to show. */
    void (*pool_unclaim)(void *owner, const char *vm);
    /* data goes away: its pending answers go nowhere. */
    void (*forget_replies)(void *owner, void *data);
    /* The agent that probes connectivity (the storage host's), or NULL. */
    struct ccnc_agent *(*probe_agent)(void *owner);
};

struct ccnc_action_env {
    struct ccnc_loop *loop;
    struct ccnc_lab *lab;       /* borrowed: the run takes its own reference */
    const char *runs_dir;       /* where run files go; copied */
    const char *who;            /* this ccnc, for the records: "user@host (pid N)"; copied */
    const struct ccnc_action_env_ops *ops;
    void *owner;
};

/* What a run tells its owner, on the loop's thread, with a copy of the
 * action as it stands (the callee owns it). */
enum ccnc_action_run_event {
    CCNC_RUN_EV_STEP,       /* step started (outcome running) or ended */
    CCNC_RUN_EV_PROGRESS,   /* a probe sample, a pre-copy round */
    CCNC_RUN_EV_NOTICE,     /* something to say, once: the action's notice */
    CCNC_RUN_EV_FINISHED,   /* the run's end: its result line is written */
};
typedef void (*ccnc_action_run_cb)(void *data, enum ccnc_action_run_event ev,
                                   struct ccnc_action *copy, const struct ccnc_step *step);

/* Start running a (confirmed) action.  The run takes the action in every
 * case (freed with the run, or at once when it cannot start).  NULL and
 * err when it cannot start (run file, libvirt events, thread); a source it
 * cannot connect to fails the first step. */
struct ccnc_action_run *ccnc_action_run_start(const struct ccnc_action_env *env,
                                              struct ccnc_action *a, ccnc_action_run_cb cb,
                                              void *data, struct ccnc_error *err);
/* The operator asks the run to stop (who: "console", "ccnc migrate", ...):
 * recorded in the run file at once; a running migration is aborted
 * (virDomainAbortJob), and the state machine rolls back what it can.
 * A second request changes nothing. */
void ccnc_action_run_abort(struct ccnc_action_run *run, const char *who);
/* A bridge on host learned the VM's MAC on port, or forgot it: into the
 * run file (an fdb line), while the run writes one.  Any thread. */
void ccnc_action_run_fdb(struct ccnc_action_run *run, const char *host, const char *event,
                         const char *mac, const char *bridge, const char *port,
                         long long host_ms);
bool ccnc_action_run_finished(const struct ccnc_action_run *run);
/* The action, for its owner to read once the run has finished. */
const struct ccnc_action *ccnc_action_run_action(const struct ccnc_action_run *run);
const char *ccnc_action_run_file(const struct ccnc_action_run *run);
/* Figures for the summary: CCNC_UNKNOWN when not measured. */
long long ccnc_action_run_total_ms(const struct ccnc_action_run *run);
long long ccnc_action_run_downtime_ms(const struct ccnc_action_run *run);
/* Wait for the thread (after it finished) and free. */
void ccnc_action_run_free(struct ccnc_action_run *run);

/* Abort the libvirt job (a migration) of a VM from outside the process
 * that runs it, recording who asked in the VM's unfinished run file in
 * runs_dir when there is one: that process sees its migration fail, says
 * it was the operator, and rolls back.  Returns 1 when a job was aborted,
 * 0 when the VM had none, -1 and err. */
int ccnc_action_abort_vm(const struct ccnc_lab *lab, const char *vm, const char *runs_dir,
                         const char *who, struct ccnc_error *err);

#endif
