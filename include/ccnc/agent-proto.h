/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's line protocol (docs/agent-protocol.md) as both ends must agree
 * on it: its version, the request ops and the message types, and their
 * names on the wire.  ccnc-agent (src/agent/proto.c) and the console
 * (src/engine/collect-agent.c, src/core/vf.c) take them from here only. */
#ifndef CCNC_AGENT_PROTO_CONTRACT_H
#define CCNC_AGENT_PROTO_CONTRACT_H

/* hello's "protocol"; the console refuses an agent that speaks another. */
#define CCNC_AGENT_PROTO_VERSION 1

/* A request's "op". */
enum ccnc_agent_op {
    CCNC_AGENT_OP_PING,          /* "ping" */
    CCNC_AGENT_OP_VF_SET,        /* "vf-set" */
    CCNC_AGENT_OP_SRIOV_NUMVFS,  /* "sriov-numvfs" */
    CCNC_AGENT_OP_PROBE_START,   /* "probe-start" */
    CCNC_AGENT_OP_PROBE_STOP,    /* "probe-stop" */
    CCNC_AGENT_OP_BANDWIDTH,     /* "bandwidth" */
    CCNC_AGENT_OP_FDB_WATCH,     /* "fdb-watch" */
    CCNC_AGENT_OP_LAST
};

/* A line's "type".  The agent sends all but the request, which only the
 * console sends. */
enum ccnc_agent_msg_type {
    CCNC_AGENT_MSG_HELLO,        /* "hello" */
    CCNC_AGENT_MSG_INVENTORY,    /* "inventory" */
    CCNC_AGENT_MSG_EVENT,        /* "event" */
    CCNC_AGENT_MSG_HEARTBEAT,    /* "heartbeat" */
    CCNC_AGENT_MSG_REPLY,        /* "reply" */
    CCNC_AGENT_MSG_PROBE,        /* "probe" */
    CCNC_AGENT_MSG_TRAFFIC,      /* "traffic" */
    CCNC_AGENT_MSG_REQUEST,      /* "request" */
    CCNC_AGENT_MSG_FDB,          /* "fdb" */
    CCNC_AGENT_MSG_LAST
};

/* The wire name (static), or "?" for a value outside the enum. */
const char *ccnc_agent_op_to_string(enum ccnc_agent_op op);
const char *ccnc_agent_msg_type_to_string(enum ccnc_agent_msg_type type);
/* The enum value of a wire name; -1 for NULL or a name not in the table
 * (a newer peer's, or garbage). */
int ccnc_agent_op_from_string(const char *s);
int ccnc_agent_msg_type_from_string(const char *s);

#endif
