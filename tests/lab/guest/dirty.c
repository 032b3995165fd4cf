/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab guest's memory workload: dirty RATE MiB/s of guest memory, spread
 * over a working set of WSS MiB, one write a 4 KiB page, in 10 ms slices.
 * It reads RATE and WSS from FILE (two numbers, MiB/s and MiB) each
 * second, so that it can be re-tuned while it runs (through the guest
 * agent); a RATE of 0 idles.  Each write is checked when the page comes
 * round again: a page that does not hold what was last written to it (a
 * migration that lost a page) is said on stdout, "ccnc-dirty LOST ...",
 * with a count.  Built static into the lab's guest image.
 *
 *   dirty FILE */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096L
#define MIB (1024L * 1024L)
#define SLICE_NS 10000000L

static void
read_conf(const char *path, long *rate, long *wss)
{
    FILE *f = fopen(path, "r");
    long r, w;

    if (!f)
        return;
    if (fscanf(f, "%ld %ld", &r, &w) == 2 && r >= 0 && w > 0 && w <= 4096) {
        *rate = r;
        *wss = w;
    }
    fclose(f);
}

static long long
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
    long rate = 0, wss = 32, have = 0, next = 0;
    unsigned char *mem = NULL, *want = NULL;
    long long bad = 0;
    long long t = now_ns(), last_conf = 0;
    unsigned char stamp = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: dirty FILE (FILE holds: MiB/s working-set-MiB)\n");
        return 2;
    }
    for (;;) {
        struct timespec until;
        long pages;

        if (t - last_conf >= 1000000000LL) {
            read_conf(argv[1], &rate, &wss);
            last_conf = t;
            if (wss != have) {
                if (mem)
                    munmap(mem, (size_t)(have * MIB));
                free(want);
                /* what each page was last given (0: never) */
                want = calloc((size_t)(wss * MIB / PAGE), 1);
                if (!want) {
                    perror("dirty: calloc");
                    return 1;
                }
                mem = mmap(NULL, (size_t)(wss * MIB), PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (mem == MAP_FAILED) {
                    perror("dirty: mmap");
                    return 1;
                }
                have = wss;
                next = 0;
                printf("ccnc-dirty %ld MiB/s over %ld MiB\n", rate, wss);
                fflush(stdout);
            }
        }
        /* this slice's share: rate MiB/s over 10 ms, in pages */
        pages = rate * MIB / PAGE / (1000000000L / SLICE_NS);
        for (long i = 0; i < pages; i++) {
            unsigned char *page = mem + next * PAGE;
            if (want[next] && (page[0] != want[next] || page[PAGE - 1] != 0)) {
                if (++bad <= 20 || bad % 1000 == 0) {
                    printf("ccnc-dirty LOST page %ld: holds %u/%u, was given %u (%lld so far)\n",
                           next, page[0], page[PAGE - 1], want[next], bad);
                    fflush(stdout);
                }
            }
            if (++stamp == 0)
                stamp = 1;
            page[0] = stamp;
            want[next] = stamp;
            next = (next + 1) % (have * MIB / PAGE);
        }
        t += SLICE_NS;
        until.tv_sec = (time_t)(t / 1000000000LL);
        until.tv_nsec = (long)(t % 1000000000LL);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
        if (now_ns() - t > 1000000000LL)
            t = now_ns();   /* stopped (a migration's downtime): no catching up */
    }
}
