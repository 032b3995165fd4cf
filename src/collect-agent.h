/* The agent collector: on a ready SSH session, find ccnc-agent of this
 * console's version on the host (uploading it over SFTP when missing), run
 * it with --serve on an exec channel, and turn its JSON lines into host
 * parts.  Only the loop's thread may call these. */
#ifndef CCNC_COLLECT_AGENT_H
#define CCNC_COLLECT_AGENT_H

#include <stdbool.h>

#include <ccnc/error.h>
#include <ccnc/loop.h>
#include <ccnc/model.h>

#include "transport-ssh.h"

#define CCNC_AGENT_PROTOCOL 1

struct ccnc_agent;

struct ccnc_agent_callbacks {
    /* A new inventory; the callee takes the reference. */
    void (*inventory)(void *data, struct ccnc_host *host);
    /* State, version or error changed. */
    void (*changed)(void *data);
};

/* An agent link for host name/role over ssh (borrowed: it must outlive the
 * link).  The probe for the agent must finish within step_timeout_ms.
 * Starts only with ccnc_agent_start(). */
struct ccnc_agent *ccnc_agent_new(struct ccnc_loop *loop, struct ccnc_ssh *ssh,
                                  const char *name, enum ccnc_host_role role,
                                  int step_timeout_ms,
                                  const struct ccnc_agent_callbacks *cb, void *data);
void ccnc_agent_free(struct ccnc_agent *agent);
/* The session became ready: probe, deploy if needed, run. */
void ccnc_agent_start(struct ccnc_agent *agent);
/* The session went away (its channels are already closed). */
void ccnc_agent_stop(struct ccnc_agent *agent);

bool ccnc_agent_running(const struct ccnc_agent *agent);  /* an inventory came */
bool ccnc_agent_settled(const struct ccnc_agent *agent);  /* running or failed */
bool ccnc_agent_uploaded(const struct ccnc_agent *agent);
const char *ccnc_agent_version(const struct ccnc_agent *agent);  /* from hello */
const struct ccnc_error *ccnc_agent_error(const struct ccnc_agent *agent);

/* The local ccnc-agent to upload: $CCNC_AGENT_BINARY, else the one next to
 * this program, else BINDIR's.  Caller frees. */
char *ccnc_agent_local_path(void);

/* --- the protocol, without I/O (tested on its own) ------------------------ */

enum ccnc_agent_msg_type {
    CCNC_AGENT_MSG_HELLO,
    CCNC_AGENT_MSG_INVENTORY,
    CCNC_AGENT_MSG_EVENT,
    CCNC_AGENT_MSG_HEARTBEAT,
    CCNC_AGENT_MSG_REPLY,
    CCNC_AGENT_MSG_OTHER,   /* a type this console does not know: ignored */
    CCNC_AGENT_MSG_LAST
};

struct ccnc_agent_msg {
    enum ccnc_agent_msg_type type;
    int protocol;              /* hello */
    char *agent_version;       /* hello */
    char *host;                /* hello */
    char *role;                /* hello */
    long long seq;             /* inventory, event, heartbeat; -1 when absent */
    long long id;              /* reply; -1 when absent */
    bool ok;                   /* reply */
    char *error;               /* reply */
    struct ccnc_host *inventory;   /* inventory (a reference) */
};

/* Parse one line from the agent.  -1 and err filled when it is not a
 * message; the caller clears msg either way. */
int ccnc_agent_parse_line(const char *line, struct ccnc_agent_msg *msg,
                          struct ccnc_error *err);
void ccnc_agent_msg_clear(struct ccnc_agent_msg *msg);
/* A request line with its '\n': {"type":"request","id":ID,"op":OP}. */
char *ccnc_agent_request_line(long long id, const char *op);
/* The architecture a local program is built for, as `uname -m` names it
 * ("x86_64"), NULL for a script (any), "unknown" when unreadable.  Caller
 * frees. */
char *ccnc_agent_binary_arch(const char *path);
/* Whether a program for arch `want` (from above) runs on `uname -m` have. */
bool ccnc_agent_arch_matches(const char *want, const char *have);

#endif
