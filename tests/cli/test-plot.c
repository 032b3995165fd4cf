/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ccnc report --plot`'s renderer: the SVG cairo writes, read back with
 * libxml2 (cairo draws text as glyph outlines, so the structure is tested,
 * not pixels): its size, and a filled path in the step colour per step.
 * PNG and PDF only by their signatures.  Without cairo, nothing to test. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-ccnc.h"

#ifdef HAVE_CAIRO
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <ccnc/figure.h>

#include "cli/cli-plot.h"

static const char *const lab_runs[] = {
    "runs/lab-20261203-221714-vm1-migrate-passthrough.jsonl",
    "runs/lab-20261203-221802-vm1-migrate-passthrough.jsonl",
};

static char tmp[] = "/tmp/ccnc-plot-XXXXXX";

static void
setup(void)
{
    strcpy(tmp, "/tmp/ccnc-plot-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void
teardown(void)
{
    char *cmd = ccnc_xasprintf("rm -rf '%s'", tmp);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}

static struct ccnc_figure *
lab_figure(size_t n, size_t *steps)
{
    struct ccnc_run_trace t[CCNC_ARRAY_SIZE(lab_runs)];
    struct ccnc_figure *f;

    memset(t, 0, sizeof(t));
    *steps = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = ccnc_test_data(lab_runs[i]);
        ck_assert_int_eq(ccnc_run_trace_read(path, &t[i], NULL), 0);
        *steps += t[i].n_steps;
        free(path);
    }
    f = ccnc_figure_runs(t, n);
    for (size_t i = 0; i < n; i++)
        ccnc_run_trace_clear(&t[i]);
    return f;
}

/* A path's fill colour as cairo writes it, in a fill attribute (newer
 * cairo) or in its style (cairo 1.16): "rgb(16%,44%,69%)"; false when it
 * has none (a glyph's outline, filled by its group). */
static bool
fill_of(xmlNode *node, double rgb[3])
{
    xmlChar *fill = xmlGetProp(node, (const xmlChar *)"fill");
    xmlChar *style = xmlGetProp(node, (const xmlChar *)"style");
    const char *s = NULL;
    bool ok = false;

    if (fill)
        s = (const char *)fill;
    else if (style && (s = strstr((const char *)style, "fill:")) != NULL)
        s += strlen("fill:");
    if (s && sscanf(s, "rgb(%lf%%,%lf%%,%lf%%)", &rgb[0], &rgb[1], &rgb[2]) == 3) {
        for (int i = 0; i < 3; i++)
            rgb[i] /= 100.0;
        ok = true;
    }
    xmlFree(fill);
    xmlFree(style);
    return ok;
}

/* Paths outside the glyph definitions filled in colour want. */
static size_t
count_filled(xmlNode *node, const double want[3])
{
    size_t n = 0;

    for (; node; node = node->next) {
        double rgb[3];
        if (node->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrcmp(node->name, (const xmlChar *)"defs") == 0)
            continue;
        if (xmlStrcmp(node->name, (const xmlChar *)"path") == 0 && fill_of(node, rgb) &&
            rgb[0] > want[0] - 0.01 && rgb[0] < want[0] + 0.01 && rgb[1] > want[1] - 0.01 &&
            rgb[1] < want[1] + 0.01 && rgb[2] > want[2] - 0.01 && rgb[2] < want[2] + 0.01)
            n++;
        n += count_filled(node->children, want);
    }
    return n;
}

static double
points(xmlNode *root, const char *attr)
{
    xmlChar *v = xmlGetProp(root, (const xmlChar *)attr);
    double d;

    ck_assert_ptr_nonnull(v);
    d = strtod((const char *)v, NULL);
    xmlFree(v);
    return d;
}

START_TEST(test_plot_svg)
{
    size_t n = (size_t)_i + 1, steps;
    struct ccnc_figure *f = lab_figure(n, &steps);
    char *path = ccnc_xasprintf("%s/runs.svg", tmp);
    struct ccnc_error err = { 0 };
    double step_rgb[3], bar_rgb[3], down_rgb[3];
    xmlDoc *doc;
    xmlNode *root;

    ck_assert_msg(ccnc_cli_plot_write(f, path, &err) == 0, "%s", err.message);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "svg");
    ck_assert_double_eq_tol(points(root, "width"), f->width, 0.5);
    ck_assert_double_eq_tol(points(root, "height"), f->height, 0.5);
    ccnc_cli_plot_colour(CCNC_FIG_STEP, step_rgb);
    ccnc_cli_plot_colour(CCNC_FIG_BAR, bar_rgb);
    ccnc_cli_plot_colour(CCNC_FIG_DOWNTIME, down_rgb);
    ck_assert_uint_eq(count_filled(root, step_rgb), steps);
    ck_assert_uint_eq(count_filled(root, down_rgb), n);
    ck_assert_uint_eq(count_filled(root, bar_rgb), n > 1 ? 4 * n : 0);
    xmlFreeDoc(doc);
    ccnc_figure_free(f);
    free(path);
}
END_TEST

START_TEST(test_plot_png_pdf)
{
    size_t steps;
    struct ccnc_figure *f = lab_figure(1, &steps);
    char *png = ccnc_xasprintf("%s/run.PNG", tmp), *pdf = ccnc_xasprintf("%s/run.pdf", tmp);
    char *bad = ccnc_xasprintf("%s/no-such-dir/run.svg", tmp);
    struct ccnc_error err = { 0 };
    unsigned char head[24];
    size_t len;
    char *text;

    ck_assert_int_eq(ccnc_cli_plot_write(f, png, &err), 0);
    text = ccnc_test_read(png, &len);
    ck_assert_uint_gt(len, sizeof(head));
    memcpy(head, text, sizeof(head));
    ck_assert_int_eq(memcmp(head, "\x89PNG\r\n\x1a\n", 8), 0);
    /* IHDR: the width in pixels, 1.5 a point */
    ck_assert_uint_eq(((unsigned)head[16] << 24 | (unsigned)head[17] << 16 |
                       (unsigned)head[18] << 8 | head[19]), (unsigned)(f->width * 1.5 + 0.5));
    free(text);
    ck_assert_int_eq(ccnc_cli_plot_write(f, pdf, &err), 0);
    text = ccnc_test_read(pdf, NULL);
    ck_assert_int_eq(strncmp(text, "%PDF-", 5), 0);
    free(text);
    /* a file that cannot be made, and a name of no format */
    ck_assert_int_eq(ccnc_cli_plot_write(f, bad, &err), -1);
    ck_assert_ptr_nonnull(err.message);
    ccnc_error_clear(&err);
    ck_assert_int_eq(ccnc_cli_plot_write(f, "x.txt", &err), -1);
    ccnc_error_clear(&err);
    ck_assert_int_eq(access("x.txt", F_OK), -1);
    ccnc_figure_free(f);
    free(png);
    free(pdf);
    free(bad);
}
END_TEST

START_TEST(test_plot_format)
{
    ck_assert_str_eq(ccnc_cli_plot_format("a.svg"), "svg");
    ck_assert_str_eq(ccnc_cli_plot_format("dir/A.Svg"), "svg");
    ck_assert_str_eq(ccnc_cli_plot_format("a.b.png"), "png");
    ck_assert_str_eq(ccnc_cli_plot_format("a.PDF"), "pdf");
    ck_assert_ptr_null(ccnc_cli_plot_format("a.svgz"));
    ck_assert_ptr_null(ccnc_cli_plot_format("svg"));
    ck_assert_ptr_null(ccnc_cli_plot_format("a.svg/b"));
}
END_TEST

Suite *
ccnc_plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("cairo");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_plot_svg, 0, (int)CCNC_ARRAY_SIZE(lab_runs));
    tcase_add_test(tc, test_plot_png_pdf);
    tcase_add_test(tc, test_plot_format);
    suite_add_tcase(s, tc);
    return s;
}
#else
/* built without cairo: `ccnc report --plot` says so (tests/cli/test-cli.sh) */
Suite *
ccnc_plot_suite(void)
{
    return suite_create("plot");
}
#endif
