/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The console's screen: curses set-up, keys from the engine's loop, and one
 * copy of the drawn grid to the terminal per pass.  The only file that
 * talks to curses. */
#include "config.h"

#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include <ccnc/plan.h>
#include <ccnc/report.h>
#include <ccnc/runlog.h>
#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui.h"
#include "ui-keys.h"
#include "ui-screen.h"
#include "ui-views.h"

/* At most this often a repaint for new snapshots (50 per second). */
#define UI_FRAME_MS 20

/* The downtime limit last logged of so many running actions at once. */
#define UI_LIMITS_SAID 32

struct ui {
    struct ccnc_engine *engine;
    struct {
        int id, limit_ms;
    } limit_said[UI_LIMITS_SAID];   /* a ring, newest at limit_next - 1 */
    size_t limit_next;
    struct ui_state st;
    struct ui_log *log;
    struct ui_grid *grid;
    bool color;
    bool ascii;
    bool dirty;
    int timer;
    int frame_timer;    /* a repaint scheduled after new snapshots, 0 none */
    char clock[16];
    struct ccnc_action *pending;    /* planned, waiting for the operator */
    char *plan_text;
    char *plan_head;                /* a line above the plan (the demo's), or NULL */
    bool offline;                   /* no host is contacted: no plan waits for one */
    /* a plan asked for while a host it needs was still connecting: made
     * once that host's libvirt has answered, or at until_ms anyway */
    struct {
        bool on, demo;
        enum ccnc_action_kind kind;
        char vm[64], dest[64], host[64];
        long long until_ms;
    } held;
    bool sampling;                  /* the pending migration's VM: a dirty-rate sample
                                     * under way */
    char sample_vm[64];             /* ... of this VM */
    int n_sampled;                  /* samples asked for this plan: every other one long */
    long long sampled_ms;           /* when the last one ended (monotonic), 0 none */
    char question[64];              /* the host whose key is asked about */
    char pass_host[64];             /* the host whose passphrase is asked for */
    char declined[8][64];           /* hosts whose passphrase the operator put off */
    char vf_what[128];              /* the VF change waiting for its answer */
    struct ui_bw bw[UI_BW_MAX];     /* bandwidth tests, oldest first */
    size_t n_bw;
    size_t n_declined;
    bool quitting;                  /* a signal asked to quit: once nothing runs */
    /* runs that stopped half-way: the one asked about, those left alone */
    char *unfinished_file;
    char *unfinished_text;
    char **left;
    size_t n_left;
    int ticks;
    bool looked;                    /* the runs were looked at, the hosts known */
    struct ui_action *acts;         /* this session's actions, for st.actions */
    size_t cap_acts;
    /* the ping-pong demo (D): the VM between home and away, one round
     * after another, and Table 1 over every round of the session */
    struct {
        char vm[64], home[64], away[64];
        bool planned;           /* its first round waits for y */
        int id;                 /* the round running, 0 none */
        int round, rounds;      /* rounds started, asked for */
        bool next_due;          /* the next round waits for the VM to settle */
        bool stop;              /* the operator stopped it: no round follows */
        long long due_ms;       /* ... until then (monotonic) */
        char **runs;            /* every demo round's run file */
        size_t n_runs;
        char *table, *status;
    } demo;
};

/* Migrations a press of D asks for: there and back. */
#define DEMO_ROUNDS 2
/* How long a demo waits for the VM to settle before its next round (ms). */
#define DEMO_SETTLE_MS 60000

/* --- the terminal ---------------------------------------------------------- */

/* This session's actions from the engine into st, in the Migration
 * view's order: before each draw and each key (the actions it borrows
 * last until the loop's next pass). */
static void
fill_actions(struct ui *ui)
{
    size_t n = ccnc_engine_n_actions(ui->engine), k = 0;

    if (n > ui->cap_acts) {
        ui->acts = ccnc_xreallocarray(ui->acts, n, sizeof(*ui->acts));
        ui->cap_acts = n;
    }
    for (size_t i = 0; i < n; i++) {
        int id = ccnc_engine_action_id(ui->engine, i);
        const struct ccnc_action *a = ccnc_engine_action_get(ui->engine, id);
        if (!a)
            continue;
        ui->acts[k++] = (struct ui_action){
            .id = id,
            .action = a,
            .active = ccnc_engine_action_active(ui->engine, id),
            .run_file = ccnc_engine_action_run_file(ui->engine, id),
            .total_ms = ccnc_engine_action_total_ms(ui->engine, id),
            .downtime_ms = ccnc_engine_action_downtime_ms(ui->engine, id),
        };
    }
    ui_actions_order(ui->acts, k);
    ui->st.actions = ui->acts;
    ui->st.n_actions = k;
    /* the selected one's samples, for its timeline */
    {
        int sel = ui_actions_selected(&ui->st);
        if (sel >= 0)
            ccnc_engine_action_samples(ui->engine, ui->acts[sel].id, &ui->st.samples);
        else
            ui->st.samples = (struct ccnc_engine_samples){ 0 };
    }
    ui->st.action_running = ccnc_engine_busy(ui->engine);
    ui->st.now_ms = ccnc_now_wall_ms();
}

static attr_t
curses_attr(const struct ui *ui, enum ui_attr a)
{
    struct ui_style st = ui_attr_style(a, ui->color);
    attr_t r = A_NORMAL;

    if (st.flags & UI_STYLE_BOLD)
        r |= A_BOLD;
    if (st.flags & UI_STYLE_DIM)
        r |= A_DIM;
    if (st.flags & UI_STYLE_UNDERLINE)
        r |= A_UNDERLINE;
    if (st.flags & UI_STYLE_REVERSE)
        r |= A_REVERSE;
    if (ui->color && (st.fg != UI_COLOR_DEFAULT || st.bg != UI_COLOR_DEFAULT))
        r |= COLOR_PAIR(a);
    return r;
}

static void
paint(struct ui *ui)
{
    struct ccnc_snapshot *snap = ccnc_engine_snapshot(ui->engine);
    int h, w;
    time_t now = time(NULL);
    struct tm tm;

    getmaxyx(stdscr, h, w);
    if (!ui->grid || ui->grid->w != w || ui->grid->h != h) {
        ui_grid_free(ui->grid);
        ui->grid = ui_grid_new(w, h, ui->ascii);
    }
    localtime_r(&now, &tm);
    strftime(ui->clock, sizeof(ui->clock), "%H:%M:%S", &tm);
    ui->st.clock = ui->clock;
    fill_actions(ui);
    ui->st.n_results = ccnc_engine_n_results(ui->engine);
    ui->st.results = ui->st.n_results ? ccnc_engine_result(ui->engine, 0) : NULL;
    /* the first host whose unknown key waits for the operator */
    ui->st.question_host = NULL;
    ui->st.pass_host = NULL;
    for (size_t i = 0; i < snap->n_hosts && !ui->st.pass_host; i++) {
        const struct ccnc_host *host = snap->hosts[i];
        bool declined = false;
        for (size_t k = 0; k < ui->n_declined; k++)
            declined = declined || strcmp(ui->declined[k], host->name) == 0;
        if (host->passphrase_question && !declined) {
            snprintf(ui->pass_host, sizeof(ui->pass_host), "%s", host->name);
            ui->st.pass_host = ui->pass_host;
        }
    }
    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *host = snap->hosts[i];
        if (host->hostkey_question && host->connection == CCNC_CONN_HOSTKEY_UNKNOWN) {
            snprintf(ui->question, sizeof(ui->question), "%s", host->name);
            ui->st.question_host = ui->question;
            break;
        }
    }
    ui_draw_screen(ui->grid, snap, &ui->st);
    ccnc_snapshot_unref(snap);

    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const struct ui_cell *c = &ui->grid->cells[y * w + x];
            cchar_t cc;
            wchar_t wc[2] = { c->ch, 0 };
            if (c->ch == 0)
                continue;
            attr_t a = curses_attr(ui, c->attr);
            /* the pair goes in its own argument: setcchar ignores A_COLOR */
            setcchar(&cc, wc, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
            mvwadd_wch(stdscr, y, x, &cc);
        }
    }
    wnoutrefresh(stdscr);
    doupdate(); /* curses sends only the cells that changed */
    ui->dirty = false;
}

static int
translate_key(wint_t ch, int kind)
{
    if (kind == KEY_CODE_YES) {
        switch (ch) {
        case KEY_UP: return UI_K_UP;
        case KEY_DOWN: return UI_K_DOWN;
        case KEY_LEFT: return UI_K_LEFT;
        case KEY_RIGHT: return UI_K_RIGHT;
        case KEY_ENTER: return UI_K_ENTER;
        case KEY_BTAB: return UI_K_BTAB;
        case KEY_BACKSPACE: return UI_K_BACKSPACE;
        case KEY_PPAGE: return UI_K_PGUP;
        case KEY_NPAGE: return UI_K_PGDN;
        case KEY_HOME: return UI_K_HOME;
        case KEY_END: return UI_K_END;
        default: return -1;
        }
    }
    switch (ch) {
    case '\t': return UI_K_TAB;
    case 27: return UI_K_ESC;
    case 8:
    case 127: return UI_K_BACKSPACE;
    case '\n':
    case '\r': return UI_K_ENTER;
    default: return (int)ch;
    }
}

/* The message line says text (not logged). */
static void
status(struct ui *ui, enum ui_attr attr, const char *text)
{
    snprintf(ui->st.message, sizeof(ui->st.message), "%s", text);
    ui->st.message_attr = attr;
}

/* The message line says text, and the log with it. */
static void
message(struct ui *ui, enum ui_attr attr, const char *text)
{
    status(ui, attr, text);
    ui_log_add(ui->log, ccnc_now_wall_ms(), attr == UI_BAD ? UI_LOG_ERROR : UI_LOG_INFO, text);
}

static void
drop_plan(struct ui *ui)
{
    ccnc_action_free(ui->pending);
    ui->pending = NULL;
    free(ui->plan_text);
    ui->plan_text = NULL;
    free(ui->plan_head);
    ui->plan_head = NULL;
    ui->st.plan = NULL;
    ui->st.plan_held = false;
    ui->sampled_ms = 0;
    ui->n_sampled = 0;
}

static bool
is_migration(const struct ccnc_action *a)
{
    return a && ccnc_action_kind_migrates(a->kind);
}

/* The plan's text again: its forecast changed, or the age of its sample. */
static void
plan_retext(struct ui *ui)
{
    char *text = ccnc_action_plan_text(ui->pending);

    free(ui->plan_text);
    ui->plan_text = ui->plan_head ? ccnc_xasprintf("%s%s", ui->plan_head, text) : text;
    if (ui->plan_head)
        free(text);
    ui->st.plan = ui->plan_text;
}

static void sample_next(struct ui *ui);

/* A sample of the pending migration's VM came: the forecast on it. */
static void
on_sampled(void *data, bool ok, double bps, int seconds, long long at_ms, const char *why)
{
    struct ui *ui = data;
    struct ccnc_forecast *f;

    ui->sampling = false;
    if (!is_migration(ui->pending) || strcmp(ui->pending->vm, ui->sample_vm) != 0)
        return;     /* the plan it was for is gone */
    f = &ui->pending->forecast;
    ui->sampled_ms = at_ms;
    if (ok)
        ccnc_forecast_add_sample(f, bps, seconds, at_ms);
    else if (!f->dirty_measured)
        snprintf(f->dirty_why, sizeof(f->dirty_why), "%s", why ? why : "?");
    ccnc_forecast_compute(f);
    plan_retext(ui);
    paint(ui);
}

/* While a migration's plan waits for the operator, its VM's dirty rate is
 * sampled a second apart, for a second and for three in turn: the forecast
 * stands on the median of the short ones and on the working set a long one
 * saw, and the action starts on them. */
static void
sample_next(struct ui *ui)
{
    struct ccnc_error err = { 0 };

    if (ui->sampling || !is_migration(ui->pending) || !ui->pending->forecast.tried ||
        (ui->sampled_ms && ccnc_now_mono_ms() - ui->sampled_ms < 1000))
        return;
    if (ccnc_engine_dirty_sample(ui->engine, ui->pending->vm,
                                 ui->n_sampled++ % 2 ? CCNC_FORECAST_LONG_SAMPLE_S
                                                     : CCNC_FORECAST_SAMPLE_S,
                                 on_sampled, ui, &err) == 0) {
        ui->sampling = true;
        snprintf(ui->sample_vm, sizeof(ui->sample_vm), "%s", ui->pending->vm);
    } else {
        snprintf(ui->pending->forecast.dirty_why, sizeof(ui->pending->forecast.dirty_why), "%s",
                 err.message);
        ui->sampled_ms = ccnc_now_mono_ms();    /* asked again in a while */
        plan_retext(ui);
    }
    ccnc_error_clear(&err);
}

/* Is there a hypervisor other than where (NULL: any)? */
static bool
next_destination_exists(const struct ccnc_lab *lab, const struct ccnc_host *where)
{
    for (size_t i = 0; i < lab->n_hosts; i++)
        if (ccnc_lab_host_runs_libvirt(&lab->hosts[i]) &&
            (!where || strcmp(lab->hosts[i].name, where->name) != 0))
            return true;
    return false;
}

/* The destinations m offers, Tab after Tab: placement's choice (auto)
 * first, then each hypervisor that is not where vm runs, then auto again.
 * NULL when there is no other hypervisor. */
static const char *
next_destination(struct ui *ui, const char *vm, const char *after)
{
    const struct ccnc_lab *lab = ccnc_engine_lab(ui->engine);
    struct ccnc_snapshot *snap = ccnc_engine_snapshot(ui->engine);
    const struct ccnc_host *where = NULL;
    const char *found = NULL;
    size_t start = 0;

    ccnc_snapshot_find_vm(snap, vm, &where);
    for (size_t i = 0; after && i < lab->n_hosts; i++)
        if (strcmp(lab->hosts[i].name, after) == 0)
            start = i + 1;
    for (size_t k = start; k < lab->n_hosts && !found; k++) {
        const struct ccnc_lab_host *h = &lab->hosts[k];
        if (ccnc_lab_host_runs_libvirt(h) && (!where || strcmp(h->name, where->name) != 0))
            found = h->name;
    }
    /* past the last: auto, when some other hypervisor exists */
    if (!found && (!after || strcmp(after, CCNC_PLACE_AUTO) != 0) &&
        next_destination_exists(lab, where))
        found = CCNC_PLACE_AUTO;
    ccnc_snapshot_unref(snap);
    return !after && found ? CCNC_PLACE_AUTO : found;
}

/* How long a plan waits for a host that is still connecting (a console
 * just started): after it, the planner says what it finds. */
#define HOLD_MS 20000

/* A hypervisor the plan of vm (to dest: a host, auto, or NULL for none)
 * needs, whose libvirt ccnc is still connecting to (no error yet), into
 * host; false when none.  Where vm runs is not known while any is. */
static bool
needs_connecting(struct ui *ui, const char *vm, const char *dest, char *host, size_t size)
{
    const struct ccnc_lab *lab = ccnc_engine_lab(ui->engine);
    struct ccnc_snapshot *snap = ccnc_engine_snapshot(ui->engine);
    bool found = ccnc_snapshot_find_vm(snap, vm, NULL) != NULL, wait = false;

    for (size_t i = 0; !wait && i < snap->n_hosts; i++) {
        const struct ccnc_host *h = snap->hosts[i];
        const struct ccnc_lab_host *lh = ccnc_lab_find_host(lab, h->name);

        if (!lh || !ccnc_lab_host_runs_libvirt(lh) || h->libvirt != CCNC_CONN_CONNECTING ||
            h->libvirt_error)
            continue;
        if (!found ||
            (dest && (strcmp(dest, CCNC_PLACE_AUTO) == 0 || strcmp(dest, h->name) == 0))) {
            snprintf(host, size, "%s", h->name);
            wait = true;
        }
    }
    ccnc_snapshot_unref(snap);
    return wait;
}

/* The held plan's dialog: what it waits for, and for how long more. */
static void
held_text(struct ui *ui)
{
    long long left = ui->held.until_ms - ccnc_now_mono_ms();
    int s = left > 0 ? (int)((left + 999) / 1000) : 0;

    free(ui->plan_text);
    ui->plan_text = ccnc_xasprintf(
        dngettext(PACKAGE,
                  "%s %s: waiting for %s's libvirt before planning\n"
                  "    - ccnc is still connecting to it: the plan follows once it answers, "
                  "or in %d second with what the hosts report then\n",
                  "%s %s: waiting for %s's libvirt before planning\n"
                  "    - ccnc is still connecting to it: the plan follows once it answers, "
                  "or in %d seconds with what the hosts report then\n",
                  s),
        ui->held.demo ? _("Demo") : ccnc_action_kind_to_string(ui->held.kind), ui->held.vm,
        ui->held.host, s);
    ui->st.plan = ui->plan_text;
    ui->st.plan_held = true;
}

/* The plan asked for waits for host (the console has just started). */
static void
hold(struct ui *ui, const char *dest, bool demo, const char *host)
{
    ui->held.on = true;
    ui->held.demo = demo;
    ui->held.kind = ui->st.req_kind;
    snprintf(ui->held.vm, sizeof(ui->held.vm), "%s", ui->st.req_vm);
    snprintf(ui->held.dest, sizeof(ui->held.dest), "%s", dest ? dest : "");
    snprintf(ui->held.host, sizeof(ui->held.host), "%s", host);
    ui->held.until_ms = ccnc_now_mono_ms() + HOLD_MS;
    if (dest)
        snprintf(ui->st.req_dest, sizeof(ui->st.req_dest), "%s", dest);
    held_text(ui);
}

static void demo_plan(struct ui *ui, bool waited);
static void plan(struct ui *ui, const char *dest, bool demo, bool waited);

/* The held plan, made once its host has answered or its wait is over:
 * looked at in the frame after new snapshots (a host's libvirt
 * answering), and on the tick for the countdown. */
static void
held_retry(struct ui *ui)
{
    char host[64], dest[64];

    if (!ui->held.on)
        return;
    if (ccnc_now_mono_ms() < ui->held.until_ms &&
        needs_connecting(ui, ui->held.vm, ui->held.dest[0] ? ui->held.dest : NULL, host,
                         sizeof(host))) {
        held_text(ui);
        return;
    }
    ui->held.on = false;
    ui->st.req_kind = ui->held.kind;
    snprintf(ui->st.req_vm, sizeof(ui->st.req_vm), "%s", ui->held.vm);
    snprintf(dest, sizeof(dest), "%s", ui->held.dest);
    if (ui->held.demo)
        demo_plan(ui, true);
    else
        plan(ui, dest[0] ? dest : NULL, false, true);
}

/* The plan of the request in st (to dest), or the planner's word on why
 * there is none; demo: the demo's first round; waited: it was held
 * already (made now with what the hosts report). */
static void
plan(struct ui *ui, const char *dest, bool demo, bool waited)
{
    struct ccnc_error err = { 0 };
    struct ui_state *st = &ui->st;
    bool migrate = st->req_kind == CCNC_ACTION_MIGRATE_PASSTHROUGH;
    /* the same planner as `ccnc migrate|detach|assign`: what the hosts
     * report now decides the steps, or why there are none */
    struct ccnc_plan_request req = { .kind = st->req_kind, .vm = st->req_vm,
                                     .destination = migrate ? dest : NULL };
    char host[64];

    drop_plan(ui);
    ui->held.on = false;
    ui->demo.planned = false;   /* demo_plan() says so again for its own */
    if (migrate && !dest) {
        message(ui, UI_WARN, _("There is no other hypervisor to migrate to."));
        return;
    }
    if (!waited && !ui->offline &&
        needs_connecting(ui, st->req_vm, migrate ? dest : NULL, host, sizeof(host))) {
        hold(ui, migrate ? dest : NULL, demo, host);
        return;
    }
    ui->pending = ccnc_engine_plan(ui->engine, &req, &err);
    if (!ui->pending && migrate && strcmp(dest, CCNC_PLACE_AUTO) == 0) {
        /* no host passes placement's rules: say why, and offer the first
         * host by name (its plan says what stops it there) */
        const char *first = next_destination(ui, st->req_vm, CCNC_PLACE_AUTO);
        struct ccnc_error placed = err;

        err = (struct ccnc_error){ 0 };
        if (first && strcmp(first, CCNC_PLACE_AUTO) != 0) {
            req.destination = first;
            dest = first;
            ui->pending = ccnc_engine_plan(ui->engine, &req, &err);
        }
        /* that host refused too: placement's word says why for every host */
        message(ui, ui->pending ? UI_WARN : UI_BAD, placed.message ? placed.message : "?");
        ccnc_error_clear(&placed);
        ccnc_error_clear(&err);
        if (!ui->pending)
            return;
    }
    if (!ui->pending) {
        message(ui, UI_BAD, err.message);
        ccnc_error_clear(&err);
        return;
    }
    if (migrate) {
        snprintf(st->req_dest, sizeof(st->req_dest), "%s", dest);
        /* from the run files; the dirty rate sampled in the background */
        ccnc_engine_forecast(ui->engine, ui->pending, NULL, 0);
        snprintf(ui->pending->forecast.dirty_why, sizeof(ui->pending->forecast.dirty_why), "%s",
                 _("sampling..."));
        ui->sampled_ms = 0;
    }
    plan_retext(ui);
    sample_next(ui);
}

static void on_frame(void *data);

/* The agent's answer to a VF change, on the loop. */
static void
on_vf_reply(void *data, bool ok, const char *error)
{
    struct ui *ui = data;
    char *m = ok ? ccnc_xasprintf(_("%s: done."), ui->vf_what)
                 : ccnc_xasprintf(_("%s: refused: %s"), ui->vf_what, error ? error : "?");

    message(ui, ok ? UI_GOOD : UI_BAD, m);
    free(m);
    if (ok && error)   /* done, but what was set could not be kept */
        message(ui, UI_WARN, error);
    if (!ui->frame_timer)
        ui->frame_timer = ccnc_loop_add_timer(ccnc_engine_loop(ui->engine), UI_FRAME_MS, false,
                                              on_frame, ui);
}

/* The VF editor's line: parse it, keep what differs, send it. */
static void
vf_set(struct ui *ui)
{
    struct ui_state *st = &ui->st;
    struct ccnc_snapshot *snap = ccnc_engine_snapshot(ui->engine);
    struct ccnc_vf_change c;
    struct ccnc_error err = { 0 };
    int at = ccnc_snapshot_find_host(snap, st->vf_host);
    const struct ccnc_vf *cur = at < 0 ? NULL
                                : ccnc_link_find_vf(ccnc_host_find_link(snap->hosts[at],
                                                                        st->vf_pf),
                                                    st->vf_index);
    ccnc_vf_change_init(&c, st->vf_pf, st->vf_index);
    snprintf(ui->vf_what, sizeof(ui->vf_what), _("VF %d of %s on %s"), st->vf_index, st->vf_pf,
             st->vf_host);
    if (!cur) {
        message(ui, UI_BAD, _("That VF is gone; nothing was sent."));
    } else if (ccnc_vf_change_line(&c, st->vf_edit, &err) < 0) {
        message(ui, UI_BAD, err.message);
    } else {
        ccnc_vf_change_drop_same(&c, cur);
        if (!ccnc_vf_change_any(&c)) {
            message(ui, UI_NORMAL, _("Nothing changed; nothing was sent."));
        } else if (ccnc_engine_vf_set(ui->engine, st->vf_host, &c, on_vf_reply, ui, &err) < 0) {
            message(ui, UI_BAD, err.message);
        } else {
            char *m = ccnc_xasprintf(_("%s: asked its agent to change it."), ui->vf_what);
            message(ui, UI_NORMAL, m);
            free(m);
        }
    }
    ccnc_error_clear(&err);
    ccnc_vf_change_clear(&c);
    ccnc_snapshot_unref(snap);
}

/* A bandwidth test's figures (or why there are none), on the loop. */
struct bw_req {
    struct ui *ui;
    char when[16], vm[64];
};

static struct ui_bw *
find_bw(struct ui *ui, const struct bw_req *q)
{
    for (size_t i = ui->n_bw; i-- > 0;)
        if (ui->bw[i].running && strcmp(ui->bw[i].vm, q->vm) == 0 &&
            strcmp(ui->bw[i].when, q->when) == 0)
            return &ui->bw[i];
    return NULL;
}

static void
on_bandwidth(void *data, const struct ccnc_bandwidth *f, const char *error)
{
    struct bw_req *q = data;
    struct ui *ui = q->ui;
    struct ui_bw *b = find_bw(ui, q);
    char *m;

    if (b) {
        b->running = false;
        b->bps = f ? f->received_bps : -1;
        snprintf(b->error, sizeof(b->error), "%s", error ? error : "");
    }
    if (f)
        /* TRANSLATORS: a bandwidth test's result: FROM -> VM: Mb/s */
        m = ccnc_xasprintf(_("Bandwidth %s -> %s: %.1f Mb/s (iperf3, %.0f s)."),
                           b ? b->from : "?", q->vm, f->received_bps / 1e6, f->seconds);
    else
        m = ccnc_xasprintf(_("Bandwidth test to %s failed: %s"), q->vm, error ? error : "?");
    message(ui, f ? UI_GOOD : UI_BAD, m);
    free(m);
    free(q);
    if (!ui->frame_timer)
        ui->frame_timer = ccnc_loop_add_timer(ccnc_engine_loop(ui->engine), UI_FRAME_MS, false,
                                              on_frame, ui);
}

#define BW_SECONDS 5

static void
bandwidth(struct ui *ui)
{
    struct ui_state *st = &ui->st;
    struct ccnc_error err = { 0 };
    struct ccnc_snapshot *snap = ccnc_engine_snapshot(ui->engine);
    const struct ccnc_lab *lab = ccnc_engine_lab(ui->engine);
    const struct ccnc_vm *vm = ccnc_snapshot_find_vm(snap, st->req_vm, NULL);
    struct bw_req *q = ccnc_xcalloc(1, sizeof(*q));
    struct ui_bw *b;
    const char *from = "?";

    for (size_t i = 0; i < ui->n_bw; i++)
        if (ui->bw[i].running && strcmp(ui->bw[i].vm, st->req_vm) == 0) {
            message(ui, UI_WARN, _("A bandwidth test of that VM is running already."));
            free(q);
            ccnc_snapshot_unref(snap);
            return;
        }
    if (ccnc_lab_storage_host(lab))
        from = ccnc_lab_storage_host(lab)->name;
    q->ui = ui;
    snprintf(q->vm, sizeof(q->vm), "%s", st->req_vm);
    snprintf(q->when, sizeof(q->when), "%s", ui->clock);
    if (ccnc_engine_bandwidth(ui->engine, st->req_vm, BW_SECONDS, false, on_bandwidth, q,
                              &err) < 0) {
        char *m = ccnc_xasprintf(_("Bandwidth test to %s: %s"), st->req_vm, err.message);
        message(ui, UI_BAD, m);
        free(m);
        free(q);
        ccnc_error_clear(&err);
        ccnc_snapshot_unref(snap);
        return;
    }
    if (ui->n_bw == UI_BW_MAX) {
        memmove(&ui->bw[0], &ui->bw[1], sizeof(ui->bw[0]) * (UI_BW_MAX - 1));
        ui->n_bw--;
    }
    b = &ui->bw[ui->n_bw++];
    memset(b, 0, sizeof(*b));
    snprintf(b->when, sizeof(b->when), "%s", q->when);
    snprintf(b->vm, sizeof(b->vm), "%s", q->vm);
    snprintf(b->from, sizeof(b->from), "%s", from);
    /* which NIC carries it: the point of comparing (passthrough or virtio) */
    snprintf(b->slave, sizeof(b->slave), "%s",
             vm && vm->bond && vm->bond->active_slave ? vm->bond->active_slave : "?");
    for (size_t i = 0; vm && i < vm->n_nics; i++)
        if (ccnc_streq(vm->nics[i].guest_name, b->slave) &&
            vm->nics[i].role != CCNC_NIC_ROLE_OTHER) {
            char *t = ccnc_xasprintf("%s (%s)", b->slave,
                                     vm->nics[i].role == CCNC_NIC_ROLE_PASSTHROUGH
                                         ? _("passthrough") : _("backup"));
            snprintf(b->slave, sizeof(b->slave), "%s", t);
            free(t);
        }
    b->running = true;
    b->bps = -1;
    ui->st.bw = ui->bw;
    ui->st.n_bw = ui->n_bw;
    {
        char *m = ccnc_xasprintf(_("Bandwidth test %s -> %s (bond on %s): iperf3 for %d s..."),
                                 from, q->vm, b->slave, BW_SECONDS);
        message(ui, UI_NORMAL, m);
        free(m);
    }
    ccnc_snapshot_unref(snap);
}

static void look_for_unfinished(struct ui *ui);

/* --- the ping-pong demo (D) ----------------------------------------------------- */

static void
demo_status(struct ui *ui, char *status)
{
    free(ui->demo.status);
    ui->demo.status = status;
    ui->st.demo_status = status;
}

/* Table 1 over the demo's rounds, from their run files. */
static void
demo_table(struct ui *ui)
{
    struct ccnc_run_summary *runs = ccnc_xcalloc(ui->demo.n_runs + 1, sizeof(*runs));
    size_t n = 0;
    struct ccnc_table t;

    for (size_t i = 0; i < ui->demo.n_runs; i++)
        if (ccnc_run_read(ui->demo.runs[i], &runs[n], NULL) == 0)
            n++;
    ccnc_table_make(runs, n, &t);
    free(ui->demo.table);
    ui->demo.table = ccnc_table_text(&t, runs, n, false);
    ui->st.demo_table = ui->demo.table;
    for (size_t i = 0; i < n; i++)
        ccnc_run_summary_clear(&runs[i]);
    free(runs);
}

/* D: the demo's first round planned, to the first other hypervisor; y
 * runs it, and the rounds after it go without asking.  waited: it was
 * held already. */
static void
demo_plan(struct ui *ui, bool waited)
{
    struct ui_state *st = &ui->st;
    const struct ccnc_lab *lab = ccnc_engine_lab(ui->engine);
    struct ccnc_snapshot *snap;
    const struct ccnc_host *where = NULL;
    const char *away = NULL;
    char *head;

    if (ui->demo.id || ui->demo.next_due) {
        message(ui, UI_WARN, _("A demo is running; x stops its round, and no round follows."));
        return;
    }
    snap = ccnc_engine_snapshot(ui->engine);
    ccnc_snapshot_find_vm(snap, st->req_vm, &where);
    for (size_t i = 0; where && !away && i < lab->n_hosts; i++)
        if (ccnc_lab_host_runs_libvirt(&lab->hosts[i]) &&
            strcmp(lab->hosts[i].name, where->name) != 0)
            away = lab->hosts[i].name;
    if (!where && !waited && !ui->offline) {
        /* its host may be one still connecting: the demo waits for it */
        char host[64];

        ccnc_snapshot_unref(snap);
        if (needs_connecting(ui, st->req_vm, NULL, host, sizeof(host))) {
            drop_plan(ui);
            st->req_kind = CCNC_ACTION_MIGRATE_PASSTHROUGH;
            hold(ui, NULL, true, host);
            return;
        }
        snap = ccnc_engine_snapshot(ui->engine);
    }
    if (!where || !away) {
        message(ui, UI_WARN, where ? _("There is no other hypervisor to migrate to.")
                                   : _("The VM runs on no host that answered."));
        ccnc_snapshot_unref(snap);
        return;
    }
    snprintf(ui->demo.vm, sizeof(ui->demo.vm), "%s", st->req_vm);
    snprintf(ui->demo.home, sizeof(ui->demo.home), "%s", where->name);
    snprintf(ui->demo.away, sizeof(ui->demo.away), "%s", away);
    ccnc_snapshot_unref(snap);
    st->req_kind = CCNC_ACTION_MIGRATE_PASSTHROUGH;
    plan(ui, ui->demo.away, true, waited);
    if (!ui->pending)
        return;
    ui->demo.planned = true;
    ui->demo.stop = false;
    ui->demo.rounds = DEMO_ROUNDS;
    ui->demo.round = 0;
    head = ccnc_xasprintf(dngettext(PACKAGE,
                                    "Demo: %s between %s and %s, %d migration, one after "
                                    "another; y starts them\n",
                                    "Demo: %s between %s and %s, %d migrations, one after "
                                    "another; y starts them\n",
                                    DEMO_ROUNDS),
                          ui->demo.vm, ui->demo.home, ui->demo.away, DEMO_ROUNDS);
    ui->plan_head = head;
    plan_retext(ui);
}

/* The demo's round that just started as id. */
static void
demo_started(struct ui *ui, int id)
{
    ui->demo.planned = false;
    ui->demo.id = id;
    ui->demo.round++;
    demo_status(ui, ccnc_xasprintf(_("Demo: round %d of %d, %s to %s"), ui->demo.round,
                                   ui->demo.rounds, ui->demo.vm,
                                   ui->demo.round % 2 ? ui->demo.away : ui->demo.home));
}

/* A demo round ended: its run into the table, the next one due. */
static void
demo_ended(struct ui *ui, const struct ccnc_action *a)
{
    const char *file = ccnc_engine_action_run_file(ui->engine, ui->demo.id);

    ui->demo.id = 0;
    if (file) {
        ui->demo.runs = ccnc_xrealloc(ui->demo.runs, (ui->demo.n_runs + 1) * sizeof(char *));
        ui->demo.runs[ui->demo.n_runs++] = ccnc_xstrdup(file);
        demo_table(ui);
    }
    if (a->state != CCNC_ACTION_DONE) {
        demo_status(ui, ccnc_xasprintf(_("Demo stopped: round %d of %d did not end done"),
                                       ui->demo.round, ui->demo.rounds));
    } else if (ui->demo.stop) {
        demo_status(ui, ccnc_xasprintf(_("Demo stopped by the operator after round %d of %d"),
                                       ui->demo.round, ui->demo.rounds));
    } else if (ui->demo.round < ui->demo.rounds) {
        ui->demo.next_due = true;
        ui->st.demo_waiting = true;
        ui->demo.due_ms = ccnc_now_mono_ms() + DEMO_SETTLE_MS;
    } else {
        demo_status(ui, ccnc_xasprintf(dngettext(PACKAGE, "Demo done: %d migration",
                                                 "Demo done: %d migrations", ui->demo.round),
                                       ui->demo.round));
    }
}

/* The next round, once the hosts show the VM where the last one left it,
 * its bond back on its passthrough NIC. */
static void
demo_next(struct ui *ui)
{
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(ccnc_engine_lab(ui->engine), ui->demo.vm);
    const char *here = ui->demo.round % 2 ? ui->demo.away : ui->demo.home;
    const char *there = ui->demo.round % 2 ? ui->demo.home : ui->demo.away;
    struct ccnc_plan_request req = { .kind = CCNC_ACTION_MIGRATE_PASSTHROUGH, .vm = ui->demo.vm,
                                     .destination = there };
    struct ccnc_error err = { 0 };
    struct ccnc_snapshot *snap;
    struct ccnc_action *a;
    bool settled;
    int id;

    if (!ui->demo.next_due || ui->demo.stop || !cv)
        return;
    snap = ccnc_engine_snapshot(ui->engine);
    settled = ccnc_vm_settled_on(snap, cv, here);
    ccnc_snapshot_unref(snap);
    if (!settled) {
        if (ccnc_now_mono_ms() > ui->demo.due_ms) {
            ui->demo.next_due = false;
            ui->st.demo_waiting = false;
            demo_status(ui, ccnc_xasprintf(_("Demo stopped: %s did not settle on %s with its "
                                             "bond on its passthrough NIC"),
                                           ui->demo.vm, here));
        }
        return;
    }
    ui->demo.next_due = false;
    ui->st.demo_waiting = false;
    a = ccnc_engine_plan(ui->engine, &req, &err);
    if (a)
        ccnc_engine_forecast(ui->engine, a, NULL, 0);
    /* the operator said yes to the demo: its rounds run without asking */
    if (!a || (id = ccnc_engine_submit(ui->engine, a, &err)) < 0) {
        demo_status(ui, ccnc_xasprintf(_("Demo stopped: %s"), err.message ? err.message : "?"));
        ccnc_error_clear(&err);
        return;
    }
    demo_started(ui, id);
    ui->st.action_id = id;
}

static void
carry_out(struct ui *ui)
{
    struct ui_state *st = &ui->st;
    struct ccnc_error err = { 0 };

    switch (st->request) {
    case UI_REQ_PLAN:
        plan(ui, next_destination(ui, st->req_vm, NULL), false, false);
        break;
    case UI_REQ_NEXT_DEST:
        plan(ui, next_destination(ui, st->req_vm, st->req_dest), false, false);
        break;
    case UI_REQ_RUN: {
        struct ccnc_action *a = ui->pending;
        if (!a) {       /* a held plan: nothing to run yet */
            message(ui, UI_WARN, _("Nothing is planned yet: n cancels the wait."));
            break;
        }
        char *what = ccnc_xasprintf(_("Started: %s %s."), ccnc_action_kind_to_string(a->kind),
                                    a->vm);
        int id;
        ui->pending = NULL;
        drop_plan(ui);
        /* the engine refuses a VM that has an action already; others run
         * beside it, up to its parallel limit, the rest wait their turn */
        if ((id = ccnc_engine_submit(ui->engine, a, &err)) < 0) {
            message(ui, UI_BAD, err.message);
            ccnc_error_clear(&err);
        } else {
            message(ui, UI_GOOD, what);
            st->view = UI_VIEW_MIGRATION;
            st->action_id = id;     /* shown in detail */
            if (ui->demo.planned)
                demo_started(ui, id);
        }
        ui->demo.planned = false;
        look_for_unfinished(ui);   /* a resumed run is this console's now */
        free(what);
        break;
    }
    case UI_REQ_DEMO:
        demo_plan(ui, false);
        break;
    case UI_REQ_CANCEL:
        ui->demo.planned = false;
        ui->held.on = false;
        drop_plan(ui);
        message(ui, UI_NORMAL, _("Cancelled; nothing was done."));
        break;
    case UI_REQ_ABORT: {
        const struct ccnc_action *a = st->req_action ? ccnc_engine_action_get(ui->engine,
                                                                              st->req_action)
                                                     : NULL;
        if ((ui->demo.id || ui->demo.next_due) &&
            (!st->req_action || st->req_action == ui->demo.id)) {
            /* the demo ends with this round, however it ends */
            bool waiting = ui->demo.next_due;
            ui->demo.stop = true;
            ui->demo.next_due = false;
            st->demo_waiting = false;
            if (waiting) {
                demo_status(ui, ccnc_xasprintf(_("Demo stopped by the operator after round %d "
                                                 "of %d"),
                                               ui->demo.round, ui->demo.rounds));
                message(ui, UI_WARN, _("The demo stops: no round follows."));
                break;
            }
        }
        if (st->req_action && !ccnc_engine_action_active(ui->engine, st->req_action)) {
            message(ui, UI_NORMAL, _("That action has ended already."));
            break;
        }
        /* TRANSLATORS: who stopped the action, as the run file records it */
        ccnc_engine_abort(ui->engine, st->req_action, _("console"));
        if (a) {
            char *m = ccnc_xasprintf(_("Aborting the action on %s: it undoes what it can."),
                                     a->vm);
            message(ui, UI_WARN, m);
            free(m);
        } else {
            message(ui, UI_WARN, _("Aborting: the action undoes what it can."));
        }
        break;
    }
    case UI_REQ_PASSPHRASE:
        if (ccnc_engine_answer_passphrase(ui->engine, ui->pass_host, st->secret) < 0)
            message(ui, UI_BAD, _("The passphrase question was no longer open."));
        else
            message(ui, UI_NORMAL, _("Trying the passphrase."));
        explicit_bzero(st->secret, sizeof(st->secret));
        break;
    case UI_REQ_NO_PASSPHRASE:
        explicit_bzero(st->secret, sizeof(st->secret));
        if (ui->n_declined < CCNC_ARRAY_SIZE(ui->declined))
            snprintf(ui->declined[ui->n_declined++], sizeof(ui->declined[0]), "%s",
                     ui->pass_host);
        message(ui, UI_WARN, _("Not now: that host stays without a login."));
        break;
    case UI_REQ_TRUST:
    case UI_REQ_DISTRUST: {
        bool trust = st->request == UI_REQ_TRUST;
        char *m = ccnc_xasprintf(trust ? _("Trusted the host key of %s; connecting.")
                                       : _("Did not trust the host key of %s; not connecting."),
                                 ui->question);
        if (ccnc_engine_answer_hostkey(ui->engine, ui->question, trust) < 0)
            message(ui, UI_BAD, _("The host key question was no longer open."));
        else
            message(ui, trust ? UI_GOOD : UI_WARN, m);
        free(m);
        st->question_host = NULL;
        break;
    }
    case UI_REQ_VF_SET:
        vf_set(ui);
        break;
    case UI_REQ_BANDWIDTH:
        bandwidth(ui);
        break;
    case UI_REQ_RESUME:
    case UI_REQ_RESUME_UNDO: {
        enum ccnc_resume_way way = st->request == UI_REQ_RESUME_UNDO ? CCNC_RESUME_UNDO
                                                                     : CCNC_RESUME_AUTO;
        drop_plan(ui);
        if (!ui->unfinished_file)
            break;
        ui->pending = ccnc_engine_plan_resume(ui->engine, ui->unfinished_file, way, &err);
        if (!ui->pending) {
            message(ui, UI_BAD, err.message);
            ccnc_error_clear(&err);
            break;
        }
        plan_retext(ui);
        break;
    }
    case UI_REQ_LEAVE_RUN:
        if (ui->unfinished_file) {
            *(char **)ccnc_array_push(&ui->left, &ui->n_left, NULL, sizeof(char *)) =
                ccnc_xstrdup(ui->unfinished_file);
            message(ui, UI_WARN, _("Left as it is; 'ccnc resume' ends it later."));
        }
        look_for_unfinished(ui);
        break;
    default:
        break;
    }
    st->request = UI_REQ_NONE;
}

static void
on_stdin(int fd, short revents, void *data)
{
    struct ui *ui = data;
    wint_t ch;
    int kind;

    (void)fd;
    (void)revents;
    while ((kind = get_wch(&ch)) != ERR) {
        struct ccnc_snapshot *snap;
        int key, r;

        if (kind == KEY_CODE_YES && ch == KEY_RESIZE) {
            ui->dirty = true;
            continue;
        }
        key = translate_key(ch, kind);
        if (key < 0)
            continue;
        snap = ccnc_engine_snapshot(ui->engine);
        fill_actions(ui);   /* x and the Migration view's keys read them */
        r = ui_handle_key(&ui->st, snap, key);
        ccnc_snapshot_unref(snap);
        if (r & UI_KEY_QUIT) {
            if (ccnc_engine_busy(ui->engine)) {
                message(ui, UI_WARN, _("An action is running: press x to abort it, then q."));
                ui->dirty = true;
                continue;
            }
            ccnc_loop_quit(ccnc_engine_loop(ui->engine));
            return;
        }
        if (r & UI_KEY_REQUEST)
            carry_out(ui);
        if (r & UI_KEY_REDRAW)
            ui->dirty = true;
    }
    if (ui->dirty)
        paint(ui);
}

/* A resize arrives as SIGWINCH, delivered on the loop: curses is resized
 * and the screen repainted at once (curses alone would notice only at the
 * next key or refresh). */
/* SIGINT (Ctrl-C), SIGTERM, SIGHUP (the terminal or the SSH session to the
 * workstation closing): stop what runs at a safe point (each action undoes
 * what it can and its run file says who stopped it), then quit. */
static void
on_quit_signal(void *data)
{
    struct ui *ui = data;

    if (!ccnc_engine_busy(ui->engine)) {
        ccnc_loop_quit(ccnc_engine_loop(ui->engine));
        return;
    }
    if (ui->quitting)
        return;
    ui->quitting = true;
    /* TRANSLATORS: who stopped the action, as the run file records it */
    ccnc_engine_abort(ui->engine, 0, _("console, interrupted"));
    message(ui, UI_WARN, _("Interrupted: the running action undoes what it can; the console "
                           "quits when it is done."));
    ui->dirty = true;
}

static void
on_winch(void *data)
{
    struct ui *ui = data;
    struct winsize ws;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    paint(ui);
}

/* The first run that stopped half-way and was not left alone, with what
 * its VM looks like now, for the question. */
static void
look_for_unfinished(struct ui *ui)
{
    const char *const *runs;
    const char *file = NULL;
    struct ccnc_snapshot *first = ccnc_engine_snapshot(ui->engine);
    bool known = true;

    /* asked only once every hypervisor's libvirt has answered: the
     * question says where the VM is now */
    for (size_t i = 0; i < first->n_hosts; i++)
        known &= first->hosts[i]->libvirt != CCNC_CONN_CONNECTING;
    ccnc_snapshot_unref(first);
    if (!known)
        return;
    ui->looked = true;
    runs = ccnc_engine_unfinished_runs(ui->engine);
    for (size_t i = 0; runs && runs[i] && !file; i++) {
        bool left = false;
        for (size_t k = 0; k < ui->n_left; k++)
            left |= strcmp(ui->left[k], runs[i]) == 0;
        if (!left)
            file = runs[i];
    }
    free(ui->unfinished_text);
    ui->unfinished_text = NULL;
    ccnc_str_set(&ui->unfinished_file, file);
    if (file) {
        struct ccnc_run_summary run;
        struct ccnc_snapshot *snap = ccnc_engine_snapshot(ui->engine);
        const struct ccnc_lab_vm *cv;
        struct ccnc_vm_nic_view v;
        char *now, *advice;
        if (ccnc_run_read(file, &run, NULL) < 0) {
            ccnc_snapshot_unref(snap);
            ccnc_str_set(&ui->unfinished_file, NULL);
            ui->st.unfinished = NULL;
            return;
        }
        cv = ccnc_lab_find_vm(ccnc_engine_lab(ui->engine), run.vm);
        ccnc_vm_nic_view_get(snap, cv, &v);
        if (!v.vm)
            now = ccnc_xasprintf(_("Now no host reports %s."), run.vm);
        else if (v.passthrough && v.on_passthrough)
            now = ccnc_xasprintf(_("Now %s runs on %s with its passthrough NIC, its bond on it."),
                                 run.vm, v.host->name);
        else if (v.passthrough)
            now = ccnc_xasprintf(_("Now %s runs on %s; it holds its passthrough NIC, but its "
                                   "bond runs on %s."), run.vm, v.host->name,
                                 v.vm->bond && v.vm->bond->active_slave ? v.vm->bond->active_slave
                                                                        : _("no slave"));
        else
            /* TRANSLATORS: said loudly: the VM lacks its passthrough NIC */
            now = ccnc_xasprintf(_("Now %s runs on %s with NO PASSTHROUGH NIC: only its backup "
                                   "carries it."), run.vm, v.host->name);
        advice = ccnc_run_advice(&run);
        if (advice && advice[0] >= 'a' && advice[0] <= 'z')
            advice[0] = (char)(advice[0] - 'a' + 'A');   /* a sentence of its own here */
        ui->unfinished_text = ccnc_xasprintf(_("%s: %s from %s to %s, run file %s, stopped in "
                                               "'%s'. %s %s"),
                                             run.vm, run.kind, run.source ? run.source : "-",
                                             run.destination ? run.destination : "-", file,
                                             run.in_step ? run.in_step
                                             : run.last_step ? run.last_step : "-",
                                             now, advice ? advice : "");
        free(now);
        free(advice);
        ccnc_run_summary_clear(&run);
        ccnc_snapshot_unref(snap);
    }
    ui->st.unfinished = ui->unfinished_text;
}

static void
on_tick(void *data)
{
    struct ui *ui = data;

    /* every few seconds (every second until the first look): a run
     * another ccnc left half-done shows up */
    if (ui->ticks++ % 5 == 0 || !ui->looked)
        look_for_unfinished(ui);
    demo_next(ui);
    held_retry(ui);
    if (is_migration(ui->pending)) {
        /* the next sample, and the age of the last one */
        sample_next(ui);
        if (ui->pending->forecast.n_samples)
            plan_retext(ui);
    }
    paint(ui); /* the clock, and anything published meanwhile */
}

static void
on_frame(void *data)
{
    struct ui *ui = data;

    ui->frame_timer = 0;
    held_retry(ui);     /* the host a held plan waits for may have answered */
    paint(ui);
}

/* A raised downtime limit of action id not logged yet: logged, once for
 * each limit. */
static void
log_limit(struct ui *ui, int id, const struct ccnc_action *a)
{
    char *text, *t;
    size_t i;

    for (i = 0; i < UI_LIMITS_SAID; i++)
        if (ui->limit_said[i].id == id)
            break;
    if (i < UI_LIMITS_SAID && ui->limit_said[i].limit_ms == a->migration.limit_ms)
        return;
    if ((text = ccnc_migration_limit_text(&a->migration)) == NULL)
        return;
    if (i == UI_LIMITS_SAID) {
        i = ui->limit_next;
        ui->limit_next = (ui->limit_next + 1) % UI_LIMITS_SAID;
    }
    ui->limit_said[i].id = id;
    ui->limit_said[i].limit_ms = a->migration.limit_ms;
    t = ccnc_xasprintf("%s: %s", a->vm, text);
    ui_log_add(ui->log, ccnc_now_wall_ms(), UI_LOG_INFO, t);
    free(t);
    free(text);
}

/* What the runner says of an action, into the log: each step's end and
 * the action's end, each once, as it happens; a downtime limit the policy
 * raised. */
static void
on_action(void *data, int id, enum ccnc_engine_action_event ev, const struct ccnc_action *a,
          const struct ccnc_step *s)
{
    struct ui *ui = data;

    if (ev == CCNC_ENGINE_ACTION_PROGRESS)
        log_limit(ui, id, a);
    if (ev == CCNC_ENGINE_ACTION_NOTICE && a->notice) {
        /* a migration slow to begin: what it waits for (every 10 s) */
        char *t = ccnc_xasprintf("%s: %s", a->vm, a->notice);

        ui_log_add(ui->log, ccnc_now_wall_ms(), UI_LOG_WARN, t);
        free(t);
    }
    if (ev == CCNC_ENGINE_ACTION_STEP && s && s->outcome != CCNC_STEP_RUNNING_NOW &&
        s->outcome != CCNC_STEP_PENDING && s->outcome != CCNC_STEP_SKIPPED) {
        char *t = ccnc_xasprintf(_("%s: %s%s %s in %lld ms%s%s"), a->vm,
                                 s->rollback ? _("undo ") : "", ccnc_step_op_to_string(s->op),
                                 ccnc_step_outcome_text(s->outcome), s->ended_ms - s->started_ms,
                                 s->error ? ": " : "", s->error ? s->error : "");
        ui_log_add(ui->log, s->ended_ms, s->outcome == CCNC_STEP_OK ? UI_LOG_INFO : UI_LOG_ERROR,
                   t);
        free(t);
        if (s->op == CCNC_STEP_FORECAST && s->outcome == CCNC_STEP_OK && a->forecast.tried) {
            /* what it found, in the forecast's first line */
            char *f = ccnc_forecast_text(&a->forecast, 0), *nl = strchr(f, '\n'), *l = f;

            if (nl)
                *nl = '\0';
            while (*l == ' ')
                l++;
            t = ccnc_xasprintf("%s: %s", a->vm, l);
            ui_log_add(ui->log, s->ended_ms, UI_LOG_INFO, t);
            free(t);
            free(f);
        }
    } else if (ev == CCNC_ENGINE_ACTION_FINISHED && a->summary) {
        ui_log_add(ui->log, ccnc_now_wall_ms(),
                   a->state == CCNC_ACTION_DONE ? UI_LOG_INFO : UI_LOG_ERROR, a->summary);
        /* the outcome replaces "Started: ..." (the log has it already) */
        status(ui, a->state == CCNC_ACTION_DONE ? UI_GOOD : a->on_backup_only ? UI_BAD : UI_WARN,
               a->summary);
    }
    if (ev == CCNC_ENGINE_ACTION_FINISHED && ui->demo.id && id == ui->demo.id)
        demo_ended(ui, a);
    if (ev == CCNC_ENGINE_ACTION_FINISHED && ui->quitting && !ccnc_engine_busy(ui->engine))
        ccnc_loop_quit(ccnc_engine_loop(ui->engine));
}

static void
on_snapshot(const struct ccnc_snapshot *snap, const struct ccnc_event_list *changes, void *data)
{
    struct ui *ui = data;

    (void)snap;
    if (changes->n)
        ui_log_add_events(ui->log, ccnc_now_wall_ms(), changes);
    /* a burst of snapshots (a host's first inventory, a migration's
     * events) becomes one repaint; keys still repaint at once */
    if (!ui->frame_timer)
        ui->frame_timer = ccnc_loop_add_timer(ccnc_engine_loop(ui->engine), UI_FRAME_MS, false,
                                              on_frame, ui);
}

int
ccnc_ui_run(struct ccnc_engine *engine, const struct ccnc_ui_options *opts)
{
    struct ui ui = { 0 };
    const char *codeset = nl_langinfo(CODESET);
    struct ccnc_loop *loop = ccnc_engine_loop(engine);
    const char *no_color = getenv("NO_COLOR");
    static const int quit_signals[] = { SIGINT, SIGTERM, SIGHUP };
    int in_id, winch_id, quit_ids[CCNC_ARRAY_SIZE(quit_signals)];

    ui.ascii = opts->ascii || !codeset || strcmp(codeset, "UTF-8") != 0;
    if (!newterm(NULL, stdout, stdin))
        return -1;
    ui.engine = engine;
    if (opts->migration)
        ui.st.view = UI_VIEW_MIGRATION;
    ui.st.present = opts->present;
    ui.offline = opts->offline;
    ui.log = ui_log_new(UI_LOG_DEFAULT_CAP);
    ui.st.log = ui.log;
    ui.st.vf_intent = ccnc_engine_vf_intent(engine);
    {
        const struct ccnc_lab *lab = ccnc_engine_lab(engine);
        char *hosts = ccnc_xasprintf(dngettext(PACKAGE, "%zu host", "%zu hosts", lab->n_hosts),
                                     lab->n_hosts);
        char *vms = ccnc_xasprintf(dngettext(PACKAGE, "%zu VM", "%zu VMs", lab->n_vms), lab->n_vms);
        /* TRANSLATORS: the file, then "3 hosts" and "1 VM" */
        char *t = ccnc_xasprintf(_("Console started with '%s': %s, %s configured."), lab->path,
                                 hosts, vms);
        ui_log_add(ui.log, ccnc_now_wall_ms(), UI_LOG_INFO, t);
        free(t);
        free(hosts);
        free(vms);
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25); /* Esc cancels the filter at once, not after a second */
    nodelay(stdscr, TRUE);
    curs_set(0);
    /* no-color.org: NO_COLOR set to anything but the empty string */
    ui.color = has_colors() && !opts->no_color && !(no_color && *no_color);
    if (ui.color) {
        start_color();
        use_default_colors();
        for (int a = 1; a < UI_ATTR_LAST; a++) {
            struct ui_style st = ui_attr_style((enum ui_attr)a, true);
            init_pair((short)a, (short)st.fg, (short)st.bg);
        }
    }
    ccnc_engine_set_listener(engine, on_snapshot, &ui);
    ccnc_engine_set_action_listener(engine, on_action, &ui);
    in_id = ccnc_loop_add_fd(loop, 0, POLLIN, on_stdin, &ui);
    ui.timer = ccnc_loop_add_timer(loop, 1000, true, on_tick, &ui);
    winch_id = ccnc_loop_add_signal(loop, SIGWINCH, on_winch, &ui);
    /* after newterm(): these replace curses' own handlers, which would leave
     * at once and skip the rollback */
    for (size_t k = 0; k < CCNC_ARRAY_SIZE(quit_signals); k++)
        quit_ids[k] = ccnc_loop_add_signal(loop, quit_signals[k], on_quit_signal, &ui);
    paint(&ui);
    ccnc_loop_run(loop);
    for (size_t k = 0; k < CCNC_ARRAY_SIZE(quit_signals); k++)
        if (quit_ids[k] > 0)
            ccnc_loop_remove(loop, quit_ids[k]);
    if (winch_id > 0)
        ccnc_loop_remove(loop, winch_id);
    ccnc_loop_remove(loop, in_id);
    ccnc_loop_remove(loop, ui.timer);
    ccnc_loop_cancel(loop, &ui.frame_timer);
    ccnc_engine_set_listener(engine, NULL, NULL);
    ccnc_engine_set_action_listener(engine, NULL, NULL);
    drop_plan(&ui);
    free(ui.acts);
    free(ui.unfinished_file);
    free(ui.unfinished_text);
    for (size_t i = 0; i < ui.n_left; i++)
        free(ui.left[i]);
    free(ui.left);
    for (size_t i = 0; i < ui.demo.n_runs; i++)
        free(ui.demo.runs[i]);
    free(ui.demo.runs);
    free(ui.demo.table);
    free(ui.demo.status);
    endwin();
    ui_grid_free(ui.grid);
    ui_log_free(ui.log);
    return 0;
}
