#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One planner from the live state, on the lab.  The VM's passthrough NIC is
# taken away by hand (virsh detach-interface: its bond falls to the backup),
# and then:
#  1. `ccnc detach` says there is nothing to detach; `ccnc migrate --json`
#     skips the switch and the detach, migrates, and the attach on the
#     destination heals it; `ccnc assign` then says there is nothing to
#     assign and attaches no second NIC with the same MAC;
#  2. the same for `ccnc evacuate`;
#  3. the same from the console (tmux: m, y), whose Log then holds the
#     summary once, 30 s later;
#  4. with the console open, migrations from another shell: the console
#     shows the VM on its new host only (libvirt undefined it on the old);
#  5. the console's x during a (slowed) migration: rolled back, "aborted by
#     the operator (console)" as the cause, an abort line in the run file,
#     the summary once in the Log 30 s later;
#  6. a backup path dead where no agent sees it (its bridge port disabled):
#     the probe finds no reply after the switch, the bond goes back to the
#     passthrough NIC, nothing was detached.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc tmux

lab_preflight
export XDG_STATE_HOME=$WORK/state
RUNS=$XDG_STATE_HOME/ccnc/runs
lab_ensure_up
lab_start_placement

other() { [ "$1" = sys1 ] && echo sys2 || echo sys1; }
# how many NICs with the stand-in's MAC the VM has on host $1
standins() { vs "$1" domiflist "$VM" | grep -ci "$CCNC_LAB_PRIMARY_MAC"; }
# take the stand-in away by hand on host $1, as an interrupted run leaves it
unplug_by_hand() {
	local h=$1 r
	vs "$h" detach-interface "$VM" bridge --mac "$CCNC_LAB_PRIMARY_MAC" >/dev/null ||
		{ fail "virsh could not detach the stand-in on $h"; return 1; }
	r=$(wait_bond_on "$h" "$CCNC_LAB_BACKUP_MAC" 30) || { fail "bond0 did not fall to the backup on $h ($r)"; return 1; }
	[ "$(standins "$h")" = 0 ] || { fail "the stand-in is still attached on $h"; return 1; }
	log "the stand-in detached by hand on $h: bond0 on the backup"
}
# the run file's steps, "op outcome" a line, rollback steps marked !
steps_of() { jq -r 'select(.type == "step") | "\(if .rollback then "!" else "" end)\(.op) \(.outcome)"' "$1" | tr '\n' ','; }
HEAL="forecast ok,check-destination ok,check-storage ok,reserve-nic ok,migrate ok,attach ok,wait-enslaved ok,bond-to-primary ok,verify ok,"

# --- 1. the command line ------------------------------------------------------
unplug_by_hand "$src"
"$CCNC" -c "$CCNC_LAB_CONF" detach "$VM" >"$WORK/detach.out" 2>"$WORK/detach.err"
rc=$?
[ $rc = 1 ] || fail "detach of a VM without its NIC exited $rc"
grep -q "nothing to detach" "$WORK/detach.err" || fail "detach: $(cat "$WORK/detach.err")"
ls "$RUNS"/*.jsonl >/dev/null 2>&1 && fail "detach ran something: $(ls "$RUNS")"

timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$dst" --json >"$WORK/heal.json" 2>"$WORK/heal.err"
rc=$?
[ $rc = 0 ] || { fail "migrate of a VM on its backup exited $rc"; sed 's/^/  | /' "$WORK/heal.err" | tail; }
[ "$(jq -r .result "$WORK/heal.json")" = done ] || fail "migrate: $(jq -r .summary "$WORK/heal.json")"
jq -e '[.steps[] | select(.outcome == "failed" or .outcome == "timeout")] | length == 0' "$WORK/heal.json" >/dev/null ||
	fail "a step failed: $(jq -c '[.steps[] | select(.outcome != "ok")]' "$WORK/heal.json")"
run=$(jq -r .run_file "$WORK/heal.json")
[ "$(steps_of "$run")" = "$HEAL" ] || fail "migrate steps: $(steps_of "$run")"
jq -e '.notes | map(test("holds no passthrough NIC")) | any' "$WORK/heal.json" >/dev/null ||
	fail "the plan does not say why it skips the detach: $(jq -c .notes "$WORK/heal.json")"
[ "$(where_running)" = "$dst" ] || fail "$VM runs on '$(where_running)', not $dst"
r=$(wait_bond_on "$dst" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "bond0 not on the stand-in on $dst after the heal ($r)"
[ "$(standins "$dst")" = 1 ] || fail "$(standins "$dst") stand-ins on $dst after the heal"
log "migrate healed $VM: $(jq -r .total_ms "$WORK/heal.json") ms, $(jq -r .lost_probes "$WORK/heal.json") probes lost"

"$CCNC" -c "$CCNC_LAB_CONF" assign "$VM" >"$WORK/assign.out" 2>"$WORK/assign.err"
rc=$?
[ $rc = 1 ] || fail "assign to a VM holding its NIC exited $rc"
grep -q "nothing to assign" "$WORK/assign.err" || fail "assign: $(cat "$WORK/assign.err")"
[ "$(standins "$dst")" = 1 ] || fail "assign attached a second NIC with the stand-in's MAC"

# --- 2. evacuate --------------------------------------------------------------
unplug_by_hand "$dst"
timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" evacuate "$dst" --json >"$WORK/evac.json" 2>"$WORK/evac.err"
rc=$?
[ $rc = 0 ] || { fail "evacuate of a VM on its backup exited $rc"; sed 's/^/  | /' "$WORK/evac.err" | tail; }
[ "$(jq -r '.[0].result' "$WORK/evac.json")" = done ] || fail "evacuate: $(jq -r '.[0].summary' "$WORK/evac.json")"
run=$(jq -r '.[0].run_file' "$WORK/evac.json")
[ "$(steps_of "$run")" = "$HEAL" ] || fail "evacuate steps: $(steps_of "$run")"
[ "$(where_running)" = "$src" ] || fail "after evacuate, $VM runs on '$(where_running)'"
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "after evacuate, bond0 not on the stand-in ($r)"
[ "$(standins "$src")" = 1 ] || fail "$(standins "$src") stand-ins on $src after evacuate"

# --- 3.-5. the console --------------------------------------------------------
# a slow migration for x to stop: 1 Mb/s
slow=$WORK/slow.conf
sed -e '/^\[migration\]/,$d' "$CCNC_LAB_CONF" >"$slow"
printf '[migration]\nbandwidth_mbps = 1\ntimeout_s = 200\nstep_timeout_s = 30\n' >>"$slow"

# the Log filtered on $1: how many lines show it
log_count() {
	T send-keys -t cc / C-u
	T send-keys -t cc -l "$1"
	T send-keys -t cc Enter
	sleep 0.5
	screen >"$WORK/logscreen"
	# log lines begin with their time; the filter's own line does not
	grep -E '^ [0-9]{2}:[0-9]{2}:[0-9]{2} ' "$WORK/logscreen" | grep -cF -- "$1"
}

# the console in tmux with CONF; a crash leaves its core in $WORK
console() {
	rm -f "$WORK/exit"
	T_start -d -s cc -x 160 -y 50 \
		"cd '$WORK' && ulimit -c unlimited; TERM=xterm-256color '$CCNC' -c '$1'; echo \$? >'$WORK/exit'; sleep 1"
	wait_screen "the overview" "vm1 +running +bond0" 30
	wait_screen "the NFS server's agent" "^ NFS server .* connected .* agent [0-9]" 30
}
console_quit() {
	local i
	T send-keys -t cc Escape q
	for ((i = 0; i < 50; i++)); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
	if [ "$(cat "$WORK/exit" 2>/dev/null)" != 0 ]; then
		fail "ccnc exited '$(cat "$WORK/exit" 2>/dev/null)' after q"
		[ -f "$WORK/core" ] && gdb -q -batch -ex 'thread apply all bt' "$CCNC" "$WORK/core" 2>&1 | tail -60 | sed 's/^/  | /'
	fi
	T kill-server 2>/dev/null
}
trap 'T kill-server 2>/dev/null; lab_cleanup' EXIT
console "$CCNC_LAB_CONF"

# 3. m y on a VM without its NIC: the console plans from what it sees
unplug_by_hand "$src"
wait_screen "vm1 on its backup" "vm1 +running +bond0 .*(backup|ON BACKUP)" 30
T send-keys -t cc m
wait_screen "the plan" "Plan: migrate-passthrough vm1 from $src to $dst" 10 &&
	{ grep -q "check-backup\|bond-to-backup\| detach " "$WORK/screen" && fail "the console's plan still switches or detaches"; }
T send-keys -t cc y
wait_screen "the healed migration" "migrate-passthrough vm1: $src .* $dst +done" 200
summary="vm1: done; the VM runs on $dst"
log "waiting 30 s for repeats in the Log"
sleep 30
T send-keys -t cc 4
n=$(log_count "$summary")
[ "$n" = 1 ] || { fail "the Log holds '$summary' $n times after 30 s"; sed 's/^/  | /' "$WORK/logscreen" | tail -20; }
T send-keys -t cc Escape
[ "$(where_running)" = "$dst" ] || fail "console: $VM runs on '$(where_running)', not $dst"
r=$(wait_bond_on "$dst" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "console: bond0 not on the stand-in ($r)"

# 4. the console open, a migration from another shell, and back
T send-keys -t cc 1
for to in "$src" "$dst"; do
	from=$(other "$to")
	timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$to" >"$WORK/shell.out" 2>&1 ||
		fail "migrate from another shell to $to: $(tail -3 "$WORK/shell.out")"
	flabel=$(label "$from")
	sleep 10
	screen >"$WORK/screen"
	# the host's section: from its header to the next host or the detail pane
	awk -v h=" $flabel ($from)" 'index($0, h) == 1 { on = 1; next } on && (/^ [A-Z]/ || /^ ?─/) { on = 0 } on' "$WORK/screen" >"$WORK/from-section"
	if grep -q "vm1" "$WORK/from-section"; then
		fail "10 s after it left, the console still shows vm1 under $flabel"
		sed 's/^/  | /' "$WORK/from-section"
	fi
	grep -Eq "^. +[0-9]+ $(label "$to") \($to\) +connected +1 VM" "$WORK/screen" || fail "the console does not show vm1 under $to"
done

console_quit

# 5. x during the migrate step (slowed to 1 Mb/s)
console "$slow"
T send-keys -t cc m
wait_screen "the plan" "Plan: migrate-passthrough vm1 from $dst to $src" 10
T send-keys -t cc y
if wait_screen "the migrate step running" "^ +[0-9]+ migrate +running" 60; then
	sleep 1
	T send-keys -t cc x
	wait_screen "the rollback" "migrate-passthrough vm1: $dst .* $src +rolled back" 90
	wait_screen "the cause" "aborted by the operator \(console\)" 5
fi
run=$(ls -t "$RUNS"/*.jsonl | head -1)
jq -s -e '[.[] | select(.type == "abort" and .who == "console")] | length == 1' "$run" >/dev/null ||
	fail "no abort line by the console in $run"
jq -s -e '[.[] | select(.type == "step" and .op == "migrate" and (.error // "" | test("^aborted by the operator \\(console\\)")))] | length == 1' "$run" >/dev/null ||
	fail "the migrate step's error is not the operator's abort: $(jq -c 'select(.type == "step" and .op == "migrate")' "$run")"
[ "$(where_running)" = "$dst" ] || fail "after x, $VM runs on '$(where_running)', not $dst"
r=$(wait_bond_on "$dst" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "after x, bond0 not back on the stand-in ($r)"
log "waiting 30 s for repeats in the Log"
sleep 30
n=$(log_count "vm1: rolled back after")
[ "$n" = 1 ] || { fail "the Log holds the rollback's summary $n times after 30 s"; sed 's/^/  | /' "$WORK/logscreen" | tail -20; }
console_quit

# --- 6. a backup that looks alive and is not --------------------------------
here=$(where_running)
tap=$("$CCNC" -c "$CCNC_LAB_CONF" status --json |
	jq -r --arg h "$here" '.hosts[] | select(.name == $h) | .vms[] | select(.name == "vm1") | .nics[] | select(.role == "backup") | .target')
if [ -n "$tap" ] && ip netns exec "$here" bridge link set dev "$tap" state 0; then
	timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$(other "$here")" --json >"$WORK/dead.json" 2>"$WORK/dead.err"
	rc=$?
	ip netns exec "$here" bridge link set dev "$tap" state 3
	[ $rc = 1 ] || fail "a dead backup: ccnc exited $rc"
	[ "$(jq -r .result "$WORK/dead.json")" = rolled-back ] || fail "a dead backup: $(jq -r .summary "$WORK/dead.json")"
	run=$(jq -r .run_file "$WORK/dead.json")
	steps=$(steps_of "$run")
	[[ $steps == *"verify-on-backup failed,!release-nic ok,!restore-primary ok," ]] ||
		fail "a dead backup: steps $steps"
	[[ $steps == *"detach"* ]] && fail "a dead backup: something was detached: $steps"
	jq -r .summary "$WORK/dead.json" | grep -q "no probe reply came back over the backup NIC" ||
		fail "a dead backup: $(jq -r .summary "$WORK/dead.json")"
	[ "$(where_running)" = "$here" ] || fail "a dead backup: $VM moved"
	r=$(wait_bond_on "$here" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "a dead backup: bond0 not back on the stand-in ($r)"
	log "a dead backup: $(jq -r .summary "$WORK/dead.json")"
else
	fail "cannot disable the backup's bridge port ($tap on $here)"
fi

lab_down_checked
lab_result
