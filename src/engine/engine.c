/* The engine: owns the loop and the current snapshot, runs one SSH session
 * and agent link per host, and publishes what they learn as new snapshots. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/engine.h>
#include <ccnc/pool.h>

#include <ccnc/runlog.h>

#include <json-c/json.h>

#include "engine/action-run.h"
#include "engine/collect-libvirt.h"
#include "core/i18n.h"
#include "engine/collect-agent.h"
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
    struct ccnc_action_run *run;        /* the running or last action */
    struct ccnc_action *shown;          /* its latest copy, for the screens */
    char *run_file;
    struct ccnc_engine_result *results;
    size_t n_results, cap_results;
    struct replay *replay;
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

struct replay;
static void replay_free(struct ccnc_engine *e);

struct ccnc_engine *
ccnc_engine_new(struct ccnc_lab *lab)
{
    struct ccnc_engine *e = ccnc_xcalloc(1, sizeof(*e));

    e->lab = ccnc_lab_ref(lab);
    e->loop = ccnc_loop_new();
    e->snap = ccnc_snapshot_new_from_lab(lab);
    return e;
}

void
ccnc_engine_free(struct ccnc_engine *e)
{
    if (!e)
        return;
    replay_free(e);
    ccnc_vf_intent_free(e->vf_intent);
    free(e->vf_intent_path);
    if (e->run && !ccnc_action_run_finished(e->run))
        ccnc_action_run_abort(e->run);
    ccnc_action_run_free(e->run);
    ccnc_action_free(e->shown);
    free(e->run_file);
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
    ccnc_engine_publish_host(e, h->i, part);
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
                                                          on_agent_traffic };
    int keepalive = e->lab->migration.keepalive_s > 0 ? e->lab->migration.keepalive_s : 10;

    if (!e->libvirt && !e->opts.ssh_only)
        e->libvirt = ccnc_collect_libvirt_start(e);
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
        /* from the loop's first pass: a caller that only wants the
         * configured lab (ccnc status) never touches the network */
        h->start_timer = ccnc_loop_add_timer(e->loop, 0, false, on_start, h);
    }
}

void
ccnc_engine_update_host(struct ccnc_engine *e, size_t i,
                        void (*fn)(struct ccnc_host *host, void *data), void *data)
{
    struct ccnc_host *h;

    if (i >= e->snap->n_hosts)
        return;
    h = ccnc_host_dup(e->snap->hosts[i]);
    fn(h, data);
    h->updated_ms = ccnc_now_wall_ms();
    ccnc_engine_publish_host(e, i, h);
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

void
ccnc_engine_publish_host(struct ccnc_engine *e, size_t i, struct ccnc_host *host)
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

/* --- actions ------------------------------------------------------------------ */

static bool
has_failover_pair(const struct ccnc_vm *vm)
{
    for (size_t i = 0; i < vm->n_nics; i++)
        if (vm->nics[i].teaming && ccnc_streq(vm->nics[i].teaming->type, "transient"))
            return true;
    return false;
}

struct ccnc_action *
ccnc_engine_plan(struct ccnc_engine *e, enum ccnc_action_kind kind, const char *vm_name,
                 const char *destination, struct ccnc_error *err)
{
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(e->lab, vm_name);
    const struct ccnc_host *where = NULL;
    const struct ccnc_vm *vm = ccnc_snapshot_find_vm(e->snap, vm_name, &where);
    const struct ccnc_lab_host *to = destination ? ccnc_lab_find_host(e->lab, destination) : NULL;

    if (!cv) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("the lab config has no [vm %s]"), vm_name);
        return NULL;
    }
    if (!vm || !where || vm->state != CCNC_VM_RUNNING) {
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("%s is not running on any host"), vm_name);
        return NULL;
    }
    if (kind == CCNC_ACTION_MIGRATE || kind == CCNC_ACTION_MIGRATE_PASSTHROUGH ||
        kind == CCNC_ACTION_MIGRATE_TEAMING) {
        if (!to || !ccnc_lab_host_runs_libvirt(to)) {
            ccnc_error_set(err, CCNC_ERR_CONFIG, _("'%s' is not a hypervisor host of the lab"),
                           destination ? destination : "");
            return NULL;
        }
        if (strcmp(to->name, where->name) == 0) {
            ccnc_error_set(err, CCNC_ERR_INTERNAL, _("%s already runs on %s"), vm_name,
                           where->name);
            return NULL;
        }
        kind = has_failover_pair(vm) ? CCNC_ACTION_MIGRATE_TEAMING
               : cv->passthrough_kind != CCNC_PASSTHROUGH_NONE ? CCNC_ACTION_MIGRATE_PASSTHROUGH
                                                                : CCNC_ACTION_MIGRATE;
    } else if (cv->passthrough_kind == CCNC_PASSTHROUGH_NONE) {
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("[vm %s] has no passthrough NIC in the lab config"),
                       vm_name);
        return NULL;
    }
    return ccnc_action_new(kind, vm_name, where->name, to ? to->name : NULL, cv->passthrough);
}

static void
on_run_progress(struct ccnc_action *copy, const struct ccnc_step *step, const char *note,
                bool finished, void *data)
{
    struct ccnc_engine *e = data;
    struct ccnc_event_list none = { 0 };

    (void)step;
    (void)note;
    ccnc_action_free(e->shown);
    e->shown = copy;
    if (finished) {
        struct ccnc_engine_result *r = ccnc_array_push(&e->results, &e->n_results,
                                                       &e->cap_results, sizeof(*r));
        r->vm = ccnc_xstrdup(copy->vm);
        r->source = ccnc_xstrdup(copy->source);
        r->destination = ccnc_xstrdup(copy->destination);
        r->kind = copy->kind;
        r->state = copy->state;
        r->total_ms = ccnc_action_run_total_ms(e->run);
        r->downtime_ms = ccnc_action_run_downtime_ms(e->run);
        r->longest_gap_ms = copy->probe.measured ? copy->probe.longest_gap_ms : CCNC_UNKNOWN;
        r->lost_probes = copy->probe.measured ? copy->probe.lost : CCNC_UNKNOWN;
    }
    if (e->listener)
        e->listener(e->snap, &none, e->listener_data);
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
    if (ccnc_agent_vf_set(a, c, on_vf_set, v, err) < 0) {
        vf_set_free(v);
        return -1;
    }
    *(struct vf_set **)ccnc_array_push(&e->vf_sets, &e->n_vf_sets, &e->cap_vf_sets,
                                       sizeof(v)) = v;
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
            if (!mine && pci)
                return 1;   /* attached, another's or nobody's: nothing to give back */
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
    for (size_t i = 0; i < e->n_vf_sets; i++)
        if (e->vf_sets[i]->data == data)
            e->vf_sets[i]->cb = NULL;
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
    struct ccnc_agent *agent = ccnc_engine_probe_agent(e, &host);
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
    if (ccnc_agent_bandwidth(agent, cv->probe_target, seconds, reverse, on_bandwidth, t, err) <
        0) {
        free(t);
        return -1;
    }
    *(struct bw_test **)ccnc_array_push(&e->bw_tests, &e->n_bw_tests, &e->cap_bw_tests,
                                        sizeof(t)) = t;
    return 0;
}

struct ccnc_agent *
ccnc_engine_probe_agent(struct ccnc_engine *e, const char **host)
{
    const struct ccnc_lab_host *s = ccnc_lab_storage_host(e->lab);
    size_t i = s ? (size_t)(s - e->lab->hosts) : 0;

    if (!s || i >= e->n_hosts || !e->hosts[i].agent)
        return NULL;
    if (host)
        *host = s->name;
    return e->hosts[i].agent;
}

int
ccnc_engine_run(struct ccnc_engine *e, struct ccnc_action *a, struct ccnc_error *err)
{
    char *dir;

    if (ccnc_engine_action_running(e)) {
        ccnc_action_free(a);
        return ccnc_error_set(err, CCNC_ERR_INTERNAL,
                              _("an action is running; wait for it or abort it first"));
    }
    ccnc_action_run_free(e->run);
    e->run = NULL;
    ccnc_action_confirm(a);
    ccnc_action_free(e->shown);
    e->shown = ccnc_action_dup(a);
    dir = ccnc_runlog_default_dir();
    e->run = ccnc_action_run_start(e, a, dir, on_run_progress, e, err);
    free(dir);
    if (!e->run)
        return -1; /* the run freed the action */
    ccnc_str_set(&e->run_file, ccnc_action_run_file(e->run));
    return 0;
}

const struct ccnc_action *
ccnc_engine_action(const struct ccnc_engine *e)
{
    return e->shown;
}

bool
ccnc_engine_action_running(const struct ccnc_engine *e)
{
    if (e->replay)
        return e->shown && !ccnc_action_finished(e->shown);
    return e->run && !ccnc_action_run_finished(e->run);
}

const char *
ccnc_engine_action_file(const struct ccnc_engine *e)
{
    return e->run_file;
}

static void replay_to_end(struct ccnc_engine *e);

void
ccnc_engine_abort(struct ccnc_engine *e)
{
    if (e->replay)
        replay_to_end(e); /* a rehearsal ends at once */
    else if (ccnc_engine_action_running(e))
        ccnc_action_run_abort(e->run);
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

/* One line of the run file, parsed, waiting for its time. */
struct replay_line {
    long long t_ms;
    json_object *o;
};

struct replay {
    struct replay_line *lines;
    size_t n, cap, next;
    long long t0;
    double speed;
    int timer;
};

static void
replay_free(struct ccnc_engine *e)
{
    struct replay *r = e->replay;

    if (!r)
        return;
    ccnc_loop_cancel(e->loop, &r->timer);
    for (size_t i = 0; i < r->n; i++)
        json_object_put(r->lines[i].o);
    free(r->lines);
    free(r);
    e->replay = NULL;
}

static const char *
jstr(json_object *o, const char *k)
{
    json_object *v;

    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v) : NULL;
}

static long long
jint(json_object *o, const char *k)
{
    json_object *v;

    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int)
               ? json_object_get_int64(v) : 0;
}

/* Apply one recorded line to the shown action. */
static void
replay_apply(struct ccnc_engine *e, json_object *o)
{
    const char *type = jstr(o, "type");
    struct ccnc_action *a = e->shown;

    if (ccnc_streq(type, "step")) {
        int op = -1;
        json_object *rb;
        bool rollback = json_object_object_get_ex(o, "rollback", &rb) &&
                        json_object_get_boolean(rb);
        struct ccnc_step *s = NULL;

        for (int k = 0; k < CCNC_STEP_LAST; k++)
            if (ccnc_streq(ccnc_step_op_to_string(k), jstr(o, "op")))
                op = k;
        if (op < 0)
            return;
        /* the first not yet finished step of that op and kind */
        for (size_t i = 0; i < a->n_steps && !s; i++)
            if ((int)a->steps[i].op == op && a->steps[i].rollback == rollback &&
                (a->steps[i].outcome == CCNC_STEP_PENDING ||
                 a->steps[i].outcome == CCNC_STEP_RUNNING_NOW))
                s = &a->steps[i];
        if (!s && rollback) {
            s = ccnc_array_push(&a->steps, &a->n_steps, &a->cap_steps, sizeof(*s));
            s->op = (enum ccnc_step_op)op;
            s->rollback = true;
        }
        if (!s)
            return;
        for (int k = 0; k < CCNC_STEP_OUTCOME_LAST; k++)
            if (ccnc_streq(ccnc_step_outcome_to_string(k), jstr(o, "outcome")))
                s->outcome = (enum ccnc_step_outcome)k;
        s->started_ms = jint(o, "started_ms");
        s->ended_ms = jint(o, "ended_ms");
        ccnc_str_set(&s->error, jstr(o, "error"));
        for (int k = 0; k < CCNC_ACTION_STATE_LAST; k++)
            if (ccnc_streq(ccnc_action_state_to_string(k), jstr(o, "state")))
                a->state = (enum ccnc_action_state)k;
        a->on_destination = json_object_object_get_ex(o, "on_destination", &rb) &&
                            json_object_get_boolean(rb);
        a->on_backup_only = json_object_object_get_ex(o, "on_backup_only", &rb) &&
                            json_object_get_boolean(rb);
        /* what comes next is running, as it was */
        for (size_t i = 0; i < a->n_steps; i++)
            if (a->steps[i].outcome == CCNC_STEP_PENDING && !ccnc_action_finished(a)) {
                a->steps[i].outcome = CCNC_STEP_RUNNING_NOW;
                a->steps[i].started_ms = s->ended_ms;
                break;
            }
    } else if (ccnc_streq(type, "job") && ccnc_streq(jstr(o, "phase"), "iteration")) {
        json_object *st;
        if (json_object_object_get_ex(o, "stats", &st)) {
            a->migration.iteration = (int)jint(st, "memory_iteration");
            a->migration.memory_total = jint(st, "memory_total");
            a->migration.memory_processed = jint(st, "memory_processed");
            a->migration.memory_remaining = jint(st, "memory_remaining");
            a->migration.dirty_rate = jint(st, "memory_dirty_rate");
            a->migration.bps = jint(st, "memory_bps");
        }
    } else if (ccnc_streq(type, "probe")) {
        a->probe.measured = true;
        a->probe.sent = jint(o, "sent");
        a->probe.received = jint(o, "received");
        a->probe.lost = jint(o, "lost");
        a->probe.current_gap_ms = jint(o, "current_gap_ms");
        a->probe.longest_gap_ms = jint(o, "longest_gap_ms");
    } else if (ccnc_streq(type, "result")) {
        struct ccnc_engine_result *r;
        for (int k = 0; k < CCNC_ACTION_STATE_LAST; k++)
            if (ccnc_streq(ccnc_action_state_to_string(k), jstr(o, "result")))
                a->state = (enum ccnc_action_state)k;
        ccnc_str_set(&a->summary, jstr(o, "summary"));
        for (size_t i = 0; i < a->n_steps; i++)
            if (a->steps[i].outcome == CCNC_STEP_PENDING ||
                a->steps[i].outcome == CCNC_STEP_RUNNING_NOW)
                a->steps[i].outcome = CCNC_STEP_SKIPPED;
        r = ccnc_array_push(&e->results, &e->n_results, &e->cap_results, sizeof(*r));
        r->vm = ccnc_xstrdup(a->vm);
        r->source = ccnc_xstrdup(a->source);
        r->destination = ccnc_xstrdup(a->destination);
        r->kind = a->kind;
        r->state = a->state;
        r->total_ms = json_object_object_get_ex(o, "total_ms", NULL) ? jint(o, "total_ms") : -1;
        r->downtime_ms = json_object_object_get_ex(o, "downtime_ms", NULL) ? jint(o, "downtime_ms")
                                                                            : -1;
        r->longest_gap_ms = json_object_object_get_ex(o, "longest_gap_ms", NULL)
                                ? jint(o, "longest_gap_ms") : -1;
        r->lost_probes = json_object_object_get_ex(o, "lost_probes", NULL) ? jint(o, "lost_probes")
                                                                            : -1;
        a->probe.done = true;
    }
}

static void
replay_tick(void *data)
{
    struct ccnc_engine *e = data;
    struct replay *r = e->replay;
    struct ccnc_event_list none = { 0 };
    long long now = ccnc_now_mono_ms();
    bool changed = false;

    while (r->next < r->n &&
           (double)(r->lines[r->next].t_ms - r->lines[0].t_ms) / r->speed <= (double)(now - r->t0)) {
        replay_apply(e, r->lines[r->next].o);
        r->next++;
        changed = true;
    }
    if (r->next >= r->n && e->shown && !ccnc_action_finished(e->shown)) {
        /* a run that never finished: say so rather than run forever */
        e->shown->state = CCNC_ACTION_FAILED;
        ccnc_str_set(&e->shown->summary, _("the recorded run ends here, unfinished"));
        changed = true;
    }
    if (r->next >= r->n)
        ccnc_loop_cancel(e->loop, &r->timer);
    if (changed && e->listener)
        e->listener(e->snap, &none, e->listener_data);
}

static void
replay_to_end(struct ccnc_engine *e)
{
    struct replay *r = e->replay;

    if (r->timer) {
        r->speed = 1e9;
        replay_tick(e);
    }
}

int
ccnc_engine_replay(struct ccnc_engine *e, const char *run_file, double speed,
                   struct ccnc_error *err)
{
    size_t len = 0;
    char *text = ccnc_file_read(run_file, 64 * 1024 * 1024, &len, err);
    struct replay *r;
    json_object *head = NULL;
    int kind = -1;

    if (!text)
        return -1;
    r = ccnc_xcalloc(1, sizeof(*r));
    r->speed = speed > 0 ? speed : 1;
    for (char *p = text, *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
        json_object *o;
        struct replay_line *l;
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        o = json_tokener_parse(p);
        if (!o || !json_object_is_type(o, json_type_object)) {
            json_object_put(o);
            continue; /* a damaged line: the rest still plays */
        }
        if (!head && ccnc_streq(jstr(o, "type"), "run"))
            head = o;
        l = ccnc_array_push(&r->lines, &r->n, &r->cap, sizeof(*l));
        l->t_ms = jint(o, "t_ms");
        l->o = o;
    }
    free(text);
    if (head)
        kind = ccnc_action_kind_from_string(jstr(head, "kind"));
    if (!head || kind < 0) {
        for (size_t i = 0; i < r->n; i++)
            json_object_put(r->lines[i].o);
        free(r->lines);
        free(r);
        return ccnc_error_set_at(err, CCNC_ERR_PARSE, run_file, 0,
                                 _("this is not a ccnc run file (no \"run\" line)"));
    }
    replay_free(e);
    e->replay = r;
    ccnc_action_free(e->shown);
    e->shown = ccnc_action_new((enum ccnc_action_kind)kind, jstr(head, "vm"), jstr(head, "source"),
                               jstr(head, "destination"), jstr(head, "nic"));
    ccnc_action_confirm(e->shown);
    e->shown->state = CCNC_ACTION_RUNNING;
    if (e->shown->n_steps)
        e->shown->steps[0].outcome = CCNC_STEP_RUNNING_NOW;
    ccnc_str_set(&e->run_file, run_file);
    r->t0 = ccnc_now_mono_ms();
    r->timer = ccnc_loop_add_timer(e->loop, 50, true, replay_tick, e);
    return 0;
}
