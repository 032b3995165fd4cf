#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc-agent on an SR-IOV port driven by the real kernel: Debian's kernel
# boots under QEMU 10 (bookworm-backports, unpacked privately by
# tests/guest/fetch-qemu10.sh; the system's QEMU is not touched) with an
# `igb` device, an emulated Intel 82576.  tests/guest/sriov-init.sh asks the
# agent to make 4 VFs and to set VF 0's MAC, VLAN, rate, spoofchk and trust,
# asks for what igb refuses, and changes VFs 1 and 2 behind the agent's back
# with `ip`.  Here every VF the agent reports is compared with what
# `ip -j -d link` says, and the PCI side with sysfs.  The kernel and QEMU 10
# come from the caches (fetched first with CCNC_GUEST_FETCH=1); without them
# the test is skipped (77) with the reason.
set -u
top=${abs_top_srcdir:-.}
build=${abs_top_builddir:-.}
passes=0
fails=0
ok() { passes=$((passes + 1)); echo "ok: $1"; }
fail() { fails=$((fails + 1)); echo "FAIL: $1"; }

command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccnc-agent-sriov.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
"$top/tests/guest/sriov-guest.sh" "$top/tests/guest/sriov-init.sh" 1 "$tmp/console" >"$tmp/guest.out"
rc=$?
[ $rc = 77 ] && { cat "$tmp/guest.out"; exit 77; }
[ $rc = 0 ] || { echo "the guest did not run (exit $rc):"; cat "$tmp/guest.out"; tail -20 "$tmp/console"; exit 1; }
tr -d '\r' <"$tmp/console" >"$tmp/c"
if ! grep -q '^GUEST-END' "$tmp/c"; then
    echo "the guest did not finish; its console:"
    tail -40 "$tmp/c"
    echo "0 passed, 1 failed"
    exit 1
fi
grep '^GUEST ' "$tmp/c"
grep -q '^GUEST FAIL' "$tmp/c" && fail "the guest reported failures"
sed -n 's/^AGENT //p' "$tmp/c" >"$tmp/agent"
sed -n 's/^IPJSON //p' "$tmp/c" >"$tmp/ip.json"
pf=$(sed -n 's/^.*GUEST pf \([^ ]*\) .*/\1/p' "$tmp/c")
pfpci=$(sed -n 's/^.*GUEST pf [^ ]* .*\/\([^/]*\)$/\1/p' "$tmp/c")
last=$(grep '^{"type":"inventory"' "$tmp/agent" | tail -1)
[ -n "$last" ] || { fail "no inventory from the agent"; echo "$passes passed, $fails failed"; exit 1; }
echo "$last" >"$tmp/inv.json"
reply() { jq -c --argjson id "$1" 'select(.type == "reply" and .id == $id)' "$tmp/agent"; }

[ "$(sed -n 's/^AGENTEXIT //p' "$tmp/c")" = 0 ] && ok "agent exits 0 at end of input" || fail "agent exit status $(sed -n 's/^AGENTEXIT //p' "$tmp/c")"
[ "$(reply 1 | jq -r .ok)" = true ] && ok "sriov-numvfs 4 accepted" || fail "sriov-numvfs: $(reply 1)"
[ "$(reply 2 | jq -r .ok)" = true ] && ok "vf-set on VF 0 accepted" || fail "vf-set VF 0: $(reply 2)"
[ "$(reply 3 | jq -r .ok)" = false ] && [ -n "$(reply 3 | jq -r '.error // empty')" ] &&
    ok "min_tx_rate refused with a reason: $(reply 3 | jq -r .error)" || fail "min_tx_rate: $(reply 3)"
[ "$(reply 4 | jq -r .ok)" = false ] && ok "link_state refused: $(reply 4 | jq -r .error)" || fail "link_state: $(reply 4)"
[ "$(reply 5 | jq -r .ok)" = false ] && ok "VLAN 9999 refused: $(reply 5 | jq -r .error)" || fail "vlan 9999: $(reply 5)"
[ "$(reply 6 | jq -r .ok)" = true ] && ok "the agent still answers after the refusals" || fail "ping after errors: $(reply 6)"

# the PCI side against sysfs
read -r numvfs totalvfs <<<"$(sed -n 's/^SYSFS numvfs=\([0-9]*\) totalvfs=\([0-9]*\)/\1 \2/p' "$tmp/c")"
sriov=$(jq -c --arg p "$pfpci" '.host.nics[] | select(.pci == $p) | .sriov' "$tmp/inv.json")
[ "$(jq -r .num_vfs <<<"$sriov")" = "$numvfs" ] && [ "$(jq -r .total_vfs <<<"$sriov")" = "$totalvfs" ] &&
    ok "PF $pfpci: $numvfs of $totalvfs VFs, as sysfs says" || fail "PF sriov $sriov vs sysfs $numvfs/$totalvfs"
[ "$(jq -r '.vf_offset, .vf_stride' <<<"$sriov" | tr '\n' ' ')" = "128 2 " ] && ok "VF offset 128, stride 2" || fail "offset/stride: $sriov"
[ "$(jq -r .vf_device_id <<<"$sriov")" = $((0x10ca)) ] && ok "VF device id 0x10ca" || fail "vf device id: $sriov"
while read -r idx path; do
    vpci=${path##*/}
    v=$(jq -c --arg p "$vpci" '.host.nics[] | select(.pci == $p)' "$tmp/inv.json")
    [ "$(jq -r '.is_vf, .pf, .driver' <<<"$v" | tr '\n' ' ')" = "true $pfpci igbvf " ] &&
        ok "VF $idx is $vpci, a VF of $pfpci bound to igbvf" || fail "VF $idx ($vpci): $v"
done < <(sed -n 's/^VFPCI //p' "$tmp/c")

# every VF the agent reports against `ip -j -d link show PF`
vfs=$(jq -c --arg pf "$pf" '.host.links[] | select(.name == $pf) | .vfs' "$tmp/inv.json")
[ -n "$vfs" ] && [ "$(jq length <<<"$vfs")" = 4 ] && ok "4 VFs on link $pf" || fail "VFs on $pf: $vfs"
for i in 0 1 2 3; do
    a=$(jq -c --argjson i "$i" '.[] | select(.index == $i) | [.mac, .vlan, .qos, .max_tx_rate, .min_tx_rate, .spoofchk, .trust]' <<<"$vfs")
    k=$(jq -c --argjson i "$i" '.[0].vfinfo_list[] | select(.vf == $i) |
        [.address, (.vlan_list[0].vlan // 0), (.vlan_list[0].qos // 0), .rate.max_tx, .rate.min_tx, .spoofchk, .trust]' "$tmp/ip.json")
    [ -n "$a" ] && [ "$a" = "$k" ] && ok "VF $i: $a, as ip -d link says" || fail "VF $i: agent $a, ip $k"
done
want0='["52:54:00:77:02:01",201,0,100,0,false,true]'
[ "$(jq -c '.[] | select(.index == 0) | [.mac, .vlan, .qos, .max_tx_rate, .min_tx_rate, .spoofchk, .trust]' <<<"$vfs")" = "$want0" ] &&
    ok "VF 0 as the request set it" || fail "VF 0 is not what the request set"
[ "$(jq -c '.[] | select(.index == 2) | [.mac, .vlan]' <<<"$vfs")" = '["52:54:00:77:02:03",302]' ] &&
    ok "VF 2's change behind the agent's back was seen" || fail "VF 2: $(jq -c '.[] | select(.index == 2)' <<<"$vfs")"
[ "$(jq -c '.[] | select(.index == 1) | .max_tx_rate' <<<"$vfs")" = 50 ] &&
    ok "VF 1's rate set with ip was seen" || fail "VF 1: $(jq -c '.[] | select(.index == 1)' <<<"$vfs")"
# the changes came as netlink events, not as a poll: each inventory after
# the first came with an event line
n_inv=$(grep -c '^{"type":"inventory"' "$tmp/agent")
n_ev=$(grep -c '^{"type":"event"' "$tmp/agent")
[ "$n_ev" -ge 1 ] && ok "$n_ev change events, $n_inv inventories" || fail "no change events ($n_inv inventories)"
# --once prints the same VFs
once=$(sed -n 's/^ONCE //p' "$tmp/c")
[ "$(jq -c --arg pf "$pf" '.host.links[] | select(.name == $pf) | .vfs' <<<"$once")" = "$vfs" ] &&
    ok "ccnc-agent --once reports the same VFs" || fail "--once differs: $(jq -c --arg pf "$pf" '.host.links[] | select(.name == $pf) | .vfs' <<<"$once" 2>&1 | head -c 400)"

if [ $fails != 0 ]; then
    cp "$tmp/c" "$build/tests/agent/test-agent-sriov.console" 2>/dev/null &&
        echo "the whole guest console: $build/tests/agent/test-agent-sriov.console"
    echo "--- guest console (less agent lines):"
    grep -v '^AGENT ' "$tmp/c" | tail -60
    echo "--- agent, less inventories:"
    grep -v '"type":"inventory"' "$tmp/agent" | head -40
fi
echo "$passes passed, $fails failed"
[ $fails = 0 ]
