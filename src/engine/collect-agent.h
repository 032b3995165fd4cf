/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent collector: on a ready SSH session, find ccnc-agent of this
 * console's version on the host (uploading it over SFTP when missing), run
 * it with --serve on an exec channel, and turn its JSON lines into host
 * parts.  Only the loop's thread may call these. */
#ifndef CCNC_COLLECT_AGENT_H
#define CCNC_COLLECT_AGENT_H

#include <stdbool.h>

#include <ccnc/action.h>
#include <ccnc/agent-proto.h>
#include <ccnc/error.h>
#include <ccnc/loop.h>
#include <ccnc/model.h>
#include <ccnc/vf.h>

#include "engine/transport-ssh.h"

struct ccnc_agent;

struct ccnc_agent_callbacks {
    /* A new inventory; the callee takes the reference. */
    void (*inventory)(void *data, struct ccnc_host *host);
    /* State, version or error changed. */
    void (*changed)(void *data);
    /* A storage host's links' rates (bits per second over the last
     * second), every second; may be NULL. */
    void (*traffic)(void *data, const char *const *names, const long long *rx_bps,
                    const long long *tx_bps, size_t n);
    /* A bridge of the host learned a watched MAC on port (event "learned")
     * or forgot it ("gone"), at time_ms (the agent's clock); may be NULL. */
    void (*fdb)(void *data, long long time_ms, const char *event, const char *mac,
                const char *bridge, const char *port);
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

/* The connectivity probe, run by this agent: ICMP echo to target at
 * rate_hz for at most max_duration_s.  cb(data, figures) comes with every
 * sample (every 100 ms) and once with figures->done set: the probe ended
 * (stopped, failed, the agent or its session gone — then with error), and
 * the handle is forgotten.  Asked before the agent runs (a console just
 * started), it starts when the agent does.  Returns a handle > 0. */
typedef void (*ccnc_agent_probe_cb)(void *data, const struct ccnc_probe_figures *figures);
int ccnc_agent_probe_start(struct ccnc_agent *agent, const char *target, int rate_hz,
                           int max_duration_s, ccnc_agent_probe_cb cb, void *data,
                           struct ccnc_error *err);
/* Ask the probe to stop; its final sample still comes through cb. */
void ccnc_agent_probe_stop(struct ccnc_agent *agent, int handle);
/* Stop the probe and never call its cb again (its owner goes away). */
void ccnc_agent_probe_cancel(struct ccnc_agent *agent, int handle);

/* Typed requests that change the host: vf-set and sriov-numvfs.  cb(data,
 * ok, error) comes once with the agent's reply (or with ok false when the
 * agent or its session goes away first), always on a later pass of the
 * loop, never inside the call: sending pumps the session, and a session
 * found gone then ends the requests on the next pass.  Returns the
 * request's id (> 0), or -1 and err when the agent is not running. */
typedef void (*ccnc_agent_reply_cb)(void *data, bool ok, const char *error);
long long ccnc_agent_vf_set(struct ccnc_agent *agent, const struct ccnc_vf_change *change,
                            ccnc_agent_reply_cb cb, void *data, struct ccnc_error *err);
long long ccnc_agent_sriov_numvfs(struct ccnc_agent *agent, const char *pf, int num_vfs,
                                  ccnc_agent_reply_cb cb, void *data, struct ccnc_error *err);
/* A bandwidth test: iperf3 from this agent's host to target (an iperf3
 * server there), for seconds; reverse: the target sends.  cb(data,
 * figures, NULL) once with what iperf3 measured, or (data, NULL, error). */
typedef void (*ccnc_agent_bandwidth_cb)(void *data, const struct ccnc_bandwidth *figures,
                                        const char *error);
long long ccnc_agent_bandwidth(struct ccnc_agent *agent, const char *target, int seconds,
                               bool reverse, ccnc_agent_bandwidth_cb cb, void *data,
                               struct ccnc_error *err);
/* Never call that request's cb (its owner goes away). */
void ccnc_agent_forget(struct ccnc_agent *agent, long long id);
/* Follow the host's bridges' forwarding entries of these MACs (copied),
 * from when the agent runs, each time it runs again, where it can
 * (hello's capability "fdb"); n 0 stops. */
void ccnc_agent_fdb_watch(struct ccnc_agent *agent, char *const *macs, size_t n);

/* The local ccnc-agent to upload: $CCNC_AGENT_BINARY, else the one next to
 * this program, else BINDIR's.  Caller frees. */
char *ccnc_agent_local_path(void);

/* --- the protocol, without I/O (tested on its own) ------------------------ */

/* A traffic line: per link, its byte counters at time_ms. */
struct ccnc_agent_traffic {
    long long time_ms;
    size_t n;
    char **names;
    long long *rx, *tx;
};

struct ccnc_agent_msg {
    enum ccnc_agent_msg_type type;   /* _LAST: a type this console does not know, ignored */
    int protocol;              /* hello */
    char *agent_version;       /* hello */
    char *host;                /* hello */
    char *role;                /* hello */
    long long seq;             /* inventory, event, heartbeat; -1 when absent */
    long long id;              /* reply; -1 when absent */
    bool ok;                   /* reply */
    char *error;               /* reply, probe */
    int probe;                 /* reply to probe-start, probe; -1 when absent */
    bool has_bandwidth;        /* reply to bandwidth */
    struct ccnc_bandwidth bandwidth;
    struct ccnc_probe_figures figures;   /* probe (its error is in error) */
    struct ccnc_host *inventory;   /* inventory (a reference) */
    struct ccnc_agent_traffic traffic;   /* traffic */
    bool can_fdb;              /* hello: the agent follows forwarding entries */
    long long time_ms;         /* fdb */
    char *event, *mac, *bridge, *port;   /* fdb */
};

/* Parse one line from the agent.  -1 and err filled when it is not a
 * message; the caller clears msg either way. */
int ccnc_agent_parse_line(const char *line, struct ccnc_agent_msg *msg,
                          struct ccnc_error *err);
void ccnc_agent_msg_clear(struct ccnc_agent_msg *msg);
/* A request line with its '\n': {"type":"request","id":ID,"op":OP}. */
char *ccnc_agent_request_line(long long id, enum ccnc_agent_op op);
/* probe-start and probe-stop request lines, with their '\n'. */
char *ccnc_agent_probe_start_line(long long id, const char *target, int rate_hz,
                                  int max_duration_s);
char *ccnc_agent_probe_stop_line(long long id, int probe);
/* An fdb-watch request line, with its '\n'. */
char *ccnc_agent_fdb_watch_line(long long id, char *const *macs, size_t n);
/* What the probe found at a path of the host (see
 * ccnc_agent_probe_line()). */
enum ccnc_agent_path_kind {
    CCNC_AGENT_PATH_UNKNOWN,   /* not said */
    CCNC_AGENT_PATH_NONE,      /* nothing there */
    CCNC_AGENT_PATH_LINK,      /* a symbolic link */
    CCNC_AGENT_PATH_DIR,
    CCNC_AGENT_PATH_FILE,      /* a regular file */
    CCNC_AGENT_PATH_OTHER,
};

struct ccnc_agent_path {
    enum ccnc_agent_path_kind kind;
    long long uid;             /* folders and files: the owner; else -1 */
    int mode;                  /* folders and files: the permission bits; else -1 */
};

/* What the probe says of the host, a line each:
 *   arch x86_64            `uname -m`
 *   uid 1000               `id -u`
 *   top dir 1000 700       ~/.cache/ccnc: none | link | other | dir|file UID MODE
 *   dir dir 1000 700       ~/.cache/ccnc/agent-VERSION, the same
 *   bin file 1000 700      the agent in it, the same
 *   sha256 HEX             that agent's content, if a regular file (sha256sum)
 *   path ccnc-agent 0.1.0  `ccnc-agent --version` of one in PATH */
struct ccnc_agent_probe {
    char *arch;
    long long uid;             /* -1 unknown */
    struct ccnc_agent_path top, dir, bin;
    char *cache_sha256;
    char *path_version;
};

void ccnc_agent_probe_init(struct ccnc_agent_probe *p);
/* Take one line of the probe's output (others are ignored). */
void ccnc_agent_probe_line(struct ccnc_agent_probe *p, const char *line);
void ccnc_agent_probe_clear(struct ccnc_agent_probe *p);
/* Whether the cached agent may run: both folders real folders of the
 * user's own with mode 0700, the agent a regular file of the user's own
 * that nobody else may write, and its SHA-256 local_sha256 (the local
 * agent's; NULL: unknown, and then it may not). */
bool ccnc_agent_cache_trusted(const struct ccnc_agent_probe *p, const char *local_sha256);

/* The architecture a local program is built for, as `uname -m` names it
 * ("x86_64"), NULL for a script (any), "unknown" when unreadable.  Caller
 * frees. */
char *ccnc_agent_binary_arch(const char *path);
/* Whether a program for arch `want` (from above) runs on `uname -m` have. */
bool ccnc_agent_arch_matches(const char *want, const char *have);

#endif
