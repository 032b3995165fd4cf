/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's bond, through the QEMU guest agent that libvirt relays: read
 * it (/proc/net/bonding/BOND) and switch its active slave (sysfs).  Works
 * while the guest's network is down.  Called from libvirt worker threads
 * with the domain handle as a void pointer (virDomainPtr). */
#ifndef CCNC_COLLECT_GUEST_H
#define CCNC_COLLECT_GUEST_H

#include <stdbool.h>
#include <stddef.h>

#include <ccnc/model.h>

/* Read bond (set up by the caller with ccnc_bond_init) from the guest.
 * -1 and err when the agent does not answer or the text is not bonding
 * state.  timeout_s bounds each agent call. */
int ccnc_guest_read_bond(void *domain, const char *bond_name, int timeout_s,
                         struct ccnc_bond *bond, struct ccnc_error *err);
/* Make slave the active slave of bond_name in the guest. */
int ccnc_guest_set_active_slave(void *domain, const char *bond_name, const char *slave,
                                int timeout_s, struct ccnc_error *err);
/* -vv: while host is set on this thread (an action's, naming the host and
 * the VM), each guest agent call is logged as a libvirt call of the
 * action; NULL ends it.  The strings must outlive the calls. */
void ccnc_guest_trace(const char *host, const char *vm);
/* Name the guest's interface for each of vm's NICs by the bond slaves'
 * permanent MAC addresses (fills ccnc_vm_nic.guest_name). */
void ccnc_guest_name_nics(struct ccnc_vm *vm);

/* One guest-file-read reply's "buf-b64" and "eof" appended to *data (NULL
 * at first; kept NUL-terminated, *len bytes): 1 when more is to be read, 0
 * when the file ended or passed CCNC_BONDING_MAX_TEXT bytes (the bonding
 * reader refuses it then), -1 and err on bad base64 (b64text NULL too). */
int ccnc_guest_file_append(char **data, size_t *len, const char *b64text, bool eof,
                           struct ccnc_error *err);

/* Base64 as the guest agent sends it; NULL on bad input.  Caller frees. */
char *ccnc_base64_decode(const char *in, size_t *len);
char *ccnc_base64_encode(const char *in, size_t len);

#endif
