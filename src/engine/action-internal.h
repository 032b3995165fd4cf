/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the three files of an action's run share: the run itself
 * (action-run.c: the thread, the dispatch table, the loop's side), the
 * steps on the VM's NICs and bond (action-nic.c) and the migration's
 * steps (action-migrate.c).  Included by src/engine/action-*.c only. */
#ifndef CCNC_ACTION_INTERNAL_H
#define CCNC_ACTION_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <libvirt/libvirt.h>

#include <ccnc/error.h>
#include <ccnc/policy.h>

#include "engine/action-run.h"

/* each call to the guest agent */
#define CCNC_RUN_GUEST_TIMEOUT_S 3
/* how often a wait for the guest looks again */
#define CCNC_RUN_POLL_MS 100

/* What the thread asks the loop's thread to do (engine calls). */
enum ccnc_run_loop_req {
    CCNC_RUN_LOOP_NONE,
    CCNC_RUN_LOOP_RESERVE,      /* a VF of the VM's pool on loop_host */
    CCNC_RUN_LOOP_RELEASE,      /* the VF at loop_pci on loop_host */
    CCNC_RUN_LOOP_SNAPSHOT,     /* the current snapshot, into loop_snap */
};

/* A progress event waiting for the loop's thread. */
struct ccnc_run_progress {
    enum ccnc_action_run_event ev;
    struct ccnc_action *copy;
    struct ccnc_step step;      /* a copy; its error owned here */
    bool has_step;
};

struct ccnc_action_run {
    struct ccnc_action_env env;     /* env.lab: a reference of the run's */
    const struct ccnc_lab *lab;     /* env.lab */
    const struct ccnc_lab_vm *cv;
    struct ccnc_action *a;          /* the thread's while it runs */
    ccnc_action_run_cb cb;
    void *cb_data;
    struct ccnc_runlog *log;

    pthread_t thread;
    bool started;
    int finished;                   /* set by the thread, read by the loop */

    pthread_mutex_t mu;             /* everything below that both threads touch */
    pthread_cond_t cond;
    struct ccnc_run_progress *queue;
    size_t n_queue, cap_queue;
    int abort_req;
    char *abort_who;                /* who asked to stop (mu) */
    pthread_mutex_t log_mu;         /* the run file: the thread's steps, the loop's samples */
    bool log_done;                  /* its result line is written (log_mu) */

    enum ccnc_run_loop_req loop_req;
    bool loop_sent, loop_done, loop_ok;
    char *loop_host, *loop_pci, *loop_error;
    struct ccnc_snapshot *loop_snap;
    struct ccnc_pool_vf vf;         /* the VF reserved (host NULL: none) */
    char *source_pci;               /* the pool VF the VM had on the source */
    size_t n_released;              /* of the action's VFs to give back */
    /* the VM's lease (action-lease.c), the thread's */
    bool lease_held;
    long long lease_since, lease_expires, lease_renewed_ms;

    /* the connectivity probe; the loop's, except where noted */
    int probe_handle;               /* > 0 until its last sample */
    bool probe_stop_req;            /* (mu) */
    long long probe_samples;        /* samples so far (mu) */

    /* the thread's */
    virConnectPtr src, dst;
    /* a second connection to the source for the migration's watch: its
     * calls (the job's statistics, the downtime limit, the abort) must not
     * queue behind the migration's own call on src, whose holder libvirt's
     * client may not wake to send them (libvirt 9.0 lost that wakeup, and
     * a call waited for the next incoming message, up to 5 s).  Opened by
     * its own thread beside the checks, so that they hide its cost, and
     * closed when the migration has ended */
    virConnectPtr watch_conn;
    pthread_t watch_opener;
    bool watch_opening, watch_tried;
    const char *opening;            /* the host the run's thread opens a connection
                                       to, NULL none (mu) */
    long long opening_ms;           /* ... since (mu) */
    bool open_watch_stop;           /* (mu) */
    int cb_src[3], cb_dst[3];
    long long reopened_ms[2];       /* last reconnection: source, destination */
    bool device_removed, device_added, removal_failed;   /* (mu) */
    char *nic_xml;                  /* the passthrough NIC's device XML, once detached */
    long long t0, total_ms, downtime_ms;
    bool migrating;                 /* (mu) */
    virDomainPtr migrating_dom;     /* on watch_conn if open, else src (mu) */
    virDomainPtr migrating_src_dom; /* the same VM on src (mu) */
    int iteration_seen, iteration_logged;   /* MIGRATION_ITERATION (mu) */
    bool migration_timed_out;               /* the watch aborted it at the timeout (mu) */
    bool migration_given_up;                /* ... or sooner, its course hopeless (mu) */
    struct ccnc_policy_state policy;        /* the downtime limit's steering */
    long long migrate_t0;                   /* monotonic ms the migration began */
    bool setup_abort_ok;                    /* called off before its first round, and
                                             * the source took it (mu) */
    /* the newest rounds recorded, oldest first: where the migration is
     * going (ccnc_precopy_to_go; the watch's alone) */
    struct ccnc_precopy_round rounds[CCNC_PRECOPY_TO_GO_ROUNDS + 2];
    size_t n_rounds;
    struct ccnc_precopy_hopeless hopeless;   /* rounds in a row whose course says
                                              * it will not end in time */
};

/* --- action-run.c: the run's plumbing, for the steps ----------------------- */

long long ccnc_run_now_ms(void);
/* Hand the loop's thread a progress event with a copy of the action. */
void ccnc_run_post(struct ccnc_action_run *r, enum ccnc_action_run_event ev,
                   const struct ccnc_step *s);
/* Have the loop reserve (pci NULL) or release a VF of the VM's pool on
 * host, and wait (bounded) for the agent's answer. */
int ccnc_run_loop_request(struct ccnc_action_run *r, enum ccnc_run_loop_req req,
                          const char *host, const char *pci, struct ccnc_error *err);
/* The current snapshot, from the loop (a new reference), NULL on timeout. */
struct ccnc_snapshot *ccnc_run_snapshot(struct ccnc_action_run *r);
/* -vv: a line for each libvirt call of an action, "HOST: libvirt CALL for
 * VM" (include/ccnc/log.h); for the run, HOST is the end that c (or d's
 * connection) is open to.  Any thread. */
void ccnc_run_log_call(const char *host, const char *call, const char *vm);
const char *ccnc_run_host_of(const struct ccnc_action_run *r, virConnectPtr c);
void ccnc_run_trace(const struct ccnc_action_run *r, virConnectPtr c, const char *call);
#define ccnc_run_trace_dom(r, d, call) ccnc_run_trace(r, virDomainGetConnect(d), call)
/* libvirt's last error into err after what; returns -1. */
int ccnc_run_lv_fail(struct ccnc_error *err, const char *what);
/* The connection where the VM runs now (opened again if it died), and the
 * VM there. */
virConnectPtr ccnc_run_here(struct ccnc_action_run *r);
/* The source's connection (dst false) or the destination's, opened again
 * when it died (at most once a second); NULL when there is none. */
virConnectPtr ccnc_run_conn(struct ccnc_action_run *r, bool dst);
virDomainPtr ccnc_run_domain(struct ccnc_action_run *r, struct ccnc_error *err);
/* The VM's live XML, from d or (d NULL) the VM where it runs now; NULL
 * with err set when it cannot be read. */
char *ccnc_run_domain_xml(struct ccnc_action_run *r, virDomainPtr d, struct ccnc_error *err);
/* What libvirt says of the VM on the source (dst false) or the destination
 * (none: not known), its connection opened again if it died. */
struct ccnc_run_vm_seen {
    int state;      /* VIR_DOMAIN_*, -1 when its state did not come */
    int reason;     /* its VIR_DOMAIN_*_ reason */
    bool job;       /* a job (a migration) runs on it */
};
/* 1: defined there, into *seen (and *d, when d is not NULL: the caller
 * frees it); 0: not defined there; -1: not known (no connection, no
 * answer). */
int ccnc_run_vm_state(struct ccnc_action_run *r, bool dst, struct ccnc_run_vm_seen *seen,
                      virDomainPtr *d);
/* Why the VM does not run where it should (translated), or NULL when it
 * runs there or that cannot be told. */
const char *ccnc_run_vm_down(struct ccnc_action_run *r);
/* ccnc_run_open_host for the run: an open that waits (a libvirt open waits
 * for a hung daemon as long as it takes) is said as the run's notice after
 * CCNC_MIGRATION_SETUP_SLOW_MS, and after each as long more.  When
 * stoppable (a step's own open, not a reopen of a connection that died),
 * and the run has changed nothing yet, the operator's stop ends the wait,
 * or spares it: NULL, and the open left to end on its own thread. */
virConnectPtr ccnc_run_open(struct ccnc_action_run *r, const char *host, bool stoppable,
                            struct ccnc_error *err);
/* Say text (translated; the run takes it) as the action's notice: into
 * -v's log and to the listener (CCNC_RUN_EV_NOTICE).  Called without
 * r->mu. */
void ccnc_run_notice(struct ccnc_action_run *r, char *text);
/* Wait on flag (or fail_flag, may be NULL) under r->mu for at most
 * timeout_s; true when flag was set. */
bool ccnc_run_wait_flag(struct ccnc_action_run *r, bool *flag, bool *fail_flag, int timeout_s);
/* Has the operator asked to stop? */
bool ccnc_run_abort_requested(struct ccnc_action_run *r);
/* Run file lines, under log_mu. */
void ccnc_run_log_bond(struct ccnc_action_run *r, const char *before, const char *after);
void ccnc_run_log_vf(struct ccnc_action_run *r, const char *event, const char *host,
                     const char *pf, int index, const char *pci);
/* A setting the run changes on host, into the run file before it is set. */
void ccnc_run_log_setting(struct ccnc_action_run *r, const char *host, const char *name,
                          long long value, const char *why);
void ccnc_run_log_forecast(struct ccnc_action_run *r, const struct ccnc_forecast *f);
void ccnc_run_log_to_go(struct ccnc_action_run *r, const struct ccnc_precopy_to_go *g);
void ccnc_run_log_job(struct ccnc_action_run *r, const char *phase, const char *const *names,
                      const long long *values, size_t n);

/* --- action-nic.c: the VM's NICs and its guest bond ------------------------- */

int ccnc_step_check_backup(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_reserve_nic(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_release_nic(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_bond_to_backup(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_verify_on_backup(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_detach(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_attach(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_reattach_source(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_wait_enslaved(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_bond_to_primary(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_restore_primary(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_verify(struct ccnc_action_run *r, struct ccnc_error *err);
/* Give back a pool VF (pci NULL: nothing to give back). */
int ccnc_run_release_vf(struct ccnc_action_run *r, const char *host, const char *pci,
                        struct ccnc_error *err);

/* --- action-lease.c: one owner per VM ------------------------------------------ */

/* Take the VM's lease where it runs: -1 and err (refused) when another
 * ccnc holds one that has not lapsed, or took it at the same moment. */
int ccnc_run_lease_take(struct ccnc_action_run *r, struct ccnc_error *err);
/* Renew it, at most every few seconds (between steps). */
void ccnc_run_lease_renew(struct ccnc_action_run *r);
/* Give it back, where the VM runs now. */
void ccnc_run_lease_release(struct ccnc_action_run *r);

/* --- action-migrate.c: the destination and the migration -------------------- */

int ccnc_step_forecast(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_check_destination(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_check_storage(struct ccnc_action_run *r, struct ccnc_error *err);
int ccnc_step_migrate(struct ccnc_action_run *r, struct ccnc_error *err);
/* Abort the running migration job: on the watch's connection, else on
 * the source's.  Called with r->mu held, which it lets go during the
 * calls.  Whether libvirt took it. */
bool ccnc_run_abort_job(struct ccnc_action_run *r);
/* The source's second connection for the migration's watch, once open
 * (waits for its opening), or NULL: the watch then uses src. */
virConnectPtr ccnc_run_watch_conn(struct ccnc_action_run *r);
/* host's libvirt URI in lab (its opening logged), or NULL and err.  Caller
 * frees. */
char *ccnc_run_host_uri(const char *host, const struct ccnc_lab *lab, struct ccnc_error *err);
/* A connection to uri with keepalive, NULL and err (libvirt's words: on the
 * calling thread). */
virConnectPtr ccnc_run_open_uri(const char *uri, struct ccnc_error *err);
/* A connection to host of lab with keepalive, NULL and err. */
virConnectPtr ccnc_run_open_host(const char *host, const struct ccnc_lab *lab,
                                 struct ccnc_error *err);
/* DEVICE_REMOVED, DEVICE_ADDED and DEVICE_REMOVAL_FAILED on conn raise the
 * run's flags; ids[3] for deregistering. */
void ccnc_run_register_device_events(struct ccnc_action_run *r, virConnectPtr conn, int *ids);

#endif
