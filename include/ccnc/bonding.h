/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one reader of Linux bonding state: the text of /proc/net/bonding/BOND
 * and the attribute files of /sys/class/net/BOND/bonding/.  Used by the
 * agent on a host and by the guest collector on what the guest agent
 * returns, so it depends on nothing but the model.  Any thread may call. */
#ifndef CCNC_BONDING_H
#define CCNC_BONDING_H

#include <stddef.h>

#include <ccnc/error.h>
#include <ccnc/model.h>

/* The longest bonding state read, in bytes: longer text is refused (an
 * error), never read in part as if it were the whole bond. */
#define CCNC_BONDING_MAX_TEXT (1024 * 1024)

/* A bonding mode from any of the kernel's spellings: the long names of
 * /proc/net/bonding ("fault-tolerance (active-backup)", "IEEE 802.3ad
 * Dynamic link aggregation", ...), the short names ("active-backup"), the
 * sysfs form ("802.3ad 4") or the number.  CCNC_UNKNOWN when none. */
int ccnc_bonding_mode_from_string(const char *s);

/* Parse the text (len bytes, need not be NUL-terminated) of
 * /proc/net/bonding/NAME into bond, which the caller has set up with
 * ccnc_bond_init() and clears with ccnc_bond_clear() in every case.  name
 * (may be NULL) becomes bond->name.  Old (2004) and new formats are read;
 * unknown lines are skipped.  Returns 0, or -1 with err filled when the
 * text is not bonding state (no mode line, a line outside any section,
 * binary data) or is longer than CCNC_BONDING_MAX_TEXT. */
int ccnc_bonding_parse_proc(const char *name, const char *text, size_t len,
                            struct ccnc_bond *bond, struct ccnc_error *err);

/* Read the whole file PATH (/proc/net/bonding/NAME) and parse it as above;
 * -1 and err also when it cannot be read or is longer than
 * CCNC_BONDING_MAX_TEXT. */
int ccnc_bonding_read_proc(const char *path, const char *name, struct ccnc_bond *bond,
                           struct ccnc_error *err);

/* Read DIR/bonding/{mode,slaves,active_slave,primary,miimon,updelay,
 * downdelay,arp_interval,mii_status} and DIR/lower_SLAVE or
 * DIR/slave_SLAVE/bonding_slave/{state,mii_status,link_failure_count,
 * perm_hwaddr} where DIR is a /sys/class/net/NAME directory.  Same
 * contract as ccnc_bonding_parse_proc(). */
int ccnc_bonding_read_sysfs(const char *dir, const char *name, struct ccnc_bond *bond,
                            struct ccnc_error *err);

#endif
