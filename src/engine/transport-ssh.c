/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SSH sessions with libssh in non-blocking mode (src/engine/transport-ssh.h).
 * Each session is a small state machine — connect, host key, auth, ready —
 * resumed from the loop when its socket is ready and bounded by a deadline
 * timer per step; a ready session sends keepalives and is declared lost
 * when nothing arrives for keepalive_s, then reconnected with backoff. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/tcp.h>   /* struct tcp_info with tcpi_bytes_received */

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
/* ssh_send_keepalive() is declared here, though clients may use it too */
#include <libssh/server.h>
#include <libssh/sftp.h>

#include <ccnc/log.h>
#include <ccnc/util.h>

#include "core/i18n.h"
#include "core/linebuf.h"
#include "core/quote.h"
#include "engine/transport-ssh.h"

#define BACKOFF_MAX_S 30
/* The longest line a remote command may send.  The agent's longest is its
 * inventory: one of 128 VFs and 200 links is about 91 KB.  1 MiB leaves
 * room for ten times that, and a host that sends an endless line costs
 * the console at most this much memory before its channel is closed. */
#define LINE_MAX_BYTES (1024 * 1024)

enum phase {
    P_IDLE,        /* not started, or waiting for a retry */
    P_CONNECTING,  /* TCP connect and SSH handshake */
    P_QUESTION,    /* unknown host key: waiting for the operator */
    P_PASSPHRASE,  /* the identity's passphrase: waiting for the operator */
    P_AUTH,
    P_READY,
    P_CLOSED,      /* refused or given up; a retry may be pending */
};

enum exec_state { X_OPEN, X_EXEC, X_RUN, X_DONE };

struct ccnc_ssh_exec {
    struct ccnc_ssh *s;
    struct ccnc_ssh_exec *next;
    ssh_channel ch;
    enum exec_state st;
    bool dead;
    char *cmd;
    struct ccnc_ssh_exec_callbacks cb;
    void *data;
    struct ccnc_linebuf out, err;
    char *wbuf;
    size_t n_w;
    long long deadline_ms;
};

struct upload {
    struct ccnc_ssh *s;
    char *local, *remote, *private_dir;
    long long uid;
    int mode;
    ccnc_ssh_upload_cb cb;
    void *data;
    struct ccnc_error err;
    pthread_t thread;
    bool thread_failed;
};

struct ccnc_ssh {
    struct ccnc_loop *loop;
    char *name, *address, *user, *identity, *known_hosts;
    int cfg_port;          /* the lab config's; 0: ~/.ssh/config's, else 22 */
    int port;              /* in effect: the lab config's, ~/.ssh/config's or 22 */
    int keepalive_s, step_timeout_ms;
    bool accept_new, reconnect;
    ccnc_ssh_changed_cb cb;
    void *cb_data;

    ssh_session session;
    ssh_event event;
    struct ssh_callbacks_struct callbacks;
    ssh_key idkey;
    ssh_key unlocked;      /* the identity, decrypted with the operator's passphrase */
    enum phase phase;
    int auth_step;
    bool passphrase_needed;
    bool nodump;           /* holds the process undumpable (see nodump_hold) */

    enum ccnc_conn_state conn;
    struct ccnc_error err;
    enum ccnc_ssh_hostkey hostkey;
    char *fingerprint;
    bool reached, authenticated, settled, pending_question, passphrase_question;

    int fd_watch, deadline_timer, keepalive_timer, retry_timer, fail_timer;
    int backoff_s;
    long long last_rx_ms;
    unsigned long long rx_bytes;   /* TCP payload bytes the kernel received */

    struct ccnc_ssh_exec *execs;
    int pumping;
    bool lose_pending;
    enum ccnc_conn_state lose_conn;
    struct ccnc_error lose_err;
    struct upload *upload;
    bool upload_pending;   /* asked for inside a callback: starts after the pass */
    bool kick;             /* a channel was opened or written to during a pass */
};

static void pump(struct ccnc_ssh *s);
static void begin_connect(struct ccnc_ssh *s);
static void upload_launch(struct ccnc_ssh *s);

/* --- small helpers ----------------------------------------------------------- */

static void
notify(struct ccnc_ssh *s)
{
    if (s->cb)
        s->cb(s, s->cb_data);
}

static char *
ssh_dir(void)
{
    const char *home = getenv("HOME");

    return home && *home ? ccnc_xasprintf("%s/.ssh", home) : NULL;
}

/* While the console asks for a passphrase or holds a key decrypted with
 * one, the process is not dumpable (PR_SET_DUMPABLE 0): no core file can
 * carry the key, and other processes of the same user can neither attach
 * to it nor read its memory through /proc.  Sessions share the setting:
 * the first to need it saves what it was, the last to let go of it
 * restores that.  Only the loop's thread. */
static int nodump_holders;
static int nodump_before = -1;

static void
nodump_hold(struct ccnc_ssh *s)
{
    if (s->nodump)
        return;
    s->nodump = true;
    if (nodump_holders++ == 0) {
        nodump_before = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

static void
nodump_release(struct ccnc_ssh *s)
{
    if (!s->nodump)
        return;
    s->nodump = false;
    /* only 0 and 1 can be set; a process that was not plainly dumpable
     * stays as it is now */
    if (--nodump_holders == 0 && nodump_before == 1)
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/* libssh asks here for a key's passphrase: ccnc never has one to give
 * (the console will ask the operator later); remember that it was asked. */
static int
auth_prompt(const char *prompt, char *buf, size_t len, int echo, int verify, void *userdata)
{
    struct ccnc_ssh *s = userdata;

    (void)prompt; (void)buf; (void)len; (void)echo; (void)verify;
    s->passphrase_needed = true;
    return -1;
}

/* --- session teardown and failure -------------------------------------------- */

static void
exec_free(struct ccnc_ssh_exec *x)
{
    if (x->ch) {
        if (ssh_channel_is_open(x->ch))
            ssh_channel_close(x->ch);
        ssh_channel_free(x->ch);
    }
    free(x->cmd);
    ccnc_linebuf_clear(&x->out);
    ccnc_linebuf_clear(&x->err);
    free(x->wbuf);
    free(x);
}

/* Unlink and free dead channels (never while callbacks are running). */
static void
reap(struct ccnc_ssh *s)
{
    struct ccnc_ssh_exec **pp = &s->execs;

    while (*pp) {
        struct ccnc_ssh_exec *x = *pp;
        if (x->dead) {
            *pp = x->next;
            exec_free(x);
        } else {
            pp = &x->next;
        }
    }
}

static void
close_all_execs(struct ccnc_ssh *s, const struct ccnc_error *why)
{
    for (struct ccnc_ssh_exec *x = s->execs; x; x = x->next) {
        if (x->dead)
            continue;
        x->dead = true;
        if (x->cb.closed)
            x->cb.closed(x->data, -1, why);
    }
    reap(s);
}

static void
teardown_session(struct ccnc_ssh *s)
{
    ccnc_loop_cancel(s->loop, &s->fd_watch);
    ccnc_loop_cancel(s->loop, &s->deadline_timer);
    ccnc_loop_cancel(s->loop, &s->keepalive_timer);
    if (s->event) {
        if (s->session)
            ssh_event_remove_session(s->event, s->session);
        ssh_event_free(s->event);
        s->event = NULL;
    }
    if (s->session) {
        if (ssh_is_connected(s->session))
            ssh_disconnect(s->session);
        ssh_free(s->session);
        s->session = NULL;
    }
    if (s->idkey) {
        ssh_key_free(s->idkey);
        s->idkey = NULL;
    }
    s->pending_question = false;
    s->passphrase_question = false;
}

static void
on_retry(void *data)
{
    struct ccnc_ssh *s = data;

    s->retry_timer = 0;
    begin_connect(s);
}

static void
schedule_retry(struct ccnc_ssh *s, bool at_cap)
{
    int delay;

    s->settled = true;
    if (!s->reconnect)
        return;
    delay = at_cap ? BACKOFF_MAX_S : s->backoff_s;
    s->backoff_s = s->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : s->backoff_s * 2;
    ccnc_loop_cancel(s->loop, &s->retry_timer);
    s->retry_timer = ccnc_loop_add_timer(s->loop, delay * 1000, false, on_retry, s);
}

/* End the session now with state conn and error e, then retry later:
 * soon for a network problem, at the backoff cap for a refusal that needs
 * the operator (a changed key, a rejected login). */
static struct upload *upload_join(struct ccnc_ssh *s);
static void upload_free(struct upload *u);
static void on_upload_done(void *data);

static void
lose_now(struct ccnc_ssh *s, enum ccnc_conn_state conn, const struct ccnc_error *e)
{
    if (s->upload)   /* its owner hears of the loss below */
        upload_free(upload_join(s));
    ccnc_error_copy(&s->err, e);
    s->conn = conn;
    s->phase = P_CLOSED;
    close_all_execs(s, e);
    teardown_session(s);
    schedule_retry(s, conn != CCNC_CONN_UNREACHABLE);
    notify(s);
}

static void
lose(struct ccnc_ssh *s, enum ccnc_conn_state conn, enum ccnc_error_code code,
     const char *fmt, ...) CCNC_PRINTF(4, 5);

static void
lose(struct ccnc_ssh *s, enum ccnc_conn_state conn, enum ccnc_error_code code,
     const char *fmt, ...)
{
    struct ccnc_error e = { 0 };
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    {
        /* libssh's messages may quote the server: keep them printable */
        char *safe = ccnc_quote_printable(msg);
        ccnc_error_set(&e, code, "%s", safe);
        free(safe);
    }
    free(msg);
    if (s->pumping) {
        /* inside callbacks: finish the pass first */
        if (!s->lose_pending) {
            s->lose_pending = true;
            s->lose_conn = conn;
            ccnc_error_copy(&s->lose_err, &e);
        }
    } else {
        lose_now(s, conn, &e);
    }
    ccnc_error_clear(&e);
}

/* --- deadlines and keepalive -------------------------------------------------- */

static void
on_deadline(void *data)
{
    struct ccnc_ssh *s = data;
    int secs = (s->step_timeout_ms + 999) / 1000;

    s->deadline_timer = 0;
    if (s->phase == P_CONNECTING)
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_TIMEOUT,
             _("%s (%s port %d) did not complete the SSH handshake within %d s"),
             s->name, s->address, s->port, secs);
    else if (s->phase == P_AUTH)
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_TIMEOUT,
             _("%s (%s port %d) did not finish authentication within %d s"),
             s->name, s->address, s->port, secs);
}

static void
arm_deadline(struct ccnc_ssh *s)
{
    ccnc_loop_cancel(s->loop, &s->deadline_timer);
    s->deadline_timer = ccnc_loop_add_timer(s->loop, s->step_timeout_ms, false, on_deadline, s);
}

/* Liveness is "bytes arrived lately".  libssh keeps no count of them and
 * consumes a keepalive's answer inside the very call that sent it, so ask
 * the kernel how many bytes the peer has sent; where that is not known (not
 * TCP), look at the socket before each call that may read it. */
static void
note_alive(struct ccnc_ssh *s)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    struct pollfd p;

    if (!s->session || (p.fd = ssh_get_fd(s->session)) == SSH_INVALID_SOCKET)
        return;
    memset(&ti, 0, sizeof(ti));
    if (getsockopt(p.fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
        len >= offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(ti.tcpi_bytes_received)) {
        if (ti.tcpi_bytes_received != s->rx_bytes) {
            s->rx_bytes = ti.tcpi_bytes_received;
            s->last_rx_ms = ccnc_now_mono_ms();
        }
        return;
    }
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
        s->last_rx_ms = ccnc_now_mono_ms();
}

static void
on_keepalive(void *data)
{
    struct ccnc_ssh *s = data;
    long long now;

    if (s->phase != P_READY || s->upload)
        return;
    note_alive(s);
    now = ccnc_now_mono_ms();
    /* a keepalive goes out every other tick (libssh collects the previous
     * answer in between), so silence for four ticks means two unanswered
     * requests; checked every tick, it is seen within keepalive_s */
    if (now - s->last_rx_ms > (long long)s->keepalive_s * 1000 * 4 / 5) {
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_TIMEOUT,
             _("%s (%s port %d) stopped answering: no reply to keepalives within %d s"),
             s->name, s->address, s->port, s->keepalive_s);
        return;
    }
    ssh_send_keepalive(s->session);
    pump(s);
}

/* --- socket watch ------------------------------------------------------------- */

static void
update_events(struct ccnc_ssh *s)
{
    short events = POLLIN;

    if (!s->session || !s->fd_watch)
        return;
    if (ssh_get_poll_flags(s->session) & SSH_WRITE_PENDING)
        events |= POLLOUT;
    ccnc_loop_set_events(s->loop, s->fd_watch, events);
}

static void
on_fd(int fd, short revents, void *data)
{
    struct ccnc_ssh *s = data;

    (void)fd;
    if (revents & POLLIN)
        s->last_rx_ms = ccnc_now_mono_ms();
    pump(s);
}

static void
watch_fd(struct ccnc_ssh *s)
{
    socket_t fd;

    if (s->fd_watch || !s->session)
        return;
    fd = ssh_get_fd(s->session);
    if (fd == SSH_INVALID_SOCKET)
        return;
    s->fd_watch = ccnc_loop_add_fd(s->loop, fd, POLLIN | POLLOUT, on_fd, s);
}

/* --- known_hosts ---------------------------------------------------------------- */

/* The first line of path naming this host (plain entries only; hashed ones
 * cannot be matched without the key).  0 when none. */
static int
known_hosts_line(const char *path, const char *address, int port)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, *want;
    size_t cap = 0;
    int n = 0, found = 0;

    if (!f)
        return 0;
    want = port == 22 ? ccnc_xstrdup(address) : ccnc_xasprintf("[%s]:%d", address, port);
    while (!found && getline(&line, &cap, f) > 0) {
        char *save = NULL, *hosts, *h;
        n++;
        hosts = strtok_r(line, " \t\n", &save);
        if (!hosts || hosts[0] == '#')
            continue;
        if (hosts[0] == '@')   /* @cert-authority, @revoked: the next field */
            hosts = strtok_r(NULL, " \t\n", &save);
        if (!hosts)
            continue;
        for (h = strtok_r(hosts, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
            if (strcmp(h, want) == 0) {
                found = n;
                break;
            }
        }
    }
    free(line);
    free(want);
    fclose(f);
    return found;
}

static char *
known_hosts_path(struct ccnc_ssh *s)
{
    char *p = NULL, *copy;

    if (ssh_options_get(s->session, SSH_OPTIONS_KNOWNHOSTS, &p) != SSH_OK || !p)
        return ccnc_xstrdup(s->known_hosts ? s->known_hosts : "~/.ssh/known_hosts");
    copy = ccnc_xstrdup(p);
    ssh_string_free_char(p);
    return copy;
}

static void start_auth(struct ccnc_ssh *s);

static void
check_hostkey(struct ccnc_ssh *s)
{
    ssh_key key = NULL;
    unsigned char *hash = NULL;
    size_t hlen = 0;
    enum ssh_known_hosts_e known;
    char *fp, *path, *kh_name = NULL;
    int line;

    if (ssh_get_server_publickey(s->session, &key) != SSH_OK) {
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_HOSTKEY,
             _("%s did not present a host key: %s"), s->name, ssh_get_error(s->session));
        return;
    }
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0) {
        fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
        ccnc_str_set(&s->fingerprint, fp);
        ssh_string_free_char(fp);
        ssh_clean_pubkey_hash(&hash);
    }
    ssh_key_free(key);

    known = ssh_session_is_known_server(s->session);
    switch (known) {
    case SSH_KNOWN_HOSTS_OK:
        s->hostkey = CCNC_SSH_HOSTKEY_OK;
        start_auth(s);
        return;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        s->hostkey = known == SSH_KNOWN_HOSTS_CHANGED ? CCNC_SSH_HOSTKEY_CHANGED
                                                      : CCNC_SSH_HOSTKEY_OTHER;
        path = known_hosts_path(s);
        {
            /* the name libssh looked up: ~/.ssh/config may have changed it */
            char *host = NULL;
            unsigned int port = (unsigned int)s->port;
            ssh_options_get(s->session, SSH_OPTIONS_HOST, &host);
            ssh_options_get_port(s->session, &port);
            line = known_hosts_line(path, host ? host : s->address, (int)port);
            kh_name = port == 22 ? ccnc_xstrdup(host ? host : s->address)
                                 : ccnc_xasprintf("'[%s]:%u'", host ? host : s->address, port);
            ssh_string_free_char(host);
        }
        if (line > 0)
            /* TRANSLATORS: a refused, possibly spoofed host; the last %s is a file */
            lose(s, CCNC_CONN_HOSTKEY_CHANGED, CCNC_ERR_HOSTKEY,
                 _("REFUSED: the host key of %s (%s port %d) has CHANGED. It now offers %s, "
                   "but %s line %d records another key for it. Someone may be intercepting "
                   "the connection; nothing was sent. If the change is expected, verify the "
                   "new key on the host and remove that line (ssh-keygen -R %s -f %s)."),
                 s->name, s->address, s->port, s->fingerprint ? s->fingerprint : "?", path,
                 line, kh_name, path);
        else
            lose(s, CCNC_CONN_HOSTKEY_CHANGED, CCNC_ERR_HOSTKEY,
                 _("REFUSED: the host key of %s (%s port %d) has CHANGED. It now offers %s, "
                   "but %s records another key for it. Someone may be intercepting the "
                   "connection; nothing was sent. If the change is expected, verify the new "
                   "key on the host and remove the old entry (ssh-keygen -R %s -f %s)."),
                 s->name, s->address, s->port, s->fingerprint ? s->fingerprint : "?", path,
                 kh_name, path);
        free(kh_name);
        free(path);
        return;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        if (s->accept_new) {
            if (ssh_session_update_known_hosts(s->session) != SSH_OK) {
                path = known_hosts_path(s);
                lose(s, CCNC_CONN_HOSTKEY_UNKNOWN, CCNC_ERR_HOSTKEY,
                     _("cannot record the host key of %s in %s: %s"), s->name, path,
                     ssh_get_error(s->session));
                free(path);
                return;
            }
            s->hostkey = CCNC_SSH_HOSTKEY_ACCEPTED;
            start_auth(s);
            return;
        }
        s->hostkey = CCNC_SSH_HOSTKEY_UNKNOWN;
        s->conn = CCNC_CONN_HOSTKEY_UNKNOWN;
        ccnc_error_set(&s->err, CCNC_ERR_HOSTKEY,
                       _("the host key of %s (%s port %d) is not known: %s. Trust it only if "
                         "it matches the key on the host (ssh-keygen -lf "
                         "/etc/ssh/ssh_host_*_key.pub there)."),
                       s->name, s->address, s->port, s->fingerprint ? s->fingerprint : "?");
        ccnc_loop_cancel(s->loop, &s->deadline_timer);
        s->settled = true;
        if (!s->reconnect) {
            /* batch: nobody to ask */
            s->phase = P_CLOSED;
            teardown_session(s);
        } else {
            /* wait for the operator; nothing more is sent meanwhile */
            s->phase = P_QUESTION;
            s->pending_question = true;
            ccnc_loop_cancel(s->loop, &s->fd_watch);
        }
        notify(s);
        return;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        path = known_hosts_path(s);
        lose(s, CCNC_CONN_HOSTKEY_UNKNOWN, CCNC_ERR_HOSTKEY,
             _("cannot check the host key of %s against %s: %s"), s->name, path,
             ssh_get_error(s->session));
        free(path);
        return;
    }
}

/* --- connect and authenticate ------------------------------------------------------- */

static void
step_connect(struct ccnc_ssh *s)
{
    int rc = ssh_connect(s->session);

    watch_fd(s);
    if (rc == SSH_AGAIN)
        return;
    if (rc != SSH_OK) {
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_CONNECT, _("cannot connect to %s (%s port %d): %s"),
             s->name, s->address, s->port, ssh_get_error(s->session));
        return;
    }
    s->reached = true;
    check_hostkey(s);
}

static void
start_auth(struct ccnc_ssh *s)
{
    s->phase = P_AUTH;
    s->auth_step = 0;
    arm_deadline(s);
    watch_fd(s);
}

static void
ready(struct ccnc_ssh *s)
{
    ccnc_log(CCNC_LOG_CONNECT, _("%s: SSH session ready (host key %s)"), s->name,
             s->fingerprint ? s->fingerprint : "?");
    s->phase = P_READY;
    s->authenticated = true;
    s->settled = true;
    s->conn = CCNC_CONN_CONNECTED;
    s->backoff_s = 1;
    ccnc_error_clear(&s->err);
    s->last_rx_ms = ccnc_now_mono_ms();
    ccnc_loop_cancel(s->loop, &s->deadline_timer);
    s->event = ssh_event_new();
    if (s->event && ssh_event_add_session(s->event, s->session) != SSH_OK) {
        ssh_event_free(s->event);
        s->event = NULL;
    }
    {
        int tick = s->keepalive_s * 1000 / 5;
        s->keepalive_timer = ccnc_loop_add_timer(s->loop, tick < 200 ? 200 : tick, true,
                                                 on_keepalive, s);
    }
    notify(s);
}

static void
auth_refused(struct ccnc_ssh *s)
{
    char *user = NULL;

    ssh_options_get(s->session, SSH_OPTIONS_USER, &user);
    if (s->passphrase_needed)
        lose(s, CCNC_CONN_AUTH_FAILED, CCNC_ERR_AUTH,
             _("%s: the key %s is protected by a passphrase, which ccnc cannot ask for here; "
               "load it into ssh-agent ('ssh-add %s') and connect again"),
             s->name, s->identity ? s->identity : _("(a default key)"),
             s->identity ? s->identity : "");
    else if (s->user)
        lose(s, CCNC_CONN_AUTH_FAILED, CCNC_ERR_AUTH,
             _("%s (%s port %d) refused the login as '%s': no key was accepted (tried "
               "ssh-agent, the default keys%s%s). Check the user in the lab config and that "
               "the public key is in that user's authorized_keys."),
             s->name, s->address, s->port, user ? user : "?",
             s->identity ? _(" and ") : "", s->identity ? s->identity : "");
    else
        lose(s, CCNC_CONN_AUTH_FAILED, CCNC_ERR_AUTH,
             _("%s (%s port %d) refused the login as '%s': no key was accepted (tried "
               "ssh-agent, the default keys%s%s). The lab config sets no user for it, so this "
               "one is ~/.ssh/config's User or the login name: set user in the lab config or "
               "User in ~/.ssh/config, and check that the public key is in that user's "
               "authorized_keys."),
             s->name, s->address, s->port, user ? user : "?",
             s->identity ? _(" and ") : "", s->identity ? s->identity : "");
    ssh_string_free_char(user);
}

/* The identity needs its passphrase: wait for the operator (the console
 * asks), sending nothing meanwhile. */
static void
ask_passphrase(struct ccnc_ssh *s)
{
    /* the operator's passphrase, then the key it opens, will be here */
    nodump_hold(s);
    ccnc_loop_cancel(s->loop, &s->deadline_timer);
    ccnc_loop_cancel(s->loop, &s->fd_watch);
    s->phase = P_PASSPHRASE;
    s->passphrase_question = true;
    s->settled = true;
    s->conn = CCNC_CONN_AUTH_FAILED;
    ccnc_error_set(&s->err, CCNC_ERR_AUTH,
                   _("%s: the key %s is protected by a passphrase; the console asks for it "
                     "(or load it into ssh-agent with 'ssh-add %s')"),
                   s->name, s->identity, s->identity);
    notify(s);
}

static void
step_auth(struct ccnc_ssh *s)
{
    int rc;

    if (s->auth_step == 0) {
        rc = ssh_userauth_publickey_auto(s->session, NULL, NULL);
        if (rc == SSH_AUTH_AGAIN)
            return;
        if (rc == SSH_AUTH_SUCCESS) {
            ready(s);
            return;
        }
        if (rc == SSH_AUTH_ERROR) {
            lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_AUTH,
                 _("the connection to %s broke during authentication: %s"), s->name,
                 ssh_get_error(s->session));
            return;
        }
        if (!s->identity) {
            auth_refused(s);
            return;
        }
        if (!s->unlocked &&
            ssh_pki_import_privkey_file(s->identity, NULL, auth_prompt, s, &s->idkey) != SSH_OK) {
            if (s->passphrase_needed && s->reconnect)
                ask_passphrase(s);
            else if (s->passphrase_needed)
                auth_refused(s);
            else
                lose(s, CCNC_CONN_AUTH_FAILED, CCNC_ERR_AUTH,
                     _("%s: cannot read the identity file %s: %s"), s->name, s->identity,
                     access(s->identity, R_OK) != 0 ? strerror(errno)
                                                   : _("not a private key libssh can read"));
            return;
        }
        s->auth_step = 1;
    }
    rc = ssh_userauth_publickey(s->session, NULL, s->idkey ? s->idkey : s->unlocked);
    if (rc == SSH_AUTH_AGAIN)
        return;
    if (rc == SSH_AUTH_SUCCESS)
        ready(s);
    else if (rc == SSH_AUTH_ERROR)
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_AUTH,
             _("the connection to %s broke during authentication: %s"), s->name,
             ssh_get_error(s->session));
    else
        auth_refused(s);
}

/* -v: where this session goes, as libssh will try it (the user, maybe
 * from ~/.ssh/config), with which key files and known_hosts; paths only. */
static void
log_connect(struct ccnc_ssh *s)
{
    char *user = NULL, *kh;

    if (!ccnc_log_enabled(CCNC_LOG_CONNECT))
        return;
    if (ssh_options_get(s->session, SSH_OPTIONS_USER, &user) != SSH_OK)
        user = NULL;
    kh = known_hosts_path(s);
    ccnc_log(CCNC_LOG_CONNECT,
             _("%s: connecting over SSH to %s@%s port %d; key: %s; known hosts: %s"), s->name,
             user ? user : s->user ? s->user : "?", s->address, s->port,
             s->identity ? s->identity : _("ssh-agent and the default key files"), kh);
    if (user)
        ssh_string_free_char(user);
    free(kh);
}

static void
begin_connect(struct ccnc_ssh *s)
{
    char *dir = ssh_dir();
    int no = 0, yes = 1;

    teardown_session(s);
    s->session = ssh_new();
    if (!s->session) {
        free(dir);
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_INTERNAL, _("libssh cannot make a session"));
        return;
    }
    s->passphrase_needed = false;
    ssh_options_set(s->session, SSH_OPTIONS_HOST, s->address);
    if (dir)
        ssh_options_set(s->session, SSH_OPTIONS_SSH_DIR, dir);
    free(dir);
    /* ~/.ssh/config first; the lab config's settings then win */
    if (ssh_options_parse_config(s->session, NULL) < 0) {
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_CONFIG,
             _("%s: the ssh configuration (~/.ssh/config) cannot be read"), s->name);
        return;
    }
    if (s->cfg_port > 0)
        ssh_options_set(s->session, SSH_OPTIONS_PORT, &s->cfg_port);
    if (s->user)
        ssh_options_set(s->session, SSH_OPTIONS_USER, s->user);
    /* the port in effect, for the messages and the known_hosts lookups */
    {
        unsigned int port = 0;

        if (ssh_options_get_port(s->session, &port) == SSH_OK && port > 0 && port <= 65535)
            s->port = (int)port;
        else
            s->port = s->cfg_port > 0 ? s->cfg_port : 22;
    }
    if (s->known_hosts)
        ssh_options_set(s->session, SSH_OPTIONS_KNOWNHOSTS, s->known_hosts);
    /* keys only: never a password or a keyboard prompt */
    ssh_options_set(s->session, SSH_OPTIONS_PASSWORD_AUTH, &no);
    ssh_options_set(s->session, SSH_OPTIONS_KBDINT_AUTH, &no);
    ssh_options_set(s->session, SSH_OPTIONS_GSSAPI_AUTH, &no);
    ssh_options_set(s->session, SSH_OPTIONS_PUBKEY_AUTH, &yes);
    memset(&s->callbacks, 0, sizeof(s->callbacks));
    s->callbacks.userdata = s;
    s->callbacks.auth_function = auth_prompt;
    ssh_callbacks_init(&s->callbacks);
    ssh_set_callbacks(s->session, &s->callbacks);
    ssh_set_blocking(s->session, 0);

    s->phase = P_CONNECTING;
    s->reached = false;
    s->authenticated = false;
    s->hostkey = CCNC_SSH_HOSTKEY_NOT_SEEN;
    log_connect(s);
    arm_deadline(s);
    pump(s);
}

/* --- exec channels -------------------------------------------------------------- */

static void
exec_finish(struct ccnc_ssh_exec *x, int status, const struct ccnc_error *err)
{
    x->dead = true;
    x->st = X_DONE;
    if (x->cb.closed)
        x->cb.closed(x->data, status, err);
}

static void
exec_fail(struct ccnc_ssh_exec *x, const char *what)
{
    struct ccnc_error e = { 0 };

    ccnc_error_set(&e, CCNC_ERR_CONNECT, _("%s: %s the remote command failed: %s"),
                   x->s->name, what, ssh_get_error(x->s->session));
    exec_finish(x, -1, &e);
    ccnc_error_clear(&e);
}

struct line_to {
    struct ccnc_ssh_exec *x;
    bool is_stderr;
};

static bool
line_to_caller(void *data, char *line, size_t len)
{
    struct line_to *to = data;

    (void)len;
    if (to->x->cb.line)
        to->x->cb.line(to->x->data, line, to->is_stderr);
    return !to->x->dead;
}

static void
lines_feed(struct ccnc_ssh_exec *x, struct ccnc_linebuf *lb, const char *buf, size_t n,
           bool is_stderr)
{
    struct line_to to = { x, is_stderr };

    if (ccnc_linebuf_feed(lb, buf, n, line_to_caller, &to) < 0 && !x->dead) {
        struct ccnc_error e = { 0 };
        ccnc_error_set(&e, CCNC_ERR_PARSE,
                       dngettext(PACKAGE,
                                 "%s: the remote command sent a line of more than %d byte; its "
                                 "channel was closed",
                                 "%s: the remote command sent a line of more than %d bytes; its "
                                 "channel was closed",
                                 LINE_MAX_BYTES),
                       x->s->name, LINE_MAX_BYTES);
        exec_finish(x, -1, &e);
        ccnc_error_clear(&e);
    }
}

static void
step_exec(struct ccnc_ssh_exec *x)
{
    char buf[16384];
    int rc;

    if (x->st == X_OPEN) {
        rc = ssh_channel_open_session(x->ch);
        if (rc == SSH_AGAIN)
            return;
        if (rc != SSH_OK) {
            exec_fail(x, _("opening a channel for"));
            return;
        }
        x->st = X_EXEC;
    }
    if (x->st == X_EXEC) {
        rc = ssh_channel_request_exec(x->ch, x->cmd);
        if (rc == SSH_AGAIN)
            return;
        if (rc != SSH_OK) {
            exec_fail(x, _("starting"));
            return;
        }
        x->st = X_RUN;
        x->deadline_ms = 0;
    }
    if (x->n_w > 0) {
        rc = ssh_channel_write(x->ch, x->wbuf, (uint32_t)x->n_w);
        if (rc == SSH_ERROR) {
            exec_fail(x, _("writing to"));
            return;
        }
        if (rc > 0) {
            memmove(x->wbuf, x->wbuf + rc, x->n_w - (size_t)rc);
            x->n_w -= (size_t)rc;
        }
    }
    for (int is_stderr = 0; is_stderr <= 1 && !x->dead; is_stderr++) {
        for (;;) {
            int n = ssh_channel_read_nonblocking(x->ch, buf, sizeof(buf), is_stderr);
            if (n == SSH_ERROR) {
                exec_fail(x, _("reading from"));
                return;
            }
            if (n <= 0)
                break;
            x->s->last_rx_ms = ccnc_now_mono_ms();
            lines_feed(x, is_stderr ? &x->err : &x->out, buf, (size_t)n, is_stderr);
            if (x->dead)
                return;
        }
    }
    if (ssh_channel_is_eof(x->ch) || ssh_channel_is_closed(x->ch)) {
        int status = ssh_channel_get_exit_status(x->ch);
        if (status == -1 && !ssh_channel_is_closed(x->ch)) {
            if (!x->deadline_ms)
                x->deadline_ms = ccnc_now_mono_ms() + x->s->step_timeout_ms;
            if (ccnc_now_mono_ms() < x->deadline_ms)
                return;   /* the exit status usually follows at once */
        }
        /* a last line without '\n' */
        {
            size_t len;
            char *rest = ccnc_linebuf_rest(&x->out, &len);
            if (rest && x->cb.line)
                x->cb.line(x->data, rest, false);
        }
        if (!x->dead)
            exec_finish(x, status, NULL);
    }
}

static void
step_channels(struct ccnc_ssh *s)
{
    long long now = ccnc_now_mono_ms();

    if (s->event)
        ssh_event_dopoll(s->event, 0);
    for (struct ccnc_ssh_exec *x = s->execs; x; x = x->next) {
        if (x->dead)
            continue;
        if (x->st < X_RUN && x->deadline_ms && now > x->deadline_ms) {
            struct ccnc_error e = { 0 };
            ccnc_error_set(&e, CCNC_ERR_TIMEOUT,
                           _("%s: the remote command did not start within %d s"), s->name,
                           (s->step_timeout_ms + 999) / 1000);
            exec_finish(x, -1, &e);
            ccnc_error_clear(&e);
            continue;
        }
        step_exec(x);
    }
    if (s->session && !s->upload && !ssh_is_connected(s->session))
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_CONNECT, _("the connection to %s was lost: %s"),
             s->name, ssh_get_error(s->session));
}

/* --- the pump ------------------------------------------------------------------------ */

static void
pump(struct ccnc_ssh *s)
{
    if (s->phase == P_READY && !s->upload)
        note_alive(s);
    s->pumping++;
    switch (s->phase) {
    case P_CONNECTING:
        step_connect(s);
        break;
    case P_AUTH:
        step_auth(s);
        break;
    case P_READY:
        step_channels(s);
        break;
    default:
        break;
    }
    s->pumping--;
    if (s->pumping)
        return;
    reap(s);
    if (s->lose_pending) {
        struct ccnc_error e = s->lose_err;
        s->lose_pending = false;
        memset(&s->lose_err, 0, sizeof(s->lose_err));
        lose_now(s, s->lose_conn, &e);
        ccnc_error_clear(&e);
        return;
    }
    if (s->upload_pending) {
        upload_launch(s);
        return;
    }
    if (s->kick && s->phase == P_READY) {
        /* a callback opened or wrote to a channel: do it now rather than
         * at the next socket event or keepalive tick */
        s->kick = false;
        pump(s);
        return;
    }
    s->kick = false;
    update_events(s);
}

/* --- public API ------------------------------------------------------------------------ */

struct ccnc_ssh *
ccnc_ssh_new(struct ccnc_loop *loop, const struct ccnc_ssh_config *cfg, ccnc_ssh_changed_cb cb,
             void *data)
{
    struct ccnc_ssh *s = ccnc_xcalloc(1, sizeof(*s));

    s->loop = loop;
    s->name = ccnc_xstrdup(cfg->name);
    s->address = ccnc_xstrdup(cfg->address);
    s->user = ccnc_xstrdup(cfg->user);
    s->identity = ccnc_xstrdup(cfg->identity);
    s->known_hosts = ccnc_xstrdup(cfg->known_hosts);
    s->cfg_port = cfg->port > 0 ? cfg->port : 0;
    s->port = s->cfg_port > 0 ? s->cfg_port : 22;   /* until ~/.ssh/config is read */
    s->keepalive_s = cfg->keepalive_s > 0 ? cfg->keepalive_s : 10;
    s->step_timeout_ms = cfg->step_timeout_ms > 0 ? cfg->step_timeout_ms : 10000;
    s->accept_new = cfg->accept_new;
    s->reconnect = cfg->reconnect;
    s->cb = cb;
    s->cb_data = data;
    s->conn = CCNC_CONN_CONNECTING;
    s->backoff_s = 1;
    return s;
}

void
ccnc_ssh_free(struct ccnc_ssh *s)
{
    if (!s)
        return;
    if (s->upload)
        upload_free(upload_join(s));
    for (struct ccnc_ssh_exec *x = s->execs; x; x = x->next)
        x->dead = true;
    reap(s);
    teardown_session(s);
    ccnc_loop_cancel(s->loop, &s->retry_timer);
    ccnc_loop_cancel(s->loop, &s->fail_timer);
    ccnc_error_clear(&s->err);
    ccnc_error_clear(&s->lose_err);
    if (s->unlocked)
        ssh_key_free(s->unlocked);
    nodump_release(s);
    free(s->fingerprint);
    free(s->name);
    free(s->address);
    free(s->user);
    free(s->identity);
    free(s->known_hosts);
    free(s);
}

void
ccnc_ssh_start(struct ccnc_ssh *s)
{
    begin_connect(s);
}

enum ccnc_conn_state
ccnc_ssh_conn_state(const struct ccnc_ssh *s)
{
    return s->conn;
}

const struct ccnc_error *
ccnc_ssh_error(const struct ccnc_ssh *s)
{
    return s->err.code != CCNC_ERR_NONE ? &s->err : NULL;
}

bool ccnc_ssh_is_ready(const struct ccnc_ssh *s) { return s->phase == P_READY; }
bool ccnc_ssh_settled(const struct ccnc_ssh *s) { return s->settled; }
bool ccnc_ssh_reached(const struct ccnc_ssh *s) { return s->reached; }
bool ccnc_ssh_authenticated(const struct ccnc_ssh *s) { return s->authenticated; }
enum ccnc_ssh_hostkey ccnc_ssh_hostkey_status(const struct ccnc_ssh *s) { return s->hostkey; }
const char *ccnc_ssh_fingerprint(const struct ccnc_ssh *s) { return s->fingerprint; }
bool ccnc_ssh_hostkey_pending(const struct ccnc_ssh *s) { return s->pending_question; }
bool ccnc_ssh_passphrase_pending(const struct ccnc_ssh *s) { return s->passphrase_question; }

int
ccnc_ssh_answer_passphrase(struct ccnc_ssh *s, const char *passphrase)
{
    ssh_key key = NULL;

    if (!s->passphrase_question || s->phase != P_PASSPHRASE || !s->identity)
        return -1;
    /* the passphrase is used here and nowhere kept; the caller wipes it.
     * The decrypted key is kept for logging in again: undumpable until
     * the session is freed. */
    nodump_hold(s);
    if (ssh_pki_import_privkey_file(s->identity, passphrase, NULL, NULL, &key) != SSH_OK) {
        ccnc_error_set(&s->err, CCNC_ERR_AUTH,
                       _("%s: that is not the passphrase of %s; try again"), s->name,
                       s->identity);
        notify(s);
        return 0;
    }
    if (s->unlocked)
        ssh_key_free(s->unlocked);
    s->unlocked = key;
    s->passphrase_question = false;
    s->conn = CCNC_CONN_CONNECTING;
    ccnc_error_clear(&s->err);
    if (s->session && ssh_is_connected(s->session)) {
        s->phase = P_AUTH;
        s->auth_step = 1;
        arm_deadline(s);
        watch_fd(s);
        notify(s);
        pump(s);
    } else {
        begin_connect(s); /* the server gave up waiting: log in again */
    }
    return 0;
}

const char *
ccnc_ssh_hostkey_string(enum ccnc_ssh_hostkey k)
{
    static const char *const names[CCNC_SSH_HOSTKEY_LAST] = {
        "not-seen", "ok", "accepted", "unknown", "changed", "other",
    };
    return ccnc_enum_to_string(names, CCNC_SSH_HOSTKEY_LAST, (int)k, "not-seen");
}

int
ccnc_ssh_answer_hostkey(struct ccnc_ssh *s, bool trust)
{
    char *path;

    if (!s->pending_question || s->phase != P_QUESTION)
        return -1;
    s->pending_question = false;
    if (!trust) {
        ccnc_error_set(&s->err, CCNC_ERR_HOSTKEY,
                       _("the host key of %s (%s) was not trusted; ccnc will not connect"),
                       s->name, s->fingerprint ? s->fingerprint : "?");
        s->phase = P_CLOSED;
        teardown_session(s);
        notify(s);
        return 0;
    }
    if (ssh_session_update_known_hosts(s->session) != SSH_OK) {
        path = known_hosts_path(s);
        lose(s, CCNC_CONN_HOSTKEY_UNKNOWN, CCNC_ERR_HOSTKEY,
             _("cannot record the host key of %s in %s: %s"), s->name, path,
             ssh_get_error(s->session));
        free(path);
        return 0;
    }
    s->hostkey = CCNC_SSH_HOSTKEY_ACCEPTED;
    s->conn = CCNC_CONN_CONNECTING;
    ccnc_error_clear(&s->err);
    notify(s);
    if (!ssh_is_connected(s->session)) {
        /* the server gave up waiting: the key is known now, connect again */
        begin_connect(s);
        return 0;
    }
    start_auth(s);
    pump(s);
    return 0;
}

void
ccnc_ssh_touch(struct ccnc_ssh *s)
{
    s->last_rx_ms = ccnc_now_mono_ms();
}

static void
on_fail_timer(void *data)
{
    struct ccnc_ssh *s = data;

    s->fail_timer = 0;
    if (s->lose_pending && !s->pumping) {
        struct ccnc_error e = s->lose_err;
        s->lose_pending = false;
        memset(&s->lose_err, 0, sizeof(s->lose_err));
        lose_now(s, s->lose_conn, &e);
        ccnc_error_clear(&e);
    }
}

void
ccnc_ssh_fail(struct ccnc_ssh *s, const char *reason)
{
    if (s->phase != P_READY || s->lose_pending)
        return;
    /* never from inside the caller's callback: on the next loop pass */
    s->lose_pending = true;
    s->lose_conn = CCNC_CONN_UNREACHABLE;
    ccnc_error_set(&s->lose_err, CCNC_ERR_CONNECT, "%s", reason);
    if (!s->fail_timer)
        s->fail_timer = ccnc_loop_add_timer(s->loop, 0, false, on_fail_timer, s);
}

struct ccnc_ssh_exec *
ccnc_ssh_exec_start(struct ccnc_ssh *s, const char *cmdline,
                    const struct ccnc_ssh_exec_callbacks *cb, void *data,
                    struct ccnc_error *err)
{
    struct ccnc_ssh_exec *x;
    ssh_channel ch;

    if (s->phase != P_READY || s->upload) {
        ccnc_error_set(err, CCNC_ERR_CONNECT, _("%s: the SSH session is not ready"), s->name);
        return NULL;
    }
    ch = ssh_channel_new(s->session);
    if (!ch) {
        ccnc_error_set(err, CCNC_ERR_CONNECT, _("%s: cannot make a channel: %s"), s->name,
                       ssh_get_error(s->session));
        return NULL;
    }
    x = ccnc_xcalloc(1, sizeof(*x));
    x->s = s;
    x->ch = ch;
    x->cmd = ccnc_xstrdup(cmdline);
    x->cb = *cb;
    x->data = data;
    x->deadline_ms = ccnc_now_mono_ms() + s->step_timeout_ms;
    x->out.max = x->err.max = LINE_MAX_BYTES;
    x->next = s->execs;
    s->execs = x;
    if (s->pumping)
        s->kick = true;
    else
        pump(s);
    return x;
}

void
ccnc_ssh_exec_write(struct ccnc_ssh_exec *x, const char *buf, size_t len)
{
    if (x->dead)
        return;
    x->wbuf = ccnc_xrealloc(x->wbuf, x->n_w + len);
    memcpy(x->wbuf + x->n_w, buf, len);
    x->n_w += len;
    if (x->s->pumping)
        x->s->kick = true;
    else
        pump(x->s);
}

void
ccnc_ssh_exec_close(struct ccnc_ssh_exec *x)
{
    x->dead = true;
    if (!x->s->pumping)
        reap(x->s);
}

/* --- SFTP upload in a worker thread -------------------------------------------------- */

static int
upload_fail(struct upload *u, sftp_session sftp, const char *what, const char *path)
{
    int code = sftp ? sftp_get_error(sftp) : 0;

    return ccnc_error_set(&u->err, CCNC_ERR_IO, _("%s: cannot %s '%s' over SFTP: %s (SFTP "
                                                  "status %d)"),
                          u->s->name, what, path, ssh_get_error(u->s->session), code);
}

/* Whether dir (a folder on the way to the file) is private_dir or below it. */
static bool
upload_is_private(const struct upload *u, const char *dir)
{
    size_t n = u->private_dir ? strlen(u->private_dir) : 0;

    return n && strncmp(dir, u->private_dir, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

/* A private folder must be a real folder (not a symbolic link, which could
 * send the file anywhere) of the user's own, mode 0700.  A wider mode of
 * the user's own folder is narrowed (what lies in it is checked anyway:
 * the file is written under a new name and the agent's content is checked
 * before it runs); another owner's folder is refused. */
static int
upload_check_private(struct upload *u, sftp_session sftp, const char *dir)
{
    sftp_attributes a = sftp_lstat(sftp, dir);
    int rc = 0;

    if (!a)
        return upload_fail(u, sftp, _("look at the folder"), dir);
    if (a->type == SSH_FILEXFER_TYPE_SYMLINK)
        rc = ccnc_error_set(&u->err, CCNC_ERR_IO,
                            _("%s: ~/%s is a symbolic link; ccnc keeps its agent only in a real "
                              "folder of its own and copies nothing there (remove the link)"),
                            u->s->name, dir);
    else if (a->type != SSH_FILEXFER_TYPE_DIRECTORY)
        rc = ccnc_error_set(&u->err, CCNC_ERR_IO,
                            _("%s: ~/%s is not a folder; ccnc copies nothing there (remove it)"),
                            u->s->name, dir);
    else if (!(a->flags & SSH_FILEXFER_ATTR_UIDGID) || !(a->flags & SSH_FILEXFER_ATTR_PERMISSIONS) ||
             u->uid < 0)
        rc = ccnc_error_set(&u->err, CCNC_ERR_IO,
                            _("%s: the SFTP server does not say who owns ~/%s; ccnc copies "
                              "nothing there"),
                            u->s->name, dir);
    else if ((long long)a->uid != u->uid)
        rc = ccnc_error_set(&u->err, CCNC_ERR_IO,
                            _("%s: ~/%s belongs to uid %lu, not to uid %lld, the user ccnc logs "
                              "in as; ccnc copies nothing there (remove the folder, or give it "
                              "to that user with mode 0700)"),
                            u->s->name, dir, (unsigned long)a->uid, u->uid);
    else if ((a->permissions & 07777) != 0700) {
        unsigned mode = a->permissions & 07777;
        sftp_attributes_free(a);
        a = NULL;
        if (sftp_chmod(sftp, dir, 0700) != 0)
            return upload_fail(u, sftp, _("set the mode of"), dir);
        a = sftp_lstat(sftp, dir);
        if (!a || a->type != SSH_FILEXFER_TYPE_DIRECTORY || (long long)a->uid != u->uid ||
            (a->permissions & 07777) != 0700)
            rc = ccnc_error_set(&u->err, CCNC_ERR_IO,
                                _("%s: ~/%s had mode %04o and could not be made private (mode "
                                  "0700); ccnc copies nothing there"),
                                u->s->name, dir, mode);
    }
    sftp_attributes_free(a);
    return rc;
}

/* Make the folders on the way to the file (mode 0700), and check the
 * private ones whether made here or found. */
static int
upload_mkdirs(struct upload *u, sftp_session sftp)
{
    char *dir = ccnc_xstrdup(u->remote);
    int rc = 0;

    for (char *p = strchr(dir + 1, '/'); p && rc == 0; p = strchr(p + 1, '/')) {
        sftp_attributes a;
        *p = '\0';
        if (sftp_mkdir(sftp, dir, 0700) != 0 && !upload_is_private(u, dir)) {
            a = sftp_stat(sftp, dir);
            if (!a || a->type != SSH_FILEXFER_TYPE_DIRECTORY)
                rc = upload_fail(u, sftp, _("make the folder"), dir);
            sftp_attributes_free(a);
        }
        if (rc == 0 && upload_is_private(u, dir))
            rc = upload_check_private(u, sftp, dir);
        *p = '/';
    }
    free(dir);
    return rc;
}

/* A name for the new file beside the old one that nobody can have
 * guessed: "ccnc-agent.1f0c...e2.new". */
static char *
upload_temp_name(const char *remote)
{
    unsigned char r[8];
    char hex[sizeof(r) * 2 + 1];

    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        /* no entropy to be had: still unique enough, and O_EXCL refuses a
         * name that exists */
        unsigned long long t = (unsigned long long)ccnc_now_mono_ms() ^
                               ((unsigned long long)getpid() << 32);
        memcpy(r, &t, sizeof(r));
    }
    for (size_t i = 0; i < sizeof(r); i++)
        snprintf(hex + 2 * i, 3, "%02x", r[i]);
    return ccnc_xasprintf("%s.%s.new", remote, hex);
}

#if LIBSSH_VERSION_INT < SSH_VERSION_INT(0, 11, 0)
/* Big-endian integers and SFTP strings into a request. */
static void
put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static size_t
put_string(unsigned char *p, const char *str)
{
    size_t n = strlen(str);

    put_u32(p, (uint32_t)n);
    memcpy(p + 4, str, n);
    return 4 + n;
}

static uint32_t
get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
channel_read_all(ssh_channel ch, unsigned char *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        int r = ssh_channel_read(ch, buf + got, (uint32_t)(n - got), 0);
        if (r <= 0)
            return -1;   /* an error, the end, or SSH_OPTIONS_TIMEOUT passed */
        got += (size_t)r;
    }
    return 0;
}

/* OpenSSH's posix-rename@openssh.com: rename(2) on the server, which puts
 * the new file in the old one's place in one step.  SFTP 3's own RENAME
 * refuses an existing target, and libssh 0.10 has no call for the
 * extension (0.11's sftp_rename() uses it by itself), so the request is
 * made here: EXTENDED(200) id "posix-rename@openssh.com" from to; the
 * server answers STATUS(101) id code.  libssh's blocking calls have
 * read every answer before they return, so nothing else is on the way. */
static int
sftp_posix_rename(sftp_session sftp, const char *from, const char *to)
{
    static const char ext[] = "posix-rename@openssh.com";
    size_t len = 1 + 4 + (4 + strlen(ext)) + (4 + strlen(from)) + (4 + strlen(to));
    unsigned char *req = ccnc_xmalloc(4 + len), head[9], *rest = NULL;
    uint32_t id = ++sftp->id_counter, rlen;
    size_t at = 0;
    int rc = -1;

    put_u32(req, (uint32_t)len);
    req[4] = SSH_FXP_EXTENDED;
    put_u32(req + 5, id);
    at = 9;
    at += put_string(req + at, ext);
    at += put_string(req + at, from);
    at += put_string(req + at, to);
    if (ssh_channel_write(sftp->channel, req, (uint32_t)at) != (int)at)
        goto cleanup;
    /* length, type, id; then the status code and two strings */
    if (channel_read_all(sftp->channel, head, sizeof(head)) < 0)
        goto cleanup;
    rlen = get_u32(head);
    if (rlen < 5 + 4 || rlen > 65536 || head[4] != SSH_FXP_STATUS || get_u32(head + 5) != id)
        goto cleanup;
    rest = ccnc_xmalloc(rlen - 5);
    if (channel_read_all(sftp->channel, rest, rlen - 5) < 0)
        goto cleanup;
    rc = get_u32(rest) == SSH_FX_OK ? 0 : -1;

cleanup:
    free(rest);
    free(req);
    return rc;
}
#endif

/* Put the new file in place of the old one in one step, so that whoever
 * looks finds the old file or the new one, never none or half of one. */
static int
upload_rename(struct upload *u, sftp_session sftp, const char *tmp)
{
#if LIBSSH_VERSION_INT >= SSH_VERSION_INT(0, 11, 0)
    if (sftp_extension_supported(sftp, "posix-rename@openssh.com", "1") &&
        sftp_rename(sftp, tmp, u->remote) == 0)
        return 0;
#else
    if (sftp_extension_supported(sftp, "posix-rename@openssh.com", "1")) {
        if (sftp_posix_rename(sftp, tmp, u->remote) == 0)
            return 0;
        return upload_fail(u, sftp, _("rename"), tmp);
    }
#endif
    /* a server without the extension: its RENAME does not replace, so the
     * old file goes first (the agent's content is checked before it runs) */
    if (sftp_rename(sftp, tmp, u->remote) == 0)
        return 0;
    sftp_unlink(sftp, u->remote);
    if (sftp_rename(sftp, tmp, u->remote) == 0)
        return 0;
    return upload_fail(u, sftp, _("rename"), tmp);
}

static void *
upload_thread(void *arg)
{
    struct upload *u = arg;
    sftp_session sftp = NULL;
    sftp_file f = NULL;
    char *tmp = upload_temp_name(u->remote);
    bool made = false;
    char buf[32768];
    int fd = open(u->local, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        ccnc_error_set(&u->err, CCNC_ERR_IO, _("cannot read '%s': %s"), u->local,
                       strerror(errno));
        goto cleanup;
    }
    sftp = sftp_new(u->s->session);
    if (!sftp || sftp_init(sftp) != SSH_OK) {
        ccnc_error_set(&u->err, CCNC_ERR_IO,
                       _("%s: the SFTP subsystem is not available: %s"), u->s->name,
                       ssh_get_error(u->s->session));
        goto cleanup;
    }
    if (upload_mkdirs(u, sftp) < 0)
        goto cleanup;
    /* a new name, made here and nowhere else: O_EXCL follows no link and
     * opens no file that exists */
    f = sftp_open(sftp, tmp, O_WRONLY | O_CREAT | O_EXCL, 0700);
    if (!f) {
        upload_fail(u, sftp, _("create"), tmp);
        goto cleanup;
    }
    made = true;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (sftp_write(f, buf, (size_t)n) != n) {
            upload_fail(u, sftp, _("write"), tmp);
            goto cleanup;
        }
    }
    if (n < 0) {
        ccnc_error_set(&u->err, CCNC_ERR_IO, _("cannot read '%s': %s"), u->local,
                       strerror(errno));
        goto cleanup;
    }
    if (sftp_close(f) != SSH_NO_ERROR) {
        f = NULL;
        upload_fail(u, sftp, _("write"), tmp);
        goto cleanup;
    }
    f = NULL;
    if (sftp_chmod(sftp, tmp, (mode_t)u->mode) != 0) {
        upload_fail(u, sftp, _("set the mode of"), tmp);
        goto cleanup;
    }
    if (upload_rename(u, sftp, tmp) == 0)
        made = false;

cleanup:
    if (f)
        sftp_close(f);
    if (made && sftp)
        sftp_unlink(sftp, tmp);   /* no half-copied file is left behind */
    if (sftp)
        sftp_free(sftp);
    if (fd >= 0)
        close(fd);
    free(tmp);
    ccnc_loop_post(u->s->loop, on_upload_done, u);
    return NULL;
}

/* Wait for the worker (its waits are bounded) and take the session back. */
static struct upload *
upload_join(struct ccnc_ssh *s)
{
    struct upload *u = s->upload;

    if (!u->thread_failed && !s->upload_pending)
        pthread_join(u->thread, NULL);
    s->upload_pending = false;
    ccnc_loop_unpost(s->loop, u);
    s->upload = NULL;
    if (s->session)
        ssh_set_blocking(s->session, 0);
    return u;
}

static void
upload_free(struct upload *u)
{
    ccnc_error_clear(&u->err);
    free(u->local);
    free(u->remote);
    free(u->private_dir);
    free(u);
}

/* The worker is done (posted by it): the session is the loop's again. */
static void
on_upload_done(void *data)
{
    struct upload *u = data;
    struct ccnc_ssh *s = u->s;

    upload_join(s);
    s->last_rx_ms = ccnc_now_mono_ms();
    watch_fd(s);
    u->cb(u->data, u->err.code ? &u->err : NULL);
    upload_free(u);
    if (s->session && !ssh_is_connected(s->session))
        lose(s, CCNC_CONN_UNREACHABLE, CCNC_ERR_CONNECT, _("the connection to %s was lost: %s"),
             s->name, ssh_get_error(s->session));
    else
        pump(s);
}

int
ccnc_ssh_upload(struct ccnc_ssh *s, const struct ccnc_ssh_upload_spec *spec,
                ccnc_ssh_upload_cb cb, void *data, struct ccnc_error *err)
{
    struct upload *u;

    if (s->phase != P_READY || s->upload)
        return ccnc_error_set(err, CCNC_ERR_CONNECT, _("%s: the SSH session is not ready"),
                              s->name);
    u = ccnc_xcalloc(1, sizeof(*u));
    u->s = s;
    u->local = ccnc_xstrdup(spec->local_path);
    u->remote = ccnc_xstrdup(spec->remote_path);
    u->private_dir = ccnc_xstrdup(spec->private_dir);
    u->uid = spec->uid;
    u->mode = spec->mode;
    u->cb = cb;
    u->data = data;
    s->upload = u;
    if (s->pumping)
        s->upload_pending = true;   /* channels may still be touched in this pass */
    else
        upload_launch(s);
    return 0;
}

/* Hand the session to the worker: from here until on_upload_done() the
 * loop's thread does not touch it. */
static void
upload_launch(struct ccnc_ssh *s)
{
    struct upload *u = s->upload;
    long timeout_s = (s->step_timeout_ms + 999) / 1000;

    s->upload_pending = false;
    ccnc_loop_cancel(s->loop, &s->fd_watch);
    ssh_options_set(s->session, SSH_OPTIONS_TIMEOUT, &timeout_s);
    ssh_set_blocking(s->session, 1);
    if (pthread_create(&u->thread, NULL, upload_thread, u) != 0) {
        ccnc_error_set(&u->err, CCNC_ERR_INTERNAL, _("cannot start a thread"));
        u->thread_failed = true;
        ccnc_loop_post(s->loop, on_upload_done, u);
    }
}
