/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The console's views in tab order (1 2 3 4): the one table the screen
 * draws from and the key dispatcher hands keys to. */
#include "config.h"

#include "ui-views.h"

static const struct ui_view *const views[UI_VIEW_LAST] = {
    [UI_VIEW_OVERVIEW] = &ui_view_overview,
    [UI_VIEW_VFS] = &ui_view_vfs,
    [UI_VIEW_MIGRATION] = &ui_view_migration,
    [UI_VIEW_LOG] = &ui_view_log,
};

const struct ui_view *
ui_views_get(enum ui_view_id view)
{
    return views[view];
}
