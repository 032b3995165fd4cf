/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ccnc command line: global options, then a command from a table. */
#ifndef CCNC_CLI_H
#define CCNC_CLI_H

/* Exit statuses, documented in ccnc(1). */
enum {
    CCNC_EXIT_OK = 0,
    CCNC_EXIT_FAILED = 1,   /* the command ran and did not succeed */
    CCNC_EXIT_USAGE = 2,    /* bad command line or lab config */
};

#include <stdbool.h>
#include <stdio.h>

#include <ccnc/lab.h>
#include <ccnc/util.h>

/* What the global options said; shared by the commands (cli-*.c). */
struct cli {
    const char *config;     /* -c, or NULL */
    struct ccnc_lab *lab;
    bool ascii;
    bool no_color;
    bool offline;           /* contact no host */
    const char *replay;     /* --replay RUNFILE */
    double speed;           /* --speed, for the replay */
};

int ccnc_cli_main(int argc, char **argv);
/* Load the lab for cli (printing errors); -1 when it is not usable. */
int ccnc_cli_load_lab(struct cli *cli);

struct ccnc_engine;
struct ccnc_snapshot;
/* Start the engine's collectors and run its loop until every host has
 * answered or wait_s seconds have passed. */
void ccnc_cli_settle(struct ccnc_engine *engine, int wait_s);
/* What the lab looks like: an engine, settled for at most wait_s (not with
 * --offline), its snapshot.  Caller unrefs. */
struct ccnc_snapshot *ccnc_cli_snapshot(struct cli *cli, int wait_s);
/* The snapshot as pretty JSON on stdout (docs/status-json.md). */
void ccnc_cli_print_json(const struct ccnc_snapshot *snap);

/* Commands in their own files: argv[0] is the command's name. */
int ccnc_cli_runs(struct cli *cli, int argc, char **argv);
int ccnc_cli_report(struct cli *cli, int argc, char **argv);
int ccnc_cli_action(struct cli *cli, int argc, char **argv);
int ccnc_cli_evacuate(struct cli *cli, int argc, char **argv);
int ccnc_cli_abort(struct cli *cli, int argc, char **argv);
int ccnc_cli_resume(struct cli *cli, int argc, char **argv);
int ccnc_cli_vf(struct cli *cli, int argc, char **argv);
int ccnc_cli_pool(struct cli *cli, int argc, char **argv);
int ccnc_cli_bandwidth(struct cli *cli, int argc, char **argv);

/* "ccnc CMD: MESSAGE" and the command's usage (a translated text naming
 * the program with %s wherever it says it)
 * on stderr; returns CCNC_EXIT_USAGE. */
int ccnc_cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    CCNC_PRINTF(3, 4);
/* Text for the operator's terminal: what fmt makes, with control
 * characters and invalid UTF-8 shown as escapes ("\x1b", see
 * ccnc_quote_printable_lines()), so that names and errors that came from a
 * host cannot drive the terminal; newlines stay.  Every text the commands
 * print goes through these (tests/cli/test-cli.sh checks); JSON goes out as
 * json-c writes it, its control characters escaped the JSON way. */
int ccnc_cli_printf(const char *fmt, ...) CCNC_PRINTF(1, 2);
int ccnc_cli_fprintf(FILE *f, const char *fmt, ...) CCNC_PRINTF(2, 3);
int ccnc_cli_fputs(const char *text, FILE *f);
/* A timer callback that quits the loop given as its data. */
void ccnc_cli_quit_loop(void *loop);

/* The VFs of the snapshot's hosts (or only's), a line each, with drift. */
void ccnc_cli_print_vfs(const struct ccnc_snapshot *snap, const char *only);
struct ccnc_error;
struct ccnc_vf_change;
/* Ask the engine for a VF change (send passes cb and data on; it returns
 * like ccnc_engine_pool_reserve: 0 sent, 1 nothing to do, -1 and err)
 * and wait, 15 s at most, for the answer and for the agent's report to
 * show c (which send may fill in), or num_vfs VFs on pf when c is NULL.
 * Failures are printed after "ccnc WHAT: ".  An exit status. */
typedef int (*ccnc_cli_vf_send)(struct ccnc_engine *engine, void *arg,
                                void (*cb)(void *data, bool ok, const char *error),
                                void *data, struct ccnc_error *err);
int ccnc_cli_vf_apply(struct ccnc_engine *engine, const char *what, const char *host,
                      const char *pf, struct ccnc_vf_change *c, int num_vfs,
                      ccnc_cli_vf_send send, void *arg);

#endif
