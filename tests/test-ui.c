/* The console's screens, drawn from fixed snapshots into a grid and
 * compared with golden text: 80x24 and 160x50, UTF-8 and ASCII. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/model.h>

#include "check-ccnc.h"
#include "ui-views.h"

static const struct {
    int w, h;
    bool ascii, help, example;
    const char *golden;
} screens[] = {
    { 80, 24, false, false, false, "golden/ui-overview-80x24.txt" },
    { 160, 50, false, false, false, "golden/ui-overview-160x50.txt" },
    { 80, 24, true, false, false, "golden/ui-overview-80x24-ascii.txt" },
    { 80, 24, false, true, false, "golden/ui-help-80x24.txt" },
    { 60, 20, false, false, false, "golden/ui-too-small.txt" },
    /* a long lab name and several VMs, from docs/examples/lab.conf */
    { 80, 24, false, false, true, "golden/ui-overview-example-80x24.txt" },
};

static struct ccnc_lab *
screen_lab(bool example)
{
    const char *top = getenv("abs_top_srcdir");
    char *path;
    struct ccnc_lab *lab;

    if (!example)
        return ccnc_lab_load_builtin();
    path = ccnc_xasprintf("%s/docs/examples/lab.conf", top ? top : ".");
    lab = ccnc_lab_load(path, NULL, 0, NULL);
    ck_assert_ptr_nonnull(lab);
    ccnc_str_set(&lab->path, "docs/examples/lab.conf");
    free(path);
    return lab;
}

START_TEST(test_screen_golden)
{
    struct ccnc_lab *lab = screen_lab(screens[_i].example);
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);
    struct ui_grid *g = ui_grid_new(screens[_i].w, screens[_i].h, screens[_i].ascii);
    struct ui_state st = { .help = screens[_i].help, .clock = "12:34:56" };
    char *text;

    ui_draw_screen(g, snap, &st);
    text = ui_grid_to_text(g, true);
    ccnc_test_golden(screens[_i].golden, text);
    free(text);
    ui_grid_free(g);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_keys)
{
    struct ccnc_lab *lab = ccnc_lab_load_builtin();
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);
    struct ui_state st = { 0 };

    ck_assert_int_eq(ui_handle_key(&st, snap, 'q'), UI_KEY_QUIT);
    ck_assert(ui_handle_key(&st, snap, '?') & UI_KEY_REDRAW);
    ck_assert(st.help);
    ck_assert(ui_handle_key(&st, snap, 'x') & UI_KEY_HANDLED); /* any key closes help */
    ck_assert(!st.help);
    ui_handle_key(&st, snap, 'j');
    ck_assert_int_eq(st.selected, 0); /* one VM: nothing below it */
    ck_assert_int_eq(ui_handle_key(&st, snap, 'Z'), UI_KEY_UNHANDLED);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_grid_clip_and_wide)
{
    struct ui_grid *g = ui_grid_new(6, 2, false);
    char *text;

    ui_grid_put(g, 0, 3, UI_BOLD, "abcdef");
    ui_grid_put(g, 1, 0, UI_NORMAL, "\xe4\xb8\xad\xe6\x96\x87x"); /* two wide + x */
    ui_grid_put(g, 5, 0, UI_NORMAL, "off the grid");
    text = ui_grid_to_text(g, false);
    ck_assert_str_eq(text, "   abc\n\xe4\xb8\xad\xe6\x96\x87x\n");
    free(text);
    ui_grid_free(g);
}
END_TEST

Suite *
ccnc_ui_suite(void)
{
    Suite *s = suite_create("ui");
    TCase *tc = tcase_create("render");

    tcase_add_loop_test(tc, test_screen_golden, 0, (int)CCNC_ARRAY_SIZE(screens));
    tcase_add_test(tc, test_keys);
    tcase_add_test(tc, test_grid_clip_and_wide);
    suite_add_tcase(s, tc);
    return s;
}
