/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one reader of Linux bonding state (include/ccnc/bonding.h): the text
 * of /proc/net/bonding/BOND, from the 2004 driver to today's, and the
 * attribute files under /sys/class/net/BOND/bonding/. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/bonding.h>

#include "core/i18n.h"

#define MAX_TEXT CCNC_BONDING_MAX_TEXT

/* The kernel's names for each mode: bond_mode_name() in /proc, and the
 * option names of sysfs and iproute2. */
static const struct {
    const char *proc;
    const char *opt;
} mode_names[CCNC_BOND_MODE_LAST] = {
    { "load balancing (round-robin)", "balance-rr" },
    { "fault-tolerance (active-backup)", "active-backup" },
    { "load balancing (xor)", "balance-xor" },
    { "fault-tolerance (broadcast)", "broadcast" },
    { "IEEE 802.3ad Dynamic link aggregation", "802.3ad" },
    { "transmit load balancing", "balance-tlb" },
    { "adaptive load balancing", "balance-alb" },
};

int
ccnc_bonding_mode_from_string(const char *s)
{
    char word[64];
    size_t n;

    if (!s)
        return CCNC_UNKNOWN;
    while (isspace((unsigned char)*s))
        s++;
    for (int i = 0; i < CCNC_BOND_MODE_LAST; i++)
        if (strcmp(s, mode_names[i].proc) == 0)
            return i;
    /* "active-backup", "active-backup 1" (sysfs), "1" */
    n = strcspn(s, " \t\n");
    if (n == 0 || n >= sizeof(word))
        return CCNC_UNKNOWN;
    memcpy(word, s, n);
    word[n] = '\0';
    for (int i = 0; i < CCNC_BOND_MODE_LAST; i++)
        if (strcmp(word, mode_names[i].opt) == 0)
            return i;
    if (n == 1 && word[0] >= '0' && word[0] < '0' + CCNC_BOND_MODE_LAST)
        return word[0] - '0';
    return CCNC_UNKNOWN;
}

/* --- /proc/net/bonding ------------------------------------------------------ */

static char *
trimmed(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return ccnc_xstrndup(s, n);
}

/* "None", "" and "N/A" say there is nothing. */
static char *
name_or_null(const char *v)
{
    size_t n = strcspn(v, " \t(");

    if (n == 0 || (n == 4 && strncmp(v, "None", 4) == 0) ||
        (n == 3 && strncmp(v, "N/A", 3) == 0))
        return NULL;
    return ccnc_xstrndup(v, n);
}

static int
parse_int(const char *v, int *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno || end == v || n < INT_MIN || n > INT_MAX)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    /* "1000 Mbps" */
    if (*end && strcmp(end, "Mbps") != 0)
        return -1;
    *out = (int)n;
    return 0;
}

struct parse {
    struct ccnc_bond *bond;
    struct ccnc_bond_slave *slave;  /* the current "Slave Interface" section */
    bool have_mode;
    int active_agg;                 /* 802.3ad active aggregator, CCNC_UNKNOWN */
    int *slave_agg;                 /* per slave, parallel to bond->slaves */
    size_t n_slave_agg;
};

static int
bond_line(struct parse *p, const char *key, const char *v, struct ccnc_error *err,
          const char *file, int line)
{
    struct ccnc_bond *b = p->bond;
    int *target = NULL;

    if (strcmp(key, "Bonding Mode") == 0) {
        if (p->have_mode)
            return ccnc_error_set_at(err, CCNC_ERR_PARSE, file, line,
                                     _("a second 'Bonding Mode' line: more than one bond"));
        p->have_mode = true;
        b->mode = ccnc_bonding_mode_from_string(v);
    } else if (strcmp(key, "Primary Slave") == 0) {
        free(b->primary);
        b->primary = name_or_null(v);
    } else if (strcmp(key, "Currently Active Slave") == 0) {
        free(b->active_slave);
        b->active_slave = name_or_null(v);
    } else if (strcmp(key, "MII Status") == 0) {
        ccnc_str_set(&b->mii_status, v);
    } else if (strcmp(key, "MII Polling Interval (ms)") == 0) {
        target = &b->miimon_ms;
    } else if (strcmp(key, "Up Delay (ms)") == 0) {
        target = &b->updelay_ms;
    } else if (strcmp(key, "Down Delay (ms)") == 0) {
        target = &b->downdelay_ms;
    } else if (strcmp(key, "ARP Polling Interval (ms)") == 0) {
        target = &b->arp_interval_ms;
    } else if (strcmp(key, "Aggregator ID") == 0) {
        /* inside "Active Aggregator Info"; "N/A" leaves it unknown */
        int id;
        if (parse_int(v, &id) == 0)
            p->active_agg = id;
    }
    if (target && parse_int(v, target) < 0)
        return ccnc_error_set_at(err, CCNC_ERR_PARSE, file, line,
                                 _("'%s' is not a number of milliseconds"), v);
    return 0;
}

static int
slave_line(struct parse *p, const char *key, const char *v, struct ccnc_error *err,
           const char *file, int line)
{
    struct ccnc_bond_slave *s = p->slave;

    if (strcmp(key, "MII Status") == 0) {
        ccnc_str_set(&s->mii_status, v);
    } else if (strcmp(key, "Speed") == 0) {
        if (parse_int(v, &s->speed_mbps) < 0 || s->speed_mbps < 0)
            s->speed_mbps = CCNC_UNKNOWN; /* "Unknown" */
    } else if (strcmp(key, "Link Failure Count") == 0) {
        if (parse_int(v, &s->link_failures) < 0 || s->link_failures < 0)
            return ccnc_error_set_at(err, CCNC_ERR_PARSE, file, line,
                                     _("'%s' is not a link failure count"), v);
    } else if (strcmp(key, "Permanent HW addr") == 0) {
        free(s->perm_hwaddr);
        s->perm_hwaddr = *v ? ccnc_xstrdup(v) : NULL;
    } else if (strcmp(key, "Aggregator ID") == 0) {
        int id;
        if (parse_int(v, &id) == 0)
            p->slave_agg[p->n_slave_agg - 1] = id;
    }
    return 0;
}

/* Active or backup, as the kernel's bond_is_active_slave() would say. */
static void
slave_states(struct parse *p)
{
    struct ccnc_bond *b = p->bond;

    for (size_t i = 0; i < b->n_slaves; i++) {
        struct ccnc_bond_slave *s = &b->slaves[i];
        bool up = ccnc_streq(s->mii_status, "up");
        bool active;
        switch (b->mode) {
        case CCNC_BOND_MODE_ACTIVE_BACKUP:
        case CCNC_BOND_MODE_BALANCE_TLB:
        case CCNC_BOND_MODE_BALANCE_ALB:
            active = ccnc_streq(s->name, b->active_slave);
            break;
        case CCNC_BOND_MODE_8023AD:
            active = up && p->active_agg != CCNC_UNKNOWN && p->slave_agg[i] == p->active_agg;
            break;
        default:
            active = up;
            break;
        }
        s->state = active ? CCNC_SLAVE_ACTIVE : CCNC_SLAVE_BACKUP;
    }
}

int
ccnc_bonding_parse_proc(const char *name, const char *text, size_t len, struct ccnc_bond *bond,
                        struct ccnc_error *err)
{
    struct parse p = { .bond = bond, .active_agg = CCNC_UNKNOWN };
    const char *file = name ? name : "bonding";
    size_t pos = 0;
    int line = 0, rc = -1;
    size_t cap_agg = 0;

    if (name)
        ccnc_str_set(&bond->name, name);
    if (len > MAX_TEXT) {
        ccnc_error_set_at(err, CCNC_ERR_PARSE, file, 0,
                          dngettext(PACKAGE, "more than %d byte of bonding state",
                                    "more than %d bytes of bonding state", MAX_TEXT),
                          MAX_TEXT);
        goto cleanup;
    }
    while (pos < len) {
        const char *l = text + pos, *nl = memchr(l, '\n', len - pos), *colon;
        size_t n = nl ? (size_t)(nl - l) : len - pos;
        char *key, *value;

        pos += n + (nl ? 1 : 0);
        line++;
        for (size_t i = 0; i < n; i++)
            if (l[i] == '\0' || ((unsigned char)l[i] < 0x20 && l[i] != '\t' && l[i] != '\r')) {
                ccnc_error_set_at(err, CCNC_ERR_PARSE, file, line,
                                  _("binary data where bonding state was expected"));
                goto cleanup;
            }
        colon = memchr(l, ':', n);
        if (!colon)
            continue; /* "802.3ad info", a bare "Speed", blank lines */
        key = trimmed(l, (size_t)(colon - l));
        value = trimmed(colon + 1, n - (size_t)(colon - l) - 1);
        if (strcmp(key, "Slave Interface") == 0) {
            int *agg;
            if (!*value) {
                ccnc_error_set_at(err, CCNC_ERR_PARSE, file, line,
                                  _("a slave interface without a name"));
                free(key);
                free(value);
                goto cleanup;
            }
            for (size_t i = 0; i < bond->n_slaves; i++)
                if (strcmp(bond->slaves[i].name, value) == 0) {
                    ccnc_error_set_at(err, CCNC_ERR_PARSE, file, line,
                                      _("slave '%s' appears twice"), value);
                    free(key);
                    free(value);
                    goto cleanup;
                }
            p.slave = ccnc_bond_add_slave(bond);
            p.slave->name = value;
            p.slave->link_failures = CCNC_UNKNOWN;
            agg = ccnc_array_push(&p.slave_agg, &p.n_slave_agg, &cap_agg, sizeof(*agg));
            *agg = CCNC_UNKNOWN;
            free(key);
            continue;
        }
        if (p.slave ? slave_line(&p, key, value, err, file, line) < 0
                    : bond_line(&p, key, value, err, file, line) < 0) {
            free(key);
            free(value);
            goto cleanup;
        }
        free(key);
        free(value);
    }
    if (!p.have_mode) {
        ccnc_error_set_at(err, CCNC_ERR_PARSE, file, 0,
                          _("no 'Bonding Mode' line: this is not bonding state"));
        goto cleanup;
    }
    slave_states(&p);
    rc = 0;
cleanup:
    free(p.slave_agg);
    return rc;
}

int
ccnc_bonding_read_proc(const char *path, const char *name, struct ccnc_bond *bond,
                       struct ccnc_error *err)
{
    FILE *f = fopen(path, "re");
    char *text;
    size_t len;
    int rc;

    if (name)
        ccnc_str_set(&bond->name, name);
    if (!f)
        return ccnc_error_set(err, CCNC_ERR_IO, _("cannot read '%s': %s"), path, strerror(errno));
    /* one byte more than the parser takes: a longer file is refused there,
     * not cut at the buffer's end and taken for the whole bond */
    text = ccnc_xmalloc(MAX_TEXT + 1);
    len = fread(text, 1, MAX_TEXT + 1, f);
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        free(text);
        return ccnc_error_set(err, CCNC_ERR_IO, _("cannot read '%s': %s"), path, strerror(e));
    }
    fclose(f);
    rc = ccnc_bonding_parse_proc(name, text, len, bond, err);
    free(text);
    return rc;
}

/* --- sysfs --------------------------------------------------------------------- */

static char *
read_attr(const char *dir, const char *sub, const char *attr)
{
    char *path = sub ? ccnc_xasprintf("%s/%s/%s", dir, sub, attr)
                     : ccnc_xasprintf("%s/%s", dir, attr);
    FILE *f = fopen(path, "re");
    char buf[4096];
    size_t n;

    free(path);
    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (memchr(buf, '\0', n))
        return NULL;
    return trimmed(buf, n);
}

static int
attr_int(const char *dir, const char *sub, const char *attr, int *out, struct ccnc_error *err)
{
    char *v = read_attr(dir, sub, attr);
    int rc = 0;

    if (v && parse_int(v, out) < 0)
        rc = ccnc_error_set_at(err, CCNC_ERR_PARSE, attr, 0, _("'%s' is not a number"), v);
    free(v);
    return rc;
}

static void
read_sysfs_slave(const char *dir, struct ccnc_bond_slave *s, struct ccnc_bond *b)
{
    static const char *const prefixes[] = { "lower_", "slave_" };
    char *v;

    s->link_failures = CCNC_UNKNOWN;
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(prefixes); i++) {
        char *sub = ccnc_xasprintf("%s%s/bonding_slave", prefixes[i], s->name);
        char *state = read_attr(dir, sub, "state");
        char *mii = read_attr(dir, sub, "mii_status");
        int lf;

        if (!state && !mii) {
            free(sub);
            continue;
        }
        if (state)
            s->state = ccnc_streq(state, "active") ? CCNC_SLAVE_ACTIVE : CCNC_SLAVE_BACKUP;
        else
            s->state = ccnc_streq(s->name, b->active_slave) ? CCNC_SLAVE_ACTIVE
                                                             : CCNC_SLAVE_BACKUP;
        s->mii_status = mii;
        lf = CCNC_UNKNOWN;
        attr_int(dir, sub, "link_failure_count", &lf, NULL);
        s->link_failures = lf;
        v = read_attr(dir, sub, "perm_hwaddr");
        s->perm_hwaddr = v && *v ? v : NULL;
        if (v && !*v)
            free(v);
        free(state);
        free(sub);
        return;
    }
    s->state = ccnc_streq(s->name, b->active_slave) ? CCNC_SLAVE_ACTIVE : CCNC_SLAVE_BACKUP;
}

int
ccnc_bonding_read_sysfs(const char *dir, const char *name, struct ccnc_bond *bond,
                        struct ccnc_error *err)
{
    char *mode, *slaves, *v;

    if (name)
        ccnc_str_set(&bond->name, name);
    mode = read_attr(dir, "bonding", "mode");
    slaves = read_attr(dir, "bonding", "slaves");
    if (!mode && !slaves) {
        ccnc_error_set_at(err, CCNC_ERR_PARSE, dir, 0,
                          _("no bonding/mode or bonding/slaves: this is not a bond's sysfs "
                            "directory"));
        return -1;
    }
    bond->mode = ccnc_bonding_mode_from_string(mode);
    free(mode);
    v = read_attr(dir, "bonding", "active_slave");
    bond->active_slave = v ? name_or_null(v) : NULL;
    free(v);
    v = read_attr(dir, "bonding", "primary");
    bond->primary = v ? name_or_null(v) : NULL;
    free(v);
    bond->mii_status = read_attr(dir, "bonding", "mii_status");
    if (attr_int(dir, "bonding", "miimon", &bond->miimon_ms, err) < 0 ||
        attr_int(dir, "bonding", "updelay", &bond->updelay_ms, err) < 0 ||
        attr_int(dir, "bonding", "downdelay", &bond->downdelay_ms, err) < 0 ||
        attr_int(dir, "bonding", "arp_interval", &bond->arp_interval_ms, err) < 0) {
        free(slaves);
        return -1;
    }
    if (slaves) {
        char *save = NULL;
        for (char *t = strtok_r(slaves, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
            struct ccnc_bond_slave *s;
            bool dup = false;
            for (size_t i = 0; i < bond->n_slaves; i++)
                dup = dup || strcmp(bond->slaves[i].name, t) == 0;
            if (dup || strchr(t, '/')) {
                ccnc_error_set_at(err, CCNC_ERR_PARSE, dir, 0, _("bad slave list '%s'"), t);
                free(slaves);
                return -1;
            }
            s = ccnc_bond_add_slave(bond);
            s->name = ccnc_xstrdup(t);
            read_sysfs_slave(dir, s, bond);
        }
        free(slaves);
    }
    return 0;
}
