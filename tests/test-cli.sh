#!/bin/sh
# The ccnc and ccnc-agent command lines: --help, --version, exit statuses,
# status --json on the example lab, and bad configs refused with file:line.
set -u
top_builddir=${abs_top_builddir:-.}
top_srcdir=${abs_top_srcdir:-.}
ccnc=$top_builddir/ccnc
agent=$top_builddir/ccnc-agent
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
passes=0

ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

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
expect 0 '^ccnc [0-9]+\.[0-9]+' -- "$ccnc" --version
expect 2 "Try 'ccnc --help'" -- "$ccnc" --bogus
expect 2 "unknown command 'frob'" -- "$ccnc" frob
expect 2 "unknown argument '--yaml'" -- "$ccnc" status --yaml
expect 0 'hosts --check\|--watch' -- "$ccnc" --help
expect 2 "say what to do: 'ccnc hosts --check'" -- "$ccnc" hosts
expect 2 "say what to do" -- "$ccnc" hosts --check --watch
expect 2 "unknown argument '--accept-all'" -- "$ccnc" hosts --check --accept-all
expect 0 '^Usage: ccnc-agent' -- "$agent" --help
expect 0 '^ccnc-agent [0-9]' -- "$agent" --version
expect 2 'hypervisor or storage' -- "$agent" --role=router --once --json
expect 2 "Try 'ccnc-agent --help'" -- "$agent" --frob

# No config at the default path: the built-in lab in a box.
expect 0 '"config": "<built-in>"' -- "$ccnc" status --json
expect 0 '^sys1 +System1 +10\.77\.0\.11 +hypervisor +connecting \(stale\)' -- "$ccnc" status
expect 0 'ccnc lab in a box' -- "$ccnc" config --builtin
# The built-in text is itself a valid lab.conf.
"$ccnc" config --builtin >"$tmp/builtin.conf"
expect 0 'the lab config is valid: 3 hosts, 1 VMs' -- "$ccnc" -c "$tmp/builtin.conf" config

# The default path is used when it exists.
mkdir -p "$XDG_CONFIG_HOME/ccnc"
cp "$top_srcdir/docs/examples/lab.conf" "$XDG_CONFIG_HOME/ccnc/lab.conf"
expect 0 "\"config\": \"$XDG_CONFIG_HOME/ccnc/lab.conf\"" -- "$ccnc" status --json

# status --json on the example: every host connecting and stale, no inventory.
ex=$top_srcdir/docs/examples/lab.conf
"$ccnc" -c "$ex" status --json >"$tmp/status.json" || fail "status --json failed"
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
    expect 2 "^ccnc: $tmp/$1.conf:$2: .*$3" -- "$ccnc" -c "$tmp/$1.conf" status --json
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
"$ccnc" -c "$tmp/empty.conf" status --json >"$tmp/stdout" 2>/dev/null
[ ! -s "$tmp/stdout" ] && ok || fail "stdout not empty for a bad config"

# The console refuses to run without a terminal, pointing at status.
expect 2 'needs a terminal' -- "$ccnc" -c "$ex"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
