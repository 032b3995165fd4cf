/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the kernel's files under a root: /sys/class/net for links (the
 * offline source and the fallback without netlink), link speeds, VF
 * addresses, and bonds from /proc/net/bonding or sysfs. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccnc/bonding.h>

#include "agent/agent.h"
#include "core/i18n.h"

#define MAX_ATTR 65536

static char *vpath(const char *fmt, va_list ap) CCNC_PRINTF(1, 0);

static char *
vpath(const char *fmt, va_list ap)
{
    return ccnc_xvasprintf(fmt, ap);
}

static char *
read_path(const char *path, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf;
    size_t len = 0;

    if (fd < 0)
        return NULL;
    buf = ccnc_xmalloc(MAX_ATTR + 1);
    for (;;) {
        ssize_t r = read(fd, buf + len, MAX_ATTR - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0 || (len += (size_t)r) == MAX_ATTR)
            break;
    }
    close(fd);
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
}

char *
ccnc_sysfs_read(const char *fmt, ...)
{
    va_list ap;
    char *path, *buf, *s, *e;

    va_start(ap, fmt);
    path = vpath(fmt, ap);
    va_end(ap);
    buf = read_path(path, NULL);
    free(path);
    if (!buf)
        return NULL;
    for (s = buf; *s == ' ' || *s == '\t' || *s == '\n'; s++)
        ;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
        *--e = '\0';
    memmove(buf, s, (size_t)(e - s) + 1);
    return buf;
}

static int
parse_ll(const char *s, long long *out)
{
    char *end;
    long long v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtoll(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int
ccnc_sysfs_read_ll(long long *out, const char *fmt, ...)
{
    va_list ap;
    char *path, *s;
    int rc;

    va_start(ap, fmt);
    path = vpath(fmt, ap);
    va_end(ap);
    s = ccnc_sysfs_read("%s", path);
    free(path);
    rc = parse_ll(s, out);
    free(s);
    return rc;
}

char *
ccnc_sysfs_link_name(const char *fmt, ...)
{
    va_list ap;
    char *path, target[PATH_MAX], *slash;
    ssize_t n;

    va_start(ap, fmt);
    path = vpath(fmt, ap);
    va_end(ap);
    n = readlink(path, target, sizeof(target) - 1);
    free(path);
    if (n <= 0)
        return NULL;
    target[n] = '\0';
    slash = strrchr(target, '/');
    return ccnc_xstrdup(slash ? slash + 1 : target);
}

int
ccnc_sysfs_write(const char *path, const char *value, struct ccnc_error *err)
{
    /* the path is resolved (or the live one): a link here is not followed */
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    size_t len = strlen(value);
    ssize_t w;

    if (fd < 0)
        return ccnc_error_set(err, CCNC_ERR_IO, _("cannot open '%s': %s"), path,
                              strerror(errno));
    w = write(fd, value, len);
    if (w < 0 || (size_t)w != len) {
        int e = w < 0 ? errno : EIO;
        close(fd);
        /* TRANSLATORS: the driver refused a value written to a sysfs file */
        return ccnc_error_set(err, CCNC_ERR_IO, _("the driver refused '%s' in '%s': %s"), value,
                              path, strerror(e));
    }
    if (close(fd) < 0)
        return ccnc_error_set(err, CCNC_ERR_IO, _("the driver refused '%s' in '%s': %s"), value,
                              path, strerror(errno));
    return 0;
}

/* ROOT/REL, a file of PF's SR-IOV attributes, with every link followed:
 * NULL and err when it is missing or leads out of ROOT (a captured tree
 * under --root whose "device" link points elsewhere must not make the
 * agent write there).  The live system ("") has nothing outside. */
static char *
resolve_under(const char *root, const char *rel, const char *pf, struct ccnc_error *err)
{
    char *path = ccnc_xasprintf("%s/%s", root, rel), *real = NULL, *real_root = NULL;
    size_t n;

    real = realpath(path, NULL);
    if (!real) {
        ccnc_error_set(err, CCNC_ERR_IO, _("'%s' has no SR-IOV capability (no '%s')"), pf, path);
        goto fail;
    }
    if (!*root) {
        /* the path as the operator knows it, not /sys/devices/... */
        free(real);
        return path;
    }
    real_root = realpath(root, NULL);
    if (!real_root) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot read '%s': %s"), root, strerror(errno));
        goto fail;
    }
    n = strlen(real_root);
    if (strcmp(real_root, "/") != 0 &&
        (strncmp(real, real_root, n) != 0 || (real[n] != '/' && real[n] != '\0'))) {
        /* TRANSLATORS: a path under --root DIR that is a link to a file elsewhere */
        ccnc_error_set(err, CCNC_ERR_USAGE, _("'%s' leads out of the root '%s' (to '%s'): "
                                              "nothing was written"), path, root, real);
        goto fail;
    }
    free(path);
    free(real_root);
    return real;
fail:
    free(path);
    free(real);
    free(real_root);
    return NULL;
}

int
ccnc_sysfs_set_numvfs(const char *root, const char *pf, int num_vfs, ccnc_sysfs_writer write,
                      struct ccnc_error *err)
{
    char *rel = ccnc_xasprintf("sys/class/net/%s/device/sriov_numvfs", pf);
    char *rel_total = ccnc_xasprintf("sys/class/net/%s/device/sriov_totalvfs", pf);
    char *path = NULL, *total_path = NULL, *value = ccnc_xasprintf("%d", num_vfs), *old = NULL;
    struct ccnc_error werr = { 0 }, rerr = { 0 };
    long long cur, total;
    int rc = -1;

    if (!(path = resolve_under(root, rel, pf, err)) ||
        !(total_path = resolve_under(root, rel_total, pf, err)))
        goto cleanup;
    if (ccnc_sysfs_read_ll(&cur, "%s", path) < 0 || cur < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot read the number of VFs from '%s'"), path);
        goto cleanup;
    }
    if (ccnc_sysfs_read_ll(&total, "%s", total_path) < 0 || total < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot read the number of VFs from '%s'"),
                       total_path);
        goto cleanup;
    }
    /* the kernel would refuse it too, but only after the count went to 0 */
    if (num_vfs > total) {
        ccnc_error_set(err, CCNC_ERR_USAGE,
                       dngettext(PACKAGE, "'%s' has at most %lld VF, not %d; nothing was changed",
                                 "'%s' has at most %lld VFs, not %d; nothing was changed", total),
                       pf, total, num_vfs);
        goto cleanup;
    }
    if (cur == num_vfs) {
        rc = 0;
        goto cleanup;
    }
    /* the kernel takes a new count only from zero */
    if (cur != 0 && num_vfs != 0 && write(path, "0", err) < 0)
        goto cleanup;
    if (write(path, value, &werr) == 0) {
        rc = 0;
        goto cleanup;
    }
    if (cur == 0 || num_vfs == 0) {
        /* nothing was taken away: the port has what it had */
        if (err)
            ccnc_error_copy(err, &werr);
        goto cleanup;
    }
    /* 0 was written on the way: put the old count back, and say where the
     * port stands */
    old = ccnc_xasprintf("%lld", cur);
    if (write(path, old, &rerr) == 0)
        ccnc_error_set(err, CCNC_ERR_IO,
                       /* TRANSLATORS: the first %s is the driver's refusal */
                       dngettext(PACKAGE, "%s; the port has its %lld VF back",
                                 "%s; the port has its %lld VFs back", cur),
                       werr.message ? werr.message : _("failed"), cur);
    else
        ccnc_error_set(err, CCNC_ERR_IO,
                       dngettext(PACKAGE,
                                 /* TRANSLATORS: the first %s is the driver's refusal, the
                                  * second the refusal of the old count */
                                 "%s; putting its %lld VF back failed too (%s): the port has 0 "
                                 "VFs now",
                                 "%s; putting its %lld VFs back failed too (%s): the port has 0 "
                                 "VFs now",
                                 cur),
                       werr.message ? werr.message : _("failed"), cur,
                       rerr.message ? rerr.message : _("failed"));
cleanup:
    ccnc_error_clear(&werr);
    ccnc_error_clear(&rerr);
    free(old);
    free(value);
    free(total_path);
    free(path);
    free(rel_total);
    free(rel);
    return rc;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in a directory (no dot files); *n set.  NULL when absent. */
static char **
list_dir(const char *path, size_t *n)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char **names = NULL;
    size_t cap = 0;

    *n = 0;
    if (!d)
        return NULL;
    while ((de = readdir(d))) {
        char **slot;
        if (de->d_name[0] == '.')
            continue;
        slot = ccnc_array_push(&names, n, &cap, sizeof(*names));
        *slot = ccnc_xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof(*names), cmp_names);
    else
        names = ccnc_xcalloc(1, sizeof(*names)); /* empty, but there */
    return names;
}

static void
free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int
ccnc_sysfs_link_speed(const char *root, const char *name)
{
    long long v;

    /* reading speed of a link that is down fails with EINVAL: unknown */
    if (ccnc_sysfs_read_ll(&v, "%s/sys/class/net/%s/speed", root, name) < 0 || v < 0 ||
        v > INT_MAX)
        return CCNC_UNKNOWN;
    return (int)v;
}

char *
ccnc_sysfs_vf_pci(const char *root, const char *pf, int index)
{
    return ccnc_sysfs_link_name("%s/sys/class/net/%s/device/virtfn%d", root, pf, index);
}

/* DEVTYPE from uevent, or what the directory holds. */
static char *
link_kind(const char *dir)
{
    char *uevent = ccnc_sysfs_read("%s/uevent", dir), *kind = NULL;
    struct stat st;

    if (uevent) {
        char *p = strstr(uevent, "DEVTYPE=");
        if (p && (p == uevent || p[-1] == '\n')) {
            p += 8;
            kind = ccnc_xstrndup(p, strcspn(p, "\n"));
        }
        free(uevent);
    }
    if (!kind) {
        char *p = ccnc_xasprintf("%s/bonding", dir);
        if (stat(p, &st) == 0)
            kind = ccnc_xstrdup("bond");
        free(p);
    }
    if (!kind) {
        char *p = ccnc_xasprintf("%s/bridge", dir);
        if (stat(p, &st) == 0)
            kind = ccnc_xstrdup("bridge");
        free(p);
    }
    return kind;
}

int
ccnc_sysfs_read_links(const char *root, struct ccnc_host *host, struct ccnc_error *err)
{
    char *base = ccnc_xasprintf("%s/sys/class/net", root);
    size_t n;
    char **names = list_dir(base, &n);

    if (!names) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot read '%s': %s"), base, strerror(errno));
        free(base);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char *dir = ccnc_xasprintf("%s/%s", base, names[i]);
        struct stat st;
        struct ccnc_link *l;
        long long v;

        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            free(dir); /* bonding_masters and other files */
            continue;
        }
        l = ccnc_host_add_link(host);
        l->name = ccnc_xstrdup(names[i]);
        if (ccnc_sysfs_read_ll(&v, "%s/ifindex", dir) == 0 && v > 0 && v <= INT_MAX)
            l->ifindex = (int)v;
        l->kind = link_kind(dir);
        l->mac = ccnc_sysfs_read("%s/address", dir);
        if (ccnc_sysfs_read_ll(&v, "%s/mtu", dir) == 0 && v >= 0 && v <= INT_MAX)
            l->mtu = (int)v;
        l->operstate = ccnc_sysfs_read("%s/operstate", dir);
        if (ccnc_sysfs_read_ll(&v, "%s/carrier", dir) == 0 && (v == 0 || v == 1))
            l->carrier = (int)v;
        l->speed_mbps = ccnc_sysfs_link_speed(root, names[i]);
        l->master = ccnc_sysfs_link_name("%s/master", dir);
        free(dir);
    }
    free_names(names, n);
    free(base);
    return 0;
}

/* A bond that cannot be read is still listed (by name, its state unknown)
 * and the reason joins the others in *errors, for host->error. */
static void
bond_error(struct ccnc_host *host, const char *name, const struct ccnc_error *e, char **errors)
{
    struct ccnc_bond *b = ccnc_host_add_bond(host);
    char *msg = ccnc_error_format(e), *joined;

    b->name = ccnc_xstrdup(name);
    joined = *errors ? ccnc_xasprintf("%s; %s", *errors, msg) : ccnc_xstrdup(msg);
    free(*errors);
    *errors = joined;
    free(msg);
}

int
ccnc_sysfs_read_bonds(const char *root, struct ccnc_host *host, struct ccnc_error *err)
{
    char *procdir = ccnc_xasprintf("%s/proc/net/bonding", root);
    char *netdir = ccnc_xasprintf("%s/sys/class/net", root);
    size_t n;
    char **names = list_dir(procdir, &n);
    bool from_proc = names != NULL;
    char *errors = NULL;
    int rc_all = 0;

    if (!names) {
        /* no /proc/net/bonding: the bonds sysfs knows */
        char *masters = ccnc_sysfs_read("%s/bonding_masters", netdir);
        size_t cap = 0;
        if (masters) {
            for (char *save = NULL, *t = strtok_r(masters, " \t\n", &save); t;
                 t = strtok_r(NULL, " \t\n", &save)) {
                char **slot = ccnc_array_push(&names, &n, &cap, sizeof(*names));
                *slot = ccnc_xstrdup(t);
            }
            free(masters);
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct ccnc_bond bond;
        struct ccnc_error e = { 0 };
        int rc;

        ccnc_bond_init(&bond);
        if (from_proc) {
            char *path = ccnc_xasprintf("%s/%s", procdir, names[i]);
            rc = ccnc_bonding_read_proc(path, names[i], &bond, &e);
            free(path);
        } else {
            char *dir = ccnc_xasprintf("%s/%s", netdir, names[i]);
            rc = ccnc_bonding_read_sysfs(dir, names[i], &bond, &e);
            free(dir);
        }
        if (rc == 0) {
            struct ccnc_bond *b = ccnc_host_add_bond(host);
            *b = bond;
        } else {
            ccnc_bond_clear(&bond);
            bond_error(host, names[i], &e, &errors);
        }
        ccnc_error_clear(&e);
    }
    free_names(names, n);
    free(procdir);
    free(netdir);
    if (errors) {
        rc_all = ccnc_error_set(err, CCNC_ERR_PARSE, "%s", errors);
        free(errors);
    }
    return rc_all;
}
