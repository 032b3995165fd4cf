/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event loop: fd readiness, one-shot and repeating timers, removal from
 * inside a callback, signals delivered as loop callbacks, posts from other
 * threads. */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <ccnc/loop.h>
#include <ccnc/util.h>

#include "check-ccnc.h"

struct counts {
    struct ccnc_loop *loop;
    int reads, ticks, once;
    int tick_id;
    int fd;
};

static void
on_read(int fd, short revents, void *data)
{
    struct counts *c = data;
    char buf[16];

    ck_assert(revents & POLLIN);
    ck_assert_int_eq(read(fd, buf, sizeof(buf)), 3);
    c->reads++;
}

static void
on_tick(void *data)
{
    struct counts *c = data;

    if (++c->ticks == 3)
        ccnc_loop_remove(c->loop, c->tick_id);
}

static void
on_once(void *data)
{
    struct counts *c = data;

    c->once++;
    ccnc_loop_quit(c->loop);
}

START_TEST(test_loop_fd_and_timers)
{
    struct counts c = { 0 };
    int p[2];

    ck_assert_int_eq(pipe(p), 0);
    c.loop = ccnc_loop_new();
    ccnc_loop_add_fd(c.loop, p[0], POLLIN, on_read, &c);
    c.tick_id = ccnc_loop_add_timer(c.loop, 5, true, on_tick, &c);
    ccnc_loop_add_timer(c.loop, 100, false, on_once, &c);
    ck_assert_int_eq(write(p[1], "abc", 3), 3);
    ccnc_loop_run(c.loop);
    ck_assert_int_eq(c.reads, 1);
    ck_assert_int_eq(c.ticks, 3);   /* removed from its own callback */
    ck_assert_int_eq(c.once, 1);    /* one-shot fired once */
    ccnc_loop_free(c.loop);
    close(p[0]);
    close(p[1]);
}
END_TEST

static void
never(int fd, short revents, void *data)
{
    (void)fd;
    (void)revents;
    ck_abort_msg("a removed watch was called");
    (void)data;
}

START_TEST(test_loop_removed_fd_not_called)
{
    struct ccnc_loop *loop = ccnc_loop_new();
    int p[2], id;

    ck_assert_int_eq(pipe(p), 0);
    id = ccnc_loop_add_fd(loop, p[0], POLLIN, never, NULL);
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    ccnc_loop_remove(loop, id);
    ck_assert_int_eq(ccnc_loop_run_once(loop, 10), 0);
    ccnc_loop_free(loop);
    close(p[0]);
    close(p[1]);
}
END_TEST

static void
on_once_quit(void *data)
{
    ccnc_loop_quit(data);
}

static void
on_usr1(void *data)
{
    struct counts *c = data;

    c->once++;
    ccnc_loop_quit(c->loop);
}

/* A signal arrives as a callback on the loop; the watch's removal puts the
 * previous disposition back. */
START_TEST(test_loop_signal)
{
    struct counts c = { 0 };
    struct sigaction before, after;
    int id;

    sigaction(SIGUSR1, NULL, &before);
    c.loop = ccnc_loop_new();
    id = ccnc_loop_add_signal(c.loop, SIGUSR1, on_usr1, &c);
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(c.once, 0);          /* not in the handler: on the loop */
    ccnc_loop_add_timer(c.loop, 10000, false, on_once, &c);   /* a bound */
    ccnc_loop_run(c.loop);
    ck_assert_int_eq(c.once, 1);
    ccnc_loop_remove(c.loop, id);
    sigaction(SIGUSR1, NULL, &after);
    ck_assert(after.sa_handler == before.sa_handler);
    ccnc_loop_free(c.loop);
}
END_TEST

static void
count_read(int fd, short revents, void *data)
{
    char buf[16];

    (void)revents;
    if (read(fd, buf, sizeof(buf)) > 0)
        (*(int *)data)++;
}

/* Cancel removes the watch and clears its id; cancelling an id that is not
 * set (0) touches no other watch. */
START_TEST(test_loop_cancel)
{
    struct ccnc_loop *loop = ccnc_loop_new();
    int p[2], q[2], id, live, none = 0, reads = 0;

    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(pipe(q), 0);
    id = ccnc_loop_add_fd(loop, p[0], POLLIN, never, NULL);
    live = ccnc_loop_add_fd(loop, q[0], POLLIN, count_read, &reads);
    ck_assert_int_gt(live, id);
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    ck_assert_int_eq(write(q[1], "y", 1), 1);
    ccnc_loop_cancel(loop, &id);
    ck_assert_int_eq(id, 0);
    ccnc_loop_cancel(loop, &none);
    ccnc_loop_cancel(loop, &id);          /* twice: still nothing else goes */
    ck_assert_int_eq(ccnc_loop_run_once(loop, 10), 0);
    ck_assert_int_eq(reads, 1);           /* the live watch is still there */
    ccnc_loop_free(loop);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
}
END_TEST

/* Posts from other threads: run on the loop's thread, in order, a waiting
 * post of the same fn and data coalesced; unpost drops what has not run. */
struct posted {
    struct ccnc_loop *loop;
    pthread_t loop_thread;
    int calls_a, calls_b, order[8], n_order;
    bool wrong_thread;
};

static void
post_a(void *data)
{
    struct posted *p = data;

    p->wrong_thread |= !pthread_equal(pthread_self(), p->loop_thread);
    p->calls_a++;
    if (p->n_order < 8)
        p->order[p->n_order++] = 'a';
}

static void
post_b(void *data)
{
    struct posted *p = data;

    p->calls_b++;
    if (p->n_order < 8)
        p->order[p->n_order++] = 'b';
    ccnc_loop_quit(p->loop);
}

static void *
poster(void *arg)
{
    struct posted *p = arg;

    for (int i = 0; i < 100; i++)
        ccnc_loop_post(p->loop, post_a, p);   /* coalesced while waiting */
    ccnc_loop_post(p->loop, post_b, p);
    return NULL;
}

START_TEST(test_loop_post)
{
    struct posted p = { 0 };
    pthread_t t;

    p.loop = ccnc_loop_new();
    p.loop_thread = pthread_self();
    ck_assert_int_eq(pthread_create(&t, NULL, poster, &p), 0);
    pthread_join(t, NULL);
    ck_assert_int_eq(p.calls_a, 0);       /* nothing runs before the loop does */
    ccnc_loop_add_timer(p.loop, 10000, false, on_once_quit, p.loop);   /* a bound */
    ccnc_loop_run(p.loop);
    ck_assert_int_eq(p.calls_a, 1);
    ck_assert_int_eq(p.calls_b, 1);
    ck_assert_int_eq(p.n_order, 2);
    ck_assert_int_eq(p.order[0], 'a');
    ck_assert_int_eq(p.order[1], 'b');
    ck_assert(!p.wrong_thread);

    /* dropped before it ran: never called */
    ccnc_loop_post(p.loop, post_a, &p);
    ccnc_loop_unpost(p.loop, &p);
    ck_assert_int_eq(ccnc_loop_run_once(p.loop, 10), 0);
    ck_assert_int_eq(p.calls_a, 1);
    /* after it ran, the same post runs again */
    ccnc_loop_post(p.loop, post_a, &p);
    ck_assert_int_eq(ccnc_loop_run_once(p.loop, 1000), 0);
    ck_assert_int_eq(p.calls_a, 2);
    ccnc_loop_free(p.loop);
}
END_TEST

Suite *
ccnc_loop_suite(void)
{
    Suite *s = suite_create("loop");
    TCase *tc = tcase_create("loop");

    tcase_add_test(tc, test_loop_fd_and_timers);
    tcase_add_test(tc, test_loop_removed_fd_not_called);
    tcase_add_test(tc, test_loop_signal);
    tcase_add_test(tc, test_loop_cancel);
    tcase_add_test(tc, test_loop_post);
    suite_add_tcase(s, tc);
    return s;
}
