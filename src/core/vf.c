/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VF changes (include/ccnc/vf.h): the operator's words in, the agent's
 * request out.  No I/O. */
#include "config.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include <ccnc/agent-proto.h>
#include <ccnc/lab.h>
#include <ccnc/json.h>
#include <ccnc/util.h>
#include <ccnc/vf.h>

#include "core/i18n.h"
#include "core/json-get.h"

void
ccnc_vf_change_init(struct ccnc_vf_change *c, const char *pf, int vf)
{
    memset(c, 0, sizeof(*c));
    c->pf = ccnc_xstrdup(pf);
    c->vf = vf;
    c->vlan = c->qos = c->max_tx_rate = c->min_tx_rate = CCNC_VF_KEEP;
    c->spoofchk = c->trust = CCNC_VF_KEEP;
}

void
ccnc_vf_change_clear(struct ccnc_vf_change *c)
{
    free(c->pf);
    free(c->mac);
    free(c->link_state);
    memset(c, 0, sizeof(*c));
}

static int
int_value(const char *key, const char *v, long lo, long hi, int *out, struct ccnc_error *err)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < lo || n > hi)
        return ccnc_error_set(err, CCNC_ERR_USAGE, _("'%s' takes a number from %ld to %ld, not "
                                                     "'%s'"), key, lo, hi, v);
    *out = (int)n;
    return 0;
}

static int
bool_value(const char *key, const char *v, int *out, struct ccnc_error *err)
{
    if (!strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcmp(v, "0"))
        *out = 0;
    else
        return ccnc_error_set(err, CCNC_ERR_USAGE, _("'%s' takes on or off, not '%s'"), key, v);
    return 0;
}

void
ccnc_vf_change_copy(struct ccnc_vf_change *d, const struct ccnc_vf_change *s)
{
    *d = *s;
    d->pf = ccnc_xstrdup(s->pf);
    d->mac = ccnc_xstrdup(s->mac);
    d->link_state = ccnc_xstrdup(s->link_state);
}

const char *const ccnc_vf_change_keys[] = {
    "mac", "vlan", "qos", "rate", "min_tx_rate", "spoofchk", "trust", "state", NULL,
};

int
ccnc_vf_change_word(struct ccnc_vf_change *c, const char *word, struct ccnc_error *err)
{
    const char *eq = strchr(word, '=');
    char *key;
    const char *v;
    int rc = 0;

    if (!eq || eq == word)
        return ccnc_error_set(err, CCNC_ERR_USAGE, _("'%s' is not KEY=VALUE (mac, vlan, qos, "
                                                     "rate, min_tx_rate, spoofchk, trust, "
                                                     "state)"), word);
    key = ccnc_xstrndup(word, (size_t)(eq - word));
    v = eq + 1;
    if (!strcmp(key, "mac")) {
        if (!ccnc_mac_valid(v))
            rc = ccnc_error_set(err, CCNC_ERR_USAGE, _("'mac' takes a MAC address like "
                                                       "52:54:00:12:34:56, not '%s'"), v);
        else
            ccnc_str_set(&c->mac, v);
    } else if (!strcmp(key, "vlan")) {
        rc = int_value(key, v, 0, 4095, &c->vlan, err);
    } else if (!strcmp(key, "qos")) {
        rc = int_value(key, v, 0, 7, &c->qos, err);
    } else if (!strcmp(key, "rate") || !strcmp(key, "max_tx_rate")) {
        rc = int_value(key, v, 0, INT_MAX, &c->max_tx_rate, err);
    } else if (!strcmp(key, "min_tx_rate")) {
        rc = int_value(key, v, 0, INT_MAX, &c->min_tx_rate, err);
    } else if (!strcmp(key, "spoofchk")) {
        rc = bool_value(key, v, &c->spoofchk, err);
    } else if (!strcmp(key, "trust")) {
        rc = bool_value(key, v, &c->trust, err);
    } else if (!strcmp(key, "state") || !strcmp(key, "link_state")) {
        if (strcmp(v, "auto") && strcmp(v, "enable") && strcmp(v, "disable"))
            rc = ccnc_error_set(err, CCNC_ERR_USAGE, _("'%s' takes auto, enable or disable, not "
                                                       "'%s'"), key, v);
        else
            ccnc_str_set(&c->link_state, v);
    } else {
        rc = ccnc_error_set(err, CCNC_ERR_USAGE, _("unknown VF setting '%s' (mac, vlan, qos, "
                                                   "rate, min_tx_rate, spoofchk, trust, state)"),
                            key);
    }
    free(key);
    return rc;
}

int
ccnc_vf_change_line(struct ccnc_vf_change *c, const char *line, struct ccnc_error *err)
{
    const char *p = line;

    while (*p) {
        const char *start;
        char *word;
        int rc;
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        word = ccnc_xstrndup(start, (size_t)(p - start));
        rc = ccnc_vf_change_word(c, word, err);
        free(word);
        if (rc < 0)
            return -1;
    }
    return 0;
}

bool
ccnc_vf_change_any(const struct ccnc_vf_change *c)
{
    return c->mac || c->vlan != CCNC_VF_KEEP || c->qos != CCNC_VF_KEEP ||
           c->max_tx_rate != CCNC_VF_KEEP || c->min_tx_rate != CCNC_VF_KEEP ||
           c->spoofchk != CCNC_VF_KEEP || c->trust != CCNC_VF_KEEP || c->link_state;
}

char *
ccnc_vf_describe(const struct ccnc_vf *vf)
{
    return ccnc_xasprintf("mac=%s vlan=%d qos=%d rate=%d min_tx_rate=%d spoofchk=%s trust=%s "
                          "state=%s",
                          vf->mac ? vf->mac : "00:00:00:00:00:00", vf->vlan, vf->qos,
                          vf->max_tx_rate, vf->min_tx_rate, vf->spoofchk == 0 ? "off" : "on",
                          vf->trust == 1 ? "on" : "off",
                          vf->link_state ? vf->link_state : "auto");
}

char *
ccnc_vf_change_request(const struct ccnc_vf_change *c, long long id)
{
    json_object *o = json_object_new_object();
    char *line;

    json_object_object_add(o, "type", json_object_new_string(
                                          ccnc_agent_msg_type_to_string(CCNC_AGENT_MSG_REQUEST)));
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "op", json_object_new_string(
                                        ccnc_agent_op_to_string(CCNC_AGENT_OP_VF_SET)));
    json_object_object_add(o, "pf", json_object_new_string(c->pf ? c->pf : ""));
    json_object_object_add(o, "vf", json_object_new_int(c->vf));
    if (c->mac)
        json_object_object_add(o, "mac", json_object_new_string(c->mac));
    if (c->vlan != CCNC_VF_KEEP)
        json_object_object_add(o, "vlan", json_object_new_int(c->vlan));
    if (c->qos != CCNC_VF_KEEP)
        json_object_object_add(o, "qos", json_object_new_int(c->qos));
    if (c->max_tx_rate != CCNC_VF_KEEP)
        json_object_object_add(o, "max_tx_rate", json_object_new_int(c->max_tx_rate));
    if (c->min_tx_rate != CCNC_VF_KEEP)
        json_object_object_add(o, "min_tx_rate", json_object_new_int(c->min_tx_rate));
    if (c->spoofchk != CCNC_VF_KEEP)
        json_object_object_add(o, "spoofchk", json_object_new_boolean(c->spoofchk));
    if (c->trust != CCNC_VF_KEEP)
        json_object_object_add(o, "trust", json_object_new_boolean(c->trust));
    if (c->link_state)
        json_object_object_add(o, "link_state", json_object_new_string(c->link_state));
    line = ccnc_xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return line;
}

void
ccnc_vf_change_drop_same(struct ccnc_vf_change *c, const struct ccnc_vf *vf)
{
    if (c->mac && vf->mac && strcasecmp(c->mac, vf->mac) == 0) {
        free(c->mac);
        c->mac = NULL;
    }
    if (c->vlan == vf->vlan)
        c->vlan = CCNC_VF_KEEP;
    if (c->qos == vf->qos)
        c->qos = CCNC_VF_KEEP;
    if (c->max_tx_rate == vf->max_tx_rate)
        c->max_tx_rate = CCNC_VF_KEEP;
    if (c->min_tx_rate == vf->min_tx_rate)
        c->min_tx_rate = CCNC_VF_KEEP;
    if (c->spoofchk == vf->spoofchk)
        c->spoofchk = CCNC_VF_KEEP;
    if (c->trust == vf->trust)
        c->trust = CCNC_VF_KEEP;
    if (c->link_state && ccnc_streq(c->link_state, vf->link_state ? vf->link_state : "auto")) {
        free(c->link_state);
        c->link_state = NULL;
    }
}

bool
ccnc_vf_change_applied(const struct ccnc_vf_change *c, const struct ccnc_vf *vf)
{
    if (c->mac && (!vf->mac || strcasecmp(c->mac, vf->mac) != 0))
        return false;
    if (c->vlan != CCNC_VF_KEEP && c->vlan != vf->vlan)
        return false;
    if (c->qos != CCNC_VF_KEEP && c->qos != vf->qos)
        return false;
    if (c->max_tx_rate != CCNC_VF_KEEP && c->max_tx_rate != vf->max_tx_rate)
        return false;
    if (c->min_tx_rate != CCNC_VF_KEEP && c->min_tx_rate != vf->min_tx_rate)
        return false;
    if (c->spoofchk != CCNC_VF_KEEP && c->spoofchk != vf->spoofchk)
        return false;
    if (c->trust != CCNC_VF_KEEP && c->trust != vf->trust)
        return false;
    if (c->link_state && !ccnc_streq(c->link_state, vf->link_state))
        return false;
    return true;
}

/* --- what ccnc set ----------------------------------------------------------- */

struct ccnc_vf_intent {
    json_object *root;   /* {"HOST/PF/VF": {"mac": "...", "vlan": N}} */
};

char *
ccnc_vf_intent_default_path(void)
{
    return ccnc_xdg_path("XDG_STATE_HOME", ".local/state", "vf-intent.json");
}

struct ccnc_vf_intent *
ccnc_vf_intent_load(const char *path)
{
    struct ccnc_vf_intent *in = ccnc_xcalloc(1, sizeof(*in));

    in->root = path ? json_object_from_file(path) : NULL;
    if (in->root && !json_object_is_type(in->root, json_type_object)) {
        json_object_put(in->root);
        in->root = NULL;
    }
    if (!in->root)
        in->root = json_object_new_object();
    return in;
}

void
ccnc_vf_intent_free(struct ccnc_vf_intent *in)
{
    if (!in)
        return;
    json_object_put(in->root);
    free(in);
}

static char *
intent_key(const char *host, const char *pf, int vf)
{
    return ccnc_xasprintf("%s/%s/%d", host, pf, vf);
}

void
ccnc_vf_intent_set(struct ccnc_vf_intent *in, const char *host, const struct ccnc_vf_change *c)
{
    char *key;
    json_object *o;

    if (!c->mac && c->vlan == CCNC_VF_KEEP)
        return;
    key = intent_key(host, c->pf, c->vf);
    if (!json_object_object_get_ex(in->root, key, &o)) {
        o = json_object_new_object();
        json_object_object_add(in->root, key, o);
    }
    if (c->mac)
        json_object_object_add(o, "mac", json_object_new_string(c->mac));
    if (c->vlan != CCNC_VF_KEEP)
        json_object_object_add(o, "vlan", json_object_new_int(c->vlan));
    free(key);
}

void
ccnc_vf_intent_forget(struct ccnc_vf_intent *in, const char *host, const char *pf, int vf)
{
    char *key = intent_key(host, pf, vf);

    json_object_object_del(in->root, key);
    free(key);
}

int
ccnc_vf_intent_save(const struct ccnc_vf_intent *in, const char *path, struct ccnc_error *err)
{
    char *dir = ccnc_xstrdup(path), *slash = strrchr(dir, '/'), *tmp;
    const char *text = json_object_to_json_string_ext(in->root, JSON_C_TO_STRING_PRETTY);
    int fd, rc = 0;

    if (slash) {
        *slash = '\0';
        if (ccnc_mkdir_p(dir, 0700) < 0) {
            rc = ccnc_error_set(err, CCNC_ERR_IO, _("cannot make %s: %s"), dir, strerror(errno));
            free(dir);
            return rc;
        }
    }
    free(dir);
    tmp = ccnc_xasprintf("%s.new", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || write(fd, "\n", 1) != 1 ||
        fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        rc = ccnc_error_set(err, CCNC_ERR_IO, _("cannot write %s: %s"), path, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

char *
ccnc_vf_intent_drift(const struct ccnc_vf_intent *in, const char *host, const char *pf,
                     const struct ccnc_vf *vf)
{
    char *key = intent_key(host, pf, vf->index);
    json_object *o = in ? ccnc_json_get_object(in->root, key) : NULL;
    const char *mac;
    long long n;
    int vlan = CCNC_VF_KEEP;
    bool drift = false;

    free(key);
    if (!o)
        return NULL;
    /* a member missing or of another type was not set by ccnc */
    if ((mac = ccnc_json_get_str(o, "mac")))
        drift |= !vf->mac || strcasecmp(mac, vf->mac) != 0;
    if (ccnc_json_find_int(o, "vlan", &n) == CCNC_JSON_FIELD_OK) {
        vlan = n > INT_MAX ? INT_MAX : n < INT_MIN ? INT_MIN : (int)n;
        drift |= vlan != vf->vlan;
    }
    if (!drift)
        return NULL;
    if (mac && vlan != CCNC_VF_KEEP)
        return ccnc_xasprintf(_("ccnc set MAC %s, VLAN %d"), mac, vlan);
    if (mac)
        return ccnc_xasprintf(_("ccnc set MAC %s"), mac);
    return ccnc_xasprintf(_("ccnc set VLAN %d"), vlan);
}
