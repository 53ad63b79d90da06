#!/usr/bin/env python3
"""dump_check.py [--compact] DUMP.json ENDPOINT BEFORE.csv AFTER.csv [ENDPOINT BEFORE AFTER]...

Checks that `haproxyadmin dump` says, per object and per instance, what
each instance's own socket reports ("show stat -1 7 -1", read just before
and just after the dump): every object an instance lists is in the dump
with that instance, and no other; every non-empty column of its row is the
instance's value in the dump (equal to the read before or after it, or
between them for a counter that moved), and no other key is. The status
aggregate is the instances' common status, or null and listed as
disagreeing. With --compact (a dump --compact), an instance's value is its
member when it has one (null: none), else the aggregate's. Prints one line
per mismatch (at most 20), then
"N objects, M values checked, K mismatches".
"""
import csv
import json
import sys

TYPES = ((0, "frontends"), (1, "backends"), (2, "servers"))


def read_stat(path):
    rows = {}
    with open(path, newline="") as f:
        lines = [l for l in f.read().split("\n") if l]
    header = lines[0]
    assert header.startswith("# "), header
    cols = next(csv.reader([header[2:]]))
    for rec in csv.reader(lines[1:]):
        d = dict(zip(cols, rec))
        t = int(d["type"])
        if t > 2:
            continue
        rows[(t, d["pxname"], d["svname"])] = d
    return rows


def num(s):
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


def main():
    argv = sys.argv[1:]
    compact = argv[0] == "--compact"
    if compact:
        argv = argv[1:]
    dump = json.load(open(argv[0]))
    socks = {}
    args = argv[1:]
    for k in range(0, len(args), 3):
        socks[args[k]] = (read_stat(args[k + 1]), read_stat(args[k + 2]))
    bad = []
    nobj = nval = 0

    def miss(msg):
        bad.append(msg)

    seen = set()
    for t, key in TYPES:
        for o in dump[key]:
            nobj += 1
            if t == 2:
                ident = (t, o["backend"], o["name"])
            else:
                ident = (t, o["name"], "FRONTEND" if t == 0 else "BACKEND")
            seen.add(ident)
            holders = sorted(e for e, (b, a) in socks.items() if ident in b and ident in a)
            got = sorted(i["endpoint"] for i in o["instances"])
            if holders != got:
                miss("%s: instances %s, the sockets say %s" % (ident, got, holders))
            statuses = set()
            for inst in o["instances"]:
                e = inst["endpoint"]
                if e not in socks or ident not in socks[e][0] or ident not in socks[e][1]:
                    continue
                before, after = socks[e][0][ident], socks[e][1][ident]
                vals = {}
                for sect in ("metrics", "text"):
                    if compact:
                        # left out: the aggregate's value; null: none
                        vals.update((k, v) for k, v in o[sect].items() if v is not None)
                    vals.update(inst[sect])
                vals = dict((k, v) for k, v in vals.items() if v is not None)
                vals["status"] = inst["status"]
                statuses.add(json.dumps(inst["status"]))
                if t != 0:
                    vals["weight"] = inst["weight"]
                for col in before:
                    if col in ("pxname", "svname", "-"):  # "-": a separator, not a field
                        continue
                    nval += 1
                    b, a = before[col], after.get(col, "")
                    v = vals.pop(col, None)
                    if b == "" and a == "":
                        if v is not None:
                            miss("%s %s: %s = %r, the socket has it empty" % (ident, e, col, v))
                        continue
                    if v is None:
                        miss("%s %s: %s missing, the socket says %r" % (ident, e, col, b))
                        continue
                    sv = str(v)
                    if sv in (b, a):
                        continue
                    nb, na, nv = num(b), num(a), num(v) if isinstance(v, int) else None
                    if None not in (nb, na, nv) and min(nb, na) <= nv <= max(nb, na):
                        continue
                    miss("%s %s: %s = %r, the socket said %r then %r" % (ident, e, col, v, b, a))
                extra = [k for k, v in vals.items() if v is not None]
                if extra:
                    miss("%s %s: keys no column holds: %s" % (ident, e, extra))
            agg = o["status"]
            if len(statuses) == 1:
                if json.dumps(agg) != next(iter(statuses)):
                    miss("%s: status %r, every instance says %s" % (ident, agg, statuses))
            elif statuses and (agg is not None or "status" not in o["disagree"]):
                miss("%s: status %r while instances say %s" % (ident, agg, statuses))
    for e, (b, a) in socks.items():
        for ident in b:
            if ident in a and ident not in seen:
                miss("%s on %s: not in the dump" % (ident, e))
    for m in bad[:20]:
        print(m)
    print("%d objects, %d values checked, %d mismatches" % (nobj, nval, len(bad)))


main()
