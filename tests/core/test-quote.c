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

START_TEST(test_quote_printable)
{
    char *p = ccnc_quote_printable("bad \033]0;owned\007 line\r\n\tend\177");

    ck_assert_str_eq(p, "bad ?]0;owned? line???end?");
    free(p);
    p = ccnc_quote_printable("ccnc-agent 0.1.0 – ünïcode");
    ck_assert_str_eq(p, "ccnc-agent 0.1.0 – ünïcode");
    free(p);
    ck_assert_ptr_null(ccnc_quote_printable(NULL));
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
    tcase_add_test(tc, test_quote_printable);
    suite_add_tcase(s, tc);
    return s;
}
