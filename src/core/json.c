/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The model to JSON and back (docs/status-json.md), with json-c. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include <ccnc/json.h>
#include <ccnc/vf.h>

#include "core/i18n.h"
#include "core/json-get.h"

/* --- writing --------------------------------------------------------------- */

static void
put_str(json_object *o, const char *key, const char *v)
{
    json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

static void
put_int(json_object *o, const char *key, int v)
{
    json_object_object_add(o, key, v == CCNC_UNKNOWN ? NULL : json_object_new_int(v));
}

static void
put_int64(json_object *o, const char *key, long long v)
{
    json_object_object_add(o, key, v == CCNC_UNKNOWN ? NULL : json_object_new_int64(v));
}

static void
put_bool(json_object *o, const char *key, bool v)
{
    json_object_object_add(o, key, json_object_new_boolean(v));
}

static void
put_tribool(json_object *o, const char *key, int v)
{
    json_object_object_add(o, key, v == CCNC_UNKNOWN ? NULL : json_object_new_boolean(v));
}

static json_object *
bond_json(const struct ccnc_bond *b)
{
    json_object *o = json_object_new_object(), *slaves = json_object_new_array();

    put_str(o, "name", b->name);
    put_str(o, "mode", ccnc_bond_mode_to_string(b->mode));
    put_str(o, "primary", b->primary);
    put_str(o, "active_slave", b->active_slave);
    put_str(o, "mii_status", b->mii_status);
    put_int(o, "miimon_ms", b->miimon_ms);
    put_int(o, "updelay_ms", b->updelay_ms);
    put_int(o, "downdelay_ms", b->downdelay_ms);
    put_int(o, "arp_interval_ms", b->arp_interval_ms);
    for (size_t i = 0; i < b->n_slaves; i++) {
        const struct ccnc_bond_slave *s = &b->slaves[i];
        json_object *so = json_object_new_object();
        put_str(so, "name", s->name);
        put_str(so, "state", ccnc_slave_state_to_string(s->state));
        put_str(so, "mii_status", s->mii_status);
        put_int(so, "link_failures", s->link_failures);
        put_int(so, "speed_mbps", s->speed_mbps);
        put_str(so, "perm_hwaddr", s->perm_hwaddr);
        json_object_array_add(slaves, so);
    }
    json_object_object_add(o, "slaves", slaves);
    return o;
}

static json_object *
nic_json(const struct ccnc_nic *n)
{
    json_object *o = json_object_new_object();

    put_str(o, "pci", n->pci);
    put_int(o, "vendor_id", n->vendor_id);
    put_int(o, "device_id", n->device_id);
    put_str(o, "vendor", n->vendor);
    put_str(o, "device", n->device);
    put_str(o, "driver", n->driver);
    put_str(o, "netdev", n->netdev);
    put_int(o, "iommu_group", n->iommu_group);
    put_bool(o, "is_vf", n->is_vf);
    put_str(o, "pf", n->pf);
    if (n->has_sriov) {
        json_object *s = json_object_new_object();
        put_int(s, "total_vfs", n->sriov.total_vfs);
        put_int(s, "num_vfs", n->sriov.num_vfs);
        put_int(s, "vf_offset", n->sriov.vf_offset);
        put_int(s, "vf_stride", n->sriov.vf_stride);
        put_int(s, "vf_device_id", n->sriov.vf_device_id);
        json_object_object_add(o, "sriov", s);
    } else {
        json_object_object_add(o, "sriov", NULL);
    }
    put_str(o, "error", n->error);
    return o;
}

/* One VF of a port, as links[].vfs[] of the snapshot and `ccnc vf --json`
 * carry it. */
static json_object *
vf_json(const struct ccnc_vf *vf)
{
    json_object *v = json_object_new_object();

    put_int(v, "index", vf->index);
    put_str(v, "pci", vf->pci);
    put_str(v, "mac", vf->mac);
    put_int(v, "vlan", vf->vlan);
    put_int(v, "qos", vf->qos);
    put_int(v, "max_tx_rate", vf->max_tx_rate);
    put_int(v, "min_tx_rate", vf->min_tx_rate);
    put_tribool(v, "spoofchk", vf->spoofchk);
    put_tribool(v, "trust", vf->trust);
    put_str(v, "link_state", vf->link_state);
    put_str(v, "vm", vf->vm);
    put_bool(v, "reserved", vf->reserved);
    return v;
}

static json_object *
link_json(const struct ccnc_link *l)
{
    json_object *o = json_object_new_object(), *vfs = json_object_new_array();

    put_str(o, "name", l->name);
    put_int(o, "ifindex", l->ifindex);
    put_str(o, "kind", l->kind);
    put_str(o, "mac", l->mac);
    put_int(o, "mtu", l->mtu);
    put_str(o, "operstate", l->operstate);
    put_tribool(o, "carrier", l->carrier);
    put_int(o, "speed_mbps", l->speed_mbps);
    put_str(o, "master", l->master);
    put_int64(o, "rx_bps", l->rx_bps);
    put_int64(o, "tx_bps", l->tx_bps);
    for (size_t i = 0; i < l->n_vfs; i++)
        json_object_array_add(vfs, vf_json(&l->vfs[i]));
    json_object_object_add(o, "vfs", vfs);
    return o;
}

static json_object *
vm_json(const struct ccnc_vm *vm)
{
    json_object *o = json_object_new_object(), *nics = json_object_new_array();

    put_str(o, "name", vm->name);
    put_str(o, "uuid", vm->uuid);
    put_str(o, "state", ccnc_vm_state_to_string(vm->state));
    put_str(o, "job", ccnc_vm_job_to_string(vm->job));
    put_int64(o, "memory_kib", vm->memory_kib);
    put_int(o, "vcpus", vm->vcpus);
    {
        json_object *d = json_object_new_array();
        for (size_t i = 0; i < vm->n_disks; i++)
            json_object_array_add(d, json_object_new_string(vm->disks[i]));
        json_object_object_add(o, "disks", d);
    }
    for (size_t i = 0; i < vm->n_nics; i++) {
        const struct ccnc_vm_nic *n = &vm->nics[i];
        json_object *no = json_object_new_object();
        put_str(no, "mac", n->mac);
        put_str(no, "model", n->model);
        put_str(no, "type", n->type);
        put_str(no, "role", ccnc_nic_role_to_string(n->role));
        put_str(no, "pci", n->pci);
        put_str(no, "target", n->target);
        put_str(no, "alias", n->alias);
        put_str(no, "source", n->source);
        put_str(no, "guest_name", n->guest_name);
        put_int64(no, "rx_bps", n->rx_bps);
        put_int64(no, "tx_bps", n->tx_bps);
        if (n->teaming) {
            json_object *t = json_object_new_object();
            put_str(t, "type", n->teaming->type);
            put_str(t, "persistent", n->teaming->persistent);
            put_str(t, "partner_alias", n->teaming->partner_alias);
            put_str(t, "partner_mac", n->teaming->partner_mac);
            put_str(t, "partner_pci", n->teaming->partner_pci);
            json_object_object_add(no, "teaming", t);
        } else {
            json_object_object_add(no, "teaming", NULL);
        }
        json_object_array_add(nics, no);
    }
    json_object_object_add(o, "nics", nics);
    json_object_object_add(o, "bond", vm->bond ? bond_json(vm->bond) : NULL);
    put_bool(o, "bond_stale", vm->bond_stale);
    if (vm->lease) {
        json_object *l = json_object_new_object();
        put_str(l, "run", vm->lease->run);
        put_str(l, "by", vm->lease->by);
        put_int64(l, "since_ms", vm->lease->since_ms);
        put_int64(l, "expires_ms", vm->lease->expires_ms);
        json_object_object_add(o, "lease", l);
    } else {
        json_object_object_add(o, "lease", NULL);
    }
    return o;
}

static void
put_time(json_object *o, const char *key, long long ms, int flags)
{
    char buf[CCNC_ISO_TIME_LEN];

    if (ms <= 0 || (flags & CCNC_JSON_NO_TIME)) {
        json_object_object_add(o, key, NULL);
        return;
    }
    ccnc_format_iso_ms(buf, ms);
    put_str(o, key, buf);
}

static json_object *
host_json(const struct ccnc_host *h, int flags)
{
    json_object *o = json_object_new_object(), *a;

    put_str(o, "name", h->name);
    put_str(o, "label", h->label);
    put_str(o, "address", h->address);
    put_str(o, "role", ccnc_host_role_to_string(h->role));
    put_str(o, "connection", ccnc_conn_state_to_string(h->connection));
    put_bool(o, "stale", h->stale);
    put_str(o, "error", h->error);
    put_str(o, "hostkey_sha256", h->hostkey_sha256);
    put_bool(o, "hostkey_question", h->hostkey_question);
    put_bool(o, "passphrase_question", h->passphrase_question);
    put_str(o, "agent_version", h->agent_version);
    put_str(o, "libvirt", h->libvirt == CCNC_UNKNOWN ? NULL : ccnc_conn_state_to_string(h->libvirt));
    put_str(o, "libvirt_error", h->libvirt_error);
    put_int64(o, "mem_total_kib", h->mem_total_kib);
    put_int64(o, "mem_free_kib", h->mem_free_kib);
    put_time(o, "updated", h->updated_ms, flags);

    a = json_object_new_array();
    for (size_t i = 0; i < h->n_nics; i++)
        json_object_array_add(a, nic_json(&h->nics[i]));
    json_object_object_add(o, "nics", a);
    a = json_object_new_array();
    for (size_t i = 0; i < h->n_links; i++)
        json_object_array_add(a, link_json(&h->links[i]));
    json_object_object_add(o, "links", a);
    a = json_object_new_array();
    for (size_t i = 0; i < h->n_bonds; i++)
        json_object_array_add(a, bond_json(&h->bonds[i]));
    json_object_object_add(o, "bonds", a);
    a = json_object_new_array();
    for (size_t i = 0; i < h->n_exports; i++) {
        const struct ccnc_export *e = &h->exports[i];
        json_object *eo = json_object_new_object();
        put_str(eo, "path", e->path);
        put_str(eo, "clients", e->clients);
        put_str(eo, "options", e->options);
        put_int64(eo, "free_bytes", e->free_bytes);
        json_object_array_add(a, eo);
    }
    json_object_object_add(o, "exports", a);
    a = json_object_new_array();
    for (size_t i = 0; i < h->n_vms; i++)
        json_object_array_add(a, vm_json(&h->vms[i]));
    json_object_object_add(o, "vms", a);
    return o;
}

static json_object *
lab_json(const struct ccnc_lab *lab)
{
    json_object *o = json_object_new_object(), *vms = json_object_new_array(), *m;

    put_str(o, "name", lab->name);
    put_str(o, "config", lab->path);
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct ccnc_lab_vm *vm = &lab->vms[i];
        json_object *v = json_object_new_object(), *pt = NULL;
        put_str(v, "name", vm->name);
        put_str(v, "home_host", vm->host);
        put_str(v, "bond", vm->bond);
        if (vm->passthrough_kind != CCNC_PASSTHROUGH_NONE) {
            pt = json_object_new_object();
            put_str(pt, "kind", ccnc_passthrough_kind_to_string(vm->passthrough_kind));
            put_str(pt, "value", vm->passthrough);
            put_str(pt, "mac", vm->passthrough_mac);
        }
        json_object_object_add(v, "passthrough", pt);
        put_str(v, "backup", vm->backup);
        put_str(v, "probe_target", vm->probe_target);
        json_object_array_add(vms, v);
    }
    json_object_object_add(o, "vms", vms);
    m = json_object_new_object();
    put_int(m, "bandwidth_mbps", lab->migration.bandwidth_mbps);
    put_int(m, "max_downtime_ms", lab->migration.max_downtime_ms);
    put_int(m, "timeout_s", lab->migration.timeout_s);
    put_int(m, "step_timeout_s", lab->migration.step_timeout_s);
    put_int(m, "verify_backup_s", lab->migration.verify_backup_s);
    put_int(m, "parallel", lab->migration.parallel);
    put_bool(m, "auto_converge", lab->migration.auto_converge);
    put_bool(m, "give_up", lab->migration.give_up);
    put_int(m, "keepalive_s", lab->migration.keepalive_s);
    put_str(m, "policy", ccnc_policy_to_string(lab->migration.policy));
    put_int(m, "dirty_sample_pages", lab->migration.dirty_sample_pages);
    json_object_object_add(o, "migration", m);
    return o;
}

static char *
finish(json_object *root, int flags)
{
    int jf = (flags & CCNC_JSON_PRETTY) ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                        : JSON_C_TO_STRING_PLAIN;
    char *s = ccnc_xstrdup(json_object_to_json_string_ext(root, jf | JSON_C_TO_STRING_NOSLASHESCAPE));

    json_object_put(root);
    return s;
}

char *
ccnc_json_snapshot(const struct ccnc_snapshot *snap, int flags)
{
    json_object *root = json_object_new_object(), *hosts = json_object_new_array();

    json_object_object_add(root, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    json_object_object_add(root, "seq", json_object_new_int64((int64_t)snap->seq));
    put_time(root, "time", snap->time_ms, flags);
    json_object_object_add(root, "lab", lab_json(snap->lab));
    for (size_t i = 0; i < snap->n_hosts; i++)
        json_object_array_add(hosts, host_json(snap->hosts[i], flags));
    json_object_object_add(root, "hosts", hosts);
    return finish(root, flags);
}

/* One SR-IOV port of `ccnc vf --json`: its link (may be NULL), its PCI
 * function (may be NULL), its VFs, each with what drifted from what ccnc
 * set. */
static json_object *
vf_port_json(const struct ccnc_host *h, const struct ccnc_link *l, const struct ccnc_nic *p,
             const struct ccnc_vf_intent *intent)
{
    json_object *o = json_object_new_object(), *vfs = json_object_new_array();

    put_str(o, "name", l ? l->name : p->netdev);
    put_str(o, "pci", p ? p->pci : NULL);
    put_int(o, "total_vfs", p && p->has_sriov ? p->sriov.total_vfs : CCNC_UNKNOWN);
    put_int(o, "num_vfs", p && p->has_sriov ? p->sriov.num_vfs : CCNC_UNKNOWN);
    for (size_t i = 0; l && i < l->n_vfs; i++) {
        json_object *v = vf_json(&l->vfs[i]);
        char *drift = intent ? ccnc_vf_intent_drift(intent, h->name, l->name, &l->vfs[i]) : NULL;
        put_str(v, "drift", drift);
        free(drift);
        json_object_array_add(vfs, v);
    }
    json_object_object_add(o, "vfs", vfs);
    return o;
}

char *
ccnc_json_vfs(const struct ccnc_snapshot *snap, const char *only,
              const struct ccnc_vf_intent *intent, int flags)
{
    json_object *root = json_object_new_object(), *hosts = json_object_new_array();

    json_object_object_add(root, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    put_time(root, "time", snap->time_ms, flags);
    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *h = snap->hosts[i];
        json_object *o, *ports;
        if (only && strcmp(h->name, only) != 0)
            continue;
        o = json_object_new_object();
        ports = json_object_new_array();
        put_str(o, "name", h->name);
        put_str(o, "connection", ccnc_conn_state_to_string(h->connection));
        put_bool(o, "stale", h->stale);
        put_str(o, "error", h->error);
        /* a port with VFs, or one that could have some */
        for (size_t k = 0; k < h->n_links; k++) {
            const struct ccnc_link *l = &h->links[k];
            const struct ccnc_nic *p = ccnc_host_find_port(h, l->name);
            if (l->n_vfs || (p && p->has_sriov))
                json_object_array_add(ports, vf_port_json(h, l, p, intent));
        }
        for (size_t n = 0; n < h->n_nics; n++) {
            const struct ccnc_nic *p = &h->nics[n];
            if (p->has_sriov && (!p->netdev || !ccnc_host_find_link(h, p->netdev)))
                json_object_array_add(ports, vf_port_json(h, NULL, p, intent));
        }
        json_object_object_add(o, "links", ports);
        json_object_array_add(hosts, o);
    }
    json_object_object_add(root, "hosts", hosts);
    return finish(root, flags);
}

char *
ccnc_json_host(const struct ccnc_host *host, int flags)
{
    json_object *root = json_object_new_object();

    json_object_object_add(root, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    json_object_object_add(root, "host", host_json(host, flags));
    return finish(root, flags);
}

static char *
single(const char *key, json_object *obj, int flags)
{
    json_object *root = json_object_new_object();

    json_object_object_add(root, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    json_object_object_add(root, key, obj);
    return finish(root, flags);
}

char *
ccnc_json_vm(const struct ccnc_vm *vm, int flags)
{
    return single("vm", vm_json(vm), flags);
}

char *
ccnc_json_nic(const struct ccnc_nic *nic, int flags)
{
    return single("nic", nic_json(nic), flags);
}

char *
ccnc_json_link(const struct ccnc_link *link, int flags)
{
    return single("link", link_json(link), flags);
}

/* --- reading --------------------------------------------------------------- */

/* Every member is read by the getters of core/json-get.h: a member that is
 * missing, null or of another type reads as unknown (CCNC_UNKNOWN, NULL,
 * false or the enum's default), never as an error. */

/* An int member of the model; beyond int's range it saturates, as json-c's
 * json_object_get_int() does. */
static int
get_int(json_object *o, const char *key)
{
    long long v = ccnc_json_get_int(o, key, CCNC_UNKNOWN);

    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

/* A yes/no member that may be unknown (written by put_tribool): true,
 * false, or CCNC_UNKNOWN. */
static int
get_tribool(json_object *o, const char *key)
{
    bool b = false;

    return ccnc_json_find_bool(o, key, &b) == CCNC_JSON_FIELD_OK ? b : CCNC_UNKNOWN;
}

/* Iterate over the objects of array o[key]; non-objects are skipped. */
#define FOR_EACH_OBJ(o, key, item)                                             \
    for (json_object *arr_##item = NULL, *item = NULL;                         \
         !arr_##item && (arr_##item = ccnc_json_get_array((o), (key)));)       \
        for (size_t i_##item = 0, n_##item = json_object_array_length(arr_##item); \
             i_##item < n_##item; i_##item++)                                  \
            if ((item = json_object_array_get_idx(arr_##item, i_##item)) &&    \
                json_object_is_type(item, json_type_object))

static void
bond_read(struct ccnc_bond *b, json_object *o)
{
    b->name = ccnc_json_dup_str(o, "name");
    b->mode = ccnc_json_get_enum(o, "mode", ccnc_bond_mode_from_string, CCNC_UNKNOWN);
    b->primary = ccnc_json_dup_str(o, "primary");
    b->active_slave = ccnc_json_dup_str(o, "active_slave");
    b->mii_status = ccnc_json_dup_str(o, "mii_status");
    b->miimon_ms = get_int(o, "miimon_ms");
    b->updelay_ms = get_int(o, "updelay_ms");
    b->downdelay_ms = get_int(o, "downdelay_ms");
    b->arp_interval_ms = get_int(o, "arp_interval_ms");
    FOR_EACH_OBJ(o, "slaves", so) {
        struct ccnc_bond_slave *s = ccnc_bond_add_slave(b);
        s->name = ccnc_json_dup_str(so, "name");
        s->state = ccnc_json_get_enum(so, "state", ccnc_slave_state_from_string,
                                      CCNC_SLAVE_BACKUP);
        s->mii_status = ccnc_json_dup_str(so, "mii_status");
        s->link_failures = get_int(so, "link_failures");
        s->speed_mbps = get_int(so, "speed_mbps");
        s->perm_hwaddr = ccnc_json_dup_str(so, "perm_hwaddr");
    }
}

static void
host_read(struct ccnc_host *h, json_object *o)
{
    h->connection = ccnc_json_get_enum(o, "connection", ccnc_conn_state_from_string,
                                       CCNC_CONN_CONNECTED);
    h->stale = ccnc_json_get_bool(o, "stale", false);
    h->error = ccnc_json_dup_str(o, "error");
    h->hostkey_sha256 = ccnc_json_dup_str(o, "hostkey_sha256");
    h->hostkey_question = ccnc_json_get_bool(o, "hostkey_question", false);
    h->passphrase_question = ccnc_json_get_bool(o, "passphrase_question", false);
    h->agent_version = ccnc_json_dup_str(o, "agent_version");
    h->libvirt = ccnc_json_get_enum(o, "libvirt", ccnc_conn_state_from_string, CCNC_UNKNOWN);
    h->libvirt_error = ccnc_json_dup_str(o, "libvirt_error");
    h->mem_total_kib = ccnc_json_get_int(o, "mem_total_kib", CCNC_UNKNOWN);
    h->mem_free_kib = ccnc_json_get_int(o, "mem_free_kib", CCNC_UNKNOWN);

    FOR_EACH_OBJ(o, "nics", no) {
        struct ccnc_nic *n = ccnc_host_add_nic(h);
        json_object *s;
        n->pci = ccnc_json_dup_str(no, "pci");
        n->vendor_id = get_int(no, "vendor_id");
        n->device_id = get_int(no, "device_id");
        n->vendor = ccnc_json_dup_str(no, "vendor");
        n->device = ccnc_json_dup_str(no, "device");
        n->driver = ccnc_json_dup_str(no, "driver");
        n->netdev = ccnc_json_dup_str(no, "netdev");
        n->iommu_group = get_int(no, "iommu_group");
        n->is_vf = ccnc_json_get_bool(no, "is_vf", false);
        n->pf = ccnc_json_dup_str(no, "pf");
        n->error = ccnc_json_dup_str(no, "error");
        if ((s = ccnc_json_get_object(no, "sriov"))) {
            n->has_sriov = true;
            n->sriov.total_vfs = get_int(s, "total_vfs");
            n->sriov.num_vfs = get_int(s, "num_vfs");
            n->sriov.vf_offset = get_int(s, "vf_offset");
            n->sriov.vf_stride = get_int(s, "vf_stride");
            n->sriov.vf_device_id = get_int(s, "vf_device_id");
        }
    }
    FOR_EACH_OBJ(o, "links", lo) {
        struct ccnc_link *l = ccnc_host_add_link(h);
        l->name = ccnc_json_dup_str(lo, "name");
        l->ifindex = get_int(lo, "ifindex");
        l->kind = ccnc_json_dup_str(lo, "kind");
        l->mac = ccnc_json_dup_str(lo, "mac");
        l->mtu = get_int(lo, "mtu");
        l->operstate = ccnc_json_dup_str(lo, "operstate");
        l->carrier = get_tribool(lo, "carrier");
        l->speed_mbps = get_int(lo, "speed_mbps");
        l->master = ccnc_json_dup_str(lo, "master");
        l->rx_bps = ccnc_json_get_int(lo, "rx_bps", CCNC_UNKNOWN);
        l->tx_bps = ccnc_json_get_int(lo, "tx_bps", CCNC_UNKNOWN);
        FOR_EACH_OBJ(lo, "vfs", vo) {
            struct ccnc_vf *vf = ccnc_link_add_vf(l);
            vf->index = get_int(vo, "index");
            vf->pci = ccnc_json_dup_str(vo, "pci");
            vf->mac = ccnc_json_dup_str(vo, "mac");
            vf->vlan = get_int(vo, "vlan");
            vf->qos = get_int(vo, "qos");
            vf->max_tx_rate = get_int(vo, "max_tx_rate");
            vf->min_tx_rate = get_int(vo, "min_tx_rate");
            vf->spoofchk = get_tribool(vo, "spoofchk");
            vf->trust = get_tribool(vo, "trust");
            vf->link_state = ccnc_json_dup_str(vo, "link_state");
            vf->vm = ccnc_json_dup_str(vo, "vm");
            vf->reserved = ccnc_json_get_bool(vo, "reserved", false);
        }
    }
    FOR_EACH_OBJ(o, "bonds", bo)
        bond_read(ccnc_host_add_bond(h), bo);
    FOR_EACH_OBJ(o, "exports", eo) {
        struct ccnc_export *e = ccnc_host_add_export(h);
        e->path = ccnc_json_dup_str(eo, "path");
        e->clients = ccnc_json_dup_str(eo, "clients");
        e->options = ccnc_json_dup_str(eo, "options");
        e->free_bytes = ccnc_json_get_int(eo, "free_bytes", CCNC_UNKNOWN);
    }
    FOR_EACH_OBJ(o, "vms", vo) {
        struct ccnc_vm *vm = ccnc_host_add_vm(h);
        json_object *b;
        vm->name = ccnc_json_dup_str(vo, "name");
        vm->uuid = ccnc_json_dup_str(vo, "uuid");
        vm->state = ccnc_json_get_enum(vo, "state", ccnc_vm_state_from_string, CCNC_VM_NOSTATE);
        vm->job = ccnc_json_get_enum(vo, "job", ccnc_vm_job_from_string, CCNC_VM_JOB_NONE);
        vm->memory_kib = ccnc_json_get_int(vo, "memory_kib", CCNC_UNKNOWN);
        vm->vcpus = get_int(vo, "vcpus");
        {
            json_object *d;
            size_t nd;
            if (json_object_object_get_ex(vo, "disks", &d) && json_object_is_type(d, json_type_array) &&
                (nd = json_object_array_length(d)) > 0) {
                vm->disks = ccnc_xcalloc(nd + 1, sizeof(char *));
                for (size_t k = 0; k < nd; k++) {
                    const char *f = json_object_get_string(json_object_array_get_idx(d, k));
                    if (f && *f)
                        vm->disks[vm->n_disks++] = ccnc_xstrdup(f);
                }
            }
        }
        vm->bond_stale = ccnc_json_get_bool(vo, "bond_stale", false);
        if ((b = ccnc_json_get_object(vo, "lease"))) {
            vm->lease = ccnc_xcalloc(1, sizeof(*vm->lease));
            vm->lease->run = ccnc_json_dup_str(b, "run");
            vm->lease->by = ccnc_json_dup_str(b, "by");
            vm->lease->since_ms = ccnc_json_get_int(b, "since_ms", CCNC_UNKNOWN);
            vm->lease->expires_ms = ccnc_json_get_int(b, "expires_ms", CCNC_UNKNOWN);
        }
        FOR_EACH_OBJ(vo, "nics", no) {
            struct ccnc_vm_nic *n = ccnc_vm_add_nic(vm);
            json_object *t;
            n->mac = ccnc_json_dup_str(no, "mac");
            n->model = ccnc_json_dup_str(no, "model");
            n->type = ccnc_json_dup_str(no, "type");
            n->role = ccnc_json_get_enum(no, "role", ccnc_nic_role_from_string,
                                         CCNC_NIC_ROLE_OTHER);
            n->pci = ccnc_json_dup_str(no, "pci");
            n->target = ccnc_json_dup_str(no, "target");
            n->alias = ccnc_json_dup_str(no, "alias");
            n->source = ccnc_json_dup_str(no, "source");
            n->guest_name = ccnc_json_dup_str(no, "guest_name");
            n->rx_bps = ccnc_json_get_int(no, "rx_bps", CCNC_UNKNOWN);
            n->tx_bps = ccnc_json_get_int(no, "tx_bps", CCNC_UNKNOWN);
            if ((t = ccnc_json_get_object(no, "teaming"))) {
                n->teaming = ccnc_xcalloc(1, sizeof(*n->teaming));
                n->teaming->type = ccnc_json_dup_str(t, "type");
                n->teaming->persistent = ccnc_json_dup_str(t, "persistent");
                n->teaming->partner_alias = ccnc_json_dup_str(t, "partner_alias");
                n->teaming->partner_mac = ccnc_json_dup_str(t, "partner_mac");
                n->teaming->partner_pci = ccnc_json_dup_str(t, "partner_pci");
            }
        }
        if ((b = ccnc_json_get_object(vo, "bond"))) {
            vm->bond = ccnc_xmalloc(sizeof(*vm->bond));
            ccnc_bond_init(vm->bond);
            bond_read(vm->bond, b);
        }
    }
}

struct ccnc_host *
ccnc_json_parse_host(const char *text, struct ccnc_error *err)
{
    enum json_tokener_error jerr;
    json_object *root, *o;
    struct ccnc_host *h = NULL;
    char *name;

    root = json_tokener_parse_verbose(text, &jerr);
    if (!root) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("malformed JSON: %s"),
                       json_tokener_error_desc(jerr));
        return NULL;
    }
    if (!json_object_is_type(root, json_type_object)) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("expected a JSON object"));
        goto cleanup;
    }
    if (get_int(root, "schema_version") != CCNC_SCHEMA_VERSION) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("unsupported schema_version %d (expected %d)"),
                       get_int(root, "schema_version"), CCNC_SCHEMA_VERSION);
        goto cleanup;
    }
    o = ccnc_json_get_object(root, "host");
    if (!o) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("the JSON has no \"host\" object"));
        goto cleanup;
    }
    name = ccnc_json_dup_str(o, "name");
    if (!name) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("the host has no name"));
        goto cleanup;
    }
    {
        char *label = ccnc_json_dup_str(o, "label");
        char *address = ccnc_json_dup_str(o, "address");
        h = ccnc_host_new(name, label, address,
                          ccnc_json_get_enum(o, "role", ccnc_host_role_from_string,
                                             CCNC_HOST_ROLE_HYPERVISOR));
        free(label);
        free(address);
    }
    free(name);
    host_read(h, o);
cleanup:
    json_object_put(root);
    return h;
}
