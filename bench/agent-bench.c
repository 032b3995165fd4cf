/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmarks of ccnc-agent --serve, each inside a network namespace of its
 * own (needs root):
 *   agent-bench latency AGENT [FLAPS]        link flaps: change -> event line
 *   agent-bench footprint AGENT [LINKS] [S]  RSS and idle CPU with LINKS links
 * Figures go to docs/benchmarks.md. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ccnc/util.h>

static pid_t agent_pid;
static int agent_in = -1, agent_out = -1;
static char buf[1 << 20];
static size_t buf_len;

static void
die(const char *what)
{
    perror(what);
    if (agent_pid > 0)
        kill(agent_pid, SIGTERM);
    exit(1);
}

static void
run(const char *cmd)
{
    if (system(cmd) != 0) {
        fprintf(stderr, "agent-bench: '%s' failed\n", cmd);
        exit(1);
    }
}

static void
start_agent(const char *agent)
{
    int in[2], out[2];

    if (pipe(in) < 0 || pipe(out) < 0)
        die("pipe");
    agent_pid = fork();
    if (agent_pid < 0)
        die("fork");
    if (agent_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        execl(agent, agent, "--serve", "--name", "bench", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    agent_in = in[1];
    agent_out = out[0];
}

/* The next whole line within timeout_ms (NULL on timeout); valid until the
 * next call. */
static char *
next_line(int timeout_ms)
{
    static char line[sizeof(buf)];
    long long deadline = ccnc_now_mono_us() + (long long)timeout_ms * 1000;

    for (;;) {
        char *nl = memchr(buf, '\n', buf_len);
        struct pollfd p = { agent_out, POLLIN, 0 };
        long long left;
        ssize_t r;

        if (nl) {
            size_t n = (size_t)(nl - buf);
            memcpy(line, buf, n);
            line[n] = '\0';
            memmove(buf, nl + 1, buf_len - n - 1);
            buf_len -= n + 1;
            return line;
        }
        left = (deadline - ccnc_now_mono_us()) / 1000;
        if (left < 0 || poll(&p, 1, (int)left) <= 0)
            return NULL;
        r = read(agent_out, buf + buf_len, sizeof(buf) - buf_len);
        if (r <= 0)
            die("agent output");
        buf_len += (size_t)r;
    }
}

static void
stop_agent(void)
{
    int status;

    close(agent_in);
    waitpid(agent_pid, &status, 0);
}

static int
cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return (x > y) - (x < y);
}

static void
set_up(int fd, const char *name, bool up)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
        die("SIOCGIFFLAGS");
    if (up)
        ifr.ifr_flags |= IFF_UP;
    else
        ifr.ifr_flags &= ~IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
        die("SIOCSIFFLAGS");
}

static int
latency(const char *agent, int flaps)
{
    int n = 2 * flaps, got = 0, missed = 0;
    long long *lat = calloc((size_t)n, sizeof(*lat));
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    char *l;

    run("ip link set lo up && ip link add bv0 type veth peer name bv1 && ip link set bv1 up");
    start_agent(agent);
    while ((l = next_line(2000)) && !strstr(l, "\"type\":\"inventory\""))
        ;
    while (next_line(50))
        ;
    for (int i = 0; i < n; i++) {
        bool up = i % 2 == 0;
        const char *want = up ? "\"kind\":\"link-changed\",\"object\":\"bv0\",\"before\":\"down"
                              : "\"kind\":\"link-changed\",\"object\":\"bv0\",\"before\":\"up";
        long long t0 = ccnc_now_mono_us(), t1 = 0;
        set_up(fd, "bv0", up);
        while ((l = next_line(1000)))
            if (strstr(l, want)) {
                t1 = ccnc_now_mono_us();
                break;
            }
        if (t1)
            lat[got++] = t1 - t0;
        else
            missed++;
        while (next_line(8)) /* the rest of this change's lines */
            ;
    }
    stop_agent();
    qsort(lat, (size_t)got, sizeof(*lat), cmp_ll);
    if (got == 0) {
        printf("no events seen\n");
        return 1;
    }
    printf("transitions %d (%d flaps), events seen %d, missed %d\n", n, flaps, got, missed);
    printf("change -> event line: min %.2f ms  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
           lat[0] / 1000.0, lat[got / 2] / 1000.0, lat[got * 9 / 10] / 1000.0,
           lat[got * 99 / 100] / 1000.0, lat[got - 1] / 1000.0);
    free(lat);
    close(fd);
    return missed ? 1 : 0;
}

static long
proc_field(const char *file, const char *key)
{
    char path[64], line[256];
    FILE *f;
    long v = -1;

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)agent_pid, file);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, strlen(key)) == 0)
            v = atol(line + strlen(key));
    fclose(f);
    return v;
}

static long long
cpu_ticks(void)
{
    char path[64], text[1024], *p;
    unsigned long utime, stime;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)agent_pid);
    if (!(f = fopen(path, "r")))
        die("stat");
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    p = strrchr(text, ')');
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                     &stime) != 2)
        die("stat format");
    return (long long)(utime + stime);
}

static int
footprint(const char *agent, int links, int seconds)
{
    char path[] = "/tmp/agent-bench-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    size_t inv_len = 0;
    long long t0, c0, c1;
    char *l, cmd[128];

    for (int i = 0; i < links / 2; i++)
        fprintf(f, "link add bv%da type veth peer name bv%db\n", i, i);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "ip link set lo up && ip -batch %s", path);
    run(cmd);
    unlink(path);
    start_agent(agent);
    while ((l = next_line(5000)) && !strstr(l, "\"type\":\"inventory\""))
        ;
    if (l)
        inv_len = strlen(l);
    while (next_line(1000))
        ;
    c0 = cpu_ticks();
    t0 = ccnc_now_mono_us();
    while (ccnc_now_mono_us() - t0 < (long long)seconds * 1000000)
        (void)next_line(1000);
    c1 = cpu_ticks();
    printf("links %d, inventory line %zu bytes\n", links + 1, inv_len);
    printf("RSS %ld kB (peak %ld kB)\n", proc_field("status", "VmRSS:"),
           proc_field("status", "VmHWM:"));
    printf("idle CPU over %d s: %lld ticks = %.3f %% of a core\n", seconds, c1 - c0,
           100.0 * (double)(c1 - c0) / (double)sysconf(_SC_CLK_TCK) / seconds);
    stop_agent();
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: agent-bench latency AGENT [FLAPS]\n"
                        "       agent-bench footprint AGENT [LINKS] [SECONDS]\n");
        return 2;
    }
    if (unshare(CLONE_NEWNET) < 0) {
        perror("agent-bench: unshare(CLONE_NEWNET) (needs root)");
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(argv[1], "latency") == 0)
        return latency(argv[2], argc > 3 ? atoi(argv[3]) : 1000);
    if (strcmp(argv[1], "footprint") == 0)
        return footprint(argv[2], argc > 3 ? atoi(argv[3]) : 200, argc > 4 ? atoi(argv[4]) : 60);
    fprintf(stderr, "agent-bench: unknown benchmark '%s'\n", argv[1]);
    return 2;
}
