/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sriov-numvfs request on a temporary sysfs-like tree: the count is
 * checked against sriov_totalvfs before anything is written, a count the
 * driver refuses puts the old one back (a stand-in writer plays the
 * driver), and nothing is written outside the root. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "check-ccnc.h"

#define DEV "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0"

/* Where the PF's files are, and what leads there. */
enum layout {
    LAYOUT_SYSFS,           /* class/net/eth1 and device are links inside the root */
    LAYOUT_NO_TOTAL,        /* no sriov_totalvfs */
    LAYOUT_DEVICE_ABS_OUT,  /* device -> /abs/path/outside */
    LAYOUT_DEVICE_REL_OUT,  /* device -> ../../../../../../../../outside */
    LAYOUT_NUMVFS_OUT,      /* sriov_numvfs -> /abs/path/outside/sriov_numvfs */
    LAYOUT_PF_OUT,          /* class/net/eth1 -> /abs/path/outside-net/eth1 */
};

static const struct numvfs_case {
    const char *what;
    enum layout layout;
    int cur, total, ask;
    int refuse_above;      /* the driver refuses counts above this */
    bool refuse_restore;   /* ... and, once it refused, every other non-zero one */
    int rc, after;         /* after: sriov_numvfs afterwards (in the root or outside) */
    const char *writes;    /* the values written, in order, ' '-separated */
    const char *error;     /* a part of the error, NULL when rc is 0 */
    const char *error2;    /* another part, or NULL */
} cases[] = {
    { "0 to 4", LAYOUT_SYSFS, 0, 7, 4, INT_MAX, false, 0, 4, "4", NULL },
    { "4 to 2 through 0", LAYOUT_SYSFS, 4, 7, 2, INT_MAX, false, 0, 2, "0 2", NULL },
    { "4 to 4 writes nothing", LAYOUT_SYSFS, 4, 7, 4, INT_MAX, false, 0, 4, "", NULL },
    { "2 to 0", LAYOUT_SYSFS, 2, 7, 0, INT_MAX, false, 0, 0, "0", NULL },
    { "all of them", LAYOUT_SYSFS, 0, 7, 7, INT_MAX, false, 0, 7, "7", NULL },
    { "more than sriov_totalvfs", LAYOUT_SYSFS, 2, 7, 8, INT_MAX, false, -1, 2, "",
      "'eth1' has at most 7 VFs, not 8; nothing was changed" },
    { "far more than sriov_totalvfs", LAYOUT_SYSFS, 0, 7, 65535, INT_MAX, false, -1, 0, "",
      "at most 7 VFs" },
    { "no sriov_totalvfs", LAYOUT_NO_TOTAL, 0, 7, 2, INT_MAX, false, -1, 0, "",
      "has no SR-IOV capability" },
    { "refused: the old count back", LAYOUT_SYSFS, 4, 7, 6, 5, false, -1, 4, "0 6 4",
      "refused '6'", "; the port has its 4 VFs back" },
    { "refused, the old count refused too", LAYOUT_SYSFS, 4, 7, 6, 5, true, -1, 0, "0 6 4",
      "; putting its 4 VFs back failed too (", "): the port has 0 VFs now" },
    { "refused from 0", LAYOUT_SYSFS, 0, 7, 6, 5, false, -1, 0, "6", "refused '6'", NULL },
    { "device leads out (absolute)", LAYOUT_DEVICE_ABS_OUT, 0, 7, 4, INT_MAX, false, -1, 0, "",
      "leads out of the root" },
    { "device leads out (..)", LAYOUT_DEVICE_REL_OUT, 0, 7, 4, INT_MAX, false, -1, 0, "",
      "leads out of the root" },
    { "sriov_numvfs leads out", LAYOUT_NUMVFS_OUT, 0, 7, 4, INT_MAX, false, -1, 0, "",
      "leads out of the root" },
    { "the PF leads out", LAYOUT_PF_OUT, 0, 7, 4, INT_MAX, false, -1, 0, "",
      "leads out of the root" },
};

/* The stand-in driver (each test runs in a process of its own). */
static const struct numvfs_case *driver;
static char written[256];
static bool refused_once;

static int
fake_write(const char *path, const char *value, struct ccnc_error *err)
{
    int n = atoi(value);

    snprintf(written + strlen(written), sizeof(written) - strlen(written), "%s%s",
             written[0] ? " " : "", value);
    if (n > driver->refuse_above || (n != 0 && refused_once && driver->refuse_restore)) {
        refused_once = true;
        return ccnc_error_set(err, CCNC_ERR_IO, "the driver refused '%s' in '%s': %s", value,
                              path, strerror(ERANGE));
    }
    return ccnc_sysfs_write(path, value, err);
}

static void
put(const char *dir, const char *name, const char *text)
{
    char *path = ccnc_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");

    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    free(path);
}

static void
mkdirs(const char *path)
{
    char *p = ccnc_xstrdup(path);

    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    ck_assert_msg(mkdir(p, 0755) == 0 || errno == EEXIST, "mkdir %s", p);
    free(p);
}

static void
link_to(const char *target, const char *dir, const char *name)
{
    char *path = ccnc_xasprintf("%s/%s", dir, name);

    ck_assert_msg(symlink(target, path) == 0, "symlink %s", path);
    free(path);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static long long
read_count(const char *dir)
{
    char *path = ccnc_xasprintf("%s/sriov_numvfs", dir);
    char *text = ccnc_test_read(path, NULL);
    long long n = atoll(text);

    free(text);
    free(path);
    return n;
}

START_TEST(test_set_numvfs)
{
    const struct numvfs_case *c = &cases[_i];
    const char *tmpdir = getenv("TMPDIR");
    char *tmp = ccnc_xasprintf("%s/ccnc-numvfs-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    char *root, *dev, *netdir, *classnet, *outside, *outnet, *cur, *total;
    struct ccnc_error err = { 0 };
    long long after, after_outside;
    int rc;

    ck_assert_ptr_nonnull(mkdtemp(tmp));
    root = ccnc_xasprintf("%s/root", tmp);
    dev = ccnc_xasprintf("%s/" DEV, root);
    netdir = ccnc_xasprintf("%s/net/eth1", dev);
    classnet = ccnc_xasprintf("%s/sys/class/net", root);
    outside = ccnc_xasprintf("%s/outside", tmp);
    outnet = ccnc_xasprintf("%s/outside-net/eth1", tmp);
    cur = ccnc_xasprintf("%d\n", c->cur);
    total = ccnc_xasprintf("%d\n", c->total);
    mkdirs(netdir);
    mkdirs(classnet);
    mkdirs(outside);
    /* the files the request must not touch when the tree leads out */
    put(outside, "sriov_numvfs", cur);
    put(outside, "sriov_totalvfs", total);
    put(dev, "sriov_numvfs", cur);
    if (c->layout != LAYOUT_NO_TOTAL)
        put(dev, "sriov_totalvfs", total);
    link_to("../../devices/pci0000:00/0000:00:01.0/0000:01:00.0/net/eth1", classnet, "eth1");
    switch (c->layout) {
    case LAYOUT_SYSFS:
    case LAYOUT_NO_TOTAL:
        link_to("../../../0000:01:00.0", netdir, "device");
        break;
    case LAYOUT_DEVICE_ABS_OUT:
        link_to(outside, netdir, "device");
        break;
    case LAYOUT_DEVICE_REL_OUT:
        link_to("../../../../../../../../outside", netdir, "device");
        break;
    case LAYOUT_NUMVFS_OUT: {
        char *target = ccnc_xasprintf("%s/sriov_numvfs", outside);
        char *path = ccnc_xasprintf("%s/sriov_numvfs", dev);
        unlink(path);
        link_to(target, dev, "sriov_numvfs");
        link_to("../../../0000:01:00.0", netdir, "device");
        free(path);
        free(target);
        break;
    }
    case LAYOUT_PF_OUT: {
        char *path = ccnc_xasprintf("%s/eth1", classnet);
        mkdirs(outnet);
        link_to(outside, outnet, "device");
        unlink(path);
        link_to(outnet, classnet, "eth1");
        free(path);
        break;
    }
    }

    driver = c;
    written[0] = '\0';
    refused_once = false;
    rc = ccnc_sysfs_set_numvfs(root, "eth1", c->ask, fake_write, &err);
    after = read_count(c->layout >= LAYOUT_DEVICE_ABS_OUT ? outside : dev);
    after_outside = read_count(outside);
    ck_assert_int_eq(nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);

    ck_assert_msg(rc == c->rc, "%s: rc %d (%s)", c->what, rc, err.message);
    if (c->error)
        ck_assert_msg(err.message && strstr(err.message, c->error), "%s: %s", c->what,
                      err.message);
    if (c->error2)
        ck_assert_msg(err.message && strstr(err.message, c->error2), "%s: %s", c->what,
                      err.message);
    ck_assert_msg(strcmp(written, c->writes) == 0, "%s: wrote '%s', not '%s'", c->what, written,
                  c->writes);
    ck_assert_msg(after == c->after, "%s: sriov_numvfs %lld, not %d", c->what, after, c->after);
    ck_assert_msg(after_outside == c->cur, "%s: the file outside the root was written", c->what);
    ccnc_error_clear(&err);
    free(total);
    free(cur);
    free(outnet);
    free(outside);
    free(classnet);
    free(netdir);
    free(dev);
    free(root);
    free(tmp);
}
END_TEST

Suite *
ccnc_agent_sysfs_suite(void)
{
    Suite *s = suite_create("agent-sysfs");
    TCase *tc = tcase_create("numvfs");

    tcase_add_loop_test(tc, test_set_numvfs, 0, (int)CCNC_ARRAY_SIZE(cases));
    suite_add_tcase(s, tc);
    return s;
}
