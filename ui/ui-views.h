/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The console's views: each draws a snapshot into a grid and handles its
 * keys, returning what changed (never drawing from a key handler). */
#ifndef CCNC_UI_VIEWS_H
#define CCNC_UI_VIEWS_H

#include <ccnc/engine.h>
#include <ccnc/model.h>

#include "ui-grid.h"
#include "ui-log.h"
#include "ui-widgets.h"

/* What a key handler asks of the loop. */
enum {
    UI_KEY_UNHANDLED = 0,
    UI_KEY_HANDLED = 1 << 0,
    UI_KEY_REDRAW = 1 << 1,
    UI_KEY_QUIT = 1 << 2,
    UI_KEY_REQUEST = 1 << 3,    /* ui.c carries out st->request */
};

/* What a key asks ui.c to do with the engine (key handlers never call it). */
enum ui_request {
    UI_REQ_NONE,
    UI_REQ_PLAN,        /* plan req_kind for req_vm (to req_dest, "" = the other host) */
    UI_REQ_NEXT_DEST,   /* plan again to the next destination */
    UI_REQ_RUN,         /* the operator said yes to the plan */
    UI_REQ_CANCEL,      /* ... or no */
    UI_REQ_ABORT,       /* stop action req_action (0: the one running) */
    UI_REQ_TRUST,       /* trust the host key asked about */
    UI_REQ_DISTRUST,    /* ... or not */
    UI_REQ_PASSPHRASE,  /* use st->secret as the passphrase asked for */
    UI_REQ_NO_PASSPHRASE,   /* ... or not now */
    UI_REQ_VF_SET,      /* apply st->vf_edit to the VF being edited */
    UI_REQ_BANDWIDTH,   /* iperf3 between the storage host and req_vm */
    UI_REQ_RESUME,      /* plan the end of the unfinished run shown, its way */
    UI_REQ_RESUME_UNDO, /* ... the way back */
    UI_REQ_LEAVE_RUN,   /* leave it unfinished, and do not ask again */
    UI_REQ_DEMO,        /* the ping-pong demo of req_vm: plan its first round */
};

/* Keys beyond plain characters, as ui.c hands them to views. */
enum {
    UI_K_UP = 0x110000,     /* above every Unicode code point */
    UI_K_DOWN,
    UI_K_LEFT,
    UI_K_RIGHT,
    UI_K_TAB,
    UI_K_BTAB,
    UI_K_ESC,
    UI_K_ENTER,
    UI_K_BACKSPACE,
    UI_K_PGUP,
    UI_K_PGDN,
    UI_K_HOME,
    UI_K_END,
};

enum ui_view_id {
    UI_VIEW_OVERVIEW,
    UI_VIEW_VFS,
    UI_VIEW_MIGRATION,
    UI_VIEW_LOG,
    UI_VIEW_LAST
};

#define UI_FILTER_MAX 64
#define UI_FOLD_MAX 64      /* hosts that can be folded; any more stay open */

/* What the key line edits in the overview (st->finding). */
enum ui_find {
    UI_FIND_NONE,
    UI_FIND_VM,         /* '/': a VM by a part of its name */
    UI_FIND_HOST,       /* 'h': a host by its number or a part of its name */
};
#define UI_MESSAGE_MAX 200

/* A bandwidth test (b): iperf3 from the storage host to a VM. */
#define UI_BW_MAX 6
struct ui_bw {
    char when[16];       /* "HH:MM:SS" it started */
    char vm[64], from[64];
    char slave[32];      /* the VM's bond's active slave when it started */
    bool running;
    long long bps;       /* received, bits per second; -1: failed */
    char error[96];
};

/* One action of this session as the Migration view lists it.  ui.c fills
 * these from the engine before each draw and each key, in the list's
 * order (ui_actions_order()); keys read only id and active. */
struct ui_action {
    int id;                                 /* the engine's */
    const struct ccnc_action *action;       /* borrowed until the next fill */
    bool active;                            /* queued or running */
    const char *run_file;                   /* NULL before it started */
    long long total_ms, downtime_ms;        /* libvirt's; CCNC_UNKNOWN when not measured */
};

struct ui_state {
    int view;                       /* enum ui_view_id */
    int selected[UI_VIEW_LAST];     /* selected row of each view */
    char selected_vm[64];           /* the overview's VM, followed by name
                                     * when the list changes; "" none */
    bool help;                      /* help overlay shown */
    const char *clock;              /* "HH:MM:SS", may be NULL (tests) */
    const struct ui_log *log;       /* the log view's lines, may be NULL */
    bool editing;                   /* the key line edits the filter */
    char edit[UI_FILTER_MAX];       /* the filter being typed */
    char filter[UI_FILTER_MAX];     /* the applied log filter, "" none */
    char message[UI_MESSAGE_MAX];   /* one-pass status message, "" none */
    enum ui_attr message_attr;

    /* actions */
    enum ui_request request;        /* set with UI_KEY_REQUEST */
    int req_kind;                   /* enum ccnc_action_kind */
    char req_vm[64];
    char req_dest[64];
    const char *plan;               /* the plan waiting for y/n, NULL none (ui.c's) */
    bool plan_held;                 /* ... only what it waits for: no plan yet */
    const char *question_host;      /* a host whose unknown key awaits y/n, NULL none */
    const char *unfinished;         /* an unfinished run and the VM's state now, as
                                       text for its question (ui.c's), NULL none */
    const char *pass_host;          /* a host whose identity's passphrase is asked */
    char secret[128];               /* the passphrase being typed; wiped after use */
    const struct ccnc_vf_intent *vf_intent;   /* what ccnc set on VFs, may be NULL */
    /* the VF editor (v in the VF view) */
    bool vf_editing;
    char vf_host[64], vf_pf[32];
    int vf_index;
    char vf_edit[256];              /* "mac=... vlan=... rate=..." being edited */
    const struct ui_action *actions;    /* this session's, in the list's order */
    size_t n_actions;
    int action_id;                  /* the one shown in detail (the Migration
                                     * view's selection, kept by id); 0: the
                                     * list's first */
    bool action_running;            /* any action queued or running */
    long long now_ms;               /* wall clock, for running times; 0 unknown */
    int req_action;                 /* UI_REQ_ABORT: which action (an id) */
    const struct ccnc_engine_result *results;   /* this session's, oldest first */
    size_t n_results;
    const struct ui_bw *bw;         /* bandwidth tests, oldest first */
    size_t n_bw;
    /* the selected action's probe samples and job statistics, for its
     * timeline (ui.c's, from the engine; all zero when none) */
    struct ccnc_engine_samples samples;
    bool present;                   /* the presenter layout (p, --present) */
    const char *demo_table;         /* Table 1 over this session's demo rounds, as text
                                       (ui.c's), NULL: no demo yet */
    const char *demo_status;        /* where the demo stands, NULL: none */
    bool demo_waiting;              /* the demo's next round waits (x: none follows) */

    /* the overview's host lines, folds and searches */
    char selected_host[64];         /* the host whose line is selected ("" a
                                     * VM's is: selected_vm) */
    char selected_vm_host[64];      /* where the selected VM was chosen: of two
                                     * copies (a migration), that one */
    bool folds_set;                 /* the operator folded or unfolded a host:
                                     * folded[] says which; until then all
                                     * are open with a few hosts, else only
                                     * the selection's */
    bool folded[UI_FOLD_MAX];       /* by the host's place in the snapshot */
    int finding;                    /* enum ui_find: the key line edits a
                                     * search */
    bool find_miss;                 /* nothing matches what is typed */
    char find[UI_FILTER_MAX];       /* the search being typed */
    char find_last[UI_FILTER_MAX];  /* the last VM search, for n and N */
    char find_from_vm[64], find_from_host[64];  /* the selection before the
                                                 * search, back on Esc */
    int find_from_row;
};

struct ui_view {
    const char *name;       /* untranslated, N_() */
    const char *keys;       /* the view's own keys for the key line, N_() */
    void (*draw)(struct ui_grid *g, const struct ccnc_snapshot *snap,
                 const struct ui_state *st);
    /* Keys the view handles itself; selection bounds come from snap. */
    int (*key)(struct ui_state *st, const struct ccnc_snapshot *snap, int key);
};

/* The demo's Table 1 (st->demo_table) from row y, what fits above bottom;
 * the row after it. */
int ui_demo_table_draw(struct ui_grid *g, int y, int bottom, const struct ui_state *st);

extern const struct ui_view ui_view_overview;
/* The VM selected in the overview (the highlighted row), stored in
 * st->selected_vm; NULL when there is none. */
const char *ui_overview_selected_vm(struct ui_state *st, const struct ccnc_snapshot *snap);
/* A key while the overview's search or host prompt is on the key line
 * (st->finding): every key is the prompt's.  Returns UI_KEY_* flags. */
int ui_overview_find_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key);
extern const struct ui_view ui_view_vfs;
/* The VF selected in the VF view; false when there is none. */
bool ui_vfs_selected(const struct ui_state *st, const struct ccnc_snapshot *snap,
                     const struct ccnc_host **host, const struct ccnc_link **port,
                     const struct ccnc_vf **vf);
extern const struct ui_view ui_view_migration;
/* Put this session's actions in the Migration view's order: those queued
 * or running first, in the order they were given, then those that ended,
 * the newest first (an evacuation's running VMs stay on top, and the one
 * that just ended right under them). */
void ui_actions_order(struct ui_action *actions, size_t n);
/* The row of the action shown in detail (st->action_id, else the first);
 * -1 when the list is empty. */
int ui_actions_selected(const struct ui_state *st);
extern const struct ui_view ui_view_log;
/* The presenter layout over the whole body: the gap and the stream large,
 * the selected action's timeline under them (st->present). */
void ui_present_draw(struct ui_grid *g, const struct ccnc_snapshot *snap,
                     const struct ui_state *st);

/* The view of an id, in the tabs' order; borrowed from a static table,
 * never NULL. */
const struct ui_view *ui_views_get(enum ui_view_id view);

/* The body of the screen: rows a view may use (below the title bar and
 * its rule, above the key line). */
#define UI_BODY_TOP 2
#define UI_BODY_BOTTOM(g) ((g)->h - 2)   /* last usable row */

#endif
