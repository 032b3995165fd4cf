#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The thesis' passthrough for real: on the lab's two SR-IOV hypervisors
# (CCNC_LAB_SRIOV_HOSTS=2 tests/lab/lab up: QEMU 10 guests with emulated
# VT-d and an emulated 82576), the nested guest svm1 holds a real VF through
# VFIO as its bond's primary.  `ccnc migrate svm1` there and back, each leg
# checked against what the hosts say: the run's steps all ok in order;
# libvirt: the VM on the destination only, its <interface type='hostdev'>
# the VF that carries its MAC; sysfs and `ip -d link`: that VF on vfio-pci
# with the VM's MAC on the destination, and on the source no VF with it and
# every VF back on igbvf; the guest: its bond back on the VF, its NFS stream
# going on with no failed read, through the VF (the 82576 port's own tap
# carries it).  Then the failure cases: no free VF on the destination
# (refused, nothing touched) and the destination's libvirtd stopped after
# the checks (rolled back: the VF hot-plugged again on the source).  It brings that lab up when none is up (about 4 minutes) and
# skips when QEMU 10 cannot be fetched or another lab is up.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc jq
export CCNC_AGENT_BINARY=${CCNC_AGENT_BINARY:-$(dirname "$CCNC")/ccnc-agent}
lab_preflight
export XDG_STATE_HOME=$WORK/state
CCNC_LAB_DIR=${CCNC_LAB_DIR:-/var/tmp/ccnc-lab}
SVM=svm1
if "$LAB" status >/dev/null 2>&1; then
	conf=$(eval "$("$LAB" env)"; echo "$CCNC_LAB_CONF")
	grep -q '^\[host sr2\]' "$conf" ||
		{ echo "SKIP: a lab without SR-IOV hypervisors is up (down it, or bring up CCNC_LAB_SRIOV_HOSTS=2 tests/lab/lab up)"; exit 77; }
	log "using the lab that is up"
else
	log "bringing the lab up with two SR-IOV hypervisors"
	t0=$EPOCHREALTIME
	CCNC_LAB_SRIOV_HOSTS=2 "$LAB" up >"$WORK/up.out" 2>"$WORK/up.err"
	rc=$?
	if [ $rc = 77 ]; then echo "SKIP: $(tail -1 "$WORK/up.err")"; exit 77; fi
	if [ $rc != 0 ] && grep -q 'cannot fetch QEMU 10' "$WORK/up.err"; then
		echo "SKIP: no QEMU 10 here: $(grep 'cannot fetch QEMU 10' "$WORK/up.err" | tail -1)"
		"$LAB" down >/dev/null 2>&1
		exit 77
	fi
	[ $rc = 0 ] || { cat "$WORK/up.err"; log "FAIL: lab up failed"; "$LAB" down >/dev/null 2>&1; exit 1; }
	STARTED_LAB=1
	UP_MS=$(ms_since "$t0")
	log "lab up in $UP_MS ms: $(grep -E 'streams on|SR-IOV hypervisors up' "$WORK/up.err" | tr '\n' ' ')"
fi
lab_load_env
C() { timeout 1500 "$CCNC" -c "$CCNC_LAB_CONF" "$@"; }
S() { local h=$1; shift; timeout 60 "$CCNC_LAB_DIR/ssh/ssh" "$(addr_of "$h")" "$@"; }
addr_of() { awk -v h="[host $1]" '$0 == h { on = 1; next } /^\[/ { on = 0 } on && /^address/ { print $3; exit }' "$CCNC_LAB_CONF"; }
PMAC=$(awk '/^\[vm svm1\]/ { on = 1; next } /^\[/ { on = 0 } on && /^passthrough_mac/ { print $3 }' "$CCNC_LAB_CONF")
PF=0000:00:03.0
# the hosts the VM runs on, by libvirt
runs_on() { local h; for h in sr1 sr2; do S "$h" virsh -q list --name 2>/dev/null | grep -qx "$SVM" && echo "$h"; done; }
# "INDEX PCI DRIVER MAC" for each VF of host $1's 82576
vfs() {
	S "$1" "ip -j -d link show \$(ls /sys/bus/pci/devices/$PF/net); for v in /sys/bus/pci/devices/$PF/virtfn*; do echo \"\${v##*virtfn} \$(basename \$(readlink -f \$v)) \$(basename \$(readlink \$v/driver) 2>/dev/null)\"; done" >"$WORK/vfs.$1" || return 1
	head -1 "$WORK/vfs.$1" | jq -r '.[0].vfinfo_list[] | "\(.vf) \(.address)"' >"$WORK/vfmac.$1"
	tail -n +2 "$WORK/vfs.$1" | sort -n | join - <(sort -n "$WORK/vfmac.$1")
}
# the last MAC the guest's bond watcher logged as active
bond_mac() { "$LAB" serial "$SVM" | tr -d '\r' | awk '/^ccnc-bond/ { m = $4 } END { print m }'; }
# with net_failover (TEAM=1) both halves have the VF's MAC: the driver of
# the active lower tells them apart
bond_drv() { "$LAB" serial "$SVM" | tr -d '\r' | awk '/^ccnc-bond/ { d = $5 } END { print d }'; }
TEAM=0
# the guest's bond (net_failover's active lower) is on the VF
on_vf() { if [ $TEAM = 1 ]; then [ "$(bond_drv)" = igbvf ]; else [ "$(bond_mac)" = "$PMAC" ]; fi; }
stream_ticks() { "$LAB" serial "$SVM" | grep -ac '^ccnc-stream .* ok'; }
stream_errors() { "$LAB" serial "$SVM" | grep -ac '^ccnc-stream .* ERR'; }

# where it starts
[ "$(runs_on)" = sr1 ] || [ "$(runs_on)" = sr2 ] || { fail "$SVM runs on '$(runs_on)', not on one SR-IOV hypervisor"; lab_result; }
start=$(runs_on)
other() { [ "$1" = sr1 ] && echo sr2 || echo sr1; }
log "$SVM runs on $start; its VFs: $(vfs "$start" | tr '\n' ';')"

# the guest agent answers on host $1: after a migration the nested guest
# takes a while to reopen its channel ("Guest agent not available for now"),
# and an action's checks read the bond through it
agent_ready() {
	local i
	for ((i = 0; i < 60; i++)); do
		# one string: the remote shell would take the JSON's quotes away
		S "$1" "virsh -q qemu-agent-command $SVM '{\"execute\":\"guest-ping\"}'" >/dev/null 2>&1 && return 0
		sleep 5
	done
	fail "the guest agent of $SVM on $1 does not answer within 5 min"
	return 1
}

RES=()
LAST_RUN=
leg() {
	local n=$1 from=$2 to=$3 rc run ticks0 ticks1 vf pci drv _mac xml tx0 tx1 vx0 vx1 i
	ticks0=$(stream_ticks)
	agent_ready "$from" || return
	log "leg $n: ccnc migrate $SVM --to $to"
	C migrate "$SVM" --to "$to" --json >"$WORK/leg$n.json" 2>"$WORK/leg$n.err"
	rc=$?
	[ $rc = 0 ] || { fail "leg $n: ccnc migrate exited $rc"; tail -20 "$WORK/leg$n.err" | sed 's/^/  | /'; }
	run=$(jq -r .run_file "$WORK/leg$n.json" 2>/dev/null)
	LAST_RUN=$run
	[ -s "$run" ] || { fail "leg $n: no run file"; return; }
	[ "$(jq -r .result "$WORK/leg$n.json")" = "done" ] || fail "leg $n: result $(jq -r .result "$WORK/leg$n.json"): $(jq -r .summary "$WORK/leg$n.json")"
	# every step ok, in the plan's order
	[ "$(jq -r 'select(.type == "step") | .op' "$run" | tr '\n' ' ')" = "$(head -1 "$run" | jq -r '.plan | join(" ")') " ] ||
		fail "leg $n: steps $(jq -r 'select(.type == "step") | .op' "$run" | tr '\n' ' ') against the plan"
	[ -z "$(jq -r 'select(.type == "step" and .outcome != "ok") | .op' "$run")" ] ||
		fail "leg $n: steps not ok: $(jq -r 'select(.type == "step" and .outcome != "ok") | "\(.op) \(.outcome)"' "$run" | tr '\n' ' ')"
	# libvirt: on the destination only
	[ "$(runs_on)" = "$to" ] || fail "leg $n: $SVM runs on '$(runs_on)', not $to alone"
	# the destination: a VF with the VM's MAC, on vfio-pci, the one libvirt gave it
	vfs "$to" >"$WORK/to$n"
	read -r vf pci drv _mac < <(awk -v m="$PMAC" 'tolower($4) == tolower(m)' "$WORK/to$n")
	if [ -z "${vf:-}" ]; then
		fail "leg $n: no VF of $to carries $PMAC: $(tr '\n' ';' <"$WORK/to$n")"
	else
		[ "$drv" = vfio-pci ] && log "leg $n: $to's VF $vf ($pci) has $PMAC and is bound to vfio-pci" ||
			fail "leg $n: $to's VF $vf ($pci) is on '$drv', not vfio-pci"
		xml=$(S "$to" virsh -q dumpxml "$SVM" | tr -d '\n')
		local want
		want=$(awk -F'[:.]' '{ printf "domain=.0x%s. bus=.0x%s. slot=.0x%s. function=.0x%s.", $1, $2, $3, $4 }' <<<"$pci")
		grep -Eq "<interface type=.hostdev.[^>]*>.*<mac address=.$PMAC.*<source> *<address type=.pci. $want" <<<"$xml" &&
			log "leg $n: libvirt on $to: <interface type='hostdev'> with $pci and $PMAC" ||
			fail "leg $n: $to's domain XML has no hostdev interface with $pci and $PMAC"
	fi
	# the source: the VF released (no VF keeps the VM's MAC; all on igbvf)
	vfs "$from" >"$WORK/from$n"
	awk -v m="$PMAC" 'tolower($4) == tolower(m)' "$WORK/from$n" | grep -q . &&
		fail "leg $n: a VF of $from still carries $PMAC: $(tr '\n' ';' <"$WORK/from$n")"
	awk '$3 != "igbvf"' "$WORK/from$n" | grep -q . &&
		fail "leg $n: a VF of $from is not back on igbvf: $(tr '\n' ';' <"$WORK/from$n")" ||
		log "leg $n: $from's VFs all back on igbvf, none with $PMAC"
	# the guest: its bond on the VF (the primary's MAC), within a bound
	for ((i = 0; i < 120; i++)); do
		on_vf && break
		sleep 1
	done
	on_vf && log "leg $n: the guest's bond is on the VF again" ||
		fail "leg $n: the guest's bond is on $(bond_mac) $(bond_drv), not the VF ($PMAC)"
	# its stream goes on, through the VF: the 82576 port's tap carries it
	# (10 s of it: 2 MB or so at nested TCG's pace)
	# against its virtio NIC's (10 s of it, once it runs again: after a
	# minute's outage the NFS server's retransmission timer has backed off)
	ticks1=$(stream_ticks)
	for ((i = 0; i < 180; i++)); do
		[ "$(stream_ticks)" -gt $((ticks1 + 2)) ] && break
		sleep 1
	done
	tx0=$(cat "/sys/class/net/cl-${to}p/statistics/tx_bytes")
	vx0=$(cat "/sys/class/net/cl-$to/statistics/tx_bytes")
	ticks1=$(stream_ticks)
	sleep 10
	tx1=$(cat "/sys/class/net/cl-${to}p/statistics/tx_bytes")
	vx1=$(cat "/sys/class/net/cl-$to/statistics/tx_bytes")
	[ "$(stream_ticks)" -gt "$ticks1" ] && [ "$ticks1" -gt "$ticks0" ] ||
		fail "leg $n: the stream did not go on ($ticks0 ticks before the leg, $ticks1 after, $(stream_ticks) 10 s later)"
	[ $((tx1 - tx0)) -gt 65536 ] && [ $((tx1 - tx0)) -gt $((10 * (vx1 - vx0))) ] &&
		log "leg $n: in 10 s, $((tx1 - tx0)) bytes towards $to's 82576 port (the VF), $((vx1 - vx0)) towards its virtio NIC" ||
		fail "leg $n: in 10 s, $((tx1 - tx0)) bytes towards $to's 82576 port (the VF), $((vx1 - vx0)) towards its virtio NIC"
	local d
	for d in detach migrate attach wait-enslaved; do
		[ $TEAM = 1 ] && [ $d != migrate ] && continue
		RES+=("leg${n}_${d}_ms=$(jq -r --arg o "$d" 'select(.type == "step" and .op == $o) | .duration_ms' "$run")")
	done
	RES+=("leg${n}_total_ms=$(jq -r .total_ms "$WORK/leg$n.json")"
		"leg${n}_downtime_ms=$(jq -r .downtime_ms "$WORK/leg$n.json")"
		"leg${n}_probe_gap_ms=$(jq -r .longest_gap_ms "$WORK/leg$n.json")"
		"leg${n}_probe_lost=$(jq -r .lost_probes "$WORK/leg$n.json")"
		"leg${n}_stream_stall_ms=$(jq -r .stream_stall_ms "$WORK/leg$n.json")")
	log "leg $n: $(jq -r '"total \(.total_ms) ms, downtime \(.downtime_ms) ms, longest probe gap \(.longest_gap_ms) ms, stream stall \(.stream_stall_ms) ms"' "$WORK/leg$n.json")"
}

leg 1 "$start" "$(other "$start")"
leg 2 "$(other "$start")" "$start"

# The failure cases, svm1 on $start and $dst the other host.  Afterwards
# nothing is half-done: svm1 runs on $start alone, holds the VF with its MAC
# there (on vfio-pci), $dst's VFs are all free on igbvf, the bond is on the VF.
dst=$(other "$start")
settled() {
	local name=$1 i vf pci drv _mac
	[ "$(runs_on)" = "$start" ] || fail "$name: $SVM runs on '$(runs_on)', not on $start alone"
	read -r vf pci drv _mac < <(vfs "$start" | awk -v m="$PMAC" 'tolower($4) == tolower(m)')
	[ "${drv:-}" = vfio-pci ] || fail "$name: no VF of $start with $PMAC on vfio-pci: $(vfs "$start" | tr '\n' ';')"
	vfs "$dst" >"$WORK/dst.$name"
	awk -v m="$PMAC" '$3 != "igbvf" || tolower($4) == tolower(m)' "$WORK/dst.$name" | grep -q . &&
		fail "$name: $dst's VFs are not all free on igbvf: $(tr '\n' ';' <"$WORK/dst.$name")"
	for ((i = 0; i < 120; i++)); do
		on_vf && break
		sleep 1
	done
	on_vf && log "$name: $SVM on $start alone, on its VF $vf ($pci), $dst's VFs free" ||
		fail "$name: the guest's bond is on $(bond_mac), not the VF ($PMAC)"
}

# 1. no free VF on the destination: two other VMs of the pool hold both of
# $dst's VFs; the migration is refused before anything is touched
hog=$WORK/hog.conf
{
	cat "$CCNC_LAB_CONF"
	for n in 1 2 3 4; do
		printf '\n[vm hog%s]\nhost = %s\npassthrough = pool:sriov\npassthrough_mac = 52:54:00:77:2f:0%s\nbackup = alias:net1\n' "$n" "$dst" "$n"
	done
} >"$hog"
n_vf=$(vfs "$dst" | wc -l)
for ((k = 1; k <= n_vf; k++)); do
	timeout 300 "$CCNC" -c "$hog" pool sriov reserve "$dst" "hog$k" >"$WORK/hog$k.out" 2>&1 ||
		{ fail "pool reserve hog$k on $dst"; sed 's/^/  | /' "$WORK/hog$k.out"; }
done
agent_ready "$start"
runs0=$(ls "$XDG_STATE_HOME/ccnc/runs" 2>/dev/null | wc -l)
timeout 300 "$CCNC" -c "$hog" migrate "$SVM" --to "$dst" >"$WORK/novf.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "cannot go to $dst: every VF of port .* is taken: hog1 (VF 0, reserved), hog2 (VF 1, reserved)" "$WORK/novf.out" &&
	log "no free VF: refused: $(head -1 "$WORK/novf.out")" ||
	{ fail "no free VF: exit $rc"; sed 's/^/  | /' "$WORK/novf.out"; }
[ "$(ls "$XDG_STATE_HOME/ccnc/runs" 2>/dev/null | wc -l)" = "$runs0" ] || fail "no free VF: a run was started"
settled no-free-vf
for ((k = 1; k <= n_vf; k++)); do
	timeout 300 "$CCNC" -c "$hog" pool sriov release "$dst" "hog$k" >"$WORK/rel$k.out" 2>&1 ||
		{ fail "pool release hog$k on $dst"; sed 's/^/  | /' "$WORK/rel$k.out"; }
done

# 2. the destination's libvirtd stops once the checks passed and the bond
# is proven on its backup (stopping it sooner loads the two cores while
# verify-on-backup counts the nested guest's replies): the migration
# cannot start; the VF reserved on $dst is given back, the VF hot-plugged on
# $start again through VFIO and the bond switched back to it
agent_ready "$start"
log "dst-libvirtd: ccnc migrate $SVM --to $dst, $dst's libvirtd stopped after the checks"
before=$(ls -t "$XDG_STATE_HOME"/ccnc/runs/*.jsonl 2>/dev/null | head -1)
C migrate "$SVM" --to "$dst" --json >"$WORK/dstlv.json" 2>"$WORK/dstlv.err" &
mig=$!
for ((i = 0; i < 30000; i++)); do
	f=$(ls -t "$XDG_STATE_HOME"/ccnc/runs/*.jsonl 2>/dev/null | head -1)
	[ -n "$f" ] && [ "$f" != "$before" ] && grep -q '"type":"step".*"op":"verify-on-backup"' "$f" && break
	kill -0 $mig 2>/dev/null || break
	sleep 0.01
done
"$LAB" stop-daemon "$dst" libvirtd >"$WORK/stop.out" 2>&1 || { fail "cannot stop $dst's libvirtd"; cat "$WORK/stop.out"; }
wait $mig
rc=$?
"$LAB" start-daemon "$dst" libvirtd >"$WORK/start.out" 2>&1 || { fail "$dst's libvirtd does not start again"; cat "$WORK/start.out"; }
[ $rc = 1 ] && [ "$(jq -r .result "$WORK/dstlv.json")" = rolled-back ] ||
	{ fail "dst-libvirtd: exit $rc, result $(jq -r .result "$WORK/dstlv.json" 2>/dev/null)"; tail -20 "$WORK/dstlv.err" | sed 's/^/  | /'; }
run=$(jq -r .run_file "$WORK/dstlv.json" 2>/dev/null)
steps=$(jq -r 'select(.type == "step") | "\(if .rollback then "!" else "" end)\(.op) \(.outcome)"' "$run" 2>/dev/null | tr '\n' ',')
[[ $steps =~ 'migrate failed,!release-nic ok,!reattach-source ok,!restore-primary ok,'$ ]] &&
	log "dst-libvirtd: $(jq -r .summary "$WORK/dstlv.json")" || fail "dst-libvirtd: steps $steps"
[ "$(tail -1 "$run" | jq -r .type 2>/dev/null)" = result ] || fail "dst-libvirtd: the run file does not end with its result"
settled dst-libvirtd
RES+=("rollback_total_ms=$(jq -r .total_ms "$WORK/dstlv.json")"
	"rollback_probe_gap_ms=$(jq -r .longest_gap_ms "$WORK/dstlv.json")")

# 3. QEMU's own failover (<teaming>): svm1 booted again with the VF as the
# transient half of a pair with its virtio NIC and net_failover in the
# guest; ccnc plans a plain migration (QEMU unplugs the VF, migrates, plugs
# the destination's VF at the same address), checked as the legs above
errs=$(stream_errors)
log "teaming: svm1 booted again with a <teaming> pair (lab teaming on)"
"$LAB" teaming on >"$WORK/team.out" 2>&1 || { fail "lab teaming on"; tail -5 "$WORK/team.out" | sed 's/^/  | /'; }
log "teaming: $(grep streams "$WORK/team.out")"
TEAM=1
grep -aq 'failover master .* over: ' <("$LAB" serial "$SVM") &&
	log "teaming: the guest's $("$LAB" serial "$SVM" | grep -a 'failover master' | tail -1 | sed 's/^ccnc-lab: //')" ||
	fail "teaming: the guest made no net_failover master"
on_vf || fail "teaming: net_failover's active lower is on '$(bond_drv)', not the VF"
[ "$(runs_on)" = "$start" ] || fail "teaming: $SVM runs on '$(runs_on)', not $start"
leg 3 "$start" "$dst"
[ "$(head -1 "$LAST_RUN" | jq -r .kind)" = migrate-teaming ] || fail "teaming: ccnc planned $(head -1 "$LAST_RUN" | jq -r .kind), not migrate-teaming"
S "$dst" virsh -q dumpxml "$SVM" | grep -q "<teaming type=.transient. persistent=.ua-backup0./>" ||
	fail "teaming: the VF is no longer the transient half of the pair on $dst"
[ "$STARTED_LAB" = 1 ] || { "$LAB" teaming off >"$WORK/team.out" 2>&1 || fail "lab teaming off"; }
errs=$((errs + $(stream_errors)))
[ "$errs" = 0 ] || fail "the stream failed $errs reads"
[ "$STARTED_LAB" = 1 ] && RES+=("up_ms=$UP_MS")
for r in "${RES[@]}"; do echo "RESULT $r"; done
lab_down_checked
lab_result
