#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A stand-in ccnc-agent for tests/engine/test-ssh.sh: answers --version like the
# real one and speaks the --serve protocol (hello, inventory, heartbeats,
# replies to requests), so that deployment can be tested with a file whose
# version the test controls (the test rewrites the version= line).
version=0.1.0
case "$1" in
--version) echo "ccnc-agent $version"; exit 0 ;;
--serve) ;;
*) echo "ccnc-agent: unknown mode" >&2; exit 2 ;;
esac
name=x role=hypervisor
while [ $# -gt 0 ]; do
    case "$1" in
    --name) name=$2; shift ;;
    --role) role=$2; shift ;;
    esac
    shift
done
printf '{"type":"hello","protocol":1,"agent_version":"%s","host":"%s","role":"%s","capabilities":[]}\n' "$version" "$name" "$role"
# a storage host says what it could not read, as the real agent does
error=null
[ "$role" = storage ] && error='"fake: no NFS server process runs"'
printf '{"type":"inventory","seq":1,"schema_version":1,"host":{"name":"%s","role":"%s","agent_version":"%s","error":%s,"nics":[],"links":[{"name":"fake0","mtu":1500,"vfs":[]}],"bonds":[],"exports":[],"vms":[]}}\n' "$name" "$role" "$version" "$error"
seq=1
while :; do
    if read -r line; then
        id=$(printf '%s' "$line" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
        printf '{"type":"reply","id":%s,"ok":true}\n' "${id:-0}"
    else
        exit 0
    fi
done &
while :; do
    sleep 5
    seq=$((seq + 1))
    printf '{"type":"heartbeat","seq":%s,"time_ms":0}\n' "$seq" || exit 0
done
