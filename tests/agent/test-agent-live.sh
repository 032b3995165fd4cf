#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc-agent --serve against a real kernel, inside a network namespace this
# test makes: veth, bridge and macvlan links appear, change (up, MTU,
# master) and vanish, and for each the agent sends an inventory and the
# matching event.  Then the probe (ICMP and UDP to 127.0.0.1 inside the
# namespace).  Skipped (77) only when no namespace can be made.
set -u
top=${abs_top_srcdir:-.}
build=${abs_top_builddir:-.}
agent="$build/ccnc-agent"

if [ -z "${CCNC_IN_NETNS:-}" ]; then
    if ! unshare -n true 2>/dev/null; then
        echo "SKIP: cannot create a network namespace (unshare -n needs root or user namespaces)"
        exit 77
    fi
    CCNC_IN_NETNS=1 exec unshare -n sh "$0" "$@"
fi

passes=0
fails=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccnc-agent-live.XXXXXX") || exit 99
pid=
cleanup() {
    exec 3>&- 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    if [ "$fails" != 0 ] && [ -f "$tmp/out" ]; then
        echo "agent output (less inventories):"
        grep -v '"type":"inventory"' "$tmp/out" | sed 's/^/  | /'
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
out="$tmp/out"

ip link set lo up
mkfifo "$tmp/in"
"$agent" --serve --name live <"$tmp/in" >"$out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/in"

# Wait (at most 3 s) for a line matching a pattern.
waitfor() { # DESCRIPTION PATTERN
    i=0
    while [ $i -lt 300 ]; do
        if grep -q -- "$2" "$out"; then ok; return 0; fi
        sleep 0.01
        i=$((i + 1))
    done
    fail "$1 (no line matching $2)"
    return 1
}
inventories() { grep -c '"type":"inventory"' "$out"; }

waitfor "hello" '^{"type":"hello","protocol":1,'
waitfor "first inventory" '^{"type":"inventory","seq":1,.*"name":"lo"'

ip link add v0 type veth peer name v1
waitfor "veth appears" '"kind":"link-added","object":"v0"'
waitfor "its peer appears" '"kind":"link-added","object":"v1"'
grep -q '"type":"inventory".*"name":"v0","ifindex":[0-9]*,"kind":"veth"' "$out" && ok ||
    fail "the inventory has v0 of kind veth"

ip link set v0 up
ip link set v1 up
waitfor "v0 goes up" '"kind":"link-changed","object":"v0","before":"[^"]*","after":"up'
ip link set v0 mtu 1400
waitfor "v0's MTU" '"kind":"link-changed","object":"v0","before":"up[^"]*mtu 1500","after":"up[^"]*mtu 1400"'

ip link add br0 type bridge
waitfor "a bridge appears" '"kind":"link-added","object":"br0"'
ip link set v0 master br0
waitfor "v0 gets a master" '"kind":"link-changed","object":"v0",.*"after":"[^"]*master br0"'
grep -q '"name":"br0","ifindex":[0-9]*,"kind":"bridge"' "$out" && ok || fail "br0 is of kind bridge"

ip link add mv0 link v1 type macvlan mode bridge
waitfor "a macvlan appears" '"kind":"link-added","object":"mv0"'
grep -q '"name":"mv0","ifindex":[0-9]*,"kind":"macvlan"' "$out" && ok || fail "mv0 is of kind macvlan"
ip link set v0 nomaster
waitfor "v0 leaves the bridge" '"kind":"link-changed","object":"v0","before":"[^"]*master br0","after":"up[^"]*mtu 1400"}'
ip link del mv0
waitfor "the macvlan vanishes" '"kind":"link-removed","object":"mv0"'
ip link del v0
waitfor "the veth pair vanishes" '"kind":"link-removed","object":"v1"'
ip link del br0
waitfor "the bridge vanishes" '"kind":"link-removed","object":"br0"'

# seq grows by one per inventory, events carry their inventory's seq
if command -v python3 >/dev/null 2>&1; then
    python3 - "$out" <<'PY' && ok || fail "seq grows by one; events follow their inventory"
import json, sys
seq = 0
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["type"] == "inventory":
        assert m["seq"] == seq + 1, m["seq"]
        seq = m["seq"]
    elif m["type"] == "event":
        assert m["seq"] == seq
PY
fi

# --- requests on a real kernel ----------------------------------------------
ip link add v2 type veth peer name v3
printf '%s\n' '{"type":"request","id":1,"op":"vf-set","pf":"v2","vf":0,"vlan":10}' >&3
waitfor "vf-set on a veth is refused" '^{"type":"reply","id":1,"ok":false,"error":"the driver refused VF 0 of '\''v2'\'': '
printf '%s\n' '{"type":"request","id":2,"op":"vf-set","pf":"nosuch0","vf":0,"trust":true}' >&3
waitfor "vf-set on a missing link" '^{"type":"reply","id":2,"ok":false,"error":"there is no link '\''nosuch0'\''"}'
printf '%s\n' '{"type":"request","id":3,"op":"sriov-numvfs","pf":"v2","num_vfs":2}' >&3
waitfor "sriov-numvfs on a veth" '^{"type":"reply","id":3,"ok":false,"error":"'
printf '%s\n' '{"type":"request","id":4,"op":"ping"}' >&3
waitfor "still answering" '^{"type":"reply","id":4,"ok":true}$'

# --- a bridge learns a watched MAC, on one port, then on another -------------
if command -v python3 >/dev/null 2>&1; then
    # one Ethernet frame from DEV with source MAC (broadcast, a local type)
    frame() { # DEV MAC
        python3 -c 'import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
s.send(b"\xff" * 6 + bytes.fromhex(sys.argv[2].replace(":", "")) + b"\x88\xb5" + b"ccnc" * 12)' "$1" "$2"
    }
    # frames from DEV with MAC until a line matches (a port that has just
    # come up drops them until the bridge forwards on it): at most 3 s
    learn() { # DESCRIPTION DEV MAC PATTERN
        i=0
        while [ $i -lt 30 ]; do
            frame "$2" "$3"
            if grep -q -- "$4" "$out"; then ok; return 0; fi
            sleep 0.1
            i=$((i + 1))
        done
        fail "$1 (no line matching $4)"
    }
    mac=52:54:00:77:0f:01
    # watched before anything can carry the MAC (the kernel's own IPv6
    # packets from fb would teach the bridge unseen)
    printf '%s\n' '{"type":"request","id":30,"op":"fdb-watch","macs":["52:54:00:77:0F:01"]}' >&3
    waitfor "fdb-watch" '^{"type":"reply","id":30,"ok":true}$'
    ip link add brf type bridge
    ip link set brf up
    ip link add fa type veth peer name fb
    ip link add ga type veth peer name gb
    ip link set fa master brf
    ip link set ga master brf
    ip link set fb address "$mac"
    for l in fa fb ga gb; do ip link set "$l" up; done
    learn "the bridge learns the MAC on fa" fb "$mac" '^{"type":"fdb","time_ms":[0-9]*,"event":"learned","mac":"52:54:00:77:0f:01","bridge":"brf","port":"fa"}$'
    # the VM "moves": its MAC now comes in on ga
    ip link set fb address 52:54:00:77:0f:09
    ip link set gb address "$mac"
    learn "the entry moves to ga" gb "$mac" '^{"type":"fdb","time_ms":[0-9]*,"event":"learned","mac":"52:54:00:77:0f:01","bridge":"brf","port":"ga"}$'
    # a MAC not watched, on ports that forward by now: not reported
    frame gb 52:54:00:77:0f:02
    frame fb 52:54:00:77:0f:02
    ip link del ga
    waitfor "the entry goes with its port" '^{"type":"fdb","time_ms":[0-9]*,"event":"gone","mac":"52:54:00:77:0f:01","bridge":"brf","port":"ga"}$'
    grep -q '"mac":"52:54:00:77:0f:02"' "$out" && fail "an unwatched MAC was reported" || ok
    # stop: nothing more is reported
    printf '%s\n' '{"type":"request","id":31,"op":"fdb-watch","macs":[]}' >&3
    waitfor "fdb-watch stops" '^{"type":"reply","id":31,"ok":true}$'
    n=$(grep -c '"type":"fdb"' "$out")
    frame fb 52:54:00:77:0f:09
    ip link set fb address "$mac"
    frame fb "$mac"
    sleep 0.3
    [ "$(grep -c '"type":"fdb"' "$out")" = "$n" ] && ok || fail "fdb lines after the watch stopped"
    ip link del fa
    ip link del brf
fi

# --- the probe, to addresses inside this namespace only ----------------------
printf '%s\n' '{"type":"request","id":5,"op":"probe-start","target":"127.0.0.1","proto":"icmp","rate_hz":200,"max_duration_s":1}' >&3
waitfor "ICMP probe starts" '^{"type":"reply","id":5,"ok":true,"probe":1}$'
waitfor "ICMP probe ends at max_duration_s" '^{"type":"probe","probe":1,.*"done":true'
line=$(grep '"type":"probe","probe":1,.*"done":true' "$out")
case $line in
*'"lost":0,'*) ok ;;
*) fail "no ICMP echo lost on loopback: $line" ;;
esac
case $line in
*'"stream_'*) fail "no TCP stream to the target: no stream figures ($line)" ;;
*) ok ;;
esac
sent=$(echo "$line" | sed 's/.*"sent":\([0-9]*\).*/\1/')
# the rate is honoured, not the clock measured: a busy machine stretches
# the second (the probe catches up on ticks it missed), so only a rate
# ignored (thousands) or a probe that hardly sends fails
[ "$sent" -ge 50 ] && [ "$sent" -le 300 ] && ok || fail "about 200 echo requests in 1 s at 200 Hz (sent $sent)"
n=$(grep -c '"type":"probe","probe":1,' "$out")
[ "$n" -ge 8 ] && [ "$n" -le 13 ] && ok || fail "a sample every 100 ms (got $n in 1 s)"

# UDP to a closed port: the port-unreachable answers count (loopback is not
# rate-limited)
printf '%s\n' '{"type":"request","id":6,"op":"probe-start","target":"127.0.0.1","proto":"udp","port":9,"rate_hz":100,"max_duration_s":600}' >&3
waitfor "UDP probe starts" '^{"type":"reply","id":6,"ok":true,"probe":2}$'
waitfor "UDP probe reports" '^{"type":"probe","probe":2,"sent":[1-9][0-9]*,"received":[1-9]'
# a gap: drop loopback for 300 ms
ip link set lo down
sleep 0.3
ip link set lo up
sleep 0.3
printf '%s\n' '{"type":"request","id":7,"op":"probe-stop","probe":2}' >&3
waitfor "probe-stop" '^{"type":"reply","id":7,"ok":true}$'
waitfor "UDP probe done" '^{"type":"probe","probe":2,.*"done":true'
line=$(grep '"type":"probe","probe":2,.*"done":true' "$out")
gap=$(echo "$line" | sed 's/.*"longest_gap_ms":\([0-9]*\).*/\1/')
[ "$gap" -ge 250 ] && [ "$gap" -le 1500 ] && ok || fail "the 300 ms outage shows as the longest gap (got $gap ms)"

# UDP to an echo service at 500 Hz: every datagram comes back
if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 7777))
s.settimeout(0.5)
end = time.time() + 30
while time.time() < end:
    try:
        d, a = s.recvfrom(2048)
        s.sendto(d, a)
    except socket.timeout:
        pass
' &
    echo_pid=$!
    sleep 0.3
    printf '%s\n' '{"type":"request","id":20,"op":"probe-start","target":"127.0.0.1","proto":"udp","port":7777,"rate_hz":500,"max_duration_s":1}' >&3
    waitfor "UDP echo probe starts" '^{"type":"reply","id":20,"ok":true,"probe":3}$'
    waitfor "UDP echo probe done" '^{"type":"probe","probe":3,.*"done":true'
    line=$(grep '"type":"probe","probe":3,.*"done":true' "$out")
    sent=$(echo "$line" | sed 's/.*"sent":\([0-9]*\).*/\1/')
    received=$(echo "$line" | sed 's/.*"received":\([0-9]*\).*/\1/')
    # echoed datagrams count as answers; the echo server is a Python script
    # that a busy machine may hold up, so allow it a few drops
    [ "$sent" -ge 450 ] && [ "$received" -ge $((sent * 9 / 10)) ] && ok ||
        fail "UDP echo at 500 Hz: (nearly) every datagram answered ($line)"
    kill "$echo_pid" 2>/dev/null
    wait "$echo_pid" 2>/dev/null

    # a TCP stream to the target (4 KiB every 50 ms) that stops for 600 ms:
    # the probe's samples carry its stall, read from the kernel's sockets;
    # another stream between two other addresses goes on all along, and
    # must not hide it
    python3 -c '
import socket, sys, time
def pair(server, client, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind((server, port))
    srv.listen(1)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.bind((client, 0))
    c.connect((server, port))
    s, a = srv.accept()
    s.setblocking(False)
    return c, s
def drain(s):
    try:
        while s.recv(65536):
            pass
    except BlockingIOError:
        pass
c, s = pair("127.0.0.1", "127.0.0.1", 7778)
oc, os_ = pair("127.0.0.2", "127.0.0.3", 7779)
open(sys.argv[1], "w").close()   # ready: the probe may start
start = time.time()
while time.time() - start < 5:
    t = time.time() - start
    if not (1.0 <= t < 1.6):
        c.sendall(b"x" * 4096)
    oc.sendall(b"y" * 4096)
    drain(s)
    drain(os_)
    time.sleep(0.05)
' "$tmp/stream-ready" &
    stream_pid=$!
    i=0
    while [ ! -e "$tmp/stream-ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    printf '%s
' '{"type":"request","id":21,"op":"probe-start","target":"127.0.0.1","rate_hz":100,"max_duration_s":2}' >&3
    waitfor "stream probe starts" '^{"type":"reply","id":21,"ok":true,"probe":4}$'
    i=0
    while ! grep -q '"type":"probe","probe":4,.*"done":true' "$out" && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    waitfor "stream probe done" '^{"type":"probe","probe":4,.*"done":true'
    line=$(grep '"type":"probe","probe":4,.*"done":true' "$out")
    stall=$(echo "$line" | sed -n 's/.*"stream_longest_stall_ms":\([0-9]*\).*/\1/p')
    bytes=$(echo "$line" | sed -n 's/.*"stream_bytes":\([0-9]*\).*/\1/p')
    [ -n "$bytes" ] && [ "$bytes" -ge 40960 ] && ok ||
        fail "the stream's bytes in the probe's sample ($line)"
    [ -n "$stall" ] && [ "$stall" -ge 550 ] && [ "$stall" -le 1500 ] && ok ||
        fail "the 600 ms pause of the stream shows as its longest stall ($line)"
    echo "stream sample: $line"
    kill "$stream_pid" 2>/dev/null
    wait "$stream_pid" 2>/dev/null
    next=5
else
    next=3
fi

printf '%s\n' '{"type":"request","id":8,"op":"probe-start","target":"10.77.0.1x"}' >&3
waitfor "probe to a bad address" '^{"type":"reply","id":8,"ok":false,"error":"'

# --- end of input: probes stop, exit 0 ---------------------------------------
printf '%s\n' '{"type":"request","id":9,"op":"probe-start","target":"127.0.0.1","max_duration_s":600}' >&3
waitfor "a probe that EOF must stop" "^{\"type\":\"reply\",\"id\":9,\"ok\":true,\"probe\":$next}\$"
exec 3>&-
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.01; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
    fail "the agent exits at end of input"
else
    wait "$pid"
    rc=$?
    pid=
    [ $rc = 0 ] && ok || fail "exit status 0 at end of input (got $rc)"
    grep -q "^{\"type\":\"probe\",\"probe\":$next,.*\"done\":true" "$out" && ok ||
        fail "the running probe sent its final sample"
fi
[ -s "$tmp/err" ] && { echo "agent stderr:"; sed 's/^/  | /' "$tmp/err"; }

# --- a storage host's byte counters: a traffic line every second -------------
# ARP requests for an address nobody has go out of the bridge: its tx_bytes
# grow, and the agent's traffic lines say so
out="$tmp/out2"
mkfifo "$tmp/in2"
"$agent" --serve --name store --role storage <"$tmp/in2" >"$out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/in2"
ip link add cctr0 type bridge && ip link set cctr0 up && ip addr add 10.91.0.1/24 dev cctr0
waitfor "storage: a traffic line with the bridge" '^{"type":"traffic","time_ms":[0-9]*,"links":\[.*"name":"cctr0"'
ping -c 3 -i 0.3 -W 1 10.91.0.2 >/dev/null 2>&1
i=0
while [ $i -lt 300 ]; do
    tx=$(grep '^{"type":"traffic"' "$out" | tail -1 | sed -n 's/.*"name":"cctr0","rx_bytes":[0-9]*,"tx_bytes":\([0-9]*\).*/\1/p')
    [ "${tx:-0}" -gt 0 ] && break
    sleep 0.01
    i=$((i + 1))
done
[ "${tx:-0}" -gt 0 ] && ok || fail "the bridge's tx_bytes in the traffic lines stay 0 after ARP requests"
grep '^{"type":"traffic"' "$out" | grep -q '"name":"lo"' && fail "the traffic lines count lo" || ok
exec 3>&-
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.01; i=$((i + 1)); done
kill -0 "$pid" 2>/dev/null && fail "the storage agent exits at end of input" || { wait "$pid"; pid=; }
ip link del cctr0

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
