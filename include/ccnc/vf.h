/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A change to one SR-IOV VF, as the operator words it ("mac=52:54:00:..
 * vlan=201 rate=1000 trust=on") on the command line (`ccnc vf`) or in the
 * console's VF editor, and as the agent's vf-set request carries it. */
#ifndef CCNC_VF_H
#define CCNC_VF_H

#include <stdbool.h>

#include <ccnc/error.h>
#include <ccnc/model.h>

#define CCNC_VF_KEEP (-1)   /* a field the change leaves as it is */

struct ccnc_vf_change {
    char *pf;                 /* the physical function's netdev ("eth1") */
    int vf;                   /* its index */
    char *mac;                /* NULL: keep */
    int vlan, qos;            /* CCNC_VF_KEEP or 0-4095 / 0-7 */
    int max_tx_rate, min_tx_rate;   /* Mb/s, 0 = no limit; CCNC_VF_KEEP */
    int spoofchk, trust;      /* 0/1, CCNC_VF_KEEP */
    char *link_state;         /* "auto", "enable", "disable"; NULL: keep */
};

void ccnc_vf_change_init(struct ccnc_vf_change *c, const char *pf, int vf);
void ccnc_vf_change_clear(struct ccnc_vf_change *c);
void ccnc_vf_change_copy(struct ccnc_vf_change *dst, const struct ccnc_vf_change *src);
/* Apply one KEY=VALUE word: mac, vlan, qos, rate (= max_tx_rate),
 * max_tx_rate, min_tx_rate, spoofchk, trust (on/off, yes/no, 1/0),
 * state (= link_state: auto, enable, disable).  -1 and a translated err
 * naming the key and what it takes. */
int ccnc_vf_change_word(struct ccnc_vf_change *c, const char *word, struct ccnc_error *err);
/* The keys an operator types (the short names of the list above), ended by
 * NULL: for the shell completions. */
extern const char *const ccnc_vf_change_keys[];
/* Apply a line of such words, separated by blanks. */
int ccnc_vf_change_line(struct ccnc_vf_change *c, const char *line, struct ccnc_error *err);
/* Does it change anything? */
bool ccnc_vf_change_any(const struct ccnc_vf_change *c);
/* The words that describe vf as it stands, for an editor to start from:
 * "mac=... vlan=... qos=... rate=... min_tx_rate=... spoofchk=on trust=off
 * state=auto".  Caller frees. */
char *ccnc_vf_describe(const struct ccnc_vf *vf);
/* The agent's vf-set request (docs/agent-protocol.md), with its '\n'.
 * Caller frees. */
char *ccnc_vf_change_request(const struct ccnc_vf_change *c, long long id);
/* Keep only what differs from vf as it stands (an editor's line names
 * every field; a driver may refuse even an unchanged one). */
void ccnc_vf_change_drop_same(struct ccnc_vf_change *c, const struct ccnc_vf *vf);
/* Is what the agent reports for vf what the change asked for? */
bool ccnc_vf_change_applied(const struct ccnc_vf_change *c, const struct ccnc_vf *vf);

/* What ccnc set on VFs (MAC and VLAN), kept across runs in
 * $XDG_STATE_HOME/ccnc/vf-intent.json, so that a VF which drifted from it
 * (changed behind ccnc's back, or remade) can be flagged. */
struct ccnc_vf_intent;

char *ccnc_vf_intent_default_path(void);   /* caller frees */
/* Read it; an empty one when the file is missing or unreadable. */
struct ccnc_vf_intent *ccnc_vf_intent_load(const char *path);
void ccnc_vf_intent_free(struct ccnc_vf_intent *in);
/* Remember the MAC and VLAN a change set on host's pf, VF c->vf. */
void ccnc_vf_intent_set(struct ccnc_vf_intent *in, const char *host,
                        const struct ccnc_vf_change *c);
/* Forget what ccnc set on host's pf, VF vf: it was given back (to its host
 * driver, by libvirt's managed detach or by ccnc), and nobody holds it. */
void ccnc_vf_intent_forget(struct ccnc_vf_intent *in, const char *host, const char *pf, int vf);
/* Write it (made private, replaced whole).  -1 and err. */
int ccnc_vf_intent_save(const struct ccnc_vf_intent *in, const char *path,
                        struct ccnc_error *err);
/* Has vf of host's pf drifted from what ccnc set?  Then a translated
 * note saying what ccnc set ("ccnc set MAC 52:.. VLAN 201"), caller frees;
 * NULL when it is as set, or ccnc set nothing there. */
char *ccnc_vf_intent_drift(const struct ccnc_vf_intent *in, const char *host, const char *pf,
                           const struct ccnc_vf *vf);

#endif
