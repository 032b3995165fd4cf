#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc-agent on captured data: --once --json with --root trees and lspci
# -xxxx dumps (golden files), and --serve speaking the protocol offline:
# hello, inventory, replies to good, bad and unknown requests, sriov-numvfs
# written under the root, and exit 0 at end of input.
set -u
top=${abs_top_srcdir:-.}
build=${abs_top_builddir:-.}
agent="$build/ccnc-agent"
data="$top/tests/data"
golden="$data/golden"
passes=0
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccnc-agent-offline.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Compare the file $tmp/NAME.raw, less wall-clock times, with a golden file.
# (No pipelines into it: the counters must stay in this shell.)
compare() { # NAME
    grep -v '"updated":' "$tmp/$1.raw" >"$tmp/$1.out"
    if [ "${CCNC_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$tmp/$1.out" "$golden/$1"
        ok
    elif diff -u "$golden/$1" "$tmp/$1.out"; then
        ok
    else
        fail "$1 differs from the golden file"
    fi
}

once() { "$agent" --once --json --name lab "$@"; }

# --- --once: PCI dumps (82576 with SR-IOV, ThunderX with 128 VFs, a root
# port and a ConnectX-3 without a linked SR-IOV capability) ----------------
mkdir -p "$tmp/emptyroot/sys/class/net" "$tmp/emptyroot/proc/self"
: >"$tmp/emptyroot/proc/self/mounts"
for dump in cap-pcie-2 cap-ea-1 cap-aer-root cap-vendor-virtio; do
    once --root "$tmp/emptyroot" --pci-dump "$data/pci/pciconf_pciutils_tests_$dump.lspci" \
        >"$tmp/agent-pci-$dump.json.raw"
    compare "agent-pci-$dump.json"
done
out=$(once --root "$tmp/emptyroot" --pci-dump "$data/pci/pciconf_pciutils_tests_cap-pcie-2.lspci")
case $out in
*'"total_vfs": 8,'*'"num_vfs": 1,'*'"vf_offset": 384,'*'"vf_stride": 2,'*'"vf_device_id": 4298'*) ok ;;
*) fail "82576: SR-IOV total 8, num 1, offset 384, stride 2, VF device 0x10ca" ;;
esac
out=$(once --root "$tmp/emptyroot" --pci-dump "$data/pci/pciconf_pciutils_tests_cap-aer-root.lspci")
case $out in
*'"sriov": {'*) fail "cap-aer-root has no linked SR-IOV capability" ;;
*'"device_id": 4103,'*) ok ;;
*) fail "cap-aer-root: the ConnectX-3 Pro is missing" ;;
esac
# a dump that is not one: an error on the host, the rest still reported
printf 'this is not an lspci dump\n' >"$tmp/bad.lspci"
out=$(once --root "$tmp/emptyroot" --pci-dump "$tmp/bad.lspci"); rc=$?
case "$rc:$out" in
0:*'"error": "'*'"nics": ['*) ok ;;
*) fail "a bad dump gives exit 0 and host.error (rc $rc)" ;;
esac
out=$(once --root "$tmp/emptyroot" --pci-dump "$tmp/no-such-dump"); rc=$?
case "$rc:$out" in
0:*'"error": "'*) ok ;;
*) fail "a missing dump gives host.error (rc $rc)" ;;
esac

# --- --once: sysfs trees (unpacked from the captured ttar archives: symlinks
# such as driver and iommu_group would not survive make dist) --------------
if command -v python3 >/dev/null 2>&1; then
    for root in bonding:sysfs_node_exporter_bonding_class_net.ttar: \
        i350:sysfs_node_exporter_i350_1521_pf_sriov.ttar: \
        e810:sysfs_procfs_e810_159b_pf_sriov.ttar:fixtures; do
        name=${root%%:*}
        rest=${root#*:}
        python3 "$top/tests/ttar2dir.py" "$data/sysfs/${rest%%:*}" "$tmp/root/$name" ${rest#*:} ||
            fail "unpacking ${rest%%:*}"
        once --root "$tmp/root/$name" | sed "s|$tmp|TMP|g" >"$tmp/agent-root-$name.json.raw"
        compare "agent-root-$name.json"
    done
else
    echo "SKIP: the sysfs trees (python3 is needed to unpack the ttar archives)"
fi

# --- --once: /proc/net/bonding under a root --------------------------------
mkdir -p "$tmp/procroot/proc/net/bonding" "$tmp/procroot/sys/class/net"
cp "$data/bonding/procbond_telegraf_sampleTestAB_slave_down.txt" "$tmp/procroot/proc/net/bonding/bond0"
printf 'garbage\n' >"$tmp/procroot/proc/net/bonding/bond1"
out=$(once --root "$tmp/procroot")
case $out in
*'"error": "'*'bond1: no '\''Bonding Mode'\'' line'*'"name": "bond0",'*'"mode": "active-backup",'*'"active_slave": "eth2",'*'"name": "bond1",'*'"mode": null,'*) ok ;;
*) fail "/proc/net/bonding under --root: bond0 read, bond1 listed and its error on the host" ;;
esac

# --- NFS: a storage host's exports, a hypervisor's mounts -----------------
mkdir -p "$tmp/nfsroot/etc/ganesha" "$tmp/nfsroot/proc/4242" "$tmp/nfsroot/srv/vms" \
    "$tmp/nfsroot/sys/class/net"
cp "$data/nfs/ganesha.conf" "$tmp/nfsroot/etc/ganesha/ganesha.conf"
printf 'ganesha.nfsd\n' >"$tmp/nfsroot/proc/4242/comm"
once --role storage --root "$tmp/nfsroot" | sed 's/"free_bytes": [0-9][0-9]*/"free_bytes": N/' \
    >"$tmp/agent-nfs-ganesha.json.raw"
compare agent-nfs-ganesha.json
once --role storage --root "$tmp/nfsroot" --exports "$data/nfs/exports" |
    sed 's/"free_bytes": [0-9][0-9]*/"free_bytes": N/' >"$tmp/agent-nfs-exports.json.raw"
compare agent-nfs-exports.json
# the configuration named on ganesha.nfsd's command line wins over the default
mkdir -p "$tmp/nfsroot/lab/nfs"
sed 's|/srv/video|/srv/other|' "$data/nfs/ganesha.conf" >"$tmp/nfsroot/lab/nfs/ganesha.conf"
printf 'ganesha.nfsd\0-F\0-L\0/lab/nfs/log\0-f\0/lab/nfs/ganesha.conf\0-N\0NIV_EVENT\0' \
    >"$tmp/nfsroot/proc/4242/cmdline"
out=$(once --role storage --root "$tmp/nfsroot")
case $out in
*'"path": "/srv/other"'*) ok ;;
*) fail "ganesha.nfsd -f CONFIG is read" ;;
esac
rm "$tmp/nfsroot/proc/4242/comm"
out=$(once --role storage --root "$tmp/nfsroot")
case $out in
*'"error": "no NFS server runs'*'"server=none'*) ok ;;
*) fail "without a server process: the exports, and an error that none runs" ;;
esac
# malformed configurations: an error on the host, never a crash
i=0
for conf in 'EXPORT { Path = /srv/vms; ' 'EXPORT { Path /srv/vms; }' 'EXPORT { CLIENT { Clients = *; }' \
    '}}}}' 'EXPORT { Path = "/srv/unclosed; }' "$(printf 'EXPORT {\001\002 \377; }')" \
    'A{B{C{D{E{F{G{H{I{J{K{ x = 1; }}}}}}}}}}}' 'Path = /srv;'; do
    i=$((i + 1))
    printf '%s\n' "$conf" >"$tmp/bad$i-ganesha.conf"
    out=$(once --role storage --root "$tmp/nfsroot" --exports "$tmp/bad$i-ganesha.conf" 2>&1); rc=$?
    case "$rc:$out" in
    0:*"\"error\": \"$tmp/bad$i-ganesha.conf:"*) ok ;;
    *) fail "malformed ganesha config $i: exit 0 and an error about the file (rc $rc)"
       echo "$out" | grep '"error"' | head -1 ;;
    esac
done
mkdir -p "$tmp/hvroot/proc/self" "$tmp/hvroot/sys/class/net"
cp "$data/nfs/mounts" "$tmp/hvroot/proc/self/mounts"
once --root "$tmp/hvroot" --image-dir /var/lib/libvirt/images/vm1 >"$tmp/agent-nfs-mounts.json.raw"
compare agent-nfs-mounts.json
out=$(once --root "$tmp/hvroot" --image-dir /var/lib/images)
case $out in
*"\"error\": \"the VM image directory '/var/lib/images' is not on an NFS mount\""*) ok ;;
*) fail "an image directory off NFS is reported" ;;
esac

# --- usage -------------------------------------------------------------------
"$agent" --once --root "$tmp/no-such-dir" >/dev/null 2>&1
[ $? = 2 ] && ok || fail "--root of a missing directory is bad usage"
"$agent" --json >/dev/null 2>&1
[ $? = 2 ] && ok || fail "neither --once nor --serve is bad usage"
"$agent" --help | grep -q -- '--serve' && ok || fail "--help tells of --serve"

# --- --serve offline -----------------------------------------------------------
mkdir -p "$tmp/sroot/sys/class/net/eth9/device"
printf '0\n' >"$tmp/sroot/sys/class/net/eth9/device/sriov_numvfs"
printf '7\n' >"$tmp/sroot/sys/class/net/eth9/device/sriov_totalvfs"
printf '%s\n' \
    '{"type":"request","id":11,"op":"ping"}' \
    'not json at all' \
    '' \
    '{"type":"request","id":12,"op":"reboot"}' \
    '{"type":"request","id":13,"op":"sriov-numvfs","pf":"eth9","num_vfs":4}' \
    '{"type":"request","id":14,"op":"sriov-numvfs","pf":"eth9","num_vfs":2}' \
    '{"type":"request","id":15,"op":"sriov-numvfs","pf":"nosuch","num_vfs":2}' \
    '{"type":"request","id":16,"op":"vf-set","pf":"eth9","vf":0,"vlan":5}' \
    '{"type":"request","id":17,"op":"probe-stop","probe":99}' \
    '{"type":"request","id":18,"op":"sriov-numvfs","pf":"eth9","num_vfs":8}' |
    "$agent" --serve --name sys1 --role storage --root "$tmp/sroot" >"$tmp/serve.out" 2>"$tmp/serve.err"
rc=$?
[ $rc = 0 ] && ok || fail "--serve exits 0 at end of input (rc $rc)"
line() { sed -n "$1p" "$tmp/serve.out"; }
case $(line 1) in
'{"type":"hello","protocol":1,"agent_version":"'*'","host":"sys1","role":"storage","capabilities":["pci","links","bonds","vfs","nfs","probe","bandwidth","fdb"]}') ok ;;
*) fail "hello first: $(line 1)" ;;
esac
case $(line 2) in
'{"type":"inventory","seq":1,"schema_version":1,"host":{"name":"sys1",'*) ok ;;
*) fail "inventory second: $(line 2)" ;;
esac
expect() { # DESCRIPTION PATTERN
    if grep -q -- "$2" "$tmp/serve.out"; then ok; else fail "$1"; fi
}
expect "ping ok" '^{"type":"reply","id":11,"ok":true}$'
expect "malformed: id null" '^{"type":"reply","id":null,"ok":false,"error":"malformed JSON'
expect "unknown op" '^{"type":"reply","id":12,"ok":false,"error":"unknown op '\''reboot'\''"}$'
expect "sriov-numvfs 4" '^{"type":"reply","id":13,"ok":true}$'
expect "sriov-numvfs 2" '^{"type":"reply","id":14,"ok":true}$'
expect "sriov-numvfs on a missing PF" '^{"type":"reply","id":15,"ok":false,"error":"'
expect "vf-set offline" '^{"type":"reply","id":16,"ok":false,"error":"'
expect "probe-stop of no probe" '^{"type":"reply","id":17,"ok":false,"error":"'
expect "more VFs than sriov_totalvfs" \
    '^{"type":"reply","id":18,"ok":false,"error":"'\''eth9'\'' has at most 7 VFs, not 8; nothing was changed"}$'
[ "$(cat "$tmp/sroot/sys/class/net/eth9/device/sriov_numvfs")" = 2 ] && ok ||
    fail "sriov_numvfs under the root is 2"
n=$(grep -c '"type":"reply"' "$tmp/serve.out")
[ "$n" = 9 ] && ok || fail "one reply per non-blank line (got $n)"

# --root never writes outside the root: a device link (absolute, or up
# through ..) or an sriov_numvfs link that leads out is refused
mkdir -p "$tmp/outside" "$tmp/eroot/sys/class/net/eth7" "$tmp/eroot/sys/class/net/eth8" \
    "$tmp/eroot/sys/class/net/eth6/device"
printf '0\n' >"$tmp/outside/sriov_numvfs"
printf '7\n' >"$tmp/outside/sriov_totalvfs"
ln -s "$tmp/outside" "$tmp/eroot/sys/class/net/eth8/device"
ln -s ../../../../../outside "$tmp/eroot/sys/class/net/eth7/device"
ln -s "$tmp/outside/sriov_numvfs" "$tmp/eroot/sys/class/net/eth6/device/sriov_numvfs"
printf '7\n' >"$tmp/eroot/sys/class/net/eth6/device/sriov_totalvfs"
printf '%s\n' \
    '{"type":"request","id":31,"op":"sriov-numvfs","pf":"eth8","num_vfs":4}' \
    '{"type":"request","id":32,"op":"sriov-numvfs","pf":"eth7","num_vfs":4}' \
    '{"type":"request","id":33,"op":"sriov-numvfs","pf":"eth6","num_vfs":4}' |
    "$agent" --serve --name sys1 --root "$tmp/eroot" >"$tmp/escape.out" 2>/dev/null
for id in 31 32 33; do
    grep -q "^{\"type\":\"reply\",\"id\":$id,\"ok\":false,\"error\":\"'[^']*' leads out of the root '$tmp/eroot'" \
        "$tmp/escape.out" && ok || fail "request $id: a link out of the root is refused"
done
[ "$(cat "$tmp/outside/sriov_numvfs")" = 0 ] && ok ||
    fail "the sriov_numvfs outside the root is untouched ($(cat "$tmp/outside/sriov_numvfs"))"
# every line is one JSON object
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$tmp/serve.out" && ok || fail "every line is JSON"
fi

# an over-long line gets an error with id null and the agent goes on
{
    head -c 70000 /dev/zero | tr '\0' 'x'
    printf '\n{"type":"request","id":21,"op":"ping"}\n'
} | "$agent" --serve --name sys1 --root "$tmp/sroot" >"$tmp/long.out" 2>/dev/null
grep -q '^{"type":"reply","id":null,"ok":false,"error":"the request is longer' "$tmp/long.out" &&
    grep -q '^{"type":"reply","id":21,"ok":true}$' "$tmp/long.out" && ok ||
    fail "an over-long line is refused and the next one answered"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
