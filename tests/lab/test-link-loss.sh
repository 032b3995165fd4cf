#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Link loss instead of unplug: the host sets the stand-in NIC's link down for
# 3 s (virsh domif-setlink) and up again. The bond must fail over to the virtio
# backup and come back, the NFS stream must keep going. Needs the link-loss
# variant of the lab (ARP monitor, or a stand-in model whose carrier the guest
# sees): the emulated e1000e never reports link-down to a miimon bond.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DOWN_S=${CCNC_LAB_LINK_DOWN_S:-3}

lab_preflight
if "$LAB" status >/dev/null 2>&1; then
	eval "$("$LAB" env)"
	if [ "$CCNC_LAB_BOND_MON" = mii ] && [ "$CCNC_LAB_STANDIN" = e1000e ]; then
		echo "SKIP: the lab is up with an e1000e stand-in under miimon, which never sees link loss;"
		echo "      run 'tests/lab/lab down' first, or bring it up with CCNC_LAB_BOND_MON=arp"
		exit 77
	fi
else
	# e1000e needs the ARP monitor; a stand-in whose carrier the guest sees
	# (CCNC_LAB_STANDIN=virtio or e1000) works with miimon
	if [ "${CCNC_LAB_STANDIN:-e1000e}" = e1000e ]; then
		export CCNC_LAB_BOND_MON=arp
	else
		export CCNC_LAB_BOND_MON=${CCNC_LAB_BOND_MON:-mii}
	fi
fi
mem_start
lab_ensure_up
log "variant: bond monitor $CCNC_LAB_BOND_MON, stand-in $CCNC_LAB_STANDIN"

h=$(where_running)
[ "$h" = sys1 ] || [ "$h" = sys2 ] || { log "FAIL: $VM is not running"; exit 1; }
r=$(wait_bond_on "$h" "$CCNC_LAB_PRIMARY_MAC" 30) || { log "FAIL: bond0 not on the stand-in at start ($r)"; exit 1; }
before=$(stream_ticks)
probes_start
sleep 2

t0=$EPOCHREALTIME
vs "$h" domif-setlink "$VM" "$CCNC_LAB_PRIMARY_MAC" down >/dev/null || fail "domif-setlink down"
r=$(wait_bond_on "$h" "$CCNC_LAB_BACKUP_MAC" 10) || fail "bond0 did not fail over to the virtio backup ($r)"
failover_ms=$(bond_switch_ms "$t0" "$CCNC_LAB_BACKUP_MAC")
log "link down: bond on the virtio backup (${r#* }) after $failover_ms ms"
sleep "$DOWN_S"
t1=$EPOCHREALTIME
vs "$h" domif-setlink "$VM" "$CCNC_LAB_PRIMARY_MAC" up >/dev/null || fail "domif-setlink up"
r=$(wait_bond_on "$h" "$CCNC_LAB_PRIMARY_MAC" 15) || fail "bond0 did not return to the stand-in ($r)"
back_ms=$(bond_switch_ms "$t1" "$CCNC_LAB_PRIMARY_MAC")
log "link up: bond back on the stand-in (${r#* }) after $back_ms ms"
sleep 1
t2=$EPOCHREALTIME
probes_stop
mem_stop

read -r lost_down gap_down <<<"$(ping_stats "$t0" "$t1")"
read -r lost_up gap_up <<<"$(ping_stats "$t1" "$t2")"
stall_down=$(wire_stall "$t0" "$t1")
stall_up=$(wire_stall "$t1" "$t2")
errs=$(stream_errors)
after=$(stream_ticks)
echo
printf '%s\n' "bond_mon=$CCNC_LAB_BOND_MON" "standin=$CCNC_LAB_STANDIN" \
	"failover_ms=$failover_ms" "switchback_ms=$back_ms" \
	"ping_lost_linkdown=$lost_down" "ping_gap_ms_linkdown=$gap_down" "stall_ms_linkdown=$stall_down" \
	"ping_lost_linkup=$lost_up" "ping_gap_ms_linkup=$gap_up" "stall_ms_linkup=$stall_up" \
	"stream_ticks=$((after - before))" "stream_errors=$errs" "up_ms=$UP_MS" "peak_rss_mib=$(mem_peak)"
echo
[ "$stall_down" -lt "$MAX_STALL_MS" ] && [ "$stall_up" -lt "$MAX_STALL_MS" ] ||
	fail "NFS stream stalled (${stall_down}/${stall_up} ms, limit $MAX_STALL_MS ms)"
[ "$errs" = 0 ] || fail "$errs failed reads in the guest's stream"
[ $((after - before)) -gt "$DOWN_S" ] || fail "the guest's stream did not keep going"

lab_down_checked
lab_result
