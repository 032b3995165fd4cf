#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch QEMU 10 from Debian's bookworm-backports suite and unpack it into a
# private folder, without touching the system's QEMU (which libvirt keeps
# using): its `igb` device is an emulated Intel 82576 with SR-IOV, which
# tests/agent/test-agent-sriov.sh drives through Linux's real igb/igbvf drivers.
# A private apt configuration (its own sources, lists and cache) downloads
# the packages; nothing is installed.
#   tests/guest/fetch-qemu10.sh [DIR]   (default: ${XDG_CACHE_HOME:-~/.cache}/ccnc/qemu10)
# Prints the unpacked root (DIR/root) on success; a root already there is
# kept (CCNC_QEMU10_REFETCH=1 fetches anew).
set -eu
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/ccnc/qemu10}
mirror=${CCNC_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
    # the mirror the system's own sources use
    mirror=$(sed -n 's/^URIs: *\([^ ]*debian\/*\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
    [ -n "$mirror" ] || mirror=$(sed -n 's/^deb  *\(http[^ ]*\)  *bookworm .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
fi
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/dl"
# one fetch at a time (a lab and a test may ask together); a fetch that
# finished while this one waited is taken as it is
exec 9>"$dir/.lock"
flock 9
if [ "${CCNC_QEMU10_REFETCH:-}" != 1 ] && [ -x "$dir/root/usr/bin/qemu-system-x86_64" ] &&
    [ -s "$dir/root/VERSION" ]; then
    echo "$dir/root"
    exit 0
fi
cat >"$dir/apt/sources.list" <<EOF
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm-backports main
EOF
set -- -o Dir::Etc::SourceList="$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$dir/apt/lists" -o Dir::Cache="$dir/apt/cache" \
    -o Dir::State::status=/dev/null -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root -q
apt-get "$@" update >"$dir/apt/update.log" 2>&1 ||
    { cat "$dir/apt/update.log" >&2; echo "fetch-qemu10: apt-get update failed" >&2; exit 1; }
cd "$dir/dl"
rm -f ./*.deb
for p in qemu-system-x86 qemu-system-common qemu-system-data qemu-system-modules-opengl \
    qemu-system-modules-spice seabios; do
    apt-get "$@" download "$p/bookworm-backports" >/dev/null ||
        { echo "fetch-qemu10: cannot download $p from bookworm-backports" >&2; exit 1; }
done
apt-get "$@" download ipxe-qemu >/dev/null ||
    { echo "fetch-qemu10: cannot download ipxe-qemu" >&2; exit 1; }
rm -rf "$dir/root.new"
for d in ./*.deb; do dpkg-deb -x "$d" "$dir/root.new"; done
rm -f ./*.deb
"$dir/root.new/usr/bin/qemu-system-x86_64" --version | head -1 >"$dir/root.new/VERSION"
# the old root out of the way at once (a running lab's guests use it), gone after
rm -rf "$dir/root.old"
[ ! -e "$dir/root" ] || mv "$dir/root" "$dir/root.old"
mv "$dir/root.new" "$dir/root"
rm -rf "$dir/root.old"
echo "$dir/root"
