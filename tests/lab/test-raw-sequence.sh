#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The migrate-with-passthrough sequence done by hand with virsh, without ccnc:
# detach the stand-in on sys1, migrate vm1 to sys2, attach a stand-in there,
# and back again, while the guest streams from the NFS server. Prints the
# measured numbers (the baseline ccnc must beat). Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# CCNC_LAB_PLANNED_SWITCH=1: switch the bond to the backup through the guest
# agent before each detach (what ccnc does), instead of letting the unplug do it
PLANNED=${CCNC_LAB_PLANNED_SWITCH:-0}

lab_preflight
mem_start
# ------------------------------------------------------------------ bring up
lab_ensure_up

lab_start_placement
stream_before=$(stream_ticks)

# ------------------------------------------------------------------ probes
probes_start
sleep 2

declare -A PHASE_START PHASE_END
phase_begin() { PHASE_START[$1]=$EPOCHREALTIME; }
phase_end() { PHASE_END[$1]=$EPOCHREALTIME; }
PHASES=()

# one leg: detach on $1, migrate $1 -> $2, attach on $2
leg() {
	local from=$1 to=$2 n=$3 t0 ms r js
	log "leg $n: $from -> $to"

	# detach the stand-in; the bond must fail over to the virtio backup
	PHASES+=("detach$n"); phase_begin "detach$n"
	t0=$EPOCHREALTIME
	if [ "$PLANNED" = 1 ]; then
		# switch the bond to the backup through the guest agent first, as ccnc does
		gexec "$from" /bin/sh -c "for f in /run/nic-mac/*; do
			[ \"\$(cat \$f)\" = $CCNC_LAB_BACKUP_MAC ] && echo \${f##*/} > /sys/class/net/bond0/bonding/active_slave
			done; true" >/dev/null || fail "planned switch to the backup"
		local call_ms sw0 i
		call_ms=$(ms_since "$t0")
		for ((i = 0; i < 50; i++)); do
			sw0=$(bond_switch_ms "$t0" "$CCNC_LAB_BACKUP_MAC")
			[ "$sw0" -ge 0 ] && break
			sleep 0.02
		done
		RES+=("planned_switch_ms_$n=$sw0" "planned_call_ms_$n=$call_ms")
		log "planned switch: bond on virtio at $sw0 ms (guest agent calls: $call_ms ms)"
		t0=$EPOCHREALTIME
	fi
	if ! vs "$from" detach-device "$VM" "$CCNC_LAB_STANDIN_XML" --live >/dev/null; then
		fail "detach-device on $from"
	fi
	ms=$(ms_since "$t0")
	# libvirt drops the device from the live XML at QEMU's DEVICE_DELETED
	local gone=-1 i
	for ((i = 0; i < 50; i++)); do
		vs "$from" domiflist "$VM" | grep -qi "$CCNC_LAB_PRIMARY_MAC" || { gone=$(ms_since "$t0"); break; }
		sleep 0.2
	done
	[ "$gone" -ge 0 ] || fail "the stand-in is still in the domain 10 s after the detach"
	r=$(wait_bond_on "$from" "$CCNC_LAB_BACKUP_MAC" 20 "$t0") || fail "bond0 did not move to the virtio backup after the detach ($r)"
	sleep 1
	phase_end "detach$n"
	local sw
	sw=$(bond_switch_ms "$t0" "$CCNC_LAB_BACKUP_MAC")
	[ "$PLANNED" = 1 ] || RES+=("detach_to_backup_ms_$n=$sw")
	RES+=("detach_call_ms_$n=$ms" "detach_removed_ms_$n=$gone")
	[ "$sw" = -1 ] && [ "$PLANNED" = 1 ] && sw="(already)"
	log "detach: virsh ${ms} ms, gone from the domain at $gone ms, bond on virtio (${r#* }) at $sw ms"

	# live migration, peer to peer over ssh
	PHASES+=("migrate$n"); phase_begin "migrate$n"
	t0=$EPOCHREALTIME
	if ! vs "$from" migrate --live --p2p --persistent --undefinesource "$VM" "${URI[$to]}" >/dev/null; then
		fail "migrate $from -> $to"
	fi
	ms=$(ms_since "$t0")
	sleep 1
	phase_end "migrate$n"
	js=$(vs "$to" domjobinfo "$VM" --completed 2>/dev/null)
	local total down
	total=$(awk -F: '/^Time elapsed:/ { print $2 + 0; exit }' <<<"$js")
	down=$(awk -F: '/^Total downtime:/ { print $2 + 0; exit }' <<<"$js")
	[ "$(where_running)" = "$to" ] || fail "$VM does not run on $to (only) after the migration"
	RES+=("migrate_wall_ms_$n=$ms" "migrate_total_ms_$n=${total:-?}" "migrate_downtime_ms_$n=${down:-?}")
	log "migrate: virsh ${ms} ms, QEMU total ${total:-?} ms, downtime ${down:-?} ms; running on $(where_running | tr '\n' ' ')"

	# attach a stand-in on the destination; the bond must return to it
	PHASES+=("attach$n"); phase_begin "attach$n"
	t0=$EPOCHREALTIME
	if ! vs "$to" attach-device "$VM" "$CCNC_LAB_STANDIN_XML" --live >/dev/null; then
		fail "attach-device on $to"
	fi
	ms=$(ms_since "$t0")
	r=$(wait_bond_on "$to" "$CCNC_LAB_PRIMARY_MAC" 30 "$t0") || fail "bond0 did not return to the attached NIC ($r)"
	sleep 1
	phase_end "attach$n"
	sw=$(bond_switch_ms "$t0" "$CCNC_LAB_PRIMARY_MAC")
	RES+=("attach_call_ms_$n=$ms" "attach_to_primary_ms_$n=$sw")
	log "attach: virsh ${ms} ms, bond back on the stand-in (${r#* }) at $sw ms"
}

RES=()
T_SEQ=$EPOCHREALTIME
leg "$src" "$dst" 1
leg "$dst" "$src" 2
SEQ_MS=$(ms_since "$T_SEQ")
sleep 1
probes_stop

# ------------------------------------------------------------------ analysis
echo
printf '%-10s %10s %12s %12s\n' phase stall_ms ping_lost ping_gap_ms
max_stall=0
for p in "${PHASES[@]}"; do
	s=$(wire_stall "${PHASE_START[$p]}" "${PHASE_END[$p]}")
	read -r l g <<<"$(ping_stats "${PHASE_START[$p]}" "${PHASE_END[$p]}")"
	printf '%-10s %10s %12s %12s\n' "$p" "$s" "$l" "$g"
	RES+=("stall_ms_$p=$s" "ping_lost_$p=$l" "ping_gap_ms_$p=$g")
	[ "$s" -gt "$max_stall" ] && max_stall=$s
done
all_stall=$(wire_stall "$T_SEQ" "$EPOCHREALTIME")
read -r all_lost all_gap <<<"$(ping_stats "$T_SEQ" "$EPOCHREALTIME")"
read -r sent recv <<<"$(ping_totals)"
printf '%-10s %10s %12s %12s\n' whole "$all_stall" "$all_lost" "$all_gap"
echo

mem_stop
peak_mem=$(mem_peak)
stream_after=$(stream_ticks)
errs=$(stream_errors)
RES+=("sequence_ms=$SEQ_MS" "stall_ms_max=$all_stall" "ping_sent=${sent:-0}" "ping_received=${recv:-0}"
	"ping_lost=$all_lost" "ping_gap_ms_max=$all_gap" "up_ms=$UP_MS" "peak_rss_mib=$peak_mem" "stream_ticks=$((stream_after - stream_before))" "stream_errors=$errs")
printf '%s\n' "${RES[@]}"
echo

[ "$all_stall" -lt "$MAX_STALL_MS" ] || fail "NFS stream stalled ${all_stall} ms (limit ${MAX_STALL_MS} ms)"
[ "$errs" = 0 ] || fail "$errs failed reads in the guest's stream"
[ $((stream_after - stream_before)) -gt $((SEQ_MS / 1000)) ] || fail "the guest's stream did not keep going"
[ "${recv:-0}" -gt 0 ] || fail "the guest's bond address never answered"

# ------------------------------------------------------------------ tear down
lab_down_checked
lab_result
