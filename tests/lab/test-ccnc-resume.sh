#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs that stop half-way, and how they end, on the lab:
#  1. ccnc migrate killed (SIGKILL) in the migrate step, as when the
#     workstation's terminal drops: libvirt finishes the migration alone;
#     the run reads as stopped during the migration, ccnc status lists it,
#     and `ccnc resume` gives the VM its passthrough NIC on the destination,
#     appending to the same run file, which then ends with a result;
#  2. killed after the switch to the backup NIC, before the migration:
#     `ccnc resume` goes back (the NIC attached again, the bond on it);
#  3. SIGTERM to a batch command: the action is stopped at a safe point and
#     rolled back, and the run file says who stopped it;
#  4. the console started with a run left half-way: it asks, f finishes it;
#  5. two ccnc racing for one VM (the same migration started twice at the
#     same moment): the VM's lease lets one act, the other is refused and
#     says who holds it; the lease is gone afterwards.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc tmux

lab_preflight
export XDG_STATE_HOME=$WORK/state
RUNS=$XDG_STATE_HOME/ccnc/runs
lab_ensure_up
lab_start_placement

# start `ccnc migrate` to $1 in the background and kill it (signal $3) once
# the newest run file records that step $2 started; prints the run file.
# In the migrate step it waits 0.3 s more, so that libvirt has the migration
# in hand; a detach can be over in 0.3 s, so there it kills at once.
kill_during() { # TO STEP SIGNAL
	local before pid f i delay=0
	[ "$2" = migrate ] && delay=0.3
	before=$(newest_run)
	"$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$1" >"$WORK/killed.out" 2>&1 &
	pid=$!
	for ((i = 0; i < 3000; i++)); do
		f=$(newest_run)
		if [ -n "$f" ] && [ "$f" != "$before" ] &&
			grep -q "\"type\":\"step-start\".*\"op\":\"$2\"" "$f" 2>/dev/null; then
			sleep "$delay"
			kill "-$3" "$pid"
			wait "$pid" 2>/dev/null
			echo "$f"
			return 0
		fi
		sleep 0.01
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 1
}
# resume with ARGS; expect result $1 and the VM on its stand-in on $2
resume_and_check() { # RESULT HOST ARGS...
	local want=$1 host=$2 run r
	shift 2
	timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" resume "$VM" --json "$@" >"$WORK/resume.json" 2>"$WORK/resume.err"
	[ "$(jq -r .result "$WORK/resume.json")" = "$want" ] ||
		{ fail "resume: result $(jq -r .result "$WORK/resume.json"), not $want"; sed 's/^/  | /' "$WORK/resume.err" "$WORK/resume.json" | tail -20; }
	run=$(jq -r .run_file "$WORK/resume.json")
	[ "$run" = "$RUN_FILE" ] || fail "resume wrote to $run, not the run it ended ($RUN_FILE)"
	[ "$(tail -1 "$RUN_FILE" | jq -r .type)" = result ] || fail "the run file does not end with its result"
	jq -s -e '[.[] | select(.type == "resume")] | length == 1' "$RUN_FILE" >/dev/null || fail "no resume line"
	jq -s -e '[.[] | select(.type == "run")] | length == 1' "$RUN_FILE" >/dev/null || fail "not one run line"
	[ "$(where_running)" = "$host" ] || fail "after resume, $VM runs on '$(where_running)', not $host"
	r=$(wait_bond_on "$host" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "after resume, bond0 not on the stand-in ($r)"
	[ "$(vs "$host" domiflist "$VM" | grep -ci "$CCNC_LAB_PRIMARY_MAC")" = 1 ] || fail "not one stand-in on $host"
	"$CCNC" -c "$CCNC_LAB_CONF" runs >"$WORK/runs.txt" 2>&1
	grep -q UNFINISHED "$WORK/runs.txt" && fail "a run is still unfinished: $(cat "$WORK/runs.txt")"
	log "resume: $(jq -r .summary "$WORK/resume.json")"
}

probes_start

# --- 1. killed during the migration ------------------------------------------
RUN_FILE=$(kill_during "$dst" migrate 9) || fail "the migration never started"
settle_vm || fail "$VM did not settle after the kill"
log "killed in the migration; $VM now runs on $(where_running)"
"$CCNC" -c "$CCNC_LAB_CONF" runs >"$WORK/runs1.txt" 2>&1
grep -q "stopped during: migrate" "$WORK/runs1.txt" || fail "ccnc runs: $(cat "$WORK/runs1.txt")"
"$CCNC" -c "$CCNC_LAB_CONF" status --json >"$WORK/status1.json" ||  fail "ccnc status"
jq -e --arg f "$RUN_FILE" '.unfinished_runs | map(.run_file == $f and .vm == "vm1") | any' "$WORK/status1.json" >/dev/null ||
	fail "ccnc status does not list the unfinished run: $(jq -c .unfinished_runs "$WORK/status1.json")"
now=$(where_running)
if [ "$now" = "$dst" ]; then
	resume_and_check done "$dst"
else
	resume_and_check rolled-back "$src"
fi
here=$(where_running)

# --- 2. killed after the switch, before the migration: back ------------------
RUN_FILE=$(kill_during "$(other "$here")" detach 9) || fail "the detach never started"
settle_vm || fail "$VM did not settle after the kill"
[ "$(where_running)" = "$here" ] || fail "$VM moved though the migration never began"
resume_and_check rolled-back "$here"

# --- 3. SIGTERM to a batch command --------------------------------------------
RUN_FILE=$(kill_during "$(other "$here")" detach TERM) || fail "the detach never started"
tail -1 "$RUN_FILE" | jq -e '.type == "result" and .result == "rolled-back"' >/dev/null ||
	fail "SIGTERM: the run did not end rolled back: $(tail -1 "$RUN_FILE")"
jq -s -e '[.[] | select(.type == "abort" and .who == "ccnc migrate")] | length == 1' "$RUN_FILE" >/dev/null ||
	fail "SIGTERM: no abort line by 'ccnc migrate'"
[ "$(where_running)" = "$here" ] || fail "SIGTERM: $VM moved"
r=$(wait_bond_on "$here" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "SIGTERM: bond0 not back on the stand-in ($r)"

# --- 4. the console asks about a run left half-way ----------------------------
RUN_FILE=$(kill_during "$(other "$here")" migrate 9) || fail "the migration never started"
settle_vm || fail "$VM did not settle after the kill"
T_start -d -s cc -x 160 -y 50 \
	"TERM=xterm-256color '$CCNC' -c '$CCNC_LAB_CONF'; echo \$? >'$WORK/exit'; sleep 1"
trap 'T kill-server 2>/dev/null; lab_cleanup' EXIT
if wait_screen "the question" "An action stopped half-way" 40; then
	grep -q "Now vm1 runs on" "$WORK/screen" || fail "the question does not say where vm1 is now"
	grep -q "f: finish it" "$WORK/screen" || fail "the question does not say how to finish"
	T send-keys -t cc f
	wait_screen "the plan to end it" "Plan: " 10
	T send-keys -t cc y
	wait_screen "the resumed run's end" "vm1: (done|undone)" 120
fi
T send-keys -t cc q
for ((i = 0; i < 50; i++)); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
[ "$(cat "$WORK/exit" 2>/dev/null)" = 0 ] || fail "ccnc exited '$(cat "$WORK/exit" 2>/dev/null)' after q"
T kill-server 2>/dev/null
[ "$(tail -1 "$RUN_FILE" | jq -r .type)" = result ] || fail "the console did not end the run file"
w=$(where_running)
r=$(wait_bond_on "$w" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "after the console's resume, bond0 not on the stand-in ($r)"

# --- 5. two ccnc racing for one VM ---------------------------------------------
here=$(where_running)
to=$(other "$here")
for k in 1 2; do
	timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$to" --json >"$WORK/race$k.json" 2>"$WORK/race$k.err" &
	eval "race$k=\$!"
done
wait "$race1"; rc1=$?
wait "$race2"; rc2=$?
log "racing: exits $rc1 and $rc2"
if [ $((rc1 + rc2)) != 1 ]; then
	fail "racing: exits $rc1 and $rc2, not one done and one refused"
	sed 's/^/  | /' "$WORK"/race*.err | tail -20
else
	loser=1; [ $rc1 = 1 ] || loser=2
	why=$(jq -r .summary "$WORK/race$loser.json")
	case $why in
	*"is held by another ccnc"*|*"took vm1's lease at the same moment"*|*"already runs on $to"*)
		log "racing: the other said: $why" ;;
	*) fail "racing: the refused one says: $why" ;;
	esac
fi
[ "$(where_running)" = "$to" ] || fail "racing: $VM runs on '$(where_running)', not $to"
r=$(wait_bond_on "$to" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "racing: bond0 not on the stand-in ($r)"
vs "$to" metadata "$VM" --uri urn:x-ccnc:lease:1 >"$WORK/lease.xml" 2>&1 &&
	fail "racing: the lease is still on $VM: $(cat "$WORK/lease.xml")"

probes_stop
errors=$(stream_errors)
[ "$errors" = 0 ] || fail "$errors failed NFS reads in the guest"
lab_down_checked
lab_result
