/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's line protocol (docs/agent-protocol.md): JSON objects, one per
 * line, both ways.  Writers return a NUL-terminated line without the '\n';
 * the caller frees it.  No I/O here, so the reader can be fuzzed. */
#ifndef CCNC_AGENT_PROTO_H
#define CCNC_AGENT_PROTO_H

#include <stddef.h>

#include <ccnc/agent-proto.h>
#include <ccnc/error.h>
#include <ccnc/model.h>

/* Longer request lines are refused (and skipped up to the next '\n'). */
#define CCNC_PROTO_MAX_LINE 65536

/* Which vf-set fields a request carries. */
enum {
    CCNC_VF_SET_MAC = 1 << 0,
    CCNC_VF_SET_VLAN = 1 << 1,
    CCNC_VF_SET_QOS = 1 << 2,
    CCNC_VF_SET_MAX_TX_RATE = 1 << 3,
    CCNC_VF_SET_MIN_TX_RATE = 1 << 4,
    CCNC_VF_SET_SPOOFCHK = 1 << 5,
    CCNC_VF_SET_TRUST = 1 << 6,
    CCNC_VF_SET_LINK_STATE = 1 << 7,
};

enum ccnc_probe_proto { CCNC_PROBE_UDP, CCNC_PROBE_ICMP, CCNC_PROBE_PROTO_LAST };

struct ccnc_proto_request {
    bool has_id;          /* false: the id was missing or unreadable */
    long long id;
    enum ccnc_agent_op op;   /* CCNC_AGENT_OP_LAST until it is read */
    /* vf-set, sriov-numvfs */
    char *pf;
    int vf;
    unsigned set;         /* CCNC_VF_SET_* */
    char *mac;
    int vlan, qos, max_tx_rate, min_tx_rate;
    bool spoofchk, trust;
    char *link_state;     /* "auto", "enable", "disable" */
    int num_vfs;
    /* probe-start, probe-stop */
    char *target;
    enum ccnc_probe_proto proto;
    int port;             /* udp: default 7 (echo) */
    int rate_hz;
    int max_duration_s;
    int probe;
    /* bandwidth (iperf3 to target:port; port default 5201) */
    int seconds;
    bool reverse;         /* the target sends */
    /* fdb-watch: the MACs to follow (lower case), none: stop */
    char **macs;
    size_t n_macs;
};

/* fdb-watch follows at most this many MACs */
#define CCNC_PROTO_MAX_FDB_MACS 256


/* One probe report. */
struct ccnc_probe_sample {
    int probe;
    long long sent, received, lost;
    long long current_gap_ms, longest_gap_ms;
    /* the stream from this host to the target (ccnc/stall.h): bytes moved,
     * the stall going on and the longest; -1 until it has moved once */
    long long stream_bytes, stream_stall_ms, stream_longest_stall_ms;
    bool done;
    const char *error;    /* why it stopped early, may be NULL */
};

/* Parse one request line (len bytes, need not be NUL-terminated).  On
 * failure fill err and return -1; req->has_id and req->id then say which
 * request the error reply belongs to.  Clear req afterwards either way. */
int ccnc_proto_parse_request(const char *line, size_t len, struct ccnc_proto_request *req,
                             struct ccnc_error *err);
void ccnc_proto_request_clear(struct ccnc_proto_request *req);

char *ccnc_proto_hello(const char *host, enum ccnc_host_role role);
/* host as ccnc_json_host() writes it, with type and seq in front. */
char *ccnc_proto_inventory(unsigned long long seq, const struct ccnc_host *host);
char *ccnc_proto_event(unsigned long long seq, const struct ccnc_event *ev);
char *ccnc_proto_heartbeat(unsigned long long seq, long long time_ms);
/* A storage host's byte counters, every second: {"type":"traffic",
 * "time_ms":T,"links":[{"name":N,"rx_bytes":R,"tx_bytes":T}...]}. */
char *ccnc_proto_traffic(long long time_ms, const char *const *names, const long long *rx,
                         const long long *tx, size_t n);
/* probe >= 0 adds "probe" (probe-start's reply). */
char *ccnc_proto_reply_ok(const struct ccnc_proto_request *req, int probe);
char *ccnc_proto_reply_error(const struct ccnc_proto_request *req, const char *message);
char *ccnc_proto_probe(const struct ccnc_probe_sample *s);
/* A bridge's forwarding entry for a watched MAC: event "learned" (new, or
 * moved to port) or "gone"; bridge NULL when the kernel named none. */
char *ccnc_proto_fdb(long long time_ms, const char *event, const char *mac, const char *bridge,
                     const char *port);
/* bandwidth's reply: ok with "bandwidth": {sent_bps, received_bps,
 * retransmits, seconds}. */
char *ccnc_proto_reply_bandwidth(const struct ccnc_proto_request *req,
                                 const struct ccnc_bandwidth *r);
/* Read `iperf3 --json` output: the end's sums, or iperf3's own "error"
 * as err.  -1 and err when it is not such output. */
int ccnc_proto_parse_iperf3(const char *text, size_t len, struct ccnc_bandwidth *out,
                            struct ccnc_error *err);
/* A host name or IP address safe to hand to a program as an argument:
 * letters, digits, '.', ':', '-' and '_', not starting with '-'. */
bool ccnc_proto_target_valid(const char *s);

#endif
