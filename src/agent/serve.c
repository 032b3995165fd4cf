/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ccnc-agent --serve: hello, then an inventory after every change (coalesced
 * for a few milliseconds) with the change events, heartbeats, and typed
 * requests from stdin, all in one poll loop (docs/agent-protocol.md). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>

#include <ccnc/json.h>
#include <ccnc/loop.h>

#include "agent/agent.h"
#include "agent/bandwidth.h"
#include "agent/fdb.h"
#include "agent/netlink.h"
#include "agent/probe.h"
#include "agent/proto.h"
#include "core/i18n.h"

#define COALESCE_MS 2
#define HEARTBEAT_MS 5000
/* What has no notification (link speed, PCI, NFS) is looked at this often. */
#define RESCAN_MS 30000
#define MAX_PROBES 16
#define MAX_BANDWIDTH 4
/* a storage host's byte counters (the stream's throughput) are sent this often */
#define TRAFFIC_MS 1000

struct serve {
    const struct ccnc_agent_opts *opts;
    struct ccnc_loop *loop;
    struct ccnc_netlink *nl;
    struct ccnc_host *base;        /* NICs and exports */
    struct ccnc_host *last;        /* the last inventory sent */
    char *last_text;               /* its JSON without times */
    unsigned long long seq;
    int coalesce_timer;            /* 0: none pending */
    char *in;                      /* request bytes not yet a whole line */
    size_t in_len;
    bool skipping;                 /* inside an over-long line */
    int status;
    struct ccnc_probe *probes[MAX_PROBES];
    struct ccnc_fdb *fdb;          /* fdb-watch's follower, NULL: none */
    int next_probe;
    struct bw_slot {
        struct serve *s;
        struct ccnc_bw *bw;
    } bws[MAX_BANDWIDTH];
};

static void
put_line(struct serve *s, char *line)
{
    /* one write per line keeps lines whole when probes and inventories
     * interleave; a console that went away ends the agent */
    size_t len = strlen(line);

    line[len] = '\n';
    if (fwrite(line, 1, len + 1, stdout) != len + 1 || fflush(stdout) != 0) {
        s->status = 1;
        ccnc_loop_quit(s->loop);
    }
    line[len] = '\0';
    free(line);
}

static void
publish(struct serve *s)
{
    struct ccnc_host *h = ccnc_inventory_build(s->opts, s->base, s->nl);
    char *text = ccnc_json_host(h, CCNC_JSON_NO_TIME);

    if (s->last_text && strcmp(text, s->last_text) == 0) {
        free(text);
        ccnc_host_unref(h);
        return;
    }
    s->seq++;
    put_line(s, ccnc_proto_inventory(s->seq, h));
    if (s->last) {
        struct ccnc_event_list evs = { 0 };
        ccnc_host_diff(s->last, h, s->opts->name, &evs);
        for (size_t i = 0; i < evs.n; i++)
            put_line(s, ccnc_proto_event(s->seq, &evs.events[i]));
        ccnc_event_list_clear(&evs);
    }
    ccnc_host_unref(s->last);
    free(s->last_text);
    s->last = h;
    s->last_text = text;
}

static void
on_coalesced(void *data)
{
    struct serve *s = data;

    s->coalesce_timer = 0;
    publish(s);
}

static void
on_change(void *data)
{
    struct serve *s = data;

    if (!s->coalesce_timer)
        s->coalesce_timer = ccnc_loop_add_timer(s->loop, COALESCE_MS, false, on_coalesced, s);
}

static void
on_netlink(int fd, short revents, void *data)
{
    struct serve *s = data;

    ccnc_netlink_dispatch(s->nl);
}

static void
on_netlink_watch(int fd, short revents, void *data)
{
    struct serve *s = data;

    ccnc_netlink_dispatch_watch(s->nl);
}

static void
on_heartbeat(void *data)
{
    struct serve *s = data;

    put_line(s, ccnc_proto_heartbeat(s->seq, ccnc_now_wall_ms()));
}

/* The links' byte counters, from /proc/net/dev (this network namespace's,
 * whatever sysfs is mounted): they change without any notification. */
static void
on_traffic(void *data)
{
    struct serve *s = data;
    char *path = ccnc_xasprintf("%s/proc/net/dev", s->opts->root);
    FILE *f = fopen(path, "re");
    char line[512];
    size_t n = 0, cap = 0;
    char **names = NULL;
    long long *rx = NULL, *tx = NULL;

    while (f && fgets(line, sizeof(line), f)) {
        /* "  eth0: RXBYTES packets errs drop fifo frame compressed multicast TXBYTES ..." */
        char *colon = strchr(line, ':'), *name = line;
        unsigned long long v[9];
        if (!colon)
            continue;   /* the two header lines */
        *colon = '\0';
        while (*name == ' ')
            name++;
        if (strcmp(name, "lo") == 0 ||
            sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) != 9)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            names = ccnc_xrealloc(names, cap * sizeof(*names));
            rx = ccnc_xrealloc(rx, cap * sizeof(*rx));
            tx = ccnc_xrealloc(tx, cap * sizeof(*tx));
        }
        names[n] = ccnc_xstrdup(name);
        rx[n] = (long long)v[0];
        tx[n] = (long long)v[8];
        n++;
    }
    if (f)
        fclose(f);
    put_line(s, ccnc_proto_traffic(ccnc_now_wall_ms(), (const char *const *)names, rx, tx, n));
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(rx);
    free(tx);
    free(path);
}

static void
rescan_base(struct serve *s)
{
    ccnc_host_unref(s->base);
    s->base = ccnc_inventory_base(s->opts);
}

static void
on_rescan(void *data)
{
    struct serve *s = data;

    rescan_base(s);
    publish(s);
}

/* --- requests ---------------------------------------------------------------- */

static void
on_probe_report(const struct ccnc_probe_sample *sample, void *data)
{
    struct serve *s = data;

    put_line(s, ccnc_proto_probe(sample));
    if (sample->done)
        for (int i = 0; i < MAX_PROBES; i++)
            if (s->probes[i] && ccnc_probe_id(s->probes[i]) == sample->probe)
                s->probes[i] = NULL;
}

static void
on_fdb(const char *event, const char *mac, const char *bridge, const char *port, void *data)
{
    struct serve *s = data;

    put_line(s, ccnc_proto_fdb(ccnc_now_wall_ms(), event, mac, bridge, port));
}

/* A bandwidth test ended (it frees itself): answer, free its slot. */
static void
on_bandwidth(void *data, const struct ccnc_proto_request *req,
             const struct ccnc_bandwidth *r, const char *error)
{
    struct bw_slot *slot = data;

    slot->bw = NULL;
    put_line(slot->s, r ? ccnc_proto_reply_bandwidth(req, r)
                        : ccnc_proto_reply_error(req, error));
}

static void
handle_request(struct serve *s, const struct ccnc_proto_request *req)
{
    struct ccnc_error err = { 0 };
    int probe = -1, rc = -1;

    switch (req->op) {
    case CCNC_AGENT_OP_PING:
        rc = 0;
        break;
    case CCNC_AGENT_OP_VF_SET:
        if (!s->nl)
            rc = ccnc_error_set(&err, CCNC_ERR_USAGE,
                                _("VFs cannot be set without netlink (offline mode)"));
        else
            rc = ccnc_netlink_vf_set(s->nl, req, &err);
        break;
    case CCNC_AGENT_OP_SRIOV_NUMVFS:
        rc = ccnc_sysfs_set_numvfs(s->opts->root, req->pf, req->num_vfs, ccnc_sysfs_write, &err);
        if (rc == 0) {
            rescan_base(s);
            on_change(s);
        }
        break;
    case CCNC_AGENT_OP_PROBE_START: {
        int slot = -1;
        for (int i = 0; i < MAX_PROBES && slot < 0; i++)
            if (!s->probes[i])
                slot = i;
        if (slot < 0) {
            rc = ccnc_error_set(&err, CCNC_ERR_USAGE, _("too many probes running (at most %d)"),
                                MAX_PROBES);
            break;
        }
        s->probes[slot] = ccnc_probe_start(s->loop, s->next_probe + 1, req, on_probe_report, s,
                                           &err);
        rc = s->probes[slot] ? 0 : -1;
        if (rc == 0)
            probe = ++s->next_probe;
        break;
    }
    case CCNC_AGENT_OP_PROBE_STOP:
        for (int i = 0; i < MAX_PROBES; i++)
            if (s->probes[i] && ccnc_probe_id(s->probes[i]) == req->probe) {
                /* reply first, then the final sample */
                put_line(s, ccnc_proto_reply_ok(req, -1));
                ccnc_probe_stop(s->probes[i]);
                return;
            }
        rc = ccnc_error_set(&err, CCNC_ERR_USAGE, _("no probe %d is running"), req->probe);
        break;
    case CCNC_AGENT_OP_BANDWIDTH: {
        struct bw_slot *slot = NULL;
        for (int i = 0; i < MAX_BANDWIDTH && !slot; i++)
            if (!s->bws[i].bw)
                slot = &s->bws[i];
        if (!slot) {
            rc = ccnc_error_set(&err, CCNC_ERR_USAGE, _("too many bandwidth tests running (at "
                                                        "most %d)"), MAX_BANDWIDTH);
            break;
        }
        slot->s = s;
        slot->bw = ccnc_bw_start(s->loop, req, on_bandwidth, slot, &err);
        if (slot->bw)
            return;   /* the reply comes with the result */
        rc = -1;
        break;
    }
    case CCNC_AGENT_OP_FDB_WATCH:
        ccnc_fdb_free(s->fdb);
        s->fdb = NULL;
        if (!s->nl && req->n_macs)
            rc = ccnc_error_set(&err, CCNC_ERR_USAGE, _("forwarding entries cannot be "
                                                        "followed without netlink (offline "
                                                        "mode)"));
        else if (req->n_macs)
            rc = (s->fdb = ccnc_fdb_new(s->loop, req->macs, req->n_macs, on_fdb, s, &err))
                     ? 0 : -1;
        else
            rc = 0;
        break;
    case CCNC_AGENT_OP_LAST:
        break;
    }
    if (rc == 0)
        put_line(s, ccnc_proto_reply_ok(req, probe));
    else
        put_line(s, ccnc_proto_reply_error(req, err.message ? err.message : _("failed")));
    ccnc_error_clear(&err);
}

static void
handle_line(struct serve *s, const char *line, size_t len)
{
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    if (len == 0)
        return; /* blank lines are allowed between requests */
    if (ccnc_proto_parse_request(line, len, &req, &err) < 0)
        put_line(s, ccnc_proto_reply_error(&req, err.message));
    else
        handle_request(s, &req);
    ccnc_proto_request_clear(&req);
    ccnc_error_clear(&err);
}

static void
stop_probes(struct serve *s)
{
    for (int i = 0; i < MAX_PROBES; i++)
        if (s->probes[i])
            ccnc_probe_stop(s->probes[i]);
    for (int i = 0; i < MAX_BANDWIDTH; i++) {
        ccnc_bw_cancel(s->bws[i].bw);
        s->bws[i].bw = NULL;
    }
}

static void
on_stdin(int fd, short revents, void *data)
{
    struct serve *s = data;
    char buf[16384];
    ssize_t r = read(fd, buf, sizeof(buf));
    size_t start = 0;

    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (r <= 0) {
        /* the console went away: stop probes and leave */
        if (s->in_len > 0 && !s->skipping)
            handle_line(s, s->in, s->in_len);
        s->in_len = 0;
        stop_probes(s);
        ccnc_loop_quit(s->loop);
        return;
    }
    for (size_t i = 0; i < (size_t)r; i++) {
        if (buf[i] != '\n')
            continue;
        if (s->skipping) {
            s->skipping = false;
        } else if (s->in_len > 0) {
            s->in = ccnc_xrealloc(s->in, s->in_len + (i - start));
            memcpy(s->in + s->in_len, buf + start, i - start);
            handle_line(s, s->in, s->in_len + (i - start));
        } else {
            handle_line(s, buf + start, i - start);
        }
        s->in_len = 0;
        start = i + 1;
    }
    if (start < (size_t)r && !s->skipping) {
        size_t rest = (size_t)r - start;
        if (s->in_len + rest > CCNC_PROTO_MAX_LINE) {
            struct ccnc_error err = { 0 };
            ccnc_error_set(&err, CCNC_ERR_PARSE,
                           dngettext(PACKAGE, "the request is longer than %d byte",
                                     "the request is longer than %d bytes", CCNC_PROTO_MAX_LINE),
                           CCNC_PROTO_MAX_LINE);
            put_line(s, ccnc_proto_reply_error(NULL, err.message));
            ccnc_error_clear(&err);
            s->skipping = true;
            s->in_len = 0;
        } else {
            s->in = ccnc_xrealloc(s->in, s->in_len + rest);
            memcpy(s->in + s->in_len, buf + start, rest);
            s->in_len += rest;
        }
    }
}

int
ccnc_serve_run(const struct ccnc_agent_opts *opts)
{
    struct serve s = { .opts = opts, .status = 0 };
    struct ccnc_error err = { 0 };
    int flags;

    signal(SIGPIPE, SIG_IGN);
    s.loop = ccnc_loop_new();
    if (opts->root[0] == '\0' && !opts->no_netlink) {
        s.nl = ccnc_netlink_new(on_change, &s, &err);
        if (!s.nl) {
            char *msg = ccnc_error_format(&err);
            /* TRANSLATORS: stderr goes to the console's log, stdout is the protocol */
            fprintf(stderr, _("ccnc-agent: netlink is not available, reading sysfs: %s\n"), msg);
            free(msg);
            ccnc_error_clear(&err);
        }
    }
    flags = fcntl(STDIN_FILENO, F_GETFL);
    if (flags >= 0)
        fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);

    put_line(&s, ccnc_proto_hello(opts->name, opts->role));
    s.base = ccnc_inventory_base(opts);
    publish(&s);

    ccnc_loop_add_fd(s.loop, STDIN_FILENO, POLLIN, on_stdin, &s);
    if (s.nl) {
        ccnc_loop_add_fd(s.loop, ccnc_netlink_fd(s.nl), POLLIN, on_netlink, &s);
        ccnc_loop_add_fd(s.loop, ccnc_netlink_watch_fd(s.nl), POLLIN, on_netlink_watch, &s);
    }
    ccnc_loop_add_timer(s.loop, HEARTBEAT_MS, true, on_heartbeat, &s);
    ccnc_loop_add_timer(s.loop, RESCAN_MS, true, on_rescan, &s);
    if (opts->role == CCNC_HOST_ROLE_STORAGE)
        ccnc_loop_add_timer(s.loop, TRAFFIC_MS, true, on_traffic, &s);
    if (s.status == 0)
        ccnc_loop_run(s.loop);

    stop_probes(&s);
    ccnc_fdb_free(s.fdb);
    ccnc_netlink_free(s.nl);
    ccnc_loop_free(s.loop);
    ccnc_host_unref(s.base);
    ccnc_host_unref(s.last);
    free(s.last_text);
    free(s.in);
    if (flags >= 0)
        fcntl(STDIN_FILENO, F_SETFL, flags);
    return s.status;
}
