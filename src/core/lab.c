/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab config (docs/lab.conf.5): INI read with inih, checked key by key
 * against a table, then as a whole.  Every problem is reported with file and
 * line; a lab with any problem is not loaded at all. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include <ccnc/lab.h>

#include "core/i18n.h"
#include "core/quote.h"

enum section_type { SEC_NONE, SEC_LAB, SEC_HOST, SEC_POOL, SEC_VM, SEC_MIGRATION };

enum value_type {
    V_STRING,   /* any non-empty text */
    V_NAME,     /* a name: letters, digits, - _ . */
    V_IFNAME,   /* a Linux interface name */
    V_INT,
    V_BOOL,
    V_ROLE,
    V_ADDRESS,  /* host name or IP literal */
    V_PATH,
    V_URI,
    V_PASSTHROUGH,
    V_MAC,
    V_BACKUP,   /* MAC or alias:NAME */
    V_POLICY,   /* a migration policy (ccnc/policy.h) */
    V_SAMPLE_PAGES, /* 0, or QEMU's range for calc-dirty-rate's sample-pages */
};

struct key_def {
    enum section_type sec;
    const char *key;
    enum value_type type;
    size_t offset;      /* into the section's struct */
    bool required;
    int min, max;       /* V_INT */
};

#define HOST(f) offsetof(struct ccnc_lab_host, f)
#define VM(f) offsetof(struct ccnc_lab_vm, f)
#define POOL(f) offsetof(struct ccnc_lab_pool, f)
#define MIG(f) offsetof(struct ccnc_lab_migration, f)
#define LAB(f) offsetof(struct ccnc_lab, f)

static const struct key_def key_defs[] = {
    { SEC_LAB, "name", V_STRING, LAB(name), false, 0, 0 },

    { SEC_HOST, "label", V_STRING, HOST(label), false, 0, 0 },
    { SEC_HOST, "address", V_ADDRESS, HOST(address), true, 0, 0 },
    { SEC_HOST, "port", V_INT, HOST(port), false, 1, 65535 },
    { SEC_HOST, "user", V_NAME, HOST(user), false, 0, 0 },
    { SEC_HOST, "identity", V_PATH, HOST(identity), false, 0, 0 },
    { SEC_HOST, "known_hosts", V_PATH, HOST(known_hosts), false, 0, 0 },
    { SEC_HOST, "role", V_ROLE, HOST(role), true, 0, 0 },
    { SEC_HOST, "libvirt_uri", V_URI, HOST(libvirt_uri), false, 0, 0 },
    { SEC_HOST, "migration_uri", V_URI, HOST(migration_uri), false, 0, 0 },

    { SEC_POOL, "max_tx_rate_mbps", V_INT, POOL(max_tx_rate_mbps), false, 0, 1000000 },
    { SEC_POOL, "min_tx_rate_mbps", V_INT, POOL(min_tx_rate_mbps), false, 0, 1000000 },
    { SEC_POOL, "vlan", V_INT, POOL(vlan), false, 0, 4094 },
    { SEC_POOL, "network", V_NAME, POOL(network), false, 0, 0 },

    { SEC_VM, "host", V_NAME, VM(host), true, 0, 0 },
    { SEC_VM, "bond", V_IFNAME, VM(bond), false, 0, 0 },
    { SEC_VM, "passthrough", V_PASSTHROUGH, VM(passthrough), false, 0, 0 },
    { SEC_VM, "passthrough_mac", V_MAC, VM(passthrough_mac), false, 0, 0 },
    { SEC_VM, "passthrough_bridge", V_IFNAME, VM(passthrough_bridge), false, 0, 0 },
    { SEC_VM, "backup", V_BACKUP, VM(backup), false, 0, 0 },
    { SEC_VM, "probe_target", V_ADDRESS, VM(probe_target), false, 0, 0 },

    { SEC_MIGRATION, "bandwidth_mbps", V_INT, MIG(bandwidth_mbps), false, 0, 1000000 },
    { SEC_MIGRATION, "max_downtime_ms", V_INT, MIG(max_downtime_ms), false, 1, 600000 },
    { SEC_MIGRATION, "timeout_s", V_INT, MIG(timeout_s), false, 1, 86400 },
    { SEC_MIGRATION, "step_timeout_s", V_INT, MIG(step_timeout_s), false, 1, 3600 },
    { SEC_MIGRATION, "verify_backup_s", V_INT, MIG(verify_backup_s), false, 1, 600 },
    { SEC_MIGRATION, "parallel", V_INT, MIG(parallel), false, 1, 64 },
    { SEC_MIGRATION, "auto_converge", V_BOOL, MIG(auto_converge), false, 0, 0 },
    { SEC_MIGRATION, "give_up", V_BOOL, MIG(give_up), false, 0, 0 },
    { SEC_MIGRATION, "keepalive_s", V_INT, MIG(keepalive_s), false, 1, 3600 },
    { SEC_MIGRATION, "policy", V_POLICY, MIG(policy), false, 0, 0 },
    { SEC_MIGRATION, "dirty_sample_pages", V_SAMPLE_PAGES, MIG(dirty_sample_pages), false,
      CCNC_LAB_SAMPLE_PAGES_MIN, CCNC_LAB_SAMPLE_PAGES_MAX },
};

static const char *const section_names[] = {
    [SEC_LAB] = "lab", [SEC_HOST] = "host", [SEC_POOL] = "pool",
    [SEC_VM] = "vm", [SEC_MIGRATION] = "migration",
};

/* A key seen in the current section, to find duplicates. */
struct seen_key {
    char *key;
    int line;
};

struct parser {
    const char *file;
    struct ccnc_lab *lab;
    struct ccnc_error *errs;
    size_t max_errs;
    size_t n_errs;

    /* the reader's position */
    const char *text;
    size_t len;
    size_t pos;
    int line;
    int section_line;
    bool line_too_long;

    /* the section being read */
    char *cur_section;       /* raw "host sys1" */
    enum section_type cur_type;
    void *cur_obj;           /* struct being filled, NULL when the section is bad */
    bool cur_bad;
    struct seen_key *seen;
    size_t n_seen, cap_seen;
    /* per-object record of which keys were given, for required keys */
};

static void
perr(struct parser *p, int line, const char *fmt, ...) CCNC_PRINTF(3, 4);

static void
perr(struct parser *p, int line, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (p->n_errs >= p->max_errs || !p->errs) {
        p->n_errs++;
        return;
    }
    va_start(ap, fmt);
    msg = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    ccnc_error_set_at(&p->errs[p->n_errs], CCNC_ERR_CONFIG, p->file, line, "%s", msg);
    free(msg);
    p->n_errs++;
}

/* --- value checks ------------------------------------------------------- */

bool
ccnc_pci_address_valid(const char *s)
{
    unsigned dom, bus, dev, fn;
    int n = 0;

    if (!s || strlen(s) != 12)
        return false;
    for (const char *c = s; *c; c++)
        if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
            return false;
    if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) != 4 || n != 12)
        return false;
    return s[4] == ':' && s[7] == ':' && s[10] == '.' && dev < 32 && fn < 8;
}

bool
ccnc_mac_valid(const char *s)
{
    if (!s || strlen(s) != 17)
        return false;
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2) {
            if (s[i] != ':')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static bool
hostname_valid(const char *s)
{
    size_t len = strlen(s), label = 0;
    bool all_numeric = true;

    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!isalnum(c) && c != '-')
            return false;
        if (c == '-' && label == 0)
            return false;
        if (!isdigit(c))
            all_numeric = false;
        if (++label > 63)
            return false;
    }
    /* "10.77.0" or "999.1.1.1" are not host names but broken addresses */
    return label > 0 && s[len - 1] != '-' && !all_numeric;
}

static bool
address_valid(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1 ||
           hostname_valid(s);
}

static bool
name_valid(const char *s)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("-_.", *c))
            return false;
    return true;
}

static bool
ifname_valid(const char *s)
{
    size_t len = strlen(s);

    if (len == 0 || len > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (const char *c = s; *c; c++)
        if (*c == '/' || *c == ':' || isspace((unsigned char)*c) || !isprint((unsigned char)*c))
            return false;
    return true;
}

static bool
parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = (int)v;
    return true;
}

static bool
parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "no", "false", "off", "0" };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static char *
expand_path(const char *s)
{
    const char *home = getenv("HOME");

    if (s[0] == '~' && s[1] == '/' && home)
        return ccnc_xasprintf("%s%s", home, s + 1);
    return ccnc_xstrdup(s);
}

/* --- sections ----------------------------------------------------------- */

static void
seen_reset(struct parser *p)
{
    for (size_t i = 0; i < p->n_seen; i++)
        free(p->seen[i].key);
    p->n_seen = 0;
}

static void
check_required(struct parser *p)
{
    if (!p->cur_obj)
        return;
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(key_defs); i++) {
        const struct key_def *d = &key_defs[i];
        bool found = false;

        if (d->sec != p->cur_type || !d->required)
            continue;
        for (size_t j = 0; j < p->n_seen; j++)
            if (strcmp(p->seen[j].key, d->key) == 0)
                found = true;
        if (!found)
            /* TRANSLATORS: first %s is a section like "host sys1", second a key */
            perr(p, p->section_line, _("section [%s] lacks the required key '%s'"),
                 p->cur_section, d->key);
    }
}

static char *
expected_keys(enum section_type sec)
{
    char *list = ccnc_xstrdup("");

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(key_defs); i++) {
        char *n;
        if (key_defs[i].sec != sec)
            continue;
        n = ccnc_xasprintf("%s%s%s", list, *list ? ", " : "", key_defs[i].key);
        free(list);
        list = n;
    }
    return list;
}

static int
find_named(struct parser *p, enum section_type t, const char *name)
{
    struct ccnc_lab *lab = p->lab;
    size_t n = t == SEC_HOST ? lab->n_hosts : t == SEC_VM ? lab->n_vms : lab->n_pools;

    for (size_t i = 0; i < n; i++) {
        const char *other = t == SEC_HOST ? lab->hosts[i].name
                            : t == SEC_VM ? lab->vms[i].name : lab->pools[i].name;
        if (strcmp(other, name) == 0)
            return (int)i;
    }
    return -1;
}

static int
named_line(struct parser *p, enum section_type t, int i)
{
    return t == SEC_HOST ? p->lab->hosts[i].line
           : t == SEC_VM ? p->lab->vms[i].line : p->lab->pools[i].line;
}

/* Called when the reader meets "[...]": close the old section, open the new. */
static void
begin_section(struct parser *p, const char *raw)
{
    char type[32] = "", name[256] = "", extra[8] = "";
    int n;
    enum section_type t = SEC_NONE;
    struct ccnc_lab *lab = p->lab;

    check_required(p);
    seen_reset(p);
    free(p->cur_section);
    p->cur_section = ccnc_xstrdup(raw);
    p->cur_obj = NULL;
    p->cur_type = SEC_NONE;
    p->cur_bad = true;
    p->section_line = p->line;

    n = sscanf(raw, "%31s %255s %7s", type, name, extra);
    for (int i = SEC_LAB; i <= SEC_MIGRATION; i++)
        if (n >= 1 && strcmp(type, section_names[i]) == 0)
            t = i;
    if (t == SEC_NONE) {
        perr(p, p->line, _("unknown section [%s]; expected [lab], [host NAME], "
                           "[pool NAME], [vm NAME] or [migration]"), raw);
        return;
    }
    if ((t == SEC_LAB || t == SEC_MIGRATION) && n != 1) {
        perr(p, p->line, _("section [%s] takes no name; write [%s]"), raw, type);
        return;
    }
    if ((t == SEC_HOST || t == SEC_POOL || t == SEC_VM) && n != 2) {
        perr(p, p->line, _("section [%s] needs exactly one name, like [%s NAME]"), raw, type);
        return;
    }
    if (n == 2 && !name_valid(name)) {
        perr(p, p->line, _("'%s' is not a usable name: use letters, digits, '-', '_' and '.'"),
             name);
        return;
    }
    if (t == SEC_HOST || t == SEC_POOL || t == SEC_VM) {
        int i = find_named(p, t, name);
        if (i >= 0) {
            /* TRANSLATORS: "duplicate host 'sys1' (first defined at line 3)" */
            perr(p, p->line, _("duplicate %s '%s' (first defined at line %d)"),
                 type, name, named_line(p, t, i));
            return;
        }
    }
    p->cur_type = t;
    p->cur_bad = false;
    switch (t) {
    case SEC_LAB:
    case SEC_MIGRATION:
        p->cur_obj = t == SEC_LAB ? (void *)lab : (void *)&lab->migration;
        break;
    case SEC_HOST: {
        struct ccnc_lab_host *h = ccnc_array_push(&lab->hosts, &lab->n_hosts, NULL, sizeof(*h));

        h->name = ccnc_xstrdup(name);
        /* port 0 and no user: as ~/.ssh/config says, else 22 and the login name */
        h->line = p->line;
        p->cur_obj = h;
        break;
    }
    case SEC_POOL: {
        struct ccnc_lab_pool *pl = ccnc_array_push(&lab->pools, &lab->n_pools, NULL, sizeof(*pl));

        pl->name = ccnc_xstrdup(name);
        pl->line = p->line;
        p->cur_obj = pl;
        break;
    }
    case SEC_VM: {
        struct ccnc_lab_vm *vm = ccnc_array_push(&lab->vms, &lab->n_vms, NULL, sizeof(*vm));

        vm->name = ccnc_xstrdup(name);
        vm->line = p->line;
        p->cur_obj = vm;
        break;
    }
    default:
        break;
    }
}

/* Section objects move when their array grows: find the current one again. */
static void *
current_obj(struct parser *p)
{
    struct ccnc_lab *lab = p->lab;

    if (p->cur_bad)
        return NULL;
    switch (p->cur_type) {
    case SEC_LAB: return lab;
    case SEC_MIGRATION: return &lab->migration;
    case SEC_HOST: return &lab->hosts[lab->n_hosts - 1];
    case SEC_POOL: return &lab->pools[lab->n_pools - 1];
    case SEC_VM: return &lab->vms[lab->n_vms - 1];
    default: return NULL;
    }
}

/* The member at offset in a section's struct. */
static void *
field(void *obj, size_t offset)
{
    return (char *)obj + offset;
}

static bool
set_value(struct parser *p, const struct key_def *d, void *obj, const char *value)
{
    char *field_s = NULL;
    char **sp = field(obj, d->offset);
    const char *what = NULL;
    int iv;
    bool bv;

    switch (d->type) {
    case V_STRING:
        if (!*value)
            what = _("a non-empty text");
        break;
    case V_NAME:
        if (!name_valid(value))
            what = _("a name of letters, digits, '-', '_' and '.'");
        break;
    case V_IFNAME:
        if (!ifname_valid(value))
            what = _("a network interface name (at most 15 characters, no '/', ':' or spaces)");
        break;
    case V_INT:
        if (!parse_int(value, d->min, d->max, &iv)) {
            perr(p, p->line, _("in [%s], '%s' must be a whole number from %d to %d, not '%s'"),
                 p->cur_section, d->key, d->min, d->max, value);
            return false;
        }
        *(int *)field(obj, d->offset) = iv;
        return true;
    case V_SAMPLE_PAGES:
        if (!parse_int(value, 0, d->max, &iv) || (iv > 0 && iv < d->min)) {
            perr(p, p->line, _("in [%s], '%s' must be 0 (QEMU's default) or a whole number "
                               "from %d to %d, not '%s'"),
                 p->cur_section, d->key, d->min, d->max, value);
            return false;
        }
        *(int *)field(obj, d->offset) = iv;
        return true;
    case V_BOOL:
        if (!parse_bool(value, &bv)) {
            what = _("yes or no");
            break;
        }
        *(bool *)field(obj, d->offset) = bv;
        return true;
    case V_POLICY:
        iv = ccnc_policy_from_string(value);
        if (iv < 0) {
            what = _("'qemu', 'ladder', 'minimal-downtime' or 'lowest'");
            break;
        }
        *(enum ccnc_policy *)field(obj, d->offset) = iv;
        return true;
    case V_ROLE:
        iv = ccnc_host_role_from_string(value);
        if (iv < 0) {
            what = _("'hypervisor' or 'storage'");
            break;
        }
        *(enum ccnc_host_role *)field(obj, d->offset) = iv;
        return true;
    case V_ADDRESS:
        if (!address_valid(value))
            what = _("a host name, an IPv4 address or an IPv6 address");
        break;
    case V_PATH:
        if (!*value)
            what = _("a file path");
        else
            field_s = expand_path(value);
        break;
    case V_URI:
        if (strcmp(value, "none") != 0 && (!strstr(value, "://") || strchr(value, ' ')))
            what = _("a libvirt URI like qemu+ssh://root@host/system");
        break;
    case V_MAC:
        if (!ccnc_mac_valid(value))
            what = _("a MAC address like 52:54:00:12:34:56");
        break;
    case V_BACKUP:
        if (!ccnc_mac_valid(value) &&
            !(strncmp(value, "alias:", 6) == 0 && name_valid(value + 6)))
            what = _("the backup NIC's MAC address, or alias:NAME");
        break;
    case V_PASSTHROUGH: {
        struct ccnc_lab_vm *vm = obj;
        if (strcmp(value, "none") == 0) {
            vm->passthrough_kind = CCNC_PASSTHROUGH_NONE;
            return true;
        } else if (strncmp(value, "pci:", 4) == 0 && ccnc_pci_address_valid(value + 4)) {
            vm->passthrough_kind = CCNC_PASSTHROUGH_PCI;
        } else if (strncmp(value, "pool:", 5) == 0 && name_valid(value + 5)) {
            vm->passthrough_kind = CCNC_PASSTHROUGH_POOL;
        } else if (strncmp(value, "model:", 6) == 0 && name_valid(value + 6)) {
            vm->passthrough_kind = CCNC_PASSTHROUGH_MODEL;
        } else if (ccnc_pci_address_valid(value)) {
            vm->passthrough_kind = CCNC_PASSTHROUGH_PCI;
            field_s = ccnc_xstrdup(value);
            break;
        } else {
            what = _("pci:DDDD:BB:DD.F, pool:NAME, model:NAME or none");
            break;
        }
        field_s = ccnc_xstrdup(strchr(value, ':') + 1);
        break;
    }
    }
    if (what) {
        /* TRANSLATORS: "in [host sys1], 'address' must be <what>, not 'x y'" */
        perr(p, p->line, _("in [%s], '%s' must be %s, not '%s'"), p->cur_section, d->key,
             what, value);
        return false;
    }
    free(*sp);
    *sp = field_s ? field_s : ccnc_xstrdup(value);
    return true;
}

static void
pool_port(struct parser *p, struct ccnc_lab_pool *pool, const char *key, const char *value)
{
    struct ccnc_lab_pool_port *pp;

    if (!name_valid(key)) {
        perr(p, p->line, _("in [%s], '%s' is neither a pool setting nor a host name"),
             p->cur_section, key);
        return;
    }
    if (!ccnc_pci_address_valid(value) && !ifname_valid(value)) {
        perr(p, p->line, _("in [%s], '%s' must be the physical port's PCI address "
                           "(DDDD:BB:DD.F) or interface name, not '%s'"),
             p->cur_section, key, value);
        return;
    }
    pp = ccnc_array_push(&pool->ports, &pool->n_ports, NULL, sizeof(*pp));
    pp->host = ccnc_xstrdup(key);
    pp->pf = ccnc_xstrdup(value);
}

static int
on_value(void *user, const char *section, const char *key, const char *value)
{
    struct parser *p = user;
    const struct key_def *d = NULL;
    void *obj;

    (void)section; /* the reader tracks sections, with their lines */
    if (!p->cur_section) {
        perr(p, p->line, _("'%s' comes before any section; put it under [lab], "
                           "[host NAME], [pool NAME], [vm NAME] or [migration]"), key);
        return 1;
    }
    obj = current_obj(p);
    if (!obj)
        return 1; /* the section header was already reported */

    for (size_t i = 0; i < p->n_seen; i++) {
        if (strcmp(p->seen[i].key, key) == 0) {
            perr(p, p->line, _("in [%s], '%s' is given twice (first at line %d)"),
                 p->cur_section, key, p->seen[i].line);
            return 1;
        }
    }
    {
        struct seen_key *s = ccnc_array_push(&p->seen, &p->n_seen, &p->cap_seen,
                                             sizeof(*s));
        s->key = ccnc_xstrdup(key);
        s->line = p->line;
    }

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(key_defs); i++)
        if (key_defs[i].sec == p->cur_type && strcmp(key_defs[i].key, key) == 0)
            d = &key_defs[i];
    if (!d) {
        if (p->cur_type == SEC_POOL) {
            pool_port(p, obj, key, value);
        } else {
            char *keys = expected_keys(p->cur_type);
            perr(p, p->line, _("unknown key '%s' in [%s]; expected one of: %s"), key,
                 p->cur_section, keys);
            free(keys);
        }
        return 1;
    }
    set_value(p, d, obj, value);
    return 1;
}

/* inih's reader: hands out one line at a time, counting lines and noticing
 * section headers so that even an empty section is seen with its line. */
static char *
read_line(char *buf, int size, void *stream)
{
    struct parser *p = stream;
    size_t n = 0, start = p->pos;
    const char *s;

    if (p->pos >= p->len)
        return NULL;
    p->line++;
    while (p->pos < p->len && p->text[p->pos] != '\n')
        p->pos++;
    if (p->pos < p->len)
        p->pos++; /* the newline */
    n = p->pos - start;
    if (n >= (size_t)size) {
        perr(p, p->line,
             dngettext(PACKAGE, "this line is longer than %d character",
                       "this line is longer than %d characters", size - 2),
             size - 2);
        n = (size_t)size - 1;
    }
    memcpy(buf, p->text + start, n);
    buf[n] = '\0';

    s = buf;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '[') {
        const char *end = strchr(s, ']');
        if (end) {
            char *raw = ccnc_xstrndup(s + 1, (size_t)(end - s - 1));
            begin_section(p, raw);
            free(raw);
        }
    }
    return buf;
}

/* --- whole-lab checks ---------------------------------------------------- */

static void
check_lab(struct parser *p)
{
    struct ccnc_lab *lab = p->lab;

    if (lab->n_hosts == 0)
        perr(p, 0, _("the lab has no [host NAME] section; describe at least one host"));

    for (size_t i = 0; i < lab->n_hosts; i++) {
        struct ccnc_lab_host *h = &lab->hosts[i];
        if (!h->label)
            h->label = ccnc_xstrdup(h->name);
        if (h->libvirt_uri && h->role != CCNC_HOST_ROLE_HYPERVISOR)
            perr(p, h->line, _("[host %s] has libvirt_uri but its role is not hypervisor"),
                 h->name);
    }
    for (size_t i = 0; i < lab->n_pools; i++) {
        struct ccnc_lab_pool *pl = &lab->pools[i];
        if (pl->n_ports == 0)
            perr(p, pl->line, _("[pool %s] names no physical port; add HOST = PF lines"),
                 pl->name);
        for (size_t j = 0; j < pl->n_ports; j++)
            if (!ccnc_lab_find_host(lab, pl->ports[j].host))
                perr(p, pl->line, _("[pool %s] names host '%s', which is not defined"),
                     pl->name, pl->ports[j].host);
    }
    for (size_t i = 0; i < lab->n_vms; i++) {
        struct ccnc_lab_vm *vm = &lab->vms[i];
        const struct ccnc_lab_host *h;

        if (!vm->bond)
            vm->bond = ccnc_xstrdup("bond0");
        if (vm->host) {
            h = ccnc_lab_find_host(lab, vm->host);
            if (!h)
                perr(p, vm->line, _("[vm %s] runs on host '%s', which is not defined"),
                     vm->name, vm->host);
            else if (h->role != CCNC_HOST_ROLE_HYPERVISOR)
                perr(p, vm->line, _("[vm %s] runs on host '%s', which is not a hypervisor"),
                     vm->name, vm->host);
            else if (!ccnc_lab_host_runs_libvirt(h))
                perr(p, vm->line, _("[vm %s] runs on host '%s', which has libvirt_uri = none"),
                     vm->name, vm->host);
        }
        switch (vm->passthrough_kind) {
        case CCNC_PASSTHROUGH_POOL:
            if (!ccnc_lab_find_pool(lab, vm->passthrough))
                perr(p, vm->line, _("[vm %s] takes its passthrough NIC from pool '%s', "
                                    "which is not defined"), vm->name, vm->passthrough);
            CCNC_FALLTHROUGH;
        case CCNC_PASSTHROUGH_MODEL:
            if (!vm->passthrough_mac)
                perr(p, vm->line, _("[vm %s] needs passthrough_mac: the MAC address to "
                                    "pin on its passthrough NIC"), vm->name);
            if (vm->passthrough_kind == CCNC_PASSTHROUGH_MODEL && !vm->passthrough_bridge)
                perr(p, vm->line, _("[vm %s] needs passthrough_bridge: the bridge its "
                                    "stand-in NIC joins on each host"), vm->name);
            CCNC_FALLTHROUGH;
        case CCNC_PASSTHROUGH_PCI:
            if (!vm->backup)
                perr(p, vm->line, _("[vm %s] has a passthrough NIC but no backup NIC; "
                                    "set backup to the virtio NIC's MAC"), vm->name);
            break;
        default:
            break;
        }
    }
}

/* --- loading ------------------------------------------------------------- */

static void
lab_free(struct ccnc_lab *lab)
{
    if (!lab)
        return;
    for (size_t i = 0; i < lab->n_hosts; i++) {
        struct ccnc_lab_host *h = &lab->hosts[i];
        free(h->name); free(h->label); free(h->address); free(h->user);
        free(h->identity); free(h->known_hosts); free(h->libvirt_uri); free(h->migration_uri);
    }
    for (size_t i = 0; i < lab->n_pools; i++) {
        for (size_t j = 0; j < lab->pools[i].n_ports; j++) {
            free(lab->pools[i].ports[j].host);
            free(lab->pools[i].ports[j].pf);
        }
        free(lab->pools[i].ports);
        free(lab->pools[i].name);
        free(lab->pools[i].network);
    }
    for (size_t i = 0; i < lab->n_vms; i++) {
        struct ccnc_lab_vm *vm = &lab->vms[i];
        free(vm->name); free(vm->host); free(vm->bond); free(vm->passthrough);
        free(vm->passthrough_mac); free(vm->passthrough_bridge); free(vm->backup);
        free(vm->probe_target);
    }
    free(lab->hosts);
    free(lab->pools);
    free(lab->vms);
    free(lab->path);
    free(lab->name);
    free(lab);
}

/* Text must be UTF-8 without NUL bytes; returns the first bad line or 0. */
static int
binary_line(const char *text, size_t len)
{
    int line = 1;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        size_t extra = 0;

        if (c == '\n') {
            line++;
            continue;
        }
        if (c == 0 || (c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
            return line;
        if (c < 0x80)
            continue;
        if (c >= 0xc2 && c <= 0xdf)
            extra = 1;
        else if (c >= 0xe0 && c <= 0xef)
            extra = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            extra = 3;
        else
            return line;
        if (i + extra >= len)
            return line;
        for (size_t k = 1; k <= extra; k++)
            if (((unsigned char)text[i + k] & 0xc0) != 0x80)
                return line;
        i += extra;
    }
    return 0;
}

struct ccnc_lab *
ccnc_lab_load_text(const char *name, const char *text, size_t len,
                   struct ccnc_error *errs, size_t max_errs, size_t *n_errs)
{
    struct parser p = { 0 };
    int rc, bad;
    bool blank = true;

    p.file = name;
    p.errs = errs;
    p.max_errs = errs ? max_errs : 0;
    p.text = text;
    p.len = len;
    p.lab = ccnc_xcalloc(1, sizeof(*p.lab));
    p.lab->refs = 1;
    p.lab->path = ccnc_xstrdup(name);
    p.lab->migration = (struct ccnc_lab_migration){
        .bandwidth_mbps = 0, .max_downtime_ms = 300, .timeout_s = 300,
        .step_timeout_s = 30, .verify_backup_s = 2, .parallel = 1, .auto_converge = false,
        .give_up = true, .keepalive_s = 10,
        .policy = CCNC_POLICY_LOWEST, .dirty_sample_pages = CCNC_LAB_SAMPLE_PAGES_MAX,
    };

    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)text[i]))
            blank = false;
    bad = binary_line(text, len);
    if (len == 0 || blank) {
        perr(&p, 0, _("the file is empty; a lab needs at least one [host NAME] section "
                      "(see lab.conf(5))"));
    } else if (bad) {
        perr(&p, bad, _("this is not a text file (binary or non-UTF-8 data here); "
                        "give ccnc a lab.conf (see lab.conf(5))"));
    } else {
        rc = ini_parse_stream(read_line, &p, on_value, &p);
        check_required(&p);
        if (rc > 0)
            perr(&p, rc, _("cannot read this line; expected [section], key = value, "
                           "or a comment starting with ';' or '#'"));
        if (p.n_errs == 0)
            check_lab(&p);
    }
    seen_reset(&p);
    free(p.seen);
    free(p.cur_section);
    if (n_errs)
        *n_errs = p.n_errs < p.max_errs || !errs ? p.n_errs : p.max_errs;
    if (p.n_errs) {
        lab_free(p.lab);
        return NULL;
    }
    if (!p.lab->name)
        p.lab->name = ccnc_xstrdup("lab");
    return p.lab;
}

struct ccnc_lab *
ccnc_lab_load(const char *path, struct ccnc_error *errs, size_t max_errs, size_t *n_errs)
{
    struct ccnc_error err = { 0 };
    struct ccnc_lab *lab;
    size_t len = 0;
    char *text;

    if (n_errs)
        *n_errs = 0;
    if (strcmp(path, "-") != 0 && access(path, F_OK) != 0 && errno == ENOENT)
        ccnc_error_set_at(&err, CCNC_ERR_IO, path, 0,
                          _("no such file; write one (see lab.conf(5)) or "
                            "choose another with -c FILE"));
    text = err.message ? NULL : ccnc_file_read(path, 16 * 1024 * 1024, &len, &err);
    if (!text) {
        if (errs && max_errs)
            ccnc_error_copy(&errs[0], &err);
        ccnc_error_clear(&err);
        if (n_errs)
            *n_errs = 1;
        return NULL;
    }
    lab = ccnc_lab_load_text(path, text, len, errs, max_errs, n_errs);
    free(text);
    return lab;
}

char *
ccnc_lab_default_path(void)
{
    return ccnc_xdg_path("XDG_CONFIG_HOME", ".config", "lab.conf");
}

struct ccnc_lab *
ccnc_lab_ref(struct ccnc_lab *lab)
{
    if (lab)
        __atomic_add_fetch(&lab->refs, 1, __ATOMIC_RELAXED);
    return lab;
}

void
ccnc_lab_unref(struct ccnc_lab *lab)
{
    if (lab && __atomic_sub_fetch(&lab->refs, 1, __ATOMIC_ACQ_REL) == 0)
        lab_free(lab);
}

const struct ccnc_lab_host *
ccnc_lab_find_host(const struct ccnc_lab *lab, const char *name)
{
    for (size_t i = 0; lab && name && i < lab->n_hosts; i++)
        if (strcmp(lab->hosts[i].name, name) == 0)
            return &lab->hosts[i];
    return NULL;
}

const struct ccnc_lab_vm *
ccnc_lab_find_vm(const struct ccnc_lab *lab, const char *name)
{
    for (size_t i = 0; lab && name && i < lab->n_vms; i++)
        if (strcmp(lab->vms[i].name, name) == 0)
            return &lab->vms[i];
    return NULL;
}

const struct ccnc_lab_host *
ccnc_lab_storage_host(const struct ccnc_lab *lab)
{
    for (size_t i = 0; lab && i < lab->n_hosts; i++)
        if (lab->hosts[i].role == CCNC_HOST_ROLE_STORAGE)
            return &lab->hosts[i];
    return NULL;
}

const struct ccnc_lab_pool *
ccnc_lab_find_pool(const struct ccnc_lab *lab, const char *name)
{
    for (size_t i = 0; lab && name && i < lab->n_pools; i++)
        if (strcmp(lab->pools[i].name, name) == 0)
            return &lab->pools[i];
    return NULL;
}

bool
ccnc_lab_host_runs_libvirt(const struct ccnc_lab_host *host)
{
    return host->role == CCNC_HOST_ROLE_HYPERVISOR &&
           !(host->libvirt_uri && strcmp(host->libvirt_uri, "none") == 0);
}

char *
ccnc_lab_host_libvirt_uri(const struct ccnc_lab_host *host)
{
    char *uri, *tmp, *port = NULL;
    bool v6 = strchr(host->address, ':') != NULL;

    if (host->libvirt_uri)
        return ccnc_xstrdup(host->libvirt_uri);
    /* no_tty: ssh must never ask on the console's terminal.  No user or
     * port in the lab config: none in the URI either, so that ssh applies
     * ~/.ssh/config's User and Port (else the login name and 22). */
    if (host->port > 0)
        port = ccnc_xasprintf(":%d", host->port);
    uri = ccnc_xasprintf("qemu+ssh://%s%s%s%s%s%s/system?no_tty=1", host->user ? host->user : "",
                         host->user ? "@" : "", v6 ? "[" : "", host->address, v6 ? "]" : "",
                         port ? port : "");
    free(port);
    if (host->identity) {
        /* escaped: a path is a value, never more parameters */
        char *esc = ccnc_quote_uri(host->identity);
        tmp = ccnc_xasprintf("%s&keyfile=%s", uri, esc);
        free(esc);
        free(uri);
        uri = tmp;
    }
    return uri;
}

char *
ccnc_lab_host_migration_uri(const struct ccnc_lab_host *host)
{
    return host->migration_uri ? ccnc_xstrdup(host->migration_uri)
                               : ccnc_lab_host_libvirt_uri(host);
}

static const char *const role_names[CCNC_HOST_ROLE_LAST] = { "hypervisor", "storage" };
static const char *const passthrough_names[CCNC_PASSTHROUGH_LAST] = {
    "none", "pci", "pool", "model",
};

const char *
ccnc_host_role_to_string(enum ccnc_host_role role)
{
    return ccnc_enum_to_string(role_names, CCNC_HOST_ROLE_LAST, (int)role, "?");
}

int
ccnc_host_role_from_string(const char *s)
{
    return ccnc_enum_from_string(role_names, CCNC_HOST_ROLE_LAST, s);
}

const char *
ccnc_passthrough_kind_to_string(enum ccnc_passthrough_kind kind)
{
    return ccnc_enum_to_string(passthrough_names, CCNC_PASSTHROUGH_LAST, (int)kind, "?");
}
