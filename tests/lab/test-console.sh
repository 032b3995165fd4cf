#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The console end to end on the lab, as an operator drives it: ccnc runs in
# tmux; select vm1, press m, see the plan, press y; the screen is read while
# the migration runs and after: its steps, the connectivity gap meter fed by
# the agent's probe, the result row, and vm1 under the destination host with
# its bond back on the passthrough NIC (checked against libvirt and the
# guest too).  Then q.  Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc tmux

lab_preflight
export XDG_STATE_HOME=$WORK/state
lab_ensure_up
lab_start_placement


# -v into a file: what ccnc reads and connects to, and why
T_start -d -s cc -x 120 -y 44 \
	"TERM=xterm-256color '$CCNC' -v -c '$CCNC_LAB_CONF' 2>'$WORK/console.err'; echo \$? >'$WORK/exit'; sleep 1"
trap 'T kill-server 2>/dev/null; lab_cleanup' EXIT

wait_screen "the overview" "vm1 +running +bond0" 30 || { lab_down_checked; lab_result; }
# the probe runs in the NFS server's agent: wait for it, as an operator
# sees it in the header (an action started before still gets its probe,
# once the agent is up)
wait_screen "the NFS server's agent" "^ NFS server .* connected .* agent [0-9]" 30
T send-keys -t cc m
wait_screen "the plan" "Plan: migrate-passthrough vm1 from $src to $dst" 10
# (read again: the dialog may be caught half-drawn)
wait_screen "the plan's keys" "y: run it" 5
# the dirty rate sampled while the plan is shown, a second at a time: the
# forecast on the median of the samples, the newest's age said
wait_screen "the plan's first sample" "sample [0-9]+ s ago: dirtying [0-9.]+ MiB/s of [0-9]+ MiB" 15 &&
	wait_screen "the plan's samples" "samples: dirtying [0-9.]+ MiB/s of [0-9]+ MiB \(median of [23]," 15 &&
	grep -A3 "Forecast:" "$WORK/screen" | sed 's/^/  | /'
T send-keys -t cc y

# while it runs: the migration view, steps ticking, the probe's figures
if wait_screen "the running migration" "migrate-passthrough vm1: $src .* $dst +running" 20; then
	cp "$WORK/screen" "$WORK/during"
	# mid-migration: the bond on the backup, the probe counting
	wait_screen "the migrate step running" "^ +9 migrate +running" 30 &&
		cp "$WORK/screen" "$WORK/during"
	grep -Eq "lost probes +[0-9]+ of [0-9]+" "$WORK/during" || fail "no gap meter while the migration ran"
	grep -Eq '^ +7 verify-on-backup +ok' "$WORK/during" || fail "the bond was not verified on the backup before the migration"
	log "during the migration:"
	sed -n '3,20p' "$WORK/during" | sed 's/^/  | /'
fi

# after: done, every step ok, the meter and the result row
# (the result row comes with the run's end: after the probe's last sample,
# a moment after the last step)
if wait_screen "the finished migration" "migrate-passthrough vm1: $src .* $dst +done" 120 &&
	wait_screen "the result row" "^ +vm1 +$src +$dst +done +[0-9]+ ms" 15; then
	cp "$WORK/screen" "$WORK/after"
	n_ok=$(grep -Ec '^ +[0-9]+ [a-z-]+ +ok +[0-9]+ ms' "$WORK/after")
	[ "$n_ok" = 13 ] || fail "$n_ok of 13 steps shown ok"
	grep -Eq 'current gap +[0-9]+ ms' "$WORK/after" || fail "no current gap on the meter"
	gap=$(sed -nE 's/.*longest gap +([0-9]+) ms.*/\1/p' "$WORK/after" | head -1)
	read -r lost sent <<<"$(sed -nE 's/.*lost probes +([0-9]+) of ([0-9]+).*/\1 \2/p' "$WORK/after" | head -1)"
	[[ ${sent:-0} -gt 100 ]] || fail "the meter shows ${sent:-no} probes sent"
	[[ -n $gap ]] || fail "no longest gap on the meter"
	grep -Eq "^ +vm1 +$src +$dst +done +[0-9]+ ms +[0-9]+ ms +[0-9]+ ms +[0-9]+" "$WORK/after" ||
		fail "no result row for vm1 $src -> $dst"
	log "after: longest gap ${gap:-?} ms, ${lost:-?} of ${sent:-?} probes lost"
	# the migration started on the dialog's samples: its first step took
	# none of its own
	run=$(ls -t "$XDG_STATE_HOME"/ccnc/runs/*.jsonl 2>/dev/null | head -1)
	fc=$(jq -c 'select(.type == "forecast") | .forecast | {dirty_from, dirty_samples, dirty_bps, total_ms, downtime_ms}' "$run" 2>/dev/null)
	log "the forecast step's: $fc"
	jq -e '.dirty_from == "plan" and .dirty_samples >= 2' <<<"$fc" >/dev/null ||
		fail "the forecast step did not start on the console's samples: $fc"
	RES=("console_gap_ms=${gap:--1}" "console_lost=${lost:--1}")
	printf 'RESULT %s\n' "${RES[@]}"
fi

# the overview: vm1 under the destination, its bond on the passthrough NIC
T send-keys -t cc 1
dlabel=$(label "$dst")
# (the guest's bond is read every second through the guest agent: the
# screen follows within a few)
if wait_screen "vm1 under $dlabel" "^. +[0-9]+ $dlabel \($dst\) +connected +1 VM" 30 &&
	wait_screen "vm1's bond on its primary" "vm1 +running +bond0 active-backup on [a-z0-9]+ \(primary\)" 20; then
	# the host's part of the overview: from its summary line to the next
	awk -v h="$dlabel ($dst)" '/^(▾|▸)/ { on = index($0, h) > 0; next } /^──/ { on = 0 } on' "$WORK/screen" >"$WORK/dst-section"
	grep -Eq 'vm1 +running +bond0 active-backup on [a-z0-9]+ \(primary\)' "$WORK/dst-section" ||
		{ fail "vm1's bond is not shown on its primary under $dlabel"; sed 's/^/  | /' "$WORK/dst-section"; }
fi
[ "$(where_running)" = "$dst" ] || fail "libvirt: vm1 runs on '$(where_running)', not $dst"
r=$(wait_bond_on "$dst" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "guest: bond0 not on the stand-in ($r)"
# the destination's bridge learned vm1's MAC on its new port, its agent
# said so, and the console read vm1's bond then, not at its next poll
grep -Eq "^ccnc: $dst: vm1's MAC ($CCNC_LAB_PRIMARY_MAC|$CCNC_LAB_BACKUP_MAC) was learned on [^ ]+: reading its bond now" "$WORK/console.err" ||
	{ fail "no bond read when $dst learned vm1's MAC"; grep -i 'learned' "$WORK/console.err" | sed 's/^/  | /' | head; }

# the storage line: what the NFS server sends (the stream), from its agent
wait_screen "the stream's throughput on the storage line" "^ Storage nfs:.* sending [0-9.]+ [kMG]?b/s" 10 &&
	log "storage line: $(grep -Eo 'sending [0-9.]+ [kMG]?b/s' "$WORK/screen")"

# b: the bandwidth test of vm1 (the selected VM), iperf3 from the NFS server
T send-keys -t cc b
if wait_screen "the bandwidth test's result" "Bandwidth nfs -> vm1: [0-9.]+ Mb/s" 40; then
	log "b: $(grep -Eo 'Bandwidth nfs -> vm1: [0-9.]+ Mb/s' "$WORK/screen")"
	T send-keys -t cc 3
	# the table, or its newest line when the results leave no room
	wait_screen "the bandwidth test in the Migration view" \
		"^ +[0-9:]+ +vm1 +nfs +[a-z0-9]+ \((passthrough|backup)\) +[0-9.]+ Mb/s|Bandwidth \(iperf3\) [0-9:]+: nfs -> vm1 on [a-z0-9]+ \((passthrough|backup)\): [0-9.]+ Mb/s" 5
fi

T send-keys -t cc q
for ((i = 0; i < 50; i++)); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
[ "$(cat "$WORK/exit" 2>/dev/null)" = 0 ] || fail "ccnc exited '$(cat "$WORK/exit" 2>/dev/null)' after q"
T kill-server 2>/dev/null

# D: the ping-pong demo in a projector-sized console: vm1 there and back,
# the thesis' Table 1 filled as the rounds end
rm -f "$WORK/exit"
T_start -d -s cc -x 160 -y 50 \
	"TERM=xterm-256color '$CCNC' -c '$CCNC_LAB_CONF'; echo \$? >'$WORK/exit'; sleep 1"
wait_screen "the overview" "vm1 +running +bond0 active-backup on [a-z0-9]+ \(primary\)" 30
T send-keys -t cc D
if wait_screen "the demo's plan" "Demo: vm1 between $dst and $src, 2 migrations" 20; then
	T send-keys -t cc y
	if wait_screen "the demo's end" "Demo done: 2 migrations" 300; then
		grep -Eq "Table 1 over 2 migrations" "$WORK/screen" || fail "the demo's table is not over its 2 rounds"
		grep -Eq "^ +total migration time +[0-9]+ +[0-9]+ +[0-9]+ +2 +60000 +32000" "$WORK/screen" ||
			fail "the demo's table has no total migration time over 2 rounds"
		grep -Eq "^ +longest gap +[0-9]+ +[0-9]+ +[0-9]+ +2" "$WORK/screen" ||
			fail "the demo's table has no longest gap over 2 rounds"
		# the NFS stream's stall, as the NFS server's agent read it
		grep -Eq "^ +longest stream stall +[0-9]+ +[0-9]+ +[0-9]+ +2" "$WORK/screen" ||
			fail "the demo's table has no stream stall over 2 rounds"
		log "demo: $(grep -E '^ +(total migration time|longest gap|longest stream stall) ' "$WORK/screen" | tr -s ' ' | tr '\n' ';')"
	fi
	[ "$(where_running)" = "$dst" ] || fail "libvirt: after the demo vm1 runs on '$(where_running)', not back on $dst"
fi
T send-keys -t cc q
for ((i = 0; i < 50; i++)); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
[ "$(cat "$WORK/exit" 2>/dev/null)" = 0 ] || fail "ccnc exited '$(cat "$WORK/exit" 2>/dev/null)' after q (demo)"
T kill-server 2>/dev/null

# A hypervisor's libvirtd that hangs (frozen: its socket takes the
# connection, nothing answers) when the console starts: m waits for it,
# the host says why its VMs are not known, and the plan follows without it
if "$LAB" freeze-daemon "$src" libvirtd >/dev/null; then
	trap '"$LAB" thaw-daemon "$src" libvirtd >/dev/null 2>&1; T kill-server 2>/dev/null; lab_cleanup' EXIT
	rm -f "$WORK/exit"
	T_start -d -s cc -x 160 -y 50 \
		"TERM=xterm-256color '$CCNC' -c '$CCNC_LAB_CONF'; echo \$? >'$WORK/exit'; sleep 1"
	if wait_screen "the overview, $src not answering" "vm1 +running +bond0 active-backup" 30; then
		wait_screen "$src's VMs not known" "[0-9]+ $(label "$src") \($src\) .* VMs \?" 10
		T send-keys -t cc m
		# (held until $src is said not to answer, 10 s after the start)
		if screen | grep -q "libvirt: no answer in"; then
			log "the console took over 10 s to show vm1: the hold is not seen"
		else
			wait_screen "the plan held for $src" "migrate-passthrough vm1: waiting for $src's libvirt before planning|libvirt: no answer in 10 s" 5
		fi
		wait_screen "why $src shows no VMs" "libvirt: no answer in 10 s: is its libvirtd \(or sshd\) running\? ccnc keeps waiting" 25
		# no longer waited for: placement's word (no host can take it), as
		# the planner says it now, without $src
		wait_screen "the plan made without $src" "no host can take vm1: $src: not reachable" 5 ||
			grep -E "waiting for" "$WORK/screen" | sed 's/^/  | /'
	fi
	"$LAB" thaw-daemon "$src" libvirtd >/dev/null || fail "cannot thaw libvirtd on $src"
	T send-keys -t cc Escape
	wait_screen "$src answering once thawed" "[0-9]+ $(label "$src") \($src\) +connected +0 VMs" 30
	T send-keys -t cc q
	for ((i = 0; i < 50; i++)); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
	[ "$(cat "$WORK/exit" 2>/dev/null)" = 0 ] || fail "ccnc exited '$(cat "$WORK/exit" 2>/dev/null)' after q ($src frozen)"
	T kill-server 2>/dev/null
else
	fail "cannot freeze libvirtd on $src"
fi

lab_down_checked
lab_result
