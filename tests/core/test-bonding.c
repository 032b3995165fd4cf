/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The /proc/net/bonding and sysfs bonding readers on every captured file in
 * tests/data/bonding, on malformed text, and on every prefix of the real
 * files (none may crash or leak). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccnc/bonding.h>

#include "check-ccnc.h"

#define U CCNC_UNKNOWN
#define A CCNC_SLAVE_ACTIVE
#define B CCNC_SLAVE_BACKUP

struct want_slave {
    const char *name;
    enum ccnc_slave_state state;
    const char *mii;
    int link_failures;
    int speed;
    const char *perm;
};

struct want_bond {
    const char *file;
    const char *section;  /* checkmk's "==> bondN <==" section, or NULL */
    int mode;
    const char *primary, *active, *mii;
    int miimon, updelay, downdelay, arp;
    size_t n_slaves;
    struct want_slave slaves[2];
};

static const struct want_bond cases[] = {
    { "procbond_checkmk_lnx_bonding_agent_section_two_bonds.txt", "bond0",
      CCNC_BOND_MODE_BALANCE_RR, NULL, NULL, "down", 0, 0, 0, U, 0, { { 0 } } },
    { "procbond_checkmk_lnx_bonding_agent_section_two_bonds.txt", "bond1",
      CCNC_BOND_MODE_ACTIVE_BACKUP, "eth0", "eth0", "up", 100, 0, 0, U, 2,
      { { "eth4", B, "up", 0, U, "00:1b:21:49:d4:e4" },
        { "eth0", A, "up", 1, U, "00:26:b9:7d:89:2e" } } },
    { "procbond_insights_BONDINFO_1_balance-rr.txt", NULL,
      CCNC_BOND_MODE_BALANCE_RR, NULL, NULL, "up", 100, 0, 0, U, 2,
      { { "eno1", A, "up", 0, 1000, "2c:44:fd:80:5c:f8" },
        { "eno2", A, "up", 0, 1000, "2c:44:fd:80:5c:f9" } } },
    { "procbond_insights_BONDINFO_MODE_2_balance-xor.txt", NULL,
      CCNC_BOND_MODE_BALANCE_XOR, NULL, NULL, "up", 100, 0, 0, U, 2,
      { { "eno1", A, "up", 0, 1000, "2c:44:fd:80:5c:f8" },
        { "eno2", A, "up", 0, 1000, "2c:44:fd:80:5c:f9" } } },
    /* slaves in different aggregators: only the active one's is active */
    { "procbond_insights_BONDINFO_MODE_4_802.3ad_old_v3.2.4.txt", NULL,
      CCNC_BOND_MODE_8023AD, NULL, NULL, "up", 500, 0, 0, U, 2,
      { { "eth1", A, "up", 0, 1000, "00:16:35:5e:42:fc" },
        { "eth2", B, "up", 0, 1000, "00:16:35:5e:02:7e" } } },
    { "procbond_insights_BONDINFO_MODE_5_active-backup.txt", NULL,
      CCNC_BOND_MODE_ACTIVE_BACKUP, NULL, "enp17s0f0", "up", 100, 0, 0, U, 2,
      { { "enp17s0f0", A, "up", 0, 10000, "00:1f:f3:af:d3:f0" },
        { "enp17s0f1", B, "up", 0, 10000, "00:1f:f3:af:d3:f1" } } },
    { "procbond_insights_BONDINFO_MODE_7_active-backup_arp.txt", NULL,
      CCNC_BOND_MODE_ACTIVE_BACKUP, "em3", "em3", "up", 0, 0, 0, 1000, 2,
      { { "em3", A, "up", 92028, 1000, "00:1f:f3:af:d3:f1" },
        { "p2p3", B, "up", 71524, 1000, "00:1f:f3:af:d3:f1" } } },
    { "procbond_insights_BOND_MODE_4_802.3ad_churned_slave_down.txt", NULL,
      CCNC_BOND_MODE_8023AD, NULL, NULL, "up", 100, 2000, 1000, U, 2,
      { { "enp0s9", A, "up", 0, 1000, "08:00:27:99:a3:6b" },
        { "enp0s8", B, "down", 0, U, "08:00:27:a2:8d:f5" } } },
    /* no active aggregator: no slave carries traffic */
    { "procbond_telegraf_sampleTest802_no_active_aggregator.txt", NULL,
      CCNC_BOND_MODE_8023AD, NULL, NULL, "up", 100, 0, 0, U, 2,
      { { "eth1", B, "up", 0, U, "00:0c:29:f5:b7:11" },
        { "eth2", B, "up", 3, U, "00:0c:29:f5:b7:1b" } } },
    { "procbond_telegraf_sampleTestAB_slave_down.txt", NULL,
      CCNC_BOND_MODE_ACTIVE_BACKUP, "eth2", "eth2", "up", 100, 0, 0, U, 2,
      { { "eth3", B, "down", 2, 1000, NULL },
        { "eth2", A, "up", 0, 100, NULL } } },
    { "procbond_telegraf_sampleTestLACPFirstUpSecondDown.txt", NULL,
      CCNC_BOND_MODE_8023AD, NULL, NULL, "up", 100, 0, 0, U, 2,
      { { "eth0", B, "up", 2, 10000, "3c:ec:ef:5e:71:58" },
        { "eth1", B, "down", 1, U, "3c:ec:ef:5e:71:59" } } },
    { "synthetic_2004_v2.6.0_active-backup_no_active.txt", NULL,
      CCNC_BOND_MODE_ACTIVE_BACKUP, NULL, NULL, "down", 100, 0, 0, U, 2,
      { { "eth0", B, "down", 4, U, "00:0d:56:11:22:33" },
        { "eth1", B, "down", 2, U, "00:0d:56:11:22:34" } } },
    { "synthetic_padded_crlf_active-backup.txt", NULL,
      CCNC_BOND_MODE_ACTIVE_BACKUP, "ens3", "ens4", "up", 100, 0, 0, U, 2,
      { { "ens3", B, "down", 7, U, "52:54:00:aa:bb:01" },
        { "ens4", A, "up", 0, 1000, "52:54:00:aa:bb:02" } } },
};

/* The text of one "==> NAME <==" section of a checkmk agent output. */
static char *
section(const char *text, const char *name)
{
    char *mark = ccnc_xasprintf("==> %s <==\n", name);
    const char *s = strstr(text, mark), *e;

    ck_assert_ptr_nonnull(s);
    s += strlen(mark);
    e = strstr(s, "==> ");
    free(mark);
    return ccnc_xstrndup(s, e ? (size_t)(e - s) : strlen(s));
}

static void
check_bond(const struct ccnc_bond *b, const struct want_bond *w)
{
    ck_assert_int_eq(b->mode, w->mode);
    ck_assert_pstr_eq(b->primary, w->primary);
    ck_assert_pstr_eq(b->active_slave, w->active);
    ck_assert_pstr_eq(b->mii_status, w->mii);
    ck_assert_int_eq(b->miimon_ms, w->miimon);
    ck_assert_int_eq(b->updelay_ms, w->updelay);
    ck_assert_int_eq(b->downdelay_ms, w->downdelay);
    ck_assert_int_eq(b->arp_interval_ms, w->arp);
    ck_assert_uint_eq(b->n_slaves, w->n_slaves);
    for (size_t i = 0; i < w->n_slaves; i++) {
        const struct ccnc_bond_slave *s = &b->slaves[i];
        const struct want_slave *ws = &w->slaves[i];
        ck_assert_str_eq(s->name, ws->name);
        ck_assert_msg(s->state == ws->state, "%s: slave %s state %d", w->file, s->name,
                      s->state);
        ck_assert_pstr_eq(s->mii_status, ws->mii);
        ck_assert_int_eq(s->link_failures, ws->link_failures);
        ck_assert_int_eq(s->speed_mbps, ws->speed);
        ck_assert_pstr_eq(s->perm_hwaddr, ws->perm);
    }
}

START_TEST(test_proc_fixture)
{
    const struct want_bond *w = &cases[_i];
    char *rel = ccnc_xasprintf("bonding/%s", w->file), *path = ccnc_test_data(rel);
    char *text = ccnc_test_read(path, NULL), *part;
    struct ccnc_bond b;
    struct ccnc_error err = { 0 };

    part = w->section ? section(text, w->section) : ccnc_xstrdup(text);
    ccnc_bond_init(&b);
    ck_assert_msg(ccnc_bonding_parse_proc("bond0", part, strlen(part), &b, &err) == 0,
                  "%s: %s", w->file, err.message);
    ck_assert_str_eq(b.name, "bond0");
    check_bond(&b, w);
    ccnc_bond_clear(&b);
    free(part);
    free(text);
    free(path);
    free(rel);
}
END_TEST

/* Every prefix of every real file either parses or fails cleanly. */
START_TEST(test_proc_prefixes)
{
    const struct want_bond *w = &cases[_i];
    char *rel = ccnc_xasprintf("bonding/%s", w->file), *path = ccnc_test_data(rel);
    size_t len;
    char *text = ccnc_test_read(path, &len);

    for (size_t n = 0; n <= len; n++) {
        struct ccnc_bond b;
        struct ccnc_error err = { 0 };
        char *copy = ccnc_xstrndup(text, n); /* exact size: ASan sees overreads */
        int rc;
        ccnc_bond_init(&b);
        rc = ccnc_bonding_parse_proc(NULL, copy, n, &b, &err);
        ck_assert(rc == 0 || (rc == -1 && err.message != NULL));
        ccnc_bond_clear(&b);
        ccnc_error_clear(&err);
        free(copy);
    }
    free(text);
    free(path);
    free(rel);
}
END_TEST

static const char *const malformed[] = {
    "",
    "\n\n\n",
    "hello world\n",
    "Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n\nMII Status: up\n",
    "Bonding Mode: active-backup\nBonding Mode: balance-rr\n",
    "Bonding Mode: active-backup\nMII Polling Interval (ms): lots\n",
    "Bonding Mode: active-backup\nUp Delay (ms): 99999999999999999999\n",
    "Bonding Mode: active-backup\n\nSlave Interface:\nMII Status: up\n",
    "Bonding Mode: active-backup\n\nSlave Interface: eth0\n\nSlave Interface: eth0\n",
    "Bonding Mode: active-backup\n\nSlave Interface: eth0\nLink Failure Count: -3\n",
    "Bonding Mode: active-backup\n\x01\x02\x03\n",
};

START_TEST(test_proc_malformed)
{
    struct ccnc_bond b;
    struct ccnc_error err = { 0 };

    ccnc_bond_init(&b);
    ck_assert_int_eq(ccnc_bonding_parse_proc("bond0", malformed[_i], strlen(malformed[_i]), &b,
                                             &err), -1);
    ck_assert_ptr_nonnull(err.message);
    ck_assert_int_eq(err.code, CCNC_ERR_PARSE);
    ccnc_bond_clear(&b);
    ccnc_error_clear(&err);
}
END_TEST

START_TEST(test_proc_nul_inside)
{
    static const char text[] = "Bonding Mode: active-backup\0\nMII Status: up\n";
    struct ccnc_bond b;
    struct ccnc_error err = { 0 };

    ccnc_bond_init(&b);
    ck_assert_int_eq(ccnc_bonding_parse_proc(NULL, text, sizeof(text) - 1, &b, &err), -1);
    ccnc_bond_clear(&b);
    ccnc_error_clear(&err);
}
END_TEST

/* checkmk's output holds two bonds: given whole, that is an error. */
START_TEST(test_proc_two_bonds)
{
    char *path = ccnc_test_data("bonding/procbond_checkmk_lnx_bonding_agent_section_two_bonds.txt");
    size_t len;
    char *text = ccnc_test_read(path, &len);
    struct ccnc_bond b;
    struct ccnc_error err = { 0 };

    ccnc_bond_init(&b);
    ck_assert_int_eq(ccnc_bonding_parse_proc("x", text, len, &b, &err), -1);
    ck_assert_int_gt(err.line, 0);
    ccnc_bond_clear(&b);
    ccnc_error_clear(&err);
    free(text);
    free(path);
}
END_TEST

/* A bond of n slaves as /proc/net/bonding shows it (about 150 bytes a
 * slave), written to a temporary file; the caller unlinks and frees it. */
static char *
big_bond_file(int n)
{
    const char *tmpdir = getenv("TMPDIR");
    char *path = ccnc_xasprintf("%s/ccnc-bond-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(path);
    FILE *f;

    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "Ethernet Channel Bonding Driver: v6.1.0\n\n"
               "Bonding Mode: fault-tolerance (active-backup)\n"
               "Primary Slave: None\nCurrently Active Slave: eth%d\nMII Status: up\n"
               "MII Polling Interval (ms): 100\nUp Delay (ms): 0\nDown Delay (ms): 0\n",
            n - 1);
    for (int i = 0; i < n; i++)
        fprintf(f, "\nSlave Interface: eth%d\nMII Status: up\nSpeed: 1000 Mbps\n"
                   "Duplex: full\nLink Failure Count: %d\n"
                   "Permanent HW addr: 52:54:00:%02x:%02x:%02x\nSlave queue ID: 0\n",
                i, i % 7, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* A file is read whole, however long (within the reader's bound), or
 * refused as too long: never cut at a buffer's end and taken for all of it. */
static const struct {
    int slaves;          /* 450: about 70 KiB; 8000: about 1.2 MiB */
    int rc;
} big_files[] = {
    { 2, 0 },
    { 450, 0 },
    { 2000, 0 },
    { 8000, -1 },
};

START_TEST(test_proc_file_size)
{
    int n = big_files[_i].slaves;
    char *path = big_bond_file(n), *last = ccnc_xasprintf("eth%d", n - 1);
    char *mac = ccnc_xasprintf("52:54:00:%02x:%02x:%02x", ((n - 1) >> 16) & 0xff,
                               ((n - 1) >> 8) & 0xff, (n - 1) & 0xff);
    struct stat st;
    struct ccnc_bond b;
    struct ccnc_error err = { 0 };
    int rc;

    ck_assert_int_eq(stat(path, &st), 0);
    ccnc_bond_init(&b);
    rc = ccnc_bonding_read_proc(path, "bond0", &b, &err);
    unlink(path);
    ck_assert_msg(rc == big_files[_i].rc, "%d slaves (%lld bytes): rc %d (%s)", n,
                  (long long)st.st_size, rc, err.message);
    if (rc == 0) {
        ck_assert_uint_eq(b.n_slaves, (size_t)n);
        ck_assert_str_eq(b.slaves[n - 1].name, last);
        ck_assert_str_eq(b.slaves[n - 1].perm_hwaddr, mac);
        ck_assert_int_eq(b.slaves[n - 1].link_failures, (n - 1) % 7);
        ck_assert_int_eq(b.slaves[n - 1].state, CCNC_SLAVE_ACTIVE);
    } else {
        ck_assert_ptr_nonnull(err.message);
        ck_assert_msg(strstr(err.message, "bytes of bonding state"), "%s", err.message);
    }
    ccnc_bond_clear(&b);
    ccnc_error_clear(&err);
    free(mac);
    free(last);
    free(path);
}
END_TEST

static const struct {
    const char *text;
    int mode;
} modes[] = {
    { "load balancing (round-robin)", CCNC_BOND_MODE_BALANCE_RR },
    { "fault-tolerance (active-backup)", CCNC_BOND_MODE_ACTIVE_BACKUP },
    { "load balancing (xor)", CCNC_BOND_MODE_BALANCE_XOR },
    { "fault-tolerance (broadcast)", CCNC_BOND_MODE_BROADCAST },
    { "IEEE 802.3ad Dynamic link aggregation", CCNC_BOND_MODE_8023AD },
    { "transmit load balancing", CCNC_BOND_MODE_BALANCE_TLB },
    { "adaptive load balancing", CCNC_BOND_MODE_BALANCE_ALB },
    { "active-backup 1", CCNC_BOND_MODE_ACTIVE_BACKUP },
    { "balance-alb 6\n", CCNC_BOND_MODE_BALANCE_ALB },
    { "802.3ad 5", CCNC_BOND_MODE_8023AD }, /* the name wins over the number */
    { "  broadcast", CCNC_BOND_MODE_BROADCAST },
    { "4", CCNC_BOND_MODE_8023AD },
    { "7", CCNC_UNKNOWN },
    { "", CCNC_UNKNOWN },
    { "fault-tolerance", CCNC_UNKNOWN },
    { "round-robin", CCNC_UNKNOWN },
};

START_TEST(test_mode_names)
{
    ck_assert_int_eq(ccnc_bonding_mode_from_string(modes[_i].text), modes[_i].mode);
}
END_TEST

/* The fixture is a bonding/ directory by itself: read it through a
 * temporary net device directory whose "bonding" points at it. */
START_TEST(test_sysfs_telegraf)
{
    char *dir = ccnc_test_data("bonding/sysfs_telegraf_bond_bonding_attrs");
    const char *tmpdir = getenv("TMPDIR");
    char *tmp = ccnc_xasprintf("%s/ccnc-bond-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    char *bl;
    struct ccnc_bond b;
    struct ccnc_error err = { 0 };

    ck_assert_ptr_nonnull(mkdtemp(tmp));
    bl = ccnc_xasprintf("%s/bonding", tmp);
    ck_assert_int_eq(symlink(dir, bl), 0);
    ccnc_bond_init(&b);
    ck_assert_msg(ccnc_bonding_read_sysfs(tmp, "bond0", &b, &err) == 0, "%s", err.message);
    unlink(bl);
    rmdir(tmp);
    /* "802.3ad 5": the name wins; "eth0 eth1 " with its trailing space */
    ck_assert_int_eq(b.mode, CCNC_BOND_MODE_8023AD);
    ck_assert_uint_eq(b.n_slaves, 2);
    ck_assert_str_eq(b.slaves[0].name, "eth0");
    ck_assert_str_eq(b.slaves[1].name, "eth1");
    ck_assert_ptr_null(b.active_slave);
    ck_assert_int_eq(b.miimon_ms, CCNC_UNKNOWN);
    ccnc_bond_clear(&b);
    free(bl);
    free(tmp);
    free(dir);
}
END_TEST

START_TEST(test_sysfs_not_a_bond)
{
    char *dir = ccnc_test_data("bonding");
    struct ccnc_bond b;
    struct ccnc_error err = { 0 };

    ccnc_bond_init(&b);
    ck_assert_int_eq(ccnc_bonding_read_sysfs(dir, "x", &b, &err), -1);
    ck_assert_ptr_nonnull(err.message);
    ccnc_bond_clear(&b);
    ccnc_error_clear(&err);
    free(dir);
}
END_TEST

Suite *
ccnc_bonding_suite(void)
{
    Suite *s = suite_create("bonding");
    TCase *tc = tcase_create("proc");

    tcase_add_loop_test(tc, test_proc_fixture, 0, (int)CCNC_ARRAY_SIZE(cases));
    tcase_add_loop_test(tc, test_proc_prefixes, 0, (int)CCNC_ARRAY_SIZE(cases));
    tcase_add_loop_test(tc, test_proc_malformed, 0, (int)CCNC_ARRAY_SIZE(malformed));
    tcase_add_test(tc, test_proc_nul_inside);
    tcase_add_test(tc, test_proc_two_bonds);
    tcase_add_loop_test(tc, test_proc_file_size, 0, (int)CCNC_ARRAY_SIZE(big_files));
    tcase_add_loop_test(tc, test_mode_names, 0, (int)CCNC_ARRAY_SIZE(modes));
    suite_add_tcase(s, tc);
    tc = tcase_create("sysfs");
    tcase_add_test(tc, test_sysfs_telegraf);
    tcase_add_test(tc, test_sysfs_not_a_bond);
    suite_add_tcase(s, tc);
    return s;
}
