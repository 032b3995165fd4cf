/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shell quoting: a table of awkward words, and a round trip through a real
 * /bin/sh that must give each word back unchanged. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "check-ccnc.h"
#include "core/quote.h"

static const struct {
    const char *in, *out;
} cases[] = {
    { "sys1", "sys1" },
    { "hypervisor", "hypervisor" },
    { "/usr/bin/ccnc-agent", "/usr/bin/ccnc-agent" },
    { "0000:03:00.0", "0000:03:00.0" },
    { "", "''" },
    { "a b", "'a b'" },
    { "it's", "'it'\\''s'" },
    { "'", "''\\'''" },
    { "$(reboot)", "'$(reboot)'" },
    { "`id`", "'`id`'" },
    { "a;b", "'a;b'" },
    { "a\nb", "'a\nb'" },
    { "~root", "'~root'" },
    { "x=1", "'x=1'" },
    { "*", "'*'" },
    { "--name=sys1", "'--name=sys1'" },
    { "\\", "'\\'" },
    { "\"q\"", "'\"q\"'" },
};

START_TEST(test_quote_table)
{
    char *q = ccnc_quote_word(cases[_i].in);

    ck_assert_str_eq(q, cases[_i].out);
    free(q);
}
END_TEST

START_TEST(test_quote_argv)
{
    const char *argv[] = { "ccnc-agent", "--serve", "--name", "my host", "--role", "it's" };
    char *line = ccnc_quote_argv(argv, CCNC_ARRAY_SIZE(argv));

    ck_assert_str_eq(line, "ccnc-agent --serve --name 'my host' --role 'it'\\''s'");
    free(line);
    line = ccnc_quote_argv(argv, 0);
    ck_assert_str_eq(line, "");
    free(line);
}
END_TEST

/* The shell itself is the judge: printf each quoted word back. */
START_TEST(test_quote_shell_roundtrip)
{
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(cases); i++) {
        char *q = ccnc_quote_word(cases[i].in);
        char *cmd = ccnc_xasprintf("printf '%%s' %s", q);
        char buf[256] = "";
        size_t n;
        FILE *p = popen(cmd, "r");

        ck_assert_ptr_nonnull(p);
        n = fread(buf, 1, sizeof(buf) - 1, p);
        buf[n] = '\0';
        ck_assert_int_eq(pclose(p), 0);
        ck_assert_msg(strcmp(buf, cases[i].in) == 0, "'%s' came back as '%s'", cases[i].in, buf);
        free(q);
        free(cmd);
    }
}
END_TEST

static const struct {
    const char *in, *out;
} printable_cases[] = {
    { "bad \033]0;owned\007 line\r\n\tend\177", "bad \\x1b]0;owned\\x07 line\\x0d\\x0a\\x09end\\x7f" },
    { "eth0\033[2J\033[H", "eth0\\x1b[2J\\x1b[H" },
    { "ccnc-agent 0.1.0 \u2013 \u00fcn\u00efcode \u2500\U0001F600", "ccnc-agent 0.1.0 \u2013 \u00fcn\u00efcode \u2500\U0001F600" },
    { "", "" },
    /* invalid UTF-8: a stray continuation, a lead without its tail, a
     * truncated end, bytes UTF-8 never uses */
    { "a\x80" "b", "a\\x80b" },
    { "a\xc3(b", "a\\xc3(b" },
    { "end\xe2\x94", "end\\xe2\\x94" },
    { "\xfe\xff\xc0\xc1\xf5", "\\xfe\\xff\\xc0\\xc1\\xf5" },
    /* overlong forms, surrogates, past U+10FFFF */
    { "\xc0\xaf", "\\xc0\\xaf" },
    { "\xe0\x80\xaf", "\\xe0\\x80\\xaf" },
    { "\xed\xa0\x80", "\\xed\\xa0\\x80" },
    { "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
    /* C1 controls, valid UTF-8 but read as controls: CSI (U+009B), NEL */
    { "x\xc2\x9b" "2Jy\xc2\x85", "x\\xc2\\x9b2Jy\\xc2\\x85" },
    { "\xc2\xa0nbsp", "\xc2\xa0nbsp" },
    /* a backslash stays: quoting twice is quoting once */
    { "C:\\vm\\x1b", "C:\\vm\\x1b" },
};

START_TEST(test_quote_printable)
{
    char *p = ccnc_quote_printable(printable_cases[_i].in);
    char *again = ccnc_quote_printable(p);

    ck_assert_str_eq(p, printable_cases[_i].out);
    ck_assert_str_eq(again, p);
    free(again);
    free(p);
}
END_TEST

START_TEST(test_quote_printable_lines)
{
    char *p = ccnc_quote_printable_lines("one\033[31m\ntwo\r\n");

    ck_assert_str_eq(p, "one\\x1b[31m\ntwo\\x0d\n");
    free(p);
    ck_assert_ptr_null(ccnc_quote_printable(NULL));
    ck_assert_ptr_null(ccnc_quote_printable_lines(NULL));
}
END_TEST

Suite *
ccnc_quote_suite(void)
{
    Suite *s = suite_create("quote");
    TCase *tc = tcase_create("quote");

    tcase_add_loop_test(tc, test_quote_table, 0, (int)CCNC_ARRAY_SIZE(cases));
    tcase_add_test(tc, test_quote_argv);
    tcase_add_test(tc, test_quote_shell_roundtrip);
    tcase_add_loop_test(tc, test_quote_printable, 0, (int)CCNC_ARRAY_SIZE(printable_cases));
    tcase_add_test(tc, test_quote_printable_lines);
    suite_add_tcase(s, tc);
    return s;
}
