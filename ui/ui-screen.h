/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The whole screen: title bar and tabs, the current view, the key line,
 * the dialogs. */
#ifndef CCNC_UI_SCREEN_H
#define CCNC_UI_SCREEN_H

#include "ui-views.h"

/* Draw the whole screen: title bar, the current view, the key line, and
 * the dialog or help overlay if one is up. */
void ui_draw_screen(struct ui_grid *g, const struct ccnc_snapshot *snap,
                    const struct ui_state *st);

#endif
