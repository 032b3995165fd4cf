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
    bool present;           /* --present: the console's presenter layout */
    int verbose;            /* how many -v (include/ccnc/log.h) */
    const char *complete;   /* --complete=WHAT: the lab's names, for the shell */
    const char *completion; /* --completion=SHELL: print the completion script */
};

/* An option as getopt_long, --help and the shell completions see it: a
 * long name, maybe a short one, and what its argument is.  Options that
 * take an argument accept both --name=VALUE and --name VALUE. */
struct cli_option {
    const char *name;       /* without the dashes */
    char short_name;        /* 'c', or 0 */
    const char *arg;        /* NULL for a flag; else its argument as --help names it */
    const char *help;       /* N_(); NULL: left out of --help */
};

#define CLI_MAX_OPTIONS 6

struct cli_args;

/* A command of the table (cli.c): its options, and what its positional
 * arguments are, for --help and the completions.  Kinds of arguments are
 * upper case (VM, HOST, POOL, FILE, RUN, COMMAND, KEY=VALUE, or what the
 * completion does not know: N, PORT, VF), words to type lower case, and
 * alternatives separated by '|'; "..." repeats the last. */
struct cli_command {
    const char *name;
    const char *synopsis;   /* untranslated; its forms separated by " | " */
    const char *summary;    /* N_(), one line */
    const char *args;       /* the positional arguments, in order, by kind */
    bool needs_lab;
    int (*run)(struct cli *cli, const struct cli_args *args);
    struct cli_option options[CLI_MAX_OPTIONS + 1];   /* ended by { NULL } */
};

/* A command's command line, parsed. */
struct cli_args {
    const struct cli_command *cmd;
    const char *value[CLI_MAX_OPTIONS];   /* per option: its argument, "" for a flag
                                           * given, NULL when not given */
    char **pos;                           /* the positional arguments */
    int n_pos;
};

/* The argument of the command's option name, "" for a flag given, NULL
 * when it was not given.  name must be one of the command's options. */
const char *ccnc_cli_opt(const struct cli_args *args, const char *name);
bool ccnc_cli_flag(const struct cli_args *args, const char *name);

int ccnc_cli_main(int argc, char **argv);

/* The command table (cli.c), and the global options (cli-args.c). */
const struct cli_command *ccnc_cli_commands(size_t *n);
const struct cli_option *ccnc_cli_global_options(size_t *n);
const struct cli_command *ccnc_cli_find_command(const char *name);

/* cli-args.c: the global options before the command (their effect in cli;
 * *next is then the command's index in argv), then the command's words
 * from its name on (args->pos to be freed with ccnc_cli_args_clear).  Each
 * returns -1 to go on, else the exit status to end with: the help or the
 * version printed, or a usage error on stderr. */
int ccnc_cli_parse_global(struct cli *cli, int argc, char **argv, int *next);
int ccnc_cli_parse_command(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
                           struct cli_args *args);
void ccnc_cli_args_clear(struct cli_args *args);
/* cli-complete.c: --completion=SHELL prints the script for bash or zsh,
 * made from the tables; --complete=WHAT the names of commands, or of the
 * lab's vms, hosts or pools (from the config only).  An exit status. */
int ccnc_cli_complete(struct cli *cli);
/* ccnc --help, and a command's own help, on stdout; an exit status. */
void ccnc_cli_help(FILE *f);
int ccnc_cli_command_help(const struct cli_command *cmd);
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

/* Commands in their own files. */
int ccnc_cli_runs(struct cli *cli, const struct cli_args *args);
int ccnc_cli_report(struct cli *cli, const struct cli_args *args);
/* cli-runs.c: the thesis' Table 1 (ccnc/report.h) over runs[0..n), as
 * `ccnc report --table` prints it on stdout, and as its --json object
 * (docs/status-json.md; caller puts it). */
struct ccnc_table;
struct ccnc_run_summary;
struct json_object;
void ccnc_cli_print_table(const struct ccnc_table *t, const struct ccnc_run_summary *runs,
                          size_t n);
struct json_object *ccnc_cli_table_json(const struct ccnc_table *t,
                                        const struct ccnc_run_summary *runs, size_t n);
int ccnc_cli_action(struct cli *cli, const struct cli_args *args);
int ccnc_cli_evacuate(struct cli *cli, const struct cli_args *args);
int ccnc_cli_demo(struct cli *cli, const struct cli_args *args);
int ccnc_cli_abort(struct cli *cli, const struct cli_args *args);
int ccnc_cli_resume(struct cli *cli, const struct cli_args *args);
int ccnc_cli_vf(struct cli *cli, const struct cli_args *args);
int ccnc_cli_pool(struct cli *cli, const struct cli_args *args);
int ccnc_cli_bandwidth(struct cli *cli, const struct cli_args *args);

/* "ccnc CMD: MESSAGE", the command's usage and where its help is, on
 * stderr; returns CCNC_EXIT_USAGE. */
int ccnc_cli_usage_error(const struct cli_args *args, const char *fmt, ...) CCNC_PRINTF(2, 3);
/* The command's usage lines ("Usage: ccnc CMD ...") on f. */
void ccnc_cli_print_usage(const struct cli_command *cmd, FILE *f);
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
