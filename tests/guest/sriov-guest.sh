#!/bin/bash
# Boot Debian's kernel under QEMU 10 (bookworm-backports, unpacked privately
# by tests/guest/fetch-qemu10.sh; the system's QEMU is not touched) with N
# emulated Intel 82576 ports (`igb`), a busybox initramfs holding ccnc-agent,
# iproute2 and the igb/igbvf modules, and INIT as /init; the serial console
# goes to CONSOLE.  Each port's peer is a one-port hub: its link is up and
# no frame leaves QEMU.  Used by tests/test-agent-sriov.sh and
# bench/agent-sriov-footprint.
#   tests/guest/sriov-guest.sh INIT PORTS CONSOLE [MEM_MIB]
# Exit 77 with the reason when something it needs is missing (the kernel
# and QEMU 10 come from the caches, fetched first with CCNC_GUEST_FETCH=1).
set -u
top=${abs_top_srcdir:-.}
build=${abs_top_builddir:-.}
agent=${CCNC_AGENT_BINARY:-$build/ccnc-agent}
kdir=${CCNC_GUEST_KERNEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccnc/guest-kernel/root}
qdir=${CCNC_QEMU10_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccnc/qemu10/root}
init=$1 ports=$2 console=$3 mem=${4:-512}
[ -x "$agent" ] || { echo "SKIP: no ccnc-agent at $agent"; exit 77; }
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -1)
if [ -z "$vmlinuz" ] && [ "${CCNC_GUEST_FETCH:-}" = 1 ] && [ -z "${CCNC_GUEST_KERNEL_DIR:-}" ]; then
    "$top/tests/guest/fetch-kernel.sh" >/dev/null && vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -1)
fi
[ -n "$vmlinuz" ] || { echo "SKIP: no guest kernel in $kdir (run tests/guest/fetch-kernel.sh or set CCNC_GUEST_FETCH=1)"; exit 77; }
qemu=$qdir/usr/bin/qemu-system-x86_64
if [ ! -x "$qemu" ] && [ "${CCNC_GUEST_FETCH:-}" = 1 ] && [ -z "${CCNC_QEMU10_DIR:-}" ]; then
    "$top/tests/guest/fetch-qemu10.sh" >/dev/null
fi
[ -x "$qemu" ] || { echo "SKIP: no QEMU 10 in $qdir (run tests/guest/fetch-qemu10.sh or set CCNC_GUEST_FETCH=1)"; exit 77; }
export QEMU_MODULE_DIR=$qdir/usr/lib/x86_64-linux-gnu/qemu
"$qemu" -device help 2>/dev/null | grep -q '"igb"' || { echo "SKIP: $qemu has no igb device"; exit 77; }
busybox=$(command -v busybox) || { echo "SKIP: no busybox"; exit 77; }
case $(file -L "$busybox" 2>/dev/null) in
*statically*) ;;
*) echo "SKIP: $busybox is not statically linked (install busybox-static)"; exit 77 ;;
esac
ipbin=$(command -v ip) || { echo "SKIP: no ip (iproute2)"; exit 77; }
kver=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccnc-sriov-guest.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
r="$tmp/initrd"
mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/lib/modules" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" \
    "$r/usr/share/misc"

copy_prog() { # PROGRAM DEST
    cp "$1" "$r/$2"
    ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' |
        while read -r lib; do
            mkdir -p "$r$(dirname "$lib")"
            cp -L "$lib" "$r$lib"
        done
}
cp "$busybox" "$r/bin/busybox"
for app in sh mount insmod sleep grep sed mkfifo poweroff cat ls readlink wc tr awk head cut seq; do
    ln -s busybox "$r/bin/$app"
done
copy_prog "$agent" usr/bin/ccnc-agent
copy_prog "$ipbin" sbin/ip
for f in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
    [ -e "$f" ] && { mkdir -p "$r$(dirname "$f")"; cp -L "$f" "$r$f"; }
done
for m in ${CCNC_SRIOV_MODULES:-dca i2c-algo-bit igb igbvf}; do
    f=$(find "$kdir/lib/modules/$kver" -name "$m.ko*" | head -1)
    [ -n "$f" ] || { echo "SKIP: no $m module in $kdir"; exit 77; }
    case $f in
    *.xz) xz -dc "$f" >"$r/lib/modules/$m.ko" ;;
    *.zst) zstd -dcq "$f" >"$r/lib/modules/$m.ko" ;;
    *) cp "$f" "$r/lib/modules/$m.ko" ;;
    esac
done
cp "$init" "$r/init"
chmod +x "$r/init"
(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initrd.gz" || exit 99

nics=()
for ((i = 0; i < ports; i++)); do
    # each port on a root port of its own: its VFs live on that bus
    [ "$ports" -gt 1 ] && nics+=(-device "pcie-root-port,id=rp$i,chassis=$((i + 1)),slot=$((i + 1)),io-reserve=0")
    nics+=(-netdev "hubport,id=n$i,hubid=$i"
        -device "igb,netdev=n$i,romfile=,mac=52:54:00:77:$(printf %02x $((i + 2))):00${ports:+$([ "$ports" -gt 1 ] && echo ",bus=rp$i")}")
done
# pci-hole64-size=0: QEMU 10.0.2 maps the VFs' BARs wrongly without it
timeout 900 "$qemu" -machine q35 -accel tcg -m "$mem" -smp 1 -nographic -no-reboot \
    -L "$qdir/usr/share/qemu" -L "$qdir/usr/share/seabios" -L "$qdir/usr/lib/ipxe/qemu" \
    -global q35-pcihost.pci-hole64-size=0 "${nics[@]}" \
    -kernel "$vmlinuz" -initrd "$tmp/initrd.gz" \
    -append "console=ttyS0 ${CCNC_GUEST_QUIET-quiet} panic=-1 rdinit=/init" >"$console" 2>&1
