#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Chaos on the lab: migrations with passthrough (alternating direction),
# each with one fault injected at a random moment of a random step, the
# faults taken in turn:
#   sigkill   ccnc killed (SIGKILL), then `ccnc resume`
#   sshd      the destination's sshd killed (and its sessions), back after 3-5 s
#   libvirtd  the destination's libvirtd stopped, started again after 2-4 s
#   hang      the destination's libvirtd frozen (SIGSTOP: it takes connections
#             and answers nothing), thawed after 8-12 s
#   link      the migration link (the destination's cable) cut for 2-5 s
#   loss      20 % of the packets between the two hosts dropped (nftables
#             in the destination's namespace) until the action ends
#   nfs       the NFS server frozen (SIGSTOP) for 3 s
#   agent     the guest agent not answering (SIGSTOP in the guest) for 8 s
# After each round, with bounded waits: the VM runs on exactly one host, its
# bond has a member up and carries the probe (pings from the NFS server's
# namespace), the guest's NFS stream did not fail a read, no VF is left
# reserved for a VM that does not hold it, no lease is left on the VM, and
# the run file ends with a result; a SIGKILL round ends, after ccnc resume,
# on the passthrough NIC.  Prints a table per fault: rounds, done, rolled
# back, resumed, violations.
#
# CCNC_CHAOS_ROUNDS (default 8: one round of each fault), CCNC_CHAOS_SEED
# (random moments; printed), CCNC_CHAOS_KEEP (folder that keeps each
# violation's run file and logs; default: the lab's log folder).
# bench/lab-chaos runs it with many rounds.  Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc
command -v nft >/dev/null || { echo "SKIP: no nft (apt-get install nftables): the packet-loss fault needs it"; exit 77; }
ROUNDS=${CCNC_CHAOS_ROUNDS:-8}
[[ $ROUNDS =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] || { echo "CCNC_CHAOS_ROUNDS must be a positive number"; exit 2; }
SEED=${CCNC_CHAOS_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$SEED
FAULTS=(sigkill sshd libvirtd hang link loss nfs agent)

lab_preflight
export XDG_STATE_HOME=$WORK/state
RUNS=$XDG_STATE_HOME/ccnc/runs
KEEP=${CCNC_CHAOS_KEEP:-${CCNC_LAB_DIR:-/var/tmp/ccnc-lab}/log/chaos-$(date +%Y%m%dT%H%M%S)}
lab_ensure_up
lab_start_placement
ADDR_OF() { ip -n "$1" -4 -o addr show br-pt | awk '{ sub(/\/.*/, "", $4); print $4; exit }'; }

# --- undoing faults: whatever a round broke is mended before it ends, and
# on any exit -------------------------------------------------------------
MENDER=
GANESHA=$(cat "$CCNC_LAB_DIR/run/nfs.ganesha" 2>/dev/null)
mend_all() {
	[ -n "$MENDER" ] && { wait "$MENDER" 2>/dev/null; MENDER=; }
	local h
	for h in sys1 sys2; do
		ip netns exec "$h" nft delete table inet ccnc_chaos 2>/dev/null
		ip link set "cl-$h" up 2>/dev/null
		"$LAB" start-daemon "$h" sshd >/dev/null 2>&1
		"$LAB" start-daemon "$h" libvirtd >/dev/null 2>&1
	done
	[ -n "$GANESHA" ] && kill -CONT "$GANESHA" 2>/dev/null
	return 0
}
trap 'mend_all; lab_cleanup' EXIT

# --- the faults ------------------------------------------------------------
# each is injected now and mended in the background (MENDER) or by
# mend_all after the action; prints what it did
inject() { # FAULT TO FROM CCNC_PID
	local f=$1 to=$2 from=$3 pid=$4 d h
	case $f in
	sigkill)
		kill -9 "$pid" && echo "ccnc (pid $pid) killed"
		;;
	sshd)
		d=$((3 + RANDOM % 3))
		"$LAB" stop-daemon "$to" sshd >/dev/null 2>&1 && echo "sshd on $to killed for $d s"
		( sleep "$d"; "$LAB" start-daemon "$to" sshd >/dev/null 2>&1 ) &
		MENDER=$!
		;;
	libvirtd)
		d=$((2 + RANDOM % 3))
		"$LAB" stop-daemon "$to" libvirtd >/dev/null 2>&1 && echo "libvirtd on $to stopped for $d s"
		( sleep "$d"; "$LAB" start-daemon "$to" libvirtd >/dev/null 2>&1 ) &
		MENDER=$!
		;;
	hang)
		d=$((8 + RANDOM % 5))
		"$LAB" freeze-daemon "$to" libvirtd >/dev/null 2>&1 && echo "libvirtd on $to frozen (answers nothing) for $d s"
		( sleep "$d"; "$LAB" thaw-daemon "$to" libvirtd >/dev/null 2>&1 ) &
		MENDER=$!
		;;
	link)
		d=$((2 + RANDOM % 4))
		ip link set "cl-$to" down && echo "$to's link cut for $d s"
		( sleep "$d"; ip link set "cl-$to" up ) &
		MENDER=$!
		;;
	loss)
		h=$(ADDR_OF "$from")
		ip netns exec "$to" nft -f - <<-EOF && echo "20 % of the packets between $from ($h) and $to dropped"
			table inet ccnc_chaos {
				chain in { type filter hook input priority 0; ip saddr $h numgen random mod 100 < 20 drop; }
				chain out { type filter hook output priority 0; ip daddr $h numgen random mod 100 < 20 drop; }
			}
		EOF
		;;
	nfs)
		[ "$(cat "/proc/$GANESHA/comm" 2>/dev/null)" = ganesha.nfsd ] || { echo "no nfs-ganesha at pid $GANESHA"; return 1; }
		kill -STOP "$GANESHA" && echo "nfs-ganesha (pid $GANESHA) frozen for 3 s"
		( sleep 3; kill -CONT "$GANESHA" ) &
		MENDER=$!
		;;
	agent)
		# the guest stops its own agent and lets it go 8 s later: once
		# stopped, nobody could ask it to go on
		h=$(where_running)
		[ "$(wc -w <<<"$h")" = 1 ] || { echo "the VM runs on '$h'"; return 1; }
		# (ccnc may be talking to it: a few tries)
		for ((d = 0; d < 20; d++)); do
			if vs "$h" qemu-agent-command "$VM" --timeout 5 \
				'{"execute":"guest-exec","arguments":{"path":"/bin/sh","arg":["-c","sleep 0.2; p=$(cat /run/qemu-ga.pid); kill -STOP $p; sleep 8; kill -CONT $p"]}}' \
				>"$WORK/agent.out" 2>&1; then
				echo "the guest agent stops answering for 8 s$([ $d -gt 0 ] && echo " (asked $((d + 1)) times)")"
				return 0
			fi
			sleep 0.1
		done
		echo "the guest agent could not be asked: $(tr '\n' ' ' <"$WORK/agent.out")"
		return 1
		;;
	esac
}

# the step a random moment is drawn in, and how long after its start (ms)
STEPS=(forecast check-destination bond-to-backup verify-on-backup detach migrate attach wait-enslaved bond-to-primary)
step_delay_ms() {
	case $1 in
	migrate) echo $((RANDOM % 6000)) ;;
	forecast) echo $((RANDOM % 1000)) ;;
	attach | wait-enslaved) echo $((RANDOM % 1500)) ;;
	*) echo $((RANDOM % 150)) ;;
	esac
}

# --- the checks after a round ----------------------------------------------
# VIOL: this round's violations, one a line
violation() { VIOL+="$*"$'\n'; log "VIOLATION: $*"; }
# the probe: a reply from the VM's address within 60 s (pings from the NFS
# server's namespace, one a second at most)
probe_answers() {
	local i
	for ((i = 0; i < 60; i++)); do
		ip netns exec nfs ping -n -c 1 -W 1 "$CCNC_LAB_VM_ADDR" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}
# bond0's active slave as the guest agent says it, within 60 s
bond_member_up() {
	local i a
	for ((i = 0; i < 60; i++)); do
		a=$(bond_active "$1")
		[ -n "$a" ] && { echo "$a"; return 0; }
		sleep 1
	done
	return 1
}
check_round() { # RUN_FILE ERRORS_BEFORE
	local run=$1 w a e
	settle_vm 120 || violation "the VM does not run on exactly one host: '$(where_running | xargs)'"
	w=$(where_running)
	if [ "$(wc -w <<<"$w")" = 1 ]; then
		a=$(bond_member_up "$w") || violation "no active member in $VM's bond on $w"
		probe_answers || violation "$VM ($CCNC_LAB_VM_ADDR) does not answer the probe"
		if vs "$w" metadata "$VM" --uri urn:x-ccnc:lease:1 >"$WORK/lease" 2>&1; then
			violation "a lease is left on $VM: $(tr -d '\n' <"$WORK/lease")"
			# mended by hand, or every later round would be refused
			vs "$w" metadata "$VM" --uri urn:x-ccnc:lease:1 --remove --live >/dev/null 2>&1
		fi
	fi
	e=$(stream_errors)
	[ "$e" = "$2" ] || violation "the guest's NFS stream failed $((e - $2)) read(s)"
	if "$CCNC" -c "$CCNC_LAB_CONF" status --json >"$WORK/status.json" 2>/dev/null; then
		jq -e '[.. | objects | select(.reserved? == true)] | length == 0' "$WORK/status.json" >/dev/null ||
			violation "VFs reserved and not held: $(jq -c '[.. | objects | select(.reserved? == true)]' "$WORK/status.json")"
	else
		violation "ccnc status failed"
	fi
	if [ -z "$run" ] || [ ! -s "$run" ]; then
		violation "no run file"
	elif [ "$(tail -1 "$run" | jq -r .type 2>/dev/null)" != result ]; then
		violation "the run file does not end with a result: $(tail -1 "$run")"
	fi
	ACTIVE=$a
}

# --- the rounds --------------------------------------------------------------
declare -A N DONE BACK FAILED MISSED RESUMED NVIOL
for f in "${FAULTS[@]}"; do
	N[$f]=0; DONE[$f]=0; BACK[$f]=0; FAILED[$f]=0; MISSED[$f]=0; RESUMED[$f]=0; NVIOL[$f]=0
done
log "chaos: $ROUNDS rounds, seed $SEED"
for ((r = 1; r <= ROUNDS; r++)); do
	fault=${FAULTS[$(((r - 1) % ${#FAULTS[@]}))]}
	step=${STEPS[$((RANDOM % ${#STEPS[@]}))]}
	delay=$(step_delay_ms "$step")
	VIOL=
	from=$(where_running)
	if [ "$(wc -w <<<"$from")" != 1 ]; then
		fail "round $r: $VM runs on '$from' before the round"
		break
	fi
	to=$(other "$from")
	errors0=$(stream_errors)
	before=$(newest_run)
	# not under timeout(1): the SIGKILL must reach ccnc itself
	"$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$to" --json >"$WORK/round.json" 2>"$WORK/round.err" &
	pid=$!
	# out of the job table: bash would announce the kill ("Killed") by itself
	disown "$pid"
	# wait for the step to start (or the action to end)
	run=
	for ((i = 0; i < 12000; i++)); do
		f=$(newest_run)
		[ -n "$f" ] && [ "$f" != "$before" ] && run=$f
		if [ -n "$run" ] && grep -q "\"type\":\"step-start\".*\"op\":\"$step\"" "$run" 2>/dev/null; then
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
	at=
	[ -n "$run" ] && at=$(grep '"type":"step-start"' "$run" | tail -1 | jq -r .op)
	kill -0 "$pid" 2>/dev/null || at="after the end"
	# in this shell, not $(...): the mender must stay its child
	missed=0
	if inject "$fault" "$to" "$from" "$pid" >"$WORK/what"; then
		what=$(cat "$WORK/what")
	else
		what="not injected: $(cat "$WORK/what")"
		missed=1
	fi
	[ "$at" = "after the end" ] && missed=1
	log "round $r: $from -> $to, $fault in ${at:-before the first step} (drawn: $step +$delay ms): $what"
	# the action ends (bounded: 600 s)
	for ((i = 0; i < 6000; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { violation "ccnc migrate still runs after 600 s: killed"; kill -9 "$pid"; }
	[ "$fault" = loss ] && ip netns exec "$to" nft delete table inet ccnc_chaos 2>/dev/null
	[ -n "$MENDER" ] && { wait "$MENDER" 2>/dev/null; MENDER=; }
	result=$(jq -r '.result // empty' "$WORK/round.json" 2>/dev/null)
	[ -z "$run" ] && run=$(jq -r '.run_file // empty' "$WORK/round.json" 2>/dev/null)
	resumed=0
	if [ "$fault" = sigkill ] && [ -n "$run" ] && [ "$(tail -1 "$run" | jq -r .type)" != result ]; then
		settle_vm 120 || violation "the VM did not settle after the kill"
		timeout 600 "$CCNC" -c "$CCNC_LAB_CONF" resume "$VM" --json >"$WORK/resume.json" 2>"$WORK/resume.err"
		result=$(jq -r '.result // empty' "$WORK/resume.json" 2>/dev/null)
		resumed=1
		[ "$(jq -r '.run_file // empty' "$WORK/resume.json")" = "$run" ] || violation "ccnc resume wrote elsewhere than $run"
	elif [ "$fault" = sigkill ] && [ -n "$run" ]; then
		result=$(tail -1 "$run" | jq -r .result)
	fi
	[ "$fault" = sigkill ] || [ -n "$result" ] || violation "ccnc migrate ended without a result: $(tail -3 "$WORK/round.err" | tr '\n' ' ')"
	check_round "$run" "$errors0"
	if [ "$fault" = sigkill ]; then
		[ "${ACTIVE#* }" = "$CCNC_LAB_PRIMARY_MAC" ] ||
			violation "after the kill and ccnc resume, bond0 is on '$ACTIVE', not the passthrough NIC"
	fi
	N[$fault]=$((N[$fault] + 1))
	case $result in
	done) DONE[$fault]=$((DONE[$fault] + 1)) ;;
	rolled-back) BACK[$fault]=$((BACK[$fault] + 1)) ;;
	*) FAILED[$fault]=$((FAILED[$fault] + 1)) ;;
	esac
	MISSED[$fault]=$((MISSED[$fault] + missed))
	RESUMED[$fault]=$((RESUMED[$fault] + resumed))
	now=$(where_running | xargs)
	said=$WORK/round.json
	[ $resumed = 1 ] && said=$WORK/resume.json
	log "round $r: ${result:-no result}$([ $resumed = 1 ] && echo " (by ccnc resume)"), $VM on $now, bond on ${ACTIVE:-?}: $(jq -r '.summary // empty' "$said" 2>/dev/null | head -c 300)"
	if [ -n "$VIOL" ]; then
		NVIOL[$fault]=$((NVIOL[$fault] + 1))
		fail "round $r ($fault): $(printf '%s' "$VIOL" | wc -l) violation(s)"
		d=$KEEP/round-$r-$fault
		mkdir -p "$d"
		printf '%s' "$VIOL" >"$d/violations"
		cp -a "$run" "$WORK"/round.* "$WORK"/resume.* "$WORK/status.json" "$d/" 2>/dev/null
		for h in sys1 sys2; do tail -200 "$CCNC_LAB_DIR/hosts/$h/var.u/log/libvirt/qemu/$VM.log" >"$d/$h-qemu.log" 2>/dev/null; done
		log "kept in $d"
	fi
	# the next round starts from the passthrough NIC: one that ended on the
	# backup (a fault after the migration) gets it back first
	if [ "${ACTIVE#* }" != "$CCNC_LAB_PRIMARY_MAC" ] && [ "$(wc -w <<<"$now")" = 1 ]; then
		log "round $r: $VM ended on its backup; ccnc assign gives it its passthrough NIC back"
		timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" assign "$VM" >"$WORK/assign.out" 2>&1 ||
			{ fail "ccnc assign after round $r: $(tail -3 "$WORK/assign.out")"; break; }
		wait_bond_on "$now" "$CCNC_LAB_PRIMARY_MAC" 60 >/dev/null || { fail "bond0 not back on the stand-in after round $r"; break; }
	fi
done

# failed: the run's result was failed (what it left is checked like any
# other round's); missed: the action had ended before the fault came
printf '\n%-10s %7s %6s %12s %7s %7s %8s %11s\n' fault rounds done "rolled back" failed missed resumed violations
for f in "${FAULTS[@]}"; do
	[ "${N[$f]}" = 0 ] && continue
	printf '%-10s %7d %6d %12d %7d %7d %8d %11d\n' "$f" "${N[$f]}" "${DONE[$f]}" "${BACK[$f]}" \
		"${FAILED[$f]}" "${MISSED[$f]}" "${RESUMED[$f]}" "${NVIOL[$f]}"
	echo "RESULT chaos_$f=${N[$f]} ${DONE[$f]} ${BACK[$f]} ${FAILED[$f]} ${MISSED[$f]} ${RESUMED[$f]} ${NVIOL[$f]}" >>"$WORK/results"
done
echo "seed $SEED"
mend_all
lab_down_checked
lab_result
