#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The ccnc and ccnc-agent command lines: --help, --version, exit statuses,
# status --json on the example lab, and bad configs refused with file:line.
set -u
. "${abs_top_srcdir:-.}/tests/cli/lib.sh"
ccnc=$top_builddir/ccnc
agent=$top_builddir/ccnc-agent

# expect STATUS PATTERN -- CMD...: CMD exits with STATUS and its output
# (stdout and stderr) matches the grep -E PATTERN.
expect() {
    want=$1 pattern=$2
    shift 3
    "$@" >"$tmp/out" 2>&1 </dev/null
    got=$?
    if [ "$got" != "$want" ]; then
        fail "$* exited $got, expected $want"; sed 's/^/  | /' "$tmp/out"; return
    fi
    if ! grep -Eq -- "$pattern" "$tmp/out"; then
        fail "$* output lacks /$pattern/"; sed 's/^/  | /' "$tmp/out"; return
    fi
    ok
}

export XDG_CONFIG_HOME="$tmp/xdg" HOME="$tmp/home"
mkdir -p "$HOME"

expect 0 '^Usage: ccnc ' -- "$ccnc" --help
expect 0 'status \[--json\]' -- "$ccnc" --help
expect 0 '^  evacuate HOST' -- "$ccnc" --help
expect 0 '^ccnc [0-9]+\.[0-9]+' -- "$ccnc" --version
expect 0 '^License GPLv2\+: GNU GPL version 2 or later' -- "$ccnc" --version
expect 0 '^There is NO WARRANTY' -- "$ccnc" --version
expect 2 "Try 'ccnc --help'" -- "$ccnc" --bogus
expect 2 "unknown command 'frob'" -- "$ccnc" frob
expect 2 "unknown argument '--yaml'" -- "$ccnc" --offline status --yaml
expect 2 "'--wait' takes seconds|--wait takes seconds" -- "$ccnc" --offline status --wait soon
expect 0 'hosts --check\|--watch' -- "$ccnc" --help
expect 2 "say what to do: 'ccnc hosts --check'" -- "$ccnc" hosts
expect 2 "say what to do" -- "$ccnc" hosts --check --watch
expect 2 "unknown argument '--accept-all'" -- "$ccnc" hosts --check --accept-all
expect 0 '^Usage: ccnc-agent' -- "$agent" --help
expect 0 '^ccnc-agent [0-9]' -- "$agent" --version
expect 0 '^License GPLv2\+: GNU GPL version 2 or later' -- "$agent" --version
expect 0 '^There is NO WARRANTY' -- "$agent" --version
expect 2 'hypervisor or storage' -- "$agent" --role=router --once --json
expect 2 "Try 'ccnc-agent --help'" -- "$agent" --frob

# No config at the default path: the built-in lab in a box.
# --offline everywhere: these labs are not up, and no test may send traffic
# to their addresses.
expect 0 '"config": "<built-in>"' -- "$ccnc" --offline status --json
expect 0 '^sys1 +System1 +10\.77\.0\.11 +hypervisor +connecting \(stale\) +connecting' -- "$ccnc" --offline status
expect 0 '^ +not contacted yet' -- "$ccnc" --offline status
expect 0 'ccnc lab in a box' -- "$ccnc" config --builtin
# The built-in text is itself a valid lab.conf.
"$ccnc" config --builtin >"$tmp/builtin.conf"
expect 0 'the lab config is valid: 3 hosts, 1 VM, 0 pools' -- "$ccnc" -c "$tmp/builtin.conf" config

# The default path is used when it exists.
mkdir -p "$XDG_CONFIG_HOME/ccnc"
cp "$top_srcdir/docs/examples/lab.conf" "$XDG_CONFIG_HOME/ccnc/lab.conf"
expect 0 "\"config\": \"$XDG_CONFIG_HOME/ccnc/lab.conf\"" -- "$ccnc" --offline status --json

# status --json on the example: every host connecting and stale, no inventory.
ex=$top_srcdir/docs/examples/lab.conf
"$ccnc" --offline -c "$ex" status --json >"$tmp/status.json" || fail "status --json failed"
python3 - "$tmp/status.json" <<'PY' && ok || fail "status --json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 1
assert [h["name"] for h in d["hosts"]] == ["sys1", "sys2", "nfs"]
for h in d["hosts"]:
    assert h["connection"] == "connecting" and h["stale"] is True, h
    assert h["nics"] == [] and h["links"] == [] and h["vms"] == [], h
assert d["lab"]["vms"][1]["passthrough"] == {"kind": "pool", "value": "tengig", "mac": "52:54:00:a0:01:01"}
assert d["lab"]["migration"]["parallel"] == 2
PY

# The agent's one-shot JSON is a host part.
"$agent" --once --json --name=sysX --role=storage >"$tmp/agent.json" || fail "agent --once"
python3 - "$tmp/agent.json" <<'PY' && ok || fail "agent JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 1
assert d["host"]["name"] == "sysX" and d["host"]["role"] == "storage"
assert d["host"]["agent_version"]
PY

# Bad configs: exit 2, file:line, and the config is not used.
bad() { # NAME LINE PATTERN TEXT
    printf '%b' "$4" >"$tmp/$1.conf"
    expect 2 "^ccnc: $tmp/$1.conf:$2: .*$3" -- "$ccnc" --offline -c "$tmp/$1.conf" status --json
}
H='[host a]\naddress = 10.0.0.1\nuser = root\nrole = hypervisor\n'
bad unknown-key 5 "unknown key 'colour' in \\[host a\\]" "${H}colour = red\n"
bad unknown-section 5 'unknown section \[nfs\]' "${H}[nfs]\n"
bad missing-key 5 "lacks the required key 'role'" "${H}[host b]\naddress = h\nuser = u\n"
bad duplicate 5 "duplicate host 'a' \\(first defined at line 1\\)" "${H}[host a]\n"
bad vm-host 5 "host 'zz', which is not defined" "${H}[vm v]\nhost = zz\n"
bad address 2 "'address' must be a host name" '[host a]\naddress = 1.2.3.400\nuser = u\nrole = storage\n'
bad pci 7 'pci:DDDD:BB:DD.F' "${H}[vm v]\nhost = a\npassthrough = pci:03:00.0\n"
printf '' >"$tmp/empty.conf"
expect 2 "^ccnc: $tmp/empty.conf: the file is empty" -- "$ccnc" -c "$tmp/empty.conf" status
head -c 300 /bin/sh >"$tmp/binary.conf"
expect 2 "^ccnc: $tmp/binary.conf:1: this is not a text file" -- "$ccnc" -c "$tmp/binary.conf" status
expect 2 "^ccnc: $tmp: cannot read: Is a directory" -- "$ccnc" -c "$tmp" status
expect 2 "^ccnc: $tmp/none.conf: no such file" -- "$ccnc" -c "$tmp/none.conf" status
expect 2 'the lab config was not loaded' -- "$ccnc" -c "$tmp/none.conf" status
# Nothing is printed on stdout for a refused config.
"$ccnc" --offline -c "$tmp/empty.conf" status --json >"$tmp/stdout" 2>/dev/null
[ ! -s "$tmp/stdout" ] && ok || fail "stdout not empty for a bad config"

# inspect: libvirt XML as the model sees it.
lv=$top_srcdir/tests/data/libvirt
expect 0 'interface-hostdev .*0000:03:07\.1 +transient of ua-backup0' -- "$ccnc" inspect "$lv/domxml_libvirt_net-virtio-teaming.xml"
expect 0 'ua-backup1 +- +persistent for 0000:03:07\.2$' -- "$ccnc" inspect "$lv/domxml_libvirt_net-virtio-teaming.xml"
# teaming on a plain PCI <hostdev>, paired with its virtio partner
expect 0 '^  hostdev +- +- +other +- +0000:03:07\.1 +transient of ua-backup0$' -- "$ccnc" inspect "$lv/domxml_libvirt_net-virtio-teaming-hostdev.xml"
expect 0 '"partner_pci": "0000:03:07\.1"' -- "$ccnc" inspect --json "$lv/domxml_libvirt_net-virtio-teaming-hostdev.xml"
printf '%s\n' "<domain><name>v</name><devices><interface type='user'><alias name='ua-backup0'/>" \
    "<teaming type='persistent'/></interface><hostdev type='pci'><source><address domain='0'" \
    "bus='3' slot='0x10' function='2'/></source><teaming type='transient' persistent='ua-gone'/>" \
    "</hostdev></devices></domain>" >"$tmp/unpaired.xml"
expect 0 '0000:03:10\.2 +transient of ua-gone, which is missing$' -- "$ccnc" inspect "$tmp/unpaired.xml"
expect 0 'ua-backup0 +- +persistent$' -- "$ccnc" inspect "$tmp/unpaired.xml"
expect 0 'SR-IOV: 7 VFs enabled' -- "$ccnc" inspect "$lv/nodedev_vdsm_pci_0000_05_00_1_82576_pf.xml"
expect 0 '"pf": "0000:83:00.1"' -- "$ccnc" inspect --json "$lv/nodedev_synthetic_pci_0000_83_10_3_82576_vf_old_libvirt.xml"
expect 1 "^ccnc: $tmp/empty.conf: this is not well-formed XML" -- "$ccnc" inspect "$tmp/empty.conf"
expect 1 'no such file' -- "$ccnc" inspect "$tmp/none.xml"
expect 2 'give a file of libvirt XML' -- "$ccnc" inspect
expect 2 "unknown argument '--yaml'" -- "$ccnc" inspect --yaml x.xml
# With the lab config, the roles come from it.
cat >"$tmp/roles.conf" <<'CONF'
[host h]
address = h
user = u
role = hypervisor
[vm SRiovVm]
host = h
passthrough = pci:0000:05:00.1
backup = alias:net1
CONF
"$ccnc" -c "$tmp/roles.conf" inspect --json - <"$lv/domxml_vdsm_testSRiovVm_interface_hostdev.xml" >"$tmp/roles.json" ||
    fail "inspect with roles"
python3 - "$tmp/roles.json" <<'PY' && ok || fail "inspect roles content"
import json, sys
vm = json.load(open(sys.argv[1]))["vm"]
assert vm["name"] == "SRiovVm" and vm["state"] == "running" and vm["memory_kib"] == 262144, vm
assert [n["role"] for n in vm["nics"]] == ["backup", "passthrough"], vm["nics"]
assert vm["nics"][1]["pci"] == "0000:05:00.1" and vm["nics"][1]["teaming"] is None
PY

# Actions: the plan, from the config when --offline.
expect 0 '^ 9\. migrate +migrate the VM live' -- "$ccnc" --offline -c "$tmp/builtin.conf" migrate vm1 --to sys2 --dry-run
expect 0 'assumed to run on sys1' -- "$ccnc" --offline -c "$tmp/builtin.conf" migrate vm1 --to sys2 --dry-run
expect 0 '^Plan: detach vm1 from sys1' -- "$ccnc" --offline -c "$tmp/builtin.conf" detach vm1 --dry-run
expect 2 'only plans; leave it out to run' -- "$ccnc" --offline -c "$tmp/builtin.conf" detach vm1
expect 2 "has no \\[vm vm9\\]" -- "$ccnc" --offline -c "$tmp/builtin.conf" migrate vm9 --to sys2 --dry-run
expect 2 "'nfs' is not a hypervisor" -- "$ccnc" --offline -c "$tmp/builtin.conf" migrate vm1 --to nfs --dry-run
expect 2 'say where to with --to' -- "$ccnc" --offline -c "$tmp/builtin.conf" migrate vm1
expect 1 'already runs on sys1' -- "$ccnc" --offline -c "$tmp/builtin.conf" migrate vm1 --to sys1 --dry-run
expect 2 'known only online' -- "$ccnc" --offline -c "$tmp/builtin.conf" evacuate sys1
expect 2 'name a hypervisor host' -- "$ccnc" --offline -c "$tmp/builtin.conf" evacuate nfs
expect 2 'takes 1 to 64' -- "$ccnc" --offline -c "$tmp/builtin.conf" evacuate sys1 --parallel 0
expect 2 'name the VM whose migration' -- "$ccnc" --offline -c "$tmp/builtin.conf" abort
expect 2 'needs the hosts' -- "$ccnc" --offline -c "$tmp/builtin.conf" abort vm1
# Commands read their options with getopt_long, like the global ones:
# --opt=value and --opt value, options before and after the arguments,
# global options after the command too, and '--' ends the options.
b=$tmp/builtin.conf
plan='^Plan: migrate-passthrough vm1 from sys1 to sys2'
expect 0 "$plan" -- "$ccnc" --offline -c "$b" migrate vm1 --to=sys2 --dry-run
expect 0 "$plan" -- "$ccnc" --offline -c "$b" migrate --dry-run --to sys2 vm1
expect 0 "$plan" -- "$ccnc" migrate vm1 --to sys2 --dry-run --offline -c "$b"
expect 0 "$plan" -- "$ccnc" migrate --config="$b" --offline vm1 --to=sys2 --dry-run
expect 0 '"destination": "sys2"' -- "$ccnc" -c "$b" migrate --offline --json --dry-run vm1 --to sys2
expect 0 'the lab config is valid: 3 hosts, 1 VM, 0 pools' -- "$ccnc" config -c "$b"
expect 0 "\"config\": \"$ex\"" -- "$ccnc" status --json --offline -c "$ex"
expect 0 "\"config\": \"$ex\"" -- "$ccnc" status --wait=0 --json --config "$ex" --offline
expect 2 'takes 1 to 64' -- "$ccnc" --offline -c "$b" evacuate sys1 --parallel=0
expect 2 "takes seconds from 0 to 3600, not 'soon'" -- "$ccnc" --offline status --wait=soon
# after '--' a word that looks like an option is an argument
expect 1 "^ccnc: --json: no such file" -- "$ccnc" inspect -- --json
expect 2 "^ccnc inspect: too many arguments: '--json'" -- "$ccnc" inspect x.xml -- --json
expect 2 "has no \\[vm --to\\]" -- "$ccnc" --offline -c "$b" migrate --to sys2 --dry-run -- --to
# A command line getopt refuses: the command, what is wrong, where its help is.
expect 2 "^ccnc migrate: unknown argument '--frob'" -- "$ccnc" --offline migrate vm1 --frob
expect 2 "^Try 'ccnc migrate --help' for more information" -- "$ccnc" --offline migrate vm1 --frob
expect 2 "^Usage: ccnc migrate VM --to HOST" -- "$ccnc" --offline migrate vm1 --frob
expect 2 "^ccnc migrate: unknown argument '-x'" -- "$ccnc" --offline migrate vm1 -x
expect 2 "^ccnc migrate: --to needs an argument \\(HOST\\|auto\\)" -- "$ccnc" --offline migrate vm1 --to
expect 2 "^ccnc status: --wait needs an argument \\(S\\)" -- "$ccnc" --offline status --wait
expect 2 "^ccnc status: --json takes no argument" -- "$ccnc" --offline status --json=yes
expect 2 "^ccnc status: -c needs an argument \\(FILE\\)" -- "$ccnc" status -c
expect 2 "^ccnc hosts: '--c' could be any of --check, --config" -- "$ccnc" hosts --c
expect 2 "^Try 'ccnc hosts --help'" -- "$ccnc" hosts --c
expect 2 "^ccnc: -c needs an argument \\(FILE\\)" -- "$ccnc" -c
expect 2 "^Try 'ccnc --help' for more information" -- "$ccnc" -c
expect 2 "^ccnc pool: too many arguments: 'e'" -- "$ccnc" --offline pool a b c d e
expect 2 "^ccnc resume: say --undo or --finish, not both" -- "$ccnc" --offline resume vm1 --undo --finish
# A command's help, as 'ccnc CMD --help' and 'ccnc help CMD': on stdout,
# exit 0, its usage, what it does and its options; nothing on stderr.
cmds=$("$ccnc" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }')
n=$(echo "$cmds" | wc -w)
[ "$n" -ge 17 ] && ok || fail "ccnc --help lists $n commands: $cmds"
for c in $cmds; do
    "$ccnc" "$c" --help >"$tmp/help.out" 2>"$tmp/help.err"
    rc=$?
    if [ "$rc" = 0 ] && [ ! -s "$tmp/help.err" ] && grep -q "^Usage: ccnc $c" "$tmp/help.out" &&
       awk '!/^(Usage|   or): / { exit !/^[^ ]/ }' "$tmp/help.out" && grep -q '^Options:$' "$tmp/help.out" &&
       grep -q '^  -h, --help ' "$tmp/help.out"; then ok; else
        fail "ccnc $c --help (exit $rc)"; sed 's/^/  | /' "$tmp/help.out" "$tmp/help.err"
    fi
    "$ccnc" help "$c" >"$tmp/help2.out" 2>&1
    if cmp -s "$tmp/help.out" "$tmp/help2.out"; then ok; else fail "'ccnc help $c' is not 'ccnc $c --help'"; fi
done
expect 0 '^      --to=HOST\|auto +the hypervisor to move the VM to' -- "$ccnc" migrate --help
expect 0 '^Migrate a VM live, with its passthrough NIC\.$' -- "$ccnc" help migrate
expect 0 '^   or: ccnc vf HOST PORT --numvfs N$' -- "$ccnc" help vf
expect 0 '^      --numvfs=N ' -- "$ccnc" vf -h
expect 0 '^Usage: ccnc status' -- "$ccnc" --offline status --json --help
expect 0 '^Usage: ccnc \[OPTION\]' -- "$ccnc" help
expect 0 '^  help \[COMMAND\]' -- "$ccnc" --help
expect 2 "unknown command 'frob'" -- "$ccnc" help frob
expect 2 "^ccnc help: too many arguments: 'status'" -- "$ccnc" help migrate status
# the help needs no lab config, not even a good one
expect 0 '^Usage: ccnc status' -- "$ccnc" -c "$tmp/none.conf" status --help
# Runs: none yet, then an unfinished one and a finished one.
export XDG_STATE_HOME="$tmp/state"
expect 0 'No runs recorded' -- "$ccnc" runs
mkdir -p "$XDG_STATE_HOME/ccnc/runs"
r1=$XDG_STATE_HOME/ccnc/runs/20261125-100000-vm1-migrate-passthrough.jsonl
r2=$XDG_STATE_HOME/ccnc/runs/20261125-110000-vm1-migrate-passthrough.jsonl
cat >"$r1" <<'RUN'
{"type":"run","t_ms":1764064800000,"version":1,"kind":"migrate-passthrough","vm":"vm1","source":"sys1","destination":"sys2"}
{"type":"step","t_ms":1764064800900,"op":"detach","rollback":false,"outcome":"ok"}
{"type":"step-start","t_ms":1764064801000,"op":"migrate","rollback":false}
RUN
cat >"$r2" <<'RUN'
{"type":"run","t_ms":1764068400000,"version":1,"kind":"migrate-passthrough","vm":"vm1","source":"sys2","destination":"sys1"}
{"type":"probe","t_ms":1764068401000,"sent":300,"received":300,"lost":0,"current_gap_ms":0,"longest_gap_ms":231,"stream_stall_ms":20,"stream_longest_stall_ms":512}
{"type":"to_go","t_ms":1764068402000,"iteration":9,"elapsed_ms":2900,"course":"shrinking","shrink":0.5,"remaining_bytes":80000000,"threshold_bytes":10000000,"rounds":3,"to_go_ms":1500,"end_ms":4400}
{"type":"to_go","t_ms":1764068402100,"iteration":10,"elapsed_ms":3000,"course":"shrinking","shrink":0.5,"remaining_bytes":40000000,"threshold_bytes":10000000,"rounds":2,"to_go_ms":1100,"end_ms":4100}
{"type":"result","t_ms":1764068404000,"result":"done","summary":"vm1: done","total_ms":4180,"downtime_ms":214,"longest_gap_ms":231,"lost_probes":0}
RUN
expect 0 'vm1-migrate-passthrough.jsonl +migrate-passthrough +vm1 +UNFINISHED' -- "$ccnc" runs
expect 0 "stopped during: migrate; it stopped during the migration, which libvirt may have finished on its own: 'ccnc resume vm1'" -- "$ccnc" runs
expect 0 '^downtime ms +- +214$' -- "$ccnc" report "$r1" "$r2"
expect 0 '^longest gap ms +- +231$' -- "$ccnc" report "$r1" "$r2"
# the course a running migration was said to take, at its 10th round
expect 0 '^  at round 10 +- +4100$' -- "$ccnc" report "$r1" "$r2"
expect 0 '"end_ms": 4100' -- "$ccnc" report --json "$r2"
expect 0 '"lost_probes": 0' -- "$ccnc" report --json "$r2"
# the stream's stall, from the probe lines (this result line predates it)
expect 0 '"stream_stall_ms": 512' -- "$ccnc" report --json "$r2"
expect 0 '^stream stall ms +- +512$' -- "$ccnc" report "$r1" "$r2"
# a forecast that said the migration would not end within its timeout
mkdir -p "$tmp/other"
r3=$tmp/other/20261125-120000-vm1-migrate-passthrough.jsonl
cat >"$r3" <<'RUN'
{"type":"run","t_ms":1764072000000,"version":1,"kind":"migrate-passthrough","vm":"vm1","source":"sys1","destination":"sys2"}
{"type":"forecast","t_ms":1764072001000,"forecast":{"valid":true,"converges":false,"rounds":6,"total_ms":null,"downtime_ms":null,"gap_ms":null,"timeout_ms":120000,"at_edge":true,"edge_less_ms":49900,"edge_more_ms":null}}
{"type":"result","t_ms":1764072090000,"result":"rolled-back","summary":"vm1: rolled back","total_ms":86294,"downtime_ms":null,"longest_gap_ms":25,"lost_probes":0}
RUN
expect 0 '^  forecast +no end$' -- "$ccnc" report "$r3"
expect 0 '"converges": false' -- "$ccnc" report --json "$r3"
expect 0 '^longest stream stall +512 +512 +512 +1 ' -- "$ccnc" report --table "$r2"
expect 1 'not a ccnc run file' -- "$ccnc" report "$top_srcdir/docs/examples/lab.conf"
expect 2 'name one or more run files' -- "$ccnc" report
# Table 1 and the plot, over real runs of the lab (tests/data/runs)
lab=$top_srcdir/tests/data/runs
set -- "$lab/lab-20261203-221714-vm1-migrate-passthrough.jsonl" \
    "$lab/lab-20261203-221730-vm1-migrate-passthrough.jsonl" \
    "$lab/lab-20261203-221802-vm1-migrate-passthrough.jsonl"
expect 0 '^Table 1 over 3 migrations' -- "$ccnc" report --table "$@"
expect 0 '^total migration time +8730 +9162 +10357 +3 +60000 +32000$' -- "$ccnc" report --table "$@"
expect 0 "^downtime \\(libvirt's\\) +127 +250 +300 +3 +4000 +< 1000$" -- "$ccnc" report --table "$@"
expect 0 '^longest gap +181 +321 +327 +3 ' -- "$ccnc" report --table "$@"
expect 0 '^longest stream stall +not measured' -- "$ccnc" report --table "$@"
expect 0 "left out: .*20261125-100000-vm1-migrate-passthrough.jsonl: it never ended" -- \
    "$ccnc" report --table "$r1" "$@"
expect 0 '^Table 1 over 3 migrations' -- "$ccnc" report --table "$r1" "$@"
expect 0 '"name": "stream_stall_ms",' -- "$ccnc" report --table --json "$@"
"$ccnc" report --table "$r1" "$@" >"$tmp/table" 2>&1
if awk '!/^left out: / && length($0) > 80 { bad = 1 } END { exit bad }' "$tmp/table"; then ok; else
    fail "report --table: a line over 80 columns"; sed 's/^/  | /' "$tmp/table"
fi
if grep -q '^#define HAVE_CAIRO 1' "$top_builddir/config.h"; then
    expect 0 "^The plot of 3 runs is in $tmp/lab.svg" -- "$ccnc" report --plot "$tmp/lab.svg" "$@"
    head -c 200 "$tmp/lab.svg" | grep -q '<svg ' && ok || fail "report --plot: not an SVG"
    expect 0 '^Table 1 over 1 migration' -- "$ccnc" report --table --plot "$tmp/lab.png" "$1"
    head -c 4 "$tmp/lab.png" | grep -q 'PNG' && ok || fail "report --plot: not a PNG"
    expect 0 'The plot of 1 run is in' -- "$ccnc" report --plot "$tmp/lab.pdf" "$1"
    head -c 5 "$tmp/lab.pdf" | grep -q '%PDF-' && ok || fail "report --plot: not a PDF"
    expect 2 "cannot tell the plot's format from '$tmp/lab.txt'" -- \
        "$ccnc" report --plot "$tmp/lab.txt" "$1"
    [ ! -e "$tmp/lab.txt" ] && ok || fail "report --plot wrote a file it cannot name"
    expect 1 'cannot write the plot' -- "$ccnc" report --plot "$tmp/none/lab.svg" "$1"
else
    expect 2 'built without cairo' -- "$ccnc" report --plot "$tmp/lab.svg" "$1"
fi
# The order of `ccnc runs`: unfinished runs first, then finished ones; in
# each, newest first by the time in the run line (the names below disagree
# with it on purpose), ties by name.
runs=$XDG_STATE_HOME/ccnc/runs
run_line() { # FILE T_MS KIND VM
    printf '{"type":"run","t_ms":%s,"version":1,"kind":"%s","vm":"%s","source":"sys1","destination":"sys2"}\n' \
        "$2" "$3" "$4" >"$runs/$1"
}
run_line 20261125-100000-vm2-detach.jsonl 1764072000000 detach vm2
run_line 20261125-130000-vm3-assign.jsonl 1764061200000 assign vm3
run_line 20261125-140000-vm4-assign.jsonl 1764064800000 assign vm4
run_line 20261124-090000-vm2-assign.jsonl 1764144000000 assign vm2
echo '{"type":"result","t_ms":1764144009000,"result":"rolled-back","summary":"vm2: rolled back"}' \
    >>"$runs/20261124-090000-vm2-assign.jsonl"
cat >"$tmp/runs.order" <<'ORDER'
20261125-100000-vm2-detach.jsonl
20261125-100000-vm1-migrate-passthrough.jsonl
20261125-140000-vm4-assign.jsonl
20261125-130000-vm3-assign.jsonl
20261124-090000-vm2-assign.jsonl
20261125-110000-vm1-migrate-passthrough.jsonl
ORDER
"$ccnc" runs >"$tmp/runs.txt" || fail "runs failed"
awk '$1 ~ /\.jsonl$/ { print $1 }' "$tmp/runs.txt" >"$tmp/runs.got"
if cmp -s "$tmp/runs.order" "$tmp/runs.got"; then ok; else
    fail "runs: not unfinished first, newest first"; sed 's/^/  | /' "$tmp/runs.txt"
fi
"$ccnc" runs --json >"$tmp/runs.json" || fail "runs --json failed"
python3 - "$tmp/runs.json" "$tmp/runs.order" <<'PY' && ok || fail "runs --json order"
import json, os, sys
got = [os.path.basename(r["run_file"]) for r in json.load(open(sys.argv[1]))]
want = open(sys.argv[2]).read().split()
assert got == want, got
PY

# Text from hosts is shown with its control characters and invalid UTF-8
# as escapes: a run file whose VM name and aborter hold escape sequences
# (a host's VM name, another workstation's name), and a VM whose name holds U+009B, the one-byte
# CSI (libvirt's test driver allows it; XML forbids ESC itself).
mkdir -p "$tmp/hostile/ccnc/runs"
printf '%s\n' '{"type":"run","t_ms":1764068400000,"version":1,"kind":"detach","vm":"vm\u001b[2J9","source":"sys1","destination":"sys2"}' \
    '{"type":"abort","t_ms":1764068401000,"who":"\u001b]0;owned\u0007root@ws"}' \
    >"$tmp/hostile/ccnc/runs/20261125-150000-vm9-detach.jsonl"
XDG_STATE_HOME=$tmp/hostile "$ccnc" runs >"$tmp/hostile.txt" 2>&1
if grep -qF 'vm\x1b[2J9' "$tmp/hostile.txt" && grep -qF 'stopped by the operator: \x1b]0;owned\x07root@ws' "$tmp/hostile.txt" &&
   ! LC_ALL=C grep -q "$(printf '\033')" "$tmp/hostile.txt"; then ok; else
    fail "runs: escape sequences from a run file reach the terminal"; od -c "$tmp/hostile.txt" | sed 's/^/  | /'
fi
cat >"$tmp/hostile-node.xml" <<'XML'
<node>
  <domain type='test'>
    <name>vm&#x9b;2Jx</name>
    <memory>65536</memory>
    <vcpu>1</vcpu>
    <os><type>hvm</type></os>
  </domain>
</node>
XML
printf '[host t]\naddress = localhost\nuser = root\nrole = hypervisor\nlibvirt_uri = test://%s\n' \
    "$tmp/hostile-node.xml" >"$tmp/hostile.conf"
XDG_STATE_HOME=$tmp/hostile "$ccnc" -c "$tmp/hostile.conf" status --wait 20 >"$tmp/hostile-status.txt" 2>&1
if grep -qF 'Also on t: vm\xc2\x9b2Jx (running' "$tmp/hostile-status.txt" &&
   ! LC_ALL=C grep -q "$(printf '\302\233')" "$tmp/hostile-status.txt"; then ok; else
    fail "status: a C1 control in a VM's name reaches the terminal"; sed 's/^/  | /' "$tmp/hostile-status.txt"
fi
# ... and no command can forget it: the CLI prints text only through
# ccnc_cli_printf() and its kin (JSON as json-c writes it)
if grep -nE '(^|[^_a-z0-9])(v?f?printf|fputs|fwrite|puts|putchar)\(' "$top_srcdir"/src/cli/*.c |
   grep -vE 'puts\(json|putchar\(.\\n.\)|fputs\(safe, f\)'; then
    fail "src/cli prints text without ccnc_cli_printf() (above)"
else ok; fi

# --replay: a run file for the console; it needs a terminal like the console.
expect 2 '\-\-speed takes a number' -- "$ccnc" --replay "$r2" --speed 0
expect 2 'needs a terminal' -- "$ccnc" --replay "$r2"

# The console refuses to run without a terminal, pointing at status.
expect 2 'needs a terminal' -- "$ccnc" --offline -c "$ex"
# A lab whose only hypervisor is libvirt's built-in test driver: status
# waits for libvirt's answer and shows its VM (no network involved).
cat >"$tmp/testdrv.conf" <<'CONF'
[host t]
address = localhost
user = root
role = hypervisor
libvirt_uri = test:///default
CONF
"$ccnc" -c "$tmp/testdrv.conf" status --json --wait 20 >"$tmp/testdrv.json" || fail "status on test:///default"
python3 - "$tmp/testdrv.json" <<'PY' && ok || fail "status on test:///default content"
import json, sys
h = json.load(open(sys.argv[1]))["hosts"][0]
assert h["libvirt"] == "connected", h
assert [v["name"] for v in h["vms"]] == ["test"], h["vms"]
assert h["vms"][0]["state"] == "running" and h["vms"][0]["memory_kib"] > 0, h["vms"][0]
PY

# -v (--verbose, repeatable) tells on stderr what ccnc reads and connects
# to; -vv also each libvirt call of an action; nothing of it on stdout.
"$ccnc" -v --offline status >"$tmp/v.out" 2>"$tmp/v.err"
if grep -q '^ccnc: lab config: .*/ccnc/lab.conf' "$tmp/v.err" && ! grep -q '^ccnc: ' "$tmp/v.out" &&
   grep -q '^Lab: ' "$tmp/v.out"; then ok; else
    fail "-v --offline status"; sed 's/^/  | /' "$tmp/v.out" "$tmp/v.err"
fi
expect 0 "^ccnc: lab config: reading $ex\$" -- "$ccnc" --verbose --offline -c "$ex" config
expect 0 "^ccnc: lab config: reading $ex\$" -- "$ccnc" config -c "$ex" -v
XDG_CONFIG_HOME=$tmp/none "$ccnc" --offline status -v >/dev/null 2>"$tmp/v.err"
grep -q "^ccnc: lab config: $tmp/none/ccnc/lab.conf is not there; using the built-in lab in a box" "$tmp/v.err" &&
    ok || { fail "-v without a config"; sed 's/^/  | /' "$tmp/v.err"; }
"$ccnc" --offline status >/dev/null 2>"$tmp/v.err"
[ ! -s "$tmp/v.err" ] && ok || { fail "status without -v writes on stderr"; sed 's/^/  | /' "$tmp/v.err"; }
# libvirt's test driver: the URI opened (-v), and each call (-vv)
"$ccnc" -v -c "$tmp/testdrv.conf" abort test >"$tmp/v.out" 2>"$tmp/v.err"
if grep -q '^ccnc: t: opening libvirt at test:///default$' "$tmp/v.err" &&
   ! grep -q 'virDomain' "$tmp/v.err" && grep -q 'nothing to abort' "$tmp/v.out"; then ok; else
    fail "-v abort on test:///default"; sed 's/^/  | /' "$tmp/v.out" "$tmp/v.err"
fi
"$ccnc" -vv -c "$tmp/testdrv.conf" abort test >/dev/null 2>"$tmp/v.err"
if grep -q '^ccnc: t: libvirt virDomainLookupByName for test$' "$tmp/v.err" &&
   grep -q '^ccnc: t: libvirt virDomainGetJobInfo for test$' "$tmp/v.err"; then ok; else
    fail "-vv abort on test:///default"; sed 's/^/  | /' "$tmp/v.err"
fi
expect 1 '^ccnc: t: libvirt virDomainGetJobInfo for test$' -- "$ccnc" abort test -v --verbose -c "$tmp/testdrv.conf"
# what could be a secret in a URI is not shown, in -v or in an error
sed 's|^libvirt_uri = .*|libvirt_uri = test://joe:hunter2@localhost/default?password=hunter2|' \
    "$tmp/testdrv.conf" >"$tmp/secret.conf"
"$ccnc" -v -c "$tmp/secret.conf" abort test >"$tmp/v.out" 2>&1
if grep -q '^ccnc: t: opening libvirt at test://joe:\*\*\*@localhost/default?password=\*\*\*$' "$tmp/v.out" &&
   ! grep -q hunter2 "$tmp/v.out"; then ok; else
    fail "a password in the libvirt URI is shown"; sed 's/^/  | /' "$tmp/v.out"
fi
# the status of a lab on the test driver, with -v: SSH to its host named
"$ccnc" -v -c "$tmp/testdrv.conf" status --wait 20 >/dev/null 2>"$tmp/v.err"
if grep -q '^ccnc: t: connecting over SSH to root@localhost port 22; key: ' "$tmp/v.err" &&
   grep -q '^ccnc: t: libvirt answered$' "$tmp/v.err"; then ok; else
    fail "-v status on test:///default"; sed 's/^/  | /' "$tmp/v.err"
fi

# ccnc abort says why it could not ask a host, instead of hiding it
cat >"$tmp/noabort.conf" <<'CONF'
[host t]
address = localhost
user = root
role = hypervisor
libvirt_uri = test:///nonexistent/ccnc/node.xml
[vm vm1]
host = t
CONF
expect 1 'could not be asked: t: cannot connect to test:///nonexistent' -- "$ccnc" -c "$tmp/noabort.conf" abort vm1
# a libvirt_uri that would not check the host's key is refused, with why
cat >"$tmp/nocheck.conf" <<'CONF'
[host t]
address = 10.0.0.9
user = root
role = hypervisor
libvirt_uri = qemu+ssh://root@10.0.0.9/system?no_verify=1
[vm vm1]
host = t
CONF
expect 1 'turns host key checks off' -- "$ccnc" -c "$tmp/nocheck.conf" abort vm1

finish
