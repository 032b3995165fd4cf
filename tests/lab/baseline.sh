#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run test-raw-sequence.sh N times (default 5) on a fresh lab each time and
# print min / median / max of every figure it measures: the baseline table of
# docs/lab.md. Exit status: that of the worst run.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
n=${1:-5}
out=$(mktemp -d /tmp/ccnc-lab-baseline.XXXXXX)
trap 'rm -rf "$out"' EXIT
worst=0
for ((i = 1; i <= n; i++)); do
	"$here/test-raw-sequence.sh" > "$out/run-$i" 2>&1
	rc=$?
	echo "run $i: exit $rc" >&2
	[ $rc = 0 ] || grep -E 'FAIL|SKIP' "$out/run-$i" >&2
	[ $rc -gt $worst ] && worst=$rc
	[ $rc = 77 ] && { cat "$out/run-$i"; exit 77; }
done
cat "$out"/run-* | awk -F= '/^[a-z_0-9]+=[0-9-]+$/ { v[$1] = v[$1] " " $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
	END {
		printf "%-28s %8s %8s %8s   (%d runs)\n", "figure", "min", "median", "max", '"$n"'
		for (i = 1; i <= k; i++) {
			m = split(substr(v[order[i]], 2), a, " ")
			for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
			printf "%-28s %8s %8s %8s\n", order[i], a[1], a[int((m + 1) / 2)], a[m]
		}
	}'
exit $worst
