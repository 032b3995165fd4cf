/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The model as JSON (docs/status-json.md): what `ccnc status --json`,
 * `ccnc-agent --once --json` and the agent protocol carry. */
#ifndef CCNC_JSON_H
#define CCNC_JSON_H

#include <ccnc/model.h>

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
/* Read a host part back from ccnc_json_host()'s text (or the "host" object
 * of an agent message).  NULL and err filled on malformed input. */
struct ccnc_host *ccnc_json_parse_host(const char *text, struct ccnc_error *err);

#endif
