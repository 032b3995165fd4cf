#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc's migrate-with-passthrough on the lab: `ccnc migrate vm1 --to sys2
# --json` and back, while the guest streams from the NFS server and the NFS
# server pings the guest 100 times a second.  Asserted from ccnc's JSON and
# its run file: the bond was on the backup before the detach, the detach
# came before the migration, the VM ends on the destination with its bond on
# the attached NIC, the stream kept going, few pings were lost.
# Exit 0 pass, 1 fail, 77 skip (with the reason).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc
MAX_LOST=${CCNC_LAB_MAX_LOST:-200}

lab_preflight
export XDG_STATE_HOME=$WORK/state
lab_ensure_up

lab_start_placement

probes_start
sleep 2

# one leg with ccnc: migrate $1 -> $2, then check everything
leg() {
	local from=$1 to=$2 n=$3 t0 t1 out rc run lost gap stall
	log "leg $n: ccnc migrate $VM --to $to"
	t0=$EPOCHREALTIME
	out=$(timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$to" --json 2>"$WORK/ccnc$n.err")
	rc=$?
	t1=$EPOCHREALTIME
	echo "$out" >"$WORK/ccnc$n.json"
	if [ $rc != 0 ]; then
		fail "ccnc migrate exited $rc"
		sed 's/^/  | /' "$WORK/ccnc$n.err" "$WORK/ccnc$n.json" | tail -40
		return
	fi
	run=$(jq -r .run_file "$WORK/ccnc$n.json")
	[ -s "$run" ] || { fail "no run file ($run)"; return; }
	[ "$(jq -r .result "$WORK/ccnc$n.json")" = done ] || fail "result is not done"

	# the order of the steps, from the run file
	jq -r 'select(.type == "step") | "\(.op) \(.outcome)"' "$run" >"$WORK/steps$n"
	local want=$MIGRATE_STEPS_OK
	[ "$(cat "$WORK/steps$n")" = "$want" ] || { fail "steps differ:"; diff <(echo "$want") "$WORK/steps$n" | sed 's/^/  | /'; }
	# the first step sampled the guest's dirty rate (QEMU's page sampling,
	# under TCG too) and wrote the forecast made on it, before the checks
	# (the first migration between the two hosts has no link rate yet:
	# its forecast is not valid, the sample is there all the same), with
	# the lab's default 16384 pages a GiB through QEMU's monitor
	jq -s -e --argjson n "$n" 'map(select(.type != "probe")) | (map(.type) | index("forecast")) as $f |
		$f != null and .[$f - 1].type == "step-start" and .[$f - 1].op == "forecast" and
		.[$f].forecast.dirty_measured and .[$f].forecast.dirty_samples >= 1 and
		.[$f].forecast.dirty_from == "step" and .[$f].forecast.dirty_sample_pages == 16384 and
		($n == 1 or .[$f].forecast.valid)' "$run" >/dev/null ||
		fail "leg $n: no forecast line with a sample after the forecast step's start: $(grep '"type":"forecast"' "$run" | cut -c1-400)"
	local fstep
	fstep=$(jq -r 'select(.type == "step" and .op == "forecast") | .duration_ms' "$run")
	log "leg $n: the forecast step took $fstep ms"
	# the bond went to the backup before the detach began, which came
	# before the migration
	local t_switch t_detach t_migrate
	t_switch=$(jq -r 'select(.type == "step" and .op == "bond-to-backup") | .ended_ms' "$run")
	t_detach=$(jq -r 'select(.type == "step" and .op == "detach") | .started_ms' "$run")
	t_migrate=$(jq -r 'select(.type == "step" and .op == "migrate") | .started_ms' "$run")
	[ "$t_switch" -le "$t_detach" ] && [ "$t_detach" -lt "$t_migrate" ] ||
		fail "order: switch $t_switch, detach $t_detach, migrate $t_migrate"
	jq -s -e '[.[] | select(.type == "bond" and .after != null)] | length >= 1' "$run" >/dev/null ||
		fail "the bond's switch to the backup is not recorded"
	jq -s -e '[.[] | select(.type == "job" and .phase == "completed") | .stats.downtime] | length == 1' "$run" >/dev/null ||
		fail "no migration statistics recorded"
	# libvirt's MIGRATION_ITERATION: statistics at each pre-copy round
	jq -s -e '[.[] | select(.type == "job" and .phase == "iteration") | .stats.memory_iteration] | length >= 1 and .[0] >= 1' "$run" >/dev/null ||
		fail "no pre-copy round recorded"
	# where it was going: a to_go line after each round that had two
	# after the first before it and something left, none for a round
	# not recorded (docs/run-files.md)
	jq -s -e '[.[] | select(.type == "job" and .phase == "iteration") | .stats] as $r |
		[.[] | select(.type == "to_go") | .iteration] as $have |
		[range(0; $r | length) as $j | $r[$j] as $x |
		 select($x.memory_iteration >= 2 and $x.memory_remaining > 0 and ($x.memory_bps // 0) > 0 and
			any($r[:$j][]; .memory_iteration >= 2 and .memory_iteration < $x.memory_iteration)) |
		 $x.memory_iteration] as $want |
		($want - $have | length) == 0 and ($have - ($r | map(.memory_iteration)) | length) == 0' "$run" >/dev/null ||
		fail "leg $n: the to_go lines do not follow the rounds: $(grep -E '"to_go"|"phase":"iteration"' "$run" | cut -c1-200)"

	# where things stand now, seen by libvirt and the guest
	[ "$(where_running)" = "$to" ] || fail "$VM runs on '$(where_running)', not $to"
	r=$(wait_bond_on "$to" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "bond0 not back on the stand-in on $to ($r)"

	read -r lost gap <<<"$(ping_stats "$t0" "$t1")"
	stall=$(wire_stall "$t0" "$t1")
	RES+=("leg${n}_forecast_step_ms=$fstep"
	      "leg${n}_total_ms=$(jq -r .total_ms "$WORK/ccnc$n.json")"
	      "leg${n}_downtime_ms=$(jq -r .downtime_ms "$WORK/ccnc$n.json")"
	      "leg${n}_ping_lost=$lost" "leg${n}_ping_gap_ms=$gap" "leg${n}_stream_stall_ms=$stall")
	log "leg $n: total $(jq -r .total_ms "$WORK/ccnc$n.json") ms, downtime $(jq -r .downtime_ms "$WORK/ccnc$n.json") ms, pings lost $lost, longest ping gap $gap ms, stream stall $stall ms"
	[ "$lost" -le "$MAX_LOST" ] || fail "$lost pings lost (at most $MAX_LOST)"
	# ccnc's own probe, run by the agent on the NFS server for the run
	local plost pgap
	plost=$(jq -r .lost_probes "$WORK/ccnc$n.json")
	pgap=$(jq -r .longest_gap_ms "$WORK/ccnc$n.json")
	# lost before the migration: around the planned switch and the detach
	# (a request counts as lost 1 s after it went out, hence the second)
	local dlost
	dlost=$(jq -s --argjson t "$((t_migrate + 1000))" \
		'[.[] | select(.type == "probe" and .t_ms <= $t)] | last | .lost // -1' "$run")
	log "leg $n: ccnc's probe: $plost lost ($dlost before the migration), longest gap $pgap ms"
	RES+=("leg${n}_probe_lost=$plost" "leg${n}_probe_lost_before_migrate=$dlost" "leg${n}_probe_gap_ms=$pgap")
	jq -s -e '[.[] | select(.type == "probe")] | length >= 10' "$run" >/dev/null ||
		fail "fewer than 10 probe samples in the run file"
	[[ $plost =~ ^[0-9]+$ ]] && [ "$plost" -le "$MAX_LOST" ] ||
		fail "ccnc's probe: lost_probes '$plost' (at most $MAX_LOST)"
	[[ $pgap =~ ^[0-9]+$ ]] && [ "$pgap" -gt 0 ] || fail "ccnc's probe: longest_gap_ms '$pgap'"
	# it ran for the whole run
	jq -s -e '[.[] | select(.type == "probe")] | last | .sent >= 100' "$run" >/dev/null ||
		fail "ccnc's probe sent fewer than 100 requests"
	[ "$stall" -le "$MAX_STALL_MS" ] || fail "the stream stalled $stall ms (at most $MAX_STALL_MS)"
	# the network relearning the VM: the destination's bridge learned its
	# MAC on a port while the action ran (the hosts' agents follow it)
	local learned
	learned=$(jq -s -r --arg to "$to" --arg mac "${CCNC_LAB_PRIMARY_MAC,,}" \
		'[.[] | select(.type == "fdb" and .host == $to and .event == "learned" and .mac == $mac)] | map(.bridge + " " + .port) | join(", ")' "$run")
	log "leg $n: $to's bridges learned $VM's MAC on: ${learned:-nothing}"
	RES+=("leg${n}_fdb_lines=$(jq -s '[.[] | select(.type == "fdb")] | length' "$run")")
	[ -n "$learned" ] || fail "no fdb line: $to's bridge never learned $VM's MAC during the run"
	# ccnc's own reading of the stream (the NFS server's sockets, by its
	# agent): there, at least one of the guest's ~100 ms read ticks, and
	# not beyond what the wire showed (it counts any byte, the wire's
	# sampler only bursts of data) by more than a tick and a reading
	local cstall
	cstall=$(jq -r .stream_stall_ms "$WORK/ccnc$n.json")
	log "leg $n: ccnc's stream stall $cstall ms (on the wire: $stall ms)"
	RES+=("leg${n}_ccnc_stream_stall_ms=$cstall")
	jq -s -e '[.[] | select(.type == "probe" and .stream_longest_stall_ms != null)] | length >= 10' \
		"$run" >/dev/null || fail "fewer than 10 probe samples with the stream's stall in the run file"
	[[ $cstall =~ ^[0-9]+$ ]] && [ "$cstall" -ge 50 ] && [ "$cstall" -le $((stall + 250)) ] ||
		fail "ccnc's stream stall '$cstall' ms (the wire: $stall ms)"
}

RES=()
leg "$src" "$dst" 1
sleep 2
leg "$dst" "$src" 2
sleep 1

# the forecast: leg 2 was planned with what leg 1 taught, and a plan now
# learns from both and measures the guest's dirty rate
run2=$(jq -r .run_file "$WORK/ccnc2.json")
fc=$(head -1 "$run2" | jq -c .forecast)
log "leg 2: forecast $fc; measured: $(tail -1 "$run2" | jq -c '{downtime_ms, longest_gap_ms}')"
jq -e '.valid and .link_runs == 1 and .downtime_ms > 0' <<<"$fc" >/dev/null ||
	fail "leg 2's run line has no forecast learnt from leg 1: $fc"
"$CCNC" -c "$CCNC_LAB_CONF" migrate "$VM" --to "$dst" --dry-run --json >"$WORK/forecast.json" 2>"$WORK/forecast.err" ||
	{ fail "ccnc migrate --dry-run"; sed 's/^/  | /' "$WORK/forecast.err"; }
# the dirty rate measured by QEMU's page sampling, under TCG too (the
# guest idles here: a few MB/s at most)
jq -e '.forecast | .valid and .converges and .link_runs == 2 and .rounds >= 1 and
	.dirty_measured and .dirty_bps >= 0 and .dirty_bps < 16777216' \
	"$WORK/forecast.json" >/dev/null || fail "the plan's forecast: $(jq -c .forecast "$WORK/forecast.json")"
# the lab's policy (CCNC_LAB_POLICY, else the default: lowest) set its
# first limit, recorded before it was set; ccnc report shows it beside the
# forecast
policy=${CCNC_LAB_POLICY:-lowest}
case $policy in qemu) first=300 ;; ladder) first=30 ;; minimal-downtime) first=100 ;; *) first=50 ;; esac
jq -s -e --arg p "$policy" --arg h "$dst" --argjson v "$first" \
	'[.[] | select(.type == "setting" and .name == "downtime_limit_ms")] |
	.[0].value == $v and .[0].why == $p and .[0].host == $h' "$run2" >/dev/null ||
	fail "leg 2: no downtime limit setting of the policy $policy: $(grep '"setting"' "$run2")"
# every one says why (the policy, stalled rounds, the course, the ladder's
# step), and none came after the guest stopped
settings_sound "$(dirname "$run2")"/*.jsonl ||
	fail "settings: $(grep -h '"setting"' "$(dirname "$run2")"/*.jsonl)"
"$CCNC" report "$run2" >"$WORK/report.txt" 2>&1 || fail "ccnc report"
grep -Eq "^policy +$policy\$" "$WORK/report.txt" || fail "ccnc report shows no policy: $(cat "$WORK/report.txt")"
grep -Eq '^  forecast +[0-9]+' "$WORK/report.txt" || fail "ccnc report shows no forecast: $(cat "$WORK/report.txt")"
sed 's/^/  | /' "$WORK/report.txt"
python3 "$(dirname "$0")/../cli/json-schema.py" "$(dirname "$0")/../../docs/status-json.md" plan \
	"$WORK/forecast.json" >"$WORK/forecast.why" || { fail "the plan's JSON"; sed 's/^/  | /' "$WORK/forecast.why"; }

# evacuate: the same sequence for every lab VM of a host
for from in "$src" "$dst"; do
	to=$dst
	[ "$from" = "$dst" ] && to=$src
	log "ccnc evacuate $from"
	out=$(timeout 300 "$CCNC" -c "$CCNC_LAB_CONF" evacuate "$from" --parallel 2 --json 2>"$WORK/evac.err")
	rc=$?
	[ $rc = 0 ] || { fail "evacuate $from exited $rc"; sed 's/^/  | /' "$WORK/evac.err" | tail -20; }
	[ "$(jq -r 'length' <<<"$out")" = 1 ] || fail "evacuate $from: not one VM: $out"
	[ "$(jq -r '.[0].result' <<<"$out")" = done ] || fail "evacuate $from: $(jq -r '.[0].summary' <<<"$out")"
	[ "$(where_running)" = "$to" ] || fail "after evacuate $from, $VM runs on '$(where_running)'"
	r=$(wait_bond_on "$to" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "after evacuate $from, bond0 not on the stand-in ($r)"
	sleep 1
done
probes_stop
errors=$(stream_errors)
[ "$errors" = 0 ] || fail "$errors failed NFS reads in the guest"

# ccnc's own view afterwards: the VM where it should be, its bond on the NIC
"$CCNC" -c "$CCNC_LAB_CONF" status --json >"$WORK/status.json" || fail "ccnc status"
host=$(jq -r --arg vm "$VM" '.hosts[] | select(.vms[]? | .name == $vm and .state == "running") | .name' "$WORK/status.json")
[ "$host" = "$src" ] || fail "ccnc status shows $VM on '$host', not $src"

# the thesis' throughput table: iperf3 from the NFS server to the VM, its
# bond on the stand-in
if timeout 60 "$CCNC" -c "$CCNC_LAB_CONF" bandwidth "$VM" --seconds 3 --json >"$WORK/bw.json" 2>"$WORK/bw.err"; then
	bps=$(jq -r .received_bps "$WORK/bw.json")
	[ "${bps:-0}" -gt 0 ] 2>/dev/null && log "bandwidth nfs -> $VM: $((bps / 1000000)) Mb/s (iperf3, bond on the stand-in)" ||
		fail "bandwidth: $(cat "$WORK/bw.json")"
	RES+=("bandwidth_mbps=$((bps / 1000000))")
else
	fail "ccnc bandwidth: $(cat "$WORK/bw.err")"
fi

printf 'RESULT %s\n' "${RES[@]}"
"$CCNC" runs | sed 's/^/  /'
lab_down_checked
lab_result
