/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent protocol's names (include/ccnc/agent-proto.h), kept in one place
 * so that the agent and the console cannot spell them differently. */
#include "config.h"

#include <ccnc/agent-proto.h>
#include <ccnc/util.h>

static const char *const op_names[CCNC_AGENT_OP_LAST] = {
    "ping", "vf-set", "sriov-numvfs", "probe-start", "probe-stop", "bandwidth", "fdb-watch",
};

static const char *const msg_type_names[CCNC_AGENT_MSG_LAST] = {
    "hello", "inventory", "event", "heartbeat", "reply", "probe", "traffic", "request", "fdb",
};

const char *
ccnc_agent_op_to_string(enum ccnc_agent_op op)
{
    return ccnc_enum_to_string(op_names, CCNC_AGENT_OP_LAST, (int)op, "?");
}

int
ccnc_agent_op_from_string(const char *s)
{
    return ccnc_enum_from_string(op_names, CCNC_AGENT_OP_LAST, s);
}

const char *
ccnc_agent_msg_type_to_string(enum ccnc_agent_msg_type type)
{
    return ccnc_enum_to_string(msg_type_names, CCNC_AGENT_MSG_LAST, (int)type, "?");
}

int
ccnc_agent_msg_type_from_string(const char *s)
{
    return ccnc_enum_from_string(msg_type_names, CCNC_AGENT_MSG_LAST, s);
}
