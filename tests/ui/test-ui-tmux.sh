#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# End to end: the real console in a detached 80x24 tmux session, driven with
# send-keys and read back with capture-pane.  Uses its own tmux server
# (-L ccnc-test-PID) and kills only that; every wait is bounded.
set -u
top=${abs_top_srcdir:-.}
build=${abs_top_builddir:-.}
ccnc=$build/ccnc
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
[ -x "$ccnc" ] || { echo "SKIP: $ccnc is not built"; exit 77; }

sock=ccnc-test-$$
tmp=$(mktemp -d)
t() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
    t kill-server 2>/dev/null
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"   # tmux 3.3 leaves it
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# a session that keeps the server up between the console's runs, so that a
# new session never races the server's exit after the last one closed
t new-session -d -s keep -x 20 -y 5 "sleep 300" || { echo "SKIP: tmux cannot start a server"; exit 77; }

passes=0 fails=0
screen() { t capture-pane -p -t ccnc 2>/dev/null; }
# wait_for TEXT: up to 5 s for TEXT to be on the screen
wait_for() {
    i=0
    while [ $i -lt 50 ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
check() { # DESCRIPTION TEXT
    if wait_for "$2"; then
        passes=$((passes + 1))
    else
        echo "FAIL: $1: '$2' is not on the screen:"
        screen | sed 's/^/  | /'
        fails=$((fails + 1))
    fi
}
check_absent() { # DESCRIPTION TEXT (after the screen settled)
    sleep 0.3
    if screen | grep -qF -- "$2"; then
        echo "FAIL: $1: '$2' is still on the screen"
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}
keys() { t send-keys -t ccnc "$@"; }

# start: $1 extra environment, e.g. NO_COLOR=1
start() {
    rm -f "$tmp/rc"
    t new-session -d -s ccnc -x 80 -y 24 \
        "env $1 LC_ALL=C.UTF-8 LANGUAGE= TERM=screen-256color '$ccnc' --offline -c '$top/docs/examples/lab.conf'; echo \$? >'$tmp/rc'; sleep 10"
}
# quit and wait (at most 5 s) for the exit status
quit_and_check() {
    keys q
    i=0
    while [ ! -s "$tmp/rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if [ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ]; then
        passes=$((passes + 1))
    else
        echo "FAIL: q did not end ccnc with status 0 (status: $(cat "$tmp/rc" 2>/dev/null))"
        fails=$((fails + 1))
    fi
    t kill-session -t ccnc 2>/dev/null
}

start ""
check "overview" "1 Overview"
check "overview lists the configured VMs" "video1"
check "key line" "q:quit"
keys Tab
check "Tab to the VFs view" "Rates in Mb/s"
keys Tab
check "Tab to the migration view" "No action is running."
keys Tab
check "Tab to the log view" "(the last 1000 are kept)"
check "the log has the start line" "Console started with"
keys / C o n s o l e
check "the filter is edited in the key line" "Filter the log: Console"
keys Enter
check "the filter applies" "1 of 1 line matches 'Console'"
keys Escape
check "Esc clears the filter" "1 line (the last 1000 are kept)"
keys 1
check "1 back to the overview" "Not seen on any host"
keys m
check "m on a VM that runs nowhere (--offline) says why" "no host reported video1, and sys1's libvirt has not answered"
keys x
check "x with nothing running says so" "No action is running."
keys a d b v 2 v m
check "every action key answers, the console stays" "no host reported video1"
keys 1
check "and keys still work after them" "Not seen on any host"
keys '?'
check "? shows the help" "abort the running action"
keys j
check_absent "any key closes the help" "abort the running action"
t resize-window -t ccnc -x 70 -y 20
check "below 80x24 it says so" "it needs 80x24, it has 70x20."
t resize-window -t ccnc -x 80 -y 24
check "and comes back" "1 Overview"
# the screen in colour has colour sequences
if t capture-pane -e -p -t ccnc | grep -q "$(printf '\033')\[[0-9;]*3[0-7][;m]"; then
    passes=$((passes + 1))
else
    echo "FAIL: no colour on a colour terminal"; fails=$((fails + 1))
fi
quit_and_check

# NO_COLOR: attributes only
start "NO_COLOR=1"
check "monochrome start" "1 Overview"
if t capture-pane -e -p -t ccnc | grep -q "$(printf '\033')\[[0-9;]*[34][0-7][;m]"; then
    echo "FAIL: colour sequences with NO_COLOR set:"
    t capture-pane -e -p -t ccnc | cat -v | head -5 | sed 's/^/  | /'
    fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
if t capture-pane -e -p -t ccnc | grep -q "$(printf '\033')\[7m"; then
    passes=$((passes + 1))
else
    echo "FAIL: NO_COLOR screen has no reverse video (title bar)"; fails=$((fails + 1))
fi
quit_and_check

# --no-color: the same as NO_COLOR
rm -f "$tmp/rc"
t new-session -d -s ccnc -x 80 -y 24 \
    "env LC_ALL=C.UTF-8 TERM=screen-256color '$ccnc' --offline --no-color -c '$top/docs/examples/lab.conf'; echo \$? >'$tmp/rc'; sleep 10"
check "--no-color start" "1 Overview"
if t capture-pane -e -p -t ccnc | grep -q "$(printf '\033')\[[0-9;]*[34][0-7][;m]"; then
    echo "FAIL: colour sequences with --no-color"; fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
quit_and_check

# --ascii: no line-drawing characters
rm -f "$tmp/rc"
t new-session -d -s ccnc -x 80 -y 24 \
    "env LC_ALL=C.UTF-8 TERM=screen-256color '$ccnc' --offline --ascii -c '$top/docs/examples/lab.conf'; echo \$? >'$tmp/rc'; sleep 10"
check "ASCII start" "1 Overview"
check "ASCII rule" "--------------------"
check_absent "no UTF-8 rule with --ascii" "$(printf '\342\224\200')"
quit_and_check

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
