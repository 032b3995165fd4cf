#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the guest that tests/agent/test-agent-guest.sh boots: a kernel with
# bonding, two veth pairs enslaved to an active-backup bond, and ccnc-agent
# --serve watching; prints "RESULT ..." lines on the console, then powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
insmod /lib/modules/tls.ko || echo "RESULT FAIL insmod tls"
# max_bonds=0: no bond0 made by the module; the test makes its own
insmod /lib/modules/bonding.ko max_bonds=0 || echo "RESULT FAIL insmod bonding"
insmod /lib/modules/veth.ko || echo "RESULT FAIL insmod veth"

passes=0
fails=0
ok() { passes=$((passes + 1)); echo "RESULT ok $1"; }
fail() { fails=$((fails + 1)); echo "RESULT FAIL $1"; }
waitfor() { # DESCRIPTION PATTERN
    i=0
    while [ $i -lt 100 ]; do
        if grep -q -- "$2" /tmp/out; then ok "$1"; return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    fail "$1 (no line matching $2)"
}

# busybox's shell prefers its own applets: the real iproute2, by path
ip() { /sbin/ip "$@"; }
run() { out=$("$@" 2>&1) || echo "RESULT FAIL $*: $out"; }
run ip link set lo up
run ip link add ga type veth peer name gb
run ip link add ha type veth peer name hb
run ip link add bond0 type bond mode active-backup miimon 100
run ip link set ga master bond0
run ip link set ha master bond0
run ip link set bond0 type bond primary ga
run ip link set gb up
run ip link set hb up
run ip link set ga up
run ip link set ha up
run ip link set bond0 up

mkfifo /tmp/in
ccnc-agent --serve --name guest </tmp/in >/tmp/out 2>/tmp/err &
agent=$!
exec 3>/tmp/in

waitfor "hello" '^{"type":"hello"'
waitfor "the bond in the inventory" '"bonds":\[{"name":"bond0","mode":"active-backup","primary":"ga","active_slave":"ga"'
waitfor "slaves in the inventory" '"slaves":\[{"name":"ga","state":"active","mii_status":"up","link_failures":0,"speed_mbps":[0-9null]*,"perm_hwaddr":"[0-9a-f:]*"},{"name":"ha","state":"backup","mii_status":"up"'

# a planned switch: the way ccnc moves traffic off the passthrough NIC
run ip link set bond0 type bond active_slave ha
waitfor "planned switch as bond-failover" '"kind":"bond-failover","object":"bond0","before":"ga","after":"ha"'

# the active slave loses its link: miimon notices, the bond fails over
run ip link set hb down
waitfor "link loss as bond-failover" '"kind":"bond-failover","object":"bond0","before":"ha","after":"ga"'
waitfor "the lost slave's MII status" '"name":"ha","state":"backup","mii_status":"down"'

# a bond with no slave left up: no active slave
run ip link set gb down
waitfor "no active slave" '"kind":"bond-failover","object":"bond0","before":"ga","after":"none"'

run ip link del bond0
waitfor "the bond goes away" '"kind":"bond-removed","object":"bond0"'

exec 3>&-
wait $agent
rc=$?
[ $rc = 0 ] && ok "agent exit 0 at end of input" || fail "agent exit status $rc"
if [ $fails != 0 ]; then
    echo "RESULT-LOG agent output (less inventories):"
    grep -v '"type":"inventory"' /tmp/out | sed 's/^/RESULT-LOG /'
    grep '"type":"inventory"' /tmp/out | sed 's/.*"bonds":/RESULT-LOG bonds: /; s/,"exports".*//'
    ip -d link show | sed 's/^/RESULT-LOG /'
    sed 's/^/RESULT-LOG stderr: /' /tmp/err
fi
echo "RESULT-END $passes passed, $fails failed"
poweroff -f
