/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ccnc's one event loop: file descriptors and timers, driven by poll(2).
 * Everything that waits — SSH sessions, libvirt events, the keyboard —
 * waits here.  Only the thread that runs the loop may call these, except
 * ccnc_loop_post(), the one way in for other threads. */
#ifndef CCNC_LOOP_H
#define CCNC_LOOP_H

#include <stdbool.h>

struct ccnc_loop;

/* revents as poll(2) reports them. */
typedef void (*ccnc_loop_fd_cb)(int fd, short revents, void *data);
typedef void (*ccnc_loop_timer_cb)(void *data);

struct ccnc_loop *ccnc_loop_new(void);
void ccnc_loop_free(struct ccnc_loop *loop);

/* Watch fd for events (POLLIN, POLLOUT); returns a watch id (> 0). */
int ccnc_loop_add_fd(struct ccnc_loop *loop, int fd, short events, ccnc_loop_fd_cb cb,
                     void *data);
void ccnc_loop_set_events(struct ccnc_loop *loop, int id, short events);
/* A timer firing after interval_ms, again every interval_ms if repeat. */
int ccnc_loop_add_timer(struct ccnc_loop *loop, int interval_ms, bool repeat,
                        ccnc_loop_timer_cb cb, void *data);
/* Call cb on the loop each time signo arrives: the handler only wakes the
 * loop, so cb may do anything.  The signal's previous disposition comes
 * back when the watch is removed.  -1 when it cannot be set up. */
int ccnc_loop_add_signal(struct ccnc_loop *loop, int signo, ccnc_loop_timer_cb cb,
                         void *data);
/* Remove a watch, timer or signal; safe from inside its own callback. */
void ccnc_loop_remove(struct ccnc_loop *loop, int id);
/* Remove *id when it is set, and clear it. */
void ccnc_loop_cancel(struct ccnc_loop *loop, int *id);

/* Any thread: have fn(data) called on the loop's thread at its next pass.
 * A post of the same fn and data that has not run yet is not repeated:
 * posts are wake-ups, and what they bring waits in data's own queue.
 * Posts run in the order they were made. */
typedef void (*ccnc_loop_post_cb)(void *data);
void ccnc_loop_post(struct ccnc_loop *loop, ccnc_loop_post_cb fn, void *data);
/* The loop's thread: forget the posts for data that have not run (before
 * data is freed; its poster must be stopped first). */
void ccnc_loop_unpost(struct ccnc_loop *loop, void *data);

/* Wait at most max_wait_ms (-1: until something happens) and dispatch. */
int ccnc_loop_run_once(struct ccnc_loop *loop, int max_wait_ms);
/* Run until ccnc_loop_quit(). */
void ccnc_loop_run(struct ccnc_loop *loop);
void ccnc_loop_quit(struct ccnc_loop *loop);

#endif
