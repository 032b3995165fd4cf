#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Several migrations at once: `ccnc evacuate sys1 --parallel N --json` on a
# lab with several guests (CCNC_LAB_VMS), all streaming from the NFS server
# while the NFS server pings each of them, then back.  Asserted for every
# guest, from ccnc's JSON and run files, ccnc status, libvirt and the guest:
# the migration done with every step ok and probe records, the VM on the
# destination only with its bond back on the stand-in, its stream kept
# going without a failed read, and few pings lost.
# Exit 0 pass, 1 fail, 77 skip (with the reason).
# Settings: CCNC_LAB_EVACUATE_VMS (guests in a lab it brings up, default 3),
# CCNC_LAB_EVACUATE_PARALLEL (default: all at once), CCNC_LAB_MAX_LOST
# (per guest and leg, default 500), CCNC_LAB_MAX_STALL_MS (default 15000).
set -uo pipefail
CCNC_LAB_MAX_STALL_MS=${CCNC_LAB_MAX_STALL_MS:-15000}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc
WANT_VMS=${CCNC_LAB_EVACUATE_VMS:-3}
MAX_LOST=${CCNC_LAB_MAX_LOST:-500}
[[ $WANT_VMS =~ ^[0-9]+$ ]] && [ "$WANT_VMS" -ge 2 ] ||
	{ echo "SKIP: CCNC_LAB_EVACUATE_VMS must be 2 or more, not '$WANT_VMS'"; exit 77; }

lab_preflight
export XDG_STATE_HOME=$WORK/state
SERIAL=
PINGERS=()

# a lab that is up must have several guests; one that this test brings up
# gets CCNC_LAB_EVACUATE_VMS of them (and goes down at the end)
if "$LAB" status >/dev/null 2>&1; then
	up_vms=$("$LAB" env | sed -n 's/^CCNC_LAB_VMS=//p')
	if [ "${up_vms:-1}" -lt 2 ]; then
		echo "SKIP: the lab that is up has ${up_vms:-1} VM; this test needs several (tests/lab/lab down, or CCNC_LAB_VMS=$WANT_VMS tests/lab/lab up)"
		exit 77
	fi
fi
CCNC_LAB_VMS=$WANT_VMS
export CCNC_LAB_VMS
lab_ensure_up
NV=$CCNC_LAB_VMS
PARALLEL=${CCNC_LAB_EVACUATE_PARALLEL:-$NV}
VMS=()
for ((k = 1; k <= NV; k++)); do VMS+=("vm$k"); done
declare -A PMAC ADDR
for ((k = 1; k <= NV; k++)); do
	PMAC[vm$k]=$(printf '52:54:00:77:%02x:01' "$k")
	ADDR[vm$k]=10.77.0.$((100 + k))
done
log "$NV VMs: ${VMS[*]}; evacuating $PARALLEL at once"

# where every guest starts: all on one host, each with bond0 on its stand-in
src=
for v in "${VMS[@]}"; do
	h=$(VM=$v where_running)
	[ "$h" = sys1 ] || [ "$h" = sys2 ] || { log "FAIL: $v is not running on one host (on '$h')"; exit 1; }
	[ -z "$src" ] || [ "$src" = "$h" ] || { log "FAIL: the VMs are not all on $src ($v is on $h)"; exit 1; }
	src=$h
	r=$(VM=$v wait_bond_on "$h" "${PMAC[$v]}" 60) || { log "FAIL: $v: bond0 not on the stand-in at start ($r)"; exit 1; }
done
dst=sys1
[ "$src" = sys1 ] && dst=sys2
log "all on $src with bond0 on the stand-in"

# every guest's serial lines (stream ticks, bond changes) as they reach the
# hosts' logs, in host time: "EPOCH VM ccnc-stream|ccnc-bond ..."; and 50
# pings a second from the NFS server to each guest
serial_start() {
	(
		exec {tfd}<> <(:)
		declare -A fd part
		end=$((SECONDS + 1800))
		first=1
		while [ ! -e "$WORK/stop" ] && [ $SECONDS -lt $end ]; do
			for v in "${VMS[@]}"; do
				for h in sys1 sys2; do
					f=$CCNC_LAB_DIR/hosts/$h/var.u/log/libvirt/qemu/$v-serial.log
					if [ -z "${fd[$h$v]:-}" ]; then
						[ -e "$f" ] || continue
						exec {x}<"$f"
						fd[$h$v]=$x
						part[$h$v]=
						[ $first = 1 ] && while read -r -u "$x" _; do :; done
					fi
					while :; do
						line=
						if IFS= read -r -u "${fd[$h$v]}" line; then
							line=${part[$h$v]}$line
							part[$h$v]=
							line=${line%$'\r'}
							[[ $line == ccnc-stream* || $line == ccnc-bond* ]] && echo "$EPOCHREALTIME $v $line"
						else
							part[$h$v]+=$line
							break
						fi
					done
				done
			done
			first=0
			read -r -t 0.05 -u $tfd || true
		done
	) >"$WORK/serial" &
	SERIAL=$!
	PINGERS=()
	for v in "${VMS[@]}"; do
		ip netns exec nfs ping -D -n -i 0.02 -W 1 -w 1800 "${ADDR[$v]}" >"$WORK/ping-$v" 2>&1 &
		PINGERS+=($!)
	done
}
serial_stop() {
	local p
	for p in "${PINGERS[@]}"; do
		kill -INT "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PINGERS=()
	[ -n "${SERIAL:-}" ] || return 0
	touch "$WORK/stop"
	wait "$SERIAL" 2>/dev/null
	SERIAL=
}
trap 'serial_stop; lab_cleanup' EXIT

# VM A B: "TICKS LONGEST_MS ERRORS" of VM's stream within [A, B], in host time
stream_stats() {
	awk -v vm="$1" -v a="$2" -v b="$3" '
		$2 == vm && $3 == "ccnc-stream" && $1 >= a && $1 <= b {
			if ($6 == "ok") { n++; if (last != "" && $1 - last > max) max = $1 - last; last = $1 }
			else err++
		}
		END { printf "%d %d %d", n, max * 1000, err }' "$WORK/serial"
}
# VM A B: "LOST GAP_MS" of the pings to VM within [A, B]
vm_ping_stats() { ping_stats "$2" "$3" "$WORK/ping-$1"; }

STEPS=$MIGRATE_STEPS_OK

RES=()
# one evacuation: every VM from $1 to $2, at most PARALLEL at once
leg() {
	local from=$1 to=$2 n=$3 t0 t1 rc out v run r ticks stall errs lost gap first last
	log "leg $n: ccnc evacuate $from --parallel $PARALLEL"
	t0=$EPOCHREALTIME
	timeout 900 "$CCNC" -c "$CCNC_LAB_CONF" evacuate "$from" --parallel "$PARALLEL" --json \
		>"$WORK/evac$n.json" 2>"$WORK/evac$n.err"
	rc=$?
	t1=$EPOCHREALTIME
	out=$WORK/evac$n.json
	if [ $rc != 0 ]; then
		fail "ccnc evacuate $from exited $rc"
		sed 's/^/  | /' "$WORK/evac$n.err" | tail -40
	fi
	if ! jq -e 'type == "array"' "$out" >/dev/null 2>&1; then
		fail "ccnc evacuate $from printed no JSON array"
		"$CCNC" runs 2>&1 | sed 's/^/  | /' | tail -30
		return
	fi
	[ "$(jq length "$out")" = "$NV" ] || fail "evacuate $from: $(jq length "$out") VMs in the JSON, not $NV"
	RES+=("leg${n}_wall_ms=$(ms_since "$t0")")
	# the window the run files cover: the first run's start to the last result
	first=
	last=
	for v in "${VMS[@]}"; do
		[ "$(jq -r --arg v "$v" '[.[] | select(.vm == $v)] | length' "$out")" = 1 ] ||
			{ fail "$v: not once in the JSON"; continue; }
		[ "$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .result' "$out")" = "done" ] ||
			fail "$v: $(jq -r --arg v "$v" '.[] | select(.vm == $v) | .summary' "$out")"
		run=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .run_file' "$out")
		[ -s "$run" ] || { fail "$v: no run file ($run)"; continue; }
		# the run file: complete, every step ok in order, the probe recorded
		jq -r 'select(.type == "step") | "\(.op) \(.outcome)"' "$run" >"$WORK/steps$n-$v"
		[ "$(cat "$WORK/steps$n-$v")" = "$STEPS" ] ||
			{ fail "$v: steps differ:"; diff <(echo "$STEPS") "$WORK/steps$n-$v" | sed 's/^/  | /'; }
		[ "$(jq -s -r '[.[] | select(.type == "result")] | length' "$run")" = 1 ] ||
			fail "$v: the run file has no result line (or several)"
		[ "$(jq -s -r '[.[] | select(.type == "result")] | last | .result' "$run")" = "done" ] ||
			fail "$v: the run file's result is not done"
		jq -s -e '[.[] | select(.type == "probe")] | length >= 10' "$run" >/dev/null ||
			fail "$v: fewer than 10 probe lines in the run file"
		jq -s -e '[.[] | select(.type == "probe")] | last | .sent >= 100' "$run" >/dev/null ||
			fail "$v: ccnc's probe sent fewer than 100 requests"
		local plost pgap total down
		plost=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .lost_probes' "$out")
		pgap=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .longest_gap_ms' "$out")
		total=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .total_ms' "$out")
		down=$(jq -r --arg v "$v" '.[] | select(.vm == $v) | .downtime_ms' "$out")
		[[ $plost =~ ^[0-9]+$ ]] && [ "$plost" -le "$MAX_LOST" ] ||
			fail "$v: ccnc's probe: lost_probes '$plost' (at most $MAX_LOST)"
		[[ $pgap =~ ^[0-9]+$ ]] && [ "$pgap" -gt 0 ] || fail "$v: ccnc's probe: longest_gap_ms '$pgap'"
		local rs re
		rs=$(jq -r 'select(.type == "run") | .t_ms' "$run")
		re=$(jq -r 'select(.type == "result") | .t_ms' "$run" | tail -1)
		[ -z "$first" ] || [ "$rs" -lt "$first" ] && first=$rs
		[ -z "$last" ] || [ "${re:-0}" -gt "$last" ] && last=${re:-0}
		RES+=("leg${n}_${v}_total_ms=$total" "leg${n}_${v}_downtime_ms=$down"
		      "leg${n}_${v}_probe_lost=$plost" "leg${n}_${v}_probe_gap_ms=$pgap")
		log "leg $n: $v: total $total ms, downtime $down ms, ccnc's probe: $plost lost, longest gap $pgap ms"
	done
	[ -n "$first" ] && RES+=("leg${n}_runs_ms=$((last - first))")

	# where things stand now, seen by libvirt and the guests
	for v in "${VMS[@]}"; do
		[ "$(VM=$v where_running)" = "$to" ] || fail "$v runs on '$(VM=$v where_running)', not $to"
		r=$(VM=$v wait_bond_on "$to" "${PMAC[$v]}" 60) || fail "$v: bond0 not back on the stand-in on $to ($r)"
	done
	# and by ccnc
	if "$CCNC" -c "$CCNC_LAB_CONF" status --json >"$WORK/status$n.json" 2>"$WORK/status$n.err"; then
		for v in "${VMS[@]}"; do
			r=$(jq -r --arg v "$v" '[.hosts[] | .name as $h | .vms[]? | select(.name == $v and .state == "running") | $h] | join(" ")' "$WORK/status$n.json")
			[ "$r" = "$to" ] || fail "ccnc status shows $v running on '$r', not $to"
			r=$(jq -r --arg v "$v" '.hosts[] | .vms[]? | select(.name == $v) | .bond as $b | $b.slaves[]? | select(.name == $b.active_slave) | .perm_hwaddr' "$WORK/status$n.json")
			[ "$r" = "${PMAC[$v]}" ] || fail "ccnc status: $v's bond is on '$r', not the stand-in ${PMAC[$v]}"
		done
	else
		fail "ccnc status: $(tail -3 "$WORK/status$n.err")"
	fi

	# the streams kept going (a tick after the evacuation ended, none failed)
	# and the guests answered
	sleep 2
	for v in "${VMS[@]}"; do
		read -r ticks stall errs <<<"$(stream_stats "$v" "$t0" "$t1")"
		read -r lost gap <<<"$(vm_ping_stats "$v" "$t0" "$t1")"
		RES+=("leg${n}_${v}_stream_stall_ms=$stall" "leg${n}_${v}_ping_lost=$lost" "leg${n}_${v}_ping_gap_ms=$gap")
		log "leg $n: $v: stream $ticks ticks, longest stall $stall ms, $errs failed; pings: $lost lost, longest gap $gap ms"
		[ "$ticks" -ge 1 ] || fail "$v: no stream tick during the evacuation"
		[ "$errs" = 0 ] || fail "$v: $errs failed NFS reads during the evacuation"
		[ "$stall" -le "$MAX_STALL_MS" ] || fail "$v: the stream stalled $stall ms (at most $MAX_STALL_MS)"
		[ "$lost" -le "$MAX_LOST" ] || fail "$v: $lost pings lost (at most $MAX_LOST)"
		read -r ticks _ errs <<<"$(stream_stats "$v" "$t1" "$EPOCHREALTIME")"
		[ "$ticks" -ge 1 ] && [ "$errs" = 0 ] || fail "$v: the stream did not go on after the evacuation ($ticks ticks, $errs failed)"
	done
}

serial_start
sleep 2
leg "$src" "$dst" 1
leg "$dst" "$src" 2
serial_stop
for v in "${VMS[@]}"; do
	e=$("$LAB" serial "$v" | grep -c '^ccnc-stream .* ERR')
	[ "$e" = 0 ] || fail "$v: $e failed NFS reads in the guest"
done

printf 'RESULT %s\n' "${RES[@]}"
"$CCNC" runs | sed 's/^/  /'
lab_down_checked
lab_result
