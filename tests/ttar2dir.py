#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Unpack a ttar archive (the text tar of prometheus/procfs and node_exporter
test fixtures) into a directory tree: ttar2dir.py ARCHIVE DESTDIR [STRIP].

tests/agent/test-agent-offline.sh unpacks the captured sysfs fixtures
(tests/data/sysfs/*.ttar) with it into a temporary root.  STRIP is a leading path component to drop (e.g.
"fixtures")."""
import os
import sys


def main():
    archive, dest = sys.argv[1], sys.argv[2]
    strip = sys.argv[3] + "/" if len(sys.argv) > 3 else ""
    lines = open(archive, encoding="utf-8").read().split("\n")
    i, path = 0, None

    def target(p):
        if strip and p.startswith(strip):
            p = p[len(strip):]
        if p.startswith("/") or ".." in p.split("/"):
            sys.exit("unsafe path in archive: " + p)
        return os.path.join(dest, p)

    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("Directory: "):
            os.makedirs(target(line[11:]), exist_ok=True)
            path = None
        elif line.startswith("Path: "):
            path = target(line[6:])
            os.makedirs(os.path.dirname(path), exist_ok=True)
        elif line.startswith("Lines: ") and path:
            spec = line[7:]
            n = int(spec.split("|")[0])
            body = lines[i:i + n]
            i += n
            data = "\n".join(body) + ("\n" if n else "")
            if spec.endswith("|base64"):
                import base64
                raw = base64.b64decode("".join(body))
            else:
                # ttar writes "NOEOL" files with a marker line
                if body and body[-1].endswith("EOF") and "NOEOL" in spec:
                    data = data[:-1]
                raw = data.encode("utf-8")
            with open(path, "wb") as f:
                f.write(raw)
        elif line.startswith("SymlinkTo: ") and path:
            if os.path.lexists(path):
                os.remove(path)
            os.symlink(line[11:], path)
            path = None
        elif line.startswith("Mode: ") and path and os.path.isfile(path):
            os.chmod(path, int(line[6:], 8) | 0o200)


if __name__ == "__main__":
    main()
