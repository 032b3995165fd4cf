/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab guest's stream, as a player plays a video from the NFS server:
 * one 64 KiB O_DIRECT read of FILE every 25 ms (2.5 MiB/s), round the file,
 * so the connection is never idle for more than a read's interval unless
 * the network or the guest stops it.  Every 100 ms it says on stdout, and
 * appends to LOG, what that tick read:
 *
 *   ccnc-stream UPTIME BYTES ok|ERR ACTIVE-SLAVE
 *
 * UPTIME as /proc/uptime counts it, ERR when a read of the tick failed,
 * ACTIVE-SLAVE read from BOND's active_slave ("none" when empty).  A read
 * that blocks (the NFS mount is hard) delays the schedule rather than
 * bursting to catch up, as a player with a small buffer would.  Built
 * static into the lab's guest image.
 *
 *   stream FILE BOND-SYSFS-DIR LOG */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536L
#define READ_NS 25000000LL
#define READS_A_TICK 4

static long long
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
sleep_until(long long t)
{
    struct timespec ts = { .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static void
uptime(char *buf, size_t len)
{
    FILE *f = fopen("/proc/uptime", "r");

    buf[0] = '\0';
    if (f) {
        if (!fgets(buf, (int)len, f))
            buf[0] = '\0';
        fclose(f);
    }
    buf[strcspn(buf, " \n")] = '\0';
}

static void
active_slave(const char *bond, char *buf, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/active_slave", bond);
    buf[0] = '\0';
    f = fopen(path, "r");
    if (f) {
        if (!fgets(buf, (int)len, f))
            buf[0] = '\0';
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = '\0';
    if (!buf[0])
        snprintf(buf, len, "none");
}

int
main(int argc, char **argv)
{
    void *buf;
    long long next;
    long chunks, off = 0;
    struct stat st;
    int fd;

    if (argc != 4) {
        fprintf(stderr, "usage: stream FILE BOND-SYSFS-DIR LOG\n");
        return 2;
    }
    fd = open(argv[1], O_RDONLY | O_DIRECT);
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "stream: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    chunks = (long)(st.st_size / CHUNK);
    if (chunks < 1) {
        fprintf(stderr, "stream: %s is smaller than %ld bytes\n", argv[1], CHUNK);
        return 1;
    }
    if (posix_memalign(&buf, 4096, CHUNK) != 0) {
        fprintf(stderr, "stream: out of memory\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    next = now_ns();
    for (;;) {
        long long bytes = 0;
        int failed = 0, i;
        char up[64], act[64], line[192];
        FILE *log;

        for (i = 0; i < READS_A_TICK; i++) {
            ssize_t n;
            long long t;

            n = pread(fd, buf, CHUNK, (off_t)off * CHUNK);
            if (n < 0)
                failed = 1;
            else
                bytes += n;
            off = (off + 1) % chunks;
            next += READ_NS;
            t = now_ns();
            if (next < t)
                next = t;   /* late: no catching up */
            sleep_until(next);
        }
        uptime(up, sizeof(up));
        active_slave(argv[2], act, sizeof(act));
        snprintf(line, sizeof(line), "ccnc-stream %s %lld %s %s\n", up, failed ? 0 : bytes,
                 failed ? "ERR" : "ok", act);
        fputs(line, stdout);
        log = fopen(argv[3], "a");
        if (log) {
            fputs(line, log);
            fclose(log);
        }
    }
}
