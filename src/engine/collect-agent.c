/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent collector (src/engine/collect-agent.h): probe the host for ccnc-agent,
 * deploy it over SFTP when needed, run it on an exec channel and read its
 * protocol.  Every remote command is a fixed text with quoted arguments;
 * nothing the host sends is ever run. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include <ccnc/json.h>
#include <ccnc/log.h>
#include <ccnc/util.h>

#include "engine/collect-agent.h"
#include "core/i18n.h"
#include "core/json-get.h"
#include "core/quote.h"
#include "core/sha256.h"

#ifndef BINDIR
#define BINDIR "/usr/local/bin"
#endif

/* Where an uploaded agent lives, relative to the remote home directory;
 * the folders from AGENT_CACHE_TOP down are kept private to the user. */
#define AGENT_CACHE_TOP ".cache/ccnc"
#define AGENT_CACHE_DIR AGENT_CACHE_TOP "/agent-" PACKAGE_VERSION
#define AGENT_CACHE_PATH AGENT_CACHE_DIR "/ccnc-agent"
#define AGENT_WANT_VERSION "ccnc-agent " PACKAGE_VERSION
#define RESTART_MS 5000
/* The agent sends a heartbeat every 5 s; three missed ones and it is gone. */
#define SILENCE_MS 15000

enum agent_state { A_IDLE, A_PROBING, A_UPLOADING, A_STARTING, A_RUNNING, A_FAILED };

struct ccnc_agent {
    struct ccnc_loop *loop;
    struct ccnc_ssh *ssh;
    char *name;
    enum ccnc_host_role role;
    struct ccnc_agent_callbacks cb;
    void *data;

    enum agent_state state;
    struct ccnc_ssh_exec *exec;
    struct ccnc_error err;
    char *version;
    bool uploaded, settled;
    int restart_timer;
    long long next_id;

    /* what the probe found, and the local agent's SHA-256 ("" unknown) */
    struct ccnc_agent_probe found;
    char local_sha256[CCNC_SHA256_HEX_LEN + 1];
    /* the running agent */
    char *last_stderr;
    bool hello;
    long long last_line_ms;
    int watchdog_timer;
    int step_timeout_ms;
    int probe_timer;
    /* connectivity probes asked for */
    struct probe_sub *subs;
    size_t n_subs, cap_subs;
    /* requests waiting for their reply */
    struct pending *pending;
    size_t n_pending, cap_pending;
    /* inside send_request: an end of the pending requests waits for the
     * loop's next pass (end_timer, with why), so no reply callback runs
     * inside the call that asked */
    bool sending;
    int end_timer;
    char *end_why;
    /* the last traffic line, to make rates of the next */
    struct ccnc_agent_traffic traffic;
    /* the MACs whose forwarding entries to follow, and whether this
     * agent can (its hello) */
    char **fdb_macs;
    size_t n_fdb_macs;
    bool can_fdb;
};

struct pending {
    long long id;
    ccnc_agent_reply_cb cb;    /* NULL: forgotten */
    ccnc_agent_bandwidth_cb bw_cb;   /* instead of cb, for bandwidth */
    void *data;
};

struct probe_sub {
    int handle;                /* the probe-start request's id */
    int probe;                 /* the agent's number, -1 before its reply */
    char *start;               /* its probe-start line, until the agent runs; then NULL */
    bool stop_wanted;
    ccnc_agent_probe_cb cb;    /* NULL: cancelled, waiting for the reply */
    void *data;
};

static void run_agent(struct ccnc_agent *a, bool from_cache);
static void probe(struct ccnc_agent *a);
static void on_restart(void *data);
static void on_end_pending(void *data);

/* --- the protocol --------------------------------------------------------------- */

int
ccnc_agent_parse_line(const char *line, struct ccnc_agent_msg *msg, struct ccnc_error *err)
{
    enum json_tokener_error jerr;
    json_object *root, *v;
    const char *type;
    int rc = 0, known;

    memset(msg, 0, sizeof(*msg));
    msg->seq = msg->id = -1;
    msg->probe = -1;
    root = json_tokener_parse_verbose(line, &jerr);
    if (!root)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("the agent sent malformed JSON: %s"),
                              json_tokener_error_desc(jerr));
    if (!json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("the agent sent something other than a "
                                                     "JSON object"));
    }
    /* a member missing or of another type reads as absent (-1, NULL,
     * false), as core/json-get.h says; what must be there is checked */
    type = ccnc_json_get_str(root, "type");
    if (!type) {
        json_object_put(root);
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("the agent sent a message without a "
                                                     "\"type\""));
    }
    known = ccnc_agent_msg_type_from_string(type);
    msg->type = known < 0 ? CCNC_AGENT_MSG_LAST : (enum ccnc_agent_msg_type)known;
    msg->seq = ccnc_json_get_int(root, "seq", -1);
    switch (msg->type) {
    case CCNC_AGENT_MSG_HELLO:
        msg->protocol = (int)ccnc_json_get_int(root, "protocol", -1);
        msg->agent_version = ccnc_json_dup_str(root, "agent_version");
        msg->host = ccnc_json_dup_str(root, "host");
        msg->role = ccnc_json_dup_str(root, "role");
        if ((v = ccnc_json_get_array(root, "capabilities")))
            for (size_t i = 0; i < json_object_array_length(v); i++)
                msg->can_fdb |= ccnc_streq(json_object_get_string(
                                               json_object_array_get_idx(v, i)), "fdb");
        if (msg->protocol < 0 || !msg->agent_version)
            rc = ccnc_error_set(err, CCNC_ERR_PARSE, _("the agent's hello lacks the protocol "
                                                       "or the version"));
        break;
    case CCNC_AGENT_MSG_INVENTORY:
        /* the message is itself {"schema_version":1,"host":{...}} plus type/seq */
        msg->inventory = ccnc_json_parse_host(line, err);
        if (!msg->inventory)
            rc = -1;
        break;
    case CCNC_AGENT_MSG_REPLY:
        msg->id = ccnc_json_get_int(root, "id", -1);
        msg->ok = ccnc_json_get_bool(root, "ok", false);
        msg->error = ccnc_json_dup_str(root, "error");
        msg->probe = (int)ccnc_json_get_int(root, "probe", -1);
        if ((v = ccnc_json_get_object(root, "bandwidth"))) {
            msg->has_bandwidth = true;
            msg->bandwidth.sent_bps = ccnc_json_get_int(v, "sent_bps", -1);
            msg->bandwidth.received_bps = ccnc_json_get_int(v, "received_bps", -1);
            msg->bandwidth.retransmits = ccnc_json_get_int(v, "retransmits", -1);
            msg->bandwidth.seconds = ccnc_json_get_double(v, "seconds", 0);
        }
        break;
    case CCNC_AGENT_MSG_TRAFFIC: {
        struct ccnc_agent_traffic *t = &msg->traffic;
        json_object *links = ccnc_json_get_array(root, "links");
        t->time_ms = ccnc_json_get_int(root, "time_ms", -1);
        if (!links || t->time_ms < 0) {
            rc = ccnc_error_set(err, CCNC_ERR_PARSE, _("the agent's traffic line lacks its "
                                                       "links or time"));
            break;
        }
        t->n = json_object_array_length(links);
        t->names = ccnc_xcalloc(t->n + 1, sizeof(char *));
        t->rx = ccnc_xcalloc(t->n + 1, sizeof(long long));
        t->tx = ccnc_xcalloc(t->n + 1, sizeof(long long));
        for (size_t i = 0; i < t->n; i++) {
            json_object *l = json_object_array_get_idx(links, i);
            t->names[i] = ccnc_json_dup_str(l, "name");
            t->rx[i] = ccnc_json_get_int(l, "rx_bytes", -1);
            t->tx[i] = ccnc_json_get_int(l, "tx_bytes", -1);
            if (!t->names[i] || t->rx[i] < 0 || t->tx[i] < 0)
                rc = ccnc_error_set(err, CCNC_ERR_PARSE, _("the agent's traffic line lacks a "
                                                           "number"));
        }
        break;
    }
    case CCNC_AGENT_MSG_FDB:
        msg->time_ms = ccnc_json_get_int(root, "time_ms", -1);
        msg->event = ccnc_json_dup_str(root, "event");
        msg->mac = ccnc_json_dup_str(root, "mac");
        msg->bridge = ccnc_json_dup_str(root, "bridge");
        msg->port = ccnc_json_dup_str(root, "port");
        if (msg->time_ms < 0 || !msg->mac || !msg->port ||
            (!ccnc_streq(msg->event, "learned") && !ccnc_streq(msg->event, "gone")))
            rc = ccnc_error_set(err, CCNC_ERR_PARSE, _("the agent's fdb line lacks its time, "
                                                       "event, MAC or port"));
        break;
    case CCNC_AGENT_MSG_PROBE: {
        struct ccnc_probe_figures *f = &msg->figures;
        msg->probe = (int)ccnc_json_get_int(root, "probe", -1);
        f->sent = ccnc_json_get_int(root, "sent", -1);
        f->received = ccnc_json_get_int(root, "received", -1);
        f->lost = ccnc_json_get_int(root, "lost", -1);
        f->current_gap_ms = ccnc_json_get_int(root, "current_gap_ms", -1);
        f->longest_gap_ms = ccnc_json_get_int(root, "longest_gap_ms", -1);
        /* an older agent sends no stream figures */
        f->stream_stall_ms = ccnc_json_get_int(root, "stream_stall_ms", -1);
        f->stream_longest_stall_ms = ccnc_json_get_int(root, "stream_longest_stall_ms", -1);
        f->stream = f->stream_stall_ms >= 0 && f->stream_longest_stall_ms >= 0;
        f->done = ccnc_json_get_bool(root, "done", false);
        msg->error = ccnc_json_dup_str(root, "error");
        f->measured = true;
        if (msg->probe < 1 || f->sent < 0 || f->received < 0 || f->lost < 0 ||
            f->current_gap_ms < 0 || f->longest_gap_ms < 0)
            rc = ccnc_error_set(err, CCNC_ERR_PARSE, _("the agent's probe sample lacks a "
                                                       "number"));
        break;
    }
    default:
        break;
    }
    json_object_put(root);
    return rc;
}

static void
traffic_clear(struct ccnc_agent_traffic *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->names[i]);
    free(t->names);
    free(t->rx);
    free(t->tx);
    memset(t, 0, sizeof(*t));
}

void
ccnc_agent_msg_clear(struct ccnc_agent_msg *msg)
{
    free(msg->agent_version);
    free(msg->host);
    free(msg->role);
    free(msg->error);
    free(msg->event);
    free(msg->mac);
    free(msg->bridge);
    free(msg->port);
    ccnc_host_unref(msg->inventory);
    traffic_clear(&msg->traffic);
    memset(msg, 0, sizeof(*msg));
}

static char *
request_line(json_object *o)
{
    char *line = ccnc_xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

    json_object_put(o);
    return line;
}

static json_object *
request(long long id, enum ccnc_agent_op op)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "type", json_object_new_string(
                                          ccnc_agent_msg_type_to_string(CCNC_AGENT_MSG_REQUEST)));
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "op", json_object_new_string(ccnc_agent_op_to_string(op)));
    return o;
}

char *
ccnc_agent_request_line(long long id, enum ccnc_agent_op op)
{
    return request_line(request(id, op));
}

char *
ccnc_agent_fdb_watch_line(long long id, char *const *macs, size_t n)
{
    json_object *o = request(id, CCNC_AGENT_OP_FDB_WATCH), *a = json_object_new_array();

    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(macs[i]));
    json_object_object_add(o, "macs", a);
    return request_line(o);
}

char *
ccnc_agent_probe_start_line(long long id, const char *target, int rate_hz, int max_duration_s)
{
    json_object *o = request(id, CCNC_AGENT_OP_PROBE_START);

    json_object_object_add(o, "target", json_object_new_string(target));
    json_object_object_add(o, "proto", json_object_new_string("icmp"));
    json_object_object_add(o, "rate_hz", json_object_new_int(rate_hz));
    json_object_object_add(o, "max_duration_s", json_object_new_int(max_duration_s));
    return request_line(o);
}

char *
ccnc_agent_probe_stop_line(long long id, int probe)
{
    json_object *o = request(id, CCNC_AGENT_OP_PROBE_STOP);

    json_object_object_add(o, "probe", json_object_new_int(probe));
    return request_line(o);
}

/* --- architecture ------------------------------------------------------------------- */

char *
ccnc_agent_binary_arch(const char *path)
{
    static const struct {
        unsigned machine;
        const char *arch;
    } machines[] = {
        { 62, "x86_64" }, { 3, "i686" }, { 183, "aarch64" }, { 40, "arm" },
        { 243, "riscv64" }, { 21, "ppc64" }, { 22, "s390x" },
    };
    unsigned char h[20];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    unsigned machine;

    if (fd < 0)
        return ccnc_xstrdup("unknown");
    n = read(fd, h, sizeof(h));
    close(fd);
    if (n >= 2 && h[0] == '#' && h[1] == '!')
        return NULL;
    if (n < 20 || memcmp(h, "\177ELF", 4) != 0)
        return ccnc_xstrdup("unknown");
    machine = h[5] == 2 ? (unsigned)(h[18] << 8 | h[19]) : (unsigned)(h[19] << 8 | h[18]);
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(machines); i++)
        if (machines[i].machine == machine)
            return ccnc_xstrdup(machines[i].arch);
    return ccnc_xasprintf("elf-machine-%u", machine);
}

bool
ccnc_agent_arch_matches(const char *want, const char *have)
{
    if (!want)
        return true;   /* a script */
    if (!have)
        return false;
    if (strcmp(want, have) == 0)
        return true;
    if (strcmp(want, "i686") == 0)
        return have[0] == 'i' && strcmp(have + 2, "86") == 0;
    if (strcmp(want, "arm") == 0)
        return strncmp(have, "arm", 3) == 0;
    if (strcmp(want, "ppc64") == 0)
        return strncmp(have, "ppc64", 5) == 0;
    return false;
}

char *
ccnc_agent_local_path(void)
{
    const char *env = getenv("CCNC_AGENT_BINARY");
    char self[PATH_MAX];
    ssize_t n;

    if (env && *env)
        return ccnc_xstrdup(env);
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        char *slash, *p;
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            p = ccnc_xasprintf("%s/ccnc-agent", self);
            if (access(p, X_OK) == 0)
                return p;
            free(p);
        }
    }
    return ccnc_xstrdup(BINDIR "/ccnc-agent");
}

/* --- connectivity probes ------------------------------------------------------------------ */

static void
send_line(struct ccnc_agent *a, char *line)
{
    if (a->exec)
        ccnc_ssh_exec_write(a->exec, line, strlen(line));
    free(line);
}

static ssize_t
sub_index(const struct ccnc_agent *a, int handle, int probe)
{
    for (size_t i = 0; i < a->n_subs; i++)
        if ((handle > 0 && a->subs[i].handle == handle) ||
            (probe > 0 && a->subs[i].probe == probe))
            return (ssize_t)i;
    return -1;
}

static void
sub_remove(struct ccnc_agent *a, size_t i)
{
    a->subs[i] = a->subs[--a->n_subs];
}

/* Every probe ends: the agent or its session went away. */
static void
subs_end(struct ccnc_agent *a, const char *why)
{
    struct probe_sub *subs = a->subs;
    size_t n = a->n_subs;
    struct ccnc_probe_figures f = { .done = true, .error = (char *)why };

    a->subs = NULL;
    a->n_subs = a->cap_subs = 0;
    for (size_t i = 0; i < n; i++) {
        free(subs[i].start);
        if (subs[i].cb)
            subs[i].cb(subs[i].data, &f);
    }
    free(subs);
}

/* The agent runs: send the probes asked for before it did. */
static void
subs_flush(struct ccnc_agent *a)
{
    /* writing may read the agent's answers at once (agent_line, and this
     * again from an inventory): take each line out before sending it, and
     * look at the list afresh after each send */
    for (size_t i = 0; i < a->n_subs; i++) {
        char *line = a->subs[i].start;
        if (!line)
            continue;
        a->subs[i].start = NULL;
        send_line(a, line);   /* takes it */
    }
}

static void
probe_reply(struct ccnc_agent *a, const struct ccnc_agent_msg *msg)
{
    ssize_t i = sub_index(a, (int)msg->id, -1);
    struct probe_sub sub;

    if (i < 0)
        return;
    sub = a->subs[i];
    if (!msg->ok || msg->probe < 1) {
        struct ccnc_probe_figures f = { .done = true };
        f.error = msg->error ? msg->error : (char *)_("the agent refused the probe");
        sub_remove(a, (size_t)i);
        if (sub.cb)
            sub.cb(sub.data, &f);
        return;
    }
    a->subs[i].probe = msg->probe;
    if (sub.stop_wanted || !sub.cb)
        send_line(a, ccnc_agent_probe_stop_line(++a->next_id, msg->probe));
}

static void
probe_sample(struct ccnc_agent *a, struct ccnc_agent_msg *msg)
{
    ssize_t i = sub_index(a, -1, msg->probe);
    struct probe_sub sub;

    if (i < 0)
        return;
    sub = a->subs[i];
    if (msg->figures.done)
        sub_remove(a, (size_t)i);
    if (sub.cb) {
        msg->figures.error = msg->error;
        sub.cb(sub.data, &msg->figures);
        msg->figures.error = NULL;
    }
}

int
ccnc_agent_probe_start(struct ccnc_agent *a, const char *target, int rate_hz,
                       int max_duration_s, ccnc_agent_probe_cb cb, void *data,
                       struct ccnc_error *err)
{
    struct probe_sub *sub;
    int handle;

    (void)err;
    sub = ccnc_array_push(&a->subs, &a->n_subs, &a->cap_subs, sizeof(*sub));
    handle = (int)++a->next_id;
    sub->handle = handle;
    sub->probe = -1;
    sub->cb = cb;
    sub->data = data;
    sub->start = ccnc_agent_probe_start_line(handle, target, rate_hz, max_duration_s);
    if (a->state == A_RUNNING && a->exec)
        subs_flush(a);   /* may move a->subs */
    return handle;
}

void
ccnc_agent_probe_stop(struct ccnc_agent *a, int handle)
{
    ssize_t i = handle > 0 ? sub_index(a, handle, -1) : -1;

    if (i < 0)
        return;
    if (a->subs[i].start) {
        /* never sent: it ends here */
        struct probe_sub s = a->subs[i];
        char *why = ccnc_xasprintf(_("ccnc-agent on %s was not running yet"), a->name);
        struct ccnc_probe_figures f = { .done = true, .error = why };
        free(s.start);
        sub_remove(a, (size_t)i);
        if (s.cb)
            s.cb(s.data, &f);
        free(why);
        return;
    }
    if (a->subs[i].probe > 0 && !a->subs[i].stop_wanted) {
        /* mark it first: the send may read the final sample, which ends it */
        a->subs[i].stop_wanted = true;
        send_line(a, ccnc_agent_probe_stop_line(++a->next_id, a->subs[i].probe));
        return;
    }
    a->subs[i].stop_wanted = true;
}

void
ccnc_agent_probe_cancel(struct ccnc_agent *a, int handle)
{
    ssize_t i = handle > 0 ? sub_index(a, handle, -1) : -1;

    if (i < 0)
        return;
    a->subs[i].cb = NULL;
    ccnc_agent_probe_stop(a, handle);
}

/* --- requests that change the host ------------------------------------------------------- */

static void
pending_end(struct ccnc_agent *a, const char *why)
{
    struct pending *p = a->pending;
    size_t n = a->n_pending;

    if (a->sending) {
        /* writing the request pumped the session and found it gone */
        if (!a->end_timer) {
            ccnc_str_set(&a->end_why, why);
            a->end_timer = ccnc_loop_add_timer(a->loop, 0, false, on_end_pending, a);
        }
        return;
    }
    a->pending = NULL;
    a->n_pending = a->cap_pending = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].cb)
            p[i].cb(p[i].data, false, why);
        else if (p[i].bw_cb)
            p[i].bw_cb(p[i].data, NULL, why);
    free(p);
}

static void
on_end_pending(void *data)
{
    struct ccnc_agent *a = data;
    char *why = a->end_why;

    a->end_timer = 0;
    a->end_why = NULL;
    pending_end(a, why);
    free(why);
}

/* true when the reply was one of these requests' */
static bool
pending_reply(struct ccnc_agent *a, const struct ccnc_agent_msg *msg)
{
    for (size_t i = 0; i < a->n_pending; i++) {
        struct pending p = a->pending[i];
        if (p.id != msg->id)
            continue;
        a->pending[i] = a->pending[--a->n_pending];
        if (p.cb)
            p.cb(p.data, msg->ok, msg->ok ? NULL : msg->error ? msg->error
                                                              : _("the agent gave no reason"));
        else if (p.bw_cb && msg->ok && msg->has_bandwidth)
            p.bw_cb(p.data, &msg->bandwidth, NULL);
        else if (p.bw_cb)
            p.bw_cb(p.data, NULL, msg->ok ? _("the agent's reply has no figures")
                                  : msg->error ? msg->error : _("the agent gave no reason"));
        return true;
    }
    return false;
}

/* Requests go only to an agent that runs: -1 and err otherwise. */
static int
check_running(const struct ccnc_agent *a, struct ccnc_error *err)
{
    if (a->state != A_RUNNING || !a->exec)
        return ccnc_error_set(err, CCNC_ERR_CONNECT, _("ccnc-agent is not running on %s"),
                              a->name);
    return 0;
}

/* Send a request and keep who waits for its reply: cb, or bw_cb for a
 * bandwidth test's figures. */
static long long
send_request(struct ccnc_agent *a, char *line, long long id, ccnc_agent_reply_cb cb,
             ccnc_agent_bandwidth_cb bw_cb, void *data)
{
    struct pending *p = ccnc_array_push(&a->pending, &a->n_pending, &a->cap_pending, sizeof(*p));

    p->id = id;
    p->cb = cb;
    p->bw_cb = bw_cb;
    p->data = data;
    a->sending = true;
    send_line(a, line);
    a->sending = false;
    return id;
}

long long
ccnc_agent_vf_set(struct ccnc_agent *a, const struct ccnc_vf_change *c, ccnc_agent_reply_cb cb,
                  void *data, struct ccnc_error *err)
{
    long long id;

    if (check_running(a, err) < 0)
        return -1;
    id = ++a->next_id;
    return send_request(a, ccnc_vf_change_request(c, id), id, cb, NULL, data);
}

long long
ccnc_agent_sriov_numvfs(struct ccnc_agent *a, const char *pf, int num_vfs,
                        ccnc_agent_reply_cb cb, void *data, struct ccnc_error *err)
{
    json_object *o;
    long long id;

    if (check_running(a, err) < 0)
        return -1;
    id = ++a->next_id;
    o = request(id, CCNC_AGENT_OP_SRIOV_NUMVFS);
    json_object_object_add(o, "pf", json_object_new_string(pf));
    json_object_object_add(o, "num_vfs", json_object_new_int(num_vfs));
    return send_request(a, request_line(o), id, cb, NULL, data);
}

long long
ccnc_agent_bandwidth(struct ccnc_agent *a, const char *target, int seconds, bool reverse,
                     ccnc_agent_bandwidth_cb cb, void *data, struct ccnc_error *err)
{
    json_object *o;
    long long id;

    if (check_running(a, err) < 0)
        return -1;
    id = ++a->next_id;
    o = request(id, CCNC_AGENT_OP_BANDWIDTH);
    json_object_object_add(o, "target", json_object_new_string(target));
    json_object_object_add(o, "seconds", json_object_new_int(seconds));
    json_object_object_add(o, "reverse", json_object_new_boolean(reverse));
    return send_request(a, request_line(o), id, NULL, cb, data);
}

void
ccnc_agent_forget(struct ccnc_agent *a, long long id)
{
    for (size_t i = 0; i < a->n_pending; i++)
        if (a->pending[i].id == id) {
            a->pending[i].cb = NULL;
            a->pending[i].bw_cb = NULL;
        }
}

/* --- state ------------------------------------------------------------------------------ */

static void
changed(struct ccnc_agent *a)
{
    if (a->cb.changed)
        a->cb.changed(a->data);
}

static void
fail(struct ccnc_agent *a, const char *fmt, ...) CCNC_PRINTF(2, 3);

static void
fail(struct ccnc_agent *a, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    {
        /* it may quote the host's stderr or versions */
        char *safe = ccnc_quote_printable(msg);
        ccnc_error_set(&a->err, CCNC_ERR_CONNECT, "%s", safe);
        free(safe);
    }
    free(msg);
    a->state = A_FAILED;
    a->settled = true;
    if (a->exec) {
        ccnc_ssh_exec_close(a->exec);
        a->exec = NULL;
    }
    subs_end(a, a->err.message);
    pending_end(a, a->err.message);
    changed(a);
}

/* `sh -c SCRIPT`, whatever the login shell is. */
static char *
sh_command(const char *script)
{
    const char *argv[] = { "sh", "-c", script };

    return ccnc_quote_argv(argv, CCNC_ARRAY_SIZE(argv));
}

/* --- what the probe says (without I/O) ----------------------------------------------- */

void
ccnc_agent_probe_init(struct ccnc_agent_probe *p)
{
    static const struct ccnc_agent_path unknown = { CCNC_AGENT_PATH_UNKNOWN, -1, -1 };

    memset(p, 0, sizeof(*p));
    p->uid = -1;
    p->top = p->dir = p->bin = unknown;
}

void
ccnc_agent_probe_clear(struct ccnc_agent_probe *p)
{
    free(p->arch);
    free(p->cache_sha256);
    free(p->path_version);
    ccnc_agent_probe_init(p);
}

/* "none", "link", "other", or "dir|file UID MODE" (MODE in octal, as
 * `stat -c %a` writes it). */
static struct ccnc_agent_path
path_parse(const char *text)
{
    struct ccnc_agent_path p = { CCNC_AGENT_PATH_UNKNOWN, -1, -1 };
    char kind[8];
    long long uid;
    unsigned mode;

    if (strcmp(text, "none") == 0)
        p.kind = CCNC_AGENT_PATH_NONE;
    else if (strcmp(text, "link") == 0)
        p.kind = CCNC_AGENT_PATH_LINK;
    else if (strcmp(text, "other") == 0)
        p.kind = CCNC_AGENT_PATH_OTHER;
    else if (sscanf(text, "%7s %lld %o", kind, &uid, &mode) == 3 && uid >= 0 && mode <= 07777 &&
             (strcmp(kind, "dir") == 0 || strcmp(kind, "file") == 0)) {
        p.kind = kind[0] == 'd' ? CCNC_AGENT_PATH_DIR : CCNC_AGENT_PATH_FILE;
        p.uid = uid;
        p.mode = (int)mode;
    }
    return p;
}

void
ccnc_agent_probe_line(struct ccnc_agent_probe *p, const char *line)
{
    if (strncmp(line, "arch ", 5) == 0) {
        ccnc_str_set(&p->arch, line + 5);
    } else if (strncmp(line, "uid ", 4) == 0) {
        char *end;
        long long v = strtoll(line + 4, &end, 10);
        p->uid = *end == '\0' && end != line + 4 && v >= 0 ? v : -1;
    } else if (strncmp(line, "top ", 4) == 0) {
        p->top = path_parse(line + 4);
    } else if (strncmp(line, "dir ", 4) == 0) {
        p->dir = path_parse(line + 4);
    } else if (strncmp(line, "bin ", 4) == 0) {
        p->bin = path_parse(line + 4);
    } else if (strncmp(line, "sha256 ", 7) == 0) {
        /* 64 hex digits, or it tells nothing */
        const char *h = line + 7;
        bool ok = strlen(h) == CCNC_SHA256_HEX_LEN;
        for (size_t i = 0; ok && h[i]; i++)
            ok = (h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f');
        ccnc_str_set(&p->cache_sha256, ok ? h : NULL);
    } else if (strncmp(line, "path ", 5) == 0) {
        ccnc_str_set(&p->path_version, line + 5);
    }
}

static bool
private_dir(const struct ccnc_agent_path *d, long long uid)
{
    return d->kind == CCNC_AGENT_PATH_DIR && d->uid == uid && d->mode == 0700;
}

bool
ccnc_agent_cache_trusted(const struct ccnc_agent_probe *p, const char *local_sha256)
{
    /* another user who may write the folders or the file could swap the
     * agent between this check and its start */
    return p->uid >= 0 && private_dir(&p->top, p->uid) && private_dir(&p->dir, p->uid) &&
           p->bin.kind == CCNC_AGENT_PATH_FILE && p->bin.uid == p->uid &&
           (p->bin.mode & 022) == 0 && local_sha256 && *local_sha256 && p->cache_sha256 &&
           strcmp(p->cache_sha256, local_sha256) == 0;
}

/* --- probe ------------------------------------------------------------------------------- */

static void
probe_line(void *data, const char *line, bool is_stderr)
{
    struct ccnc_agent *a = data;

    if (is_stderr)
        ccnc_str_set(&a->last_stderr, line);
    else
        ccnc_agent_probe_line(&a->found, line);
}

static void
upload_done(void *data, const struct ccnc_error *err)
{
    struct ccnc_agent *a = data;

    if (a->state != A_UPLOADING)
        return;
    if (err) {
        fail(a, _("%s: ccnc-agent could not be copied there: %s"), a->name, err->message);
        return;
    }
    /* what arrived there is run only once the probe has found it to be
     * the local agent, byte for byte */
    a->uploaded = true;
    probe(a);
}

static void
deploy(struct ccnc_agent *a)
{
    char *local = ccnc_agent_local_path(), *arch = NULL;
    struct ccnc_error err = { 0 };
    struct ccnc_ssh_upload_spec spec = {
        .local_path = local,
        .remote_path = AGENT_CACHE_PATH,
        .private_dir = AGENT_CACHE_TOP,
        .uid = a->found.uid,
        .mode = 0700,
    };

    if (access(local, R_OK) != 0) {
        fail(a, _("%s has no ccnc-agent %s (looked in ~/%s and PATH), and there is none here "
                  "to copy (%s: %s); install ccnc-agent %s on %s or set CCNC_AGENT_BINARY"),
             a->name, PACKAGE_VERSION, AGENT_CACHE_DIR, local, strerror(errno),
             PACKAGE_VERSION, a->name);
        goto cleanup;
    }
    arch = ccnc_agent_binary_arch(local);
    if (!ccnc_agent_arch_matches(arch, a->found.arch)) {
        fail(a, _("%s is a %s machine, but the local ccnc-agent (%s) is built for %s; install "
                  "ccnc-agent %s for %s in PATH there"),
             a->name, a->found.arch, local, arch, PACKAGE_VERSION, a->found.arch);
        goto cleanup;
    }
    ccnc_log(CCNC_LOG_CONNECT, _("%s: copying %s (SHA-256 %s) to ~/%s"), a->name, local,
             a->local_sha256[0] ? a->local_sha256 : "?", AGENT_CACHE_PATH);
    a->state = A_UPLOADING;
    changed(a);
    if (ccnc_ssh_upload(a->ssh, &spec, upload_done, a, &err) < 0) {
        fail(a, _("%s: ccnc-agent could not be copied there: %s"), a->name, err.message);
        ccnc_error_clear(&err);
    }
cleanup:
    free(arch);
    free(local);
}

static void
on_probe_timeout(void *data)
{
    struct ccnc_agent *a = data;

    a->probe_timer = 0;
    if (a->state != A_PROBING)
        return;
    fail(a, _("%s: looking for ccnc-agent there did not finish within %d s"), a->name,
         (a->step_timeout_ms + 999) / 1000);
    if (!a->restart_timer)
        a->restart_timer = ccnc_loop_add_timer(a->loop, RESTART_MS, false, on_restart, a);
}

/* The copy just made is not found as sent: never run it. */
static void
refuse_copy(struct ccnc_agent *a)
{
    if (!a->found.cache_sha256)
        fail(a, _("%s: ccnc cannot check the ccnc-agent it copied to ~/%s (sha256sum did not "
                  "run there), so it will not run it; install sha256sum (coreutils) there, or "
                  "ccnc-agent %s in PATH"),
             a->name, AGENT_CACHE_DIR, PACKAGE_VERSION);
    else if (strcmp(a->found.cache_sha256, a->local_sha256) != 0)
        fail(a, _("%s: the ccnc-agent copied to ~/%s does not match the local one (SHA-256 %s "
                  "there, %s here); ccnc will not run it"),
             a->name, AGENT_CACHE_DIR, a->found.cache_sha256, a->local_sha256);
    else
        fail(a, _("%s: the ccnc-agent copied to ~/%s is not in folders of the user's own (mode "
                  "0700) or others may change it; ccnc will not run it"),
             a->name, AGENT_CACHE_DIR);
}

static void
probe_closed(void *data, int status, const struct ccnc_error *err)
{
    struct ccnc_agent *a = data;

    a->exec = NULL;
    ccnc_loop_cancel(a->loop, &a->probe_timer);
    if (a->state != A_PROBING)
        return;
    if (err && !ccnc_ssh_is_ready(a->ssh)) {
        a->state = A_IDLE;   /* the session went away: it will start again */
        return;
    }
    if (err) {
        fail(a, _("%s: looking for ccnc-agent there failed: %s"), a->name, err->message);
        if (!a->restart_timer)
            a->restart_timer = ccnc_loop_add_timer(a->loop, RESTART_MS, false, on_restart, a);
        return;
    }
    if (status != 0 || !a->found.arch) {
        fail(a, _("%s: a plain shell command failed there (exit status %d%s%s)"), a->name,
             status, a->last_stderr ? ": " : "", a->last_stderr ? a->last_stderr : "");
        return;
    }
    /* The cached agent runs only if it is the local one byte for byte, in
     * folders nobody else may change; an agent in PATH is the host's own
     * installation, trusted like its sh and sha256sum.  Else ours is
     * copied (once) and must then be found as it was sent. */
    if (!a->uploaded) {
        char *local = ccnc_agent_local_path();
        struct ccnc_error unread = { 0 };
        if (ccnc_sha256_file_hex(local, a->local_sha256, &unread) < 0)
            a->local_sha256[0] = '\0';   /* then the cache cannot be trusted */
        ccnc_error_clear(&unread);
        free(local);
    }
    if (ccnc_agent_cache_trusted(&a->found, a->local_sha256)) {
        ccnc_log(CCNC_LOG_CONNECT, _("%s: starting ~/%s (SHA-256 %s, the local agent's)"),
                 a->name, AGENT_CACHE_PATH, a->local_sha256);
        run_agent(a, true);
    } else if (a->uploaded) {
        refuse_copy(a);
    } else if (a->found.path_version && strcmp(a->found.path_version, AGENT_WANT_VERSION) == 0) {
        ccnc_log(CCNC_LOG_CONNECT, _("%s: starting the host's own ccnc-agent from its PATH (%s)"),
                 a->name, a->found.path_version);
        run_agent(a, false);
    } else {
        deploy(a);
    }
}

static void
probe(struct ccnc_agent *a)
{
    static const struct ccnc_ssh_exec_callbacks cb = { probe_line, probe_closed };
    struct ccnc_error err = { 0 };
    char *top = ccnc_quote_word(AGENT_CACHE_TOP);
    char *dir = ccnc_quote_word(AGENT_CACHE_DIR);
    /* It reads and never runs what is in the cache: the agent there runs
     * only after its content has been checked. */
    char *script = ccnc_xasprintf(
        "t=\"$HOME\"/%s\n"
        "d=\"$HOME\"/%s\n"
        "st() {\n"
        "  if [ -L \"$1\" ]; then echo link\n"
        "  elif [ -d \"$1\" ]; then echo \"dir $(stat -c '%%u %%a' \"$1\")\"\n"
        "  elif [ -f \"$1\" ]; then echo \"file $(stat -c '%%u %%a' \"$1\")\"\n"
        "  elif [ -e \"$1\" ]; then echo other\n"
        "  else echo none; fi\n"
        "}\n"
        "echo \"arch $(uname -m)\"\n"
        "echo \"uid $(id -u)\"\n"
        "echo \"top $(st \"$t\")\"\n"
        "echo \"dir $(st \"$d\")\"\n"
        "echo \"bin $(st \"$d/ccnc-agent\")\"\n"
        "if [ -f \"$d/ccnc-agent\" ] && [ ! -L \"$d/ccnc-agent\" ]; then\n"
        "  set -- $(sha256sum <\"$d/ccnc-agent\" 2>/dev/null)\n"
        "  echo \"sha256 $1\"\n"
        "fi\n"
        "if command -v ccnc-agent >/dev/null 2>&1; then\n"
        "  echo \"path $(ccnc-agent --version 2>/dev/null | head -n 1)\"\n"
        "fi\n",
        top, dir);
    char *cmd = sh_command(script);

    ccnc_agent_probe_clear(&a->found);
    free(a->last_stderr);
    a->last_stderr = NULL;
    a->state = A_PROBING;
    a->exec = ccnc_ssh_exec_start(a->ssh, cmd, &cb, a, &err);
    if (!a->exec && a->state == A_PROBING) {
        a->state = A_IDLE;
        ccnc_error_clear(&err);
    } else if (a->exec && !a->probe_timer) {
        a->probe_timer = ccnc_loop_add_timer(a->loop, a->step_timeout_ms, false,
                                             on_probe_timeout, a);
    }
    free(cmd);
    free(script);
    free(dir);
    free(top);
}

/* --- the running agent ---------------------------------------------------------------- */

/* Byte counters into rates against the last line's; the first line only
 * sets the base.  A counter that went back (a link remade) gives no rate. */
static void
traffic(struct ccnc_agent *a, struct ccnc_agent_traffic *now)
{
    const struct ccnc_agent_traffic *prev = &a->traffic;
    long long dt = now->time_ms - prev->time_ms;
    long long *rx = ccnc_xcalloc(now->n + 1, sizeof(*rx));
    long long *tx = ccnc_xcalloc(now->n + 1, sizeof(*tx));

    for (size_t i = 0; i < now->n; i++) {
        rx[i] = tx[i] = CCNC_UNKNOWN;
        for (size_t j = 0; dt > 0 && j < prev->n; j++) {
            if (strcmp(prev->names[j], now->names[i]) != 0)
                continue;
            if (now->rx[i] >= prev->rx[j])
                rx[i] = (now->rx[i] - prev->rx[j]) * 8000 / dt;
            if (now->tx[i] >= prev->tx[j])
                tx[i] = (now->tx[i] - prev->tx[j]) * 8000 / dt;
        }
    }
    if (prev->n && a->cb.traffic)
        a->cb.traffic(a->data, (const char *const *)now->names, rx, tx, now->n);
    free(rx);
    free(tx);
    /* this line's counters are the base of the next */
    traffic_clear(&a->traffic);
    a->traffic = *now;
    memset(now, 0, sizeof(*now));
}

static void
agent_line(void *data, const char *line, bool is_stderr)
{
    struct ccnc_agent *a = data;
    struct ccnc_agent_msg msg;
    struct ccnc_error err = { 0 };

    if (is_stderr) {
        ccnc_str_set(&a->last_stderr, line);
        return;
    }
    ccnc_ssh_touch(a->ssh);
    a->last_line_ms = ccnc_now_mono_ms();
    if (ccnc_agent_parse_line(line, &msg, &err) < 0) {
        /* one bad line does not end the link; say so and go on */
        char *safe = ccnc_quote_printable(err.message);
        ccnc_error_set(&a->err, CCNC_ERR_PARSE, _("%s: ccnc-agent sent a line ccnc cannot "
                                                  "read: %s"), a->name, safe);
        free(safe);
        ccnc_error_clear(&err);
        ccnc_agent_msg_clear(&msg);
        changed(a);
        return;
    }
    switch (msg.type) {
    case CCNC_AGENT_MSG_HELLO:
        if (msg.protocol != CCNC_AGENT_PROTO_VERSION ||
            strcmp(msg.agent_version, PACKAGE_VERSION) != 0) {
            fail(a, _("%s runs ccnc-agent %s (protocol %d), but this ccnc %s needs protocol "
                      "%d and the same version"),
                 a->name, msg.agent_version, msg.protocol, PACKAGE_VERSION,
                 CCNC_AGENT_PROTO_VERSION);
            break;
        }
        ccnc_str_set(&a->version, msg.agent_version);
        a->can_fdb = msg.can_fdb;
        ccnc_log(CCNC_LOG_CONNECT, _("%s: ccnc-agent %s answered (protocol %d)"), a->name,
                 msg.agent_version, msg.protocol);
        a->hello = true;
        {
            char *req = ccnc_agent_request_line(++a->next_id, CCNC_AGENT_OP_PING);
            ccnc_ssh_exec_write(a->exec, req, strlen(req));
            free(req);
        }
        changed(a);
        break;
    case CCNC_AGENT_MSG_INVENTORY:
        if (!a->hello) {
            fail(a, _("%s: ccnc-agent sent an inventory before its hello"), a->name);
            break;
        }
        if (a->state != A_RUNNING && a->can_fdb && a->n_fdb_macs)
            send_line(a, ccnc_agent_fdb_watch_line(++a->next_id, a->fdb_macs, a->n_fdb_macs));
        a->state = A_RUNNING;
        a->settled = true;
        ccnc_error_clear(&a->err);
        subs_flush(a);
        if (a->cb.inventory)
            a->cb.inventory(a->data, ccnc_host_ref(msg.inventory));
        break;
    case CCNC_AGENT_MSG_REPLY:
        if (!pending_reply(a, &msg))
            probe_reply(a, &msg);
        break;
    case CCNC_AGENT_MSG_PROBE:
        probe_sample(a, &msg);
        break;
    case CCNC_AGENT_MSG_TRAFFIC:
        traffic(a, &msg.traffic);
        break;
    case CCNC_AGENT_MSG_FDB:
        if (a->cb.fdb)
            a->cb.fdb(a->data, msg.time_ms, msg.event, msg.mac, msg.bridge, msg.port);
        break;
    default:
        break;   /* heartbeats only prove life; events come with an inventory */
    }
    ccnc_agent_msg_clear(&msg);
}

static void
on_restart(void *data)
{
    struct ccnc_agent *a = data;

    a->restart_timer = 0;
    if (ccnc_ssh_is_ready(a->ssh))
        ccnc_agent_start(a);
}

static void
agent_closed(void *data, int status, const struct ccnc_error *err)
{
    struct ccnc_agent *a = data;

    a->exec = NULL;
    if (a->n_subs || a->n_pending) {
        char *why = ccnc_xasprintf(_("ccnc-agent on %s ended"), a->name);
        subs_end(a, why);
        pending_end(a, why);
        free(why);
    }
    if (err && !ccnc_ssh_is_ready(a->ssh)) {
        a->state = A_IDLE;   /* the session is gone; it comes back with it */
        return;
    }
    if (a->state == A_FAILED)
        return;
    if (err)   /* the channel broke, or the agent sent what ccnc will not read */
        fail(a, _("the link to ccnc-agent on %s was closed: %s"), a->name, err->message);
    else
        fail(a, _("ccnc-agent on %s ended (exit status %d)%s%s"), a->name, status,
             a->last_stderr ? ": " : "", a->last_stderr ? a->last_stderr : "");
    a->restart_timer = ccnc_loop_add_timer(a->loop, RESTART_MS, false, on_restart, a);
}

/* A session can stay up while the agent on it hangs: its heartbeats tell. */
static void
on_watchdog(void *data)
{
    struct ccnc_agent *a = data;

    if ((a->state != A_RUNNING && a->state != A_STARTING) || !a->exec)
        return;
    if (ccnc_now_mono_ms() - a->last_line_ms <= SILENCE_MS)
        return;
    fail(a, _("ccnc-agent on %s sent nothing for %d s; starting it again"), a->name,
         SILENCE_MS / 1000);
    if (!a->restart_timer)
        a->restart_timer = ccnc_loop_add_timer(a->loop, RESTART_MS, false, on_restart, a);
}

static void
run_agent(struct ccnc_agent *a, bool from_cache)
{
    static const struct ccnc_ssh_exec_callbacks cb = { agent_line, agent_closed };
    const char *role = ccnc_host_role_to_string(a->role);
    const char *args[] = { "--serve", "--name", a->name, "--role", role };
    char *argline = ccnc_quote_argv(args, CCNC_ARRAY_SIZE(args));
    char *path = ccnc_quote_word(AGENT_CACHE_PATH);
    char *script, *cmd;
    struct ccnc_error err = { 0 };

    script = from_cache ? ccnc_xasprintf("exec \"$HOME\"/%s %s", path, argline)
                        : ccnc_xasprintf("exec ccnc-agent %s", argline);
    cmd = sh_command(script);
    free(a->last_stderr);
    a->last_stderr = NULL;
    a->hello = false;
    a->state = A_STARTING;
    a->last_line_ms = ccnc_now_mono_ms();
    if (!a->watchdog_timer)
        a->watchdog_timer = ccnc_loop_add_timer(a->loop, SILENCE_MS / 3, true, on_watchdog, a);
    a->exec = ccnc_ssh_exec_start(a->ssh, cmd, &cb, a, &err);
    if (!a->exec && a->state == A_STARTING) {
        fail(a, "%s", err.message);
        ccnc_error_clear(&err);
    } else {
        changed(a);
    }
    free(cmd);
    free(script);
    free(path);
    free(argline);
}

/* --- public ------------------------------------------------------------------------------ */

struct ccnc_agent *
ccnc_agent_new(struct ccnc_loop *loop, struct ccnc_ssh *ssh, const char *name,
               enum ccnc_host_role role, int step_timeout_ms,
               const struct ccnc_agent_callbacks *cb, void *data)
{
    struct ccnc_agent *a = ccnc_xcalloc(1, sizeof(*a));

    a->step_timeout_ms = step_timeout_ms > 0 ? step_timeout_ms : 10000;
    ccnc_agent_probe_init(&a->found);
    a->loop = loop;
    a->ssh = ssh;
    a->name = ccnc_xstrdup(name);
    a->role = role;
    a->cb = *cb;
    a->data = data;
    return a;
}

void
ccnc_agent_free(struct ccnc_agent *a)
{
    if (!a)
        return;
    ccnc_loop_cancel(a->loop, &a->restart_timer);
    ccnc_loop_cancel(a->loop, &a->watchdog_timer);
    ccnc_loop_cancel(a->loop, &a->probe_timer);
    ccnc_loop_cancel(a->loop, &a->end_timer);
    free(a->end_why);
    free(a->subs);
    free(a->pending);
    ccnc_agent_fdb_watch(a, NULL, 0);
    traffic_clear(&a->traffic);
    ccnc_error_clear(&a->err);
    free(a->name);
    free(a->version);
    ccnc_agent_probe_clear(&a->found);
    free(a->last_stderr);
    free(a);
}

void
ccnc_agent_fdb_watch(struct ccnc_agent *a, char *const *macs, size_t n)
{
    for (size_t i = 0; i < a->n_fdb_macs; i++)
        free(a->fdb_macs[i]);
    free(a->fdb_macs);
    a->fdb_macs = n ? ccnc_xcalloc(n, sizeof(*a->fdb_macs)) : NULL;
    for (size_t i = 0; i < n; i++)
        a->fdb_macs[i] = ccnc_xstrdup(macs[i]);
    a->n_fdb_macs = n;
    if (a->state == A_RUNNING && a->exec && a->can_fdb)
        send_line(a, ccnc_agent_fdb_watch_line(++a->next_id, a->fdb_macs, n));
}

void
ccnc_agent_start(struct ccnc_agent *a)
{
    ccnc_loop_cancel(a->loop, &a->restart_timer);
    a->uploaded = false;
    probe(a);
}

void
ccnc_agent_stop(struct ccnc_agent *a)
{
    ccnc_loop_cancel(a->loop, &a->restart_timer);
    ccnc_loop_cancel(a->loop, &a->probe_timer);
    a->exec = NULL;   /* closed with the session */
    if (a->state != A_FAILED)
        a->state = A_IDLE;
    if (a->n_subs || a->n_pending) {
        char *why = ccnc_xasprintf(_("the SSH session to %s ended"), a->name);
        subs_end(a, why);
        pending_end(a, why);
        free(why);
    }
}

bool ccnc_agent_running(const struct ccnc_agent *a) { return a->state == A_RUNNING; }
bool ccnc_agent_settled(const struct ccnc_agent *a) { return a->settled; }
bool ccnc_agent_uploaded(const struct ccnc_agent *a) { return a->uploaded; }
const char *ccnc_agent_version(const struct ccnc_agent *a) { return a->version; }

const struct ccnc_error *
ccnc_agent_error(const struct ccnc_agent *a)
{
    return a->err.code != CCNC_ERR_NONE ? &a->err : NULL;
}
