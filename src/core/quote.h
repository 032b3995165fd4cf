/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Quoting for what leaves ccnc: for the command lines it sends to a host's
 * login shell, every argument that comes from the config, the model or the
 * user goes through here, so that a remote shell sees it as one literal
 * word; for the operator's terminal, text that came from a host goes
 * through here, so that it cannot drive the terminal. */
#ifndef CCNC_QUOTE_H
#define CCNC_QUOTE_H

#include <stddef.h>

/* One POSIX-shell word meaning exactly arg: unchanged when it consists of
 * safe characters only, else in single quotes with each ' written as '\''.
 * The empty string becomes ''.  Caller frees. */
char *ccnc_quote_word(const char *arg);

/* argv[0..n) quoted and joined with single spaces (n may be 0: "").
 * Caller frees. */
char *ccnc_quote_argv(const char *const *argv, size_t n);

/* s percent-encoded for a URI's user or query value: letters, digits and
 * "/._~-" stay, every other byte is %XX.  Caller frees. */
char *ccnc_quote_uri(const char *s);

/* A copy of text from a host (names of links, bonds and VMs, errors from
 * agents or libvirt, stderr lines, libssh's messages) that is safe to show
 * on a terminal: every control character (C0, DEL, C1 such as U+009B, the
 * one-byte CSI) and every byte that is not part of valid UTF-8 becomes an
 * escape, "\x1b"; all else, printable UTF-8 included, stays as it is.  A
 * backslash is left alone, so that quoting quoted text changes nothing
 * (text may pass here at more than one layer); the price is that a name
 * holding a real "\x1b" reads like one holding ESC.  NULL gives NULL.
 * Caller frees. */
char *ccnc_quote_printable(const char *text);
/* The same for text of several lines: '\n' stays. */
char *ccnc_quote_printable_lines(const char *text);

#endif
