/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's line protocol: requests read with json-c, every other line
 * written with it (docs/agent-protocol.md). */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/json.h>
#include <ccnc/lab.h>

#include "agent/proto.h"
#include "core/i18n.h"
#include "core/json-get.h"

static const char *const probe_proto_names[CCNC_PROBE_PROTO_LAST] = { "udp", "icmp" };

static const char *const link_state_names[] = { "auto", "enable", "disable" };

void
ccnc_proto_request_clear(struct ccnc_proto_request *req)
{
    free(req->pf);
    free(req->mac);
    free(req->link_state);
    free(req->target);
    for (size_t i = 0; i < req->n_macs; i++)
        free(req->macs[i]);
    free(req->macs);
    memset(req, 0, sizeof(*req));
}

/* --- reading requests ------------------------------------------------------ */

/* 0: absent, 1: read, -1: present with the wrong type or range (err set).
 * A null is of the wrong type (core/json-get.h), so "vlan":null is refused,
 * not taken for a field left out. */
static int
want_int(json_object *o, const char *key, long long lo, long long hi, int *out,
         struct ccnc_error *err)
{
    long long n = 0;
    enum ccnc_json_field f = ccnc_json_find_int(o, key, &n);

    if (f == CCNC_JSON_FIELD_MISSING)
        return 0;
    if (f != CCNC_JSON_FIELD_OK)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'%s' must be an integer"), key);
    if (n < lo || n > hi)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'%s' must be between %lld and %lld"),
                              key, lo, hi);
    *out = (int)n;
    return 1;
}

static int
want_bool(json_object *o, const char *key, bool *out, struct ccnc_error *err)
{
    enum ccnc_json_field f = ccnc_json_find_bool(o, key, out);

    if (f == CCNC_JSON_FIELD_MISSING)
        return 0;
    if (f != CCNC_JSON_FIELD_OK)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'%s' must be true or false"), key);
    return 1;
}

/* A string the agent acts on, borrowed: 0 absent, 1 read, -1 refused.
 * json-c keeps a NUL inside a string ("eth\u0000x"), and C would act on
 * the part before it ("eth"): such a string is refused, not cut short. */
static int
find_str(json_object *o, const char *key, const char **out, struct ccnc_error *err)
{
    const char *s = NULL;
    size_t len = 0;
    enum ccnc_json_field f = ccnc_json_find_str(o, key, &s, &len);

    if (f == CCNC_JSON_FIELD_MISSING)
        return 0;
    if (f != CCNC_JSON_FIELD_OK || len == 0 || len > 255)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'%s' must be a non-empty string"), key);
    if (strlen(s) != len)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'%s' must not contain a NUL byte"), key);
    *out = s;
    return 1;
}

static int
want_str(json_object *o, const char *key, char **out, struct ccnc_error *err)
{
    const char *s = NULL;
    int rc = find_str(o, key, &s, err);

    if (rc <= 0)
        return rc;
    free(*out);
    *out = ccnc_xstrdup(s);
    return 1;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* xx:xx:xx:xx:xx:xx; *first gets the first octet. */
static bool
mac_valid(const char *s, int *first)
{
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);
        if (lo < 0)
            return false;
        if (i == 0)
            *first = hi << 4 | lo;
        s += 2;
        if (i < 5 && *s++ != ':')
            return false;
    }
    return *s == '\0';
}

/* A netdev name as the kernel allows it (dev_valid_name(): 1-15 bytes, no
 * '/', ':' or white space, not "." or ".."), and printable ASCII besides:
 * the name becomes part of a sysfs path and of error messages. */
static bool
ifname_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c >= 0x7f || c == '/' || c == ':')
            return false;
    }
    return true;
}

static int
need(int rc, const char *key, struct ccnc_error *err)
{
    if (rc == 0)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("the request lacks '%s'"), key);
    return rc;
}

static int
read_pf(json_object *o, struct ccnc_proto_request *req, struct ccnc_error *err)
{
    if (need(want_str(o, "pf", &req->pf, err), "pf", err) < 0)
        return -1;
    if (!ifname_valid(req->pf))
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'%s' is not a network interface name"),
                              req->pf);
    return 0;
}

static int
read_vf_set(json_object *o, struct ccnc_proto_request *req, struct ccnc_error *err)
{
    int rc, b, first = 0;

    if (read_pf(o, req, err) < 0 ||
        need(want_int(o, "vf", 0, 65535, &req->vf, err), "vf", err) < 0)
        return -1;
#define FIELD(call, flag)                                                      \
    if ((rc = (call)) < 0)                                                     \
        return -1;                                                             \
    if (rc)                                                                    \
        req->set |= (flag);
    FIELD(want_str(o, "mac", &req->mac, err), CCNC_VF_SET_MAC);
    FIELD(want_int(o, "vlan", 0, 4095, &req->vlan, err), CCNC_VF_SET_VLAN);
    FIELD(want_int(o, "qos", 0, 7, &req->qos, err), CCNC_VF_SET_QOS);
    FIELD(want_int(o, "max_tx_rate", 0, INT_MAX, &req->max_tx_rate, err),
          CCNC_VF_SET_MAX_TX_RATE);
    FIELD(want_int(o, "min_tx_rate", 0, INT_MAX, &req->min_tx_rate, err),
          CCNC_VF_SET_MIN_TX_RATE);
    FIELD(want_bool(o, "spoofchk", &req->spoofchk, err), CCNC_VF_SET_SPOOFCHK);
    FIELD(want_bool(o, "trust", &req->trust, err), CCNC_VF_SET_TRUST);
    FIELD(want_str(o, "link_state", &req->link_state, err), CCNC_VF_SET_LINK_STATE);
#undef FIELD
    if (req->mac && !mac_valid(req->mac, &first))
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'%s' is not a MAC address"), req->mac);
    /* the kernel's is_multicast_ether_addr(): no address for one NIC */
    if (req->mac && (first & 1))
        return ccnc_error_set(err, CCNC_ERR_PARSE,
                              _("'%s' is a multicast address, not the address of a NIC"),
                              req->mac);
    b = ccnc_enum_from_string(link_state_names, (int)CCNC_ARRAY_SIZE(link_state_names),
                              req->link_state);
    if (req->link_state && b < 0)
        return ccnc_error_set(err, CCNC_ERR_PARSE,
                              _("'link_state' must be auto, enable or disable, not '%s'"),
                              req->link_state);
    if ((req->set & CCNC_VF_SET_QOS) && !(req->set & CCNC_VF_SET_VLAN))
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'qos' needs 'vlan'"));
    if (req->set == 0)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("vf-set sets nothing"));
    return 0;
}

static int
read_probe_start(json_object *o, struct ccnc_proto_request *req, struct ccnc_error *err)
{
    char *proto = NULL;
    int rc;

    if (need(want_str(o, "target", &req->target, err), "target", err) < 0)
        return -1;
    req->proto = CCNC_PROBE_ICMP;
    rc = want_str(o, "proto", &proto, err);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        int p = ccnc_enum_from_string(probe_proto_names, CCNC_PROBE_PROTO_LAST, proto);
        if (p < 0) {
            ccnc_error_set(err, CCNC_ERR_PARSE, _("'proto' must be udp or icmp, not '%s'"),
                           proto);
            free(proto);
            return -1;
        }
        req->proto = p;
        free(proto);
    }
    req->port = 7;
    req->rate_hz = 100;
    req->max_duration_s = 600;
    if (want_int(o, "port", 1, 65535, &req->port, err) < 0 ||
        want_int(o, "rate_hz", 1, 1000, &req->rate_hz, err) < 0 ||
        want_int(o, "max_duration_s", 1, 86400, &req->max_duration_s, err) < 0)
        return -1;
    return 0;
}

bool
ccnc_proto_target_valid(const char *s)
{
    if (!s || !*s || *s == '-' || strlen(s) > 253)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(".:-_", *s))
            return false;
    return true;
}

static int
read_bandwidth(json_object *o, struct ccnc_proto_request *req, struct ccnc_error *err)
{
    if (need(want_str(o, "target", &req->target, err), "target", err) < 0)
        return -1;
    if (!ccnc_proto_target_valid(req->target))
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'target' must be a host name or an IP "
                                                     "address, not '%s'"), req->target);
    req->port = 5201;
    req->seconds = 5;
    req->reverse = false;
    if (want_int(o, "port", 1, 65535, &req->port, err) < 0 ||
        want_int(o, "seconds", 1, 60, &req->seconds, err) < 0 ||
        want_bool(o, "reverse", &req->reverse, err) < 0)
        return -1;
    return 0;
}

/* fdb-watch: "macs", an array (empty: stop) of unicast or not, any case */
static int
read_fdb_watch(json_object *o, struct ccnc_proto_request *req, struct ccnc_error *err)
{
    json_object *a;
    size_t n;

    if (!json_object_object_get_ex(o, "macs", &a))
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("the request has no '%s'"), "macs");
    if (!json_object_is_type(a, json_type_array))
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'macs' must be an array of MAC "
                                                     "addresses"));
    n = json_object_array_length(a);
    if (n > CCNC_PROTO_MAX_FDB_MACS)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("'macs' holds more than %d addresses"),
                              CCNC_PROTO_MAX_FDB_MACS);
    req->macs = ccnc_xcalloc(n ? n : 1, sizeof(*req->macs));
    for (size_t i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(a, i);
        const char *s = json_object_is_type(m, json_type_string) ? json_object_get_string(m)
                                                                 : NULL;
        if (!s || !ccnc_mac_valid(s))
            return ccnc_error_set(err, CCNC_ERR_PARSE, _("'macs' must be an array of MAC "
                                                         "addresses"));
        req->macs[i] = ccnc_xstrdup(s);
        for (char *c = req->macs[i]; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        req->n_macs++;
    }
    return 0;
}

int
ccnc_proto_parse_request(const char *line, size_t len, struct ccnc_proto_request *req,
                         struct ccnc_error *err)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = NULL;
    const char *type_name = NULL, *op_name = NULL;
    int rc = -1, op;

    memset(req, 0, sizeof(*req));
    req->op = CCNC_AGENT_OP_LAST;
    if (len > CCNC_PROTO_MAX_LINE || len > INT_MAX) {
        ccnc_error_set(err, CCNC_ERR_PARSE,
                       dngettext(PACKAGE, "the request is longer than %d byte",
                                 "the request is longer than %d bytes", CCNC_PROTO_MAX_LINE),
                       CCNC_PROTO_MAX_LINE);
        goto cleanup;
    }
    o = json_tokener_parse_ex(tok, line, (int)len);
    if (!o || json_tokener_get_error(tok) != json_tokener_success) {
        enum json_tokener_error e = json_tokener_get_error(tok);
        ccnc_error_set(err, CCNC_ERR_PARSE, _("malformed JSON: %s"),
                       e == json_tokener_continue ? _("unexpected end of line")
                                                  : json_tokener_error_desc(e));
        goto cleanup;
    }
    if ((size_t)json_tokener_get_parse_end(tok) < len) {
        /* only white space may follow the object */
        for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
            if (!isspace((unsigned char)line[i])) {
                ccnc_error_set(err, CCNC_ERR_PARSE, _("trailing bytes after the JSON object"));
                goto cleanup;
            }
    }
    if (!json_object_is_type(o, json_type_object)) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("a request must be a JSON object"));
        goto cleanup;
    }
    req->has_id = ccnc_json_find_int(o, "id", &req->id) == CCNC_JSON_FIELD_OK;
    if (find_str(o, "type", &type_name, err) < 0)
        goto cleanup;
    if (ccnc_agent_msg_type_from_string(type_name) != CCNC_AGENT_MSG_REQUEST) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("only \"type\":\"request\" is accepted"));
        goto cleanup;
    }
    if (!req->has_id) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("the request has no integer 'id'"));
        goto cleanup;
    }
    if (find_str(o, "op", &op_name, err) < 0)
        goto cleanup;
    if (!op_name) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("the request has no 'op'"));
        goto cleanup;
    }
    op = ccnc_agent_op_from_string(op_name);
    if (op < 0) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("unknown op '%s'"), op_name);
        goto cleanup;
    }
    req->op = op;
    switch (req->op) {
    case CCNC_AGENT_OP_PING:
        rc = 0;
        break;
    case CCNC_AGENT_OP_VF_SET:
        rc = read_vf_set(o, req, err);
        break;
    case CCNC_AGENT_OP_SRIOV_NUMVFS:
        rc = read_pf(o, req, err);
        if (rc == 0)
            rc = need(want_int(o, "num_vfs", 0, 65535, &req->num_vfs, err), "num_vfs", err) < 0
                     ? -1 : 0;
        break;
    case CCNC_AGENT_OP_PROBE_START:
        rc = read_probe_start(o, req, err);
        break;
    case CCNC_AGENT_OP_PROBE_STOP:
        rc = need(want_int(o, "probe", 1, INT_MAX, &req->probe, err), "probe", err) < 0 ? -1 : 0;
        break;
    case CCNC_AGENT_OP_BANDWIDTH:
        rc = read_bandwidth(o, req, err);
        break;
    case CCNC_AGENT_OP_FDB_WATCH:
        rc = read_fdb_watch(o, req, err);
        break;
    case CCNC_AGENT_OP_LAST:
        break;
    }
cleanup:
    json_object_put(o);
    json_tokener_free(tok);
    return rc;
}

/* --- writing --------------------------------------------------------------- */

static char *
finish(json_object *o)
{
    char *s = ccnc_xstrdup(json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

    json_object_put(o);
    return s;
}

static json_object *
typed(enum ccnc_agent_msg_type type)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "type", json_object_new_string(ccnc_agent_msg_type_to_string(type)));
    return o;
}

char *
ccnc_proto_hello(const char *host, enum ccnc_host_role role)
{
    static const char *const caps[] = { "pci", "links", "bonds", "vfs", "nfs", "probe",
                                         "bandwidth", "fdb" };
    json_object *o = typed(CCNC_AGENT_MSG_HELLO), *a = json_object_new_array();

    json_object_object_add(o, "protocol", json_object_new_int(CCNC_AGENT_PROTO_VERSION));
    json_object_object_add(o, "agent_version", json_object_new_string(PACKAGE_VERSION));
    json_object_object_add(o, "host", json_object_new_string(host ? host : ""));
    json_object_object_add(o, "role", json_object_new_string(ccnc_host_role_to_string(role)));
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(caps); i++)
        json_object_array_add(a, json_object_new_string(caps[i]));
    json_object_object_add(o, "capabilities", a);
    return finish(o);
}

char *
ccnc_proto_inventory(unsigned long long seq, const struct ccnc_host *host)
{
    char *body = ccnc_json_host(host, 0), *line;

    /* body is {"schema_version":1,"host":{...}}: put type and seq first */
    line = ccnc_xasprintf("{\"type\":\"%s\",\"seq\":%llu,%s",
                          ccnc_agent_msg_type_to_string(CCNC_AGENT_MSG_INVENTORY), seq, body + 1);
    free(body);
    return line;
}

static void
put_str(json_object *o, const char *key, const char *v)
{
    json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

char *
ccnc_proto_event(unsigned long long seq, const struct ccnc_event *ev)
{
    json_object *o = typed(CCNC_AGENT_MSG_EVENT);

    json_object_object_add(o, "seq", json_object_new_int64((int64_t)seq));
    put_str(o, "kind", ccnc_event_kind_to_string(ev->kind));
    put_str(o, "object", ev->object);
    put_str(o, "before", ev->before);
    put_str(o, "after", ev->after);
    return finish(o);
}

char *
ccnc_proto_heartbeat(unsigned long long seq, long long time_ms)
{
    json_object *o = typed(CCNC_AGENT_MSG_HEARTBEAT);

    json_object_object_add(o, "seq", json_object_new_int64((int64_t)seq));
    json_object_object_add(o, "time_ms", json_object_new_int64(time_ms));
    return finish(o);
}

char *
ccnc_proto_traffic(long long time_ms, const char *const *names, const long long *rx,
                   const long long *tx, size_t n)
{
    json_object *o = typed(CCNC_AGENT_MSG_TRAFFIC), *links = json_object_new_array();

    json_object_object_add(o, "time_ms", json_object_new_int64(time_ms));
    for (size_t i = 0; i < n; i++) {
        json_object *l = json_object_new_object();
        put_str(l, "name", names[i]);
        json_object_object_add(l, "rx_bytes", json_object_new_int64(rx[i]));
        json_object_object_add(l, "tx_bytes", json_object_new_int64(tx[i]));
        json_object_array_add(links, l);
    }
    json_object_object_add(o, "links", links);
    return finish(o);
}

char *
ccnc_proto_fdb(long long time_ms, const char *event, const char *mac, const char *bridge,
               const char *port)
{
    json_object *o = typed(CCNC_AGENT_MSG_FDB);

    json_object_object_add(o, "time_ms", json_object_new_int64(time_ms));
    put_str(o, "event", event);
    put_str(o, "mac", mac);
    json_object_object_add(o, "bridge", bridge ? json_object_new_string(bridge) : NULL);
    put_str(o, "port", port);
    return finish(o);
}

static json_object *
reply(const struct ccnc_proto_request *req, bool ok)
{
    json_object *o = typed(CCNC_AGENT_MSG_REPLY);

    json_object_object_add(o, "id", req && req->has_id ? json_object_new_int64(req->id) : NULL);
    json_object_object_add(o, "ok", json_object_new_boolean(ok));
    return o;
}

char *
ccnc_proto_reply_ok(const struct ccnc_proto_request *req, int probe)
{
    json_object *o = reply(req, true);

    if (probe >= 0)
        json_object_object_add(o, "probe", json_object_new_int(probe));
    return finish(o);
}

char *
ccnc_proto_reply_error(const struct ccnc_proto_request *req, const char *message)
{
    json_object *o = reply(req, false);

    put_str(o, "error", message ? message : "");
    return finish(o);
}

char *
ccnc_proto_probe(const struct ccnc_probe_sample *s)
{
    json_object *o = typed(CCNC_AGENT_MSG_PROBE);

    json_object_object_add(o, "probe", json_object_new_int(s->probe));
    json_object_object_add(o, "sent", json_object_new_int64(s->sent));
    json_object_object_add(o, "received", json_object_new_int64(s->received));
    json_object_object_add(o, "lost", json_object_new_int64(s->lost));
    json_object_object_add(o, "current_gap_ms", json_object_new_int64(s->current_gap_ms));
    json_object_object_add(o, "longest_gap_ms", json_object_new_int64(s->longest_gap_ms));
    /* the stream's figures once it has moved (a zeroed sample has none) */
    if (s->stream_bytes > 0 && s->stream_stall_ms >= 0 && s->stream_longest_stall_ms >= 0) {
        json_object_object_add(o, "stream_bytes", json_object_new_int64(s->stream_bytes));
        json_object_object_add(o, "stream_stall_ms", json_object_new_int64(s->stream_stall_ms));
        json_object_object_add(o, "stream_longest_stall_ms",
                               json_object_new_int64(s->stream_longest_stall_ms));
    }
    json_object_object_add(o, "done", json_object_new_boolean(s->done));
    if (s->error)
        put_str(o, "error", s->error);
    return finish(o);
}

char *
ccnc_proto_reply_bandwidth(const struct ccnc_proto_request *req,
                           const struct ccnc_bandwidth *r)
{
    json_object *o = reply(req, true), *b = json_object_new_object();

    json_object_object_add(b, "sent_bps", r->sent_bps < 0 ? NULL
                                                          : json_object_new_int64(r->sent_bps));
    json_object_object_add(b, "received_bps",
                           r->received_bps < 0 ? NULL : json_object_new_int64(r->received_bps));
    json_object_object_add(b, "retransmits",
                           r->retransmits < 0 ? NULL : json_object_new_int64(r->retransmits));
    json_object_object_add(b, "seconds", ccnc_json_new_fixed(r->seconds, 3));
    json_object_object_add(o, "bandwidth", b);
    return finish(o);
}

int
ccnc_proto_parse_iperf3(const char *text, size_t len, struct ccnc_bandwidth *out,
                        struct ccnc_error *err)
{
    json_tokener *tok = json_tokener_new();
    json_object *o, *end, *sent, *recv;
    const char *e;
    double n;
    int rc = -1;

    out->sent_bps = out->received_bps = out->retransmits = CCNC_UNKNOWN;
    out->seconds = 0;
    o = len > INT_MAX ? NULL : json_tokener_parse_ex(tok, text, (int)len);
    if (!o || !json_object_is_type(o, json_type_object)) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("iperf3 gave no JSON report"));
        goto cleanup;
    }
    if ((e = ccnc_json_get_str(o, "error"))) {
        /* TRANSLATORS: iperf3's own message follows */
        ccnc_error_set(err, CCNC_ERR_CONNECT, _("iperf3: %s"), e);
        goto cleanup;
    }
    /* a missing member reads as absent, and so does one of another type */
    end = ccnc_json_get_object(o, "end");
    sent = ccnc_json_get_object(end, "sum_sent");
    recv = ccnc_json_get_object(end, "sum_received");
    if (!sent && !recv) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("iperf3's report has no sums"));
        goto cleanup;
    }
    if ((n = ccnc_json_get_double(sent, "bits_per_second", -1)) >= 0)
        out->sent_bps = (long long)n;
    if ((n = ccnc_json_get_double(recv, "bits_per_second", -1)) >= 0)
        out->received_bps = (long long)n;
    if ((n = ccnc_json_get_double(sent, "retransmits", -1)) >= 0)
        out->retransmits = (long long)n;
    out->seconds = ccnc_json_get_double(recv ? recv : sent, "seconds", -1);
    if (out->seconds < 0)
        out->seconds = 0;
    rc = 0;
cleanup:
    json_object_put(o);
    json_tokener_free(tok);
    return rc;
}
