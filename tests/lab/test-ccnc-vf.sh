#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `ccnc vf` on the lab's SR-IOV host (tests/lab/lab sriov-up: QEMU 10's
# emulated 82576 under Linux's igb/igbvf drivers, reached over SSH like the
# other hosts, ccnc's agent uploaded there): set the number of VFs, change a
# VF's MAC, VLAN, rate, spoofchk and trust, see what igb refuses, and check
# every answer against what sysfs and `ip -d link` say on that host.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_ccnc
export CCNC_AGENT_BINARY=${CCNC_AGENT_BINARY:-$(dirname "$CCNC")/ccnc-agent}

lab_preflight
export XDG_STATE_HOME=$WORK/state
lab_ensure_up
started_sriov=0
if ! grep -q '^\[host sriov\]' "$CCNC_LAB_CONF"; then
	"$LAB" sriov-up >"$WORK/sriov-up.out" 2>&1 || {
		cat "$WORK/sriov-up.out"
		case $(tail -1 "$WORK/sriov-up.out") in *"cannot fetch QEMU 10"*) echo "SKIP: no QEMU 10"; exit 77 ;; esac
		fail "lab sriov-up"
		lab_down_checked
		lab_result
	}
	started_sriov=1
fi
log "$(grep 'SR-IOV host up' "$WORK/sriov-up.out" 2>/dev/null || echo 'the SR-IOV host was up')"
S() { timeout 30 "$CCNC_LAB_DIR/ssh/ssh" "$CCNC_LAB_SRIOV_ADDR" "$@"; }
CCNC_LAB_DIR=${CCNC_LAB_DIR:-/var/tmp/ccnc-lab}
CCNC_LAB_SRIOV_ADDR=$(awk '/^\[host sriov\]/ { on = 1 } on && /^address/ { print $3; exit }' "$CCNC_LAB_CONF")
C() { timeout 120 "$CCNC" -c "$CCNC_LAB_CONF" "$@"; }
vfs_json() { C vf --json | jq -c --arg pf "$pf" '.hosts[] | select(.name == "sriov") | .links[] | select(.name == $pf) | .vfs'; }

C status --json >"$WORK/status.json" || fail "ccnc status"
pf=$(jq -r '.hosts[] | select(.name == "sriov") | .nics[] | select(.sriov != null) | .netdev' "$WORK/status.json")
[ -n "$pf" ] || { fail "ccnc sees no SR-IOV port on the SR-IOV host"; jq -c '.hosts[] | select(.name == "sriov")' "$WORK/status.json" | head -c 2000; }
total=$(jq -r '.hosts[] | select(.name == "sriov") | .nics[] | select(.sriov != null) | .sriov.total_vfs' "$WORK/status.json")
[ "$total" = "$(S cat /sys/class/net/$pf/device/sriov_totalvfs)" ] && log "port $pf: $total VFs possible, as sysfs says" ||
	fail "total_vfs $total, sysfs $(S cat /sys/class/net/$pf/device/sriov_totalvfs)"
[ "$(jq -r '.hosts[] | select(.name == "sriov") | .libvirt' "$WORK/status.json")" = null ] ||
	fail "the SR-IOV host (libvirt_uri = none) has a libvirt state"

# how many VFs
C vf sriov "$pf" --numvfs 4 >"$WORK/numvfs.out" 2>&1 || { fail "vf --numvfs 4"; cat "$WORK/numvfs.out"; }
[ "$(S cat /sys/class/net/$pf/device/sriov_numvfs)" = 4 ] || fail "sysfs: $(S cat /sys/class/net/$pf/device/sriov_numvfs) VFs, not 4"
grep -q "4 of $total VFs" "$WORK/numvfs.out" || fail "ccnc does not report 4 of $total VFs: $(cat "$WORK/numvfs.out")"

# one VF's settings, then the kernel's word for them
C vf sriov "$pf" 0 mac=52:54:00:77:02:01 vlan=201 rate=100 trust=on spoofchk=off >"$WORK/set.out" 2>&1 ||
	{ fail "vf set VF 0"; cat "$WORK/set.out"; }
S /sbin/ip -j -d link show "$pf" >"$WORK/ip.json" || fail "ip -j -d link on the SR-IOV host"
want='["52:54:00:77:02:01",201,100,false,true]'
got=$(jq -c '.[0].vfinfo_list[] | select(.vf == 0) | [.address, (.vlan_list[0].vlan // 0), .rate.max_tx, .spoofchk, .trust]' "$WORK/ip.json")
[ "$got" = "$want" ] && log "VF 0 set: $got, as ip -d link says" || fail "ip -d link: VF 0 is $got, not $want"

# what igb refuses is refused, with the driver's reason, and nothing changes
C vf sriov "$pf" 1 min_tx_rate=10 >"$WORK/min.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "refused" "$WORK/min.out" && log "min_tx_rate: $(cat "$WORK/min.out")" ||
	fail "min_tx_rate: exit $rc, $(cat "$WORK/min.out")"
C vf sriov "$pf" 3 state=disable >"$WORK/state.out" 2>&1
[ $? = 1 ] || fail "link state: $(cat "$WORK/state.out")"
C vf sriov "$pf" 0 vlan=5000 >"$WORK/bad.out" 2>&1
[ $? = 2 ] && grep -q "0 to 4095" "$WORK/bad.out" || fail "vlan=5000: $(cat "$WORK/bad.out")"
C vf sriov "$pf" 9 trust=on >"$WORK/novf.out" 2>&1
[ $? = 1 ] || fail "VF 9 of 4: $(cat "$WORK/novf.out")"

# a change made on the host behind ccnc's back shows in ccnc's report
S /sbin/ip link set "$pf" vf 2 mac 52:54:00:77:02:03 vlan 302 || fail "ip link set vf 2 on the host"
for ((i = 0; i < 50; i++)); do
	v=$(vfs_json)
	[ "$(jq -c '.[] | select(.index == 2) | [.mac, .vlan]' <<<"$v")" = '["52:54:00:77:02:03",302]' ] && break
	sleep 0.2
done
[ "$(jq -c '.[] | select(.index == 2) | [.mac, .vlan]' <<<"$v")" = '["52:54:00:77:02:03",302]' ] &&
	log "VF 2's change on the host is in ccnc's report" || fail "VF 2: $(jq -c '.[] | select(.index == 2)' <<<"$v")"
# a VF ccnc set, changed behind its back: flagged as drifted
S /sbin/ip link set "$pf" vf 0 vlan 999 || fail "ip link set vf 0 vlan on the host"
for ((i = 0; i < 50; i++)); do
	C vf sriov >"$WORK/drift.out" 2>&1
	grep -q "DRIFTED: ccnc set MAC 52:54:00:77:02:01, VLAN 201" "$WORK/drift.out" && break
	sleep 0.2
done
grep -q "DRIFTED: ccnc set MAC 52:54:00:77:02:01, VLAN 201" "$WORK/drift.out" &&
	log "VF 0 changed behind ccnc's back is flagged: $(grep DRIFTED "$WORK/drift.out" | head -1 | sed 's/^ *//')" ||
	{ fail "VF 0's drift is not flagged"; sed 's/^/  | /' "$WORK/drift.out"; }
C vf sriov "$pf" 0 vlan=201 >/dev/null 2>&1 || fail "setting VF 0's VLAN back"
C vf sriov | grep -q DRIFTED && fail "still flagged after ccnc set it again"
v=$(vfs_json)

# every VF ccnc reports, against ip -d link
S /sbin/ip -j -d link show "$pf" >"$WORK/ip.json"
for i in 0 1 2 3; do
	a=$(jq -c --argjson i "$i" '.[] | select(.index == $i) | [.mac, .vlan, .max_tx_rate, .spoofchk, .trust]' <<<"$v")
	k=$(jq -c --argjson i "$i" '.[0].vfinfo_list[] | select(.vf == $i) | [.address, (.vlan_list[0].vlan // 0), .rate.max_tx, .spoofchk, .trust]' "$WORK/ip.json")
	[ -n "$a" ] && [ "$a" = "$k" ] || fail "VF $i: ccnc $a, ip $k"
done

# the console's VF editor: select VF 3, v, type, Enter
if command -v tmux >/dev/null; then
	sock=$WORK/tmux.sock
	T() { tmux -S "$sock" "$@"; }
	wait_screen() { # WHAT REGEX SECONDS
		local i
		for ((i = 0; i < $3 * 10; i++)); do
			T capture-pane -p -t vf >"$WORK/screen" 2>/dev/null
			grep -Eq -- "$2" "$WORK/screen" && return 0
			sleep 0.1
		done
		fail "console: $1: the screen never showed /$2/"
		sed 's/^/  | /' "$WORK/screen"
		return 1
	}
	T_start -d -s vf -x 100 -y 30 "TERM=xterm-256color '$CCNC' -c '$CCNC_LAB_CONF'; echo \$? >'$WORK/cexit'"
	T send-keys -t vf 2
	if wait_screen "the VF view" "^ +3 [0-9a-f:.]+ +52:54:00:77:02|^ +3 [0-9a-f:.]+ +00:00" 30; then
		T send-keys -t vf j j j
		wait_screen "VF 3 selected" "^▶ +3 " 5
		T send-keys -t vf v
		if wait_screen "the editor" "Edit VF 3 of $pf on sriov" 5; then
			T send-keys -t vf C-u
			T send-keys -t vf -l "vlan=404 trust=on"
			T send-keys -t vf Enter
			wait_screen "the agent's answer" "VF 3 of $pf on sriov: done" 20 &&
				log "console: $(grep -o "VF 3 of $pf on sriov: done." "$WORK/screen")"
			wait_screen "VF 3's new settings on screen" "^▶ +3 [0-9a-f:.]+ +[0-9a-f:]+ +404 .* on " 15
			S /sbin/ip -j -d link show "$pf" >"$WORK/ip.json"
			[ "$(jq -c '.[0].vfinfo_list[] | select(.vf == 3) | [(.vlan_list[0].vlan // 0), .trust]' "$WORK/ip.json")" = '[404,true]' ] ||
				fail "console: ip -d link shows VF 3 as $(jq -c '.[0].vfinfo_list[] | select(.vf == 3)' "$WORK/ip.json")"
		fi
	fi
	T send-keys -t vf q
	for ((i = 0; i < 50; i++)); do [ -s "$WORK/cexit" ] && break; sleep 0.1; done
	[ "$(cat "$WORK/cexit" 2>/dev/null)" = 0 ] || fail "console exited '$(cat "$WORK/cexit" 2>/dev/null)'"
	T kill-server 2>/dev/null
fi

# VF pools: a pool on this port, and VMs that take their passthrough NIC
# from it (only reserved here: this host runs no libvirt, so no VM gets one)
P=$WORK/pool.conf
{
	cat "$CCNC_LAB_CONF"
	printf '\n[pool labvfs]\nsriov = %s\nmax_tx_rate_mbps = 100\nvlan = 42\n' "$pf"
	for n in a b c; do
		printf '\n[vm pool-%s]\nhost = sys1\npassthrough = pool:labvfs\npassthrough_mac = 52:54:00:77:0f:0%s\nbackup = alias:net1\n' \
			"$n" "$(printf '%d' "'$n" | awk '{ print $1 - 96 }')"
	done
} >"$P"
CP() { timeout 120 "$CCNC" -c "$P" pool "$@"; }
ipvf() { # MAC -> "vf vlan max_tx" of the VF with that MAC on the host
	S /sbin/ip -j -d link show "$pf" | jq -r --arg m "$1" '.[0].vfinfo_list[] | select(.address == $m) | "\(.vf) \(.vlan_list[0].vlan // 0) \(.rate.max_tx)"'
}
C vf sriov "$pf" --numvfs 2 >/dev/null 2>&1 || fail "vf --numvfs 2 for the pool"
C vf sriov "$pf" 0 mac=00:00:00:00:00:00 vlan=0 rate=0 >/dev/null 2>&1
C vf sriov "$pf" 1 mac=00:00:00:00:00:00 vlan=0 rate=0 >/dev/null 2>&1
CP labvfs reserve sriov pool-a >"$WORK/ra.out" 2>&1 || { fail "pool reserve pool-a"; sed 's/^/  | /' "$WORK/ra.out"; }
a=$(ipvf 52:54:00:77:0f:01)
[ "$a" = "0 42 100" ] && log "pool: VF 0 reserved for pool-a, with its MAC, VLAN 42 and 100 Mb/s (ip -d link)" ||
	{ fail "pool-a's VF on the host: '$a'"; sed 's/^/  | /' "$WORK/ra.out"; }
CP labvfs reserve sriov pool-a >"$WORK/ra2.out" 2>&1 || fail "pool reserve pool-a again"
grep -q "VF 0 of $pf .* reserved for pool-a" "$WORK/ra2.out" || { fail "pool-a did not keep VF 0"; sed 's/^/  | /' "$WORK/ra2.out"; }
CP labvfs reserve sriov pool-b >"$WORK/rb.out" 2>&1 || { fail "pool reserve pool-b"; sed 's/^/  | /' "$WORK/rb.out"; }
[ "$(ipvf 52:54:00:77:0f:02)" = "1 42 100" ] && log "pool: VF 1 reserved for pool-b" || fail "pool-b's VF: '$(ipvf 52:54:00:77:0f:02)'"
# none left: refused, saying who holds them
CP labvfs reserve sriov pool-c >"$WORK/rc.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "every VF of port $pf (pool labvfs) on sriov is taken: pool-a (VF 0, reserved), pool-b (VF 1, reserved)" "$WORK/rc.out" &&
	log "pool: a third VM is refused: $(sed 's/^ccnc pool: //' "$WORK/rc.out" | head -1)" ||
	{ fail "pool-c: exit $rc"; sed 's/^/  | /' "$WORK/rc.out"; }
CP --json labvfs >"$WORK/pool.json" || fail "pool --json"
[ "$(jq -c '.[0].ports[0] | [.reserved, .free, [.vfs[] | .state, .vm]]' "$WORK/pool.json")" = '[2,0,["reserved","pool-a","reserved","pool-b"]]' ] ||
	fail "pool --json: $(jq -c '.[0].ports[0]' "$WORK/pool.json")"
C vf --json | jq -e '.hosts[] | select(.name == "sriov") | .links[] | .vfs[]? | select(.index == 1)' >/dev/null || fail "vf --json"
# given back: the MAC, VLAN and rate cleared on the host, and free for the next
CP labvfs release sriov pool-a >"$WORK/rel.out" 2>&1 || { fail "pool release pool-a"; sed 's/^/  | /' "$WORK/rel.out"; }
S /sbin/ip -j -d link show "$pf" | jq -r '.[0].vfinfo_list[] | select(.vf == 0) | "\(.address) \(.vlan_list[0].vlan // 0) \(.rate.max_tx)"' >"$WORK/vf0"
[ "$(cat "$WORK/vf0")" = "00:00:00:00:00:00 0 0" ] && log "pool: pool-a's VF released: $(cat "$WORK/vf0")" || fail "VF 0 after release: $(cat "$WORK/vf0")"
CP labvfs reserve sriov pool-c >"$WORK/rc2.out" 2>&1 && [ "$(ipvf 52:54:00:77:0f:03)" = "0 42 100" ] &&
	log "pool: pool-c got the VF pool-a gave back" || { fail "pool-c after the release"; sed 's/^/  | /' "$WORK/rc2.out"; }
CP labvfs release sriov pool-b >/dev/null 2>&1 || fail "pool release pool-b"
CP labvfs release sriov pool-c >/dev/null 2>&1 || fail "pool release pool-c"

# and back to none
C vf sriov "$pf" --numvfs 0 >"$WORK/zero.out" 2>&1 || { fail "vf --numvfs 0"; cat "$WORK/zero.out"; }
[ "$(S cat /sys/class/net/$pf/device/sriov_numvfs)" = 0 ] || fail "sysfs: VFs left after --numvfs 0"

[ $started_sriov = 1 ] && { "$LAB" sriov-down >/dev/null 2>&1 || fail "lab sriov-down"; }
lab_down_checked
lab_result
