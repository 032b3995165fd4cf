/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The model as JSON (docs/status-json.md): what `ccnc status --json`,
 * `ccnc-agent --once --json` and the agent protocol carry. */
#ifndef CCNC_JSON_H
#define CCNC_JSON_H

#include <ccnc/model.h>

struct ccnc_vf_intent;

enum {
    CCNC_JSON_PRETTY = 1 << 0,   /* indented, for people */
    CCNC_JSON_NO_TIME = 1 << 1,  /* leave out wall-clock times (golden tests) */
};

/* A whole snapshot: {"schema_version":1, "lab":{...}, "hosts":[...]}.
 * Caller frees. */
char *ccnc_json_snapshot(const struct ccnc_snapshot *snap, int flags);
/* One host part: {"schema_version":1, "host":{...}}.  Caller frees. */
char *ccnc_json_host(const struct ccnc_host *host, int flags);
/* One VM, PCI function or link on its own, as `ccnc inspect --json` prints
 * them: {"schema_version":1, "vm"|"nic"|"link":{...}}.  Caller frees. */
char *ccnc_json_vm(const struct ccnc_vm *vm, int flags);
char *ccnc_json_nic(const struct ccnc_nic *nic, int flags);
char *ccnc_json_link(const struct ccnc_link *link, int flags);
/* The SR-IOV ports of the snapshot's hosts (only the host named only, when
 * not NULL) with their VFs, as `ccnc vf --json` prints them:
 * {"schema_version":1, "time", "hosts":[{name, connection, stale, error,
 * "links":[{name, pci, total_vfs, num_vfs, "vfs":[...]}]}]}; each VF as in
 * the snapshot's links[].vfs[], plus "drift" (what ccnc set, when the VF
 * no longer is so; intent may be NULL).  Caller frees. */
char *ccnc_json_vfs(const struct ccnc_snapshot *snap, const char *only,
                    const struct ccnc_vf_intent *intent, int flags);
/* Read a host part back from ccnc_json_host()'s text (or the "host" object
 * of an agent message).  NULL and err filled on malformed input. */
struct ccnc_host *ccnc_json_parse_host(const char *text, struct ccnc_error *err);

#endif
