#!/bin/sh
# ccnc-agent on a kernel with bonding: boots Debian's kernel under QEMU (TCG)
# with a busybox initramfs holding the agent, iproute2 and the bonding, tls
# and veth modules; tests/guest/bond-init.sh makes an active-backup bond over
# veth pairs, switches and breaks it, and checks the agent's bond inventory
# and bond-failover events.  The kernel tree comes from
# $CCNC_GUEST_KERNEL_DIR or tests/guest/fetch-kernel.sh's cache; without one
# (or without qemu-system-x86_64) the test is skipped (77) with the reason;
# CCNC_GUEST_FETCH=1 lets it fetch the kernel (apt-get download) first.
set -u
top=${abs_top_srcdir:-.}
build=${abs_top_builddir:-.}
agent="$build/ccnc-agent"
kdir=${CCNC_GUEST_KERNEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccnc/guest-kernel/root}

command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -1)
if [ -z "$vmlinuz" ] && [ "${CCNC_GUEST_FETCH:-}" = 1 ] && [ -z "${CCNC_GUEST_KERNEL_DIR:-}" ]; then
    "$top/tests/guest/fetch-kernel.sh" >/dev/null && vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -1)
fi
if [ -z "$vmlinuz" ]; then
    echo "SKIP: no guest kernel in $kdir (run tests/guest/fetch-kernel.sh, set CCNC_GUEST_FETCH=1 to let this test run it, or set CCNC_GUEST_KERNEL_DIR)"
    exit 77
fi
busybox=$(command -v busybox) || { echo "SKIP: no busybox"; exit 77; }
case $(file -L "$busybox" 2>/dev/null) in
*statically*) ;;
*) echo "SKIP: $busybox is not statically linked (install busybox-static)"; exit 77 ;;
esac
ipbin=$(command -v ip) || { echo "SKIP: no ip (iproute2)"; exit 77; }
kver=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccnc-agent-guest.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
r="$tmp/initrd"
mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/lib/modules" "$r/proc" "$r/sys" "$r/dev" "$r/tmp"

# a program and the shared libraries ldd lists for it
copy_prog() { # PROGRAM DEST
    cp "$1" "$r/$2"
    ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' |
        while read -r lib; do
            mkdir -p "$r$(dirname "$lib")"
            cp -L "$lib" "$r$lib"
        done
}
cp "$busybox" "$r/bin/busybox"
for app in sh mount insmod sleep grep sed mkfifo poweroff cat; do ln -s busybox "$r/bin/$app"; done
copy_prog "$agent" usr/bin/ccnc-agent
copy_prog "$ipbin" sbin/ip
for m in tls bonding veth; do
    f=$(find "$kdir/lib/modules/$kver" -name "$m.ko*" | head -1)
    [ -n "$f" ] || { echo "SKIP: no $m module in $kdir"; exit 77; }
    case $f in
    *.xz) xz -dc "$f" >"$r/lib/modules/$m.ko" ;;
    *.zst) zstd -dcq "$f" >"$r/lib/modules/$m.ko" ;;
    *) cp "$f" "$r/lib/modules/$m.ko" ;;
    esac
done
cp "$top/tests/guest/bond-init.sh" "$r/init"
chmod +x "$r/init"
(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initrd.gz" || exit 99

timeout 300 qemu-system-x86_64 -machine q35 -accel tcg -m 256 -smp 1 -nographic -no-reboot \
    -nic none -kernel "$vmlinuz" -initrd "$tmp/initrd.gz" \
    -append "console=ttyS0 quiet panic=-1 rdinit=/init" >"$tmp/console" 2>&1
grep '^RESULT' "$tmp/console" | tr -d '\r'
if ! grep -q '^RESULT-END' "$tmp/console"; then
    echo "the guest did not finish; its console:"
    tail -40 "$tmp/console"
    echo "0 passed, 1 failed"
    exit 1
fi
summary=$(grep '^RESULT-END' "$tmp/console" | tr -d '\r' | sed 's/^RESULT-END //')
echo "$summary"
case $summary in
*" 0 failed") exit 0 ;;
*) exit 1 ;;
esac
