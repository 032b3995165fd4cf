#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init for bench/agent-sriov-footprint: every igb port makes its VFs (7
# each, up to 128 in all), veth pairs bring the links to 200 or more, then
# ccnc-agent --serve idles for a while; its RSS and CPU time come from
# /proc.  Prints "BENCH key=value ..." and powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
echo
echo "BENCH-STEP init"
for m in dca i2c-algo-bit igb igbvf veth; do insmod /lib/modules/$m.ko || echo "BENCH-FAIL insmod $m"; done
echo "BENCH-STEP modules, $(ls /sys/bus/pci/drivers/igb | grep -c 0000) igb ports"
ip() { /sbin/ip "$@"; }
idle_s=120
for a in $(cat /proc/cmdline); do case $a in ccnc.idle=*) idle_s=${a#ccnc.idle=} ;; esac; done
sleep 2
want=128
made=0
for n in /sys/class/net/*; do
    d=$(readlink "$n/device/driver" 2>/dev/null)
    [ "${d##*/}" = igb ] || continue
    ip link set "${n##*/}" up
    k=$((want - made))
    [ $k -gt 7 ] && k=7
    [ $k -gt 0 ] && echo $k >"$n/device/sriov_numvfs" && made=$((made + k))
done
i=0
while [ "$(ls -d /sys/bus/pci/drivers/igbvf/0000:* 2>/dev/null | wc -l)" -lt $made ] && [ $i -lt 600 ]; do
    sleep 0.2
    i=$((i + 1))
done
echo "BENCH-STEP $made VFs bound to igbvf after $i polls"
links=$(ls /sys/class/net | wc -l)
p=0
while [ $links -lt 200 ]; do
    ip link add "va$p" type veth peer name "vb$p"
    p=$((p + 1))
    links=$((links + 2))
done
links=$(ls /sys/class/net | wc -l)
mkfifo /tmp/in
ccnc-agent --serve --name footprint </tmp/in >/tmp/out 2>/tmp/err &
agent=$!
exec 3>/tmp/in
i=0
while ! grep -q '^{"type":"inventory"' /tmp/out && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
echo "BENCH-STEP first inventory after $i polls of 0.1 s ($links links)"
sleep 5
ticks() { awk '{ print $14 + $15 }' /proc/$agent/stat; }
t0=$(ticks)
sleep "$idle_s"
t1=$(ticks)
rss=$(awk '/^VmRSS/ { print $2 }' /proc/$agent/status)
hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$agent/status)
inv=$(grep '^{"type":"inventory"' /tmp/out | tail -1)
vfs=$(echo "$inv" | grep -o '"index":' | wc -l)
echo "BENCH vfs_made=$made vfs_reported=$vfs links=$links rss_kb=$rss peak_rss_kb=$hwm idle_s=$idle_s cpu_ticks=$((t1 - t0)) hz=$(getconf CLK_TCK 2>/dev/null || echo 100) inventory_bytes=${#inv} lines=$(wc -l </tmp/out)"
exec 3>&-
wait $agent
echo "BENCH-END"
poweroff -f
