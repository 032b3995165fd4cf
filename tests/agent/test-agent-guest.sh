#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
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
. "$top/tests/guest/initrd.sh"

command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
guest_kernel
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccnc-agent-guest.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
guest_initrd "$top/tests/guest/bond-init.sh" "$tmp/initrd.gz" tls bonding veth

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
