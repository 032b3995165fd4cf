#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell completions the build made from the command table: bash's run
# as bash runs it (COMP_WORDS and COMP_CWORD set, its function called), for
# the commands, each command's options as its --help lists them, and the
# lab's VMs, hosts and pools, which ccnc itself reads from the config
# named on the line (never the shell).  zsh's is run through a
# pseudo-terminal when zsh is installed; else it is only read.
set -u
. "${abs_top_srcdir:-.}/tests/cli/lib.sh"
ccnc=$top_builddir/ccnc
bashcomp=$top_builddir/completions/ccnc
zshcomp=$top_builddir/completions/_ccnc
ex=$top_srcdir/docs/examples/lab.conf

command -v bash >/dev/null || { echo "SKIP: bash is not installed"; exit 77; }
for f in "$bashcomp" "$zshcomp"; do
    [ -s "$f" ] || { echo "FAIL: $f was not made"; exit 1; }
done
export XDG_CONFIG_HOME="$tmp/xdg" HOME="$tmp/home"
mkdir -p "$HOME"

# bash_complete WORD...: the candidates for the last word, sorted, a line each
bash_complete() {
    bash -c '
        comp=$1; shift
        source "$comp"
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _ccnc
        printf "%s\n" "${COMPREPLY[@]}"' bash "$bashcomp" "$@" 2>"$tmp/bash.err" | sort
}

# expect_words WANT WORD...: the candidates are exactly WANT (space-separated)
expect_words() {
    want=$(printf '%s\n' $1 | sort)
    shift
    got=$(bash_complete "$@")
    if [ "$got" = "$want" ]; then ok; else
        fail "completing '$*': got '$(echo $got)', want '$(echo $want)'"
        sed 's/^/  | /' "$tmp/bash.err"
    fi
}

# expect_has WORDS WORD...: the candidates include every one of WORDS
expect_has() {
    want=$1
    shift
    got=$(bash_complete "$@")
    for w in $want; do
        if echo "$got" | grep -qxF -- "$w"; then ok; else
            fail "completing '$*' does not offer '$w': $(echo $got)"
        fi
    done
}

# expect_lacks WORDS WORD...: the candidates include none of WORDS
expect_lacks() {
    want=$1
    shift
    got=$(bash_complete "$@")
    for w in $want; do
        if echo "$got" | grep -qxF -- "$w"; then fail "completing '$*' offers '$w'"; else ok; fi
    done
}

# bash knows the function for ccnc
if bash -c 'source "$1"; complete -p ccnc' bash "$bashcomp" | grep -qx 'complete -F _ccnc ccnc'; then ok; else
    fail "complete -p ccnc: $(bash -c 'source "$1"; complete -p ccnc' bash "$bashcomp" 2>&1)"
fi

# The commands: the ones --help lists, no more, no fewer.
cmds=$("$ccnc" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] && ok || fail "no commands in ccnc --help"
expect_words "$cmds" "$ccnc" ''
expect_words "$cmds" "$ccnc" --offline -c "$ex" ''
expect_words 'migrate' "$ccnc" mi
expect_words 'resume report' "$ccnc" re
expect_words "$cmds" "$ccnc" help ''
expect_words 'vf' "$ccnc" help v

# Each command's options are the long ones its --help lists (an option
# taking an argument as --name=), and the global ones after the command.
for c in $cmds; do
    opts=$("$ccnc" "$c" --help | sed -n '/^Options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]*(=[A-Z]+)?' |
        sed 's/=[A-Z]*$/=/')
    [ -n "$opts" ] || fail "no options in ccnc $c --help"
    expect_has "$opts --offline --config= --verbose" "$ccnc" "$c" --
done
expect_has '--to= --dry-run --json' "$ccnc" migrate vm1 --
expect_lacks '--parallel= --numvfs= --wait= --complete= --completion=' "$ccnc" migrate vm1 --
expect_words '--parallel= --present' "$ccnc" evacuate sys1 --p
expect_words '--seconds= --speed=' "$ccnc" bandwidth --s
# before the command, only the global options
expect_has '--offline --config= --verbose --help --version' "$ccnc" --
expect_lacks '--to= --json --dry-run' "$ccnc" --
# after '--', no option is offered
expect_lacks '--json' "$ccnc" inspect -- --j

# VM, host and pool names from the lab config: ccnc reads them (offline).
# Without -c, the built-in lab in a box (no config at the default path).
expect_words 'vm1' "$ccnc" migrate ''
expect_words 'sys1 sys2 nfs' "$ccnc" evacuate ''
# -c FILE before the command, after it, as --config=FILE, and as bash
# splits --config=FILE (at '='), and ~/ in it
expect_words 'video1 video2' "$ccnc" -c "$ex" migrate ''
expect_words 'video1 video2' "$ccnc" migrate -c "$ex" ''
expect_words 'video1 video2' "$ccnc" --config="$ex" detach ''
expect_words 'video1 video2' "$ccnc" --config = "$ex" assign ''
expect_words 'video1 video2' "$ccnc" --offline bandwidth --json -c "$ex" v
cp "$ex" "$HOME/lab.conf"
expect_words 'video1 video2' "$ccnc" -c '~/lab.conf' abort ''
expect_words 'video1 video2' "$ccnc" -c "'$ex'" resume vid
# the default config, when there is one
mkdir -p "$XDG_CONFIG_HOME/ccnc"
cp "$ex" "$XDG_CONFIG_HOME/ccnc/lab.conf"
expect_words 'video1 video2' "$ccnc" migrate ''
rm "$XDG_CONFIG_HOME/ccnc/lab.conf"
# an option's argument: --to HOST, --to=HOST (bash splits at '=')
expect_words 'sys1 sys2 nfs auto' "$ccnc" -c "$ex" migrate video1 --to ''
expect_words 'sys1 sys2' "$ccnc" -c "$ex" migrate video1 --to = s
expect_words 'sys1 sys2 nfs auto' "$ccnc" -c "$ex" migrate video1 --to = ''
expect_words 'auto' "$ccnc" -c "$ex" evacuate sys1 --to a
expect_words '' "$ccnc" -c "$ex" evacuate sys1 --parallel ''
# pools, the words of a pool command, the VF settings
expect_words 'tengig' "$ccnc" -c "$ex" pool ''
expect_words 'reserve release' "$ccnc" -c "$ex" pool tengig ''
expect_words 'sys1 sys2 nfs' "$ccnc" -c "$ex" pool tengig reserve ''
expect_words 'video1 video2' "$ccnc" -c "$ex" pool tengig reserve sys2 ''
expect_words 'sys1 sys2 nfs' "$ccnc" -c "$ex" vf ''
expect_words '' "$ccnc" -c "$ex" vf sys1 ''
expect_words 'mac= vlan= qos= rate= min_tx_rate= spoofchk= trust= state=' "$ccnc" vf sys1 eth1 0 ''
expect_words 'spoofchk= state=' "$ccnc" vf sys1 eth1 0 mac=52:54:00:00:00:01 s
# files: inspect, report, -c, --replay
mkdir "$tmp/files"
: >"$tmp/files/a.xml"
: >"$tmp/files/b.jsonl"
expect_words "$tmp/files/a.xml" "$ccnc" inspect "$tmp/files/a"
expect_words "$tmp/files/a.xml $tmp/files/b.jsonl" "$ccnc" report "$tmp/files/b.jsonl" "$tmp/files/"
expect_words "$tmp/files/b.jsonl" "$ccnc" -c "$tmp/files/b"
expect_words "$tmp/files/b.jsonl" "$ccnc" --replay = "$tmp/files/b"
expect_has "$tmp/files" "$ccnc" -c "$ex" resume "$tmp/"

# The config is read by ccnc only, never evaluated by the shell: a -c
# word that would run a command if evaluated runs nothing.
expect_words '' "$ccnc" -c "\$(touch $tmp/pwned)" migrate ''
expect_words '' "$ccnc" -c "\`touch $tmp/pwned\`" migrate ''
printf '[host a]\naddress = $(touch %s/pwned)\nuser = u\nrole = hypervisor\n' "$tmp" >"$tmp/evil.conf"
expect_words '' "$ccnc" -c "$tmp/evil.conf" migrate ''
[ ! -e "$tmp/pwned" ] && ok || fail "completing ran a command from the line or the config"
# what the completion asks ccnc for, directly
expect_out() { # WANT CMD...
    want=$1
    shift
    got=$("$@" 2>&1 | tr '\n' ' ')
    [ "$got" = "$want" ] && ok || fail "$*: got '$got', want '$want'"
}
expect_out 'video1 video2 ' "$ccnc" -c "$ex" --complete=vms
expect_out 'sys1 sys2 nfs ' "$ccnc" --complete=hosts -c "$ex"
expect_out 'tengig ' "$ccnc" -c "$ex" --complete pools
expect_out "$(echo $cmds) " "$ccnc" --complete=commands
"$ccnc" --complete=frobs >/dev/null 2>&1
[ $? = 2 ] && ok || fail "--complete=frobs does not exit 2"
"$ccnc" --completion=fish >/dev/null 2>&1
[ $? = 2 ] && ok || fail "--completion=fish does not exit 2"
# the built scripts are what ccnc makes now
LC_ALL=C "$ccnc" --completion=bash | cmp -s - "$bashcomp" && ok || fail "$bashcomp is not ccnc --completion=bash"
LC_ALL=C "$ccnc" --completion=zsh | cmp -s - "$zshcomp" && ok || fail "$zshcomp is not ccnc --completion=zsh"

# zsh: the script names every command, and every option of each command's
# --help; when zsh is here, it parses, and completes as bash does.
head -n 1 "$zshcomp" | grep -qx '#compdef ccnc' && ok || fail "_ccnc does not start with #compdef ccnc"
for c in $cmds; do
    if grep -q "^    '$c:" "$zshcomp" && grep -q "^    ($c)\$" "$zshcomp"; then ok; else
        fail "_ccnc does not name the command $c"
    fi
    for o in $("$ccnc" "$c" --help | sed -n '/^Options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]*'); do
        grep -qF -- "$o" "$zshcomp" && ok || fail "_ccnc lacks $o of $c"
    done
done
if ! command -v zsh >/dev/null; then
    echo "zsh is not installed: _ccnc was only read, not run"
else
    zsh -n "$zshcomp" && ok || fail "zsh cannot parse _ccnc"
    mkdir "$tmp/fpath"
    cp "$zshcomp" "$tmp/fpath/_ccnc"
    zsh_complete() { # LINE: the candidates at its end
        timeout 60 zsh -f "$top_srcdir/tests/cli/zsh-complete.zsh" "$tmp/fpath" "$1"
    }
    zsh_complete "$ccnc mig" >"$tmp/zsh.out"
    rc=$?
    if [ "$rc" = 77 ]; then
        echo "zsh has no zpty module: _ccnc was parsed, not run"
    else
        expect_zsh() { # WANT LINE
            got=$(zsh_complete "$2" | tr '\n' ' ')
            want=$(printf '%s\n' $1 | sort | tr '\n' ' ')
            [ "$got" = "$want" ] && ok || fail "zsh completing '$2': got '$got', want '$want'"
        }
        expect_zsh 'migrate' "$ccnc mig"
        expect_zsh "$cmds" "$ccnc "
        expect_zsh 'vm1' "$ccnc migrate "
        expect_zsh 'video1 video2' "$ccnc -c $ex detach "
        expect_zsh 'video1 video2' "$ccnc detach --json -c $ex "
        expect_zsh 'video1 video2' "$ccnc --config=$ex abort v"
        expect_zsh 'sys1 sys2' "$ccnc -c $ex migrate video1 --to=s"
        expect_zsh 'tengig' "$ccnc -c $ex pool "
        expect_zsh 'release reserve' "$ccnc -c $ex pool tengig "
        expect_zsh 'mac= vlan= qos= rate= min_tx_rate= spoofchk= trust= state=' "$ccnc vf sys1 eth1 0 "
        zsh_complete "$ccnc migrate --" >"$tmp/zsh.out"
        for o in --to --dry-run --json --offline --config; do
            grep -qx -- "$o" "$tmp/zsh.out" && ok || fail "zsh: 'ccnc migrate --' does not offer $o"
        done
        zsh_complete "$ccnc -c \$(touch $tmp/pwned) migrate " >/dev/null
        [ ! -e "$tmp/pwned" ] && ok || fail "zsh: completing ran a command from the line"
    fi
fi

finish
