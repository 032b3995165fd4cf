/* What the console's screens and the batch commands may ask of the engine:
 * the current snapshot, change notifications, and the event loop to hang
 * their own inputs on.  All calls from the loop's thread. */
#ifndef CCNC_ENGINE_H
#define CCNC_ENGINE_H

#include <ccnc/action.h>
#include <ccnc/loop.h>
#include <ccnc/model.h>
#include <ccnc/pool.h>
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

/* Publish host part i (the engine takes the reference) as a new snapshot,
 * and tell the listener what changed.  Used by collectors. */
void ccnc_engine_publish_host(struct ccnc_engine *engine, size_t i, struct ccnc_host *host);

/* Change host part i: fn gets a private copy of the current part to change
 * in place, and the result is published.  For collectors that own only some
 * fields (libvirt the VMs, the agent the inventory). */
void ccnc_engine_update_host(struct ccnc_engine *engine, size_t i,
                             void (*fn)(struct ccnc_host *host, void *data), void *data);

/* --- actions ------------------------------------------------------------ */

/* What ran in this console session, newest last. */
struct ccnc_engine_result {
    char *vm, *source, *destination;
    enum ccnc_action_kind kind;
    enum ccnc_action_state state;
    long long total_ms, downtime_ms;    /* CCNC_UNKNOWN when not measured */
    long long longest_gap_ms, lost_probes;
};

/* Plan an action on the current snapshot: where the VM runs, the kind
 * (migrate with passthrough when the lab config gives it a passthrough
 * NIC, teaming when libvirt shows a failover pair).  NULL and err when it
 * makes no sense (unknown VM, not running, same host).  Caller frees. */
struct ccnc_action *ccnc_engine_plan(struct ccnc_engine *engine, enum ccnc_action_kind kind,
                                     const char *vm, const char *destination,
                                     struct ccnc_error *err);
/* Run a planned action (the engine takes it and confirms it); one at a
 * time.  -1 and err when it cannot start.  The listener is called on each
 * step with no changes, so the screen can follow. */
int ccnc_engine_run(struct ccnc_engine *engine, struct ccnc_action *a, struct ccnc_error *err);
/* The running (or last) action as it stands, NULL if none yet.  Borrowed
 * until the next pass of the loop. */
const struct ccnc_action *ccnc_engine_action(const struct ccnc_engine *engine);
bool ccnc_engine_action_running(const struct ccnc_engine *engine);
const char *ccnc_engine_action_file(const struct ccnc_engine *engine);
void ccnc_engine_abort(struct ccnc_engine *engine);
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
