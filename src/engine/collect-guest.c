/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's bond through the QEMU guest agent (guest-exec and guest-file
 * commands relayed by libvirt), parsed by the one bonding reader. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <ccnc/bonding.h>
#include <ccnc/log.h>

#include "engine/collect-guest.h"
#include "core/i18n.h"
#include "core/json-get.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
ccnc_base64_encode(const char *in, size_t len)
{
    char *out = ccnc_xmalloc((len + 2) / 3 * 4 + 1), *o = out;

    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < len)
            v |= (unsigned char)in[i + 2];
        *o++ = b64[(v >> 18) & 63];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < len ? b64[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

char *
ccnc_base64_decode(const char *in, size_t *len)
{
    size_t n = strlen(in), o = 0;
    char *out = ccnc_xmalloc(n / 4 * 3 + 3);
    unsigned v = 0;
    int bits = 0;

    for (size_t i = 0; i < n; i++) {
        const char *p;
        if (in[i] == '=')
            break;
        if (in[i] == '\n' || in[i] == '\r')
            continue;
        p = strchr(b64, in[i]);
        if (!p || !in[i]) {
            free(out);
            return NULL;
        }
        v = (v << 6) | (unsigned)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((v >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    if (len)
        *len = o;
    return out;
}

/* the action whose guest agent calls this thread makes (-vv) */
static __thread const char *trace_host, *trace_vm;

void
ccnc_guest_trace(const char *host, const char *vm)
{
    trace_host = host;
    trace_vm = vm;
}

/* One guest-agent command; the "return" member, or NULL with err. */
static json_object *
agent(virDomainPtr dom, json_object *cmd, int timeout_s, struct ccnc_error *err)
{
    const char *text = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
    char *reply;
    json_object *root, *ret = NULL;

    if (trace_host && ccnc_log_enabled(CCNC_LOG_CALLS)) {
        json_object *name = NULL;
        char *call;
        json_object_object_get_ex(cmd, "execute", &name);
        call = ccnc_xasprintf("virDomainQemuAgentCommand %s",
                              name ? json_object_get_string(name) : "?");
        ccnc_log(CCNC_LOG_CALLS, _("%s: libvirt %s for %s"), trace_host, call,
                 trace_vm ? trace_vm : "?");
        free(call);
    }
    reply = virDomainQemuAgentCommand(dom, text, timeout_s, 0);

    json_object_put(cmd);
    if (!reply) {
        const char *msg = virGetLastErrorMessage();
        ccnc_error_set(err, CCNC_ERR_LIBVIRT, _("the guest agent did not answer: %s"),
                       msg ? msg : "?");
        return NULL;
    }
    root = json_tokener_parse(reply);
    if (root && json_object_object_get_ex(root, "return", &ret))
        ret = json_object_get(ret);
    else
        ccnc_error_set(err, CCNC_ERR_PARSE, _("the guest agent sent no result"));
    json_object_put(root);
    free(reply);
    return ret;
}

static json_object *
command(const char *name, json_object *args)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "execute", json_object_new_string(name));
    if (args)
        json_object_object_add(o, "arguments", args);
    return o;
}

int
ccnc_guest_file_append(char **data, size_t *len, const char *b64text, bool eof,
                       struct ccnc_error *err)
{
    size_t n = 0;
    char *chunk = b64text ? ccnc_base64_decode(b64text, &n) : NULL;

    if (!chunk)
        return ccnc_error_set(err, CCNC_ERR_PARSE, _("the guest agent sent bad base64"));
    *data = ccnc_xrealloc(*data, *len + n + 1);
    memcpy(*data + *len, chunk, n);
    *len += n;
    (*data)[*len] = '\0';
    free(chunk);
    /* past the bound the parser refuses it: no need for the rest */
    return eof || n == 0 || *len > CCNC_BONDING_MAX_TEXT ? 0 : 1;
}

/* The whole of a small guest file, through guest-file-open/read/close:
 * read until the agent says end of file, or past the bonding reader's
 * bound (which it then refuses), never just the first chunk. */
static char *
read_guest_file(virDomainPtr dom, const char *path, int timeout_s, size_t *len,
                struct ccnc_error *err)
{
    json_object *args = json_object_new_object(), *ret;
    long long handle;
    char *data = NULL;
    int more = 1;

    json_object_object_add(args, "path", json_object_new_string(path));
    json_object_object_add(args, "mode", json_object_new_string("r"));
    ret = agent(dom, command("guest-file-open", args), timeout_s, err);
    if (!ret)
        return NULL;
    handle = json_object_get_int64(ret);
    json_object_put(ret);

    *len = 0;
    while (more > 0) {
        args = json_object_new_object();
        json_object_object_add(args, "handle", json_object_new_int64(handle));
        json_object_object_add(args, "count", json_object_new_int(65536));
        ret = agent(dom, command("guest-file-read", args), timeout_s, err);
        more = ret ? ccnc_guest_file_append(&data, len, ccnc_json_get_str(ret, "buf-b64"),
                                            ccnc_json_get_bool(ret, "eof", true), err)
                   : -1;
        json_object_put(ret);
    }
    if (more < 0) {
        free(data);
        data = NULL;
    }

    args = json_object_new_object();
    json_object_object_add(args, "handle", json_object_new_int64(handle));
    json_object_put(agent(dom, command("guest-file-close", args), timeout_s, NULL));
    return data;
}

int
ccnc_guest_read_bond(void *domain, const char *bond_name, int timeout_s, struct ccnc_bond *bond,
                     struct ccnc_error *err)
{
    char *path = ccnc_xasprintf("/proc/net/bonding/%s", bond_name);
    size_t len = 0;
    char *text = read_guest_file(domain, path, timeout_s, &len, err);
    int rc = -1;

    if (text)
        rc = ccnc_bonding_parse_proc(bond_name, text, len, bond, err);
    free(text);
    free(path);
    return rc;
}

int
ccnc_guest_set_active_slave(void *domain, const char *bond_name, const char *slave,
                            int timeout_s, struct ccnc_error *err)
{
    char *path = ccnc_xasprintf("/sys/class/net/%s/bonding/active_slave", bond_name);
    char *b64text = ccnc_base64_encode(slave, strlen(slave));
    json_object *args = json_object_new_object(), *ret;
    long long handle;
    int rc = -1;

    json_object_object_add(args, "path", json_object_new_string(path));
    json_object_object_add(args, "mode", json_object_new_string("w"));
    ret = agent(domain, command("guest-file-open", args), timeout_s, err);
    if (ret) {
        handle = json_object_get_int64(ret);
        json_object_put(ret);
        args = json_object_new_object();
        json_object_object_add(args, "handle", json_object_new_int64(handle));
        json_object_object_add(args, "buf-b64", json_object_new_string(b64text));
        ret = agent(domain, command("guest-file-write", args), timeout_s, err);
        rc = ret ? 0 : -1;
        json_object_put(ret);
        args = json_object_new_object();
        json_object_object_add(args, "handle", json_object_new_int64(handle));
        /* the kernel applies the write when the file is closed */
        ret = agent(domain, command("guest-file-close", args), timeout_s, rc == 0 ? err : NULL);
        if (!ret)
            rc = -1;
        json_object_put(ret);
    }
    free(b64text);
    free(path);
    return rc;
}

void
ccnc_guest_name_nics(struct ccnc_vm *vm)
{
    if (!vm->bond)
        return;
    for (size_t i = 0; i < vm->n_nics; i++) {
        struct ccnc_vm_nic *n = &vm->nics[i];
        for (size_t k = 0; k < vm->bond->n_slaves; k++) {
            const struct ccnc_bond_slave *s = &vm->bond->slaves[k];
            if (n->mac && s->perm_hwaddr && strcasecmp(n->mac, s->perm_hwaddr) == 0)
                ccnc_str_set(&n->guest_name, s->name);
        }
    }
}
