/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the console's screens and the batch commands may ask of the engine:
 * the current snapshot, change notifications, and the event loop to hang
 * their own inputs on.  All calls from the loop's thread. */
#ifndef CCNC_ENGINE_H
#define CCNC_ENGINE_H

#include <ccnc/action.h>
#include <ccnc/loop.h>
#include <ccnc/model.h>
#include <ccnc/plan.h>
#include <ccnc/pool.h>
#include <ccnc/report.h>
#include <ccnc/vf.h>

struct ccnc_engine;

/* Called after each new snapshot is published, with what changed. */
typedef void (*ccnc_engine_listener)(const struct ccnc_snapshot *snap,
                                     const struct ccnc_event_list *changes, void *data);

/* A new engine for lab (takes its own reference); collectors start with
 * ccnc_engine_start(). */
struct ccnc_engine *ccnc_engine_new(struct ccnc_lab *lab);
void ccnc_engine_free(struct ccnc_engine *engine);

struct ccnc_loop *ccnc_engine_loop(struct ccnc_engine *engine);
const struct ccnc_lab *ccnc_engine_lab(const struct ccnc_engine *engine);
/* The current snapshot, a new reference for the caller. */
struct ccnc_snapshot *ccnc_engine_snapshot(struct ccnc_engine *engine);
void ccnc_engine_set_listener(struct ccnc_engine *engine, ccnc_engine_listener cb,
                              void *data);
/* How the engine reaches hosts; set before ccnc_engine_start(). */
struct ccnc_engine_options {
    bool accept_new;   /* trust and record unknown host keys, like OpenSSH's
                          StrictHostKeyChecking=accept-new (else: ask) */
    bool once;         /* one attempt per host, no reconnect, nobody to ask
                          (ccnc hosts --check) */
    bool ssh_only;     /* no libvirt collector: the SSH side alone (ccnc hosts) */
};
void ccnc_engine_set_options(struct ccnc_engine *engine,
                             const struct ccnc_engine_options *opts);

/* Start the collectors that exist in this build: one SSH session per host
 * (connecting from the loop's first pass on) with its agent. */
void ccnc_engine_start(struct ccnc_engine *engine);

/* The operator's answer to a host part's hostkey_question: trust writes the
 * key to known_hosts and the connection goes on; otherwise it is closed and
 * stays so.  -1 when that host has no question pending. */
int ccnc_engine_answer_hostkey(struct ccnc_engine *engine, const char *host, bool trust);
/* The passphrase of host's identity, asked for when its passphrase_question
 * is set: used at once, never kept; the caller wipes its copy.  0 taken
 * (a wrong one is asked for again), -1 nothing was asked. */
int ccnc_engine_answer_passphrase(struct ccnc_engine *engine, const char *host,
                                  const char *passphrase);

/* What the link to host i has been through (for `ccnc hosts --check`).
 * Strings are borrowed until the next loop pass. */
struct ccnc_engine_host_status {
    bool settled;          /* the first attempt came to an end */
    bool reachable;        /* the SSH handshake completed */
    bool authenticated;
    const char *hostkey;   /* "ok", "accepted", "unknown", "changed", "other",
                              "not-seen" */
    bool agent_running;    /* the agent sent an inventory */
    bool agent_uploaded;   /* ccnc copied the agent there */
};
int ccnc_engine_host_status(struct ccnc_engine *engine, size_t i,
                            struct ccnc_engine_host_status *out);

/* --- actions ------------------------------------------------------------ */

/* What ran in this console session, newest last. */
struct ccnc_engine_result {
    char *vm, *source, *destination;
    enum ccnc_action_kind kind;
    enum ccnc_action_state state;
    long long total_ms, downtime_ms;    /* CCNC_UNKNOWN when not measured */
    long long longest_gap_ms, lost_probes;
    long long stream_stall_ms;          /* the NFS stream's longest stall */
};

/* Plan on the current snapshot with the one planner (ccnc/plan.h), the
 * VMs of this engine's queued and running actions counted as busy.  NULL
 * and err (the refusal) otherwise.  Caller frees. */
struct ccnc_action *ccnc_engine_plan(struct ccnc_engine *engine,
                                     const struct ccnc_plan_request *req,
                                     struct ccnc_error *err);

/* Fill a migration's forecast (a->forecast, ccnc/forecast.h): what the run
 * files in runs_dir (NULL: the engine's) say of earlier migrations between its two hosts, the
 * VM's memory, and its dirty rate measured on its host over measure_s
 * seconds (0: not measured, assumed 0), then its working set over
 * CCNC_FORECAST_LONG_SAMPLE_S (when longer).  Blocks for about both; does
 * nothing for other actions. */
void ccnc_engine_forecast(struct ccnc_engine *engine, struct ccnc_action *a,
                          const char *runs_dir, int measure_s);

/* The steps that end the unfinished run in run_file (ccnc/plan.h's
 * ccnc_plan_resume on the current snapshot), to be given to the runner:
 * they go on in that run file.  NULL and err otherwise. */
struct ccnc_action *ccnc_engine_plan_resume(struct ccnc_engine *engine, const char *run_file,
                                            enum ccnc_resume_way way, struct ccnc_error *err);
/* The runs of lab VMs in this user's runs folder that have not ended and
 * that no action of this engine is writing, newest first: their files.
 * NULL-terminated, borrowed until the next call (it reads only files that
 * changed since the last). */
const char *const *ccnc_engine_unfinished_runs(struct ccnc_engine *engine);

/* The runner: actions given to the engine run at most `parallel` at once
 * (the lab's [migration] parallel unless set here), the others wait their
 * turn in the order given. */
void ccnc_engine_set_parallel(struct ccnc_engine *engine, int parallel);
/* Take a planned action (confirmed here) and queue it; it starts when a
 * place is free.  Returns its id (> 0); -1 and err (the engine took the
 * action anyway and freed it) when its VM has an action queued or running
 * already. */
int ccnc_engine_submit(struct ccnc_engine *engine, struct ccnc_action *a,
                       struct ccnc_error *err);

/* What the runner tells its listener, on the loop's thread, each once. */
enum ccnc_engine_action_event {
    CCNC_ENGINE_ACTION_STARTED,    /* its run file is open */
    CCNC_ENGINE_ACTION_STEP,       /* a step started (running) or ended */
    CCNC_ENGINE_ACTION_PROGRESS,   /* probe figures, a pre-copy round */
    CCNC_ENGINE_ACTION_NOTICE,     /* a->notice is new: print or log it (a migration
                                      slow to begin says what it waits for) */
    CCNC_ENGINE_ACTION_FINISHED,   /* done, failed, rolled back, or never started */
};
/* a: the action as it stands (borrowed for the call); step: the step that
 * started or ended, NULL for the other events. */
typedef void (*ccnc_engine_action_listener)(void *data, int id,
                                            enum ccnc_engine_action_event ev,
                                            const struct ccnc_action *a,
                                            const struct ccnc_step *step);
void ccnc_engine_set_action_listener(struct ccnc_engine *engine, ccnc_engine_action_listener cb,
                                     void *data);

/* The actions given to this engine, oldest first (finished ones stay). */
size_t ccnc_engine_n_actions(const struct ccnc_engine *engine);
int ccnc_engine_action_id(const struct ccnc_engine *engine, size_t i);
/* By id: the action as it stands, borrowed until the next pass of the
 * loop; NULL for an unknown id. */
const struct ccnc_action *ccnc_engine_action_get(const struct ccnc_engine *engine, int id);
/* Its run file, NULL before it started (or when it never did). */
const char *ccnc_engine_action_run_file(const struct ccnc_engine *engine, int id);
/* Queued or running. */
bool ccnc_engine_action_active(const struct ccnc_engine *engine, int id);
/* libvirt's figures for its summary, CCNC_UNKNOWN when not measured. */
long long ccnc_engine_action_total_ms(const struct ccnc_engine *engine, int id);
long long ccnc_engine_action_downtime_ms(const struct ccnc_engine *engine, int id);
/* What a timeline of action id needs beyond its steps, as recorded (its
 * run file; a replay: the lines played so far), oldest first: the
 * connectivity probe's samples (every 100 ms, counts since the start),
 * libvirt's job statistics (each pre-copy round, the completed job) and
 * the bridges' forwarding entries of the VM's MACs that changed.
 * Borrowed until the next pass of the loop; all zero when there are none. */
struct ccnc_engine_probe_sample {
    long long t_ms;                  /* wall clock */
    long long sent, received, lost, current_gap_ms, longest_gap_ms;
    long long stream_bps;            /* what the storage host sent then; CCNC_UNKNOWN */
    long long stream_stall_ms;       /* the stream's stall going on then; CCNC_UNKNOWN */
    long long stream_longest_stall_ms;   /* its longest so far; CCNC_UNKNOWN */
};
struct ccnc_engine_job_sample {
    long long t_ms;                  /* wall clock, when ccnc read them */
    bool completed;                  /* the completed job's, else a round's */
    int iteration;                   /* pre-copy round; 0 unknown */
    long long elapsed_ms, downtime_ms, memory_remaining;   /* CCNC_UNKNOWN */
};
struct ccnc_engine_samples {
    const struct ccnc_engine_probe_sample *probes;
    size_t n_probes;
    const struct ccnc_engine_job_sample *jobs;
    size_t n_jobs;
    const struct ccnc_trace_fdb *fdb;
    size_t n_fdb;
};
void ccnc_engine_action_samples(struct ccnc_engine *engine, int id,
                                struct ccnc_engine_samples *out);
/* Stop action id (0: every one) for who ("console", "ccnc migrate", ...):
 * a running one is recorded as stopped by the operator and rolls back
 * what it can; a queued one ends without starting. */
void ccnc_engine_abort(struct ccnc_engine *engine, int id, const char *who);
/* Stop a VM's migration run by another ccnc (from another shell): the job
 * is aborted and who asked is recorded in that run's file.  1 aborted,
 * 0 no job, -1 and err. */
int ccnc_engine_abort_elsewhere(struct ccnc_engine *engine, const char *vm, const char *who,
                                struct ccnc_error *err);

/* For the console: the newest action (or the one replayed), NULL if none
 * yet; whether it is queued or running; its run file. */
const struct ccnc_action *ccnc_engine_action(const struct ccnc_engine *engine);
bool ccnc_engine_action_running(const struct ccnc_engine *engine);
const char *ccnc_engine_action_file(const struct ccnc_engine *engine);
/* Anything queued or running. */
bool ccnc_engine_busy(const struct ccnc_engine *engine);
size_t ccnc_engine_n_results(const struct ccnc_engine *engine);
const struct ccnc_engine_result *ccnc_engine_result(const struct ccnc_engine *engine, size_t i);

/* --- SR-IOV VFs, through the host's agent -------------------------------- */

typedef void (*ccnc_engine_reply_cb)(void *data, bool ok, const char *error);
/* Change a VF on host; cb once with the agent's answer (the driver's
 * refusal as error).  The change shows in a later snapshot.  What was set
 * (MAC, VLAN) is kept in the VF intent file; when that cannot be written,
 * cb gets ok with the error as a warning.  -1 and err when the host is
 * unknown or its agent is not running. */
int ccnc_engine_vf_set(struct ccnc_engine *engine, const char *host,
                       const struct ccnc_vf_change *change, ccnc_engine_reply_cb cb,
                       void *data, struct ccnc_error *err);
/* What ccnc set on VFs ($XDG_STATE_HOME/ccnc/vf-intent.json), read once;
 * borrowed for the engine's life. */
const struct ccnc_vf_intent *ccnc_engine_vf_intent(struct ccnc_engine *engine);
/* Set the number of VFs of port pf (a netdev) on host. */
int ccnc_engine_sriov_numvfs(struct ccnc_engine *engine, const char *host, const char *pf,
                             int num_vfs, ccnc_engine_reply_cb cb, void *data,
                             struct ccnc_error *err);

/* --- VF pools (ccnc/pool.h), through the host's agent ---------------------- */

/* Reserve for vm a VF of its pool on host: chosen on the current snapshot
 * (the one reserved for it already, else the lowest free one, skipping
 * what running actions reserved), with the VM's MAC and the pool's VLAN
 * and rate limits pinned on it by the agent.  *out is the VF, filled at
 * once (caller clears).  0: cb comes with the agent's answer; 1: nothing
 * to set (the pool's libvirt network picks the VF itself at the attach),
 * no cb; -1 and err (none free, and who holds them).  The reservation
 * holds against other actions until ccnc_engine_pool_unclaim(). */
int ccnc_engine_pool_reserve(struct ccnc_engine *engine, const char *vm, const char *host,
                             struct ccnc_pool_vf *out, ccnc_engine_reply_cb cb, void *data,
                             struct ccnc_error *err);
/* Give back the VF at pci on host (NULL: the one reserved for vm there) if
 * it is reserved for vm (attached to no VM): its MAC, VLAN and rate limit
 * cleared.  0: cb comes, and *out (may be NULL; caller clears) is that VF;
 * 1: nothing to give back, no cb; -1 and err. */
int ccnc_engine_pool_release(struct ccnc_engine *engine, const char *vm, const char *host,
                             const char *pci, struct ccnc_pool_vf *out,
                             ccnc_engine_reply_cb cb, void *data, struct ccnc_error *err);
/* The action for vm ended: its reservations are the snapshot's to show. */
void ccnc_engine_pool_unclaim(struct ccnc_engine *engine, const char *vm);
/* Whoever passed data to a VF call goes away: its answers go nowhere. */
void ccnc_engine_forget_replies(struct ccnc_engine *engine, void *data);

/* --- bandwidth tests ------------------------------------------------------ */

/* vm's dirty rate sampled by QEMU (page sampling, over seconds) on the
 * host it runs on, in the background: cb once on the loop's
 * thread with ok, bytes per second, the period (s), when it ended
 * (monotonic ms) and why not (translated).  -1 and err when vm is not
 * seen running. */
typedef void (*ccnc_engine_dirty_cb)(void *data, bool ok, double bps, int seconds,
                                     long long at_ms, const char *why);
int ccnc_engine_dirty_sample(struct ccnc_engine *engine, const char *vm, int seconds,
                             ccnc_engine_dirty_cb cb, void *data, struct ccnc_error *err);

/* iperf3 between the storage host and vm (the thesis' throughput table):
 * the storage host's agent runs the client against the VM's probe_target,
 * where an iperf3 server listens, for seconds; reverse: the VM sends.
 * cb once with the figures, or with NULL and why not.  -1 and err when it
 * cannot start (no probe_target, no storage host, its agent not running). */
typedef void (*ccnc_engine_bandwidth_cb)(void *data, const struct ccnc_bandwidth *figures,
                                         const char *error);
int ccnc_engine_bandwidth(struct ccnc_engine *engine, const char *vm, int seconds,
                          bool reverse, ccnc_engine_bandwidth_cb cb, void *data,
                          struct ccnc_error *err);

/* Replay a recorded run (a run file) on the loop, at its own pace divided
 * by speed (1: as recorded): the screens see it as the running action.
 * For rehearsing a demo without a lab.  -1 and err when the file cannot be
 * read. */
int ccnc_engine_replay(struct ccnc_engine *engine, const char *run_file, double speed,
                       struct ccnc_error *err);

#endif
