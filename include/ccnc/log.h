/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What ccnc connects to and does, told on stderr for -v: the lab config it
 * read, each host, libvirt URI and agent (-v), and each libvirt call of an
 * action (-vv).  One level for the process, set by the command line before
 * anything starts; any thread may log. */
#ifndef CCNC_LOG_H
#define CCNC_LOG_H

#include <stdbool.h>

#include <ccnc/util.h>

enum ccnc_log_level {
    CCNC_LOG_QUIET = 0,     /* the default: nothing */
    CCNC_LOG_CONNECT = 1,   /* -v: config, hosts, libvirt URIs, agents */
    CCNC_LOG_CALLS = 2,     /* -vv: also each libvirt call of an action */
};

/* Set the level (below 0 counts as 0).  Call before threads start. */
void ccnc_log_set_level(int level);
bool ccnc_log_enabled(int level);

/* "ccnc: TEXT" on stderr, as one write, when level is enabled; control
 * characters and invalid UTF-8 in the text are shown as escapes.  What is
 * logged names files, hosts and URIs (through ccnc_log_uri()), never a
 * password or a key's content. */
void ccnc_log(int level, const char *fmt, ...) CCNC_PRINTF(2, 3);

/* uri as it may be shown: a password in its user part and the values of
 * query parameters that could hold a secret (password, passphrase,
 * secret, token) replaced by "***".  Caller frees. */
char *ccnc_log_uri(const char *uri);

#endif
