/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The key dispatcher of the whole console. */
#ifndef CCNC_UI_KEYS_H
#define CCNC_UI_KEYS_H

#include "ui-views.h"

/* Handle one key for the whole console: a dialog's answer, the filter
 * being typed, a key every view shares, or the current view's own.
 * Returns UI_KEY_* flags; the loop's thread only. */
int ui_handle_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key);

#endif
