/* The event loop: fd readiness, one-shot and repeating timers, removal from
 * inside a callback, signals delivered as loop callbacks. */
#include "config.h"

#include <poll.h>
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

START_TEST(test_loop_cancel)
{
    struct ccnc_loop *loop = ccnc_loop_new();
    int p[2], id, none = 0;

    ck_assert_int_eq(pipe(p), 0);
    id = ccnc_loop_add_fd(loop, p[0], POLLIN, never, NULL);
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    ccnc_loop_cancel(loop, &id);
    ck_assert_int_eq(id, 0);
    ccnc_loop_cancel(loop, &none);        /* nothing set: nothing happens */
    ck_assert_int_eq(none, 0);
    ck_assert_int_eq(ccnc_loop_run_once(loop, 10), 0);
    ccnc_loop_free(loop);
    close(p[0]);
    close(p[1]);
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
    suite_add_tcase(s, tc);
    return s;
}
