#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc's rollback on the lab: a migration that cannot finish in time (its
# bandwidth capped at 1 Mb/s, its time limit 4 s) is aborted by ccnc, which
# then attaches the passthrough stand-in again on the source and switches
# the bond back to it.  Asserted from ccnc's JSON, its run file, libvirt and
# the guest.  Also: a destination whose libvirtd cannot be reached fails the
# first check and changes nothing.  And a migration that will never end
# (the link shaped to 100 Mb/s, the guest dirtying 16 MiB/s over 64 MiB) is
# given up once its course says so, long before its 200 s timeout.  And
# one that shrinks too slowly for its 40 s (dirtying 10 MiB/s over 64 MiB)
# has its downtime limit raised on its course by the default policy,
# 'lowest', recorded, said and reported.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc

lab_preflight
export XDG_STATE_HOME=$WORK/state
lab_ensure_up

lab_start_placement

# the lab's config with a migration that cannot make it
conf=$WORK/slow.conf
sed -e '/^\[migration\]/,$d' "$CCNC_LAB_CONF" >"$conf"
printf '[migration]\nbandwidth_mbps = 1\ntimeout_s = 4\nstep_timeout_s = 30\n' >>"$conf"

probes_start
sleep 1
log "ccnc migrate $VM --to $dst, bound to fail"
t0=$EPOCHREALTIME
timeout 300 "$CCNC" -c "$conf" migrate "$VM" --to "$dst" --json >"$WORK/out.json" 2>"$WORK/err"
rc=$?
t1=$EPOCHREALTIME
[ $rc = 1 ] || fail "ccnc exited $rc, expected 1"
result=$(jq -r .result "$WORK/out.json")
[ "$result" = rolled-back ] || { fail "result '$result', expected rolled-back"; sed 's/^/  | /' "$WORK/err" "$WORK/out.json" | tail -30; }
run=$(jq -r .run_file "$WORK/out.json")
steps=$(jq -r 'select(.type == "step") | "\(if .rollback then "!" else "" end)\(.op) \(.outcome)"' "$run" | tr '\n' ',')
want="forecast ok,check-destination ok,check-storage ok,check-backup ok,reserve-nic ok,bond-to-backup ok,verify-on-backup ok,detach ok,migrate timeout,!release-nic ok,!reattach-source ok,!restore-primary ok,"
[ "$steps" = "$want" ] || fail "steps: $steps"
# the timeout said as such, not as what libvirt made of the abort
jq -s -e 'map(select(.type == "step" and .op == "migrate")) | last | .error |
	startswith("the migration did not end within its 4 s (lab.conf timeout_s)")' "$run" >/dev/null ||
	fail "the migrate step's error: $(grep '"op":"migrate"' "$run" | tail -1 | jq -r .error)"
jq -r .summary "$WORK/out.json" | grep -q "as before" || fail "summary: $(jq -r .summary "$WORK/out.json")"

# the VM still runs on the source, its bond back on the stand-in
[ "$(where_running)" = "$src" ] || fail "$VM runs on '$(where_running)', not $src"
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "bond0 not back on the stand-in ($r)"
read -r lost gap <<<"$(ping_stats "$t0" "$t1")"
log "rolled back: $(jq -r .total_ms "$WORK/out.json") ms in all, pings lost $lost, longest gap $gap ms"

# the same slow migration, stopped from another shell with ccnc abort
conf2=$WORK/slow2.conf
sed -e 's/^timeout_s = 4$/timeout_s = 200/' "$conf" >"$conf2"
timeout 300 "$CCNC" -c "$conf2" migrate "$VM" --to "$dst" --json >"$WORK/out2.json" 2>"$WORK/err2" &
mig=$!
aborted=0
for ((i = 0; i < 100; i++)); do
	sleep 0.3
	if "$CCNC" -c "$CCNC_LAB_CONF" abort "$VM" >"$WORK/abort.out" 2>&1; then
		aborted=1
		break
	fi
done
wait "$mig"
rc=$?
[ $aborted = 1 ] || fail "ccnc abort never found the migration: $(cat "$WORK/abort.out")"
[ $rc = 1 ] || fail "the aborted ccnc exited $rc, expected 1"
[ "$(jq -r .result "$WORK/out2.json")" = rolled-back ] || fail "after ccnc abort: $(jq -r .summary "$WORK/out2.json")"
[ "$(where_running)" = "$src" ] || fail "after ccnc abort, $VM runs on '$(where_running)'"
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "after ccnc abort, bond0 not back on the stand-in ($r)"
# the operator's stop, recorded as such: its own line in the run file
# (who and when), and the cause the step, the summary and the file give
run2=$(jq -r .run_file "$WORK/out2.json")
jq -s -e '[.[] | select(.type == "abort" and .who == "ccnc abort, from another shell")] | length == 1' "$run2" >/dev/null ||
	fail "after ccnc abort: no abort line naming 'ccnc abort' in the run file"
jq -r .summary "$WORK/out2.json" | grep -q "aborted by the operator (ccnc abort, from another shell)" ||
	fail "after ccnc abort, the summary gives another cause: $(jq -r .summary "$WORK/out2.json")"
jq -e '[.steps[] | select(.name == "migrate" and (.error | test("^aborted by the operator")))] | length == 1' "$WORK/out2.json" >/dev/null ||
	fail "after ccnc abort, the migrate step's error: $(jq -c '[.steps[] | select(.name == "migrate") | .error]' "$WORK/out2.json")"
jq -r .summary "$WORK/out2.json" | grep -qi "end of file\|input/output" &&
	fail "after ccnc abort, the summary reads like a crash: $(jq -r .summary "$WORK/out2.json")"
log "ccnc abort: rolled back: $(jq -r .summary "$WORK/out2.json")"

# a migration that will not end: given up from its course (lab.conf
# give_up, on by default), not left to run into its timeout
conf3=$WORK/hopeless.conf
sed -e '/^\[migration\]/,$d' "$CCNC_LAB_CONF" >"$conf3"
printf '[migration]\ntimeout_s = 200\nstep_timeout_s = 30\n' >>"$conf3"
# the link and the guest as they were, however the test ends
test_cleanup() { "$LAB" dirty "$VM" 0 >/dev/null 2>&1; "$LAB" link-rate 0 >/dev/null 2>&1; }
"$LAB" link-rate 100 >"$WORK/shape.out" 2>&1 || { fail "lab link-rate 100"; cat "$WORK/shape.out"; }
"$LAB" dirty "$VM" 16 64 >"$WORK/dirty.out" 2>&1 || { fail "lab dirty"; cat "$WORK/dirty.out"; }
log "ccnc migrate $VM --to $dst at 100 Mb/s, dirtying 16 MiB/s over 64 MiB: to be given up"
ccnc_waited -c "$conf3" migrate "$VM" --to "$dst" --json >"$WORK/out3.json" 2>"$WORK/err3"
rc=$?
"$LAB" dirty "$VM" 0 >"$WORK/dirty.out" 2>&1 || fail "lab dirty $VM 0"
"$LAB" link-rate 0 >"$WORK/shape.out" 2>&1 || fail "lab link-rate 0"
[ $rc = 1 ] && [ "$(jq -r .result "$WORK/out3.json")" = rolled-back ] ||
	{ fail "given up: exit $rc, result $(jq -r .result "$WORK/out3.json")"; tail -20 "$WORK/err3" | sed 's/^/  | /'; }
run3=$(jq -r .run_file "$WORK/out3.json")
err3=$(jq -s -r 'map(select(.type == "step" and .op == "migrate")) | last | "\(.outcome) \(.error)"' "$run3")
if [[ $err3 =~ ^timeout\ the\ migration\ was\ given\ up\ after\ round\ ([0-9]+),\ at\ ([0-9.]+)\ s,\ not\ left\ to\ run\ into\ its\ 200\ s ]]; then
	round=${BASH_REMATCH[1]}
	# three rounds in a row from round 4 whose course said so, the last
	# the round it was given up at (the run file's course is at the limit
	# in force, which is at most the highest: hopeless there too)
	[ "$round" -ge 6 ] || fail "given up at round $round, before three rounds from round 4"
	jq -s -e --argjson r "$round" '[.[] | select(.type == "to_go" and .iteration <= $r)] | unique_by(.iteration) | .[-3:] |
		length == 3 and .[0].iteration >= 4 and .[2].iteration == $r and
		all(.course == "stalled" or (.course == "shrinking" and .end_ms > 400000))' \
		"$run3" >/dev/null || fail "given up at round $round, but its last three courses were: $(jq -c 'select(.type == "to_go") | [.iteration, .course, .end_ms]' "$run3" | tail -3 | tr '\n' ' ')"
	log "given up: $err3"
else
	fail "the hopeless migration's step: $err3"
fi
[ "$(where_running)" = "$src" ] || fail "after giving up, $VM runs on '$(where_running)', not $src"
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 60) || fail "after giving up, bond0 not back on the stand-in ($r)"

# a destination whose libvirt does not answer: the plan refuses, nothing runs
bad=$WORK/bad.conf
awk -v d="$dst" '/^\[/ { h = "" } /^\[host / { h = $2; sub(/\]/, "", h) }
	h == d && /^libvirt_uri/ { next }
	{ print }
	h == d && /^\[host / { print "libvirt_uri = test:///nonexistent/ccnc.xml" }' "$CCNC_LAB_CONF" >"$bad"
grep -q '^libvirt_uri = test:///nonexistent' "$bad" || fail "the test could not point $dst at a libvirt that does not answer"
timeout 120 "$CCNC" -c "$bad" migrate "$VM" --to "$dst" --json >"$WORK/bad.json" 2>"$WORK/bad.err"
rc=$?
[ $rc = 1 ] || fail "unreachable destination: ccnc exited $rc"
[ "$(jq -r .result "$WORK/bad.json")" = refused ] || fail "unreachable destination: result $(jq -r .result "$WORK/bad.json")"
jq -r .summary "$WORK/bad.json" | grep -q "$dst's libvirt does not answer" ||
	fail "unreachable destination: $(jq -r .summary "$WORK/bad.json")"
[ "$(jq -r '.steps | length' "$WORK/bad.json")" = 0 ] || fail "unreachable destination: a step ran"
[ "$(jq -r .run_file "$WORK/bad.json")" = null ] || fail "unreachable destination: a run was recorded"
[ "$(where_running)" = "$src" ] || fail "$VM moved after a failed check"
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 10) || fail "bond0 left the stand-in after a failed check ($r)"

# steered: 'lowest' raises the limit when the rounds say the migration
# would end beyond 80 % of its timeout (lab.conf(5), policy)
conf4=$WORK/steered.conf
sed -e '/^\[migration\]/,$d' "$CCNC_LAB_CONF" >"$conf4"
printf '[migration]\ntimeout_s = 40\nstep_timeout_s = 30\n' >>"$conf4"
"$LAB" link-rate 100 >"$WORK/shape.out" 2>&1 || { fail "lab link-rate 100"; cat "$WORK/shape.out"; }
"$LAB" dirty "$VM" 10 64 >"$WORK/dirty.out" 2>&1 || { fail "lab dirty"; cat "$WORK/dirty.out"; }
log "ccnc migrate $VM --to $dst at 100 Mb/s, dirtying 10 MiB/s over 64 MiB, timeout 40 s: steered"
ccnc_waited -c "$conf4" migrate "$VM" --to "$dst" >"$WORK/out4.txt" 2>"$WORK/err4"
"$LAB" dirty "$VM" 0 >"$WORK/dirty.out" 2>&1 || fail "lab dirty $VM 0"
"$LAB" link-rate 0 >"$WORK/shape.out" 2>&1 || fail "lab link-rate 0"
run4=$(sed -n 's/^Run file: //p' "$WORK/out4.txt" | head -1)
if [ -f "$run4" ]; then
	# raised on the course, above the limit before it, at round 4 or later;
	# that round's course worked out at the new limit (its threshold, the
	# link's rate times the limit, grown with it, give or take the rate's
	# change from round to round)
	jq -s -e '[.[] | select(.type == "setting" or .type == "to_go")] as $l |
		($l | map(.type == "setting" and .why == "the course") | index(true)) as $i |
		$i != null and $i > 0 and
		([$l[:$i][] | select(.type == "setting")] | last) as $before |
		([$l[:$i][] | select(.type == "to_go")] | last) as $was |
		([$l[$i + 1:][] | select(.type == "to_go")] | first) as $next |
		$l[$i].value > $before.value and $was != null and $next != null and
		$next.iteration >= 4 and
		$next.threshold_bytes > 0.6 * $was.threshold_bytes * $l[$i].value / $before.value' \
		"$run4" >/dev/null ||
		fail "no raise on the course as asked: $(jq -c 'select(.type == "setting" or .type == "to_go") | [.type, .iteration // .value, .why // .end_ms, .threshold_bytes]' "$run4" | tr '\n' ' ')"
	grep -q "downtime limit [0-9]* ms: raised on the rounds' course" "$WORK/out4.txt" ||
		fail "ccnc migrate did not say the raise: $(grep -E 'round|limit' "$WORK/out4.txt" | head -5)"
	"$CCNC" report --json "$run4" >"$WORK/report4.json" 2>&1 &&
		jq -e '(.[0].limit_why == "the course" or .[0].limit_why == "stalled rounds") and
			.[0].policy == "lowest"' "$WORK/report4.json" >/dev/null ||
		fail "ccnc report: $(jq -c '.[0] | {policy, limit_ms, limit_why}' "$WORK/report4.json" 2>&1)"
	log "steered: $(grep -E 'downtime limit|migrate  .*(ok|timeout)' "$WORK/out4.txt" | sed 's/^ *//' | cut -c1-120 | tr '\n' ';')"
else
	fail "the steered migration wrote no run file: $(tail -5 "$WORK/out4.txt" "$WORK/err4")"
fi
# done or rolled back, the VM runs with its passthrough NIC again
where=$(where_running)
if [ "$where" = "$src" ] || [ "$where" = "$dst" ]; then
	r=$(wait_bond_on "$where" "$CCNC_LAB_PRIMARY_MAC" 60) || fail "after the steered migration, bond0 not on the stand-in ($r)"
else
	fail "after the steered migration, $VM runs on '$where'"
fi

probes_stop
lab_down_checked
lab_result
