#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ccnc is GPL-2.0-or-later (COPYING), and every source file says so near its
# top with an SPDX-License-Identifier line:
#
#   *.c, *.h          /* SPDX-License-Identifier: GPL-2.0-or-later */  (line 1)
#   scripts (#!)      # SPDX-License-Identifier: GPL-2.0-or-later      (line 2)
#   Makefile.am       # SPDX-License-Identifier: ...                   (line 1)
#   configure.ac      dnl SPDX-License-Identifier: ...                 (line 1)
#   man pages         .\" SPDX-License-Identifier: ...   (line 1, or 2 after a '\" hint)
#   po/*.po           # SPDX-License-Identifier: ...     (in the header comment)
#   m4/*.m4           dnl or # SPDX-...   (only those of ccnc's own: without
#                                          another copyright notice)
#
# In a git checkout the files are the tracked ones; in an unpacked tarball,
# the files present.  Test fixtures (tests/data, fuzz/corpus-*) and generated
# files keep their own terms.  Each row of tests/data's MANIFEST.tsv files
# names the licence of its file, as an SPDX identifier with its text in
# tests/data/LICENSES (the GPL version 2 is COPYING), and names a file that
# is there.  Both checkers also run on a planted tree, so that this test is
# known to fail when a file lacks its line or a row its licence.
set -u
top=${abs_top_srcdir:-.}
SPDX='SPDX-License-Identifier: GPL-2.0-or-later'
fails=0
passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }

[ -d "$top" ] || { echo "SKIP: the source tree $top is not there"; exit 77; }
for t in awk sed find; do
    command -v $t >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done
[ -f "$top/COPYING" ] || { echo "SKIP: $top has no COPYING: not a ccnc source tree"; exit 77; }

# list_files ROOT: the files to look at, one a line, relative to ROOT
list_files() (
    cd "$1" || exit 99
    if [ -e .git ] && command -v git >/dev/null && git ls-files >/dev/null 2>&1; then
        git ls-files
    else
        # an unpacked tarball, maybe with builds inside it: leave out the
        # folders configure was run in, and what the autotools made
        find . \( -name .git -o -name autom4te.cache \) -prune -o \
            -type d ! -path . -exec sh -c 'test -e "$1/config.status"' sh '{}' ';' -prune -o \
            -type f -print | sed 's|^\./||'
    fi
)

# first_lines FILE N: its first N lines, without carriage returns
first_lines() { sed -n "1,$2p" "$1" | tr -d '\r'; }

# check_spdx ROOT: print "FILE: why" for every source file without its line
check_spdx() (
    cd "$1" || exit 99
    list_files . | while IFS= read -r f; do
        [ -f "$f" ] || continue
        case $f in
        # fixtures and copies from other projects keep their own terms
        tests/data/* | fuzz/corpus-*/*) continue ;;
        # made by the autotools, gettext or configure
        configure | config.status | config.h | config.h.in | aclocal.m4 | build-aux/* | \
            po/Makefile.in.in | po/*.sin | po/*.sed | po/*.header | po/Rules-quot | \
            po/Makevars.template | po/*.pot | po/*.gmo) continue ;;
        esac
        want= lines=1
        case $f in
        *.c | *.h) want="/* $SPDX */" ;;
        Makefile.am | */Makefile.am) want="# $SPDX" ;;
        configure.ac) want="dnl $SPDX" ;;
        *.[1-8])
            case $f in docs/*) ;; *) continue ;; esac
            want=".\\\" $SPDX"
            first_lines "$f" 1 | grep -q "^'\\\\\"" && lines=2 ;;
        po/*.po)
            # anywhere in the comment above the header entry
            if sed -n '/^msgid/q;p' "$f" | grep -qxF "# $SPDX"; then :; else
                echo "$f: no '# $SPDX' in its header comment"
            fi
            continue ;;
        m4/*.m4)
            grep -qi 'copyright' "$f" && continue
            first_lines "$f" 3 | grep -qE "^(dnl|#) $SPDX\$" || echo "$f: no '$SPDX' in its first lines"
            continue ;;
        *)
            # a script: #! on line 1, the SPDX line right under it
            [ "$(head -c 2 "$f")" = '#!' ] || continue
            want="# $SPDX" lines=2 ;;
        esac
        got=$(first_lines "$f" "$lines" | sed -n "${lines}p")
        [ "$got" = "$want" ] || echo "$f: line $lines is not '$want'"
    done
)

# check_manifests ROOT: print "MANIFEST:LINE: why" for every row of
# tests/data/**/MANIFEST.tsv without a licence, with an unknown licence, or
# naming a file that is not there
check_manifests() (
    cd "$1" || exit 99
    n=0
    for m in $(find tests/data -name MANIFEST.tsv | sort); do
        n=$((n + 1))
        awk -F '\t' -v m="$m" -v dir="$(dirname "$m")" '
            function texts(id) {
                if (id == "GPL-2.0-only" || id == "GPL-2.0-or-later")
                    return there("COPYING")
                return there("tests/data/LICENSES/" id ".txt")
            }
            function there(p) {
                return system("test -e \"" p "\"") == 0
            }
            NR == 1 {
                for (i = 1; i <= NF; i++) col[$i] = i
                ncol = NF
                if (!("licence" in col)) { print m ": no licence column"; exit }
                where = ("local_path" in col) ? col["local_path"] : col["file"]
                next
            }
            /^$/ { next }
            {
                if (NF != ncol) print m ":" NR ": " NF " fields, the header has " ncol
                lic = $col["licence"]
                if (lic == "" || lic == "-") { print m ":" NR ": no licence"; next }
                if (lic !~ /^[A-Za-z0-9.+-]+$/) { print m ":" NR ": licence \"" lic "\" is not an SPDX identifier"; next }
                if (!texts(lic)) print m ":" NR ": no text for " lic " in tests/data/LICENSES"
                if (!there(dir "/" $where)) print m ":" NR ": " dir "/" $where " is not there"
            }' "$m"
    done
    [ "$n" -gt 0 ] || echo "tests/data: no MANIFEST.tsv"
)

# 1. the tree as it is
out=$(check_spdx "$top")
if [ -n "$out" ]; then fail "source files without '$SPDX'"; echo "$out" | sed 's/^/  | /'; else pass; fi
n=$(list_files "$top" | grep -cE '\.[ch]$')
if [ "$n" -ge 50 ]; then pass; else fail "only $n C files were looked at"; fi
out=$(check_manifests "$top")
if [ -n "$out" ]; then fail "MANIFEST.tsv rows"; echo "$out" | sed 's/^/  | /'; else pass; fi

# 2. the checkers catch what is planted
plant=$(mktemp -d)
trap 'rm -rf "$plant"' EXIT
mkdir -p "$plant/src/core" "$plant/docs" "$plant/tests/data/LICENSES" "$plant/tests/data/x" "$plant/po"
cp "$top/COPYING" "$plant/"
printf '/* %s */\n#include "config.h"\n' "$SPDX" >"$plant/src/core/good.c"
printf '/* no licence */\n#include "config.h"\n' >"$plant/src/core/bad.c"
printf '#!/bin/sh\n# %s\n' "$SPDX" >"$plant/good-script"
printf '#!/bin/sh\necho no licence\n' >"$plant/bad-script"
printf '.TH X 1\n' >"$plant/docs/bad.1"
printf '# SPDX-License-Identifier: GPL-2.0-only\n' >"$plant/Makefile.am"
printf '# %s\nmsgid ""\nmsgstr ""\n' "$SPDX" >"$plant/po/good.po"
printf 'no licence\n' >"$plant/tests/data/x/fixture.c"
printf 'MIT\n' >"$plant/tests/data/LICENSES/MIT.txt"
: >"$plant/tests/data/x/a" && : >"$plant/tests/data/x/b" && : >"$plant/tests/data/x/c"
printf 'file\tlicence\tdescription\na\tMIT\tfine\nb\t-\tno licence\nc\tApache-2.0\tno text\ngone\tMIT\tnot there\n' \
    >"$plant/tests/data/x/MANIFEST.tsv"
out=$(check_spdx "$plant")
for f in src/core/bad.c bad-script docs/bad.1 Makefile.am; do
    if echo "$out" | grep -q "^$f:"; then pass; else fail "the checker missed the planted $f"; fi
done
for f in src/core/good.c good-script po/good.po tests/data/x/fixture.c; do
    if echo "$out" | grep -q "^$f:"; then fail "the checker refused $f"; else pass; fi
done
out=$(check_manifests "$plant")
for want in ':3: no licence' ':4: no text for Apache-2.0' ':5: tests/data/x/gone is not there'; do
    if echo "$out" | grep -qF "$want"; then pass; else fail "the manifest checker missed '$want'"; fi
done
if echo "$out" | grep -qF ':2:'; then fail "the manifest checker refused a good row"; else pass; fi

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
