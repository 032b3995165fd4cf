#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Check JSON outputs of ccnc against the tables of docs/status-json.md.
#
#   json-schema.py DOC OUTPUT FILE [--lines|--each]
#
# DOC's tables marked <!-- json: OUTPUT PATH --> describe OUTPUT: PATH is
# empty for the top level, "[]" for each element of a top-level array, and
# e.g. "hosts[].links[]" for objects further down.  Every field of a table
# must be present (unless "(optional)") with one of its types; at each
# marked level, every field present must be in the table.  FILE holds one
# JSON document, or one a line with --lines, or an array of them with
# --each (evacuate's).  Exit 1 with what differs.
import json
import re
import sys

TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def read_doc(path):
    """{output: {path: {field: (types, optional)}}} from the marked tables."""
    schemas = {}
    want = None
    table = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        m = re.match(r"^<!-- json: (\S+)(?: (\S+))? -->$", line)
        if m:
            want = (m.group(1), m.group(2) or "")
            table = None
            continue
        if want is None:
            continue
        if not line.startswith("|"):
            if table is not None:   # the table ended
                want = table = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if table is None:
            if cells[:2] != ["field", "type"]:
                raise SystemExit("%s: the table after %r has no field | type header" % (path, want))
            table = schemas.setdefault(want[0], {}).setdefault(want[1], {})
            continue
        if set(cells[0]) <= set("-: "):
            continue
        names = re.findall(r"`([^`]+)`", cells[0])
        optional = "(optional)" in cells[1]
        alts = re.sub(r"\(optional\)", "", cells[1]).replace("`", "").strip()
        per_name = [t.strip() for t in alts.split(",")]
        if len(per_name) == 1:
            per_name = per_name * len(names)
        if not names or len(per_name) != len(names):
            raise SystemExit("%s: cannot read the row %r" % (path, line))
        for name, types in zip(names, per_name):
            types = [t.strip() for t in types.split("/")]
            for t in types:
                if t not in TYPES:
                    raise SystemExit("%s: unknown type %r in %r" % (path, t, line))
            table[name[:-2] if name.endswith("[]") else name] = (types, optional)
    return schemas


def walk(value, path):
    """The values at path: "" the value itself, "[]" its elements, a.b[] ..."""
    values = [(value, "")]
    for seg in [s for s in path.split(".") if s]:
        key, each = (seg[:-2], True) if seg.endswith("[]") else (seg, False)
        nxt = []
        for v, where in values:
            if key:
                # absent, or null where the table above allows it: nothing below
                if not isinstance(v, dict) or key not in v or v[key] is None:
                    continue
                v, where = v[key], "%s.%s" % (where, key)
            if each:
                if isinstance(v, list):
                    nxt += [(e, "%s[%d]" % (where, i)) for i, e in enumerate(v)]
            else:
                nxt.append((v, where))
        values = nxt
    return values


def check(doc, output, value):
    errors = []
    for path, fields in sorted(doc[output].items()):
        for obj, where in walk(value, path):
            where = where or "."
            if not isinstance(obj, dict):
                errors.append("%s: not an object" % where)
                continue
            for name, (types, optional) in fields.items():
                if name not in obj:
                    if not optional:
                        errors.append("%s: no %r" % (where, name))
                elif not any(TYPES[t](obj[name]) for t in types):
                    errors.append("%s.%s: %r is not %s" % (where, name, obj[name], "/".join(types)))
            for name in obj:
                if name not in fields:
                    errors.append("%s: %r is not documented" % (where, name))
    return errors


def main():
    args = [a for a in sys.argv[1:] if a not in ("--lines", "--each")]
    if len(args) != 3:
        raise SystemExit("usage: json-schema.py DOC OUTPUT FILE [--lines|--each]")
    doc = read_doc(args[0])
    if args[1] not in doc:
        raise SystemExit("%s: no table marked for %r" % (args[0], args[1]))
    text = open(args[2], encoding="utf-8").read()
    if "--lines" in sys.argv:
        values = [json.loads(l) for l in text.splitlines() if l.strip()]
    elif "--each" in sys.argv:
        values = json.loads(text)
        if not isinstance(values, list):
            raise SystemExit("%s: not an array" % args[2])
    else:
        values = [json.loads(text)]
    if not values and "--each" not in sys.argv:
        raise SystemExit("%s: no JSON" % args[2])
    errors = []
    for v in values:
        errors += check(doc, args[1], v)
    for e in errors:
        print("%s (%s): %s" % (args[1], args[2], e))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
