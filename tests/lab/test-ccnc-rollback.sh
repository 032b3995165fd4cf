#!/bin/bash
# ccnc's rollback on the lab: a migration that cannot finish in time (its
# bandwidth capped at 1 Mb/s, its time limit 4 s) is aborted by ccnc, which
# then attaches the passthrough stand-in again on the source and switches
# the bond back to it.  Asserted from ccnc's JSON, its run file, libvirt and
# the guest.  Also: a destination whose libvirtd cannot be reached fails the
# first check and changes nothing.  Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CCNC=${CCNC:-${abs_top_builddir:-$(pwd)}/ccnc}
[ -x "$CCNC" ] || { echo "SKIP: no ccnc at $CCNC (set CCNC or abs_top_builddir)"; exit 77; }

lab_preflight
export XDG_STATE_HOME=$WORK/state
lab_ensure_up

src=$(where_running)
[ "$src" = sys1 ] || [ "$src" = sys2 ] || { log "FAIL: $VM is not running (on '$src')"; exit 1; }
dst=sys1
[ "$src" = sys1 ] && dst=sys2
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 60) || { log "FAIL: bond0 not on the stand-in at start ($r)"; exit 1; }

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
want="check-destination ok,check-storage ok,check-backup ok,reserve-nic ok,bond-to-backup ok,detach ok,verify-on-backup ok,migrate failed,!release-nic ok,!reattach-source ok,!restore-primary ok,"
[ "$steps" = "$want" ] || fail "steps: $steps"
jq -r .summary "$WORK/out.json" | grep -q "as before" || fail "summary: $(jq -r .summary "$WORK/out.json")"

# the VM still runs on the source, its bond back on the stand-in
[ "$(where_running)" = "$src" ] || fail "$VM runs on '$(where_running)', not $src"
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 30) || fail "bond0 not back on the stand-in ($r)"
read -r lost gap <<<"$(ping_stats "$t0" "$t1")"
log "rolled back: $(jq -r .total_ms "$WORK/out.json") ms in all, pings lost $lost, longest gap $gap ms"

# a destination that does not answer: the first check fails, nothing changes
bad=$WORK/bad.conf
awk -v d="$dst" '/^\[host / { h = $2; sub(/\]/, "", h) }
	h == d && /^libvirt_uri/ { print "libvirt_uri = test:///nonexistent/ccnc.xml"; next }
	{ print }' "$CCNC_LAB_CONF" >"$bad"
timeout 120 "$CCNC" -c "$bad" migrate "$VM" --to "$dst" --json >"$WORK/bad.json" 2>"$WORK/bad.err"
rc=$?
[ $rc = 1 ] || fail "unreachable destination: ccnc exited $rc"
[ "$(jq -r .result "$WORK/bad.json")" = failed ] || fail "unreachable destination: result $(jq -r .result "$WORK/bad.json")"
[ "$(jq -r '[.steps[] | select(.outcome != "skipped")] | length' "$WORK/bad.json")" = 1 ] ||
	fail "unreachable destination: more than the first step ran"
[ "$(where_running)" = "$src" ] || fail "$VM moved after a failed check"
r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 10) || fail "bond0 left the stand-in after a failed check ($r)"

probes_stop
lab_down_checked
lab_result
