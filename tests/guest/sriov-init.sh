#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the guest that tests/agent/test-agent-sriov.sh boots under QEMU 10 with
# an emulated Intel 82576 (igb): Linux's igb and igbvf drivers, ccnc-agent
# --serve, and typed requests to it (make VFs, set a VF's MAC, VLAN, rate,
# spoofchk and trust; ask what the driver refuses) plus one change made
# behind its back with `ip`.  Prints the agent's output and what `ip -d
# link` and sysfs say, for the host to compare; then powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
# the firmware leaves escape sequences without a newline on the console
echo
say() { echo "GUEST $*"; }
for m in dca i2c-algo-bit igb igbvf; do
    insmod /lib/modules/$m.ko || say "FAIL insmod $m"
done
ip() { /sbin/ip "$@"; }

# the igb port
pf=
i=0
while [ -z "$pf" ] && [ $i -lt 100 ]; do
    for n in /sys/class/net/*; do
        d=$(readlink "$n/device/driver" 2>/dev/null)
        [ "${d##*/}" = igb ] && pf=${n##*/}
    done
    [ -n "$pf" ] || sleep 0.1
    i=$((i + 1))
done
[ -n "$pf" ] || { say "FAIL no igb port"; ls /sys/class/net; poweroff -f; }
say "pf $pf $(readlink -f /sys/class/net/$pf/device)"
ip link set lo up
ip link set "$pf" up

mkfifo /tmp/in
ccnc-agent --serve --name sriov --role hypervisor </tmp/in >/tmp/out 2>/tmp/err &
agent=$!
exec 3>/tmp/in

waitfor() { # WHAT PATTERN [TENTHS]
    i=0
    while [ $i -lt "${3:-150}" ]; do
        grep -q -- "$2" /tmp/out && return 0
        sleep 0.1
        i=$((i + 1))
    done
    say "FAIL waiting for $1"
    return 1
}
waitfor hello '^{"type":"hello"'
waitfor inventory '^{"type":"inventory"'

echo '{"type":"request","id":1,"op":"sriov-numvfs","pf":"'"$pf"'","num_vfs":4}' >&3
waitfor "reply 1" '"type":"reply","id":1,'
i=0
while [ "$(ls -d /sys/class/net/$pf/device/virtfn* 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
# the VFs' own netdevs (igbvf) take a moment more
sleep 2

echo '{"type":"request","id":2,"op":"vf-set","pf":"'"$pf"'","vf":0,"mac":"52:54:00:77:02:01","vlan":201,"qos":0,"max_tx_rate":100,"spoofchk":false,"trust":true}' >&3
waitfor "reply 2" '"type":"reply","id":2,'
# igb refuses a minimum rate
echo '{"type":"request","id":3,"op":"vf-set","pf":"'"$pf"'","vf":1,"min_tx_rate":10}' >&3
waitfor "reply 3" '"type":"reply","id":3,'
# ... and a link state
echo '{"type":"request","id":4,"op":"vf-set","pf":"'"$pf"'","vf":3,"link_state":"disable"}' >&3
waitfor "reply 4" '"type":"reply","id":4,'
# a malformed request: an error reply, and the agent goes on
echo '{"type":"request","id":5,"op":"vf-set","pf":"'"$pf"'","vf":0,"vlan":9999}' >&3
waitfor "reply 5" '"type":"reply","id":5,'
# behind the agent's back: it hears of it through netlink
ip link set "$pf" vf 2 mac 52:54:00:77:02:03 vlan 302 || say "FAIL ip link set vf 2"
ip link set "$pf" vf 1 max_tx_rate 50 || say "FAIL ip link set vf 1 rate"
waitfor "vf 2 seen" '"mac":"52:54:00:77:02:03","vlan":302'
waitfor "vf 1 seen" '"max_tx_rate":50'
echo '{"type":"request","id":6,"op":"ping"}' >&3
waitfor "reply 6" '"type":"reply","id":6,'
sleep 1

echo "IPJSON $(ip -j -d link show "$pf")"
echo "SYSFS numvfs=$(cat /sys/class/net/$pf/device/sriov_numvfs) totalvfs=$(cat /sys/class/net/$pf/device/sriov_totalvfs)"
for v in /sys/class/net/$pf/device/virtfn*; do
    echo "VFPCI ${v##*/virtfn} $(readlink -f "$v")"
done
exec 3>&-
wait $agent
echo "AGENTEXIT $?"
sed 's/^/AGENT /' /tmp/out
sed 's/^/AGENTERR /' /tmp/err
echo "ONCE $(ccnc-agent --once --json --name sriov --role hypervisor 2>/dev/null | tr -d '\n')"
# back to no VFs through the agent
echo "GUEST-END"
poweroff -f
