/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The console's side of the agent protocol, without any I/O: messages
 * parsed from lines, requests written, architectures matched. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "agent/proto.h"
#include "check-ccnc.h"
#include "engine/collect-agent.h"

START_TEST(test_proto_hello)
{
    struct ccnc_agent_msg m;
    struct ccnc_error err = { 0 };

    ck_assert_int_eq(ccnc_agent_parse_line(
                         "{\"type\":\"hello\",\"protocol\":1,\"agent_version\":\"0.1.0\","
                         "\"host\":\"sys1\",\"role\":\"hypervisor\",\"capabilities\":[\"pci\"]}",
                         &m, &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_HELLO);
    ck_assert_int_eq(m.protocol, 1);
    ck_assert_str_eq(m.agent_version, "0.1.0");
    ck_assert_str_eq(m.host, "sys1");
    ck_assert_str_eq(m.role, "hypervisor");
    ck_assert(!m.can_fdb);
    ccnc_agent_msg_clear(&m);
    /* an agent that follows forwarding entries says so */
    ck_assert_int_eq(ccnc_agent_parse_line(
                         "{\"type\":\"hello\",\"protocol\":1,\"agent_version\":\"0.1.0\","
                         "\"host\":\"sys1\",\"role\":\"hypervisor\",\"capabilities\":[\"pci\","
                         "\"fdb\"]}",
                         &m, &err), 0);
    ck_assert(m.can_fdb);
    ccnc_agent_msg_clear(&m);
}
END_TEST

/* The agent's fdb lines, as ccnc-agent writes them, and the watch request
 * as it reads it. */
START_TEST(test_proto_fdb)
{
    struct ccnc_agent_msg m;
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };
    char *macs[] = { (char *)"52:54:00:77:01:01", (char *)"52:54:00:77:01:02" };
    char *line = ccnc_proto_fdb(1795664106392LL, "learned", "52:54:00:77:01:01", "br-pt",
                                "vnet11");

    ck_assert_int_eq(ccnc_agent_parse_line(line, &m, &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_FDB);
    ck_assert_int_eq(m.time_ms, 1795664106392LL);
    ck_assert_str_eq(m.event, "learned");
    ck_assert_str_eq(m.mac, "52:54:00:77:01:01");
    ck_assert_str_eq(m.bridge, "br-pt");
    ck_assert_str_eq(m.port, "vnet11");
    ccnc_agent_msg_clear(&m);
    free(line);
    line = ccnc_proto_fdb(1, "gone", "52:54:00:77:01:01", NULL, "vnet11");
    ck_assert_int_eq(ccnc_agent_parse_line(line, &m, &err), 0);
    ck_assert_ptr_null(m.bridge);
    ccnc_agent_msg_clear(&m);
    free(line);
    /* an event this console does not know is refused */
    ck_assert_int_eq(ccnc_agent_parse_line("{\"type\":\"fdb\",\"time_ms\":1,\"event\":"
                                           "\"moved\",\"mac\":\"52:54:00:77:01:01\","
                                           "\"port\":\"p\"}", &m, &err), -1);
    ccnc_agent_msg_clear(&m);
    ccnc_error_clear(&err);

    line = ccnc_agent_fdb_watch_line(5, macs, 2);
    ck_assert_int_eq(ccnc_proto_parse_request(line, strlen(line), &req, &err), 0);
    ck_assert_int_eq(req.op, CCNC_AGENT_OP_FDB_WATCH);
    ck_assert_uint_eq(req.n_macs, 2);
    ck_assert_str_eq(req.macs[1], "52:54:00:77:01:02");
    ccnc_proto_request_clear(&req);
    free(line);
}
END_TEST

START_TEST(test_proto_inventory)
{
    struct ccnc_agent_msg m;
    struct ccnc_error err = { 0 };
    const char *line =
        "{\"type\":\"inventory\",\"seq\":7,\"schema_version\":1,\"host\":{\"name\":\"sys2\","
        "\"role\":\"hypervisor\",\"agent_version\":\"0.1.0\",\"links\":[{\"name\":\"eth0\","
        "\"mtu\":1500,\"vfs\":[]}],\"nics\":[],\"bonds\":[],\"exports\":[],\"vms\":[]}}";

    ck_assert_int_eq(ccnc_agent_parse_line(line, &m, &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_INVENTORY);
    ck_assert_int_eq(m.seq, 7);
    ck_assert_ptr_nonnull(m.inventory);
    ck_assert_str_eq(m.inventory->name, "sys2");
    ck_assert_uint_eq(m.inventory->n_links, 1);
    ck_assert_str_eq(m.inventory->links[0].name, "eth0");
    ccnc_agent_msg_clear(&m);
}
END_TEST

START_TEST(test_proto_reply_heartbeat_other)
{
    struct ccnc_agent_msg m;
    struct ccnc_error err = { 0 };

    ck_assert_int_eq(ccnc_agent_parse_line("{\"type\":\"reply\",\"id\":3,\"ok\":true}", &m,
                                           &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_REPLY);
    ck_assert_int_eq(m.id, 3);
    ck_assert(m.ok);
    ccnc_agent_msg_clear(&m);
    ck_assert_int_eq(ccnc_agent_parse_line("{\"type\":\"reply\",\"id\":4,\"ok\":false,"
                                           "\"error\":\"no such VF\"}", &m, &err), 0);
    ck_assert(!m.ok);
    ck_assert_str_eq(m.error, "no such VF");
    ccnc_agent_msg_clear(&m);
    ck_assert_int_eq(ccnc_agent_parse_line("{\"type\":\"heartbeat\",\"seq\":9,\"time_ms\":1}",
                                           &m, &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_HEARTBEAT);
    ck_assert_int_eq(m.seq, 9);
    ccnc_agent_msg_clear(&m);
    ck_assert_int_eq(ccnc_agent_parse_line("{\"type\":\"traffic\",\"time_ms\":5000,\"links\":"
                                           "[{\"name\":\"eth0\",\"rx_bytes\":10,\"tx_bytes\":"
                                           "2500000}]}", &m, &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_TRAFFIC);
    ck_assert_int_eq(m.traffic.time_ms, 5000);
    ck_assert_uint_eq(m.traffic.n, 1);
    ck_assert_str_eq(m.traffic.names[0], "eth0");
    ck_assert_int_eq(m.traffic.tx[0], 2500000);
    ccnc_agent_msg_clear(&m);
    ck_assert_int_eq(ccnc_agent_parse_line("{\"type\":\"reply\",\"id\":5,\"ok\":true,"
                                           "\"bandwidth\":{\"sent_bps\":941203340,"
                                           "\"received_bps\":938117452,\"retransmits\":3,"
                                           "\"seconds\":5.0}}", &m, &err), 0);
    ck_assert(m.has_bandwidth);
    ck_assert_int_eq(m.bandwidth.received_bps, 938117452);
    ck_assert_int_eq(m.bandwidth.retransmits, 3);
    ck_assert(m.bandwidth.seconds > 4.9);
    ccnc_agent_msg_clear(&m);
    ck_assert_int_eq(ccnc_agent_parse_line("{\"type\":\"frobnicate\"}", &m, &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_LAST);
    ccnc_agent_msg_clear(&m);
}
END_TEST

static const char *const bad_lines[] = {
    "",
    "not json",
    "[1,2]",
    "{\"seq\":1}",
    "{\"type\":\"hello\"}",
    "{\"type\":\"inventory\",\"schema_version\":2,\"host\":{\"name\":\"x\"}}",
    "{\"type\":\"inventory\",\"schema_version\":1}",
    "{\"type\":\"inventory\",\"schema_version\":1,\"host\":{\"label\":\"x\"}}",
    "{\"type\":\"traffic\",\"links\":[]}",
    "{\"type\":\"traffic\",\"time_ms\":1,\"links\":[{\"name\":\"eth0\",\"rx_bytes\":-1,"
    "\"tx_bytes\":0}]}",
};

START_TEST(test_proto_bad)
{
    struct ccnc_agent_msg m;
    struct ccnc_error err = { 0 };

    ck_assert_int_eq(ccnc_agent_parse_line(bad_lines[_i], &m, &err), -1);
    ck_assert_ptr_nonnull(err.message);
    ck_assert_int_eq(err.code, CCNC_ERR_PARSE);
    ccnc_agent_msg_clear(&m);
    ccnc_error_clear(&err);
}
END_TEST

START_TEST(test_proto_request)
{
    char *line = ccnc_agent_request_line(12, CCNC_AGENT_OP_PING);

    ck_assert_str_eq(line, "{\"type\":\"request\",\"id\":12,\"op\":\"ping\"}\n");
    free(line);
}
END_TEST

/* The console's probe requests are what the agent reads, and the agent's
 * samples and replies are what the console reads. */
START_TEST(test_proto_probe_roundtrip)
{
    struct ccnc_proto_request req;
    struct ccnc_probe_sample sample = { .probe = 3, .sent = 529, .received = 515, .lost = 14,
                                        .current_gap_ms = 8, .longest_gap_ms = 166,
                                        .stream_bytes = -1, .stream_stall_ms = -1,
                                        .stream_longest_stall_ms = -1 };
    struct ccnc_agent_msg m;
    struct ccnc_error err = { 0 };
    char *line = ccnc_agent_probe_start_line(21, "10.77.0.101", 100, 330);

    ck_assert_int_eq(ccnc_proto_parse_request(line, strlen(line), &req, &err), 0);
    ck_assert_int_eq(req.op, CCNC_AGENT_OP_PROBE_START);
    ck_assert_int_eq(req.id, 21);
    ck_assert_str_eq(req.target, "10.77.0.101");
    ck_assert_int_eq(req.proto, CCNC_PROBE_ICMP);
    ck_assert_int_eq(req.rate_hz, 100);
    ck_assert_int_eq(req.max_duration_s, 330);
    free(line);
    line = ccnc_proto_reply_ok(&req, 3);
    ccnc_proto_request_clear(&req);
    ck_assert_int_eq(ccnc_agent_parse_line(line, &m, &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_REPLY);
    ck_assert_int_eq(m.id, 21);
    ck_assert(m.ok);
    ck_assert_int_eq(m.probe, 3);
    ccnc_agent_msg_clear(&m);
    free(line);

    line = ccnc_proto_probe(&sample);
    ck_assert_int_eq(ccnc_agent_parse_line(line, &m, &err), 0);
    ck_assert_int_eq(m.type, CCNC_AGENT_MSG_PROBE);
    ck_assert_int_eq(m.probe, 3);
    ck_assert(m.figures.measured);
    ck_assert(!m.figures.done);
    ck_assert_int_eq(m.figures.sent, 529);
    ck_assert_int_eq(m.figures.received, 515);
    ck_assert_int_eq(m.figures.lost, 14);
    ck_assert_int_eq(m.figures.current_gap_ms, 8);
    ck_assert_int_eq(m.figures.longest_gap_ms, 166);
    ck_assert(!m.figures.stream);   /* no stream seen: no stream figures */
    ck_assert_ptr_null(m.error);
    ccnc_agent_msg_clear(&m);
    free(line);

    /* once the stream has moved, its stall goes with the sample */
    sample.stream_bytes = 8 << 20;
    sample.stream_stall_ms = 40;
    sample.stream_longest_stall_ms = 420;
    line = ccnc_proto_probe(&sample);
    ck_assert_int_eq(ccnc_agent_parse_line(line, &m, &err), 0);
    ck_assert(m.figures.stream);
    ck_assert_int_eq(m.figures.stream_stall_ms, 40);
    ck_assert_int_eq(m.figures.stream_longest_stall_ms, 420);
    ccnc_agent_msg_clear(&m);
    free(line);

    sample.done = true;
    sample.error = "the target is unreachable";
    line = ccnc_proto_probe(&sample);
    ck_assert_int_eq(ccnc_agent_parse_line(line, &m, &err), 0);
    ck_assert(m.figures.done);
    ck_assert_str_eq(m.error, "the target is unreachable");
    ccnc_agent_msg_clear(&m);
    free(line);

    line = ccnc_agent_probe_stop_line(22, 3);
    ck_assert_int_eq(ccnc_proto_parse_request(line, strlen(line), &req, &err), 0);
    ck_assert_int_eq(req.op, CCNC_AGENT_OP_PROBE_STOP);
    ck_assert_int_eq(req.probe, 3);
    ccnc_proto_request_clear(&req);
    free(line);

    /* a sample without its numbers is refused, not taken as zeros */
    ck_assert_int_eq(ccnc_agent_parse_line("{\"type\":\"probe\",\"probe\":3}", &m, &err), -1);
    ck_assert_int_eq(err.code, CCNC_ERR_PARSE);
    ccnc_agent_msg_clear(&m);
    ccnc_error_clear(&err);
}
END_TEST

START_TEST(test_proto_arch)
{
    char *self = ccnc_agent_binary_arch("/bin/sh");
    char *script = ccnc_test_data("../engine/ssh-fake-agent.sh");
    char *s = ccnc_agent_binary_arch(script);
    char *missing = ccnc_agent_binary_arch("/nonexistent/ccnc-agent");

    ck_assert_ptr_nonnull(self);
#if defined(__x86_64__)
    ck_assert_str_eq(self, "x86_64");
    ck_assert(ccnc_agent_arch_matches(self, "x86_64"));
    ck_assert(!ccnc_agent_arch_matches(self, "aarch64"));
#endif
    ck_assert_ptr_null(s);                 /* a script runs anywhere */
    ck_assert(ccnc_agent_arch_matches(s, "riscv64"));
    ck_assert_str_eq(missing, "unknown");
    ck_assert(!ccnc_agent_arch_matches(missing, "x86_64"));
    ck_assert(ccnc_agent_arch_matches("i686", "i586"));
    ck_assert(ccnc_agent_arch_matches("arm", "armv7l"));
    ck_assert(!ccnc_agent_arch_matches("x86_64", NULL));
    free(self);
    free(script);
    free(s);
    free(missing);
}
END_TEST

/* The probe's lines, and when the cached agent may run: only the local
 * agent's bytes, in folders of the user's own that nobody else may change. */
#define SHA_A "2f8b5bcd1c7cb1b3b1f14aa1c2a9d7b1f1a7c0d8e9f00112233445566778899a"
#define SHA_B "0000000000000000000000000000000000000000000000000000000000000000"

static const struct {
    const char *lines[8];
    bool trusted;
} cache_cases[] = {
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 700", "bin file 1000 700",
        "sha256 " SHA_A }, true },
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 700", "bin file 1000 755",
        "sha256 " SHA_A }, true },
    /* another content */
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 700", "bin file 1000 700",
        "sha256 " SHA_B }, false },
    /* no hash (no sha256sum there), or not a hash */
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 700", "bin file 1000 700" }, false },
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 700", "bin file 1000 700",
        "sha256 " SHA_A "  -" }, false },
    /* folders: open to others, another owner, a link, not there */
    { { "uid 1000", "top dir 1000 755", "dir dir 1000 700", "bin file 1000 700",
        "sha256 " SHA_A }, false },
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 777", "bin file 1000 700",
        "sha256 " SHA_A }, false },
    { { "uid 1000", "top dir 0 700", "dir dir 1000 700", "bin file 1000 700",
        "sha256 " SHA_A }, false },
    { { "uid 1000", "top link", "dir dir 1000 700", "bin file 1000 700", "sha256 " SHA_A },
      false },
    { { "uid 1000", "top none", "dir none", "bin none" }, false },
    /* the file: another owner, writable by others, a link */
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 700", "bin file 4242 700",
        "sha256 " SHA_A }, false },
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 700", "bin file 1000 722",
        "sha256 " SHA_A }, false },
    { { "uid 1000", "top dir 1000 700", "dir dir 1000 700", "bin link", "sha256 " SHA_A },
      false },
    /* who the user is, unknown */
    { { "top dir 1000 700", "dir dir 1000 700", "bin file 1000 700", "sha256 " SHA_A }, false },
    { { "uid x", "top dir 1000 700", "dir dir 1000 700", "bin file 1000 700",
        "sha256 " SHA_A }, false },
};

START_TEST(test_proto_cache_trusted)
{
    struct ccnc_agent_probe p;

    ccnc_agent_probe_init(&p);
    ccnc_agent_probe_line(&p, "arch x86_64");
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(cache_cases[_i].lines) && cache_cases[_i].lines[i]; i++)
        ccnc_agent_probe_line(&p, cache_cases[_i].lines[i]);
    ck_assert_str_eq(p.arch, "x86_64");
    ck_assert_int_eq(ccnc_agent_cache_trusted(&p, SHA_A), cache_cases[_i].trusted);
    /* without the local agent's hash nothing is */
    ck_assert(!ccnc_agent_cache_trusted(&p, NULL));
    ck_assert(!ccnc_agent_cache_trusted(&p, ""));
    ccnc_agent_probe_clear(&p);
    ck_assert_ptr_null(p.arch);
}
END_TEST

START_TEST(test_proto_probe_paths)
{
    struct ccnc_agent_probe p;

    ccnc_agent_probe_init(&p);
    ck_assert_int_eq(p.uid, -1);
    ck_assert_int_eq(p.top.kind, CCNC_AGENT_PATH_UNKNOWN);
    ccnc_agent_probe_line(&p, "uid 0");
    ccnc_agent_probe_line(&p, "top dir 0 2755");
    ccnc_agent_probe_line(&p, "dir other");
    ccnc_agent_probe_line(&p, "bin file 12 nonsense");
    ccnc_agent_probe_line(&p, "path ccnc-agent 0.1.0");
    ck_assert_int_eq(p.uid, 0);
    ck_assert_int_eq(p.top.kind, CCNC_AGENT_PATH_DIR);
    ck_assert_int_eq(p.top.uid, 0);
    ck_assert_int_eq(p.top.mode, 02755);
    ck_assert_int_eq(p.dir.kind, CCNC_AGENT_PATH_OTHER);
    ck_assert_int_eq(p.bin.kind, CCNC_AGENT_PATH_UNKNOWN);
    ck_assert_str_eq(p.path_version, "ccnc-agent 0.1.0");
    ccnc_agent_probe_clear(&p);
}
END_TEST

Suite *
ccnc_ssh_proto_suite(void)
{
    Suite *s = suite_create("ssh-proto");
    TCase *tc = tcase_create("agent-protocol");

    tcase_add_test(tc, test_proto_hello);
    tcase_add_test(tc, test_proto_fdb);
    tcase_add_test(tc, test_proto_inventory);
    tcase_add_test(tc, test_proto_reply_heartbeat_other);
    tcase_add_loop_test(tc, test_proto_bad, 0, (int)CCNC_ARRAY_SIZE(bad_lines));
    tcase_add_test(tc, test_proto_request);
    tcase_add_test(tc, test_proto_probe_roundtrip);
    tcase_add_test(tc, test_proto_arch);
    tcase_add_loop_test(tc, test_proto_cache_trusted, 0, (int)CCNC_ARRAY_SIZE(cache_cases));
    tcase_add_test(tc, test_proto_probe_paths);
    suite_add_tcase(s, tc);
    return s;
}
