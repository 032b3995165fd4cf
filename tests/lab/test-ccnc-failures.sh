#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc when the lab fails under it, mid-run:
#  1. the destination's libvirtd stops after the checks passed: the
#     migration cannot start, the stand-in is attached again on the source
#     and the bond switched back to it;
#  2. the destination's sshd dies with every session it serves: the same;
#     2b. its libvirtd hangs (frozen) as the migration begins: ccnc says
#     what the migration waits for, calls it off at its timeout, and rolls
#     back once the frozen libvirtd is thawed (40 s later);
#     2c. the source's libvirtd hangs for 25 s as the migration begins:
#     ccnc's call is cut by its keepalive, the migration goes through once
#     thawed, and ccnc sees it there and goes on: done on the destination;
#     2d. Ctrl-C (to ccnc's process group) while the run waits for the
#     frozen destination's libvirt to answer: ccnc ends at once, nothing
#     changed, its lease given back;
#  3. the guest ignores the unplug request (its ACPI hotplug event is
#     disabled): the detach times out and the bond goes back to the stand-in.
# Each time: exit 1, result rolled-back, a complete run file, the VM
# running on the source only, its bond on the stand-in.
#  4. the destination's libvirtd restarts right after the migration (down
#     for 3 s): the run opens its connection again and finishes: done, the
#     stand-in attached on the destination, the bond on it, no lease left.
#  0. (first) the destination's QEMU is broken: refused at
#     check-destination with libvirt's reason, nothing touched.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc

lab_preflight
export XDG_STATE_HOME=$WORK/state
RUNS=$XDG_STATE_HOME/ccnc/runs
lab_ensure_up

lab_start_placement

# the lab's config with a short step timeout (the unplug waits for it)
conf=$WORK/fail.conf
sed -e '/^\[migration\]/,$d' "$CCNC_LAB_CONF" >"$conf"
printf '[migration]\nmax_downtime_ms = 300\ntimeout_s = 120\nstep_timeout_s = 8\n' >>"$conf"

# wait (bounded) until the newest run file records step OP, then run CMD
when_step() {
	local op=$1 i f
	shift
	for ((i = 0; i < 3000; i++)); do
		f=$(ls -t "$RUNS"/*.jsonl 2>/dev/null | head -1)
		if [ -n "$f" ] && [ "$f" != "${BEFORE:-}" ] &&
			grep -q "\"type\":\"step\".*\"op\":\"$op\"" "$f" 2>/dev/null; then
			"$@"
			return
		fi
		sleep 0.01
	done
	fail "the run never reached step $op"
}

# one failure: ccnc migrate (or detach) with INJECT run once step AFTER is
# recorded; expect rolled-back with the steps WANT
scenario() {
	local name=$1 after=$2 want=$3 inject=$4 mig run steps rc
	shift 4
	log "$name"
	BEFORE=$(ls -t "$RUNS"/*.jsonl 2>/dev/null | head -1)
	timeout 300 "$CCNC" -c "$conf" "$@" --json >"$WORK/$name.json" 2>"$WORK/$name.err" &
	mig=$!
	when_step "$after" $inject
	wait "$mig"
	rc=$?
	[ $rc = 1 ] || fail "$name: ccnc exited $rc, expected 1"
	[ "$(jq -r .result "$WORK/$name.json")" = rolled-back ] ||
		{ fail "$name: result $(jq -r .result "$WORK/$name.json")"; sed 's/^/  | /' "$WORK/$name.err" "$WORK/$name.json" | tail -30; }
	run=$(jq -r .run_file "$WORK/$name.json")
	[ -s "$run" ] || { fail "$name: no run file"; return; }
	steps=$(jq -r 'select(.type == "step") | "\(if .rollback then "!" else "" end)\(.op) \(.outcome)"' "$run" | tr '\n' ',')
	[[ $steps =~ $want ]] || fail "$name: steps $steps (want $want)"
	[ "$(tail -1 "$run" | jq -r .type)" = result ] || fail "$name: the run file does not end with its result"
	log "$name: $(jq -r .summary "$WORK/$name.json")"
	log "$name: probe: $(jq -r .lost_probes "$WORK/$name.json") lost, longest gap $(jq -r .longest_gap_ms "$WORK/$name.json") ms"
}

# nothing half-done: the VM runs on the source alone, the stand-in is
# attached there and its bond runs on it
settled_on_source() {
	local name=$1 r
	[ "$(where_running)" = "$src" ] || fail "$name: $VM runs on '$(where_running)', not on $src alone"
	vs "$src" domiflist "$VM" | grep -qi "$CCNC_LAB_PRIMARY_MAC" || fail "$name: the stand-in is not attached on $src"
	r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "$name: bond0 not back on the stand-in ($r)"
}

probes_start
sleep 1

# 0. the destination's libvirt cannot run the VM (its QEMU broken there):
# refused at check-destination, before anything is touched
log "dst-emulator"
# mended however the test ends
test_cleanup() { "$LAB" break-emulator "$dst" off >/dev/null 2>&1; }
if ! "$LAB" break-emulator "$dst" on >"$WORK/break.out" 2>&1; then
	fail "cannot break the emulator on $dst: $(cat "$WORK/break.out")"
else
	timeout 300 "$CCNC" -c "$conf" migrate "$VM" --to "$dst" --json >"$WORK/emu.json" 2>"$WORK/emu.err"
	rc=$?
	"$LAB" break-emulator "$dst" off >/dev/null || fail "cannot mend the emulator on $dst"
	[ $rc = 1 ] || fail "dst-emulator: ccnc exited $rc, expected 1"
	[ "$(jq -r .result "$WORK/emu.json")" = failed ] ||
		{ fail "dst-emulator: result $(jq -r .result "$WORK/emu.json")"; tail -20 "$WORK/emu.err"; }
	run=$(jq -r .run_file "$WORK/emu.json")
	steps=$(jq -r 'select(.type == "step") | "\(if .rollback then "!" else "" end)\(.op) \(.outcome)"' "$run" 2>/dev/null | tr '\n' ',')
	[ "$steps" = "forecast ok,check-destination failed," ] || fail "dst-emulator: steps $steps"
	grep -q "$dst cannot run $VM as it runs now.*broken by lab break-emulator" "$WORK/emu.json" ||
		fail "dst-emulator: the error does not say why: $(jq -r .summary "$WORK/emu.json")"
	log "dst-emulator: $(jq -r .summary "$WORK/emu.json")"
	settled_on_source dst-emulator
fi

# 1. the destination's libvirtd goes away after the checks
scenario dst-libvirtd bond-to-backup \
	'migrate failed,!release-nic ok,!reattach-source ok,!restore-primary ok,$' \
	"$LAB stop-daemon $dst libvirtd" migrate "$VM" --to "$dst"
"$LAB" start-daemon "$dst" libvirtd || fail "libvirtd on $dst does not start again"
# said as the destination going away, before libvirt's own words for it
jq -r .summary "$WORK/dst-libvirtd.json" | grep -q "$dst stopped answering during the migration" ||
	fail "dst-libvirtd: the summary does not say $dst went away: $(jq -r .summary "$WORK/dst-libvirtd.json")"
settled_on_source dst-libvirtd

# 2. the destination's sshd dies, with the sessions it serves
scenario dst-sshd bond-to-backup \
	'migrate failed,!release-nic ok,!reattach-source ok,!restore-primary ok,$' \
	"$LAB stop-daemon $dst sshd" migrate "$VM" --to "$dst"
"$LAB" start-daemon "$dst" sshd || fail "sshd on $dst does not start again"
settled_on_source dst-sshd

# 2b. the destination's libvirtd hangs (frozen: its socket takes the
# connection, nothing answers) as the migration begins: it cannot begin,
# nor be called off, until that libvirtd answers; ccnc calls it off at its
# timeout (20 s here) and rolls back once the daemon is thawed
test_cleanup() { "$LAB" thaw-daemon "$dst" libvirtd >/dev/null 2>&1; "$LAB" break-emulator "$dst" off >/dev/null 2>&1; }
hang_dst() {
	"$LAB" freeze-daemon "$dst" libvirtd >/dev/null || fail "cannot freeze libvirtd on $dst"
	( sleep 40; "$LAB" thaw-daemon "$dst" libvirtd >/dev/null 2>&1 ) &
	THAWER=$!
}
conf_keep=$conf
conf=$WORK/hang.conf
sed 's/^timeout_s = .*/timeout_s = 20/' "$conf_keep" >"$conf"
scenario dst-libvirtd-hangs detach \
	'migrate timeout,!release-nic ok,!reattach-source ok,!restore-primary ok,$' \
	hang_dst migrate "$VM" --to "$dst" -v
[ -n "${THAWER:-}" ] && wait "$THAWER"
conf=$conf_keep
jq -r .summary "$WORK/dst-libvirtd-hangs.json" | grep -q "did not begin within its 20 s.*still being set up between $src and $dst" ||
	fail "dst-libvirtd-hangs: the summary does not say the migration never began: $(jq -r .summary "$WORK/dst-libvirtd-hangs.json")"
# what it waited for, said while it waited (-v: the log)
grep -q "no pre-copy round yet after 10 s" "$WORK/dst-libvirtd-hangs.err" ||
	fail "dst-libvirtd-hangs: nothing said while the migration waited for $dst"
grep -q "no pre-copy round yet after [23]0 s: ccnc has asked $src to call the migration off" "$WORK/dst-libvirtd-hangs.err" ||
	fail "dst-libvirtd-hangs: the call-off at the timeout was not said"
# ... and kept in the run file, for whoever reads it afterwards
jq -s -e '[.[] | select(.type == "notice" and (.text | test("^no pre-copy round yet after (10|20|30) s")))] | length >= 2' \
	"$(jq -r .run_file "$WORK/dst-libvirtd-hangs.json")" >/dev/null ||
	fail "dst-libvirtd-hangs: the run file lacks the notices: $(jq -c 'select(.type == "notice")' "$(jq -r .run_file "$WORK/dst-libvirtd-hangs.json")" 2>&1 | head -3)"
settled_on_source dst-libvirtd-hangs

# 2c. the source's libvirtd hangs for 25 s as the migration begins: the
# call is cut (ccnc's keepalive), the migration is not
log "src-libvirtd-hangs"
test_cleanup() { "$LAB" thaw-daemon "$src" libvirtd >/dev/null 2>&1; "$LAB" thaw-daemon "$dst" libvirtd >/dev/null 2>&1; "$LAB" break-emulator "$dst" off >/dev/null 2>&1; }
hang_src() {
	"$LAB" freeze-daemon "$src" libvirtd >/dev/null || fail "cannot freeze libvirtd on $src"
	( sleep 25; "$LAB" thaw-daemon "$src" libvirtd >/dev/null 2>&1 ) &
	THAWER=$!
}
BEFORE=$(ls -t "$RUNS"/*.jsonl 2>/dev/null | head -1)
timeout 300 "$CCNC" -c "$conf" migrate "$VM" --to "$dst" --json -v >"$WORK/src-hangs.json" 2>"$WORK/src-hangs.err" &
mig=$!
when_step detach hang_src
wait "$mig"
rc=$?
[ -n "${THAWER:-}" ] && wait "$THAWER"
log "src-libvirtd-hangs: $(jq -r .summary "$WORK/src-hangs.json")"
grep -h "went through" "$WORK/src-hangs.err" | head -1 | sed 's/^/  | /'
[ $rc = 0 ] && [ "$(jq -r .result "$WORK/src-hangs.json")" = done ] ||
	{ fail "src-libvirtd-hangs: exit $rc, result $(jq -r .result "$WORK/src-hangs.json")"; tail -20 "$WORK/src-hangs.err" | sed 's/^/  | /'; }
[ "$(where_running)" = "$dst" ] || fail "src-libvirtd-hangs: $VM runs on '$(where_running)', not on $dst alone"
r=$(wait_bond_on "$dst" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "src-libvirtd-hangs: bond0 not on the stand-in on $dst ($r)"
# back where the scenarios after expect it
timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$src" --json >"$WORK/back.json" 2>&1 ||
	fail "src-libvirtd-hangs: the way back failed: $(jq -r .summary "$WORK/back.json" 2>/dev/null)"
settled_on_source src-libvirtd-hangs

# 2d. Ctrl-C while the run waits for the destination's libvirt to answer
# (frozen as the forecast starts; check-destination opens the run's own
# connection there, which then waits as long as the daemon is frozen):
# ccnc ends while it is still frozen, nothing changed, its lease given back.  The interrupt goes to ccnc's whole process group,
# as a terminal's Ctrl-C does: libvirt's ssh children must outlive it.
log "stop-while-dst-hangs"
test_cleanup() { "$LAB" thaw-daemon "$dst" libvirtd >/dev/null 2>&1; "$LAB" break-emulator "$dst" off >/dev/null 2>&1; }
BEFORE=$(ls -t "$RUNS"/*.jsonl 2>/dev/null | head -1)
setsid timeout 90 "$CCNC" -c "$conf" migrate "$VM" --to "$dst" --json -v \
	>"$WORK/stop-open.json" 2>"$WORK/stop-open.err" &
mig=$!
# frozen as the forecast starts (its sample takes 1 s on the source): the
# open that follows cannot have been answered
run=
for ((i = 0; i < 3000; i++)); do
	run=$(ls -t "$RUNS"/*.jsonl 2>/dev/null | head -1)
	[ -n "$run" ] && [ "$run" != "${BEFORE:-}" ] &&
		grep -q '"type":"step-start".*"op":"forecast"' "$run" 2>/dev/null && break
	sleep 0.01
done
"$LAB" freeze-daemon "$dst" libvirtd >/dev/null || fail "cannot freeze libvirtd on $dst"
for ((i = 0; i < 600; i++)); do
	grep -q '"type":"step-start".*"op":"check-destination"' "$run" 2>/dev/null && break
	sleep 0.1
done
sleep 3
kill -INT -- -"$mig" 2>/dev/null
wait "$mig"
rc=$?
# thawed only now: an exit before this did not wait for it
"$LAB" thaw-daemon "$dst" libvirtd >/dev/null || fail "cannot thaw libvirtd on $dst"
log "stop-while-dst-hangs: exit $rc; $(jq -r .summary "$WORK/stop-open.json" 2>/dev/null)"
# 124: timeout's, the run still waited at 90 s
[ $rc = 1 ] || { fail "stop-while-dst-hangs: ccnc exited $rc, expected 1 while $dst's libvirtd was frozen"; tail -20 "$WORK/stop-open.err" | sed 's/^/  | /'; }
steps=$(jq -r 'select(.type == "step") | "\(.op) \(.outcome)"' "$run" | tr '\n' ',')
[[ $steps =~ ^forecast\ ok,check-destination\ failed,$ ]] || fail "stop-while-dst-hangs: steps $steps"
summary=$(jq -r .summary "$WORK/stop-open.json")
[[ $summary == *"aborted by the operator"* ]] ||
	fail "stop-while-dst-hangs: the summary does not say the operator stopped it: $summary"
[[ $summary != *LEASE* ]] ||
	fail "stop-while-dst-hangs: the lease was not given back (libvirt's ssh killed by the interrupt?)"
[ "$(tail -1 "$run" | jq -r .type)" = result ] || fail "stop-while-dst-hangs: the run file does not end with its result"
settled_on_source stop-while-dst-hangs

# 3. the guest ignores the unplug: its ACPI hotplug event (GPE 1 on QEMU's
# q35) disabled through the guest agent
gexec "$src" /bin/sh -c 'echo disable > /sys/firmware/acpi/interrupts/gpe01' >/dev/null ||
	fail "cannot disable the guest's hotplug event"
scenario guest-refuses check-backup \
	'detach timeout,!release-nic ok,!restore-primary ok,$' \
	true migrate "$VM" --to "$dst"
grep -q 'still there after 8 s' "$WORK/guest-refuses.json" || fail "guest-refuses: the timeout is not what the error says"
settled_on_source guest-refuses
gexec "$src" /bin/sh -c 'echo enable > /sys/firmware/acpi/interrupts/gpe01' >/dev/null

# 4. the destination's libvirtd restarts after the migration: the run
# reconnects and finishes (the lab's own step timeout)
log "dst-libvirtd-restart"
BEFORE=$(ls -t "$RUNS"/*.jsonl 2>/dev/null | head -1)
timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$dst" --json >"$WORK/restart.json" 2>"$WORK/restart.err" &
mig=$!
when_step migrate "$LAB" stop-daemon "$dst" libvirtd
sleep 3
"$LAB" start-daemon "$dst" libvirtd || fail "libvirtd on $dst does not start again"
wait "$mig"
rc=$?
[ $rc = 0 ] && [ "$(jq -r .result "$WORK/restart.json")" = done ] ||
	{ fail "dst-libvirtd-restart: exit $rc, result $(jq -r .result "$WORK/restart.json")"; sed 's/^/  | /' "$WORK/restart.err" "$WORK/restart.json" | tail -20; }
log "dst-libvirtd-restart: $(jq -r .summary "$WORK/restart.json")"
[ "$(where_running)" = "$dst" ] || fail "dst-libvirtd-restart: $VM runs on '$(where_running)', not on $dst alone"
vs "$dst" domiflist "$VM" | grep -qi "$CCNC_LAB_PRIMARY_MAC" || fail "dst-libvirtd-restart: the stand-in is not attached on $dst"
r=$(wait_bond_on "$dst" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "dst-libvirtd-restart: bond0 not on the stand-in ($r)"
vs "$dst" metadata "$VM" --uri urn:x-ccnc:lease:1 >"$WORK/lease.xml" 2>&1 &&
	fail "dst-libvirtd-restart: the lease is still on $VM: $(cat "$WORK/lease.xml")"

# 5. the guest dies on the destination just after the migration (its kernel
# panics, as a guest under TCG once did after a migration here): the run
# fails and says loudly that the VM runs nowhere, whatever its steps believed
log "guest-dies"
here=$(where_running)
there=$(other "$here")
panic_guest() {
	vs "$1" qemu-agent-command "$VM" --timeout 5 \
		'{"execute":"guest-exec","arguments":{"path":"/bin/sh","arg":["-c","echo c >/proc/sysrq-trigger"]}}' \
		>/dev/null 2>&1 || true
}
BEFORE=$(ls -t "$RUNS"/*.jsonl 2>/dev/null | head -1)
timeout 300 "$CCNC" -c "$conf" migrate "$VM" --to "$there" --json >"$WORK/dies.json" 2>"$WORK/dies.err" &
mig=$!
when_step migrate panic_guest "$there"
wait "$mig"
rc=$?
summary=$(jq -r .summary "$WORK/dies.json")
log "guest-dies: $summary"
[ $rc = 1 ] && [ "$(jq -r .result "$WORK/dies.json")" = failed ] ||
	{ fail "guest-dies: exit $rc, result $(jq -r .result "$WORK/dies.json")"; sed 's/^/  | /' "$WORK/dies.err" | tail -20; }
[[ $summary == *"FAILED after"*"THE VM IS NOT RUNNING on $there"* ]] || fail "guest-dies: the summary does not say the VM is down"
[ -z "$(where_running)" ] || fail "guest-dies: $VM runs on '$(where_running)'"
run=$(jq -r .run_file "$WORK/dies.json")
[ "$(tail -1 "$run" | jq -r .type)" = result ] || fail "guest-dies: the run file does not end with its result"
[[ $summary == *"LEASE COULD NOT"* ]] && fail "guest-dies: the lease was not given back"
vs "$there" metadata "$VM" --uri urn:x-ccnc:lease:1 --config >"$WORK/lease.xml" 2>&1 &&
	fail "guest-dies: the stopped VM's definition keeps the lease: $(cat "$WORK/lease.xml")"
# boot it again where it died, for whoever uses the lab next
vs "$there" start "$VM" >/dev/null 2>&1 || vs "$here" start "$VM" >/dev/null 2>&1 ||
	log "guest-dies: $VM could not be started again"

# nothing unfinished in ccnc's own records
"$CCNC" -c "$CCNC_LAB_CONF" runs >"$WORK/runs.txt" 2>&1 || true
grep -qi unfinished "$WORK/runs.txt" && fail "ccnc runs shows an unfinished run: $(cat "$WORK/runs.txt")"

probes_stop
lab_down_checked
lab_result
