#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every message in the sources is in the Malay catalogue, translated and not
# fuzzy, and the catalogue compiles with format checks.
set -u
top=${abs_top_srcdir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in xgettext msgcmp msgfmt; do
    command -v $t >/dev/null || { echo "SKIP: $t is not installed (package gettext)"; exit 77; }
done
passes=0 fails=0
cd "$top" || exit 99
files=$(grep -v '^#' po/POTFILES.in | grep -v '^$')
# shellcheck disable=SC2086
xgettext --keyword=_ --keyword=N_ --keyword=dngettext:2,3 --from-code=UTF-8 --add-comments=TRANSLATORS: \
    -o "$tmp/ccnc.pot" $files || exit 99
for lang in $(cat po/LINGUAS); do
    if msgcmp "po/$lang.po" "$tmp/ccnc.pot" 2>"$tmp/msgcmp.out"; then
        passes=$((passes + 1))
    else
        echo "FAIL: po/$lang.po lacks translations of these messages:"; sed 's/^/  | /' "$tmp/msgcmp.out" | head -40
        fails=$((fails + 1))
    fi
    stats=$(msgfmt -c --statistics -o /dev/null "po/$lang.po" 2>&1)
    case $stats in
    *fuzzy*|*untranslated*|*error*)
        echo "FAIL: po/$lang.po: $stats"; fails=$((fails + 1)) ;;
    *) passes=$((passes + 1)) ;;
    esac
done
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
