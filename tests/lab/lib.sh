# Shared by the lab tests (sourced): bringing the lab up and down, the guest's
# bond through the QEMU guest agent, and the probes that measure the NFS
# stream and the guest's reachability from the NFS server's namespace.

LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lab
MAX_STALL_MS=${CCNC_LAB_MAX_STALL_MS:-5000}
FAILS=0
# the lab's hypervisors (lab_load_env reads them from the lab)
HYPERS=(sys1 sys2)
STARTED_LAB=0
UP_MS=-1
SAMPLER=
BONDLOG=
PINGER=
MEMSAMPLER=

# what a test says goes to its output and to $WORK/test.log, which a failure
# keeps with the lab's logs (save_failure)
log() {
	local line
	line="$(date +%T.%3N) $*"
	printf '%s\n' "$line"
	[ -z "${WORK:-}" ] || printf '%s\n' "$line" >>"$WORK/test.log"
}
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# the ccnc under test (CCNC, else abs_top_builddir's) and the commands the
# test needs: it skips (77) without them
need_ccnc() {
	local t
	CCNC=${CCNC:-${abs_top_builddir:-$(pwd)}/ccnc}
	[ -x "$CCNC" ] || { echo "SKIP: no ccnc at $CCNC (set CCNC or abs_top_builddir)"; exit 77; }
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "SKIP: no $t"; exit 77; }
	done
}

lab_preflight() {
	# the lab runs once per test pass (quickstart: not again under ASan, nor in distcheck)
	[ "${CCNC_LAB:-}" = skip ] && { echo "SKIP: CCNC_LAB=skip: the lab tests run in the main pass"; exit 77; }
	[ "$(id -u)" = 0 ] || { echo "SKIP: must run as root"; exit 77; }
	local t
	for t in virsh ip ping awk base64 jq; do
		command -v "$t" >/dev/null || { echo "SKIP: missing $t (apt-get install \$($LAB deps))"; exit 77; }
	done
	WORK=$(mktemp -d /tmp/ccnc-lab-test.XXXXXX)
	# the script's own stderr, for what cleanup says under a caller's redirection
	exec {LAB_ERR}>&2
	trap lab_cleanup EXIT
	# one lab test at a time (make -j): they share the lab's names and addresses
	local lockdir=${CCNC_LAB_DIR:-/var/tmp/ccnc-lab}
	mkdir -p "$lockdir"
	exec {LOCKFD}>"$lockdir/test.lock"
	if ! flock -w 900 "$LOCKFD"; then
		echo "SKIP: another lab test holds $lockdir/test.lock"
		exit 77
	fi
	trap 'exit 1' INT TERM
}

lab_load_env() {
	eval "$("$LAB" env)"
	local k v
	# the lab's hypervisors (sys1..sysN) and each one's libvirt URI
	HYPERS=()
	declare -gA URI=()
	for ((k = 1; k <= ${CCNC_LAB_HOSTS:-2}; k++)); do
		HYPERS+=("sys$k")
		v=CCNC_LAB_URI_SYS$k
		URI[sys$k]=${!v}
	done
	VM=$CCNC_LAB_VM
}

vs() { local h=$1; shift; timeout 120 virsh -q -c "${URI[$h]}" "$@"; }

# use the lab that is up, or bring one up (and down again at the end)
lab_ensure_up() {
	if "$LAB" status >/dev/null 2>&1; then
		log "using the lab that is up"
	else
		log "bringing the lab up"
		local t0=$EPOCHREALTIME out rc
		out=$("$LAB" up 2>"$WORK/up.err")
		rc=$?
		if [ $rc = 77 ]; then echo "SKIP: $(tail -1 "$WORK/up.err")"; exit 77; fi
		[ $rc = 0 ] || { cat "$WORK/up.err"; log "FAIL: lab up failed"; exit 1; }
		STARTED_LAB=1
		UP_MS=$(ms_since "$t0")
		log "lab up in $UP_MS ms: $(tail -1 <<<"$out")"
	fi
	lab_load_env
}

# run a command in the guest through the QEMU guest agent on host H; print its stdout
gexec() {
	local h=$1 path=$2 args r pid i st a
	shift 2
	args=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -sc .)
	r=$(vs "$h" qemu-agent-command "$VM" \
		"{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"$path\",\"arg\":$args,\"capture-output\":true}}" 2>/dev/null) || return 1
	pid=$(jq -r .return.pid <<<"$r")
	for ((i = 0; i < 40; i++)); do
		st=$(vs "$h" qemu-agent-command "$VM" \
			"{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}" 2>/dev/null) || return 1
		if [ "$(jq -r .return.exited <<<"$st")" = true ]; then
			jq -r '.return["out-data"] // ""' <<<"$st" | base64 -d
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# "IFACE PERMANENT_MAC" of bond0's active slave
bond_active() {
	gexec "$1" /bin/cat /proc/net/bonding/bond0 | awk '
		/^Currently Active Slave:/ { active = $4 }
		/^Slave Interface:/ { slave = $3 }
		/^Permanent HW addr:/ { perm[slave] = $4 }
		END { if (active != "") print active, perm[active] }'
}

# "IFACE MAC" of bond0's active slave as the guest last logged it on its serial
# console (within 50 ms of a change; read locally, no round trip)
bond_logged() {
	cat "$CCNC_LAB_DIR"/hosts/sys*/var.u/log/libvirt/qemu/"$VM"-serial.log 2>/dev/null |
		tr -d '\r' | awk '$1 == "ccnc-bond" && $2 + 0 >= best { best = $2 + 0; cur = $3 " " $4 } END { print cur }'
}

# wait (bounded) until bond0's active slave has permanent MAC $2: first as the
# guest logs it (timed, ~50 ms resolution), then confirmed through the guest
# agent. Print "MS IFACE", MS counted from $4 (default: now); -1 on timeout.
wait_bond_on() {
	local h=$1 mac=$2 limit_s=$3 t0=${4:-$EPOCHREALTIME} cur ms
	while :; do
		cur=$(bond_logged)
		if [ "${cur#* }" = "$mac" ]; then
			ms=$(ms_since "$t0")
			break
		fi
		[ "$(ms_since "$t0")" -lt $((limit_s * 1000)) ] || { echo "-1 ${cur:-none}"; return 1; }
		sleep 0.02
	done
	# the guest agent confirms it (until the same limit: the log can run ahead)
	while :; do
		cur=$(bond_active "$h")
		[ "${cur#* }" = "$mac" ] && break
		[ "$(ms_since "$t0")" -lt $((limit_s * 1000)) ] || { echo "-1 agent:${cur:-none}"; return 1; }
		sleep 0.1
	done
	echo "$ms ${cur% *}"
}

where_running() {
	local h
	for h in "${HYPERS[@]}"; do
		[ "$(vs "$h" domstate "$VM" 2>/dev/null | head -1)" = running ] && echo "$h"
	done
	return 0
}

# Where the test starts: sets src (the host $VM runs on) and dst (the
# other); exits 1 unless $VM runs on one host with bond0 on the stand-in.
lab_start_placement() {
	local r
	src=$(where_running)
	[ "$src" = sys1 ] || [ "$src" = sys2 ] || { log "FAIL: $VM is not running (on '$src')"; exit 1; }
	dst=sys1
	[ "$src" = sys1 ] && dst=sys2
	r=$(wait_bond_on "$src" "$CCNC_LAB_PRIMARY_MAC" 60) || { log "FAIL: bond0 not on the stand-in at start ($r)"; exit 1; }
	log "$VM runs on $src with bond0 on the stand-in"
}

# the other hypervisor
other() { [ "$1" = sys1 ] && echo sys2 || echo sys1; }
# the newest run file ccnc wrote (RUNS: its runs folder)
newest_run() { ls -t "$RUNS"/*.jsonl 2>/dev/null | head -1; }
# FILE...: each run file's downtime limit settings are sound: every one
# says why, and none was set on the round read once the guest had stopped
# (QEMU's last sync: at or after the stop, less 20 ms, as ccnc report
# reads it); says which are not
settings_sound() {
	local f ok=0
	for f in "$@"; do
		jq -s -e '[.[] | select(.type == "setting")] | all(.why | type == "string" and length > 0)' \
			"$f" >/dev/null || { log "$f: a setting without its reason"; ok=1; }
		jq -s -e '([.[] | select(.type == "job" and .phase == "completed") | .stats][0]) as $c |
			if $c == null or $c.downtime == null or $c.time_elapsed == null then true else
			($c.time_elapsed - $c.downtime - 20) as $stop |
			reduce .[] as $l ({read: -1, late: 0};
				if $l.type == "job" and $l.phase == "iteration" then .read = ($l.stats.time_elapsed // .read)
				elif $l.type == "setting" and $l.name == "downtime_limit_ms" and .read >= $stop then .late += 1
				else . end) | .late == 0 end' "$f" >/dev/null ||
			{ log "$f: a downtime limit set after the guest stopped"; ok=1; }
	done
	return $ok
}
# wait (bounded, $1 s, default 60) until the VM settled: one host runs it,
# no libvirt job on it
settle_vm() {
	local i w last="" calm=0
	# settled: on one host with no job, the same for 3 s running (a
	# migration whose call was still on its way when its client died shows
	# no job at first, then starts)
	for ((i = 0; i < ${1:-60} * 2; i++)); do
		w=$(where_running)
		if [ -n "$w" ] && [ "$(wc -w <<<"$w")" = 1 ] &&
			! vs "$w" domjobinfo "$VM" 2>/dev/null | grep -q 'Unbounded\|Bounded'; then
			[ "$w" = "$last" ] && calm=$((calm + 1)) || calm=1
			last=$w
			[ "$calm" -ge 6 ] && return 0
		else
			calm=0
		fi
		sleep 0.5
	done
	return 1
}

stream_ticks() { "$LAB" serial | grep -c '^ccnc-stream'; }
stream_errors() { "$LAB" serial | grep -c '^ccnc-stream .* ERR'; }

# resident memory of all the lab's processes (daemons, QEMU: everything in the
# lab hosts' mount namespaces), MiB, every 500 ms
mem_start() {
	(
		exec {mfd}<> <(:)
		end=$((SECONDS + 900))
		while [ ! -e "$WORK/stop-mem" ] && [ $SECONDS -lt $end ]; do
			# shellcheck disable=SC2046
			awk '/^VmRSS:/ { s += $2 } END { print int(s / 1024) }' \
				$("$LAB" pids 2>/dev/null | sed 's|.*|/proc/&/status|') /dev/null 2>/dev/null
			read -r -t 0.5 -u $mfd || true
		done
	) > "$WORK/mem" &
	MEMSAMPLER=$!
}
mem_stop() {
	[ -n "$MEMSAMPLER" ] || return 0
	touch "$WORK/stop-mem"
	wait "$MEMSAMPLER" 2>/dev/null
	MEMSAMPLER=
}
mem_peak() { awk '$1 > max { max = $1 } END { print max + 0 }' "$WORK/mem"; }

probes_start() {
	# the NFS stream seen on the wire: bytes the NFS server sends, every 10 ms
	(
		exec {sfd}<> <(:)
		f=/sys/class/net/cl-nfs/statistics/rx_bytes
		end=$((SECONDS + 600))
		while [ ! -e "$WORK/stop" ] && [ $SECONDS -lt $end ]; do
			read -r b < "$f"
			echo "$EPOCHREALTIME $b"
			read -r -t 0.01 -u $sfd || true
		done
	) > "$WORK/wire" &
	SAMPLER=$!
	# the guest's bond changes as they reach its serial logs, in host time:
	# "EPOCH ccnc-bond UPTIME IFACE MAC"
	(
		exec {tfd}<> <(:)
		declare -A fd part
		end=$((SECONDS + 600))
		first=1
		while [ ! -e "$WORK/stop" ] && [ $SECONDS -lt $end ]; do
			for h in "${HYPERS[@]}"; do
				f=$CCNC_LAB_DIR/hosts/$h/var.u/log/libvirt/qemu/$VM-serial.log
				if [ -z "${fd[$h]:-}" ]; then
					[ -e "$f" ] || continue
					exec {x}< "$f"
					fd[$h]=$x
					part[$h]=
					# what was there before the probes started is history
					[ $first = 1 ] && while read -r -u "$x" _; do :; done
				fi
				while :; do
					line=
					if IFS= read -r -u "${fd[$h]}" line; then
						line=${part[$h]}$line
						part[$h]=
						line=${line%$'\r'}
						[[ $line == ccnc-bond* ]] && echo "$EPOCHREALTIME $line"
					else
						part[$h]+=$line
						break
					fi
				done
			done
			first=0
			read -r -t 0.02 -u $tfd || true
		done
	) > "$WORK/bond" &
	BONDLOG=$!
	# 100 pings a second from the NFS server to the guest's bond address
	ip netns exec nfs ping -D -n -i 0.01 -W 1 -w 600 "$CCNC_LAB_VM_ADDR" > "$WORK/ping" 2>&1 &
	PINGER=$!
}

probes_stop() {
	if [ -n "$PINGER" ] && kill -0 "$PINGER" 2>/dev/null; then
		kill -INT "$PINGER" 2>/dev/null
		wait "$PINGER" 2>/dev/null
	fi
	PINGER=
	if [ -n "$SAMPLER" ]; then
		touch "$WORK/stop"
		wait "$SAMPLER" "$BONDLOG" 2>/dev/null
	fi
	SAMPLER=
	BONDLOG=
}

# longest interval (ms) without NFS data on the wire (> 16 KiB per 10 ms
# sample) within [a, b]
wire_stall() {
	awk -v a="$1" -v b="$2" '
		NR > 1 && $1 >= a && $1 <= b && $2 - prev > 16384 {
			if (last != "" && ($1 - last) > max) max = $1 - last
			last = $1
		}
		{ prev = $2 }
		END { printf "%d", max * 1000 }' "$WORK/wire"
}

# "LOST GAP_MS" within [a, b] of the pings in FILE (default: the probes'):
# replies missing (counted at the reply before the gap) and the longest
# interval between replies
ping_stats() { # A B [FILE]
	awk -v a="$1" -v b="$2" '
		/^\[[0-9.]+\].*icmp_seq=/ {
			t = substr($1, 2, length($1) - 2)
			for (i = 2; i <= NF; i++) if ($i ~ /^icmp_seq=/) s = substr($i, 10) + 0
			if (ps != "" && t >= a && t <= b) {
				if (s - ps > 1) lost += s - ps - 1
				if (t - pt > gap) gap = t - pt
			}
			ps = s; pt = t
		}
		END { printf "%d %d", lost, gap * 1000 }' "${3:-$WORK/ping}"
}

# The steps of a migration with passthrough that went well, as the run file
# lists them ("OP OUTCOME" a line)
MIGRATE_STEPS_OK="forecast ok
check-destination ok
check-storage ok
check-backup ok
reserve-nic ok
bond-to-backup ok
verify-on-backup ok
detach ok
migrate ok
attach ok
wait-enslaved ok
bond-to-primary ok
verify ok"
# ms from $1 to the first logged switch of bond0 to the NIC with MAC $2 (-1: none)
bond_switch_ms() {
	awk -v a="$1" -v mac="$2" '$1 >= a && $2 == "ccnc-bond" && $5 == mac { printf "%d", ($1 - a) * 1000; found = 1; exit }
		END { if (!found) print -1 }' "$WORK/bond"
}

ping_totals() { awk '/packets transmitted/ { print $1, $4 }' "$WORK/ping"; }

# after a failure, keep the probes' data and the hosts' libvirt and guest logs
# (they vanish with the lab) in $CCNC_LAB_DIR/log/failed-TEST-TIME/
save_failure() {
	[ "$FAILS" != 0 ] || return 0
	[ -z "${SAVED:-}" ] || return 0
	local d h
	d=${CCNC_LAB_DIR:-/var/tmp/ccnc-lab}/log/failed-$(basename "$0" .sh)-$(date +%Y%m%dT%H%M%S)
	mkdir -p "$d"
	cp -a "$WORK"/. "$d/" 2>/dev/null
	for h in "${HYPERS[@]}"; do
		cp -a "${CCNC_LAB_DIR:-/var/tmp/ccnc-lab}/hosts/$h/var.u/log/libvirt" "$d/$h-libvirt" 2>/dev/null
	done
	find "${CCNC_LAB_DIR:-/var/tmp/ccnc-lab}/log" -maxdepth 1 -type f -exec cp -a {} "$d/" \; 2>/dev/null
	SAVED=$d
	log "kept the failure's logs in $d"
}

# bring the lab down if this test brought it up, and check nothing is left
lab_down_checked() {
	save_failure
	[ "$STARTED_LAB" = 1 ] && [ -z "${KEEP_LAB:-}" ] || return 0
	local pids left="" n p
	pids=$("$LAB" pids)
	"$LAB" down >/dev/null 2>"$WORK/down.err" || { cat "$WORK/down.err"; fail "lab down"; }
	STARTED_LAB=0
	for n in "${HYPERS[@]}" nfs; do
		[ -e "/run/netns/$n" ] && left+=" netns:$n"
		ip link show "cl-$n" >/dev/null 2>&1 && left+=" link:cl-$n"
	done
	ip link show "$CCNC_LAB_BRIDGE" >/dev/null 2>&1 && left+=" link:$CCNC_LAB_BRIDGE"
	for p in $pids; do
		[ -e "/proc/$p" ] && [ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" != Z ] && left+=" pid:$p"
	done
	if [ -n "$left" ]; then
		fail "left behind after down:$left"
	else
		log "down: nothing left behind ($(wc -w <<<"$pids") lab processes gone)"
	fi
}

# ccnc ARGS... in the background, waited for.  Bash runs a trap only once
# its foreground command has ended, so a signal sent to a script's PID
# alone (kill -INT, not Ctrl-C, which the whole process group gets) would
# wait for a migration to finish or time out; this way the script stops
# at once and lab_cleanup passes the signal on to ccnc, which rolls back.
ccnc_waited() {
	local rc
	"$CCNC" "$@" &
	CCNC_PID=$!
	wait "$CCNC_PID"
	rc=$?
	CCNC_PID=
	return "$rc"
}

# the ccnc that ccnc_waited started, when the script stops under it: asked
# to stop (SIGINT, as an operator would) and waited for, up to 2 minutes
ccnc_stop() {
	local i
	[ -n "${CCNC_PID:-}" ] || return 0
	kill -INT "$CCNC_PID" 2>/dev/null || { CCNC_PID=; return 0; }
	echo "stopping ccnc (PID $CCNC_PID): it rolls back what it started" >&"${LAB_ERR:-2}"
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$CCNC_PID" 2>/dev/null || break
		sleep 0.1
	done
	CCNC_PID=
}

lab_cleanup() {
	# a test's own mends of the faults it injected (test_cleanup, when it has one)
	! declare -F test_cleanup >/dev/null || test_cleanup
	ccnc_stop
	probes_stop
	mem_stop
	save_failure
	if [ "$STARTED_LAB" = 1 ] && [ -z "${KEEP_LAB:-}" ]; then
		"$LAB" down >/dev/null 2>&1
	fi
	rm -rf "$WORK"
}

lab_result() {
	if [ "$FAILS" = 0 ]; then
		log "PASS"
		exit 0
	fi
	log "FAILED ($FAILS)"
	exit 1
}

# --- the console in tmux (session "cc" on $WORK/tmux.sock) -------------------
T() { tmux -S "$WORK/tmux.sock" "$@"; }
screen() { T capture-pane -p -t cc 2>/dev/null; }
# a new tmux session (T new-session ARGS): a server that a kill-server just
# ended may still hold the socket, so it is waited for and tried again
T_start() {
	local i
	for ((i = 0; i < 20; i++)); do
		T has-session 2>/dev/null || break
		sleep 0.1
	done
	T new-session "$@" 2>"$WORK/tmux.err" && return 0
	sleep 1
	T new-session "$@" 2>"$WORK/tmux.err" && return 0
	fail "tmux would not start the console: $(cat "$WORK/tmux.err")"
	return 1
}
# wait (bounded) until the screen matches an extended regex; keep the screen
# in $WORK/screen
wait_screen() { # WHAT REGEX SECONDS
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		screen >"$WORK/screen"
		grep -Eq -- "$2" "$WORK/screen" && return 0
		sleep 0.1
	done
	fail "$1: the screen never showed /$2/"
	sed 's/^/  | /' "$WORK/screen"
	return 1
}
# the label the lab config gives host $1 (what the console's overview shows)
label() { awk -v h="$1" '/^\[host / { cur = $2; sub(/\]/, "", cur) } cur == h && /^label/ { sub(/^label *= */, ""); print; exit }' "$CCNC_LAB_CONF"; }
