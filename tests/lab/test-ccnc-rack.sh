#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A rack instead of a pair: a lab of four hypervisors (CCNC_LAB_HOSTS=4)
# with vm1 and vm2 on sys1 and vm3 on sys2.  `ccnc evacuate sys1` (placement
# is its default) is planned, then run, and each VM's destination is held
# against the rules: never sys1, the two spread over two hosts (the first
# one's booking passes its host over for the second), every host's verdict
# in the plan; each VM ends on its chosen host only, with its bond back on
# the stand-in.  Then one host's libvirtd is stopped, and placement passes
# it over as not reachable.
# Exit 0 pass, 1 fail, 77 skip (with the reason).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc jq
lab_preflight
export XDG_STATE_HOME=$WORK/state

# a lab that is up must be this one; one that this test brings up is (and
# goes down at the end)
if "$LAB" status >/dev/null 2>&1; then
	eval "$("$LAB" env | grep -E '^CCNC_LAB_(HOSTS|VMS)=')"
	if [ "${CCNC_LAB_HOSTS:-2}" -lt 4 ] || [ "${CCNC_LAB_VMS:-1}" -lt 3 ]; then
		echo "SKIP: the lab that is up has ${CCNC_LAB_HOSTS:-2} hosts and ${CCNC_LAB_VMS:-1} VMs; this test needs 4 and 3 (tests/lab/lab down first)"
		exit 77
	fi
fi
export CCNC_LAB_HOSTS=4 CCNC_LAB_VMS=3 CCNC_LAB_VM_HOSTS=sys1,sys1,sys2
lab_ensure_up
[ "${#HYPERS[@]}" -ge 4 ] || { log "FAIL: the lab has ${#HYPERS[@]} hypervisors, not 4"; exit 1; }
cc() { timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" "$@"; }
pmac() { printf '52:54:00:77:%02x:01' "${1#vm}"; }

# where each guest starts, its bond on the stand-in
for v in vm1 vm2 vm3; do
	h=$(VM=$v where_running)
	want=sys1
	[ "$v" = vm3 ] && want=sys2
	[ "$h" = "$want" ] || { log "FAIL: $v runs on '$h', not $want"; exit 1; }
	r=$(VM=$v wait_bond_on "$h" "$(pmac "$v")" 120) || { log "FAIL: $v: bond0 not on the stand-in at start ($r)"; exit 1; }
done
log "vm1 and vm2 on sys1, vm3 on sys2, each bond0 on its stand-in"

# every hypervisor's memory, as libvirt's node info gives it
cc status --json >"$WORK/status.json" 2>"$WORK/status.err" || fail "ccnc status --json: $(tail -2 "$WORK/status.err")"
n=$(jq '[.hosts[] | select(.role == "hypervisor" and .mem_total_kib > 0 and .mem_free_kib > 0)] | length' "$WORK/status.json")
[ "$n" = 4 ] && log "status: the memory of all 4 hypervisors" || fail "status: the memory of $n hypervisors, not 4"

# the console on the rack: a summary line per host, a VM found with /, its
# plan from m with placement's verdicts, a host reached with h
T_start -d -s cc -x 120 -y 40 \
	"TERM=xterm-256color '$CCNC' -c '$CCNC_LAB_CONF'; echo \$? >'$WORK/exit'; sleep 1"
trap 'T kill-server 2>/dev/null; lab_cleanup' EXIT
for k in 1 2 3 4; do
	n=$([ $k = 1 ] && echo 2 || { [ $k = 2 ] && echo 1 || echo 0; })
	wait_screen "host $k's summary line" "^. +$k System$k \(sys$k\) +connected +$n VMs? .* free [0-9.]+ (of [0-9.]+ )?GiB" 60
done
T send-keys -t cc / v m 3 Enter
wait_screen "vm3 found" "^── vm3 on System2 \(sys2\)" 10
T send-keys -t cc m
wait_screen "vm3's plan" "Plan: migrate-passthrough vm3 from sys2 to sys[134]" 20 &&
	wait_screen "its placement" "\* sys[134] +chosen: " 5 &&
	grep -Eq "sys2 +vm3 runs there now" "$WORK/screen" || fail "the plan does not say why sys2 was passed over"
T send-keys -t cc n
# h 4: host 4's line selected, so Enter folds it
T send-keys -t cc h 4 Enter
sleep 0.3
T send-keys -t cc Enter
wait_screen "host 4 reached with h and folded with Enter" "^▸ +4 System4 \(sys4\)" 10
T send-keys -t cc q
for ((i = 0; i < 50; i++)); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
[ "$(cat "$WORK/exit" 2>/dev/null)" = 0 ] || fail "ccnc exited '$(cat "$WORK/exit" 2>/dev/null)' after q"
T kill-server 2>/dev/null

# the plan: each VM of sys1 placed, every host's verdict said
cc evacuate sys1 --dry-run --json >"$WORK/plan.json" 2>"$WORK/plan.err" || fail "evacuate --dry-run: $(tail -3 "$WORK/plan.err")"
jq -e 'length == 2 and all(.[]; .kind == "migrate-passthrough" and (.placement | length) == 4)' "$WORK/plan.json" >/dev/null ||
	fail "the dry run is not two migrations with four verdicts each: $(head -c 600 "$WORK/plan.json")"
declare -A DEST
for v in vm1 vm2; do
	DEST[$v]=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .destination' "$WORK/plan.json")
	chosen=$(jq -r --arg v "$v" '[.[] | select(.vm == $v) | .placement[] | select(.chosen) | .host] | join(" ")' "$WORK/plan.json")
	own=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .placement[] | select(.host == "sys1") | "\(.candidate) \(.why)"' "$WORK/plan.json")
	log "$v: placed on ${DEST[$v]} (chosen: $chosen); sys1: $own"
	[ "$chosen" = "${DEST[$v]}" ] || fail "$v: the verdicts choose '$chosen', the plan goes to '${DEST[$v]}'"
	case "${DEST[$v]}" in sys2 | sys3 | sys4) ;; *) fail "$v: placed on '${DEST[$v]}'" ;; esac
	[[ $own == "false $v runs there now" ]] || fail "$v: sys1's verdict is '$own'"
done
[ "${DEST[vm1]}" != "${DEST[vm2]}" ] || fail "both VMs placed on ${DEST[vm1]}: the evacuation did not spread"
second=$(jq -r '.[1] | .vm as $v | .placement[] | select(.candidate and (.chosen | not)) | .why' "$WORK/plan.json" | grep -c '1 migrations running there')
[ "$second" -ge 1 ] && log "the second VM's plan passes the first one's host over for its booked migration" ||
	fail "no verdict of the second plan counts the first one's booking: $(jq -c '.[1].placement' "$WORK/plan.json")"
cc evacuate sys1 --dry-run >"$WORK/plan.txt" 2>&1
grep -q '^Placement:' "$WORK/plan.txt" && grep -q '^  vm1  *-> sys[234]$' "$WORK/plan.txt" ||
	fail "the text plan lacks its placement: $(head -20 "$WORK/plan.txt")"

# the evacuation itself
t0=$EPOCHREALTIME
cc evacuate sys1 --parallel 2 --json >"$WORK/evac.json" 2>"$WORK/evac.err"
rc=$?
log "evacuate sys1 --parallel 2: exit $rc in $(ms_since "$t0") ms"
[ "$rc" = 0 ] || fail "evacuate exit $rc: $(tail -5 "$WORK/evac.err")"
for v in vm1 vm2; do
	res=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .result' "$WORK/evac.json")
	[ "$res" = done ] || fail "$v: result '$res'"
	run=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .run_file' "$WORK/evac.json")
	went=$(head -1 "$run" 2>/dev/null | jq -r .destination)
	got=$(head -1 "$run" 2>/dev/null | jq -r '[.placement[]? | select(.chosen) | .host] | join(" ")')
	[ "$went" = "$got" ] && [ -n "$went" ] || fail "$v: its run line goes to '$went', its placement chose '$got'"
	h=$(VM=$v where_running)
	[ "$h" = "$went" ] || fail "$v runs on '$h', not on $went (its placement)"
	r=$(VM=$v wait_bond_on "$went" "$(pmac "$v")" 60) && log "$v: on $went, bond0 back on the stand-in ($r)" ||
		fail "$v: bond0 not back on the stand-in on $went ($r)"
done
[ -z "$(vs sys1 list --name | grep -v '^$')" ] || fail "sys1 still runs: $(vs sys1 list --name | tr '\n' ' ')"

# one host whose libvirtd is gone is passed over, by name
"$LAB" stop-daemon sys4 libvirtd >/dev/null 2>&1 || fail "could not stop sys4's libvirtd"
cc migrate vm3 --to auto --dry-run --json >"$WORK/auto.json" 2>"$WORK/auto.err" || fail "migrate vm3 --to auto --dry-run: $(tail -3 "$WORK/auto.err")"
why4=$(jq -r '.placement[] | select(.host == "sys4") | "\(.candidate) \(.why)"' "$WORK/auto.json")
dest3=$(jq -r .destination "$WORK/auto.json")
log "vm3 --to auto with sys4's libvirtd stopped: $dest3; sys4: $why4"
[[ $why4 == false\ not\ reachable* ]] || fail "sys4's verdict is '$why4'"
case "$dest3" in sys1 | sys3) ;; *) fail "vm3 placed on '$dest3'" ;; esac
"$LAB" start-daemon sys4 libvirtd >/dev/null 2>&1 || fail "could not start sys4's libvirtd again"

lab_down_checked
lab_result
