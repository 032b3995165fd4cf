# SPDX-License-Identifier: GPL-2.0-or-later
# What the command-line tests share (sourced): where the tree and the build
# are, a scratch folder removed at exit, and the count of checks: ok, fail
# MESSAGE, and finish (the closing count line and the exit status).
top_builddir=${abs_top_builddir:-.}
top_srcdir=${abs_top_srcdir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
passes=0

ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
finish() {
    echo "$passes passed, $fails failed"
    [ "$fails" = 0 ]
}
