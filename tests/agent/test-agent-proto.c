/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent protocol's reader and writers (docs/agent-protocol.md). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/json.h>

#include "agent/proto.h"
#include "check-ccnc.h"

static const struct {
    const char *line;
    int ok;              /* 1: parses */
    int has_id;
    long long id;
    int op;
} requests[] = {
    { "{\"type\":\"request\",\"id\":11,\"op\":\"ping\"}", 1, 1, 11, CCNC_AGENT_OP_PING },
    { "  {\"op\":\"ping\",\"id\":0,\"type\":\"request\",\"extra\":[1,2]}  ", 1, 1, 0,
      CCNC_AGENT_OP_PING },
    { "{\"type\":\"request\",\"id\":7,\"op\":\"vf-set\",\"pf\":\"eth1\",\"vf\":0,"
      "\"mac\":\"52:54:00:77:01:01\",\"vlan\":201,\"qos\":0,\"max_tx_rate\":1000,"
      "\"min_tx_rate\":0,\"spoofchk\":true,\"trust\":false,\"link_state\":\"auto\"}",
      1, 1, 7, CCNC_AGENT_OP_VF_SET },
    { "{\"type\":\"request\",\"id\":8,\"op\":\"sriov-numvfs\",\"pf\":\"eth1\",\"num_vfs\":4}",
      1, 1, 8, CCNC_AGENT_OP_SRIOV_NUMVFS },
    { "{\"type\":\"request\",\"id\":9,\"op\":\"probe-start\",\"target\":\"10.77.0.101\","
      "\"proto\":\"udp\",\"rate_hz\":100,\"max_duration_s\":600}", 1, 1, 9,
      CCNC_AGENT_OP_PROBE_START },
    { "{\"type\":\"request\",\"id\":10,\"op\":\"probe-stop\",\"probe\":1}", 1, 1, 10,
      CCNC_AGENT_OP_PROBE_STOP },
    { "{\"type\":\"request\",\"id\":12,\"op\":\"bandwidth\",\"target\":\"10.77.0.101\","
      "\"seconds\":5,\"reverse\":true}", 1, 1, 12, CCNC_AGENT_OP_BANDWIDTH },
    { "{\"type\":\"request\",\"id\":13,\"op\":\"bandwidth\",\"target\":\"vm1.lab\"}", 1, 1, 13,
      CCNC_AGENT_OP_BANDWIDTH },
    /* errors */
    { "", 0, 0, 0, -1 },
    { "not json", 0, 0, 0, -1 },
    { "{\"type\":\"request\",\"id\":5,\"op\":\"ping\"", 0, 0, 0, -1 },
    { "[1,2,3]", 0, 0, 0, -1 },
    { "{\"type\":\"request\",\"id\":5,\"op\":\"ping\"} trailing", 0, 0, 0, -1 },
    { "{\"type\":\"request\",\"op\":\"ping\"}", 0, 0, 0, -1 },
    { "{\"type\":\"request\",\"id\":\"7\",\"op\":\"ping\"}", 0, 0, 0, -1 },
    { "{\"type\":\"hello\",\"id\":3,\"op\":\"ping\"}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"reboot\"}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"pf\":\"eth1\",\"vf\":0}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"vf\":0,\"vlan\":1}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"pf\":\"../x\",\"vf\":0,\"vlan\":1}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"pf\":\"eth1\",\"vf\":-1,\"vlan\":1}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"pf\":\"eth1\",\"vf\":0,\"vlan\":4096}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"pf\":\"eth1\",\"vf\":0,\"qos\":1}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"pf\":\"eth1\",\"vf\":0,\"mac\":\"52:54\"}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"pf\":\"eth1\",\"vf\":0,\"trust\":1}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"vf-set\",\"pf\":\"eth1\",\"vf\":0,"
      "\"link_state\":\"up\"}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"sriov-numvfs\",\"pf\":\"eth1\"}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"probe-start\",\"target\":\"x\",\"rate_hz\":0}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"probe-start\",\"target\":\"x\",\"rate_hz\":1001}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"probe-start\",\"target\":\"x\",\"proto\":\"tcp\"}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"probe-stop\"}", 0, 1, 3, -1 },
    /* a target is one argument of a program: never an option, never words */
    { "{\"type\":\"request\",\"id\":3,\"op\":\"bandwidth\",\"target\":\"--daemon\"}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"bandwidth\",\"target\":\"a b\"}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"bandwidth\",\"target\":\"$(id)\"}", 0, 1, 3,
      -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"bandwidth\"}", 0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"bandwidth\",\"target\":\"x\",\"seconds\":61}",
      0, 1, 3, -1 },
    { "{\"type\":\"request\",\"id\":3,\"op\":\"bandwidth\",\"target\":\"x\",\"reverse\":1}",
      0, 1, 3, -1 },
};

START_TEST(test_parse_request)
{
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };
    const char *line = requests[_i].line;
    int rc = ccnc_proto_parse_request(line, strlen(line), &req, &err);

    if (requests[_i].ok) {
        ck_assert_msg(rc == 0, "%s: %s", line, err.message);
        ck_assert_int_eq(req.op, requests[_i].op);
    } else {
        ck_assert_msg(rc == -1, "accepted: %s", line);
        ck_assert_ptr_nonnull(err.message);
    }
    ck_assert_int_eq(req.has_id, requests[_i].has_id);
    if (req.has_id)
        ck_assert_int_eq(req.id, requests[_i].id);
    ccnc_proto_request_clear(&req);
    ccnc_error_clear(&err);
}
END_TEST

START_TEST(test_parse_fields)
{
    const char *line = requests[2].line;
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };

    ck_assert_int_eq(ccnc_proto_parse_request(line, strlen(line), &req, &err), 0);
    ck_assert_str_eq(req.pf, "eth1");
    ck_assert_int_eq(req.vf, 0);
    ck_assert_uint_eq(req.set, 0xff);
    ck_assert_str_eq(req.mac, "52:54:00:77:01:01");
    ck_assert_int_eq(req.vlan, 201);
    ck_assert_int_eq(req.max_tx_rate, 1000);
    ck_assert(req.spoofchk && !req.trust);
    ck_assert_str_eq(req.link_state, "auto");
    ccnc_proto_request_clear(&req);

    line = "{\"type\":\"request\",\"id\":1,\"op\":\"probe-start\",\"target\":\"127.0.0.1\"}";
    ck_assert_int_eq(ccnc_proto_parse_request(line, strlen(line), &req, &err), 0);
    ck_assert_int_eq(req.proto, CCNC_PROBE_ICMP);
    ck_assert_int_eq(req.rate_hz, 100);
    ck_assert_int_eq(req.max_duration_s, 600);
    ck_assert_int_eq(req.port, 7);
    ccnc_proto_request_clear(&req);
}
END_TEST

/* Fields the agent acts on are checked whole: a NUL inside a string would
 * cut it short (the agent would act on "eth" for "eth\u0000x"), a multicast
 * MAC is no address for a VF, and an interface name is what the kernel
 * takes.  Each line is refused, and the error names the reason. */
#define REQ(fields) "{\"type\":\"request\",\"id\":3," fields "}"
#define VF_SET(fields) REQ("\"op\":\"vf-set\",\"vf\":0," fields)
static const struct {
    const char *line;
    const char *error;   /* a part of the error message */
} refused[] = {
    /* NUL inside a string */
    { VF_SET("\"pf\":\"eth\\u0000x\",\"vlan\":1"), "'pf' must not contain a NUL byte" },
    { REQ("\"op\":\"sriov-numvfs\",\"pf\":\"eth1\\u0000\",\"num_vfs\":2"),
      "'pf' must not contain a NUL byte" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"52:54:00:77:01:01\\u0000ff\""),
      "'mac' must not contain a NUL byte" },
    { VF_SET("\"pf\":\"eth1\",\"link_state\":\"auto\\u0000\""),
      "'link_state' must not contain a NUL byte" },
    { REQ("\"op\":\"probe-start\",\"target\":\"10.77.0.101\\u0000x\""),
      "'target' must not contain a NUL byte" },
    { REQ("\"op\":\"bandwidth\",\"target\":\"vm1\\u0000--daemon\""),
      "'target' must not contain a NUL byte" },
    { REQ("\"op\":\"probe-start\",\"target\":\"10.77.0.101\",\"proto\":\"udp\\u0000\""),
      "'proto' must not contain a NUL byte" },
    { REQ("\"op\":\"ping\\u0000x\""), "'op' must not contain a NUL byte" },
    { "{\"type\":\"request\\u0000x\",\"id\":3,\"op\":\"ping\"}",
      "'type' must not contain a NUL byte" },
    /* multicast (and broadcast) MACs: the lowest bit of the first octet */
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"01:00:5e:00:00:01\""), "is a multicast address" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"33:33:00:00:00:01\""), "is a multicast address" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"ff:ff:ff:ff:ff:ff\""), "is a multicast address" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"53:54:00:77:01:01\""), "is a multicast address" },
    /* MAC formats */
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"52:54:00:77:01\""), "is not a MAC address" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"52:54:00:77:01:01:02\""), "is not a MAC address" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"52-54-00-77-01-01\""), "is not a MAC address" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"5:54:00:77:01:01\""), "is not a MAC address" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\"52:54:00:77:01:0g\""), "is not a MAC address" },
    { VF_SET("\"pf\":\"eth1\",\"mac\":\" 52:54:00:77:01:01\""), "is not a MAC address" },
    /* interface names: 1-15 printable bytes, no '/', ':' or space, not . or .. */
    { VF_SET("\"pf\":\"eth1/../lo\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\".\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\"..\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\"eth 1\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\"eth1\\t\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\"eth1:0\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\"eth1\\u0001\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\"eth1\\u007f\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\"eth\\u00e9\",\"vlan\":1"), "is not a network interface name" },
    { VF_SET("\"pf\":\"enp1s0f0np0vf123\",\"vlan\":1"), "is not a network interface name" },
    { REQ("\"op\":\"sriov-numvfs\",\"pf\":\"a\\nb\",\"num_vfs\":2"),
      "is not a network interface name" },
    { VF_SET("\"pf\":\"\",\"vlan\":1"), "'pf' must be a non-empty string" },
    /* fdb-watch: an array of MAC addresses */
    { REQ("\"op\":\"fdb-watch\""), "the request has no 'macs'" },
    { REQ("\"op\":\"fdb-watch\",\"macs\":\"52:54:00:77:01:01\""), "must be an array" },
    { REQ("\"op\":\"fdb-watch\",\"macs\":[\"52:54:00:77:01\"]"), "must be an array" },
    { REQ("\"op\":\"fdb-watch\",\"macs\":[\"52:54:00:77:01:01\",7]"), "must be an array" },
};

START_TEST(test_parse_refused)
{
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };
    const char *line = refused[_i].line;

    ck_assert_msg(ccnc_proto_parse_request(line, strlen(line), &req, &err) == -1, "accepted: %s",
                  line);
    ck_assert_msg(err.message && strstr(err.message, refused[_i].error), "%s: %s", line,
                  err.message);
    ck_assert_int_eq(req.has_id, 1);
    ck_assert_int_eq(req.id, 3);
    ccnc_proto_request_clear(&req);
    ccnc_error_clear(&err);
}
END_TEST

/* What the checks let through: names and addresses at their limits. */
static const char *const accepted[] = {
    VF_SET("\"pf\":\"enp1s0f0np0vf12\",\"vlan\":1"),   /* 15 bytes */
    VF_SET("\"pf\":\"e\",\"vlan\":1"),
    VF_SET("\"pf\":\"br-lab.201\",\"vlan\":1"),
    VF_SET("\"pf\":\"eth1\",\"mac\":\"52:54:00:77:01:01\""),
    VF_SET("\"pf\":\"eth1\",\"mac\":\"FE:54:00:77:01:0A\""),
    /* all zeros: the driver picks (or clears) the VF's MAC */
    VF_SET("\"pf\":\"eth1\",\"mac\":\"00:00:00:00:00:00\""),
    REQ("\"op\":\"sriov-numvfs\",\"pf\":\"ens1f0\",\"num_vfs\":0"),
    REQ("\"op\":\"fdb-watch\",\"macs\":[]"),   /* stop following */
};

/* fdb-watch's MACs, in lower case */
START_TEST(test_parse_fdb_watch)
{
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };
    const char *line = REQ("\"op\":\"fdb-watch\",\"macs\":[\"52:54:00:77:01:01\","
                           "\"52:54:00:AB:01:02\"]");

    ck_assert_int_eq(ccnc_proto_parse_request(line, strlen(line), &req, &err), 0);
    ck_assert_int_eq(req.op, CCNC_AGENT_OP_FDB_WATCH);
    ck_assert_uint_eq(req.n_macs, 2);
    ck_assert_str_eq(req.macs[0], "52:54:00:77:01:01");
    ck_assert_str_eq(req.macs[1], "52:54:00:ab:01:02");
    ccnc_proto_request_clear(&req);
}
END_TEST

START_TEST(test_parse_accepted)
{
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };
    const char *line = accepted[_i];

    ck_assert_msg(ccnc_proto_parse_request(line, strlen(line), &req, &err) == 0, "%s: %s", line,
                  err.message);
    ccnc_proto_request_clear(&req);
}
END_TEST
#undef VF_SET
#undef REQ

/* The parser takes a length: bytes after it are never read. */
START_TEST(test_parse_length)
{
    const char *line = "{\"type\":\"request\",\"id\":1,\"op\":\"ping\"}GARBAGE";
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };

    ck_assert_int_eq(ccnc_proto_parse_request(line, strlen(line) - 7, &req, &err), 0);
    ccnc_proto_request_clear(&req);
    ck_assert_int_eq(ccnc_proto_parse_request(line, CCNC_PROTO_MAX_LINE + 1, &req, &err), -1);
    ck_assert_int_eq(req.has_id, 0);
    ccnc_proto_request_clear(&req);
    ccnc_error_clear(&err);
}
END_TEST

static json_object *
parsed(char *line)
{
    json_object *o = json_tokener_parse(line);

    ck_assert_msg(o != NULL, "not JSON: %s", line);
    ck_assert_ptr_null(strchr(line, '\n'));
    free(line);
    return o;
}

static const char *
str(json_object *o, const char *key)
{
    json_object *v;

    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
    return json_object_get_string(v);
}

START_TEST(test_writers)
{
    struct ccnc_host *h = ccnc_host_new("sys1", NULL, NULL, CCNC_HOST_ROLE_STORAGE), *back;
    struct ccnc_link *l = ccnc_host_add_link(h);
    struct ccnc_proto_request req = { .has_id = true, .id = 42 };
    char host[] = "sys1", object[] = "bond0", before[] = "eth0", after[] = "eth1";
    struct ccnc_event ev = { CCNC_EV_BOND_FAILOVER, host, object, before, after };
    struct ccnc_probe_sample sample = { .probe = 3, .sent = 10, .received = 9, .lost = 1,
                                        .current_gap_ms = 0, .longest_gap_ms = 25,
                                        .done = true };
    struct ccnc_error err = { 0 };
    json_object *o, *v;
    char *line;

    l->name = ccnc_xstrdup("eth0");
    l->mtu = 9000;

    o = parsed(ccnc_proto_hello("sys1", CCNC_HOST_ROLE_STORAGE));
    ck_assert_str_eq(str(o, "type"), "hello");
    ck_assert_str_eq(str(o, "role"), "storage");
    ck_assert_str_eq(str(o, "agent_version"), PACKAGE_VERSION);
    ck_assert(json_object_object_get_ex(o, "protocol", &v) && json_object_get_int(v) == 1);
    json_object_put(o);

    line = ccnc_proto_inventory(5, h);
    ck_assert(strncmp(line, "{\"type\":\"inventory\",\"seq\":5,\"schema_version\":1,\"host\":{", 55)
              == 0);
    back = ccnc_json_parse_host(line, &err);
    ck_assert_msg(back != NULL, "%s", err.message);
    ck_assert_str_eq(back->name, "sys1");
    ck_assert_uint_eq(back->n_links, 1);
    ck_assert_int_eq(back->links[0].mtu, 9000);
    ccnc_host_unref(back);
    json_object_put(parsed(line));

    o = parsed(ccnc_proto_event(5, &ev));
    ck_assert_str_eq(str(o, "kind"), "bond-failover");
    ck_assert_str_eq(str(o, "object"), "bond0");
    ck_assert_str_eq(str(o, "before"), "eth0");
    ck_assert_str_eq(str(o, "after"), "eth1");
    json_object_put(o);

    o = parsed(ccnc_proto_heartbeat(5, 1234));
    ck_assert_str_eq(str(o, "type"), "heartbeat");
    json_object_put(o);

    o = parsed(ccnc_proto_reply_ok(&req, 2));
    ck_assert(json_object_object_get_ex(o, "id", &v) && json_object_get_int64(v) == 42);
    ck_assert(json_object_object_get_ex(o, "probe", &v) && json_object_get_int(v) == 2);
    json_object_put(o);

    o = parsed(ccnc_proto_reply_error(NULL, "no \"quotes\"\nhere"));
    ck_assert(json_object_object_get_ex(o, "id", &v) && v == NULL);
    ck_assert_str_eq(str(o, "error"), "no \"quotes\"\nhere");
    json_object_put(o);

    o = parsed(ccnc_proto_probe(&sample));
    ck_assert(json_object_object_get_ex(o, "done", &v) && json_object_get_boolean(v));
    ck_assert(json_object_object_get_ex(o, "longest_gap_ms", &v) && json_object_get_int(v) == 25);
    ck_assert(!json_object_object_get_ex(o, "stream_stall_ms", &v));   /* no stream */
    json_object_put(o);

    o = parsed(ccnc_proto_fdb(1795664106392LL, "learned", "52:54:00:77:01:01", "br-pt", "vnet3"));
    ck_assert_str_eq(str(o, "type"), "fdb");
    ck_assert_str_eq(str(o, "event"), "learned");
    ck_assert_str_eq(str(o, "mac"), "52:54:00:77:01:01");
    ck_assert_str_eq(str(o, "bridge"), "br-pt");
    ck_assert_str_eq(str(o, "port"), "vnet3");
    ck_assert(json_object_object_get_ex(o, "time_ms", &v) &&
              json_object_get_int64(v) == 1795664106392LL);
    json_object_put(o);
    o = parsed(ccnc_proto_fdb(1, "gone", "52:54:00:77:01:01", NULL, "vnet3"));
    ck_assert(json_object_object_get_ex(o, "bridge", &v) && v == NULL);
    json_object_put(o);
    ccnc_host_unref(h);
}
END_TEST

/* iperf3's own reports, recorded from a real run: the sums, or its error. */
START_TEST(test_iperf3_report)
{
    char *path = ccnc_test_data("iperf3/client-loopback-1s.json");
    size_t len;
    char *text = ccnc_test_read(path, &len), *line;
    struct ccnc_bandwidth r;
    struct ccnc_error err = { 0 };
    struct ccnc_proto_request req = { .has_id = true, .id = 12 };

    ck_assert_msg(ccnc_proto_parse_iperf3(text, len, &r, &err) == 0, "%s", err.message);
    ck_assert_int_eq(r.sent_bps, 2154972205LL);
    ck_assert(r.received_bps > 0 && r.received_bps <= r.sent_bps);
    ck_assert_int_eq(r.retransmits, 3);
    ck_assert(r.seconds > 0.99 && r.seconds < 1.1);
    line = ccnc_proto_reply_bandwidth(&req, &r);
    ck_assert_msg(strstr(line, "\"id\":12") && strstr(line, "\"ok\":true") &&
                      strstr(line, "\"sent_bps\":2154972205") &&
                      strstr(line, "\"retransmits\":3"), "%s", line);
    free(line);
    free(text);
    free(path);

    path = ccnc_test_data("iperf3/client-refused.json");
    text = ccnc_test_read(path, &len);
    ck_assert_int_eq(ccnc_proto_parse_iperf3(text, len, &r, &err), -1);
    ck_assert_str_eq(err.message, "iperf3: unable to connect to server: Connection refused");
    free(text);
    free(path);
    ck_assert_int_eq(ccnc_proto_parse_iperf3("", 0, &r, &err), -1);
    ck_assert_int_eq(ccnc_proto_parse_iperf3("{\"start\":{}}", 12, &r, &err), -1);
    ck_assert_msg(strstr(err.message, "no sums"), "%s", err.message);
    ccnc_error_clear(&err);
}
END_TEST

/* The wire names of both ends, in the enums' order: a table out of step
 * with its enum would send one op under another's name. */
static const char *const op_wire[] = {
    "ping", "vf-set", "sriov-numvfs", "probe-start", "probe-stop", "bandwidth", "fdb-watch",
};
static const char *const type_wire[] = {
    "hello", "inventory", "event", "heartbeat", "reply", "probe", "traffic", "request", "fdb",
};

START_TEST(test_names)
{
    ck_assert_int_eq(CCNC_ARRAY_SIZE(op_wire), CCNC_AGENT_OP_LAST);
    ck_assert_int_eq(CCNC_ARRAY_SIZE(type_wire), CCNC_AGENT_MSG_LAST);
    for (int i = 0; i < CCNC_AGENT_OP_LAST; i++) {
        ck_assert_str_eq(ccnc_agent_op_to_string((enum ccnc_agent_op)i), op_wire[i]);
        ck_assert_int_eq(ccnc_agent_op_from_string(op_wire[i]), i);
    }
    for (int i = 0; i < CCNC_AGENT_MSG_LAST; i++) {
        ck_assert_str_eq(ccnc_agent_msg_type_to_string((enum ccnc_agent_msg_type)i), type_wire[i]);
        ck_assert_int_eq(ccnc_agent_msg_type_from_string(type_wire[i]), i);
    }
    ck_assert_str_eq(ccnc_agent_op_to_string(CCNC_AGENT_OP_LAST), "?");
    ck_assert_str_eq(ccnc_agent_msg_type_to_string(CCNC_AGENT_MSG_LAST), "?");
    ck_assert_int_eq(ccnc_agent_op_from_string("Ping"), -1);
    ck_assert_int_eq(ccnc_agent_op_from_string(NULL), -1);
    ck_assert_int_eq(ccnc_agent_msg_type_from_string("frobnicate"), -1);
    ck_assert_int_eq(ccnc_agent_msg_type_from_string(NULL), -1);
}
END_TEST

Suite *
ccnc_agent_proto_suite(void)
{
    Suite *s = suite_create("agent-proto");
    TCase *tc = tcase_create("proto");

    tcase_add_loop_test(tc, test_parse_request, 0, (int)CCNC_ARRAY_SIZE(requests));
    tcase_add_loop_test(tc, test_parse_refused, 0, (int)CCNC_ARRAY_SIZE(refused));
    tcase_add_loop_test(tc, test_parse_accepted, 0, (int)CCNC_ARRAY_SIZE(accepted));
    tcase_add_test(tc, test_parse_fdb_watch);
    tcase_add_test(tc, test_parse_fields);
    tcase_add_test(tc, test_parse_length);
    tcase_add_test(tc, test_writers);
    tcase_add_test(tc, test_iperf3_report);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}
