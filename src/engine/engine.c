/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine: owns the loop and the current snapshot, runs one SSH session
 * and agent link per host and the libvirt collector, publishes what they
 * learn as new snapshots, plans actions with the one planner and runs them,
 * at most `parallel` at once.  Collectors and runs report through callback
 * structs; none of them calls the engine's API. */
#include "config.h"

#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccnc/engine.h>
#include <ccnc/log.h>
#include <ccnc/pool.h>

#include <ccnc/runlog.h>

#include <json-c/json.h>

#include "core/i18n.h"
#include "engine/action-run.h"
#include "engine/collect-agent.h"
#include "engine/collect-libvirt.h"
#include "engine/forecast.h"
#include "engine/replay.h"
#include "engine/transport-ssh.h"

struct engine_host {
    struct ccnc_engine *e;
    size_t i;
    struct ccnc_ssh *ssh;
    struct ccnc_agent *agent;
    struct ccnc_host *inventory;   /* the agent's latest, NULL before one */
    bool ready;                    /* the session was ready at the last report */
    int start_timer;
};

struct ccnc_engine {
    struct ccnc_lab *lab;
    struct ccnc_loop *loop;
    struct ccnc_snapshot *snap;
    ccnc_engine_listener listener;
    void *listener_data;
    struct ccnc_collect_libvirt *libvirt;
    struct engine_action **actions;     /* oldest first, finished ones too */
    size_t n_actions, cap_actions;
    int next_id;
    int parallel;                       /* 0: the lab's [migration] parallel */
    ccnc_engine_action_listener action_cb;
    void *action_cb_data;
    char *runs_dir;
    char *who;                          /* "user@host (pid N)": this ccnc in records */
    struct seen_run *seen;              /* the runs folder at the last look */
    size_t n_seen, cap_seen;
    const char **unfinished;
    struct ccnc_engine_result *results;
    size_t n_results, cap_results;
    struct ccnc_engine_options opts;
    struct engine_host *hosts;
    size_t n_hosts;
    struct ccnc_vf_intent *vf_intent;   /* NULL until asked for */
    char *vf_intent_path;
    struct vf_set **vf_sets;            /* VF changes waiting for their answer */
    size_t n_vf_sets, cap_vf_sets;
    struct pool_claim *claims;          /* VFs reserved by running actions */
    size_t n_claims, cap_claims;
    struct bw_test **bw_tests;          /* bandwidth tests waiting for their figures */
    size_t n_bw_tests, cap_bw_tests;
    struct ccnc_dirty_job **samples;    /* dirty-rate samples under way or answered */
    size_t n_samples, cap_samples;
};

/* An action given to the runner: queued, running (with its run), finished
 * (its last copy kept), or a replay of a recorded one. */
struct engine_action {
    struct ccnc_engine *e;
    int id;
    struct ccnc_action *queued;         /* not started yet */
    struct ccnc_action_run *run;        /* started, until reaped */
    struct ccnc_action *shown;          /* the latest copy */
    struct ccnc_replay *replay;
    char *run_file;
    bool finished;
    long long total_ms, downtime_ms;
    /* the timeline's samples (ccnc_engine_action_samples): a replay's from
     * its lines played so far (lines_seen of them); a live run's from its
     * progress, and from its run file again after each step (exact times,
     * the completed job's figures) */
    struct ccnc_engine_probe_sample *probes;
    size_t n_probes, cap_probes;
    struct ccnc_engine_job_sample *jobs;
    size_t n_jobs, cap_jobs;
    struct ccnc_trace_fdb *fdb;
    size_t n_fdb, cap_fdb;
    size_t lines_seen;
    bool reread;
};

/* A bandwidth test on its way; the engine's until the agent answers. */
struct bw_test {
    struct ccnc_engine *e;
    ccnc_engine_bandwidth_cb cb;
    void *data;
};

/* A VF an action reserved, until the action ends: the snapshot may not
 * show the VM's MAC on it yet. */
struct pool_claim {
    char *vm;
    struct ccnc_pool_vf vf;
};

struct vf_set;
static void vf_set_free(struct vf_set *v);

static void engine_action_free(struct engine_action *ea);
static void add_fdb_sample(struct engine_action *ea, long long t_ms, const char *event,
                           const char *host, const char *bridge, const char *port);
struct seen_run;
static void seen_runs_free(struct ccnc_engine *e);
static struct ccnc_agent *probe_agent(struct ccnc_engine *e, const char **host);
static void publish_host(struct ccnc_engine *e, size_t i, struct ccnc_host *host);
static void update_host(struct ccnc_engine *e, size_t i,
                        void (*fn)(struct ccnc_host *host, void *data), void *data);

/* This ccnc as records name it: who runs it, where, which process. */
static char *
who_am_i(void)
{
    char host[256] = "?";
    const char *user = getenv("USER");
    struct passwd *pw = getpwuid(getuid());

    if (gethostname(host, sizeof(host) - 1) < 0)
        snprintf(host, sizeof(host), "?");
    host[sizeof(host) - 1] = '\0';
    if (pw && pw->pw_name)
        user = pw->pw_name;
    return ccnc_xasprintf("%s@%s (pid %ld)", user ? user : "?", host, (long)getpid());
}

struct ccnc_engine *
ccnc_engine_new(struct ccnc_lab *lab)
{
    struct ccnc_engine *e = ccnc_xcalloc(1, sizeof(*e));

    e->lab = ccnc_lab_ref(lab);
    e->loop = ccnc_loop_new();
    e->snap = ccnc_snapshot_new_from_lab(lab);
    e->next_id = 1;
    e->runs_dir = ccnc_runlog_default_dir();
    e->who = who_am_i();
    return e;
}

void
ccnc_engine_free(struct ccnc_engine *e)
{
    if (!e)
        return;
    ccnc_vf_intent_free(e->vf_intent);
    free(e->vf_intent_path);
    /* a console closed mid-run: each run stops and undoes what it can */
    for (size_t i = 0; i < e->n_actions; i++)
        if (e->actions[i]->run && !ccnc_action_run_finished(e->actions[i]->run))
            ccnc_action_run_abort(e->actions[i]->run, _("the console closing"));
    for (size_t i = 0; i < e->n_actions; i++)
        engine_action_free(e->actions[i]);
    free(e->actions);
    ccnc_loop_unpost(e->loop, e);
    free(e->runs_dir);
    free(e->who);
    seen_runs_free(e);
    for (size_t i = 0; i < e->n_results; i++) {
        free(e->results[i].vm);
        free(e->results[i].source);
        free(e->results[i].destination);
    }
    free(e->results);
    ccnc_collect_libvirt_stop(e->libvirt);
    /* the agents go now: their answers would find nobody */
    for (size_t i = 0; i < e->n_bw_tests; i++)
        e->bw_tests[i]->cb = NULL;
    for (size_t i = 0; i < e->n_hosts; i++) {
        struct engine_host *h = &e->hosts[i];
        ccnc_agent_free(h->agent);
        ccnc_ssh_free(h->ssh);
        ccnc_host_unref(h->inventory);
    }
    free(e->hosts);
    ccnc_snapshot_unref(e->snap);
    /* a sample lasts a second: waited for, its answer dropped */
    for (size_t i = 0; i < e->n_samples; i++) {
        ccnc_forecast_sample_forget(e->samples[i], NULL);
        ccnc_forecast_sample_free(e->samples[i]);
    }
    free(e->samples);
    ccnc_loop_free(e->loop);
    ccnc_lab_unref(e->lab);
    /* their agents are gone: no answer comes */
    for (size_t i = 0; i < e->n_vf_sets; i++)
        vf_set_free(e->vf_sets[i]);
    free(e->vf_sets);
    for (size_t i = 0; i < e->n_claims; i++) {
        free(e->claims[i].vm);
        ccnc_pool_vf_clear(&e->claims[i].vf);
    }
    free(e->claims);
    for (size_t i = 0; i < e->n_bw_tests; i++)
        free(e->bw_tests[i]);
    free(e->bw_tests);
    free(e);
}

struct ccnc_loop *
ccnc_engine_loop(struct ccnc_engine *e)
{
    return e->loop;
}

const struct ccnc_lab *
ccnc_engine_lab(const struct ccnc_engine *e)
{
    return e->lab;
}

void
ccnc_engine_forecast(struct ccnc_engine *e, struct ccnc_action *a, const char *runs_dir,
                     int measure_s)
{
    ccnc_forecast_fill(e->lab, e->snap, runs_dir ? runs_dir : e->runs_dir, a, measure_s);
}

struct ccnc_snapshot *
ccnc_engine_snapshot(struct ccnc_engine *e)
{
    return ccnc_snapshot_ref(e->snap);
}

void
ccnc_engine_set_listener(struct ccnc_engine *e, ccnc_engine_listener cb, void *data)
{
    e->listener = cb;
    e->listener_data = data;
}

void
ccnc_engine_set_options(struct ccnc_engine *e, const struct ccnc_engine_options *opts)
{
    e->opts = *opts;
}

/* A new host part from the latest inventory (or the last part) with the
 * link's state on top, published. */
static void
refresh(struct engine_host *h)
{
    struct ccnc_engine *e = h->e;
    const struct ccnc_lab_host *lh = &e->lab->hosts[h->i];
    struct ccnc_host *part = ccnc_host_dup(h->inventory ? h->inventory : e->snap->hosts[h->i]);
    const struct ccnc_error *err = ccnc_ssh_error(h->ssh);
    enum ccnc_conn_state conn = ccnc_ssh_conn_state(h->ssh);
    bool live = conn == CCNC_CONN_CONNECTED && ccnc_agent_running(h->agent);

    if (h->inventory) {
        /* the VMs and libvirt's state are the libvirt collector's: keep them */
        const struct ccnc_host *cur = e->snap->hosts[h->i];
        struct ccnc_host *vms = ccnc_host_dup(cur);
        for (size_t k = 0; k < part->n_vms; k++)
            ccnc_vm_clear(&part->vms[k]);
        free(part->vms);
        part->vms = vms->vms;
        part->n_vms = vms->n_vms;
        vms->vms = NULL;
        vms->n_vms = 0;
        ccnc_host_unref(vms);
        part->libvirt = cur->libvirt;
        ccnc_str_set(&part->libvirt_error, cur->libvirt_error);
        part->mem_total_kib = cur->mem_total_kib;
        part->mem_free_kib = cur->mem_free_kib;
    }
    ccnc_str_set(&part->name, lh->name);
    ccnc_str_set(&part->label, lh->label ? lh->label : lh->name);
    ccnc_str_set(&part->address, lh->address);
    part->role = lh->role;
    part->connection = conn;
    part->stale = !live;
    if (!err && conn == CCNC_CONN_CONNECTED)
        err = ccnc_agent_error(h->agent);
    if (err)
        ccnc_str_set(&part->error, err->message);
    else if (!live)
        ccnc_str_set(&part->error, NULL);
    /* else the agent's own word on what it could not read stays */
    ccnc_str_set(&part->hostkey_sha256, ccnc_ssh_fingerprint(h->ssh));
    part->hostkey_question = ccnc_ssh_hostkey_pending(h->ssh);
    part->passphrase_question = ccnc_ssh_passphrase_pending(h->ssh);
    if (ccnc_agent_version(h->agent))
        ccnc_str_set(&part->agent_version, ccnc_agent_version(h->agent));
    publish_host(e, h->i, part);
}

static void
on_ssh_changed(struct ccnc_ssh *ssh, void *data)
{
    struct engine_host *h = data;

    bool ready = ccnc_ssh_is_ready(ssh);

    /* the agent starts once per session, whatever else gets reported */
    if (ready && !h->ready)
        ccnc_agent_start(h->agent);
    else if (!ready && h->ready)
        ccnc_agent_stop(h->agent);
    h->ready = ready;
    refresh(h);
}

static void
on_agent_inventory(void *data, struct ccnc_host *host)
{
    struct engine_host *h = data;

    if (host->updated_ms <= 0)
        host->updated_ms = ccnc_now_wall_ms();
    /* the rates stay until the next traffic line */
    for (size_t i = 0; h->inventory && i < host->n_links; i++) {
        const struct ccnc_link *old = ccnc_host_find_link(h->inventory, host->links[i].name);
        if (old && host->links[i].rx_bps == CCNC_UNKNOWN) {
            host->links[i].rx_bps = old->rx_bps;
            host->links[i].tx_bps = old->tx_bps;
        }
    }
    ccnc_host_unref(h->inventory);
    h->inventory = host;
    refresh(h);
}

static void
on_agent_changed(void *data)
{
    refresh(data);
}

/* A storage host's rates: onto its latest inventory, published. */
static void
on_agent_traffic(void *data, const char *const *names, const long long *rx_bps,
                 const long long *tx_bps, size_t n)
{
    struct engine_host *h = data;
    struct ccnc_host *inv;

    if (!h->inventory)
        return;
    inv = ccnc_host_dup(h->inventory);
    for (size_t i = 0; i < inv->n_links; i++) {
        struct ccnc_link *l = &inv->links[i];
        l->rx_bps = l->tx_bps = CCNC_UNKNOWN;
        for (size_t k = 0; k < n; k++)
            if (ccnc_streq(l->name, names[k])) {
                l->rx_bps = rx_bps[k];
                l->tx_bps = tx_bps[k];
            }
    }
    ccnc_host_unref(h->inventory);
    h->inventory = inv;
    refresh(h);
}

/* The lab VM that has mac (its passthrough NIC's or its backup's), NULL. */
static const char *
vm_of_mac(const struct ccnc_lab *lab, const char *mac)
{
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct ccnc_lab_vm *v = &lab->vms[i];
        if ((v->passthrough_mac && strcasecmp(v->passthrough_mac, mac) == 0) ||
            (v->backup && strcasecmp(v->backup, mac) == 0))
            return v->name;
    }
    return NULL;
}

/* A bridge on host learned vm's MAC on a port: the MAC moved (or came
 * with the VM), so the guest's bond may have failed over, by itself or by
 * someone's hand.  Read its bond now on the host it runs on (and on the
 * reporting host, should it have just arrived there) instead of at the
 * next poll. */
static void
read_bond_now(struct ccnc_engine *e, size_t reporter, const char *vm, const char *mac,
              const char *port)
{
    const struct ccnc_host *on = NULL;
    int where = -1;

    if (!e->libvirt)
        return;
    if (e->snap && ccnc_snapshot_find_vm(e->snap, vm, &on) && on)
        where = ccnc_snapshot_find_host(e->snap, on->name);
    ccnc_log(CCNC_LOG_CONNECT, _("%s: %s's MAC %s was learned on %s: reading its bond now"),
             e->lab->hosts[reporter].name, vm, mac, port ? port : "?");
    if (where >= 0 && (size_t)where != reporter)
        ccnc_collect_libvirt_read_bonds(e->libvirt, (size_t)where);
    ccnc_collect_libvirt_read_bonds(e->libvirt, reporter);
}

/* A bridge of host h learned or forgot a lab VM's MAC: into the Log (an
 * event), into the run file and the timeline of each action on that VM
 * that runs, and, learned, a read of the guest's bond. */
static void
on_agent_fdb(void *data, long long time_ms, const char *event, const char *mac,
             const char *bridge, const char *port)
{
    struct engine_host *h = data;
    struct ccnc_engine *e = h->e;
    const char *host = e->lab->hosts[h->i].name, *vm = vm_of_mac(e->lab, mac);
    char *object = ccnc_xasprintf("%s/%s", vm ? vm : "?", mac);
    struct ccnc_event ev = { ccnc_streq(event, "gone") ? CCNC_EV_FDB_GONE : CCNC_EV_FDB_LEARNED,
                             (char *)host, object, (char *)(bridge ? bridge : "?"),
                             (char *)port };
    struct ccnc_event_list list = { &ev, 1, 1 };

    for (size_t i = 0; vm && i < e->n_actions; i++) {
        struct engine_action *ea = e->actions[i];
        if (ea->run && !ccnc_action_run_finished(ea->run) && ea->shown &&
            ccnc_streq(ea->shown->vm, vm)) {
            ccnc_action_run_fdb(ea->run, host, event, mac, bridge, port, time_ms);
            /* the timeline's, until the run file is read again */
            add_fdb_sample(ea, ccnc_now_wall_ms(), event, host, bridge, port);
        }
    }
    if (vm && ev.kind == CCNC_EV_FDB_LEARNED)
        read_bond_now(e, h->i, vm, mac, port);
    if (e->listener)
        e->listener(e->snap, &list, e->listener_data);
    free(object);
}

/* Every MAC of the lab's VMs, whose forwarding entries the agents follow:
 * *n of them, borrowed from the lab. */
static char **
lab_macs(const struct ccnc_lab *lab, size_t *n)
{
    char **macs = ccnc_xcalloc(2 * lab->n_vms + 1, sizeof(*macs));

    *n = 0;
    for (size_t i = 0; i < lab->n_vms; i++) {
        if (lab->vms[i].passthrough_mac && ccnc_mac_valid(lab->vms[i].passthrough_mac))
            macs[(*n)++] = lab->vms[i].passthrough_mac;
        if (lab->vms[i].backup && ccnc_mac_valid(lab->vms[i].backup))
            macs[(*n)++] = lab->vms[i].backup;
    }
    return macs;
}

/* What the libvirt collector reports of host i, onto its part. */
struct lv_report {
    int state;
    const char *error;
    bool has_vms;
    struct ccnc_vm *vms;
    size_t n;
    long long mem_total_kib, mem_free_kib;
};

static void
apply_libvirt(struct ccnc_host *host, void *data)
{
    struct lv_report *r = data;

    host->libvirt = r->state;
    ccnc_str_set(&host->libvirt_error, r->error);
    if (!r->has_vms)
        return;
    host->mem_total_kib = r->mem_total_kib;
    host->mem_free_kib = r->mem_free_kib;
    for (size_t i = 0; i < host->n_vms; i++)
        ccnc_vm_clear(&host->vms[i]);
    free(host->vms);
    host->vms = r->vms;
    host->n_vms = r->n;
    r->vms = NULL;
    r->n = 0;
}

static void
on_libvirt_report(void *data, size_t host, int state, const char *error, bool has_vms,
                  struct ccnc_vm *vms, size_t n, long long mem_total_kib, long long mem_free_kib)
{
    struct lv_report r = { state, error, has_vms, vms, n, mem_total_kib, mem_free_kib };

    update_host(data, host, apply_libvirt, &r);
    for (size_t i = 0; i < r.n; i++)   /* not taken (an unknown host) */
        ccnc_vm_clear(&r.vms[i]);
    free(r.vms);
}

static void
on_start(void *data)
{
    struct engine_host *h = data;

    h->start_timer = 0;
    ccnc_ssh_start(h->ssh);
}

void
ccnc_engine_start(struct ccnc_engine *e)
{
    static const struct ccnc_agent_callbacks agent_cb = { on_agent_inventory, on_agent_changed,
                                                          on_agent_traffic, on_agent_fdb };
    size_t n_macs;
    char **macs = NULL;
    static const struct ccnc_collect_libvirt_callbacks libvirt_cb = { on_libvirt_report };
    int keepalive = e->lab->migration.keepalive_s > 0 ? e->lab->migration.keepalive_s : 10;

    if (!e->libvirt && !e->opts.ssh_only)
        e->libvirt = ccnc_collect_libvirt_start(e->loop, e->lab, &libvirt_cb, e);
    if (e->hosts)
        return;
    e->n_hosts = e->lab->n_hosts;
    e->hosts = ccnc_xcalloc(e->n_hosts ? e->n_hosts : 1, sizeof(*e->hosts));
    for (size_t i = 0; i < e->n_hosts; i++) {
        const struct ccnc_lab_host *lh = &e->lab->hosts[i];
        struct engine_host *h = &e->hosts[i];
        struct ccnc_ssh_config cfg = {
            .name = lh->name,
            .address = lh->address,
            .port = lh->port,
            .user = lh->user,
            .identity = lh->identity,
            .known_hosts = lh->known_hosts,
            .keepalive_s = keepalive,
            .step_timeout_ms = keepalive * 1000,
            .accept_new = e->opts.accept_new,
            .reconnect = !e->opts.once,
        };
        h->e = e;
        h->i = i;
        h->ssh = ccnc_ssh_new(e->loop, &cfg, on_ssh_changed, h);
        h->agent = ccnc_agent_new(e->loop, h->ssh, lh->name, lh->role, keepalive * 1000,
                                  &agent_cb, h);
        /* the lab VMs' MACs, followed in the bridges of every host */
        if (!macs)
            macs = lab_macs(e->lab, &n_macs);
        ccnc_agent_fdb_watch(h->agent, macs, n_macs);
        /* from the loop's first pass: a caller that only wants the
         * configured lab (ccnc status) never touches the network */
        h->start_timer = ccnc_loop_add_timer(e->loop, 0, false, on_start, h);
    }
    free(macs);
}

/* Change host part i: fn gets a private copy of the current part to change
 * in place, and the result is published.  For collectors that own only some
 * fields (libvirt the VMs, the agent the inventory). */
static void
update_host(struct ccnc_engine *e, size_t i, void (*fn)(struct ccnc_host *host, void *data),
            void *data)
{
    struct ccnc_host *h;

    if (i >= e->snap->n_hosts)
        return;
    h = ccnc_host_dup(e->snap->hosts[i]);
    fn(h, data);
    h->updated_ms = ccnc_now_wall_ms();
    publish_host(e, i, h);
}

int
ccnc_engine_answer_hostkey(struct ccnc_engine *e, const char *host, bool trust)
{
    for (size_t i = 0; i < e->n_hosts; i++)
        if (strcmp(e->lab->hosts[i].name, host) == 0)
            return ccnc_ssh_answer_hostkey(e->hosts[i].ssh, trust);
    return -1;
}

int
ccnc_engine_answer_passphrase(struct ccnc_engine *e, const char *host, const char *passphrase)
{
    for (size_t i = 0; i < e->n_hosts; i++)
        if (strcmp(e->lab->hosts[i].name, host) == 0)
            return ccnc_ssh_answer_passphrase(e->hosts[i].ssh, passphrase);
    return -1;
}

int
ccnc_engine_host_status(struct ccnc_engine *e, size_t i, struct ccnc_engine_host_status *out)
{
    struct engine_host *h;
    enum ccnc_conn_state conn;

    if (i >= e->n_hosts)
        return -1;
    h = &e->hosts[i];
    conn = ccnc_ssh_conn_state(h->ssh);
    out->reachable = ccnc_ssh_reached(h->ssh);
    out->authenticated = ccnc_ssh_authenticated(h->ssh);
    out->hostkey = ccnc_ssh_hostkey_string(ccnc_ssh_hostkey_status(h->ssh));
    out->agent_running = ccnc_agent_running(h->agent);
    out->agent_uploaded = ccnc_agent_uploaded(h->agent);
    out->settled = ccnc_ssh_settled(h->ssh) &&
                   (conn != CCNC_CONN_CONNECTED || ccnc_agent_settled(h->agent));
    return 0;
}

/* Publish host part i (the engine takes the reference) as a new snapshot,
 * and tell the listener what changed. */
static void
publish_host(struct ccnc_engine *e, size_t i, struct ccnc_host *host)
{
    struct ccnc_snapshot *next;
    struct ccnc_event_list changes = { 0 };

    /* who holds which VF follows from the VMs and the VFs' MACs */
    ccnc_host_mark_vf_holders(host, e->lab);
    next = ccnc_snapshot_replace_host(e->snap, i, host);

    ccnc_snapshot_diff(e->snap, next, &changes);
    ccnc_snapshot_unref(e->snap);
    e->snap = next;
    if (e->listener)
        e->listener(e->snap, &changes, e->listener_data);
    ccnc_event_list_clear(&changes);
}

static struct ccnc_agent *
host_agent(struct ccnc_engine *e, const char *host, struct ccnc_error *err)
{
    for (size_t i = 0; i < e->n_hosts; i++)
        if (strcmp(e->lab->hosts[i].name, host) == 0) {
            if (!e->hosts[i].agent)
                break;
            return e->hosts[i].agent;
        }
    ccnc_error_set(err, CCNC_ERR_CONFIG, _("no host '%s' in the lab config"), host);
    return NULL;
}

const struct ccnc_vf_intent *
ccnc_engine_vf_intent(struct ccnc_engine *e)
{
    if (!e->vf_intent) {
        e->vf_intent_path = ccnc_vf_intent_default_path();
        e->vf_intent = ccnc_vf_intent_load(e->vf_intent_path);
    }
    return e->vf_intent;
}

/* A VF change on its way: on the agent's yes, remember what it set. */
struct vf_set {
    struct ccnc_engine *e;
    char *host;
    struct ccnc_vf_change change;
    ccnc_engine_reply_cb cb;
    void *data;
};

static void
vf_set_free(struct vf_set *v)
{
    ccnc_vf_change_clear(&v->change);
    free(v->host);
    free(v);
}

static void
on_vf_set(void *data, bool ok, const char *error)
{
    struct vf_set *v = data;
    struct ccnc_engine *e = v->e;
    struct ccnc_error err = { 0 };

    for (size_t i = 0; i < e->n_vf_sets; i++)
        if (e->vf_sets[i] == v)
            e->vf_sets[i] = e->vf_sets[--e->n_vf_sets];
    if (ok) {
        ccnc_engine_vf_intent(v->e);
        ccnc_vf_intent_set(v->e->vf_intent, v->host, &v->change);
        if (ccnc_vf_intent_save(v->e->vf_intent, v->e->vf_intent_path, &err) < 0)
            error = err.message;
    }
    if (v->cb)
        v->cb(v->data, ok, error);
    ccnc_error_clear(&err);
    vf_set_free(v);
}

int
ccnc_engine_vf_set(struct ccnc_engine *e, const char *host, const struct ccnc_vf_change *c,
                   ccnc_engine_reply_cb cb, void *data, struct ccnc_error *err)
{
    struct ccnc_agent *a = host_agent(e, host, err);
    struct vf_set *v;

    if (!a)
        return -1;
    v = ccnc_xcalloc(1, sizeof(*v));
    v->e = e;
    v->host = ccnc_xstrdup(host);
    ccnc_vf_change_copy(&v->change, c);
    v->cb = cb;
    v->data = data;
    /* listed before the request goes: sending it pumps the session, which
     * may find the agent gone and answer at once (on_vf_set frees v) */
    *(struct vf_set **)ccnc_array_push(&e->vf_sets, &e->n_vf_sets, &e->cap_vf_sets,
                                       sizeof(v)) = v;
    if (ccnc_agent_vf_set(a, c, on_vf_set, v, err) < 0) {
        /* refused before anything was sent: no answer comes */
        e->n_vf_sets--;
        vf_set_free(v);
        return -1;
    }
    return 0;
}

int
ccnc_engine_sriov_numvfs(struct ccnc_engine *e, const char *host, const char *pf, int num_vfs,
                         ccnc_engine_reply_cb cb, void *data, struct ccnc_error *err)
{
    struct ccnc_agent *a = host_agent(e, host, err);

    return a && ccnc_agent_sriov_numvfs(a, pf, num_vfs, cb, data, err) > 0 ? 0 : -1;
}

/* --- VF pools --------------------------------------------------------------- */

static const struct ccnc_host *
snap_host(const struct ccnc_engine *e, const char *name)
{
    int i = ccnc_snapshot_find_host(e->snap, name);

    return i < 0 ? NULL : e->snap->hosts[i];
}

static void
drop_claim(struct ccnc_engine *e, size_t i)
{
    free(e->claims[i].vm);
    ccnc_pool_vf_clear(&e->claims[i].vf);
    e->claims[i] = e->claims[--e->n_claims];
}

int
ccnc_engine_pool_reserve(struct ccnc_engine *e, const char *vm, const char *host,
                         struct ccnc_pool_vf *out, ccnc_engine_reply_cb cb, void *data,
                         struct ccnc_error *err)
{
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(e->lab, vm);
    const struct ccnc_lab_pool *pool = cv && cv->passthrough_kind == CCNC_PASSTHROUGH_POOL
                                           ? ccnc_lab_find_pool(e->lab, cv->passthrough)
                                           : NULL;
    const struct ccnc_host *h = snap_host(e, host);
    struct ccnc_pool_vf *taken;
    struct ccnc_vf_change c;
    struct pool_claim *claim;
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!pool)
        return ccnc_error_set(err, CCNC_ERR_CONFIG, _("[vm %s] takes no VF from a pool"), vm);
    if (!h)
        return ccnc_error_set(err, CCNC_ERR_CONFIG, _("no host '%s' in the lab config"), host);
    /* what other actions reserved and the snapshot may not show yet */
    taken = ccnc_xcalloc(e->n_claims ? e->n_claims : 1, sizeof(*taken));
    for (size_t i = 0; i < e->n_claims; i++)
        if (!ccnc_streq(e->claims[i].vm, vm))
            taken[n++] = e->claims[i].vf;
    rc = ccnc_pool_choose(h, e->lab, cv, taken, n, out, err);
    free(taken);
    if (rc < 0)
        return -1;
    if (pool->network)
        return 1;   /* libvirt picks the VF from its network at the attach */
    ccnc_pool_reserve_change(pool, cv, out, &c);
    rc = ccnc_engine_vf_set(e, host, &c, cb, data, err);
    ccnc_vf_change_clear(&c);
    if (rc < 0) {
        ccnc_pool_vf_clear(out);
        return -1;
    }
    claim = ccnc_array_push(&e->claims, &e->n_claims, &e->cap_claims, sizeof(*claim));
    claim->vm = ccnc_xstrdup(vm);
    ccnc_pool_vf_copy(&claim->vf, out);
    return 0;
}

/* A VF found nobody's when its VM's run gives it back: libvirt's managed
 * detach already did (its driver back, the MAC reset).  What ccnc set on it
 * is then no longer meant: forgotten, so that the VF does not read as
 * drifted.  1: nothing to send. */
static int
forget_intent(struct ccnc_engine *e, const char *host, const char *pf, int vf)
{
    struct ccnc_error err = { 0 };

    ccnc_engine_vf_intent(e);
    ccnc_vf_intent_forget(e->vf_intent, host, pf, vf);
    if (ccnc_vf_intent_save(e->vf_intent, e->vf_intent_path, &err) < 0)
        ccnc_log(CCNC_LOG_CONNECT, "%s", err.message);
    ccnc_error_clear(&err);
    return 1;
}

int
ccnc_engine_pool_release(struct ccnc_engine *e, const char *vm, const char *host,
                         const char *pci, struct ccnc_pool_vf *out, ccnc_engine_reply_cb cb,
                         void *data, struct ccnc_error *err)
{
    const struct ccnc_host *h = snap_host(e, host);
    struct ccnc_vf_change c;
    struct ccnc_pool_vf v = { 0 };
    int rc;

    for (size_t i = 0; i < e->n_claims;)
        if (ccnc_streq(e->claims[i].vm, vm) && ccnc_streq(e->claims[i].vf.host, host) &&
            ccnc_streq(e->claims[i].vf.pci, pci))
            drop_claim(e, i);
        else
            i++;
    /* the VF at pci (or any) if it is reserved for vm: never another's */
    for (size_t i = 0; h && i < h->n_links && !v.pf; i++) {
        const struct ccnc_link *l = &h->links[i];
        const struct ccnc_nic *pf = ccnc_host_find_port(h, l->name);
        for (size_t f = 0; f < l->n_vfs && !v.pf; f++) {
            const struct ccnc_vf *vf = &l->vfs[f];
            char buf[32];
            bool mine = vf->reserved && ccnc_streq(vf->vm, vm);
            if (pci && !(ccnc_vf_pci_address(pf, vf, buf, sizeof(buf)) && ccnc_streq(buf, pci)))
                continue;
            if (!mine && pci && !vf->vm)
                return forget_intent(e, host, l->name, vf->index);
            if (!mine && pci)
                return 1;   /* attached or another's: nothing to give back */
            if (!mine)
                continue;
            v.host = ccnc_xstrdup(host);
            v.pf = ccnc_xstrdup(l->name);
            v.index = vf->index;
            v.pci = ccnc_vf_pci_address(pf, vf, buf, sizeof(buf)) ? ccnc_xstrdup(buf) : NULL;
        }
    }
    if (!v.pf && pci)
        return ccnc_error_set(err, CCNC_ERR_UNAVAILABLE, _("%s shows no VF at %s"), host, pci);
    if (!v.pf)
        return 1;   /* none reserved for vm there */
    ccnc_pool_release_change(&v, &c);
    rc = ccnc_engine_vf_set(e, host, &c, cb, data, err);
    ccnc_vf_change_clear(&c);
    if (out && rc == 0)
        *out = v;
    else
        ccnc_pool_vf_clear(&v);
    return rc;
}

void
ccnc_engine_pool_unclaim(struct ccnc_engine *e, const char *vm)
{
    for (size_t i = 0; i < e->n_claims;)
        if (ccnc_streq(e->claims[i].vm, vm))
            drop_claim(e, i);
        else
            i++;
}

void
ccnc_engine_forget_replies(struct ccnc_engine *e, void *data)
{
    for (size_t i = 0; i < e->n_samples; i++)
        ccnc_forecast_sample_forget(e->samples[i], data);
    for (size_t i = 0; i < e->n_vf_sets; i++)
        if (e->vf_sets[i]->data == data)
            e->vf_sets[i]->cb = NULL;
}

/* --- dirty-rate samples --------------------------------------------------------- */

int
ccnc_engine_dirty_sample(struct ccnc_engine *e, const char *vm, int seconds,
                         ccnc_engine_dirty_cb cb, void *data, struct ccnc_error *err)
{
    const struct ccnc_host *host = NULL;
    const struct ccnc_vm *v = ccnc_snapshot_find_vm(e->snap, vm, &host);
    struct ccnc_dirty_job *j;
    size_t n = 0;

    if (!v || !host || v->state != CCNC_VM_RUNNING)
        return ccnc_error_set(err, CCNC_ERR_REFUSED, _("%s is not seen running"), vm);
    /* the answered ones go first: none waits */
    for (size_t i = 0; i < e->n_samples; i++)
        if (ccnc_forecast_sample_done(e->samples[i]))
            ccnc_forecast_sample_free(e->samples[i]);
        else
            e->samples[n++] = e->samples[i];
    e->n_samples = n;
    j = ccnc_forecast_sample_start(e->lab, e->loop, host->name, vm, seconds, cb, data);
    if (!j)
        return ccnc_error_set(err, CCNC_ERR_INTERNAL, "%s", _("cannot start a thread"));
    *(struct ccnc_dirty_job **)ccnc_array_push(&e->samples, &e->n_samples, &e->cap_samples,
                                               sizeof(j)) = j;
    return 0;
}

/* --- bandwidth tests ------------------------------------------------------------ */

static void
on_bandwidth(void *data, const struct ccnc_bandwidth *figures, const char *error)
{
    struct bw_test *t = data;
    struct ccnc_engine *e = t->e;

    for (size_t i = 0; i < e->n_bw_tests; i++)
        if (e->bw_tests[i] == t)
            e->bw_tests[i] = e->bw_tests[--e->n_bw_tests];
    if (t->cb)
        t->cb(t->data, figures, error);
    free(t);
}

int
ccnc_engine_bandwidth(struct ccnc_engine *e, const char *vm, int seconds, bool reverse,
                      ccnc_engine_bandwidth_cb cb, void *data, struct ccnc_error *err)
{
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(e->lab, vm);
    const char *host = NULL;
    struct ccnc_agent *agent = probe_agent(e, &host);
    struct bw_test *t;

    if (!cv)
        return ccnc_error_set(err, CCNC_ERR_CONFIG, _("the lab config has no [vm %s]"), vm);
    if (!cv->probe_target)
        return ccnc_error_set(err, CCNC_ERR_CONFIG, _("[vm %s] has no probe_target: the "
                                                      "address to measure to"), vm);
    if (!agent && ccnc_lab_storage_host(e->lab))
        return ccnc_error_set(err, CCNC_ERR_CONNECT, _("%s, the storage host, is not connected"),
                              ccnc_lab_storage_host(e->lab)->name);
    if (!agent)
        return ccnc_error_set(err, CCNC_ERR_CONFIG, _("the lab has no storage host to measure "
                                                      "from"));
    t = ccnc_xcalloc(1, sizeof(*t));
    t->e = e;
    t->cb = cb;
    t->data = data;
    /* listed first, as a VF change is: the answer may come while it is sent */
    *(struct bw_test **)ccnc_array_push(&e->bw_tests, &e->n_bw_tests, &e->cap_bw_tests,
                                        sizeof(t)) = t;
    if (ccnc_agent_bandwidth(agent, cv->probe_target, seconds, reverse, on_bandwidth, t, err) <
        0) {
        e->n_bw_tests--;
        free(t);
        return -1;
    }
    return 0;
}

/* The agent that runs connectivity probes: the first storage host's. */
static struct ccnc_agent *
probe_agent(struct ccnc_engine *e, const char **host)
{
    const struct ccnc_lab_host *s = ccnc_lab_storage_host(e->lab);
    size_t i = s ? (size_t)(s - e->lab->hosts) : 0;

    if (!s || i >= e->n_hosts || !e->hosts[i].agent)
        return NULL;
    if (host)
        *host = s->name;
    return e->hosts[i].agent;
}

/* --- the runner ------------------------------------------------------------------ */

/* What a run may ask of the engine (action-run.h). */
static struct ccnc_snapshot *
env_snapshot(void *owner)
{
    return ccnc_engine_snapshot(owner);
}

static int
env_pool_reserve(void *owner, const char *vm, const char *host, struct ccnc_pool_vf *out,
                 ccnc_action_reply_cb cb, void *data, struct ccnc_error *err)
{
    return ccnc_engine_pool_reserve(owner, vm, host, out, cb, data, err);
}

static int
env_pool_release(void *owner, const char *vm, const char *host, const char *pci,
                 ccnc_action_reply_cb cb, void *data, struct ccnc_error *err)
{
    return ccnc_engine_pool_release(owner, vm, host, pci, NULL, cb, data, err);
}

static void
env_pool_unclaim(void *owner, const char *vm)
{
    ccnc_engine_pool_unclaim(owner, vm);
}

static void
env_forget_replies(void *owner, void *data)
{
    ccnc_engine_forget_replies(owner, data);
}

static struct ccnc_agent *
env_probe_agent(void *owner)
{
    return probe_agent(owner, NULL);
}

static const struct ccnc_action_env_ops env_ops = {
    env_snapshot, env_pool_reserve, env_pool_release, env_pool_unclaim, env_forget_replies,
    env_probe_agent,
};

static struct engine_action *
find_action(const struct ccnc_engine *e, int id)
{
    for (size_t i = 0; i < e->n_actions; i++)
        if (e->actions[i]->id == id)
            return e->actions[i];
    return NULL;
}

static bool
active(const struct engine_action *ea)
{
    return !ea->finished;
}

static const struct ccnc_action *
action_of(const struct engine_action *ea)
{
    return ea->replay ? ccnc_replay_action(ea->replay) : ea->queued ? ea->queued : ea->shown;
}

static void
engine_action_free(struct engine_action *ea)
{
    if (!ea)
        return;
    ccnc_action_run_free(ea->run);
    ccnc_replay_free(ea->replay);
    ccnc_action_free(ea->queued);
    ccnc_action_free(ea->shown);
    free(ea->run_file);
    free(ea->probes);
    free(ea->jobs);
    free(ea->fdb);
    free(ea);
}

/* --- the timeline's samples ------------------------------------------------- */

static void
add_probe_sample(struct engine_action *ea, long long t_ms, const struct ccnc_probe_figures *p,
                 long long stream_bps)
{
    struct ccnc_engine_probe_sample *s;

    if (ea->n_probes && ea->probes[ea->n_probes - 1].sent == p->sent &&
        ea->probes[ea->n_probes - 1].received == p->received)
        return;   /* the same figures again */
    s = ccnc_array_push(&ea->probes, &ea->n_probes, &ea->cap_probes, sizeof(*s));
    *s = (struct ccnc_engine_probe_sample){ t_ms, p->sent, p->received, p->lost,
                                            p->current_gap_ms, p->longest_gap_ms, stream_bps,
                                            p->stream ? p->stream_stall_ms : CCNC_UNKNOWN,
                                            p->stream ? p->stream_longest_stall_ms
                                                      : CCNC_UNKNOWN };
}

static void
add_job_sample(struct engine_action *ea, long long t_ms, bool completed, int iteration,
               long long elapsed_ms, long long downtime_ms, long long remaining)
{
    struct ccnc_engine_job_sample *s = ccnc_array_push(&ea->jobs, &ea->n_jobs, &ea->cap_jobs,
                                                       sizeof(*s));

    *s = (struct ccnc_engine_job_sample){ t_ms, completed, iteration, elapsed_ms, downtime_ms,
                                          remaining };
}

static void
add_fdb_sample(struct engine_action *ea, long long t_ms, const char *event, const char *host,
               const char *bridge, const char *port)
{
    ccnc_trace_fdb_set(ccnc_array_push(&ea->fdb, &ea->n_fdb, &ea->cap_fdb, sizeof(*ea->fdb)),
                       t_ms, event, host, bridge, port);
}

static void
add_sample_line(struct engine_action *ea, const struct ccnc_run_line *l)
{
    if (l->type == CCNC_RUN_LINE_FDB)
        add_fdb_sample(ea, l->t_ms, l->event, l->host, l->before, l->after);
    else if (l->type == CCNC_RUN_LINE_PROBE)
        add_probe_sample(ea, l->t_ms, &l->probe, l->stream_bps);
    else if (l->type == CCNC_RUN_LINE_JOB && l->phase)
        add_job_sample(ea, l->t_ms, ccnc_streq(l->phase, "completed"), l->job.iteration,
                       l->job.elapsed_ms, l->job_downtime_ms, l->job.memory_remaining);
}

/* A live run's samples from its run file, as written so far. */
static void
reread_samples(struct engine_action *ea)
{
    struct ccnc_run_line *lines = NULL;
    size_t n = 0;

    ea->reread = false;
    if (!ea->run_file || ccnc_run_read_lines(ea->run_file, &lines, &n, NULL, NULL) < 0)
        return;
    ea->n_probes = ea->n_jobs = ea->n_fdb = 0;
    for (size_t i = 0; i < n; i++)
        add_sample_line(ea, &lines[i]);
    ccnc_run_lines_free(lines, n);
}

/* A live run's progress between two readings of its file. */
static void
progress_samples(struct engine_action *ea, const struct ccnc_action *a)
{
    long long now = ccnc_now_wall_ms();

    if (a->probe.measured)
        add_probe_sample(ea, now, &a->probe, ccnc_snapshot_stream_bps(ea->e->snap));
    if (a->migration.iteration > 0 &&
        (!ea->n_jobs || ea->jobs[ea->n_jobs - 1].iteration != a->migration.iteration))
        add_job_sample(ea, now, false, a->migration.iteration, CCNC_UNKNOWN, CCNC_UNKNOWN,
                       a->migration.memory_remaining);
}

void
ccnc_engine_action_samples(struct ccnc_engine *e, int id, struct ccnc_engine_samples *out)
{
    struct engine_action *ea = find_action(e, id);

    *out = (struct ccnc_engine_samples){ 0 };
    if (!ea)
        return;
    if (ea->replay) {
        size_t n;
        const struct ccnc_run_line *lines = ccnc_replay_lines(ea->replay, &n);
        for (; ea->lines_seen < n; ea->lines_seen++)
            add_sample_line(ea, &lines[ea->lines_seen]);
    } else if (ea->reread) {
        reread_samples(ea);
    }
    *out = (struct ccnc_engine_samples){ ea->probes, ea->n_probes, ea->jobs, ea->n_jobs,
                                         ea->fdb, ea->n_fdb };
}

static void
tell(struct ccnc_engine *e, struct engine_action *ea, enum ccnc_engine_action_event ev,
     const struct ccnc_step *step)
{
    struct ccnc_event_list none = { 0 };

    if (e->action_cb)
        e->action_cb(e->action_cb_data, ea->id, ev, action_of(ea), step);
    /* the screens follow an action through the snapshot listener too */
    if (e->listener)
        e->listener(e->snap, &none, e->listener_data);
}

static void
add_result(struct ccnc_engine *e, const struct ccnc_action *a, long long total_ms,
           long long downtime_ms, long long longest_gap_ms, long long lost_probes)
{
    struct ccnc_engine_result *r = ccnc_array_push(&e->results, &e->n_results, &e->cap_results,
                                                   sizeof(*r));

    r->vm = ccnc_xstrdup(a->vm);
    r->source = ccnc_xstrdup(a->source);
    r->destination = ccnc_xstrdup(a->destination);
    r->kind = a->kind;
    r->state = a->state;
    r->total_ms = total_ms;
    r->downtime_ms = downtime_ms;
    r->longest_gap_ms = longest_gap_ms;
    r->lost_probes = lost_probes;
    r->stream_stall_ms = a->probe.stream ? a->probe.stream_longest_stall_ms : CCNC_UNKNOWN;
}

static int
running_count(const struct ccnc_engine *e)
{
    int n = 0;

    for (size_t i = 0; i < e->n_actions; i++)
        n += e->actions[i]->run && !e->actions[i]->finished;
    return n;
}

static void start_queued(struct ccnc_engine *e);

/* Finished runs: their threads joined, their connections closed, off the
 * loop's stack (a run's own callback cannot free it); then what waits
 * starts. */
static void
reap(void *data)
{
    struct ccnc_engine *e = data;

    for (size_t i = 0; i < e->n_actions; i++) {
        struct engine_action *ea = e->actions[i];
        if (ea->finished && ea->run) {
            ccnc_action_run_free(ea->run);
            ea->run = NULL;
        }
    }
    start_queued(e);
}

static void
on_run_event(void *data, enum ccnc_action_run_event ev, struct ccnc_action *copy,
             const struct ccnc_step *step)
{
    struct engine_action *ea = data;
    struct ccnc_engine *e = ea->e;

    ccnc_action_free(ea->shown);
    ea->shown = copy;
    if (ev == CCNC_RUN_EV_PROGRESS)
        progress_samples(ea, copy);
    else if (ev != CCNC_RUN_EV_NOTICE)
        ea->reread = true;
    if (ev == CCNC_RUN_EV_FINISHED) {
        ea->finished = true;
        ea->total_ms = ccnc_action_run_total_ms(ea->run);
        ea->downtime_ms = ccnc_action_run_downtime_ms(ea->run);
        add_result(e, copy, ea->total_ms, ea->downtime_ms,
                   copy->probe.measured ? copy->probe.longest_gap_ms : CCNC_UNKNOWN,
                   copy->probe.measured ? copy->probe.lost : CCNC_UNKNOWN);
        ccnc_loop_post(e->loop, reap, e);
    }
    tell(e, ea, ev == CCNC_RUN_EV_STEP       ? CCNC_ENGINE_ACTION_STEP
               : ev == CCNC_RUN_EV_PROGRESS ? CCNC_ENGINE_ACTION_PROGRESS
               : ev == CCNC_RUN_EV_NOTICE   ? CCNC_ENGINE_ACTION_NOTICE
                                            : CCNC_ENGINE_ACTION_FINISHED,
         step);
}

/* Start what waits, oldest first, while there is room. */
static void
start_queued(struct ccnc_engine *e)
{
    int limit = e->parallel > 0 ? e->parallel
                : e->lab->migration.parallel > 0 ? e->lab->migration.parallel : 1;

    for (size_t i = 0; i < e->n_actions && running_count(e) < limit; i++) {
        struct engine_action *ea = e->actions[i];
        struct ccnc_action_env env = { e->loop, e->lab, e->runs_dir, e->who, &env_ops, e };
        struct ccnc_error err = { 0 };
        struct ccnc_action *a = ea->queued;

        if (!a || ea->finished)
            continue;
        ea->queued = NULL;
        ea->shown = ccnc_action_dup(a);
        ea->run = ccnc_action_run_start(&env, a, on_run_event, ea, &err);
        if (!ea->run) {
            /* it never started: nothing was changed */
            ea->finished = true;
            ea->shown->state = CCNC_ACTION_FAILED;
            ccnc_str_set(&ea->shown->summary, err.message);
            ccnc_error_clear(&err);
            tell(e, ea, CCNC_ENGINE_ACTION_FINISHED, NULL);
            continue;
        }
        ccnc_str_set(&ea->run_file, ccnc_action_run_file(ea->run));
        tell(e, ea, CCNC_ENGINE_ACTION_STARTED, NULL);
    }
}

/* The VMs of the queued and running actions, NULL-terminated; free the
 * array only. */
static const char **
busy_vms(const struct ccnc_engine *e)
{
    const char **busy = ccnc_xcalloc(e->n_actions + 1, sizeof(*busy));
    size_t n = 0;

    for (size_t i = 0; i < e->n_actions; i++)
        if (active(e->actions[i]) && !e->actions[i]->replay)
            busy[n++] = action_of(e->actions[i])->vm;
    return busy;
}

struct ccnc_action *
ccnc_engine_plan(struct ccnc_engine *e, const struct ccnc_plan_request *req,
                 struct ccnc_error *err)
{
    const char **busy = busy_vms(e);
    struct ccnc_plan_request r = *req;
    struct ccnc_plan_booking *booked = NULL;
    size_t n_booked = 0;
    struct ccnc_action *a;

    r.busy = busy;
    r.self = e->who;
    if (ccnc_streq(req->destination, CCNC_PLACE_AUTO)) {
        /* this process's migrations count where they go and come from;
         * one not on its destination yet holds the VM's memory there */
        booked = ccnc_xcalloc(2 * e->n_actions + req->n_booked + 1, sizeof(*booked));
        for (size_t i = 0; i < e->n_actions; i++) {
            const struct ccnc_action *x = action_of(e->actions[i]);
            const struct ccnc_vm *vm;
            int h;
            if (!active(e->actions[i]) || e->actions[i]->replay || !x->destination)
                continue;
            h = ccnc_snapshot_find_host(e->snap, x->source);
            vm = h < 0 ? NULL : ccnc_host_find_vm(e->snap->hosts[h], x->vm);
            {
                const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(e->lab, x->vm);
                bool claimed = false;
                for (size_t k = 0; k < e->n_claims; k++)
                    claimed = claimed || ccnc_streq(e->claims[k].vm, x->vm);
                /* not there yet: its memory, and a VF of its pool until
                 * it reserved one (then the hosts' picture holds it), are
                 * still to be taken there */
                booked[n_booked++] = (struct ccnc_plan_booking){
                    x->vm, x->destination, !x->on_destination && vm ? vm->memory_kib : 0,
                    !x->on_destination && !claimed && cv &&
                        cv->passthrough_kind == CCNC_PASSTHROUGH_POOL
                };
            }
            booked[n_booked++] = (struct ccnc_plan_booking){ x->vm, x->source, 0, false };
        }
        for (size_t i = 0; i < req->n_booked; i++)
            booked[n_booked++] = req->booked[i];
        r.booked = booked;
        r.n_booked = n_booked;
    }
    a = ccnc_plan(e->lab, e->snap, &r, err);
    free(booked);
    free(busy);
    return a;
}

struct ccnc_action *
ccnc_engine_plan_resume(struct ccnc_engine *e, const char *run_file, enum ccnc_resume_way way,
                        struct ccnc_error *err)
{
    struct ccnc_run_summary run;
    const char **busy;
    struct ccnc_action *a;

    for (size_t i = 0; i < e->n_actions; i++)
        if (active(e->actions[i]) && ccnc_streq(e->actions[i]->run_file, run_file)) {
            ccnc_error_set(err, CCNC_ERR_REFUSED, _("the run %s is this ccnc's own, and it is "
                                                    "still running"), run_file);
            return NULL;
        }
    if (ccnc_run_read(run_file, &run, err) < 0)
        return NULL;
    busy = busy_vms(e);
    a = ccnc_plan_resume(e->lab, e->snap, &run, way, busy, e->who, err);
    free(busy);
    ccnc_run_summary_clear(&run);
    return a;
}

/* What the runs folder held at the last look: each file's size and time,
 * and whether it is an unfinished run of a lab VM. */
struct seen_run {
    char *path;
    long long size, mtime;
    bool unfinished;
    long long started;
};

static void
seen_runs_free(struct ccnc_engine *e)
{
    for (size_t i = 0; i < e->n_seen; i++)
        free(e->seen[i].path);
    free(e->seen);
    e->seen = NULL;
    e->n_seen = e->cap_seen = 0;
    free(e->unfinished);
    e->unfinished = NULL;
}

static int
newest_first(const void *a, const void *b)
{
    const struct seen_run *x = *(const struct seen_run *const *)a;
    const struct seen_run *y = *(const struct seen_run *const *)b;

    return x->started < y->started ? 1 : x->started > y->started ? -1 : strcmp(x->path, y->path);
}

const char *const *
ccnc_engine_unfinished_runs(struct ccnc_engine *e)
{
    DIR *d = opendir(e->runs_dir);
    struct dirent *de;
    struct seen_run **list;
    size_t n = 0;

    for (size_t i = 0; i < e->n_seen; i++)
        e->seen[i].size = -1;   /* gone unless seen again */
    while (d && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        struct seen_run *s = NULL;
        struct stat st;
        char *path;
        if (len <= 6 || strcmp(de->d_name + len - 6, ".jsonl") != 0)
            continue;
        path = ccnc_xasprintf("%s/%s", e->runs_dir, de->d_name);
        if (stat(path, &st) < 0) {
            free(path);
            continue;
        }
        for (size_t i = 0; i < e->n_seen && !s; i++)
            if (strcmp(e->seen[i].path, path) == 0)
                s = &e->seen[i];
        if (!s) {
            s = ccnc_array_push(&e->seen, &e->n_seen, &e->cap_seen, sizeof(*s));
            s->path = path;
            s->mtime = -1;
        } else {
            free(path);
        }
        if (s->mtime != (long long)st.st_mtime || s->size != (long long)st.st_size) {
            struct ccnc_run_summary run;
            s->unfinished = ccnc_run_read(s->path, &run, NULL) == 0 && !run.result && run.vm &&
                            ccnc_lab_find_vm(e->lab, run.vm);
            s->started = s->unfinished ? run.started_ms : 0;
            ccnc_run_summary_clear(&run);   /* read or not, it holds nothing else */
        }
        s->size = (long long)st.st_size;
        s->mtime = (long long)st.st_mtime;
    }
    if (d)
        closedir(d);
    list = ccnc_xcalloc(e->n_seen + 1, sizeof(*list));
    for (size_t i = 0; i < e->n_seen; i++) {
        bool ours = false;
        for (size_t k = 0; k < e->n_actions; k++)
            ours |= active(e->actions[k]) && ccnc_streq(e->actions[k]->run_file, e->seen[i].path);
        if (e->seen[i].size >= 0 && e->seen[i].unfinished && !ours)
            list[n++] = &e->seen[i];
    }
    qsort(list, n, sizeof(*list), newest_first);
    free(e->unfinished);
    e->unfinished = ccnc_xcalloc(n + 1, sizeof(*e->unfinished));
    for (size_t i = 0; i < n; i++)
        e->unfinished[i] = list[i]->path;
    free(list);
    return e->unfinished;
}

void
ccnc_engine_set_parallel(struct ccnc_engine *e, int parallel)
{
    e->parallel = parallel;
}

int
ccnc_engine_submit(struct ccnc_engine *e, struct ccnc_action *a, struct ccnc_error *err)
{
    struct engine_action *ea;

    for (size_t i = 0; i < e->n_actions; i++)
        if (active(e->actions[i]) && !e->actions[i]->replay &&
            ccnc_streq(action_of(e->actions[i])->vm, a->vm)) {
            ccnc_error_set(err, CCNC_ERR_REFUSED, _("an action of this ccnc is already running "
                                                    "on %s; wait for it to end or abort it"),
                           a->vm);
            ccnc_action_free(a);
            return -1;
        }
    ccnc_action_confirm(a);
    ea = ccnc_xcalloc(1, sizeof(*ea));
    ea->e = e;
    ea->id = e->next_id++;
    ea->queued = a;
    ea->total_ms = ea->downtime_ms = CCNC_UNKNOWN;
    ea->run_file = ccnc_xstrdup(a->resume_of);   /* a resumed run goes on in its file */
    *(struct engine_action **)ccnc_array_push(&e->actions, &e->n_actions, &e->cap_actions,
                                              sizeof(ea)) = ea;
    /* it starts on the loop's next pass: the caller knows its id first */
    ccnc_loop_post(e->loop, reap, e);
    return ea->id;
}

void
ccnc_engine_set_action_listener(struct ccnc_engine *e, ccnc_engine_action_listener cb,
                                void *data)
{
    e->action_cb = cb;
    e->action_cb_data = data;
}

size_t
ccnc_engine_n_actions(const struct ccnc_engine *e)
{
    return e->n_actions;
}

int
ccnc_engine_action_id(const struct ccnc_engine *e, size_t i)
{
    return i < e->n_actions ? e->actions[i]->id : -1;
}

const struct ccnc_action *
ccnc_engine_action_get(const struct ccnc_engine *e, int id)
{
    const struct engine_action *ea = find_action(e, id);

    return ea ? action_of(ea) : NULL;
}

const char *
ccnc_engine_action_run_file(const struct ccnc_engine *e, int id)
{
    const struct engine_action *ea = find_action(e, id);

    return ea ? ea->run_file : NULL;
}

bool
ccnc_engine_action_active(const struct ccnc_engine *e, int id)
{
    const struct engine_action *ea = find_action(e, id);

    return ea && active(ea);
}

long long
ccnc_engine_action_total_ms(const struct ccnc_engine *e, int id)
{
    const struct engine_action *ea = find_action(e, id);

    return ea ? ea->total_ms : CCNC_UNKNOWN;
}

long long
ccnc_engine_action_downtime_ms(const struct ccnc_engine *e, int id)
{
    const struct engine_action *ea = find_action(e, id);

    return ea ? ea->downtime_ms : CCNC_UNKNOWN;
}

void
ccnc_engine_abort(struct ccnc_engine *e, int id, const char *who)
{
    for (size_t i = 0; i < e->n_actions; i++) {
        struct engine_action *ea = e->actions[i];
        if ((id && ea->id != id) || ea->finished)
            continue;
        if (ea->replay) {
            ccnc_replay_to_end(ea->replay);   /* a rehearsal ends at once */
        } else if (ea->run) {
            ccnc_action_run_abort(ea->run, who);
        } else if (ea->queued) {
            ea->finished = true;
            ea->shown = ea->queued;
            ea->queued = NULL;
            ea->shown->state = CCNC_ACTION_FAILED;
            /* TRANSLATORS: %s: who stopped it ("console", "ccnc evacuate") */
            ccnc_str_set(&ea->shown->summary, NULL);
            ea->shown->summary = ccnc_xasprintf(_("%s: not started: stopped by the operator "
                                                  "(%s); nothing was changed"),
                                                ea->shown->vm, who ? who : "?");
            tell(e, ea, CCNC_ENGINE_ACTION_FINISHED, NULL);
        }
    }
}

int
ccnc_engine_abort_elsewhere(struct ccnc_engine *e, const char *vm, const char *who,
                            struct ccnc_error *err)
{
    int rc;

    if (ccnc_libvirt_events_acquire() < 0)
        return ccnc_error_set(err, CCNC_ERR_LIBVIRT, _("libvirt's event loop cannot be set up"));
    rc = ccnc_action_abort_vm(e->lab, vm, e->runs_dir, who, err);
    ccnc_libvirt_events_release();
    return rc;
}

static const struct engine_action *
newest(const struct ccnc_engine *e)
{
    return e->n_actions ? e->actions[e->n_actions - 1] : NULL;
}

const struct ccnc_action *
ccnc_engine_action(const struct ccnc_engine *e)
{
    return newest(e) ? action_of(newest(e)) : NULL;
}

bool
ccnc_engine_action_running(const struct ccnc_engine *e)
{
    return newest(e) && active(newest(e));
}

const char *
ccnc_engine_action_file(const struct ccnc_engine *e)
{
    return newest(e) ? newest(e)->run_file : NULL;
}

bool
ccnc_engine_busy(const struct ccnc_engine *e)
{
    for (size_t i = 0; i < e->n_actions; i++)
        if (active(e->actions[i]))
            return true;
    return false;
}

size_t
ccnc_engine_n_results(const struct ccnc_engine *e)
{
    return e->n_results;
}

const struct ccnc_engine_result *
ccnc_engine_result(const struct ccnc_engine *e, size_t i)
{
    return i < e->n_results ? &e->results[i] : NULL;
}

/* --- replay ------------------------------------------------------------------- */

static struct engine_action *
replay_entry(struct ccnc_engine *e, const struct ccnc_action *a)
{
    for (size_t i = 0; i < e->n_actions; i++)
        if (e->actions[i]->replay && ccnc_replay_action(e->actions[i]->replay) == a)
            return e->actions[i];
    return NULL;
}

static void
on_replay_changed(void *data, const struct ccnc_action *a, const struct ccnc_step *step)
{
    struct ccnc_engine *e = data;
    struct engine_action *ea = replay_entry(e, a);

    if (ea)
        tell(e, ea, step ? CCNC_ENGINE_ACTION_STEP : CCNC_ENGINE_ACTION_PROGRESS, step);
}

static void
on_replay_notice(void *data, const struct ccnc_action *a)
{
    struct ccnc_engine *e = data;
    struct engine_action *ea = replay_entry(e, a);

    if (ea)
        tell(e, ea, CCNC_ENGINE_ACTION_NOTICE, NULL);
}

static void
on_replay_finished(void *data, const struct ccnc_action *a, long long total_ms,
                   long long downtime_ms, long long longest_gap_ms, long long lost_probes)
{
    struct ccnc_engine *e = data;
    struct engine_action *ea = replay_entry(e, a);

    if (!ea)
        return;
    ea->finished = true;
    ea->total_ms = total_ms;
    ea->downtime_ms = downtime_ms;
    add_result(e, a, total_ms, downtime_ms, longest_gap_ms, lost_probes);
    tell(e, ea, CCNC_ENGINE_ACTION_FINISHED, NULL);
}

int
ccnc_engine_replay(struct ccnc_engine *e, const char *run_file, double speed,
                   struct ccnc_error *err)
{
    static const struct ccnc_replay_callbacks cb = { on_replay_changed, on_replay_notice,
                                                     on_replay_finished };
    struct engine_action *ea = ccnc_xcalloc(1, sizeof(*ea));

    ea->e = e;
    ea->total_ms = ea->downtime_ms = CCNC_UNKNOWN;
    ea->replay = ccnc_replay_start(e->loop, run_file, speed, &cb, e, err);
    if (!ea->replay) {
        free(ea);
        return -1;
    }
    ea->id = e->next_id++;
    ea->run_file = ccnc_xstrdup(run_file);
    *(struct engine_action **)ccnc_array_push(&e->actions, &e->n_actions, &e->cap_actions,
                                              sizeof(ea)) = ea;
    tell(e, ea, CCNC_ENGINE_ACTION_STARTED, NULL);
    return 0;
}
