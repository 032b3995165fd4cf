/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shell completions made from the command table, so that they say what
 * --help says: `ccnc --completion=bash|zsh` prints the script (the build
 * makes both), and the scripts ask `ccnc [-c FILE] --complete=vms|hosts|
 * pools` for the lab's names: read by ccnc's own config reader, offline;
 * the shell never reads or evaluates the config. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/vf.h>

#include "cli/cli.h"
#include "core/i18n.h"

/* --- names from the lab -------------------------------------------------------- */

static int
print_names(struct cli *cli, const char *what)
{
    const struct ccnc_lab *lab;

    if (strcmp(what, "commands") == 0) {
        size_t n;
        const struct cli_command *cmds = ccnc_cli_commands(&n);
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf("%s\n", cmds[i].name);
        return CCNC_EXIT_OK;
    }
    if (strcmp(what, "vms") != 0 && strcmp(what, "hosts") != 0 && strcmp(what, "pools") != 0) {
        ccnc_cli_fprintf(stderr, _("%s: --complete takes commands, vms, hosts or pools, not "
                                   "'%s'\n"), PACKAGE, what);
        return CCNC_EXIT_USAGE;
    }
    /* the config only: no engine, no host contacted */
    if (ccnc_cli_load_lab(cli) < 0)
        return CCNC_EXIT_USAGE;
    lab = cli->lab;
    if (strcmp(what, "vms") == 0)
        for (size_t i = 0; i < lab->n_vms; i++)
            ccnc_cli_printf("%s\n", lab->vms[i].name);
    else if (strcmp(what, "hosts") == 0)
        for (size_t i = 0; i < lab->n_hosts; i++)
            ccnc_cli_printf("%s\n", lab->hosts[i].name);
    else
        for (size_t i = 0; i < lab->n_pools; i++)
            ccnc_cli_printf("%s\n", lab->pools[i].name);
    return fflush(stdout) == 0 ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
}

/* --- the scripts' data, from the tables ------------------------------------------- */

static size_t
n_options(const struct cli_command *cmd)
{
    size_t n = 0;

    while (n < CLI_MAX_OPTIONS && cmd->options[n].name)
        n++;
    return n;
}

/* text inside '...' of a shell script */
static void
put_single_quoted(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            ccnc_cli_fputs("'\\''", stdout);
        else
            ccnc_cli_printf("%c", *p);
    }
}

/* the options of a list as bash completes them: --name, --name= when it
 * takes an argument, and -c */
static void
bash_option_words(const struct cli_option *opts, size_t n)
{
    const char *sep = "";

    for (size_t i = 0; i < n; i++) {
        if (!opts[i].help)
            continue;   /* hidden */
        if (opts[i].short_name)
            ccnc_cli_printf("%s-%c", sep, opts[i].short_name);
        ccnc_cli_printf("%s--%s%s", opts[i].short_name ? " " : sep, opts[i].name,
                        opts[i].arg ? "=" : "");
        sep = " ";
    }
}

static const char bash_logic[] =
    "# A word as the shell would read it, for running: one pair of quotes and\n"
    "# a leading ~/ taken off; never evaluated.\n"
    "_ccnc_word() {\n"
    "    local w=$1\n"
    "    case $w in\n"
    "    \\\"*\\\" | \\'*\\') w=${w:1:${#w}-2} ;;\n"
    "    esac\n"
    "    case $w in\n"
    "    \\~/*) w=$HOME/${w#\\~/} ;;\n"
    "    esac\n"
    "    printf '%s\\n' \"$w\"\n"
    "}\n"
    "\n"
    "# The lab's names of a kind (vms, hosts, pools), as ccnc itself reads them\n"
    "# from the config named on the line (offline: no host is contacted).\n"
    "_ccnc_names() { # KIND CONFIG\n"
    "    local prog cfg\n"
    "    prog=$(_ccnc_word \"${COMP_WORDS[0]}\")\n"
    "    if [[ -n $2 ]]; then\n"
    "        cfg=$(_ccnc_word \"$2\")\n"
    "        \"$prog\" -c \"$cfg\" --complete=\"$1\" 2>/dev/null\n"
    "    else\n"
    "        \"$prog\" --complete=\"$1\" 2>/dev/null\n"
    "    fi\n"
    "}\n"
    "\n"
    "# Candidates for a word of KIND (alternatives split by |): names, words,\n"
    "# files.\n"
    "_ccnc_kind() { # KIND CURRENT CONFIG\n"
    "    local alt words= files= nospace=\n"
    "    for alt in ${1//|/ }; do\n"
    "        case $alt in\n"
    "        VM) words+=\" $(_ccnc_names vms \"$3\")\" ;;\n"
    "        HOST) words+=\" $(_ccnc_names hosts \"$3\")\" ;;\n"
    "        POOL) words+=\" $(_ccnc_names pools \"$3\")\" ;;\n"
    "        COMMAND) words+=\" $_ccnc_commands\" ;;\n"
    "        KEY=VALUE*) words+=\" $_ccnc_vf_keys\"; nospace=1 ;;\n"
    "        FILE* | RUN*) files=1 ;;\n"
    "        [a-z]*) words+=\" $alt\" ;;\n"
    "        esac\n"
    "    done\n"
    "    mapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$2\")\n"
    "    if [[ -n $files ]]; then\n"
    "        compopt -o filenames 2>/dev/null\n"
    "        mapfile -t -O \"${#COMPREPLY[@]}\" COMPREPLY < <(compgen -f -- \"$2\")\n"
    "    fi\n"
    "    if [[ -n $nospace ]]; then\n"
    "        compopt -o nospace 2>/dev/null\n"
    "    fi\n"
    "}\n"
    "\n"
    "_ccnc() {\n"
    "    local i w cur opt kind want= cmd= cfg= n=0 dashes=\n"
    "    local -a ws=()\n"
    "    COMPREPLY=()\n"
    "    # the words up to the cursor, with --opt = value (split by bash at\n"
    "    # COMP_WORDBREAKS) joined again\n"
    "    for ((i = 1; i <= COMP_CWORD; i++)); do\n"
    "        w=${COMP_WORDS[i]}\n"
    "        if [[ $w == = && ${#ws[@]} -gt 0 && ${ws[-1]} == --* && ${ws[-1]} != *=* ]]; then\n"
    "            ws[-1]+==\n"
    "        elif [[ ${#ws[@]} -gt 0 && ${ws[-1]} == --*= && ${COMP_WORDS[i-1]} == = ]]; then\n"
    "            ws[-1]+=$w\n"
    "        else\n"
    "            ws+=(\"$w\")\n"
    "        fi\n"
    "    done\n"
    "    cur=${ws[-1]}\n"
    "    unset 'ws[-1]'\n"
    "    # what the words before say: the command, the config, how many\n"
    "    # arguments, and whether the current word is an option's argument\n"
    "    for w in \"${ws[@]}\"; do\n"
    "        if [[ -n $want ]]; then\n"
    "            [[ $opt == -c || $opt == --config ]] && cfg=$w\n"
    "            want=\n"
    "        elif [[ -z $dashes && $w == -- ]]; then\n"
    "            dashes=1\n"
    "        elif [[ -z $dashes && $w == --config=* ]]; then\n"
    "            cfg=${w#--config=}\n"
    "        elif [[ -z $dashes && $w == -c?* ]]; then\n"
    "            cfg=${w#-c}\n"
    "        elif [[ -z $dashes && $w == -?* ]]; then\n"
    "            opt=$w\n"
    "            [[ $w == --*=* ]] || want=$(_ccnc_argument \"$cmd\" \"$w\")\n"
    "        elif [[ -z $cmd ]]; then\n"
    "            cmd=$w\n"
    "        else\n"
    "            n=$((n + 1))\n"
    "        fi\n"
    "    done\n"
    "    if [[ -n $want ]]; then\n"
    "        _ccnc_kind \"$want\" \"$cur\" \"$cfg\"\n"
    "    elif [[ -z $dashes && $cur == --*=* ]]; then\n"
    "        kind=$(_ccnc_argument \"$cmd\" \"${cur%%=*}\")\n"
    "        [[ -n $kind ]] && _ccnc_kind \"$kind\" \"${cur#*=}\" \"$cfg\"\n"
    "    elif [[ -z $dashes && $cur == -* ]]; then\n"
    "        mapfile -t COMPREPLY < <(compgen -W \"$(_ccnc_options \"$cmd\")\" -- \"$cur\")\n"
    "        [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null\n"
    "    elif [[ -z $cmd ]]; then\n"
    "        mapfile -t COMPREPLY < <(compgen -W \"$_ccnc_commands\" -- \"$cur\")\n"
    "    else\n"
    "        kind=$(_ccnc_positional \"$cmd\" \"$n\")\n"
    "        [[ -n $kind ]] && _ccnc_kind \"$kind\" \"$cur\" \"$cfg\"\n"
    "    fi\n"
    "    return 0\n"
    "}\n"
    "complete -F _ccnc ccnc\n";

static int
bash_script(void)
{
    size_t n_cmds, n_glob;
    const struct cli_command *cmds = ccnc_cli_commands(&n_cmds);
    const struct cli_option *glob = ccnc_cli_global_options(&n_glob);

    ccnc_cli_fputs("# bash completion for ccnc                                 -*- shell-script -*-\n"
                   "# SPDX-License-Identifier: GPL-2.0-or-later\n"
                   "# Made by 'ccnc --completion=bash' from ccnc's command table (src/cli/cli.c):\n"
                   "# change that, not this file.\n\n",
                   stdout);
    ccnc_cli_fputs("_ccnc_commands='", stdout);
    for (size_t i = 0; i < n_cmds; i++)
        ccnc_cli_printf("%s%s", i ? " " : "", cmds[i].name);
    ccnc_cli_fputs("'\n_ccnc_vf_keys='", stdout);
    for (size_t i = 0; ccnc_vf_change_keys[i]; i++)
        ccnc_cli_printf("%s%s=", i ? " " : "", ccnc_vf_change_keys[i]);
    ccnc_cli_fputs("'\n\n", stdout);

    /* the options: the command's, then the global ones */
    ccnc_cli_fputs("_ccnc_options() { # COMMAND\n    case $1 in\n", stdout);
    for (size_t i = 0; i < n_cmds; i++) {
        if (n_options(&cmds[i]) == 0)
            continue;
        ccnc_cli_printf("    %s) echo '", cmds[i].name);
        bash_option_words(cmds[i].options, n_options(&cmds[i]));
        ccnc_cli_fputs("' ;;\n", stdout);
    }
    ccnc_cli_fputs("    esac\n    echo '", stdout);
    bash_option_words(glob, n_glob);
    ccnc_cli_fputs("'\n}\n\n", stdout);

    /* what an option's argument is */
    ccnc_cli_fputs("_ccnc_argument() { # COMMAND OPTION\n    case $2 in\n", stdout);
    for (size_t i = 0; i < n_glob; i++) {
        if (!glob[i].arg || !glob[i].help)
            continue;
        if (glob[i].short_name)
            ccnc_cli_printf("    -%c | --%s) echo %s; return ;;\n", glob[i].short_name,
                            glob[i].name, glob[i].arg);
        else
            ccnc_cli_printf("    --%s) echo %s; return ;;\n", glob[i].name, glob[i].arg);
    }
    ccnc_cli_fputs("    esac\n    case $1:$2 in\n", stdout);
    for (size_t i = 0; i < n_cmds; i++)
        for (size_t k = 0; k < n_options(&cmds[i]); k++)
            if (cmds[i].options[k].arg)
                ccnc_cli_printf("    %s:--%s) echo '%s' ;;\n", cmds[i].name,
                                cmds[i].options[k].name, cmds[i].options[k].arg);
    ccnc_cli_fputs("    esac\n}\n\n", stdout);

    /* what each positional argument is */
    ccnc_cli_fputs("_ccnc_positional() { # COMMAND N (from 0)\n"
                   "    local -a kinds\n    case $1 in\n",
                   stdout);
    for (size_t i = 0; i < n_cmds; i++) {
        if (!*cmds[i].args)
            continue;
        ccnc_cli_printf("    %s) kinds=(", cmds[i].name);
        for (const char *p = cmds[i].args; *p;) {
            size_t len = strcspn(p, " ");
            ccnc_cli_fputs("'", stdout);
            ccnc_cli_printf("%.*s", (int)len, p);
            ccnc_cli_fputs("'", stdout);
            p += len;
            while (*p == ' ')
                p++;
            if (*p)
                ccnc_cli_fputs(" ", stdout);
        }
        ccnc_cli_fputs(") ;;\n", stdout);
    }
    ccnc_cli_fputs("    *) return ;;\n    esac\n"
                   "    if (($2 < ${#kinds[@]})); then\n"
                   "        echo \"${kinds[$2]%...}\"\n"
                   "    elif [[ ${kinds[-1]} == *... ]]; then\n"
                   "        echo \"${kinds[-1]%...}\"\n"
                   "    fi\n}\n\n",
                   stdout);
    ccnc_cli_fputs(bash_logic, stdout);
    return fflush(stdout) == 0 ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
}

/* --- zsh ---------------------------------------------------------------------------- */

/* A description inside _arguments' [...] (and the script's '...'). */
static void
zsh_desc(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '[' || *p == ']' || *p == ':' || *p == '\\')
            ccnc_cli_printf("\\%c", *p);
        else if (*p == '\'')
            ccnc_cli_fputs("'\\''", stdout);
        else
            ccnc_cli_printf("%c", *p);
    }
}

/* The action that completes a word of kind (alternatives by |).  Ours
 * start with a space: _arguments then calls them as they are, without
 * compadd options of its own. */
static void
zsh_action(const char *kind, size_t len)
{
    char *k = ccnc_xstrndup(kind, len);
    size_t dots = len >= 3 && strcmp(k + len - 3, "...") == 0 ? 3 : 0;
    char *alts = ccnc_xstrndup(k, len - dots);
    size_t n_alts = 1;

    for (const char *p = alts; *p; p++)
        n_alts += *p == '|';
    /* a kind of names and words (HOST|auto): the names and the words in
     * one list (_alternative does not complete an option's --opt=value) */
    if (n_alts > 1) {
        const char *names = NULL;
        bool words_only = true;
        char *copy = ccnc_xstrdup(alts);
        for (char *save = NULL, *a = strtok_r(copy, "|", &save); a; a = strtok_r(NULL, "|", &save)) {
            if (!names && (strcmp(a, "VM") == 0 || strcmp(a, "HOST") == 0 || strcmp(a, "POOL") == 0))
                names = strcmp(a, "VM") == 0 ? "vms" : strcmp(a, "HOST") == 0 ? "hosts" : "pools";
            else if (!(a[0] >= 'a' && a[0] <= 'z'))
                words_only = false;
        }
        free(copy);
        if (names && words_only) {
            ccnc_cli_printf(" _ccnc_names %s", names);
            copy = ccnc_xstrdup(alts);
            for (char *save = NULL, *a = strtok_r(copy, "|", &save); a;
                 a = strtok_r(NULL, "|", &save))
                if (a[0] >= 'a' && a[0] <= 'z')
                    ccnc_cli_printf(" %s", a);
            free(copy);
            free(alts);
            free(k);
            return;
        }
    }
    if (n_alts > 1)
        ccnc_cli_fputs("_alternative", stdout);
    for (char *save = NULL, *a = strtok_r(alts, "|", &save); a; a = strtok_r(NULL, "|", &save)) {
        const char *action = strcmp(a, "VM") == 0          ? " _ccnc_names vms"
                             : strcmp(a, "HOST") == 0      ? " _ccnc_names hosts"
                             : strcmp(a, "POOL") == 0      ? " _ccnc_names pools"
                             : strcmp(a, "COMMAND") == 0   ? " _ccnc_commands"
                             : strcmp(a, "KEY=VALUE") == 0 ? " _ccnc_vf_keys"
                             : strcmp(a, "FILE") == 0 || strcmp(a, "RUN") == 0 ? "_files"
                                                                                 : NULL;
        char *word = NULL;
        if (!action && a[0] >= 'a' && a[0] <= 'z')
            action = word = ccnc_xasprintf("(%s)", a);
        if (n_alts > 1)
            ccnc_cli_printf(" \"%s:%s:%s\"", a, a, action ? action : " ");
        else
            ccnc_cli_fputs(action ? action : " ", stdout);
        free(word);
    }
    free(alts);
    free(k);
}

/* _arguments' specs of the options, a line each ending with end. */
static void
zsh_option_specs(const struct cli_option *opts, size_t n, const char *indent, const char *end)
{
    for (size_t i = 0; i < n; i++) {
        const struct cli_option *o = &opts[i];
        bool exits = strcmp(o->name, "help") == 0 || strcmp(o->name, "version") == 0;
        bool many = strcmp(o->name, "verbose") == 0;
        if (!o->help)
            continue;
        ccnc_cli_fputs(indent, stdout);
        if (o->short_name && (exits || many))
            ccnc_cli_printf("'%s'{-%c%s,--%s%s}'", exits ? "(- *)" : "*", o->short_name,
                            o->arg ? "+" : "", o->name, o->arg ? "=" : "");
        else if (o->short_name)
            ccnc_cli_printf("'(-%c --%s)'{-%c%s,--%s%s}'", o->short_name, o->name, o->short_name,
                            o->arg ? "+" : "", o->name, o->arg ? "=" : "");
        else
            ccnc_cli_printf("'%s--%s%s", exits ? "(- *)" : "", o->name, o->arg ? "=" : "");
        ccnc_cli_fputs("[", stdout);
        zsh_desc(_(o->help));
        ccnc_cli_fputs("]", stdout);
        if (o->arg) {
            ccnc_cli_printf(":%s:", o->arg);
            zsh_action(o->arg, strlen(o->arg));
        }
        ccnc_cli_printf("'%s\n", end);
    }
}

static const char zsh_names[] =
    "# The lab's names of a kind (vms, hosts, pools), as ccnc itself reads them\n"
    "# from the config named on the line (offline: no host is contacted), and\n"
    "# the words after KIND; the words are only unquoted, never evaluated.\n"
    "_ccnc_names() {\n"
    "  local -a cfg names expl\n"
    "  local i w prog=${(Q)_ccnc_line[1]}\n"
    "  for (( i = 2; i < $#_ccnc_line; i++ )); do\n"
    "    w=$_ccnc_line[i]\n"
    "    case $w in\n"
    "      (-c|--config) cfg=(-c \"${(Q)_ccnc_line[i+1]}\") ;;\n"
    "      (--config=*) cfg=(-c \"${(Q)w#--config=}\") ;;\n"
    "      (-c?*) cfg=(-c \"${(Q)w#-c}\") ;;\n"
    "    esac\n"
    "  done\n"
    "  [[ $prog == '~/'* ]] && prog=$HOME/${prog#\\~/}\n"
    "  [[ $cfg[2] == '~/'* ]] && cfg[2]=$HOME/${cfg[2]#\\~/}\n"
    "  names=(${(f)\"$(\"$prog\" $cfg --complete=$1 2>/dev/null)\"} ${@[2,-1]})\n"
    "  _wanted $1 expl $1 compadd -a names\n"
    "}\n"
    "\n"
    "_ccnc_vf_keys() {\n"
    "  local expl\n"
    "  _wanted keys expl 'VF setting' compadd -S '' -- $_ccnc_vf_keys\n"
    "}\n\n";

static int
zsh_script(void)
{
    size_t n_cmds, n_glob;
    const struct cli_command *cmds = ccnc_cli_commands(&n_cmds);
    const struct cli_option *glob = ccnc_cli_global_options(&n_glob);

    ccnc_cli_fputs("#compdef ccnc\n"
                   "# zsh completion for ccnc\n"
                   "# SPDX-License-Identifier: GPL-2.0-or-later\n"
                   "# Made by 'ccnc --completion=zsh' from ccnc's command table (src/cli/cli.c):\n"
                   "# change that, not this file.\n\n",
                   stdout);
    ccnc_cli_fputs("_ccnc_vf_keys=(", stdout);
    for (size_t i = 0; ccnc_vf_change_keys[i]; i++)
        ccnc_cli_printf("%s%s=", i ? " " : "", ccnc_vf_change_keys[i]);
    ccnc_cli_fputs(")\n\n", stdout);
    ccnc_cli_fputs("_ccnc_commands() {\n  local -a cmds=(\n", stdout);
    for (size_t i = 0; i < n_cmds; i++) {
        ccnc_cli_printf("    '%s:", cmds[i].name);
        put_single_quoted(_(cmds[i].summary));
        ccnc_cli_fputs("'\n", stdout);
    }
    ccnc_cli_fputs("  )\n  _describe -t commands 'ccnc command' cmds\n}\n\n", stdout);
    ccnc_cli_fputs(zsh_names, stdout);

    ccnc_cli_fputs("_ccnc() {\n"
                   "  local curcontext=$curcontext state state_descr line ret=1\n"
                   "  local -a _ccnc_line=(\"${words[@]}\")\n"
                   "  local -a global=(\n",
                   stdout);
    zsh_option_specs(glob, n_glob, "    ", "");
    ccnc_cli_fputs("  )\n"
                   "  _arguments -C -S $global '(-): :->command' '(-)*:: :->args' && ret=0\n"
                   "  case $state in\n"
                   "  (command) _ccnc_commands && ret=0 ;;\n"
                   "  (args)\n"
                   "    curcontext=${curcontext%:*:*}:ccnc-$words[1]:\n"
                   "    case $words[1] in\n",
                   stdout);
    for (size_t i = 0; i < n_cmds; i++) {
        int pos = 0;
        ccnc_cli_printf("    (%s)\n      _arguments -S $global \\\n", cmds[i].name);
        zsh_option_specs(cmds[i].options, n_options(&cmds[i]), "        ", " \\");
        for (const char *p = cmds[i].args; *p;) {
            size_t len = strcspn(p, " ");
            bool more = len >= 3 && strncmp(p + len - 3, "...", 3) == 0;
            if (more)
                ccnc_cli_printf("        '*:%.*s:", (int)(len - 3), p);
            else
                ccnc_cli_printf("        '%d:%.*s:", ++pos, (int)len, p);
            zsh_action(p, len);
            ccnc_cli_fputs("' \\\n", stdout);
            p += len;
            while (*p == ' ')
                p++;
        }
        ccnc_cli_fputs("        && ret=0 ;;\n", stdout);
    }
    ccnc_cli_fputs("    esac ;;\n"
                   "  esac\n"
                   "  return ret\n"
                   "}\n\n"
                   "_ccnc \"$@\"\n",
                   stdout);
    return fflush(stdout) == 0 ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
}

int
ccnc_cli_complete(struct cli *cli)
{
    if (cli->completion && strcmp(cli->completion, "bash") == 0)
        return bash_script();
    if (cli->completion && strcmp(cli->completion, "zsh") == 0)
        return zsh_script();
    if (cli->completion) {
        ccnc_cli_fprintf(stderr, _("%s: --completion takes bash or zsh, not '%s'\n"), PACKAGE,
                         cli->completion);
        return CCNC_EXIT_USAGE;
    }
    return print_names(cli, cli->complete);
}
