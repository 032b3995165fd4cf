/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The console: runs curses on the engine's loop until the operator quits. */
#ifndef CCNC_UI_H
#define CCNC_UI_H

#include <ccnc/engine.h>

struct ccnc_ui_options {
    bool ascii;       /* ASCII line drawing instead of UTF-8 */
    bool no_color;    /* monochrome (also when NO_COLOR is set) */
    bool migration;   /* open on the migration view (a replay) */
    bool present;     /* open in the presenter layout (--present) */
    bool offline;     /* no host is contacted (--offline, a replay) */
};

/* Returns 0 after a normal quit, -1 when the terminal cannot be used. */
int ccnc_ui_run(struct ccnc_engine *engine, const struct ccnc_ui_options *opts);

#endif
