#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot Debian's kernel under QEMU 10 (bookworm-backports, unpacked privately
# by tests/guest/fetch-qemu10.sh; the system's QEMU is not touched) with N
# emulated Intel 82576 ports (`igb`), a busybox initramfs holding ccnc-agent,
# iproute2 and the igb/igbvf modules, and INIT as /init; the serial console
# goes to CONSOLE.  Each port's peer is a one-port hub: its link is up and
# no frame leaves QEMU.  Used by tests/agent/test-agent-sriov.sh and
# bench/agent-sriov-footprint.
#   tests/guest/sriov-guest.sh INIT PORTS CONSOLE [MEM_MIB]
# Exit 77 with the reason when something it needs is missing (the kernel
# and QEMU 10 come from the caches, fetched first with CCNC_GUEST_FETCH=1).
set -u
top=${abs_top_srcdir:-.}
build=${abs_top_builddir:-.}
agent=${CCNC_AGENT_BINARY:-$build/ccnc-agent}
qdir=${CCNC_QEMU10_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccnc/qemu10/root}
init=$1 ports=$2 console=$3 mem=${4:-512}
. "$top/tests/guest/initrd.sh"
guest_kernel
qemu=$qdir/usr/bin/qemu-system-x86_64
if [ ! -x "$qemu" ] && [ "${CCNC_GUEST_FETCH:-}" = 1 ] && [ -z "${CCNC_QEMU10_DIR:-}" ]; then
    "$top/tests/guest/fetch-qemu10.sh" >/dev/null
fi
[ -x "$qemu" ] || { echo "SKIP: no QEMU 10 in $qdir (run tests/guest/fetch-qemu10.sh or set CCNC_GUEST_FETCH=1)"; exit 77; }
export QEMU_MODULE_DIR=$qdir/usr/lib/x86_64-linux-gnu/qemu
"$qemu" -device help 2>/dev/null | grep -q '"igb"' || { echo "SKIP: $qemu has no igb device"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccnc-sriov-guest.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
# shellcheck disable=SC2086
guest_initrd "$init" "$tmp/initrd.gz" ${CCNC_SRIOV_MODULES:-dca i2c-algo-bit igb igbvf}

# Several ports: each igb sits on a PCIe root port, where its VFs live (VF
# offset 0x80, stride 2).  Every igb has an I/O BAR, so every root port
# needs a 4 KiB I/O window, and SeaBIOS runs out of I/O space between 12
# root ports (fine) and 16 (it stops with "PCI: out of I/O address space"
# and the kernel never starts).  With more than 12 ports, two igb share a
# root port as functions 0 and 1 (VFs at functions 0x80 + 2i and 0x81 + 2i,
# no overlap): 19 ports need 10 root ports.  Function 0 must announce
# function 1 in its ARI capability (x-pcie-ari-nextfn-1), or Linux, with ARI
# forwarding on, stops at function 0.
per_rp=1
[ "$ports" -gt 12 ] && per_rp=2
nics=()
for ((i = 0; i < ports; i++)); do
    at=
    if [ "$ports" -gt 1 ]; then
        r=$((i / per_rp)) f=$((i % per_rp))
        [ "$f" = 0 ] && nics+=(-device "pcie-root-port,id=rp$r,chassis=$((r + 1)),slot=$((r + 1)),io-reserve=0")
        at=",bus=rp$r"
        if [ "$per_rp" = 2 ]; then
            at+=",addr=0.$f"
            [ "$f" = 0 ] && [ $((i + 1)) -lt "$ports" ] && at+=",multifunction=on,x-pcie-ari-nextfn-1=on"
        fi
    fi
    nics+=(-netdev "hubport,id=n$i,hubid=$i"
        -device "igb,netdev=n$i,romfile=,mac=52:54:00:77:$(printf %02x $((i + 2))):00$at")
done
# CCNC_GUEST_ICOUNT=SHIFT: the guest's clock counts instructions (one is
# 2^SHIFT ns), so the guest's CPU times do not depend on the host's load
icount=()
[ -n "${CCNC_GUEST_ICOUNT:-}" ] && icount=(-icount "shift=$CCNC_GUEST_ICOUNT")
# pci-hole64-size=0: QEMU 10.0.2 maps the VFs' BARs wrongly without it
timeout 900 "$qemu" -machine q35 -accel tcg "${icount[@]}" -m "$mem" -smp 1 -nographic -no-reboot \
    -L "$qdir/usr/share/qemu" -L "$qdir/usr/share/seabios" -L "$qdir/usr/lib/ipxe/qemu" \
    -global q35-pcihost.pci-hole64-size=0 "${nics[@]}" \
    -kernel "$vmlinuz" -initrd "$tmp/initrd.gz" \
    -append "console=ttyS0 ${CCNC_GUEST_QUIET-quiet} panic=-1 rdinit=/init" >"$console" 2>&1
