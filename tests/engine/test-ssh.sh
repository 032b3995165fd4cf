#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc's SSH sessions against real OpenSSH servers: each sshd runs in a
# network namespace made here (loopback only, so no traffic leaves it) and
# a private mount namespace (its own /root and /run), with its own ed25519
# host key.  ccnc runs inside the same network namespace.
#
# Cases: unknown host key (nothing sent) and --accept-new; agent missing,
# uploaded and started; agent of another version replaced; the agent's
# cache: a link planted at the old temporary name not followed, an agent of
# the right version but other content replaced and never run, another
# user's folder and a linked folder refused, folders of mode 0777 narrowed,
# a copy that still differs after the upload refused; changed host key
# refused naming known_hosts and its line, nothing sent; wrong user, wrong
# key, passphrase-protected key (not dumpable while it is asked for and
# held); an agent line over 1 MiB; a listener that never speaks SSH times
# out without holding up the others; sshd stopped while connected is seen
# unreachable within keepalive_s and reconnected when it is back; with no
# user or port in the lab config, ~/.ssh/config's User and Port apply.
set -u
top_builddir=${abs_top_builddir:-.}
top_srcdir=${abs_top_srcdir:-.}
ccnc=$(cd "$top_builddir" && pwd)/ccnc
fake_agent=$(cd "$top_srcdir" && pwd)/tests/engine/ssh-fake-agent.sh
sshd_bin=/usr/sbin/sshd
KEEPALIVE=2

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to make network namespaces"
[ -x "$sshd_bin" ] || skip "no $sshd_bin (install openssh-server)"
command -v ssh-keygen >/dev/null || skip "no ssh-keygen (install openssh-client)"
command -v unshare >/dev/null || skip "no unshare (util-linux)"
command -v python3 >/dev/null || skip "no python3"

ns=ccnc-ssh-$$
tmp=$(mktemp -d /tmp/ccnc-test-ssh.XXXXXX)
pids=""
frozen=""   # the session frozen to play a silent host (see 'watch')
# kill_tree PID: PID and everything it started (sshd's sessions and what
# runs in them), children first.
kill_tree() {
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$c"; done
    kill -9 "$1" 2>/dev/null
}
cleanup() {
    exec 2>/dev/null   # no job notices for the processes killed here
    for p in $pids; do kill_tree "$p"; done
    for p in $frozen; do kill -9 "$p"; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    ip netns delete "$ns" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
ip netns exec "$ns" ip link set lo up || skip "cannot bring up lo in $ns"

fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }
inns() { ip netns exec "$ns" "$@"; }

unset SSH_AUTH_SOCK SSH_AGENT_PID
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/xdg" LC_ALL=C.UTF-8
mkdir -p "$HOME/.ssh" "$tmp/keys"
chmod 700 "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -C ccnc-test -f "$tmp/keys/client" || exit 99
ssh-keygen -q -t ed25519 -N '' -C other -f "$tmp/keys/other" || exit 99
ssh-keygen -q -t ed25519 -N 'secret words' -C pass -f "$tmp/keys/pass" || exit 99
cp "$tmp/keys/client.pub" "$tmp/keys/authorized_keys"
cat "$tmp/keys/pass.pub" >>"$tmp/keys/authorized_keys"

# start_sshd N [PORT]: host N listens on 127.0.0.1N:PORT (22) in its own
# mount namespace (tmpfs /root and /run), in the foreground (-D), killed by PID.
start_sshd() {
    d=$tmp/sshd$1
    sport=${2:-22}
    mkdir -p "$d"
    [ -f "$d/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519"
    cat >"$d/sshd_config" <<CONF
ListenAddress 127.0.0.1$1:$sport
HostKey $d/host_ed25519
PidFile $d/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AuthorizedKeysFile $tmp/keys/authorized_keys
Subsystem sftp internal-sftp
LogLevel VERBOSE
CONF
    ip netns exec "$ns" unshare --mount --propagation private sh -c '
        mount -t tmpfs -o mode=0700 ccnc-root /root && mount -t tmpfs ccnc-run /run &&
        mkdir -p /run/sshd && exec "$0" -D -e -f "$1"' "$sshd_bin" "$d/sshd_config" \
        >>"$d/log" 2>&1 &
    eval "sshd_pid$1=$!"
    pids="$pids $!"
    for _ in $(seq 50); do
        inns python3 -c "import socket; socket.create_connection(('127.0.0.1$1', $sport), 1)" \
            2>/dev/null && return 0
        sleep 0.1
    done
    echo "sshd $1 did not start:"; sed 's/^/  | /' "$d/log"; exit 99
}

# stop_sshd N: the listener and every session process it forked.
stop_sshd() {
    eval "p=\$sshd_pid$1"
    kill_tree "$p"
    wait "$p" 2>/dev/null   # reaps it: a zombie would still pass kill -0
}

# in_host N CMD...: run CMD in host N's namespaces (its /root).
in_host() {
    n=$1; shift
    eval "p=\$sshd_pid$n"
    nsenter -t "$p" -n -m -- "$@"
}

fingerprint() { ssh-keygen -lf "$tmp/sshd$1/host_ed25519.pub" | awk '{print $2}'; }

write_lab() { # FILE [KEY=VALUE for host 1 ...]
    f=$1; shift
    {
        echo "[lab]"; echo "name = ssh test"
        for n in 1 2 3; do
            echo "[host h$n]"; echo "address = 127.0.0.1$n"; echo "user = root"
            [ $n = 3 ] && echo "role = storage" || echo "role = hypervisor"
            echo "identity = $tmp/keys/client"; echo "known_hosts = $tmp/known_hosts"
            if [ $n = 1 ]; then for kv in "$@"; do echo "$kv" | sed 's/=/ = /'; done; fi
        done
        echo "[migration]"; echo "keepalive_s = $KEEPALIVE"
    } | awk -F' = ' '
        # a later key for host 1 replaces the default one
        /^\[/ { sec=$0 } { k=sec SUBSEP $1; if (k in seen) lines[seen[k]]=$0; else { seen[k]=++n; lines[n]=$0 } }
        END { for (i=1;i<=n;i++) print lines[i] }' >"$f"
}

# check NAME LAB [ARGS]: ccnc hosts --check --json; output in $tmp/NAME.json
check() {
    name=$1 lab=$2; shift 2
    start=$(date +%s%N)
    inns timeout 60 "$ccnc" -c "$lab" hosts --check --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err"
    rc=$?
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
}

# jq-like assertions on a check's JSON: jcheck NAME PYTHON-EXPR DESCRIPTION
jcheck() {
    if python3 - "$tmp/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
h = {x["name"]: x for x in d["hosts"]}
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
    then ok "$3"; else fail "$3"; sed 's/^/  | /' "$tmp/$1.json" "$tmp/$1.err"; fi
}

for n in 1 2 3; do start_sshd $n; done
write_lab "$tmp/lab.conf"
fp1=$(fingerprint 1); fp2=$(fingerprint 2); fp3=$(fingerprint 3)

# --- 1. unknown host keys: reported with the fingerprint, nothing sent -------
check unknown "$tmp/lab.conf"
[ $rc = 1 ] && ok "unknown keys: exit 1" || fail "unknown keys: exit $rc, expected 1"
jcheck unknown "all(x['connection'] == 'hostkey-unknown' and x['hostkey']['status'] == 'unknown' for x in d['hosts'])" \
    "unknown keys: every host hostkey-unknown"
jcheck unknown "h['h1']['hostkey']['sha256'] == '$fp1' and h['h2']['hostkey']['sha256'] == '$fp2' and h['h3']['hostkey']['sha256'] == '$fp3'" \
    "unknown keys: fingerprints are the servers' SHA256"
jcheck unknown "not any(x['authenticated'] for x in d['hosts'])" "unknown keys: not authenticated"
[ ! -e "$tmp/known_hosts" ] && ok "unknown keys: known_hosts not written" \
    || fail "unknown keys: known_hosts was written"
if grep -Eq 'publickey|Accepted|Failed|userauth' "$tmp"/sshd?/log; then
    fail "unknown keys: an authentication attempt reached sshd"; grep -E 'publickey|Accepted|Failed|userauth' "$tmp"/sshd?/log
else ok "unknown keys: no authentication attempt reached sshd"; fi
# text output points at --accept-new
inns timeout 60 "$ccnc" -c "$tmp/lab.conf" hosts --check >"$tmp/unknown.txt" 2>&1
grep -q "hosts --check --accept-new" "$tmp/unknown.txt" && grep -q "$fp1" "$tmp/unknown.txt" \
    && ok "unknown keys: text names the fingerprint and --accept-new" \
    || { fail "unknown keys: text output"; cat "$tmp/unknown.txt"; }

# --- 1b. the operator is asked (the engine API the console uses) ------------
answer=$(cd "$top_builddir" && pwd)/tests/engine/ssh-answer
write_lab "$tmp/lab-ask.conf" "known_hosts=$tmp/kh-ask"
inns timeout 30 "$answer" "$tmp/lab-ask.conf" h1 no >"$tmp/ask-no.txt" 2>&1
if grep -q "^asked connection=hostkey-unknown stale=1 question=1 passphrase=0 fingerprint=$fp1 " "$tmp/ask-no.txt" &&
   grep -q "^answered connection=hostkey-unknown stale=1 question=0 passphrase=0 .*was not trusted" "$tmp/ask-no.txt" &&
   [ ! -e "$tmp/kh-ask" ]; then
    ok "asked: 'no' leaves the host unconnected and known_hosts unwritten"
else fail "asked: answer no"; sed 's/^/  | /' "$tmp/ask-no.txt"; fi
CCNC_AGENT_BINARY=$(dirname "$ccnc")/ccnc-agent inns timeout 30 "$answer" "$tmp/lab-ask.conf" h1 yes >"$tmp/ask-yes.txt" 2>&1
if grep -q "^asked .*question=1 passphrase=0 fingerprint=$fp1 " "$tmp/ask-yes.txt" &&
   grep -q "^answered connection=connected stale=0 question=0 passphrase=0 " "$tmp/ask-yes.txt" &&
   [ "$(grep -c '^127.0.0.11 ' "$tmp/kh-ask")" = 1 ]; then
    ok "asked: 'yes' records the key and the host connects with its agent"
else fail "asked: answer yes"; sed 's/^/  | /' "$tmp/ask-yes.txt"; fi
if grep -Eq 'publickey|Accepted|Failed|userauth' "$tmp"/sshd[23]/log; then
    fail "asked: hosts nobody answered for were sent authentication"
else ok "asked: nothing sent to the hosts still waiting for an answer"; fi

# --- 2. --accept-new: trusted, written, agent uploaded and started -------------
# host 3 has an agent of another version in its cache: it must be replaced
in_host 3 sh -c 'mkdir -p /root/.cache/ccnc/agent-0.1.0 &&
    sed "s/^version=.*/version=0.0.9/" "$0" >/root/.cache/ccnc/agent-0.1.0/ccnc-agent &&
    chmod 700 /root/.cache/ccnc/agent-0.1.0/ccnc-agent' "$fake_agent"
check accept "$tmp/lab.conf" --accept-new
[ $rc = 0 ] && ok "accept-new: exit 0 (${elapsed_ms} ms)" || fail "accept-new: exit $rc"
jcheck accept "all(x['connection'] == 'connected' and x['authenticated'] and x['hostkey']['status'] == 'accepted' for x in d['hosts'])" \
    "accept-new: all connected, keys accepted"
# (h1 got its agent when the operator said yes above)
jcheck accept "all(x['agent']['running'] and x['agent']['version'] == '0.1.0' for x in d['hosts']) and h['h2']['agent']['uploaded'] and h['h3']['agent']['uploaded']" \
    "accept-new: agent missing or outdated -> uploaded, started, inventory received"
jcheck accept "all(x['libvirt'] is None for x in d['hosts'])" "accept-new: libvirt not checked (null)"
[ "$(wc -l <"$tmp/known_hosts")" = 3 ] && ok "accept-new: three keys in known_hosts" \
    || { fail "accept-new: known_hosts"; cat "$tmp/known_hosts"; }
mode=$(in_host 1 stat -c %a /root/.cache/ccnc/agent-0.1.0/ccnc-agent 2>&1)
[ "$mode" = 700 ] && ok "accept-new: agent stored in ~/.cache/ccnc/agent-0.1.0 mode 0700" \
    || fail "accept-new: agent mode '$mode'"
v3=$(in_host 3 /root/.cache/ccnc/agent-0.1.0/ccnc-agent --version 2>&1 | head -n 1)
[ "$v3" = "ccnc-agent 0.1.0" ] && ok "accept-new: outdated agent replaced" \
    || fail "accept-new: host 3's agent says '$v3'"

# --- 3. again: keys known, agent found in the cache, nothing uploaded ---------
check again "$tmp/lab.conf"
[ $rc = 0 ] && ok "known keys: exit 0 (${elapsed_ms} ms)" || fail "known keys: exit $rc"
jcheck again "all(x['hostkey']['status'] == 'ok' and x['agent']['running'] and not x['agent']['uploaded'] for x in d['hosts'])" \
    "known keys: ok, agent already there"

# --- 3a. the agent's cache: only ccnc's own bytes run, from folders of ---
# the user's own; nothing planted there is followed or run
local_sha=$(sha256sum <"$(dirname "$ccnc")/ccnc-agent" | cut -c1-64)
# planted AGENTFILE MARKER: the fake agent with the right version string,
# which leaves MARKER when anything runs it
planted() {
    sed "1a touch $2" "$fake_agent" >"$1" && chmod 700 "$1"
}
fresh_h3() { stop_sshd 3; start_sshd 3; }
cache=/root/.cache/ccnc/agent-0.1.0

# a symbolic link at the temporary name the upload used to write through
fresh_h3
in_host 3 sh -c "mkdir -p -m 700 /root/.cache/ccnc $cache && echo precious >/root/victim &&
    ln -s /root/victim $cache/ccnc-agent.tmp"
check symlink "$tmp/lab.conf"
victim=$(in_host 3 cat /root/victim)
jcheck symlink "h['h3']['ok'] and h['h3']['agent']['uploaded']" \
    "planted link at the old temporary name: the agent is copied and runs"
[ "$victim" = precious ] && ok "planted link at the old temporary name: not followed" \
    || fail "planted link at the old temporary name: /root/victim now holds $(printf %s "$victim" | head -c 40 | od -c | head -2)"
left=$(in_host 3 ls -A "$cache" | tr '\n' ' ')
[ "$left" = "ccnc-agent ccnc-agent.tmp " ] && ok "agent copied in place, no temporary file left" \
    || fail "agent folder holds: $left"

# the right version string, another content: replaced, never run
fresh_h3
planted "$tmp/planted" /root/planted-ran
in_host 3 sh -c "mkdir -p -m 700 /root/.cache/ccnc $cache && cp $tmp/planted $cache/ccnc-agent"
check planted "$tmp/lab.conf"
jcheck planted "h['h3']['ok'] and h['h3']['agent']['uploaded']" \
    "agent of the right version but other content: replaced by ccnc's"
in_host 3 test -e /root/planted-ran && fail "agent of other content: it was run" \
    || ok "agent of other content: never run (not even for its version)"
[ "$(in_host 3 sh -c "sha256sum <$cache/ccnc-agent" | cut -c1-64)" = "$local_sha" ] \
    && ok "agent of other content: the cache now holds the local agent's bytes" \
    || fail "agent of other content: the cache holds something else"
# and the next time it is found and run as it is
check planted2 "$tmp/lab.conf"
jcheck planted2 "h['h3']['ok'] and not h['h3']['agent']['uploaded']" \
    "agent with the local agent's bytes: run, not copied again"

# another user's cache folder: refused, nothing written, nothing run
fresh_h3
in_host 3 sh -c "mkdir -p -m 700 /root/.cache/ccnc $cache && cp $tmp/planted $cache/ccnc-agent &&
    chown -R 4242 /root/.cache/ccnc"
check foreign "$tmp/lab.conf"
jcheck foreign "not h['h3']['agent']['running'] and '~/.cache/ccnc belongs to uid 4242, not to uid 0' in h['h3']['error']" \
    "cache folder of another user: refused, saying whose it is"
in_host 3 test -e /root/planted-ran && fail "cache folder of another user: its agent was run" \
    || ok "cache folder of another user: its agent not run"
[ "$(in_host 3 ls -A $cache | tr '\n' ' ')" = "ccnc-agent " ] \
    && ok "cache folder of another user: nothing written there" \
    || fail "cache folder of another user: it holds $(in_host 3 ls -A $cache)"

# folders open to everyone (0777): made private, the agent replaced, the
# one found there never run
fresh_h3
in_host 3 sh -c "mkdir -p /root/.cache/ccnc/agent-0.1.0 && cp $tmp/planted $cache/ccnc-agent &&
    chmod 777 /root/.cache/ccnc $cache"
check open "$tmp/lab.conf"
jcheck open "h['h3']['ok'] and h['h3']['agent']['uploaded']" \
    "cache folders of mode 0777: the agent copied and run"
modes=$(in_host 3 stat -c %a /root/.cache/ccnc $cache | tr '\n' ' ')
[ "$modes" = "700 700 " ] && ok "cache folders of mode 0777: made 0700" \
    || fail "cache folders of mode 0777: now $modes"
in_host 3 test -e /root/planted-ran && fail "cache folders of mode 0777: the agent found there was run" \
    || ok "cache folders of mode 0777: the agent found there not run"

# a cache folder that is a symbolic link: refused, nothing written where it points
fresh_h3
in_host 3 sh -c 'mkdir -p -m 700 /root/.cache /root/elsewhere && ln -s /root/elsewhere /root/.cache/ccnc'
check linked "$tmp/lab.conf"
jcheck linked "not h['h3']['agent']['running'] and '~/.cache/ccnc is a symbolic link' in h['h3']['error']" \
    "cache folder that is a symbolic link: refused"
[ -z "$(in_host 3 ls -A /root/elsewhere)" ] && ok "cache folder that is a symbolic link: nothing written through it" \
    || fail "cache folder that is a symbolic link: $(in_host 3 ls -A /root/elsewhere) written through it"

# a copy that still differs after the upload (here: a host whose sha256sum
# lies) is refused, never run
fresh_h3
planted "$tmp/agent-marked" /root/uploaded-ran
in_host 3 sh -c "printf '#!/bin/sh\necho 0000000000000000000000000000000000000000000000000000000000000000\ \ -\n' \
    >/root/lying-sha256sum && chmod 755 /root/lying-sha256sum &&
    mount --bind /root/lying-sha256sum \$(command -v sha256sum)"
CCNC_AGENT_BINARY=$tmp/agent-marked check differs "$tmp/lab.conf"
jcheck differs "not h['h3']['agent']['running'] and h['h3']['agent']['uploaded'] and 'does not match the local one' in h['h3']['error']" \
    "copy that differs after the upload: refused, saying so"
in_host 3 test -e /root/uploaded-ran && fail "copy that differs after the upload: it was run" \
    || ok "copy that differs after the upload: never run"
fresh_h3

# --- 3b. ~/.ssh/config is honoured: a Host alias with HostName and IdentityFile
cat >"$HOME/.ssh/config" <<CONF
Host h1-alias
    HostName 127.0.0.11
    IdentityFile $tmp/keys/client
CONF
printf '[host h1]\naddress = h1-alias\nuser = root\nrole = hypervisor\nknown_hosts = %s\n[migration]\nkeepalive_s = %s\n' \
    "$tmp/known_hosts" "$KEEPALIVE" >"$tmp/lab-alias.conf"
check alias "$tmp/lab-alias.conf"
[ $rc = 0 ] && ok "ssh config: exit 0" || fail "ssh config: exit $rc"
jcheck alias "h['h1']['ok'] and h['h1']['hostkey']['status'] == 'ok'" \
    "ssh config: alias resolved by HostName, key from IdentityFile (no identity in the lab)"
rm -f "$HOME/.ssh/config"

# --- 3c. ~/.ssh/config's User and Port apply when the lab config sets neither:
# host 6 listens only on port 2206; the lab names its address alone
start_sshd 6 2206
printf '[host h6]\naddress = 127.0.0.16\nrole = storage\nidentity = %s\nknown_hosts = %s\n[migration]\nkeepalive_s = %s\n' \
    "$tmp/keys/client" "$tmp/kh-port" "$KEEPALIVE" >"$tmp/lab-port.conf"
ssh_config_for_h6() { # PORT USER
    printf 'Host 127.0.0.16\n    Port %s\n    User %s\n' "$1" "$2" >"$HOME/.ssh/config"
}
ssh_config_for_h6 2206 root
check cfgport "$tmp/lab-port.conf" --accept-new
[ $rc = 0 ] && ok "ssh config Port/User: exit 0" || fail "ssh config Port/User: exit $rc"
jcheck cfgport "h['h6']['ok'] and h['h6']['authenticated'] and h['h6']['port'] is None" \
    "ssh config Port/User: connected on ~/.ssh/config's port (none in the lab: port null)"
grep -q '^\[127.0.0.16\]:2206 ' "$tmp/kh-port" 2>/dev/null \
    && ok "ssh config Port: the key recorded as [127.0.0.16]:2206" \
    || { fail "ssh config Port: known_hosts"; cat "$tmp/kh-port" 2>/dev/null; }
# control: a wrong Port in ~/.ssh/config is the one tried (so the file is read)
ssh_config_for_h6 2299 root
check cfgport-wrong "$tmp/lab-port.conf"
[ $rc = 1 ] && ok "ssh config wrong Port: exit 1" || fail "ssh config wrong Port: exit $rc"
jcheck cfgport-wrong "h['h6']['connection'] == 'unreachable' and '127.0.0.16 port 2299' in h['h6']['error']" \
    "ssh config wrong Port: unreachable, naming ~/.ssh/config's port"
# control: a wrong User in ~/.ssh/config is the one that logs in
ssh_config_for_h6 2206 nosuchuser
check cfguser-wrong "$tmp/lab-port.conf"
jcheck cfguser-wrong "h['h6']['connection'] == 'auth-failed' and 'sets no user' in h['h6']['error'] and \"'nosuchuser'\" in h['h6']['error'] and '127.0.0.16 port 2206' in h['h6']['error']" \
    "ssh config wrong User: auth-failed naming ~/.ssh/config's user"
# the lab config's user and port win over ~/.ssh/config's
{ sed '/^\[migration\]/,$d' "$tmp/lab-port.conf"; echo "port = 2206"; echo "user = root"
  sed -n '/^\[migration\]/,$p' "$tmp/lab-port.conf"; } >"$tmp/lab-port2.conf"
ssh_config_for_h6 2299 nosuchuser
check cfgport-lab "$tmp/lab-port2.conf"
jcheck cfgport-lab "h['h6']['ok'] and h['h6']['port'] == 2206" \
    "lab config's port and user win over ~/.ssh/config's"
rm -f "$HOME/.ssh/config"
stop_sshd 6

# --- 4. changed host key: refused, names known_hosts and line, nothing sent ---
stop_sshd 2
mv "$tmp/sshd2/host_ed25519" "$tmp/sshd2/old_host_ed25519"
mv "$tmp/sshd2/host_ed25519.pub" "$tmp/sshd2/old_host_ed25519.pub"
: >"$tmp/sshd2/log"
start_sshd 2
line2=$(grep -n '^127.0.0.12 ' "$tmp/known_hosts" | cut -d: -f1)
check changed "$tmp/lab.conf" --accept-new
[ $rc = 1 ] && ok "changed key: exit 1" || fail "changed key: exit $rc"
jcheck changed "h['h2']['connection'] == 'hostkey-changed' and h['h2']['hostkey']['status'] == 'changed' and not h['h2']['authenticated']" \
    "changed key: hostkey-changed, not authenticated, even with --accept-new"
jcheck changed "'$tmp/known_hosts line $line2' in h['h2']['error'] and 'CHANGED' in h['h2']['error'] and '$(fingerprint 2)' in h['h2']['error'] and 'ssh-keygen -R 127.0.0.12 -f $tmp/known_hosts' in h['h2']['error']" \
    "changed key: message names known_hosts, its line, the new fingerprint and the fix"
jcheck changed "h['h1']['ok'] and h['h3']['ok']" "changed key: the other hosts are fine"
if grep -Eq 'publickey|Accepted|Failed|userauth' "$tmp/sshd2/log"; then
    fail "changed key: an authentication attempt reached sshd"
else ok "changed key: no authentication attempt reached sshd"; fi
[ "$(wc -l <"$tmp/known_hosts")" = 3 ] && ok "changed key: known_hosts untouched" \
    || fail "changed key: known_hosts was modified"
# put the old key back for the rest
stop_sshd 2
mv "$tmp/sshd2/old_host_ed25519" "$tmp/sshd2/host_ed25519"
mv "$tmp/sshd2/old_host_ed25519.pub" "$tmp/sshd2/host_ed25519.pub"
start_sshd 2

# --- 5. wrong user, wrong key, passphrase-protected key ----------------------
write_lab "$tmp/lab-user.conf" "user=nosuchuser"
check user "$tmp/lab-user.conf"
[ $rc = 1 ] && ok "wrong user: exit 1" || fail "wrong user: exit $rc"
jcheck user "h['h1']['connection'] == 'auth-failed' and h['h1']['reachable'] and \"'nosuchuser'\" in h['h1']['error'] and 'authorized_keys' in h['h1']['error']" \
    "wrong user: auth-failed naming the user"
jcheck user "h['h2']['ok'] and h['h3']['ok']" "wrong user: the other hosts are fine"
write_lab "$tmp/lab-key.conf" "identity=$tmp/keys/other"
check key "$tmp/lab-key.conf"
jcheck key "h['h1']['connection'] == 'auth-failed' and '$tmp/keys/other' in h['h1']['error']" \
    "wrong key: auth-failed naming the identity"
write_lab "$tmp/lab-pass.conf" "identity=$tmp/keys/pass"
check pass "$tmp/lab-pass.conf"
jcheck pass "h['h1']['connection'] == 'auth-failed' and 'passphrase' in h['h1']['error'] and 'ssh-add' in h['h1']['error']" \
    "passphrase key: auth-failed, says to use ssh-agent"
if grep -rqs 'secret words' "$tmp/pass.json" "$tmp/pass.err"; then fail "passphrase leaked"; fi
# the console asks (interactive sessions): a wrong passphrase is asked for again,
# the right one logs in; it appears in no output and no log
printf 'wrong words\nsecret words\n' |
    CCNC_AGENT_BINARY=$(dirname "$ccnc")/ccnc-agent inns timeout 60 "$answer" "$tmp/lab-pass.conf" h1 passphrase \
    >"$tmp/pass-ask.txt" 2>&1
if [ "$(grep -c '^asked connection=auth-failed .*passphrase=1 ' "$tmp/pass-ask.txt")" = 2 ] &&
   grep -q "not the passphrase of $tmp/keys/pass; try again" "$tmp/pass-ask.txt" &&
   grep -q '^answered connection=connected stale=0 question=0 passphrase=0 ' "$tmp/pass-ask.txt"; then
    ok "passphrase asked: a wrong one is asked again, the right one logs in"
else fail "passphrase asked"; sed 's/^/  | /' "$tmp/pass-ask.txt"; fi
# while the passphrase is asked for and the decrypted key held, the process
# cannot be dumped (nor its memory read by another process of the user);
# it can again once the session is gone
if [ "$(grep '^dumpable ' "$tmp/pass-ask.txt" | tr '\n' ' ')" = \
     "dumpable before 1 dumpable asked 0 dumpable asked 0 dumpable answered 0 dumpable after 1 " ]; then
    ok "passphrase asked: not dumpable while the key is asked for and held, dumpable after"
else fail "passphrase asked: dumpable"; grep '^dumpable' "$tmp/pass-ask.txt" | sed 's/^/  | /'; fi
if grep -rqs 'secret words\|wrong words' "$tmp/pass-ask.txt" "$tmp"/sshd*/log; then
    fail "passphrase leaked into output or logs"
else ok "passphrase asked: in no output and no log"; fi

# --- 5a. ssh-agent: the passphrase key, loaded as the message advises -----------
if command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null; then
    ssh-agent -D -a "$tmp/agent.sock" >/dev/null 2>&1 &
    agent_pid=$!
    pids="$pids $agent_pid"
    for _ in $(seq 50); do [ -S "$tmp/agent.sock" ] && break; sleep 0.05; done
    printf '#!/bin/sh\necho "secret words"\n' >"$tmp/askpass"
    chmod 700 "$tmp/askpass"
    SSH_AUTH_SOCK=$tmp/agent.sock SSH_ASKPASS=$tmp/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=: \
        ssh-add "$tmp/keys/pass" </dev/null >/dev/null 2>&1
    printf '[host h1]\naddress = 127.0.0.11\nuser = root\nrole = hypervisor\nknown_hosts = %s\n[migration]\nkeepalive_s = %s\n' \
        "$tmp/known_hosts" "$KEEPALIVE" >"$tmp/lab-agent.conf"
    SSH_AUTH_SOCK=$tmp/agent.sock check sshagent "$tmp/lab-agent.conf"
    jcheck sshagent "h['h1']['ok']" "ssh-agent: a passphrase key held by ssh-agent logs in (no identity in the lab)"
    kill "$agent_pid"; wait "$agent_pid" 2>/dev/null
else
    echo "note: no ssh-agent here, its case is left out"
fi

# --- 5b. the agent cannot run there: clear messages ----------------------------
# a local agent built for another machine (an ELF whose e_machine says aarch64)
python3 - "$(dirname "$ccnc")/ccnc-agent" "$tmp/agent-aarch64" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[18:20] = (183).to_bytes(2, "little")
open(sys.argv[2], "wb").write(b)
PY
stop_sshd 3; start_sshd 3     # a fresh /root: no agent there
CCNC_AGENT_BINARY=$tmp/agent-aarch64 check arch "$tmp/lab.conf"
[ $rc = 1 ] && ok "wrong architecture: exit 1" || fail "wrong architecture: exit $rc"
jcheck arch "h['h3']['connection'] == 'connected' and not h['h3']['agent']['running'] and 'built for aarch64' in h['h3']['error'] and 'x86_64' in h['h3']['error'] and 'install ccnc-agent 0.1.0' in h['h3']['error']" \
    "wrong architecture: not copied, the message says what to install"
in_host 3 test -e /root/.cache/ccnc/agent-0.1.0/ccnc-agent \
    && fail "wrong architecture: something was copied" || ok "wrong architecture: nothing copied"
# an agent that is a script (any architecture) is copied as it is; what it
# says it could not read (host.error) reaches the host part
CCNC_AGENT_BINARY=$fake_agent check script "$tmp/lab.conf"
jcheck script "h['h3']['ok'] and h['h3']['agent']['uploaded'] and h['h3']['error'] == 'fake: no NFS server process runs'" \
    "script agent: copied, started, its own error kept in the host part"
# an agent that sends a line longer than the console takes (1 MiB): the
# link ends with an error that says so
stop_sshd 3; start_sshd 3
cat >"$tmp/agent-longline" <<'SH'
#!/bin/sh
[ "$1" = --version ] && { echo "ccnc-agent 0.1.0"; exit 0; }
printf '{"type":"hello","protocol":1,"agent_version":"0.1.0","host":"h3","role":"storage","capabilities":[]}\n'
head -c 2000000 /dev/zero | tr '\0' x
sleep 5
SH
CCNC_AGENT_BINARY=$tmp/agent-longline check longline "$tmp/lab.conf"
jcheck longline "not h['h3']['agent']['running'] and 'ccnc-agent on h3 was closed' in h['h3']['error'] and 'a line of more than 1048576 bytes' in h['h3']['error']" \
    "long line: the agent link ends, saying why"
in_host 3 rm -rf /root/.cache/ccnc
# an agent that starts and dies: its exit status and last words
cat >"$tmp/agent-dies" <<'SH'
#!/bin/sh
[ "$1" = --version ] && { echo "ccnc-agent 0.1.0"; exit 0; }
printf "ccnc-agent: cannot open netlink: \033[31mPermission denied\n" >&2
exit 3
SH
CCNC_AGENT_BINARY=$tmp/agent-dies check dies "$tmp/lab.conf"
jcheck dies "h['h2']['connection'] == 'connected' and not h['h2']['agent']['running'] and 'exit status 3' in h['h2']['error'] and 'cannot open netlink: \\\\x1b[31mPermission denied' in h['h2']['error']" \
    "agent dies: exit status and its last stderr line, escape sequences defused"
in_host 2 rm -rf /root/.cache/ccnc
# a probe that hangs (a ccnc-agent in PATH whose --version does not return
# in time) is bounded (the remote sleep outlives the channel, so keep it
# short); /usr/local/bin is host 2's own in its mount namespace
in_host 2 sh -c 'mkdir -p /root/bin && printf "#!/bin/sh\nexec sleep 6\n" >/root/bin/ccnc-agent &&
    chmod 755 /root/bin/ccnc-agent && mount --bind /root/bin /usr/local/bin'
check hang "$tmp/lab.conf"
jcheck hang "not h['h2']['ok'] and 'did not finish within $KEEPALIVE s' in h['h2']['error'] and h['h1']['ok']" \
    "hanging probe: bounded by keepalive_s, the others unaffected (${elapsed_ms} ms)"
stop_sshd 2; start_sshd 2

# --- 6. a listener that accepts TCP and never speaks SSH ----------------------
ip netns exec "$ns" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.14", 22)); s.listen(8)
open(sys.argv[1], "w").close()
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$tmp/mute.ready" &
pids="$pids $!"
# python starts slowly on a loaded machine: wait (bounded) until it listens
i=0
while [ ! -e "$tmp/mute.ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
{ cat "$tmp/lab.conf"; printf '[host mute]\naddress = 127.0.0.14\nuser = root\nrole = storage\nidentity = %s\nknown_hosts = %s\n' "$tmp/keys/client" "$tmp/known_hosts"
  printf '[host gone]\naddress = 127.0.0.15\nuser = root\nrole = storage\n'; } \
    | awk '/^\[migration\]/{m=1} {if(m) tail=tail $0 "\n"; else print} END{printf "%s", tail}' >"$tmp/lab-mute.conf"
check mute "$tmp/lab-mute.conf"
[ $rc = 1 ] && ok "silent host: exit 1 after ${elapsed_ms} ms" || fail "silent host: exit $rc"
jcheck mute "h['mute']['connection'] == 'unreachable' and 'handshake within $KEEPALIVE s' in h['mute']['error']" \
    "silent host: unreachable, handshake timed out after keepalive_s"
jcheck mute "h['h1']['ok'] and h['h2']['ok'] and h['h3']['ok']" "silent host: the others connected and ran the agent"
jcheck mute "h['gone']['connection'] == 'unreachable' and not h['gone']['reachable'] and 'cannot connect to gone (127.0.0.15 port 22)' in h['gone']['error']" \
    "refused port: unreachable at once, saying so"
[ "$elapsed_ms" -lt $(( (KEEPALIVE + 3) * 1000 )) ] && ok "silent host: bounded ($elapsed_ms ms)" \
    || fail "silent host: took $elapsed_ms ms"

# --- 7. sshd gone while connected: unreachable within keepalive_s, reconnect --
ip netns exec "$ns" "$ccnc" -c "$tmp/lab.conf" hosts --watch --json >"$tmp/watch.jsonl" 2>"$tmp/watch.err" &
watch_pid=$!
pids="$pids $watch_pid"
wait_for() { # PATTERN SECONDS: wait until watch.jsonl matches
    i=0
    while [ $i -lt $(($2 * 20)) ]; do
        grep -q "$1" "$tmp/watch.jsonl" && return 0
        sleep 0.05; i=$((i + 1))
    done
    return 1
}
if wait_for '"host":"h1","connection":"connected","stale":false' 15; then
    ok "watch: h1 connected with its agent"
    # freeze the session (no more answers, TCP still up), then kill sshd
    eval "p=\$sshd_pid1"
    for c in $(ps -o pid= --ppid "$p"); do
        frozen="$frozen $c $(ps -o pid= --ppid "$c" | tr '\n' ' ')"
        kill -STOP "$c" $(ps -o pid= --ppid "$c") 2>/dev/null
    done
    t0=$(date +%s%N)
    kill -9 "$p"
    if wait_for '"host":"h1","connection":"unreachable"' $((KEEPALIVE + 5)); then
        dt=$(( ($(date +%s%N) - t0) / 1000000 ))
        # found by the keepalives (TCP alone would take minutes); the time
        # is reported, not asserted
        grep '"host":"h1","connection":"unreachable"' "$tmp/watch.jsonl" | head -1 \
            | grep -q 'no reply to keepalives' \
            && ok "watch: h1 unreachable ${dt} ms after it stopped answering (keepalive ${KEEPALIVE} s)" \
            || fail "watch: h1 unreachable, but not for want of keepalive replies"
        grep '"host":"h1","connection":"unreachable"' "$tmp/watch.jsonl" | head -1 | grep -q '"stale":true' \
            && ok "watch: h1 kept as stale" || fail "watch: h1 not stale"
    else
        fail "watch: h1 never became unreachable"
    fi
    stop_sshd 1
    # the frozen session and its agent lost their sshd: end them (SIGKILL
    # reaches stopped processes), or they would stay stopped for good
    for f in $frozen; do kill -9 "$f" 2>/dev/null; done
    : >"$tmp/watch.mark"
    n_before=$(grep -c '"host":"h1","connection":"connected","stale":false' "$tmp/watch.jsonl")
    t0=$(date +%s%N)
    start_sshd 1
    i=0 back=no
    while [ $i -lt 400 ]; do
        n=$(grep -c '"host":"h1","connection":"connected","stale":false' "$tmp/watch.jsonl")
        [ "$n" -gt "$n_before" ] && { back=yes; break; }
        sleep 0.05; i=$((i + 1))
    done
    dt=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ $back = yes ] && ok "watch: h1 reconnected ${dt} ms after sshd came back" \
        || fail "watch: h1 not reconnected within 20 s"
    if grep -Eq '"host":"h[23]","connection":"unreachable"' "$tmp/watch.jsonl"; then
        fail "watch: another host was disturbed"; grep -E '"host":"h[23]"' "$tmp/watch.jsonl"
    else ok "watch: the other hosts stayed connected"; fi
else
    fail "watch: h1 never connected"; sed 's/^/  | /' "$tmp/watch.jsonl" "$tmp/watch.err"
fi
kill "$watch_pid" 2>/dev/null
wait "$watch_pid" 2>/dev/null
[ $? = 0 ] && ok "watch: ends cleanly on SIGTERM" || fail "watch: exit status on SIGTERM"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
