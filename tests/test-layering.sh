#!/bin/sh
# The layering the design rests on: curses only in ui/, no network or PCI
# library in ui/ or include/, config.h first in every .c and in no header.
set -u
top=${abs_top_srcdir:-.}
fails=0
passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # DESCRIPTION COMMAND...: the command must print nothing
    out=$("$@" 2>/dev/null)
    if [ -n "$out" ]; then fail "$1"; echo "$out" | sed 's/^/  | /'; else passes=$((passes + 1)); fi
}

cd "$top" || exit 99
curses_outside() { grep -lE '#include +<(n?curses|ncursesw/curses)\.h>' src/*.c src/*/*.c src/*.h include/ccnc/*.h tests/*.c; }
netlibs_in_ui() { grep -lE '#include +<(libvirt|libssh|netlink|pci)/' ui/*.c ui/*.h include/ccnc/*.h; }
config_h_in_headers() { grep -l '#include "config.h"' include/ccnc/*.h src/*.h ui/*.h; }
config_h_not_first() {
    for f in src/*.c src/*/*.c ui/*.c tests/*.c; do
        first=$(grep -m1 '^#include' "$f")
        [ "$first" = '#include "config.h"' ] || echo "$f"
    done
}
ui_reaches_src() { grep -lE '#include "(cli|engine-[a-z]+|collect-[a-z]+|transport-[a-z]+)\.h"' ui/*.c ui/*.h; }

check curses_outside
check netlibs_in_ui
check config_h_in_headers
check config_h_not_first
check ui_reaches_src
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
