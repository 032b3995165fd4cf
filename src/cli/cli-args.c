/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command lines read with getopt_long from the tables: the global options,
 * then a command's own (the global ones are accepted there too), and the
 * help texts made from the same tables, wrapped to fit 80 columns. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/i18n.h"

/* getopt_long's values: a command's option i is CMD_OPT + i, a global
 * option's CMD_GLOBAL + its index; positional words come as 1. */
enum { CMD_OPT = 0x100, CMD_GLOBAL = 0x200 };

/* The global options, in the order --help lists them. */
enum {
    G_CONFIG, G_OFFLINE, G_VERBOSE, G_ASCII, G_NO_COLOR, G_REPLAY, G_SPEED, G_PRESENT, G_HELP,
    G_VERSION,
    G_COMPLETE, G_COMPLETION, G_LAST
};

static const struct cli_option global_options[G_LAST] = {
    [G_CONFIG] = { "config", 'c', "FILE",
                   N_("lab config (default: $XDG_CONFIG_HOME/ccnc/lab.conf, else the built-in "
                      "lab in a box)") },
    [G_OFFLINE] = { "offline", 0, NULL, N_("contact no host: show the lab as configured") },
    [G_VERBOSE] = { "verbose", 'v', NULL,
                    N_("say on stderr what ccnc reads and connects to (-vv: and each libvirt "
                       "call of an action)") },
    [G_ASCII] = { "ascii", 0, NULL, N_("draw lines with ASCII characters") },
    [G_NO_COLOR] = { "no-color", 0, NULL, N_("no colours (also when NO_COLOR is set)") },
    [G_REPLAY] = { "replay", 0, "RUN", N_("replay a recorded run in the console (a rehearsal)") },
    [G_SPEED] = { "speed", 0, "N", N_("replay N times faster (default 1)") },
    [G_PRESENT] = { "present", 0, NULL,
                    N_("start the console in its presenter layout (a demo: p toggles it)") },
    [G_HELP] = { "help", 'h', NULL, N_("show this help and exit") },
    [G_VERSION] = { "version", 'V', NULL, N_("show the version and exit") },
    /* for the shell completions (cli-complete.c), left out of --help */
    [G_COMPLETE] = { "complete", 0, "WHAT", NULL },
    [G_COMPLETION] = { "completion", 0, "SHELL", NULL },
};

/* Lines are cut before this column. */
#define WIDTH 80

const struct cli_option *
ccnc_cli_global_options(size_t *n)
{
    *n = G_LAST;
    return global_options;
}

static size_t
count_options(const struct cli_command *cmd)
{
    size_t n = 0;

    while (cmd && n < CLI_MAX_OPTIONS && cmd->options[n].name)
        n++;
    return n;
}

static int
option_index(const struct cli_args *args, const char *name)
{
    size_t n = count_options(args->cmd);

    for (size_t i = 0; i < n; i++)
        if (strcmp(args->cmd->options[i].name, name) == 0)
            return (int)i;
    /* a command asking for an option its table entry lacks */
    ccnc_cli_fprintf(stderr, "%s: the command '%s' has no option '--%s'\n", PACKAGE,
                     args->cmd->name, name);
    abort();
}

const char *
ccnc_cli_opt(const struct cli_args *args, const char *name)
{
    return args->value[option_index(args, name)];
}

bool
ccnc_cli_flag(const struct cli_args *args, const char *name)
{
    return ccnc_cli_opt(args, name) != NULL;
}

/* --- help text ------------------------------------------------------------------- */

/* Characters on the screen of a UTF-8 text (every message is one). */
static size_t
columns(const char *s, size_t bytes)
{
    size_t n = 0;

    for (size_t i = 0; i < bytes && s[i]; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

/* text on f, from column at (where the caller left the line), words
 * wrapped before WIDTH, each new line indented to indent; a newline in
 * text breaks the line there. */
static void
put_wrapped(FILE *f, size_t at, size_t indent, const char *text)
{
    const char *p = text;
    bool first = true;
    size_t lead = strspn(p, " ");

    ccnc_cli_fprintf(f, "%*s", (int)lead, "");
    at += lead;
    p += lead;
    while (*p) {
        size_t word = strcspn(p, " \n"), w = columns(p, word);

        if (!first && at + 1 + w >= WIDTH) {
            ccnc_cli_fprintf(f, "\n%*s", (int)indent, "");
            at = indent;
        } else if (!first) {
            ccnc_cli_fputs(" ", f);
            at++;
        }
        ccnc_cli_fprintf(f, "%.*s", (int)word, p);
        at += w;
        first = false;
        p += word;
        while (*p == ' ')
            p++;
        if (*p == '\n') {
            p++;
            ccnc_cli_fputs("\n", f);
            at = 0;
            first = true;
        }
    }
    if (!first || at > 0)
        ccnc_cli_fputs("\n", f);
}

/* "  left   text": text from column col (or, when left is too wide for
 * it, on the next line), wrapped. */
static void
put_item(FILE *f, const char *left, size_t col, const char *text)
{
    size_t w = columns(left, strlen(left));

    if (w >= WIDTH) {
        size_t lead = strspn(left, " ");
        ccnc_cli_fprintf(f, "%*s", (int)lead, "");
        put_wrapped(f, lead, lead + 2, left + lead);
        w = 0;
    } else {
        ccnc_cli_fputs(left, f);
        if (w >= col) {
            ccnc_cli_fputs("\n", f);
            w = 0;
        }
    }
    ccnc_cli_fprintf(f, "%*s", (int)(col - w), "");
    put_wrapped(f, col, col, text);
}

static char *
option_left(const struct cli_option *o)
{
    char *s = ccnc_xasprintf("  %c%c%s--%s%s%s", o->short_name ? '-' : ' ',
                             o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ",
                             o->name, o->arg ? "=" : "", o->arg ? o->arg : "");

    return s;
}

/* The options' lines, their texts lined up after the widest (at most 24). */
static void
put_options(FILE *f, const struct cli_option *opts, size_t n, bool with_help)
{
    static const struct cli_option help = { "help", 'h', NULL, N_("show this help and exit") };
    size_t col = 0;

    for (size_t i = 0; i <= n; i++) {
        const struct cli_option *o = i < n ? &opts[i] : with_help ? &help : NULL;
        char *left;
        if (!o || !o->help)
            continue;
        left = option_left(o);
        if (columns(left, strlen(left)) + 2 > col)
            col = columns(left, strlen(left)) + 2;
        free(left);
    }
    if (col > 24)
        col = 24;
    for (size_t i = 0; i <= n; i++) {
        const struct cli_option *o = i < n ? &opts[i] : with_help ? &help : NULL;
        char *left;
        if (!o || !o->help)
            continue;
        left = option_left(o);
        put_item(f, left, col, _(o->help));
        free(left);
    }
}

void
ccnc_cli_print_usage(const struct cli_command *cmd, FILE *f)
{
    const char *form = cmd->synopsis;

    for (bool first = true;; first = false) {
        const char *bar = strstr(form, " | ");
        size_t len = bar ? (size_t)(bar - form) : strlen(form);
        char *line = ccnc_xasprintf("%s %s%s%.*s", PACKAGE, cmd->name, len ? " " : "", (int)len,
                                    form);
        /* TRANSLATORS: the first form of a command: "Usage: ccnc vf [HOST]" */
        char *text = ccnc_xasprintf(first ? _("Usage: %s") : _("   or: %s"), line);
        put_wrapped(f, 0, 8, text);
        free(text);
        free(line);
        if (!bar)
            break;
        form = bar + 3;
    }
}

/* A command's help: its usage, what it does, its options. */
static void
command_help(const struct cli_command *cmd, FILE *f)
{
    const char *summary = _(cmd->summary);
    char *sentence, *text;

    ccnc_cli_print_usage(cmd, f);
    /* the table's summary as a sentence */
    sentence = ccnc_xasprintf("%s.", summary);
    if (sentence[0] >= 'a' && sentence[0] <= 'z')
        sentence[0] = (char)(sentence[0] - 'a' + 'A');
    put_wrapped(f, 0, 0, sentence);
    free(sentence);
    ccnc_cli_fputs(_("\nOptions:\n"), f);
    put_options(f, cmd->options, count_options(cmd), true);
    ccnc_cli_fputs("\n", f);
    text = ccnc_xasprintf(_("The global options (see '%s --help') may come before or after the "
                            "command.\nAfter '--', every word is an argument, not an option.\n"),
                          PACKAGE);
    put_wrapped(f, 0, 0, text);
    free(text);
    ccnc_cli_fprintf(f, _("See %s(1) for the details.\n"), PACKAGE);
}

void
ccnc_cli_help(FILE *f)
{
    size_t n_cmds;
    const struct cli_command *cmds = ccnc_cli_commands(&n_cmds);
    char *text;

    ccnc_cli_fprintf(f, _("Usage: %s [OPTION]... [COMMAND [ARG]...]\n"), PACKAGE);
    ccnc_cli_fputs(_("The console for a two-host virtualization lab: each VM's NICs, guest bond\n"
                     "and VFs, and live migration with passthrough NICs, shown and measured.\n"),
                   f);
    ccnc_cli_fputs(_("\nOptions:\n"), f);
    put_options(f, global_options, G_LAST, false);
    ccnc_cli_fputs(_("\nCommands:\n"), f);
    for (size_t i = 0; i < n_cmds; i++) {
        char *left = ccnc_xasprintf("  %s%s%s", cmds[i].name, *cmds[i].synopsis ? " " : "",
                                    cmds[i].synopsis);
        put_item(f, left, 25, _(cmds[i].summary));
        free(left);
    }
    ccnc_cli_fputs("\n", f);
    text = ccnc_xasprintf(_("The options may also follow the command.\n'%s help COMMAND' or '%s "
                            "COMMAND --help' shows a command's own options.\n"), PACKAGE, PACKAGE);
    put_wrapped(f, 0, 0, text);
    free(text);
    ccnc_cli_fputs(
        _("\nExit status: 0 success, 1 the command failed, 2 bad usage or lab config.\n"), f);
    ccnc_cli_fprintf(f, _("See ccnc(1) and lab.conf(5).  Report bugs to <%s>.\n"),
                     PACKAGE_BUGREPORT);
}

/* --- errors ----------------------------------------------------------------------- */

static void
put_try(const struct cli_command *cmd)
{
    if (cmd)
        ccnc_cli_fprintf(stderr, _("Try '%s %s --help' for more information.\n"), PACKAGE,
                         cmd->name);
    else
        ccnc_cli_fprintf(stderr, _("Try '%s --help' for more information.\n"), PACKAGE);
}

/* "ccnc[ CMD]: MESSAGE", the command's usage, and where its help is. */
static int
vusage_error(const struct cli_command *cmd, const char *fmt, va_list ap) CCNC_PRINTF(2, 0);

static int
vusage_error(const struct cli_command *cmd, const char *fmt, va_list ap)
{
    char *msg = ccnc_xvasprintf(fmt, ap);

    if (cmd)
        ccnc_cli_fprintf(stderr, "%s %s: %s\n", PACKAGE, cmd->name, msg);
    else
        ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, msg);
    free(msg);
    if (cmd)
        ccnc_cli_print_usage(cmd, stderr);
    put_try(cmd);
    return CCNC_EXIT_USAGE;
}

int
ccnc_cli_usage_error(const struct cli_args *args, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vusage_error(args->cmd, fmt, ap);
    va_end(ap);
    return rc;
}

/* A command line getopt refused, before the command (cmd NULL) or in it. */
static int
option_error(const struct cli_command *cmd, const char *fmt, ...) CCNC_PRINTF(2, 3);

static int
option_error(const struct cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vusage_error(cmd, fmt, ap);
    va_end(ap);
    return rc;
}

/* --- parsing ---------------------------------------------------------------------- */

struct table {
    struct option longs[CLI_MAX_OPTIONS + G_LAST + 1];
    const struct cli_option *of[CLI_MAX_OPTIONS + G_LAST];
    size_t n;
    char shorts[2 + 2 * G_LAST + 1];
};

/* getopt_long's tables for cmd's options (none: NULL) and the global ones;
 * mode is "+" (stop at the first word that is no option) or "-" (every
 * word in order, the positional ones as 1). */
static void
make_table(struct table *t, const struct cli_command *cmd, const char *mode)
{
    size_t n_cmd = count_options(cmd), k = 0;
    char *s = t->shorts;

    /* ':' after the mode: a missing argument is told apart (':') */
    *s++ = mode[0];
    *s++ = ':';
    for (size_t i = 0; i < n_cmd; i++) {
        t->of[k] = &cmd->options[i];
        t->longs[k++] = (struct option){ cmd->options[i].name,
                                         cmd->options[i].arg ? required_argument : no_argument,
                                         NULL, CMD_OPT + (int)i };
    }
    for (size_t i = 0; i < G_LAST; i++) {
        const struct cli_option *o = &global_options[i];
        t->of[k] = o;
        t->longs[k++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
                                         CMD_GLOBAL + (int)i };
        if (o->short_name) {
            *s++ = o->short_name;
            if (o->arg)
                *s++ = ':';
        }
    }
    *s = '\0';
    t->longs[k] = (struct option){ NULL, 0, NULL, 0 };
    t->n = k;
}

/* The option getopt_long returned as val (a short name or CMD_*). */
static const struct cli_option *
option_of(const struct cli_command *cmd, int val)
{
    if (val >= CMD_GLOBAL && val < CMD_GLOBAL + G_LAST)
        return &global_options[val - CMD_GLOBAL];
    if (val >= CMD_OPT && val < CMD_OPT + (int)count_options(cmd))
        return &cmd->options[val - CMD_OPT];
    for (size_t i = 0; i < G_LAST; i++)
        if (global_options[i].short_name && global_options[i].short_name == val)
            return &global_options[i];
    return NULL;
}

/* What getopt_long refused: an unknown option, one that is ambiguous, a
 * flag given a value, a missing argument. */
static int
refused(const struct table *t, const struct cli_command *cmd, int c, char **argv)
{
    const struct cli_option *o = optopt ? option_of(cmd, optopt) : NULL;
    const char *word = argv[optind - 1];

    if (c == ':' && o && optopt == o->short_name)
        return option_error(cmd, _("-%c needs an argument (%s)"), o->short_name, o->arg);
    if (c == ':' && o)
        return option_error(cmd, _("--%s needs an argument (%s)"), o->name, o->arg);
    if (o && !o->arg && optopt != o->short_name)
        return option_error(cmd, _("--%s takes no argument"), o->name);
    if (optopt && !o)
        return option_error(cmd, _("unknown argument '-%c'"), optopt);
    if (strncmp(word, "--", 2) == 0) {
        /* an abbreviation of more than one option */
        size_t len = strcspn(word + 2, "=");
        char *which = NULL;
        size_t matches = 0;
        for (size_t i = 0; i < t->n; i++) {
            if (strncmp(t->longs[i].name, word + 2, len) != 0)
                continue;
            char *more = ccnc_xasprintf("%s%s--%s", which ? which : "", which ? ", " : "",
                                        t->longs[i].name);
            free(which);
            which = more;
            matches++;
        }
        if (matches > 1) {
            int rc = option_error(cmd, _("'%.*s' could be any of %s"), (int)(len + 2), word,
                                  which);
            free(which);
            return rc;
        }
        free(which);
    }
    return option_error(cmd, _("unknown argument '%s'"), word);
}

/* A global option, before or after the command: -1 to go on, else the
 * exit status to end with. */
static int
global_option(struct cli *cli, const struct cli_command *cmd, const struct cli_option *o,
              const char *arg)
{
    switch (o - global_options) {
    case G_CONFIG:
        cli->config = arg;
        break;
    case G_OFFLINE:
        cli->offline = true;
        break;
    case G_VERBOSE:
        cli->verbose++;
        break;
    case G_ASCII:
        cli->ascii = true;
        break;
    case G_NO_COLOR:
        cli->no_color = true;
        break;
    case G_REPLAY:
        cli->replay = arg;
        break;
    case G_PRESENT:
        cli->present = true;
        break;
    case G_SPEED: {
        char *end;
        cli->speed = strtod(arg, &end);
        if (*end || cli->speed <= 0 || cli->speed > 1000) {
            ccnc_cli_fprintf(stderr, _("%s: --speed takes a number from 0.01 to 1000, not '%s'\n"),
                             PACKAGE, arg);
            return CCNC_EXIT_USAGE;
        }
        break;
    }
    case G_HELP:
        if (cmd)
            command_help(cmd, stdout);
        else
            ccnc_cli_help(stdout);
        return fflush(stdout) == 0 ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
    case G_VERSION:
        ccnc_cli_printf("%s %s\n", PACKAGE, PACKAGE_VERSION);
        ccnc_cli_fputs(ccnc_licence_notice(), stdout);
        return CCNC_EXIT_OK;
    case G_COMPLETE:
        cli->complete = arg;
        break;
    case G_COMPLETION:
        cli->completion = arg;
        break;
    }
    return -1;
}

int
ccnc_cli_parse_global(struct cli *cli, int argc, char **argv, int *next)
{
    struct table t;
    int c, rc;

    make_table(&t, NULL, "+");
    opterr = 0;
    optind = 0;   /* glibc: start afresh */
    while ((c = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
        const struct cli_option *o = option_of(NULL, c);
        if (c == '?' || c == ':' || !o)
            return refused(&t, NULL, c, argv);
        if ((rc = global_option(cli, NULL, o, optarg)) >= 0)
            return rc;
    }
    *next = optind;
    return -1;
}

int
ccnc_cli_parse_command(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
                       struct cli_args *args)
{
    struct table t;
    int c, rc;

    memset(args, 0, sizeof(*args));
    args->cmd = cmd;
    args->pos = ccnc_xcalloc((size_t)argc + 1, sizeof(char *));
    if (argc <= 1)
        return -1;
    make_table(&t, cmd, "-");
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
        const struct cli_option *o;
        if (c == 1) {
            args->pos[args->n_pos++] = optarg;
            continue;
        }
        o = option_of(cmd, c);
        if (c == '?' || c == ':' || !o)
            return refused(&t, cmd, c, argv);
        if (c >= CMD_OPT && c < CMD_GLOBAL) {
            args->value[c - CMD_OPT] = o->arg ? optarg : "";
            continue;
        }
        if ((rc = global_option(cli, cmd, o, optarg)) >= 0)
            return rc;
    }
    /* after "--": every word is positional */
    while (optind < argc)
        args->pos[args->n_pos++] = argv[optind++];
    return -1;
}

void
ccnc_cli_args_clear(struct cli_args *args)
{
    free(args->pos);
    args->pos = NULL;
    args->n_pos = 0;
}

int
ccnc_cli_command_help(const struct cli_command *cmd)
{
    command_help(cmd, stdout);
    return fflush(stdout) == 0 ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
}
