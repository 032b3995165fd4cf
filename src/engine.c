/* The engine: owns the loop and the current snapshot, runs one SSH session
 * and agent link per host, and publishes what they learn as new snapshots. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/engine.h>

#include "collect-agent.h"
#include "transport-ssh.h"

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
    struct ccnc_engine_options opts;
    struct engine_host *hosts;
    size_t n_hosts;
};

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
    ccnc_host_unref(h->inventory);
    h->inventory = host;
    refresh(h);
}

static void
on_agent_changed(void *data)
{
    refresh(data);
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
    static const struct ccnc_agent_callbacks agent_cb = { on_agent_inventory, on_agent_changed };
    int keepalive = e->lab->migration.keepalive_s > 0 ? e->lab->migration.keepalive_s : 10;

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

int
ccnc_engine_answer_hostkey(struct ccnc_engine *e, const char *host, bool trust)
{
    for (size_t i = 0; i < e->n_hosts; i++)
        if (strcmp(e->lab->hosts[i].name, host) == 0)
            return ccnc_ssh_answer_hostkey(e->hosts[i].ssh, trust);
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
    struct ccnc_snapshot *next = ccnc_snapshot_replace_host(e->snap, i, host);
    struct ccnc_event_list changes = { 0 };

    ccnc_snapshot_diff(e->snap, next, &changes);
    ccnc_snapshot_unref(e->snap);
    e->snap = next;
    if (e->listener)
        e->listener(e->snap, &changes, e->listener_data);
    ccnc_event_list_clear(&changes);
}
