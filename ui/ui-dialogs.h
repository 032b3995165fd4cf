/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dialogs over the views (plan, host key, passphrase, VF editor, help). */
#ifndef CCNC_UI_DIALOGS_H
#define CCNC_UI_DIALOGS_H

#include "ui-views.h"

/* Draw over the view the dialog st asks for, if any (the plan first, then
 * an unknown host key, a passphrase, the VF editor), and the help above
 * them all when it is shown. */
void ui_dialogs_draw(struct ui_grid *g, const struct ccnc_snapshot *snap,
                     const struct ui_state *st);

#endif
