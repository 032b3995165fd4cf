/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bandwidth test: iperf3 as a child process, its report read from a
 * pipe in the agent's loop (src/agent/bandwidth.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/bandwidth.h"
#include "core/i18n.h"

/* iperf3 connects, runs the test, and reports: allow it this much more */
#define GRACE_S 15
#define MAX_REPORT (4 << 20)

struct ccnc_bw {
    struct ccnc_loop *loop;
    struct ccnc_proto_request req;   /* id, target, port, seconds, reverse */
    ccnc_bw_done_cb done;
    void *data;
    pid_t pid;
    int fd, watch, timer;
    char *out;
    size_t len;
    bool overran;
};

static void
bw_free(struct ccnc_bw *bw)
{
    int st;

    if (bw->watch)
        ccnc_loop_remove(bw->loop, bw->watch);
    ccnc_loop_cancel(bw->loop, &bw->timer);
    if (bw->fd >= 0)
        close(bw->fd);
    if (bw->pid > 0) {
        kill(bw->pid, SIGKILL);
        waitpid(bw->pid, &st, 0);
    }
    ccnc_proto_request_clear(&bw->req);
    free(bw->out);
    free(bw);
}

/* The report is whole (the pipe closed): reap the child, answer. */
static void
finish(struct ccnc_bw *bw)
{
    struct ccnc_bandwidth r;
    struct ccnc_error err = { 0 };
    int st = 0;

    if (waitpid(bw->pid, &st, 0) == bw->pid)
        bw->pid = 0;
    if (bw->overran)
        ccnc_error_set(&err, CCNC_ERR_TIMEOUT, _("iperf3 did not finish within %d s"),
                       bw->req.seconds + GRACE_S);
    else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        ccnc_error_set(&err, CCNC_ERR_IO, _("iperf3 is not installed here (apt-get install "
                                            "iperf3)"));
    else if (ccnc_proto_parse_iperf3(bw->out ? bw->out : "", bw->len, &r, &err) == 0)
        bw->done(bw->data, &bw->req, &r, NULL);
    if (err.message)
        bw->done(bw->data, &bw->req, NULL, err.message);
    ccnc_error_clear(&err);
    bw_free(bw);
}

static void
on_output(int fd, short revents, void *data)
{
    struct ccnc_bw *bw = data;
    char buf[8192];
    ssize_t r;

    (void)revents;
    r = read(fd, buf, sizeof(buf));
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (r > 0 && bw->len + (size_t)r <= MAX_REPORT) {
        bw->out = ccnc_xrealloc(bw->out, bw->len + (size_t)r + 1);
        memcpy(bw->out + bw->len, buf, (size_t)r);
        bw->len += (size_t)r;
        bw->out[bw->len] = '\0';
        return;
    }
    if (r > 0)
        return;   /* more than any report: drop the rest */
    finish(bw);
}

static void
on_overrun(void *data)
{
    struct ccnc_bw *bw = data;

    bw->timer = 0;
    bw->overran = true;
    if (bw->pid > 0)
        kill(bw->pid, SIGKILL);   /* the pipe closes, on_output finishes */
}

struct ccnc_bw *
ccnc_bw_start(struct ccnc_loop *loop, const struct ccnc_proto_request *req,
              ccnc_bw_done_cb done, void *data, struct ccnc_error *err)
{
    struct ccnc_bw *bw;
    int pipefd[2];
    char port[16], secs[16];
    const char *argv[10];
    int n = 0;

    if (!ccnc_proto_target_valid(req->target)) {
        ccnc_error_set(err, CCNC_ERR_USAGE, _("'%s' is not a host name or an IP address"),
                       req->target ? req->target : "");
        return NULL;
    }
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot make a pipe: %s"), strerror(errno));
        return NULL;
    }
    snprintf(port, sizeof(port), "%d", req->port);
    snprintf(secs, sizeof(secs), "%d", req->seconds);
    argv[n++] = "iperf3";
    argv[n++] = "--client";
    argv[n++] = req->target;
    argv[n++] = "--port";
    argv[n++] = port;
    argv[n++] = "--time";
    argv[n++] = secs;
    argv[n++] = "--json";
    if (req->reverse)
        argv[n++] = "--reverse";
    argv[n] = NULL;

    bw = ccnc_xcalloc(1, sizeof(*bw));
    bw->pid = fork();
    if (bw->pid < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot start iperf3: %s"), strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        free(bw);
        return NULL;
    }
    if (bw->pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        dup2(pipefd[1], STDOUT_FILENO);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    bw->loop = loop;
    bw->fd = pipefd[0];
    fcntl(bw->fd, F_SETFL, fcntl(bw->fd, F_GETFL) | O_NONBLOCK);
    bw->done = done;
    bw->data = data;
    bw->req.has_id = req->has_id;
    bw->req.id = req->id;
    bw->req.op = req->op;
    bw->req.target = ccnc_xstrdup(req->target);
    bw->req.port = req->port;
    bw->req.seconds = req->seconds;
    bw->req.reverse = req->reverse;
    bw->watch = ccnc_loop_add_fd(loop, bw->fd, POLLIN, on_output, bw);
    bw->timer = ccnc_loop_add_timer(loop, (req->seconds + GRACE_S) * 1000, false, on_overrun,
                                    bw);
    return bw;
}

void
ccnc_bw_cancel(struct ccnc_bw *bw)
{
    if (bw)
        bw_free(bw);
}
