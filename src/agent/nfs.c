/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NFS: on a storage host, which server runs (nfs-ganesha or the kernel's
 * nfsd) and its exports (ganesha.conf EXPORT blocks or exports(5)) with the
 * free space of each; on a hypervisor, its NFS mounts and whether the VM
 * image directory lives on one.  Both go into host->exports: a mount is an
 * entry whose options begin with "mount," (docs/agent-protocol.md). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "agent/agent.h"
#include "core/i18n.h"

#define MAX_CONF (1024 * 1024)

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    char *buf;
    size_t n;

    if (!f)
        return NULL;
    buf = ccnc_xmalloc(MAX_CONF + 1);
    n = fread(buf, 1, MAX_CONF, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static long long
free_bytes(const char *root, const char *path)
{
    char *full = ccnc_xasprintf("%s%s", root, path);
    struct statvfs st;
    long long v = CCNC_UNKNOWN;

    if (statvfs(full, &st) == 0)
        v = (long long)st.f_bavail * (long long)st.f_frsize;
    free(full);
    return v;
}

/* --- which server runs ----------------------------------------------------- */

/* ganesha.nfsd's "-f CONFIG" from its command line, NULL when not given. */
static char *
ganesha_config(const char *procdir, const char *pid)
{
    char *path = ccnc_xasprintf("%s/%s/cmdline", procdir, pid), *args, *conf = NULL;
    FILE *f = fopen(path, "re");
    size_t n;

    free(path);
    if (!f)
        return NULL;
    args = ccnc_xmalloc(8192);
    n = fread(args, 1, 8191, f);
    fclose(f);
    args[n] = '\0';
    /* NUL-separated: walk the words */
    for (size_t i = 0; i < n; i += strlen(args + i) + 1) {
        const char *w = args + i;
        if (strcmp(w, "-f") == 0 && i + 3 < n)
            conf = ccnc_xstrdup(w + 3);
        else if (strncmp(w, "-f", 2) == 0 && w[2])
            conf = ccnc_xstrdup(w + 2);
    }
    free(args);
    return conf;
}

static const char *
nfs_server(const char *root, char **ganesha_conf)
{
    char *procdir = ccnc_xasprintf("%s/proc", root);
    DIR *d = opendir(procdir);
    struct dirent *de;
    const char *server = NULL;
    long long threads;

    while (d && (de = readdir(d)) && !server) {
        char *comm;
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        comm = ccnc_sysfs_read("%s/%s/comm", procdir, de->d_name);
        if (comm && strcmp(comm, "ganesha.nfsd") == 0) {
            server = "nfs-ganesha";
            *ganesha_conf = ganesha_config(procdir, de->d_name);
        } else if (comm && strcmp(comm, "nfsd") == 0) {
            server = "nfsd";
        }
        free(comm);
    }
    if (d)
        closedir(d);
    if (!server && ccnc_sysfs_read_ll(&threads, "%s/fs/nfsd/threads", procdir) == 0 &&
        threads > 0)
        server = "nfsd";
    free(procdir);
    return server;
}

/* --- ganesha.conf ------------------------------------------------------------ */

struct tok {
    const char *p;
    int line;
};

/* Next token: a word, a quoted string, or one of { } = ;.  NULL at end. */
static char *
next_token(struct tok *t)
{
    const char *s;

    for (;;) {
        while (*t->p && isspace((unsigned char)*t->p)) {
            if (*t->p == '\n')
                t->line++;
            t->p++;
        }
        if (*t->p == '#') {
            while (*t->p && *t->p != '\n')
                t->p++;
            continue;
        }
        break;
    }
    if (!*t->p)
        return NULL;
    if (strchr("{}=;,", *t->p))
        return ccnc_xstrndup(t->p++, 1);
    if (*t->p == '"') {
        s = ++t->p;
        while (*t->p && *t->p != '"')
            t->p++;
        {
            char *v = ccnc_xstrndup(s, (size_t)(t->p - s));
            if (*t->p)
                t->p++;
            return v;
        }
    }
    s = t->p;
    while (*t->p && !isspace((unsigned char)*t->p) && !strchr("{}=;,#\"", *t->p))
        t->p++;
    return ccnc_xstrndup(s, (size_t)(t->p - s));
}

static void
append(char **dst, const char *sep, const char *text)
{
    char *n = *dst ? ccnc_xasprintf("%s%s%s", *dst, sep, text) : ccnc_xstrdup(text);

    free(*dst);
    *dst = n;
}

/* Parse "{ key = value[, value]; BLOCK { ... } ... }" after EXPORT. */
static int
ganesha_block(struct tok *t, const char *block, int depth, struct ccnc_export *e, char **opts,
              const char *file, struct ccnc_error *err)
{
    char *tk;

    if (depth > 8)
        return ccnc_error_set_at(err, CCNC_ERR_PARSE, file, t->line, _("blocks nest too deep"));
    while ((tk = next_token(t))) {
        char *key, *value = NULL;
        if (strcmp(tk, "}") == 0) {
            free(tk);
            return 0;
        }
        key = tk;
        tk = next_token(t);
        if (tk && strcmp(tk, "{") == 0) {
            free(tk);
            if (ganesha_block(t, key, depth + 1, e, opts, file, err) < 0) {
                free(key);
                return -1;
            }
            free(key);
            continue;
        }
        if (!tk || strcmp(tk, "=") != 0) {
            ccnc_error_set_at(err, CCNC_ERR_PARSE, file, t->line,
                              _("expected '=' after '%s'"), key);
            free(tk);
            free(key);
            return -1;
        }
        free(tk);
        while ((tk = next_token(t)) && strcmp(tk, ";") != 0 && strcmp(tk, "}") != 0) {
            if (strcmp(tk, ",") != 0)
                append(&value, ",", tk);
            free(tk);
        }
        if (!tk) {
            free(value);
            free(key);
            return ccnc_error_set_at(err, CCNC_ERR_PARSE, file, t->line,
                                     _("the block '%s' is not closed"), block);
        }
        if (value) {
            if (strcasecmp(key, "Path") == 0 && strcasecmp(block, "EXPORT") == 0)
                ccnc_str_set(&e->path, value);
            else if (strcasecmp(key, "Clients") == 0)
                append(&e->clients, " ", value);
            else if (strcasecmp(key, "Export_Id") != 0) {
                char *kv = strcasecmp(block, "EXPORT") == 0
                               ? ccnc_xasprintf("%s=%s", key, value)
                               : ccnc_xasprintf("%s.%s=%s", block, key, value);
                for (char *c = kv; *c && *c != '='; c++)
                    *c = (char)tolower((unsigned char)*c);
                append(opts, ",", kv);
                free(kv);
            }
        }
        free(value);
        free(key);
        if (strcmp(tk, "}") == 0) {
            free(tk);
            return 0;
        }
        free(tk);
    }
    return ccnc_error_set_at(err, CCNC_ERR_PARSE, file, t->line, _("the block '%s' is not closed"),
                             block);
}

static int
parse_ganesha(const char *root, const char *file, const char *text, const char *server,
              struct ccnc_host *host, struct ccnc_error *err)
{
    struct tok t = { text, 1 };
    char *tk;

    /* the top level holds only blocks ("NAME {") and %include lines */
    while ((tk = next_token(&t))) {
        struct ccnc_export e = { .free_bytes = CCNC_UNKNOWN };
        char *open, *opts = NULL;
        bool is_export = strcasecmp(tk, "EXPORT") == 0;
        int rc;

        if (tk[0] == '%') {
            free(next_token(&t)); /* %include "file": not followed */
            free(tk);
            continue;
        }
        open = next_token(&t);
        if (!open || strcmp(open, "{") != 0 || strchr("{}=;,", tk[0])) {
            ccnc_error_set_at(err, CCNC_ERR_PARSE, file, t.line, _("expected 'NAME {', not '%s'"),
                              tk);
            free(open);
            free(tk);
            return -1;
        }
        if (is_export)
            opts = ccnc_xasprintf("server=%s", server ? server : "none");
        rc = ganesha_block(&t, tk, 1, &e, &opts, file, err);
        if (rc == 0 && is_export && e.path) {
            struct ccnc_export *x = ccnc_host_add_export(host);
            x->path = e.path;
            x->clients = e.clients ? e.clients : ccnc_xstrdup("*");
            x->options = opts;
            x->free_bytes = free_bytes(root, e.path);
        } else {
            free(e.path);
            free(e.clients);
            free(opts);
        }
        free(open);
        free(tk);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* --- exports(5) ---------------------------------------------------------------- */

static int
parse_exports(const char *root, const char *file, char *text, const char *server,
              struct ccnc_host *host, struct ccnc_error *err)
{
    int line = 0;
    char *save = NULL;

    /* join continuation lines */
    for (char *c = text; *c; c++)
        if (c[0] == '\\' && c[1] == '\n')
            c[0] = c[1] = ' ';
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *p = l, *path, *hash = strchr(l, '#');
        struct ccnc_export *e;

        line++;
        if (hash)
            *hash = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            continue;
        if (*p == '"') {
            char *end = strchr(p + 1, '"');
            if (!end)
                return ccnc_error_set_at(err, CCNC_ERR_PARSE, file, line,
                                         _("an unclosed quote"));
            path = ccnc_xstrndup(p + 1, (size_t)(end - p - 1));
            p = end + 1;
        } else {
            size_t n = strcspn(p, " \t");
            path = ccnc_xstrndup(p, n);
            p += n;
        }
        if (path[0] != '/') {
            ccnc_error_set_at(err, CCNC_ERR_PARSE, file, line,
                              _("'%s' is not an absolute path"), path);
            free(path);
            return -1;
        }
        e = ccnc_host_add_export(host);
        e->path = path;
        e->options = ccnc_xasprintf("server=%s", server ? server : "none");
        for (char *s2 = NULL, *c = strtok_r(p, " \t", &s2); c; c = strtok_r(NULL, " \t", &s2)) {
            char *paren = strchr(c, '(');
            char *name = paren ? ccnc_xstrndup(c, (size_t)(paren - c)) : ccnc_xstrdup(c);
            append(&e->clients, " ", *name ? name : "*");
            if (paren) {
                char *o = ccnc_xasprintf("%s%s", *name ? name : "*", paren);
                append(&e->options, ",", o);
                free(o);
            }
            free(name);
        }
        if (!e->clients)
            e->clients = ccnc_xstrdup("*");
        e->free_bytes = free_bytes(root, e->path);
    }
    return 0;
}

static int
collect_exports(const struct ccnc_agent_opts *opts, struct ccnc_host *host,
                struct ccnc_error *err)
{
    char *conf = NULL;
    const char *server = nfs_server(opts->root, &conf);
    char *file = NULL, *text = NULL;
    int rc = 0;

    if (opts->exports) {
        file = ccnc_xstrdup(opts->exports);
    } else if (conf) {
        /* the configuration the running ganesha.nfsd was started with */
        file = ccnc_xasprintf("%s%s", conf[0] == '/' ? opts->root : "", conf);
    } else {
        static const char *const tries[] = { "/etc/ganesha/ganesha.conf", "/etc/exports" };
        for (size_t i = 0; i < CCNC_ARRAY_SIZE(tries) && !text; i++) {
            free(file);
            file = ccnc_xasprintf("%s%s", opts->root, tries[i]);
            text = slurp(file);
        }
    }
    if (!text)
        text = slurp(file);
    if (!text) {
        rc = ccnc_error_set(err, CCNC_ERR_IO, _("cannot read the NFS exports '%s': %s"), file,
                            strerror(errno));
    } else if (strstr(file, "ganesha") || strstr(text, "EXPORT")) {
        rc = parse_ganesha(opts->root, file, text, server, host, err);
    } else {
        rc = parse_exports(opts->root, file, text, server, host, err);
    }
    if (rc == 0 && !server)
        rc = ccnc_error_set(err, CCNC_ERR_IO, _("no NFS server runs (neither nfs-ganesha nor "
                                                "the kernel's nfsd)"));
    free(text);
    free(file);
    free(conf);
    return rc;
}

/* --- a hypervisor's mounts ------------------------------------------------------ */

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. */
static void
unescape(char *s)
{
    char *d = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *d++ = *s;
        }
    }
    *d = '\0';
}

static bool
under(const char *dir, const char *mnt)
{
    size_t n = strlen(mnt);

    if (strcmp(mnt, "/") == 0)
        return true;
    return strncmp(dir, mnt, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

static int
collect_mounts(const struct ccnc_agent_opts *opts, struct ccnc_host *host,
               struct ccnc_error *err)
{
    char *path = ccnc_xasprintf("%s/proc/self/mounts", opts->root);
    char *text = slurp(path), *save = NULL;
    size_t best = 0, best_len = 0;
    int rc = 0;

    if (!text) {
        free(path);
        path = ccnc_xasprintf("%s/proc/mounts", opts->root);
        text = slurp(path);
    }
    if (!text) {
        rc = ccnc_error_set(err, CCNC_ERR_IO, _("cannot read '%s': %s"), path, strerror(errno));
        free(path);
        return rc;
    }
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *f[4] = { NULL }, *s2 = NULL;
        struct ccnc_export *e;
        int n = 0;
        for (char *w = strtok_r(l, " ", &s2); w && n < 4; w = strtok_r(NULL, " ", &s2))
            f[n++] = w;
        if (n < 4 || strncmp(f[2], "nfs", 3) != 0)
            continue;
        unescape(f[0]);
        unescape(f[1]);
        e = ccnc_host_add_export(host);
        e->path = ccnc_xstrdup(f[1]);
        e->clients = ccnc_xstrdup(f[0]); /* server:/export */
        e->options = ccnc_xasprintf("mount,fstype=%s,%s", f[2], f[3]);
        e->free_bytes = free_bytes(opts->root, f[1]);
        if (opts->image_dir && under(opts->image_dir, f[1]) && strlen(f[1]) >= best_len) {
            best = host->n_exports;
            best_len = strlen(f[1]);
        }
    }
    if (opts->image_dir) {
        if (best) {
            struct ccnc_export *e = &host->exports[best - 1];
            char *o = ccnc_xasprintf("%s,image-dir=%s", e->options, opts->image_dir);
            free(e->options);
            e->options = o;
        } else {
            rc = ccnc_error_set(err, CCNC_ERR_IO,
                                _("the VM image directory '%s' is not on an NFS mount"),
                                opts->image_dir);
        }
    }
    free(text);
    free(path);
    return rc;
}

int
ccnc_nfs_collect(const struct ccnc_agent_opts *opts, struct ccnc_host *host,
                 struct ccnc_error *err)
{
    if (opts->role == CCNC_HOST_ROLE_STORAGE)
        return collect_exports(opts, host, err);
    return collect_mounts(opts, host, err);
}
