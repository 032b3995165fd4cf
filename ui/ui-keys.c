/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keys of the whole console: the dialogs' answers, the filter being
 * typed, the keys every view shares; the rest goes to the current view.
 * Handlers return UI_KEY_* flags and never draw. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "core/i18n.h"
#include "ui-keys.h"

static void
set_message(struct ui_state *st, enum ui_attr attr, const char *text)
{
    snprintf(st->message, sizeof(st->message), "%s", text);
    st->message_attr = attr;
}

/* Drop the last UTF-8 character of s. */
static void
utf8_backspace(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && ((unsigned char)s[n - 1] & 0xc0) == 0x80)
        n--;
    if (n > 0)
        n--;
    s[n] = '\0';
}

static int
edit_key(struct ui_state *st, int key)
{
    switch (key) {
    case UI_K_ESC:
        st->editing = false;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    case UI_K_ENTER:
        st->editing = false;
        snprintf(st->filter, sizeof(st->filter), "%s", st->edit);
        st->selected[UI_VIEW_LOG] = 0;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    case UI_K_BACKSPACE:
        utf8_backspace(st->edit);
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    default:
        break;
    }
    if (key >= 0x20 && key < 0x110000 && key != 0x7f) {
        char mb[8];
        mbstate_t ms;
        size_t n, len = strlen(st->edit);

        memset(&ms, 0, sizeof(ms));
        n = wcrtomb(mb, (wchar_t)key, &ms);
        if (n != (size_t)-1 && len + n < sizeof(st->edit)) {
            memcpy(st->edit + len, mb, n);
            st->edit[len + n] = '\0';
        }
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    }
    return UI_KEY_HANDLED; /* swallow anything else while editing */
}

static int
switch_view(struct ui_state *st, int view)
{
    st->view = view;
    return UI_KEY_HANDLED | UI_KEY_REDRAW;
}

/* x: in the Migration view, abort the action shown in detail; elsewhere
 * the one running, or, when several run, say where to choose. */
static int
abort_key(struct ui_state *st)
{
    int row = ui_actions_selected(st), n_active = 0, id = 0;

    for (size_t i = 0; i < st->n_actions; i++)
        if (st->actions[i].active) {
            n_active++;
            id = st->actions[i].id;
        }
    if (st->view == UI_VIEW_MIGRATION && row >= 0) {
        if (!st->actions[row].active) {
            set_message(st, UI_WARN, _("That action has ended; select a running one to abort."));
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        id = st->actions[row].id;
    } else if (n_active > 1) {
        switch_view(st, UI_VIEW_MIGRATION);
        set_message(st, UI_WARN, _("Several actions are running: select one here and press x."));
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    }
    st->req_action = id;    /* 0: whichever runs (none listed) */
    st->request = UI_REQ_ABORT;
    return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
}

int
ui_handle_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    int had_message = st->message[0] != '\0';

    if (st->pass_host && !st->question_host && (st->editing || st->finding)) {
        /* a passphrase asked for ends a filter or a search being typed:
         * what is typed now is the secret, never shown */
        st->editing = false;
        st->finding = false;
    }
    if (st->editing)
        return edit_key(st, key);
    if (st->finding)
        return ui_overview_find_key(st, snap, key);
    st->message[0] = '\0';
    if (st->plan) {
        /* a plan on the screen takes every key: yes, no, or elsewhere */
        switch (key) {
        case 'y':
        case 'Y':
            st->request = UI_REQ_RUN;
            break;
        case UI_K_TAB:
            if (st->plan_held)      /* no plan yet: no other destination either */
                return UI_KEY_HANDLED;
            st->request = UI_REQ_NEXT_DEST;
            break;
        case 'n':
        case 'N':
        case 'q':
        case UI_K_ESC:
            st->request = UI_REQ_CANCEL;
            break;
        default:
            return UI_KEY_HANDLED;
        }
        return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
    }
    if (st->vf_editing) {
        /* the VF editor: a line of KEY=VALUE words */
        size_t n = strlen(st->vf_edit);
        if (key == UI_K_ENTER) {
            st->vf_editing = false;
            st->request = UI_REQ_VF_SET;
            return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
        }
        if (key == UI_K_ESC) {
            st->vf_editing = false;
            set_message(st, UI_NORMAL, _("Cancelled; nothing was done."));
        } else if (key == UI_K_BACKSPACE) {
            if (n > 0)
                st->vf_edit[n - 1] = '\0';
        } else if (key == 0x15) {          /* Ctrl-U: start afresh */
            st->vf_edit[0] = '\0';
        } else if (key >= 0x20 && key < 0x7f && n + 1 < sizeof(st->vf_edit)) {
            st->vf_edit[n] = (char)key;
            st->vf_edit[n + 1] = '\0';
        } else {
            return UI_KEY_HANDLED;
        }
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    }
    if (st->pass_host && !st->question_host) {
        /* the passphrase: every key is text, unseen */
        size_t n = strlen(st->secret);
        if (key == UI_K_ENTER) {
            st->request = UI_REQ_PASSPHRASE;
        } else if (key == UI_K_ESC) {
            st->request = UI_REQ_NO_PASSPHRASE;
        } else if (key == UI_K_BACKSPACE) {
            if (n > 0)
                st->secret[n - 1] = '\0';
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        } else if (key >= 0x20 && key < 0x7f && n + 1 < sizeof(st->secret)) {
            st->secret[n] = (char)key;
            st->secret[n + 1] = '\0';
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        } else {
            return UI_KEY_HANDLED;
        }
        return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
    }
    if (st->unfinished && !st->question_host && !st->pass_host && !st->help) {
        /* a run that stopped half-way: finish it, undo it, or leave it */
        if (key == 'f' || key == 'F')
            st->request = UI_REQ_RESUME;
        else if (key == 'u' || key == 'U')
            st->request = UI_REQ_RESUME_UNDO;
        else if (key == 'l' || key == 'L' || key == UI_K_ESC)
            st->request = UI_REQ_LEAVE_RUN;
        else
            return key == 'q' ? UI_KEY_QUIT : UI_KEY_HANDLED;
        return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
    }
    if (st->question_host) {
        /* an unknown host key: nothing else until it is answered */
        if (key == 'y' || key == 'Y')
            st->request = UI_REQ_TRUST;
        else if (key == 'n' || key == 'N' || key == UI_K_ESC)
            st->request = UI_REQ_DISTRUST;
        else
            return key == 'q' ? UI_KEY_QUIT : UI_KEY_HANDLED;
        return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
    }
    if (st->help) {
        st->help = false;
        return UI_KEY_HANDLED | UI_KEY_REDRAW | (key == 'q' ? UI_KEY_QUIT : 0);
    }
    switch (key) {
    case 'q':
        return UI_KEY_QUIT;
    case '?':
        st->help = true;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    case UI_K_TAB:
        return switch_view(st, (st->view + 1) % UI_VIEW_LAST);
    case UI_K_BTAB:
        return switch_view(st, (st->view + UI_VIEW_LAST - 1) % UI_VIEW_LAST);
    case '1':
    case '2':
    case '3':
    case '4':
        return switch_view(st, key - '1');
    case '/':
        if (st->view == UI_VIEW_OVERVIEW)
            break;  /* the overview's: find a VM */
        if (st->view != UI_VIEW_LOG)
            switch_view(st, UI_VIEW_LOG);
        st->editing = true;
        snprintf(st->edit, sizeof(st->edit), "%s", st->filter);
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    case 'm':
    case 'd':
    case 'a':
        if (st->view == UI_VIEW_OVERVIEW)
            ui_overview_selected_vm(st, snap);
        if (!st->selected_vm[0]) {
            set_message(st, UI_WARN, _("Select a VM in the overview first."));
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        /* others may run meanwhile: the planner refuses a VM that has
         * an action already, and says so */
        st->request = UI_REQ_PLAN;
        st->req_kind = key == 'm' ? CCNC_ACTION_MIGRATE_PASSTHROUGH
                       : key == 'd' ? CCNC_ACTION_DETACH : CCNC_ACTION_ASSIGN;
        snprintf(st->req_vm, sizeof(st->req_vm), "%s", st->selected_vm);
        st->req_dest[0] = '\0';
        return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
    case 'D':
        if (st->view == UI_VIEW_OVERVIEW)
            ui_overview_selected_vm(st, snap);
        if (!st->selected_vm[0]) {
            set_message(st, UI_WARN, _("Select a VM in the overview first."));
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        st->request = UI_REQ_DEMO;
        snprintf(st->req_vm, sizeof(st->req_vm), "%s", st->selected_vm);
        return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
    case 'b':
        if (st->view == UI_VIEW_OVERVIEW)
            ui_overview_selected_vm(st, snap);
        if (!st->selected_vm[0]) {
            set_message(st, UI_WARN, _("Select a VM in the overview first."));
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        st->request = UI_REQ_BANDWIDTH;
        snprintf(st->req_vm, sizeof(st->req_vm), "%s", st->selected_vm);
        return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
    case 'v':
        if (st->view != UI_VIEW_VFS) {
            switch_view(st, UI_VIEW_VFS);
            set_message(st, UI_NORMAL, _("Select a VF and press v to edit it."));
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        break;
    case 'p':
        /* the presenter layout, over the Migration view: j/k choose the
         * action it shows */
        st->present = !st->present;
        if (st->present)
            st->view = UI_VIEW_MIGRATION;
        return UI_KEY_HANDLED | UI_KEY_REDRAW;
    case 'x':
        if (!st->action_running && st->demo_waiting) {
            /* between a demo's rounds: no round follows */
            st->req_action = 0;
            st->request = UI_REQ_ABORT;
            return UI_KEY_HANDLED | UI_KEY_REDRAW | UI_KEY_REQUEST;
        }
        if (!st->action_running) {
            set_message(st, UI_WARN, _("No action is running."));
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        return abort_key(st);
    case UI_K_ESC:
        if (st->view == UI_VIEW_LOG && st->filter[0]) {
            st->filter[0] = '\0';
            return UI_KEY_HANDLED | UI_KEY_REDRAW;
        }
        return had_message ? UI_KEY_HANDLED | UI_KEY_REDRAW : UI_KEY_HANDLED;
    default:
        break;
    }
    {
        int r = ui_views_get(st->view)->key(st, snap, key);
        if (had_message)
            r |= UI_KEY_REDRAW;
        return r;
    }
}
