#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc --help and each command's --help against ccnc(1): every line fits 80
# columns; every command and every long option they name is in the man
# page (a command's options in that command's own entries, the global ones
# under OPTIONS), and every command the man page describes is in --help.
set -u
. "${abs_top_srcdir:-.}/tests/cli/lib.sh"
ccnc=$top_builddir/ccnc
man=$top_srcdir/docs/ccnc.1

export XDG_CONFIG_HOME="$tmp/xdg" HOME="$tmp/home"

# section NAME: the man page's section NAME as plain text, an entry (.TP)
# a paragraph that starts with "@@ " and its tag; roff's escapes taken off
section() {
    awk -v want=".SH $1" '
        /^\.SH / { on = ($0 == want); next }
        on' "$man" |
        sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em/-/g' -e 's/\\(en/-/g' \
            -e 's/\\&//g' -e 's/\\%//g' -e 's/^\.B[IR]* //' -e 's/^\.I[BR]* //' |
        awk '/^\.TP/ { tag = 1; next } tag { print "@@ " $0; tag = 0; next } { print }'
}
section OPTIONS >"$tmp/options.txt"
section COMMANDS >"$tmp/commands.txt"
[ -s "$tmp/options.txt" ] && [ -s "$tmp/commands.txt" ] && ok ||
    fail "no OPTIONS or COMMANDS section in $man"

# entry CMD: the text of every entry of CMD under COMMANDS
entry() {
    awk -v cmd="$1" '/^@@ / { on = ($2 == cmd) } on' "$tmp/commands.txt"
}

# has TEXTFILE OPTION: the option is there as a whole word
has() {
    grep -qE -- "(^|[^a-z-])$2([^a-z-]|\$)" "$1"
}

"$ccnc" --help >"$tmp/help.txt" || fail "ccnc --help exited $?"
cmds=$(awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }' "$tmp/help.txt")
mancmds=$(awk '/^@@ / { print $2 }' "$tmp/commands.txt" | sort -u)
[ -n "$cmds" ] && [ -n "$mancmds" ] && ok || fail "no commands in --help or in the man page"

# 80 columns: the global help, each command's
fits() { # FILE WHAT
    long=$(awk 'length($0) > 80 { print length($0) ": " $0 }' "$1")
    [ -z "$long" ] && ok || { fail "$2 is wider than 80 columns:"; echo "$long" | sed 's/^/  | /'; }
}
fits "$tmp/help.txt" "ccnc --help"

# The global options of --help, under OPTIONS.
for o in $(sed -n '/^Options:/,/^$/p' "$tmp/help.txt" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    has "$tmp/options.txt" "$o" && ok || fail "ccnc --help has $o; ccnc(1) OPTIONS does not"
done
for o in $(sed -n '/^Options:/,/^$/p' "$tmp/help.txt" | grep -oE -- '(^| )-[a-zA-Z],' | tr -d ' ,'); do
    has "$tmp/options.txt" "$o" && ok || fail "ccnc --help has $o; ccnc(1) OPTIONS does not"
done

# Each command of --help: described in the man page, with each option of
# its own --help; and its --help fits.
for c in $cmds; do
    "$ccnc" "$c" --help >"$tmp/cmd.txt" 2>&1 || fail "ccnc $c --help exited $?"
    fits "$tmp/cmd.txt" "ccnc $c --help"
    entry "$c" >"$tmp/entry.txt"
    if [ ! -s "$tmp/entry.txt" ]; then
        fail "ccnc --help has the command $c; ccnc(1) COMMANDS does not"
        continue
    fi
    ok
    for o in $(sed -n '/^Options:/,/^$/p' "$tmp/cmd.txt" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
        [ "$o" = --help ] && continue
        has "$tmp/entry.txt" "$o" && ok || fail "ccnc $c --help has $o; its entry in ccnc(1) does not"
    done
    # every long option the help text names (its usage lines too) is one the
    # man page knows
    for o in $(grep -oE -- '--[a-z][a-z-]*' "$tmp/cmd.txt" | sort -u); do
        has "$tmp/entry.txt" "$o" || has "$tmp/options.txt" "$o" && ok ||
            fail "ccnc $c --help names $o; ccnc(1) does not"
    done
done

# Each command of the man page is in --help.
for c in $mancmds; do
    echo "$cmds" | grep -qx -- "$c" && ok || fail "ccnc(1) describes the command $c; ccnc --help does not"
done

# Every long option any help names is in the man page at all.
for o in $(grep -ohE -- '--[a-z][a-z-]*' "$tmp/help.txt" | sort -u); do
    has "$tmp/options.txt" "$o" || grep -q -- "$o" "$tmp/commands.txt" && ok ||
        fail "ccnc --help names $o; ccnc(1) does not"
done

# The checker itself: a planted man page without a command or an option
# is caught.
sed -e '/^\.B hosts /,/^\.TP/d' -e 's/^\.BR \\-v ", " \\-\\-verbose$/.B \\-\\-loud/' "$man" >"$tmp/planted.1"
man=$tmp/planted.1
section OPTIONS >"$tmp/options.txt"
section COMMANDS >"$tmp/commands.txt"
entry hosts >"$tmp/entry.txt"
[ ! -s "$tmp/entry.txt" ] && ok || fail "the checker finds hosts in a man page without it"
has "$tmp/options.txt" --verbose && fail "the checker finds --verbose in a man page without it" || ok

finish
