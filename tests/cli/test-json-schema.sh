#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every command's --json against its tables in docs/status-json.md (read by
# tests/cli/json-schema.py): offline, on libvirt's test driver, and on run
# files made here; no host is contacted (SSH goes to a closed port).
set -u
. "${abs_top_srcdir:-.}/tests/cli/lib.sh"
ccnc=$top_builddir/ccnc
doc=$top_srcdir/docs/status-json.md
schema=$top_srcdir/tests/cli/json-schema.py

export XDG_CONFIG_HOME="$tmp/xdg" HOME="$tmp/home" XDG_STATE_HOME="$tmp/state"
mkdir -p "$HOME"

# json OUTPUT STATUS [--lines|--each] -- CMD...: CMD exits with STATUS and
# what it prints matches OUTPUT's tables
json() {
    output=$1 want=$2 lines=
    shift 2
    case $1 in --lines|--each) lines=$1; shift ;; esac
    shift
    "$@" >"$tmp/out.json" 2>"$tmp/err" </dev/null
    got=$?
    if [ "$got" != "$want" ]; then
        fail "$* exited $got, expected $want"; sed 's/^/  | /' "$tmp/err" "$tmp/out.json"; return
    fi
    if python3 "$schema" "$doc" "$output" "$tmp/out.json" $lines >"$tmp/why"; then ok; else
        fail "$*: not as docs/status-json.md says"; sed 's/^/  | /' "$tmp/why"
    fi
}

# The checker itself: it sees a field missing, one of the wrong type, and
# one not documented.
"$ccnc" --offline config --builtin >"$tmp/b.conf" || fail "config --builtin"
"$ccnc" --offline -c "$tmp/b.conf" status --json >"$tmp/s.json" || fail "status --json"
python3 - "$tmp/s.json" "$tmp" <<'PY' || fail "could not make the broken copies"
import json, sys
d = json.load(open(sys.argv[1]))
for name, change in (("missing", lambda d: d.pop("schema_version")),
                     ("type", lambda d: d.__setitem__("seq", "1")),
                     ("extra", lambda d: d.__setitem__("surprise", 1)),
                     ("nested", lambda d: d["hosts"][0].pop("stale"))):
    c = json.loads(json.dumps(d))
    change(c)
    json.dump(c, open("%s/broken-%s.json" % (sys.argv[2], name), "w"))
PY
for b in missing type extra nested; do
    if python3 "$schema" "$doc" status "$tmp/broken-$b.json" >"$tmp/why"; then
        fail "the checker let through a status with the $b field"
    else ok; fi
done
python3 "$schema" "$doc" status "$tmp/broken-extra.json" | grep -q "'surprise' is not documented" &&
    ok || fail "the checker does not name the undocumented field"

# status and vf, offline
json status 0 -- "$ccnc" --offline -c "$tmp/b.conf" status --json
json status 0 -- "$ccnc" --offline -c "$top_srcdir/docs/examples/lab.conf" status --json
json vf 0 -- "$ccnc" --offline -c "$tmp/b.conf" vf --json
json vf 0 -- "$ccnc" --offline -c "$tmp/b.conf" vf --json sys1
# vf --json with VFs in it: the golden output of tests/core/test-json.c
if python3 "$schema" "$doc" vf "$top_srcdir/tests/data/golden/vfs-full.json" >"$tmp/why"; then ok; else
    fail "tests/data/golden/vfs-full.json"; sed 's/^/  | /' "$tmp/why"
fi
# the agent's host part is the snapshot's
if python3 - "$top_srcdir/tests/data/golden/host-full.json" "$tmp/host.json" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
json.dump({"schema_version": d["schema_version"], "seq": 1, "time": None, "lab": {},
           "hosts": [d["host"]], "unfinished_runs": []}, open(sys.argv[2], "w"))
PY
    if python3 "$schema" "$doc" status "$tmp/host.json" >"$tmp/why"; then ok; else
        fail "tests/data/golden/host-full.json"; sed 's/^/  | /' "$tmp/why"
    fi
else fail "host-full.json"; fi

# inspect: a domain, a node device
lv=$top_srcdir/tests/data/libvirt
json inspect 0 -- "$ccnc" inspect --json "$lv/domxml_libvirt_net-virtio-teaming-hostdev.xml"
json inspect 0 -- "$ccnc" inspect --json "$lv/nodedev_synthetic_pci_0000_83_10_3_82576_vf_old_libvirt.xml"

# plans, and a refusal
for a in "migrate vm1 --to sys2" "detach vm1" "assign vm1"; do
    # shellcheck disable=SC2086
    json plan 0 -- "$ccnc" --offline -c "$tmp/b.conf" $a --dry-run --json
done
json action 1 -- "$ccnc" --offline -c "$tmp/b.conf" migrate vm1 --to sys1 --dry-run --json

# runs and report
runs=$XDG_STATE_HOME/ccnc/runs
mkdir -p "$runs"
cat >"$runs/20261125-100000-vm1-migrate-passthrough.jsonl" <<'RUN'
{"type":"run","t_ms":1764064800000,"version":1,"kind":"migrate-passthrough","vm":"vm1","source":"sys1","destination":"sys2"}
{"type":"step","t_ms":1764064800900,"op":"detach","rollback":false,"outcome":"ok"}
{"type":"step-start","t_ms":1764064801000,"op":"migrate","rollback":false}
RUN
cat >"$runs/20261125-110000-vm1-migrate-passthrough.jsonl" <<'RUN'
{"type":"run","t_ms":1764068400000,"version":1,"kind":"migrate-passthrough","vm":"vm1","source":"sys2","destination":"sys1"}
{"type":"result","t_ms":1764068404000,"result":"done","summary":"vm1: done","total_ms":4180,"downtime_ms":214,"longest_gap_ms":231,"lost_probes":0,"stream_stall_ms":512}
RUN
json runs 0 -- "$ccnc" runs --json
json runs 0 -- "$ccnc" report --json "$runs"/*.jsonl
# Table 1, with a run left out, over real runs of the lab
json report-table 0 -- "$ccnc" report --table --json "$runs"/*.jsonl \
    "$top_srcdir"/tests/data/runs/lab-*.jsonl
# status lists the unfinished one
json status 0 -- "$ccnc" --offline -c "$tmp/b.conf" status --json
grep -q '"stopped_in": "migrate"' "$tmp/out.json" && ok || fail "status --json: no unfinished run"

# pool, offline
json pool 0 -- "$ccnc" --offline -c "$top_srcdir/docs/examples/lab.conf" pool --json

# On libvirt's test driver: one host with its VM "test", one empty; SSH to
# a port where nothing listens.
printf '<node>\n</node>\n' >"$tmp/empty.xml"
cat >"$tmp/t.conf" <<CONF
[host t]
address = 127.0.0.1
port = 9
user = root
role = hypervisor
libvirt_uri = test:///default
[host t2]
address = 127.0.0.1
port = 9
user = root
role = hypervisor
libvirt_uri = test://$tmp/empty.xml
[vm test]
host = t
CONF
json plan 0 --each -- "$ccnc" -c "$tmp/t.conf" evacuate t --to t2 --dry-run --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==1 and d[0]["kind"]=="migrate" and d[0]["destination"]=="t2", d' \
    "$tmp/out.json" && ok || fail "evacuate --dry-run --json: not the one plan"
# the VM is on both hosts of the test driver: a refusal in the array
json action 1 --each -- "$ccnc" -c "$tmp/t.conf" evacuate t --to t --dry-run --json
json action 1 -- "$ccnc" -c "$tmp/t.conf" migrate test --to t --dry-run --json
json hosts-check 1 -- "$ccnc" -c "$tmp/t.conf" hosts --check --json
# --watch never ends by itself
timeout 3 "$ccnc" -c "$tmp/t.conf" hosts --watch --json >"$tmp/watch.json" 2>/dev/null </dev/null
if [ -s "$tmp/watch.json" ] && python3 "$schema" "$doc" hosts-watch "$tmp/watch.json" --lines >"$tmp/why"; then
    ok
else
    fail "hosts --watch --json"; sed 's/^/  | /' "$tmp/why" "$tmp/watch.json"
fi

# Every output the reference describes has been run above, but bandwidth
# (it needs iperf3 on a reachable VM: tests/lab/test-ccnc-migrate.sh).
for o in status inspect action plan runs vf pool hosts-check hosts-watch bandwidth; do
    grep -q "^<!-- json: $o" "$doc" && ok || fail "docs/status-json.md has no table for $o"
done

finish
