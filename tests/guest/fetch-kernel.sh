#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch and unpack Debian's kernel package (the one linux-image-amd64 depends
# on) for tests/agent/test-agent-guest.sh: ccnc-agent's bond tests need a kernel
# with the bonding module, which the test machine's own kernel may lack.
#   tests/guest/fetch-kernel.sh [DIR]   (default: ${XDG_CACHE_HOME:-~/.cache}/ccnc/guest-kernel)
set -eu
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/ccnc/guest-kernel}
mkdir -p "$dir"
cd "$dir"
pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
[ -n "$pkg" ] || { echo "fetch-kernel: cannot tell which kernel linux-image-amd64 depends on" >&2; exit 1; }
apt-get download "$pkg"
rm -rf root
dpkg-deb -x "$pkg"_*.deb root
rm -f "$pkg"_*.deb
echo "$dir/root"
