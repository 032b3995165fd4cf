#!/bin/bash
# The migrate-with-passthrough sequence done by hand with virsh, without ccnc:
# detach the stand-in on sys1, migrate vm1 to sys2, attach a stand-in there,
# and back again, while the guest streams from the NFS server. Prints the
# measured numbers (the baseline ccnc must beat). Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail

LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lab
MAX_STALL_MS=${CCNC_LAB_MAX_STALL_MS:-5000}

[ "$(id -u)" = 0 ] || { echo "SKIP: must run as root"; exit 77; }
for t in virsh ip ping awk base64 jq; do
	command -v "$t" >/dev/null || { echo "SKIP: missing $t (apt-get install \$($LAB deps))"; exit 77; }
done

eval "$("$LAB" env)"
DIR=$CCNC_LAB_DIR
declare -A URI=([sys1]=$CCNC_LAB_URI_SYS1 [sys2]=$CCNC_LAB_URI_SYS2)
VM=$CCNC_LAB_VM
WORK=$(mktemp -d /tmp/ccnc-raw-seq.XXXXXX)
FAILS=0
STARTED_LAB=0
UP_MS=-1
SAMPLER=
PINGER=

log() { printf '%s %s\n' "$(date +%T.%3N)" "$*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
vs() { local h=$1; shift; timeout 120 virsh -q -c "${URI[$h]}" "$@"; }

MEMSAMPLER=
stop_mem() {
	[ -n "$MEMSAMPLER" ] || return 0
	touch "$WORK/stop-mem"
	wait "$MEMSAMPLER" 2>/dev/null
	MEMSAMPLER=
}

stop_probes() {
	if [ -n "$PINGER" ] && kill -0 "$PINGER" 2>/dev/null; then
		kill -INT "$PINGER" 2>/dev/null
		wait "$PINGER" 2>/dev/null
	fi
	PINGER=
	if [ -n "$SAMPLER" ]; then
		touch "$WORK/stop"
		wait "$SAMPLER" 2>/dev/null
	fi
	SAMPLER=
}

cleanup() {
	stop_probes
	stop_mem
	if [ "$STARTED_LAB" = 1 ] && [ -z "${KEEP_LAB:-}" ]; then
		"$LAB" down >/dev/null 2>&1
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# run a command in the guest through the QEMU guest agent on host H; print its stdout
gexec() {
	local h=$1 path=$2 args r pid i st
	shift 2
	args=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	r=$(vs "$h" qemu-agent-command "$VM" \
		"{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"$path\",\"arg\":$args,\"capture-output\":true}}" 2>/dev/null) || return 1
	pid=$(jq -r .return.pid <<<"$r")
	for ((i = 0; i < 40; i++)); do
		st=$(vs "$h" qemu-agent-command "$VM" \
			"{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}" 2>/dev/null) || return 1
		if [ "$(jq -r .return.exited <<<"$st")" = true ]; then
			jq -r '.return["out-data"] // ""' <<<"$st" | base64 -d
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# "IFACE PERMANENT_MAC" of bond0's active slave
bond_active() {
	gexec "$1" /bin/cat /proc/net/bonding/bond0 | awk '
		/^Currently Active Slave:/ { active = $4 }
		/^Slave Interface:/ { slave = $3 }
		/^Permanent HW addr:/ { perm[slave] = $4 }
		END { if (active != "") print active, perm[active] }'
}

# wait (bounded) until bond0's active slave has permanent MAC $2; print ms waited
wait_bond_on() {
	local h=$1 mac=$2 limit_s=$3 t0=$EPOCHREALTIME cur
	while :; do
		cur=$(bond_active "$h")
		if [ "${cur#* }" = "$mac" ]; then
			echo "$(ms_since "$t0") ${cur% *}"
			return 0
		fi
		[ "$(ms_since "$t0")" -lt $((limit_s * 1000)) ] || { echo "-1 ${cur:-none}"; return 1; }
		sleep 0.05
	done
}

where_running() {
	local h
	for h in sys1 sys2; do
		[ "$(vs "$h" domstate "$VM" 2>/dev/null | head -1)" = running ] && echo "$h"
	done
}

# host memory in use (MemTotal - MemAvailable), sampled every 200 ms from before
# the stand-up to the end: the lab's peak is the maximum minus the first sample
(
	exec {mfd}<> <(:)
	end=$((SECONDS + 900))
	while [ ! -e "$WORK/stop-mem" ] && [ $SECONDS -lt $end ]; do
		awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print int((t - a) / 1024) }' /proc/meminfo
		read -r -t 0.2 -u $mfd || true
	done
) > "$WORK/mem" &
MEMSAMPLER=$!

# ------------------------------------------------------------------ bring up
if "$LAB" status >/dev/null 2>&1; then
	log "using the lab that is up"
else
	log "bringing the lab up"
	t0=$EPOCHREALTIME
	out=$("$LAB" up 2>"$WORK/up.err")
	rc=$?
	if [ $rc = 77 ]; then echo "SKIP: $(tail -1 "$WORK/up.err")"; exit 77; fi
	[ $rc = 0 ] || { cat "$WORK/up.err"; log "FAIL: lab up failed"; exit 1; }
	STARTED_LAB=1
	UP_MS=$(ms_since "$t0")
	log "lab up in $UP_MS ms: $(tail -1 <<<"$out")"
fi

src=$(where_running)
[ "$src" = sys1 ] || [ "$src" = sys2 ] || { log "FAIL: $VM is not running (on '$src')"; exit 1; }
dst=sys1
[ "$src" = sys1 ] && dst=sys2
log "$VM runs on $src"
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 30) || { log "FAIL: bond0 not on the stand-in at start ($r)"; exit 1; }
stream_before=$("$LAB" serial | grep -c '^ccnc-stream')

# ------------------------------------------------------------------ probes
# NFS stream seen from the wire: bytes the NFS server sends, sampled every 10 ms
(
	exec {sfd}<> <(:)
	f=/sys/class/net/cl-nfs/statistics/rx_bytes
	end=$((SECONDS + 600))
	while [ ! -e "$WORK/stop" ] && [ $SECONDS -lt $end ]; do
		read -r b < "$f"
		echo "$EPOCHREALTIME $b"
		read -r -t 0.01 -u $sfd || true
	done
) > "$WORK/wire" &
SAMPLER=$!
# 100 pings a second from the NFS server to the guest's bond address
ip netns exec nfs ping -D -n -i 0.01 -W 1 -w 600 "$CCNC_LAB_VM_ADDR" > "$WORK/ping" 2>&1 &
PINGER=$!
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
	if ! vs "$from" detach-device "$VM" "$CCNC_LAB_STANDIN_XML" --live >/dev/null; then
		fail "detach-device on $from"
	fi
	ms=$(ms_since "$t0")
	r=$(wait_bond_on "$from" "$CCNC_LAB_BACKUP_MAC" 20) || fail "bond0 did not move to the virtio backup after the detach ($r)"
	# libvirt drops the device from the live XML at QEMU's DEVICE_DELETED
	local gone=-1 i
	for ((i = 0; i < 100; i++)); do
		vs "$from" dumpxml "$VM" | grep -qi "$CCNC_LAB_PRIMARY_MAC" || { gone=$(ms_since "$t0"); break; }
		sleep 0.1
	done
	[ "$gone" -ge 0 ] || fail "the stand-in is still in the domain 10 s after the detach"
	sleep 1
	phase_end "detach$n"
	RES+=("detach_call_ms_$n=$ms" "detach_to_backup_ms_$n=${r% *}" "detach_removed_ms_$n=$gone")
	log "detach: virsh ${ms} ms, bond on virtio (${r#* }) after ${r% *} ms, gone from the domain after $gone ms"

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
	r=$(wait_bond_on "$to" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "bond0 did not return to the attached NIC ($r)"
	sleep 1
	phase_end "attach$n"
	RES+=("attach_call_ms_$n=$ms" "attach_to_primary_ms_$n=${r% *}")
	log "attach: virsh ${ms} ms, bond back on the stand-in (${r#* }) after ${r% *} ms"
}

RES=()
T_SEQ=$EPOCHREALTIME
leg "$src" "$dst" 1
leg "$dst" "$src" 2
SEQ_MS=$(ms_since "$T_SEQ")
sleep 1
stop_probes

# ------------------------------------------------------------------ analysis
# longest interval without NFS data on the wire (> 16 KiB per 10 ms sample)
wire_stall() {
	awk -v a="$1" -v b="$2" '
		NR > 1 && $1 >= a && $1 <= b && $2 - prev > 16384 {
			if (last != "" && ($1 - last) > max) max = $1 - last
			last = $1
		}
		{ prev = $2 }
		END { printf "%d", max * 1000 }' "$WORK/wire"
}
# replies missing (assigned to the time of the reply before the gap) and the
# longest interval between replies, within [a, b]
ping_stats() {
	awk -v a="$1" -v b="$2" '
		/^\[[0-9.]+\].*icmp_seq=/ {
			t = substr($1, 2, length($1) - 2)
			for (i = 2; i <= NF; i++) if ($i ~ /^icmp_seq=/) s = substr($i, 10) + 0
			if (ps != "" && t >= a && t <= b) {
				if (s - ps > 1) lost += s - ps - 1
				if (t - pt > gap) gap = t - pt
			}
			ps = s; pt = t
		}
		END { printf "%d %d", lost, gap * 1000 }' "$WORK/ping"
}

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
sent=$(awk '/packets transmitted/ { print $1 }' "$WORK/ping")
recv=$(awk '/packets transmitted/ { print $4 }' "$WORK/ping")
printf '%-10s %10s %12s %12s\n' whole "$all_stall" "$all_lost" "$all_gap"
echo

stop_mem
peak_mem=$(awk 'NR == 1 { base = $1 } $1 > max { max = $1 } END { print max - base }' "$WORK/mem")
stream_after=$("$LAB" serial | grep -c '^ccnc-stream')
errs=$("$LAB" serial | grep -c '^ccnc-stream .* ERR')
RES+=("sequence_ms=$SEQ_MS" "stall_ms_max=$all_stall" "ping_sent=${sent:-0}" "ping_received=${recv:-0}"
	"ping_lost=$all_lost" "ping_gap_ms_max=$all_gap" "up_ms=$UP_MS" "peak_mem_mib=$peak_mem" "stream_ticks=$((stream_after - stream_before))" "stream_errors=$errs")
printf '%s\n' "${RES[@]}"
echo

[ "$all_stall" -lt "$MAX_STALL_MS" ] || fail "NFS stream stalled ${all_stall} ms (limit ${MAX_STALL_MS} ms)"
[ "$errs" = 0 ] || fail "$errs failed reads in the guest's stream"
[ $((stream_after - stream_before)) -gt $((SEQ_MS / 1000)) ] || fail "the guest's stream did not keep going"
[ "${recv:-0}" -gt 0 ] || fail "the guest's bond address never answered"

# ------------------------------------------------------------------ tear down
if [ "$STARTED_LAB" = 1 ] && [ -z "${KEEP_LAB:-}" ]; then
	pids=$("$LAB" pids)
	"$LAB" down >/dev/null 2>"$WORK/down.err" || { cat "$WORK/down.err"; fail "lab down"; }
	STARTED_LAB=0
	left=""
	for n in sys1 sys2 nfs; do
		[ -e "/run/netns/$n" ] && left+=" netns:$n"
		ip link show "cl-$n" >/dev/null 2>&1 && left+=" link:cl-$n"
	done
	ip link show "$CCNC_LAB_BRIDGE" >/dev/null 2>&1 && left+=" link:$CCNC_LAB_BRIDGE"
	for p in $pids; do
		[ -e "/proc/$p" ] && [ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" != Z ] && left+=" pid:$p"
	done
	if [ -n "$left" ]; then fail "left behind after down:$left"; else log "down: nothing left behind ($(wc -w <<<"$pids") lab processes gone)"; fi
fi

if [ $FAILS = 0 ]; then
	log "PASS"
	exit 0
fi
log "FAILED ($FAILS)"
exit 1
