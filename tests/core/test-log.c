/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -v and -vv: URIs shown without their secrets, and lines written only at
 * their level, with control characters escaped. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ccnc/log.h>
#include <ccnc/util.h>

#include "check-ccnc.h"

static const struct {
    const char *in, *out;
} uris[] = {
    { "test:///default", "test:///default" },
    { "qemu+ssh://root@10.77.0.11/system", "qemu+ssh://root@10.77.0.11/system" },
    { "qemu+ssh://root@h:2222/system?keyfile=/home/u/.ssh/id_lab&no_tty=1",
      "qemu+ssh://root@h:2222/system?keyfile=/home/u/.ssh/id_lab&no_tty=1" },
    { "qemu+ssh://root:hunter2@h/system", "qemu+ssh://root:***@h/system" },
    { "qemu+ssh://root:hunter2@h/system?keyfile=/k", "qemu+ssh://root:***@h/system?keyfile=/k" },
    { "qemu+tls://h/system?password=hunter2", "qemu+tls://h/system?password=***" },
    { "qemu+tls://h/system?a=1&Passphrase=x&token=y&b=2#frag",
      "qemu+tls://h/system?a=1&Passphrase=***&token=***&b=2#frag" },
    { "qemu+libssh://u@h/system?known_hosts=/k&known_hosts_verify=normal",
      "qemu+libssh://u@h/system?known_hosts=/k&known_hosts_verify=normal" },
    { "qemu:///system", "qemu:///system" },
    { "", "" },
};

START_TEST(test_log_uri)
{
    char *shown = ccnc_log_uri(uris[_i].in);

    ck_assert_str_eq(shown, uris[_i].out);
    free(shown);
}
END_TEST

/* What ccnc_log() writes to stderr while fn runs. */
static char *
captured(void (*fn)(void))
{
    char path[] = "/tmp/ccnc-test-log-XXXXXX";
    int fd = mkstemp(path), saved = dup(STDERR_FILENO);
    char *text;

    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    fn();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    text = ccnc_test_read(path, NULL);
    unlink(path);
    return text;
}

static void
log_both(void)
{
    ccnc_log(CCNC_LOG_CONNECT, "%s: opening libvirt at %s", "sys1", "test:///default");
    ccnc_log(CCNC_LOG_CALLS, "%s: libvirt %s for %s", "sys1", "virDomainGetState", "vm\033[2J1");
}

START_TEST(test_log_levels)
{
    char *text;

    ccnc_log_set_level(0);
    ck_assert(!ccnc_log_enabled(CCNC_LOG_CONNECT));
    text = captured(log_both);
    ck_assert_str_eq(text, "");
    free(text);

    ccnc_log_set_level(1);
    ck_assert(ccnc_log_enabled(CCNC_LOG_CONNECT) && !ccnc_log_enabled(CCNC_LOG_CALLS));
    text = captured(log_both);
    ck_assert_str_eq(text, "ccnc: sys1: opening libvirt at test:///default\n");
    free(text);

    ccnc_log_set_level(3);
    text = captured(log_both);
    ck_assert_str_eq(text, "ccnc: sys1: opening libvirt at test:///default\n"
                           "ccnc: sys1: libvirt virDomainGetState for vm\\x1b[2J1\n");
    free(text);
    ccnc_log_set_level(-1);
    ck_assert(!ccnc_log_enabled(CCNC_LOG_CONNECT));
}
END_TEST

Suite *
ccnc_log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");

    tcase_add_loop_test(tc, test_log_uri, 0, (int)CCNC_ARRAY_SIZE(uris));
    tcase_add_test(tc, test_log_levels);
    suite_add_tcase(s, tc);
    return s;
}
