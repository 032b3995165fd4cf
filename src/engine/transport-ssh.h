/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One libssh session per lab host, driven by ccnc's loop without ever
 * blocking it: connect, host key check, authentication, keepalive and
 * reconnection are state machines resumed on socket readiness and timers.
 * Exec channels and SFTP uploads ride on a ready session.  Only the loop's
 * thread may call these. */
#ifndef CCNC_TRANSPORT_SSH_H
#define CCNC_TRANSPORT_SSH_H

#include <stdbool.h>
#include <stddef.h>

#include <ccnc/error.h>
#include <ccnc/loop.h>
#include <ccnc/model.h>

struct ccnc_ssh;
struct ccnc_ssh_exec;

/* Where a host's key stands. */
enum ccnc_ssh_hostkey {
    CCNC_SSH_HOSTKEY_NOT_SEEN,  /* no handshake yet */
    CCNC_SSH_HOSTKEY_OK,        /* known_hosts has this key */
    CCNC_SSH_HOSTKEY_ACCEPTED,  /* was unknown, now trusted and written */
    CCNC_SSH_HOSTKEY_UNKNOWN,   /* not in known_hosts: the operator decides */
    CCNC_SSH_HOSTKEY_CHANGED,   /* known_hosts has another key: refused */
    CCNC_SSH_HOSTKEY_OTHER,     /* known_hosts has a key of another type: refused */
    CCNC_SSH_HOSTKEY_LAST
};

struct ccnc_ssh_config {
    const char *name;          /* the lab's host name, for messages */
    const char *address;
    int port;
    const char *user;          /* NULL: ~/.ssh/config or the local user */
    const char *identity;      /* NULL: ssh-agent and default keys only */
    const char *known_hosts;   /* NULL: ~/.ssh/known_hosts */
    int keepalive_s;           /* no answer for this long: unreachable */
    int step_timeout_ms;       /* bound on each step (connect, auth, exec) */
    bool accept_new;           /* trust and record unknown host keys */
    bool reconnect;            /* retry with backoff (1, 2, 4 ... 30 s) */
};

/* Called whenever the connection state, the error or the host key status
 * changes.  When the session becomes ready the owner opens its channels;
 * when it is lost every channel has already been closed. */
typedef void (*ccnc_ssh_changed_cb)(struct ccnc_ssh *ssh, void *data);

/* A session for cfg (strings copied); nothing happens before
 * ccnc_ssh_start(). */
struct ccnc_ssh *ccnc_ssh_new(struct ccnc_loop *loop, const struct ccnc_ssh_config *cfg,
                              ccnc_ssh_changed_cb cb, void *data);
/* Close everything without calling back. */
void ccnc_ssh_free(struct ccnc_ssh *ssh);
void ccnc_ssh_start(struct ccnc_ssh *ssh);

/* The state as the model names it, and why (NULL when all is well). */
enum ccnc_conn_state ccnc_ssh_conn_state(const struct ccnc_ssh *ssh);
const struct ccnc_error *ccnc_ssh_error(const struct ccnc_ssh *ssh);
bool ccnc_ssh_is_ready(const struct ccnc_ssh *ssh);
/* Whether the first attempt has come to an end (ready or failed). */
bool ccnc_ssh_settled(const struct ccnc_ssh *ssh);
bool ccnc_ssh_reached(const struct ccnc_ssh *ssh);         /* handshake done */
bool ccnc_ssh_authenticated(const struct ccnc_ssh *ssh);
enum ccnc_ssh_hostkey ccnc_ssh_hostkey_status(const struct ccnc_ssh *ssh);
const char *ccnc_ssh_hostkey_string(enum ccnc_ssh_hostkey k);
/* "SHA256:..." of the key the server offered; NULL before the handshake. */
const char *ccnc_ssh_fingerprint(const struct ccnc_ssh *ssh);
/* True while the identity's passphrase is waited for (interactive
 * sessions only; batch ones fail with auth-failed instead). */
bool ccnc_ssh_passphrase_pending(const struct ccnc_ssh *ssh);
/* The operator's passphrase for the identity: used at once to decrypt the
 * key, never kept (the caller wipes its copy).  0 when taken (a wrong one
 * asks again, with a message), -1 when nothing was asked. */
int ccnc_ssh_answer_passphrase(struct ccnc_ssh *ssh, const char *passphrase);

/* True while an unknown key waits for ccnc_ssh_answer_hostkey(). */
bool ccnc_ssh_hostkey_pending(const struct ccnc_ssh *ssh);
/* The operator's answer: trust writes the key to known_hosts and goes on;
 * otherwise the session is closed and stays so.  -1 when nothing pends. */
int ccnc_ssh_answer_hostkey(struct ccnc_ssh *ssh, bool trust);
/* The session was seen alive (e.g. an agent heartbeat arrived). */
void ccnc_ssh_touch(struct ccnc_ssh *ssh);
/* Drop the session as unreachable with this reason and reconnect later. */
void ccnc_ssh_fail(struct ccnc_ssh *ssh, const char *reason);

/* --- exec channels -------------------------------------------------------- */

struct ccnc_ssh_exec_callbacks {
    /* One complete line (without '\n') of the command's stdout or stderr. */
    void (*line)(void *data, const char *line, bool is_stderr);
    /* The command ended: exit status (-1 unknown) or err.  The channel is
     * freed right after this returns. */
    void (*closed)(void *data, int exit_status, const struct ccnc_error *err);
};

/* Run cmdline (already quoted: see quote.h) on a ready session.  NULL and
 * err filled when the session is not ready. */
struct ccnc_ssh_exec *ccnc_ssh_exec_start(struct ccnc_ssh *ssh, const char *cmdline,
                                          const struct ccnc_ssh_exec_callbacks *cb,
                                          void *data, struct ccnc_error *err);
/* Queue bytes for the command's stdin. */
void ccnc_ssh_exec_write(struct ccnc_ssh_exec *x, const char *buf, size_t len);
/* Close the channel; no callback follows. */
void ccnc_ssh_exec_close(struct ccnc_ssh_exec *x);

/* --- SFTP upload ------------------------------------------------------------ */

/* Called on the loop's thread when the upload ended (err NULL: success). */
typedef void (*ccnc_ssh_upload_cb)(void *data, const struct ccnc_error *err);

struct ccnc_ssh_upload_spec {
    const char *local_path;
    const char *remote_path;   /* relative to the remote home directory */
    /* A folder on remote_path's way (".cache/ccnc"), or NULL: it and each
     * folder below it must be a real folder (no symbolic link) owned by
     * uid; a wider mode than 0700 is narrowed, anything else is refused. */
    const char *private_dir;
    long long uid;             /* the remote user's, as `id -u` says; -1 unknown */
    int mode;                  /* the file's */
};

/* Copy spec->local_path to spec->remote_path (its missing parent folders
 * made with mode 0700) with spec->mode: written under a new random name
 * created exclusively beside it, then renamed over it in one step
 * (posix-rename@openssh.com where the server has it), never leaving a
 * partial file.  libssh's SFTP only works blocking, so it runs in a worker
 * thread that owns the session meanwhile; every wait is bounded.  Returns
 * -1 and fills err when it cannot start. */
int ccnc_ssh_upload(struct ccnc_ssh *ssh, const struct ccnc_ssh_upload_spec *spec,
                    ccnc_ssh_upload_cb cb, void *data, struct ccnc_error *err);

#endif
