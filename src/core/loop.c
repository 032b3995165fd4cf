/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event loop (include/ccnc/loop.h): a table of watches, poll(2), and
 * timers kept in the same table and checked against the monotonic clock.
 * Signals come in through a pipe: the handler writes the signal's number,
 * the loop reads it and calls the watch's callback like any other.  Other
 * threads post calls through a locked queue and one more pipe. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ccnc/loop.h>
#include <ccnc/util.h>

struct watch {
    int id;                /* 0: free slot */
    bool removed;
    bool is_timer;
    int signo;             /* > 0: a signal watch (neither fd nor timer) */
    struct sigaction old_sa;
    int fd;
    short events;
    ccnc_loop_fd_cb fd_cb;
    ccnc_loop_timer_cb timer_cb;
    void *data;
    int interval_ms;
    bool repeat;
    long long due_ms;
};

struct ccnc_loop {
    struct watch *w;
    size_t n, cap;
    int next_id;
    bool quit;
    struct pollfd *pfds;
    size_t cap_pfds;
    int sig_watch;         /* the fd watch on sig_pipe[0]; 0 until needed */

    /* calls posted by other threads (post_mu) */
    pthread_mutex_t post_mu;
    struct post { ccnc_loop_post_cb fn; void *data; } *posts;
    size_t n_posts, cap_posts;
    int post_pipe[2];
    int post_watch;
};

/* One pipe for the process: a signal handler knows no loop. */
static int sig_pipe[2] = { -1, -1 };

/* Run what other threads posted: each post taken off the queue before it
 * runs, so that a call may post again or unpost others. */
static void
on_post_pipe(int fd, short revents, void *data)
{
    struct ccnc_loop *loop = data;
    char buf[64];

    (void)revents;
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    for (;;) {
        struct post p;
        pthread_mutex_lock(&loop->post_mu);
        if (loop->n_posts == 0) {
            pthread_mutex_unlock(&loop->post_mu);
            return;
        }
        p = loop->posts[0];
        memmove(loop->posts, loop->posts + 1, --loop->n_posts * sizeof(*loop->posts));
        pthread_mutex_unlock(&loop->post_mu);
        p.fn(p.data);
    }
}

void
ccnc_loop_post(struct ccnc_loop *loop, ccnc_loop_post_cb fn, void *data)
{
    bool wake = true;

    pthread_mutex_lock(&loop->post_mu);
    for (size_t i = 0; i < loop->n_posts; i++)
        if (loop->posts[i].fn == fn && loop->posts[i].data == data)
            wake = false;
    if (wake) {
        struct post *p = ccnc_array_push(&loop->posts, &loop->n_posts, &loop->cap_posts,
                                         sizeof(*p));
        p->fn = fn;
        p->data = data;
    }
    pthread_mutex_unlock(&loop->post_mu);
    if (wake && write(loop->post_pipe[1], "", 1) < 0) {
        /* a full pipe: the loop has wake-ups enough to read */
    }
}

void
ccnc_loop_unpost(struct ccnc_loop *loop, void *data)
{
    size_t j = 0;

    pthread_mutex_lock(&loop->post_mu);
    for (size_t i = 0; i < loop->n_posts; i++)
        if (loop->posts[i].data != data)
            loop->posts[j++] = loop->posts[i];
    loop->n_posts = j;
    pthread_mutex_unlock(&loop->post_mu);
}

struct ccnc_loop *
ccnc_loop_new(void)
{
    struct ccnc_loop *loop = ccnc_xcalloc(1, sizeof(*loop));

    loop->next_id = 1;
    pthread_mutex_init(&loop->post_mu, NULL);
    if (pipe2(loop->post_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
        abort();   /* out of file descriptors at the start: nothing works */
    loop->post_watch = ccnc_loop_add_fd(loop, loop->post_pipe[0], POLLIN, on_post_pipe, loop);
    return loop;
}

void
ccnc_loop_free(struct ccnc_loop *loop)
{
    if (!loop)
        return;
    for (size_t i = 0; i < loop->n; i++)
        if (loop->w[i].signo && !loop->w[i].removed)
            sigaction(loop->w[i].signo, &loop->w[i].old_sa, NULL);
    free(loop->w);
    free(loop->pfds);
    free(loop->posts);
    close(loop->post_pipe[0]);
    close(loop->post_pipe[1]);
    pthread_mutex_destroy(&loop->post_mu);
    free(loop);
}

static struct watch *
add(struct ccnc_loop *loop)
{
    struct watch *w = ccnc_array_push(&loop->w, &loop->n, &loop->cap, sizeof(*w));

    w->id = loop->next_id++;
    return w;
}

int
ccnc_loop_add_fd(struct ccnc_loop *loop, int fd, short events, ccnc_loop_fd_cb cb, void *data)
{
    struct watch *w = add(loop);

    w->fd = fd;
    w->events = events;
    w->fd_cb = cb;
    w->data = data;
    return w->id;
}

int
ccnc_loop_add_timer(struct ccnc_loop *loop, int interval_ms, bool repeat,
                    ccnc_loop_timer_cb cb, void *data)
{
    struct watch *w = add(loop);

    w->is_timer = true;
    w->fd = -1;
    w->timer_cb = cb;
    w->data = data;
    w->interval_ms = interval_ms < 0 ? 0 : interval_ms;
    w->repeat = repeat;
    w->due_ms = ccnc_now_mono_ms() + w->interval_ms;
    return w->id;
}

static void
on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;

    if (write(sig_pipe[1], &b, 1) < 0) {
        /* a full pipe: the loop has wake-ups enough to read */
    }
    errno = saved;
}

static void
on_sig_pipe(int fd, short revents, void *data)
{
    struct ccnc_loop *loop = data;
    unsigned char buf[64];
    ssize_t got;

    (void)revents;
    while ((got = read(fd, buf, sizeof(buf))) > 0)
        for (ssize_t k = 0; k < got; k++)
            for (size_t i = 0; i < loop->n; i++) {
                struct watch w = loop->w[i]; /* a callback may grow loop->w */
                if (w.signo == buf[k] && !w.removed)
                    w.timer_cb(w.data);
            }
}

int
ccnc_loop_add_signal(struct ccnc_loop *loop, int signo, ccnc_loop_timer_cb cb, void *data)
{
    struct sigaction sa = { .sa_handler = on_signal };
    struct watch *w;

    if (signo <= 0 || signo > 255)
        return -1;
    if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
        return -1;
    if (!loop->sig_watch)
        loop->sig_watch = ccnc_loop_add_fd(loop, sig_pipe[0], POLLIN, on_sig_pipe, loop);
    w = add(loop);
    w->signo = signo;
    w->fd = -1;
    w->timer_cb = cb;
    w->data = data;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(signo, &sa, &w->old_sa) < 0) {
        w->removed = true;
        return -1;
    }
    return w->id;
}

static struct watch *
find(struct ccnc_loop *loop, int id)
{
    for (size_t i = 0; i < loop->n; i++)
        if (loop->w[i].id == id && !loop->w[i].removed)
            return &loop->w[i];
    return NULL;
}

void
ccnc_loop_set_events(struct ccnc_loop *loop, int id, short events)
{
    struct watch *w = find(loop, id);

    if (w)
        w->events = events;
}

void
ccnc_loop_remove(struct ccnc_loop *loop, int id)
{
    struct watch *w = find(loop, id);

    if (!w)
        return;
    w->removed = true;
    if (w->signo)
        sigaction(w->signo, &w->old_sa, NULL);
}

void
ccnc_loop_cancel(struct ccnc_loop *loop, int *id)
{
    if (*id)
        ccnc_loop_remove(loop, *id);
    *id = 0;
}

/* Drop removed watches; only between dispatch passes so that indexes held
 * during a pass stay valid. */
static void
compact(struct ccnc_loop *loop)
{
    size_t j = 0;

    for (size_t i = 0; i < loop->n; i++)
        if (!loop->w[i].removed)
            loop->w[j++] = loop->w[i];
    loop->n = j;
}

int
ccnc_loop_run_once(struct ccnc_loop *loop, int max_wait_ms)
{
    long long now = ccnc_now_mono_ms();
    int timeout = max_wait_ms;
    size_t nfds = 0, n;
    int rc;

    compact(loop);
    n = loop->n;
    if (loop->cap_pfds < n + 1) {
        loop->cap_pfds = n + 1;
        loop->pfds = ccnc_xreallocarray(loop->pfds, loop->cap_pfds, sizeof(*loop->pfds));
    }
    for (size_t i = 0; i < n; i++) {
        struct watch *w = &loop->w[i];
        if (w->is_timer) {
            long long left = w->due_ms - now;
            if (left < 0)
                left = 0;
            if (timeout < 0 || left < timeout)
                timeout = (int)left;
        } else if (!w->signo) {
            loop->pfds[nfds].fd = w->fd;
            loop->pfds[nfds].events = w->events;
            loop->pfds[nfds].revents = 0;
            nfds++;
        }
    }
    rc = poll(loop->pfds, nfds, timeout);
    if (rc < 0 && errno != EINTR)
        return -1;

    /* fd callbacks, then due timers; watches added meanwhile wait a pass */
    nfds = 0;
    for (size_t i = 0; i < n; i++) {
        struct watch w = loop->w[i];
        if (w.is_timer || w.signo)
            continue;
        if (rc > 0 && loop->pfds[nfds].revents && !loop->w[i].removed)
            w.fd_cb(w.fd, loop->pfds[nfds].revents, w.data);
        nfds++;
    }
    now = ccnc_now_mono_ms();
    for (size_t i = 0; i < n; i++) {
        struct watch *w = &loop->w[i];
        if (!w->is_timer || w->removed || w->due_ms > now)
            continue;
        if (w->repeat)
            w->due_ms = now + (w->interval_ms ? w->interval_ms : 1);
        else
            w->removed = true;
        {
            ccnc_loop_timer_cb cb = w->timer_cb;
            void *data = w->data;
            cb(data); /* may grow loop->w: w is not used after this */
        }
    }
    return 0;
}

void
ccnc_loop_run(struct ccnc_loop *loop)
{
    loop->quit = false;
    while (!loop->quit)
        if (ccnc_loop_run_once(loop, -1) < 0)
            break;
}

void
ccnc_loop_quit(struct ccnc_loop *loop)
{
    loop->quit = true;
}
