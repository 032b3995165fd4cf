#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The layering the design rests on (docs/architecture.md): one folder a
# layer, read downwards, nothing pointing back up:
#
#   src/cli -> ui -> src/engine -> src/core        src/agent -> src/core
#
# A file names what it includes by folder ("core/model.h"), or by bare name
# from its own folder; <ccnc/engine.h> is the engine's API, every other
# header under include/ccnc/ belongs to the core.  Each library header is
# allowed where its layer needs it.  The checker is also run on a planted
# tree, so that this test is known to fail when a file points back up.
set -u
top=${abs_top_srcdir:-.}
fails=0
passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }

# layer_of FILE: the layer a file of the tree belongs to, or nothing
layer_of() {
    case $1 in
    src/core/*) echo core ;;
    src/engine/*) echo engine ;;
    src/agent/*) echo agent ;;
    src/cli/*) echo cli ;;
    ui/*) echo ui ;;
    include/ccnc/engine.h) echo engine-api ;;
    include/ccnc/*) echo contract ;;
    esac
}

# allowed LAYER INCLUDE: may a file of LAYER include INCLUDE ("core/x.h",
# "<ccnc/x.h>", "<libvirt/...>")?
allowed() {
    case "$1 $2" in
    # project folders, downwards only
    "core core/"* | "engine core/"* | "engine engine/"* | "agent core/"* | "agent agent/"*) return 0 ;;
    "ui core/"* | "cli core/"* | "cli cli/"* | "cli ui/"*) return 0 ;;
    *" core/"* | *" engine/"* | *" agent/"* | *" cli/"* | *" ui/"*) return 1 ;;
    # the contracts: the engine's API is for the engine and above it
    "core <ccnc/engine.h>" | "agent <ccnc/engine.h>" | "contract <ccnc/engine.h>") return 1 ;;
    *" <ccnc/"*) return 0 ;;
    # libraries, each in its layer
    "ui <curses.h>" | "ui <ncurses.h>" | "ui <ncursesw/curses.h>") return 0 ;;
    *" <curses.h>" | *" <ncurses.h>" | *" <ncursesw/"*) return 1 ;;
    "engine <libvirt/"* | "engine <libssh/"*) return 0 ;;
    *" <libvirt/"* | *" <libssh/"*) return 1 ;;
    "agent <netlink/"* | "agent <pci/"* | "agent <linux/"*) return 0 ;;
    *" <netlink/"* | *" <pci/"*) return 1 ;;
    "contract <json-c/"* | "contract <libxml/"* | "engine-api <json-c/"* | "engine-api <libxml/"*) return 1 ;;
    "ui <libxml/"* | "cli <libxml/"*) return 1 ;;
    # cairo draws report --plot in the CLI; the figure model in the core stays pure
    "cli <cairo"*) return 0 ;;
    *" <cairo"*) return 1 ;;
    esac
    return 0
}

# check_tree ROOT: print "FILE: includes X" for every include that points
# where its layer may not
check_tree() (
    cd "$1" || exit 99
    for f in src/*/*.[ch] ui/*.[ch] include/ccnc/*.h; do
        [ -f "$f" ] || continue
        layer=$(layer_of "$f")
        [ -n "$layer" ] || continue
        dir=$(dirname "$f")
        grep -E '^[[:space:]]*#[[:space:]]*include' "$f" |
            sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*//; s/[[:space:]].*//' |
            while read -r inc; do
                case $inc in
                '"config.h"') continue ;;
                \"*/*\") what=${inc#\"}; what=${what%\"} ;;
                \"*\")
                    # a bare name: only from the file's own folder
                    name=${inc#\"}; name=${name%\"}
                    [ -f "$dir/$name" ] || echo "$f: includes $inc, which is not in $dir/"
                    continue ;;
                *) what=$inc ;;
                esac
                allowed "$layer" "$what" || echo "$f: includes $inc (a $layer file)"
            done
    done
)

cd "$top" || exit 99

# 1. the tree as it is
out=$(check_tree .)
if [ -n "$out" ]; then fail "a file points where its layer may not"; echo "$out" | sed 's/^/  | /'; else pass; fi

# 2. the checker itself catches a file that points back up
plant=$(mktemp -d)
trap 'rm -rf "$plant"' EXIT
mkdir -p "$plant/src/core" "$plant/src/engine" "$plant/src/agent" "$plant/ui" "$plant/include/ccnc"
printf '#include "config.h"\n#include "engine/action-run.h"\n' >"$plant/src/core/up.c"
printf '#include "config.h"\n#include <ccnc/engine.h>\n' >"$plant/src/agent/up.c"
printf '#include "config.h"\n#include <libvirt/libvirt.h>\n' >"$plant/ui/up.c"
printf '#include "config.h"\n#include <ncurses.h>\n' >"$plant/src/engine/up.c"
printf '#include "config.h"\n#include "missing.h"\n' >"$plant/src/core/bare.c"
printf '#include "config.h"\n#include <cairo.h>\n' >"$plant/src/core/draw.c"
printf '#include "config.h"\n#include "core/model.h"\n#include <json-c/json.h>\n' >"$plant/src/engine/fine.c"
out=$(check_tree "$plant")
for f in src/core/up.c src/agent/up.c ui/up.c src/engine/up.c src/core/bare.c src/core/draw.c; do
    if echo "$out" | grep -q "^$f:"; then pass; else fail "the checker missed the planted $f"; fi
done
if echo "$out" | grep -q "^src/engine/fine.c:"; then fail "the checker refused src/engine/fine.c"; else pass; fi

# 3. config.h first in every .c, and in no header
for f in src/*/*.c ui/*.c tests/*.c tests/*/*.c bench/*.c fuzz/*.c; do
    [ -f "$f" ] || continue
    first=$(grep -m1 '^#include' "$f")
    [ "$first" = '#include "config.h"' ] || echo "$f"
done >"$plant/not-first"
if [ -s "$plant/not-first" ]; then fail "config.h is not the first include"; sed 's/^/  | /' "$plant/not-first"; else pass; fi
hdr=$(grep -l '#include "config.h"' include/ccnc/*.h src/*/*.h ui/*.h 2>/dev/null)
if [ -n "$hdr" ]; then fail "config.h in a header"; echo "$hdr" | sed 's/^/  | /'; else pass; fi

# 4. below the engine's own file, nothing calls the engine's API: the
# collectors, the runs and the transport report through callback structs
back=$(grep -lE '#include +<ccnc/engine\.h>|\bccnc_engine_[a-z_]+\(' src/engine/*.[ch] 2>/dev/null |
    grep -v '^src/engine/engine\.c$')
if [ -n "$back" ]; then fail "the engine's API called from below it"; echo "$back" | sed 's/^/  | /'; else pass; fi

# 5. nothing is left in the flat src/
flat=$(ls src/*.c src/*.h 2>/dev/null)
if [ -n "$flat" ]; then fail "files outside the layer folders"; echo "$flat" | sed 's/^/  | /'; else pass; fi

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
