#!/usr/bin/env python3
"""formats_check.py - the same rows in -o table, -o csv and -o json.

Used by test_formats.sh:
  formats_check.py SHAPE TABLE CSV JSON [SHOWSTAT...]
SHAPE names how the command's JSON maps onto its rows (see CHECKS). TABLE,
CSV and JSON are files holding the command's output in each format; the
SHOWSTAT arguments ("ENDPOINT=BEFORE,AFTER") name files holding each
instance's own `show stat`, read through its socket before and after the
three runs, for the shapes that compare with it. Prints what differs and
exits 1, or exits 0.

The runs follow each other (table, csv, json) on a live fleet whose health
checks count: a number may only have grown from one run to the next (and
lie between the socket's reads); any other value must be equal.
"""

import csv
import io
import json
import re
import sys

# Fields that move between two reads of an idle fleet (times, checks).
VOLATILE = {
    "lastchg", "downtime", "check_duration", "last_chk", "last_agt", "lastsess",
    "h1_open_connections", "h2_open_connections", "h1_open_streams", "h2_open_streams",
    "qtime", "ctime", "rtime", "ttime", "check_status", "check_code", "chkfail",
    "chkdown", "agent_status", "agent_code", "agent_duration", "hanafail",
    "check_rise", "check_fall", "check_health", "agent_rise", "agent_fall",
    "agent_health", "rate", "rate_max", "req_rate", "req_rate_max", "conn_rate",
    "conn_rate_max", "Uptime_sec", "Uptime", "Idle_pct", "Run_queue", "Tasks",
}

errors = []


def err(msg):
    errors.append(msg)


def read_table(text):
    """Rows of an aligned table: cells cut at the header's column starts."""
    lines = [l for l in text.split("\n")
             if l.strip() and not l.startswith("* the instances disagree")]
    if not lines:
        return [], []
    starts = [m.start() for m in re.finditer(r"\S+", lines[0])]
    head = lines[0].split()
    rows = []
    for line in lines[1:]:
        cells = []
        for i, s in enumerate(starts):
            e = starts[i + 1] if i + 1 < len(starts) else None
            cells.append(line[s:e].rstrip() if e else line[s:].rstrip())
        rows.append(cells)
    return head, rows


def read_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def num(s):
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


def grew(earlier, later):
    """The same value, or a counter read later (never smaller)."""
    if earlier == later:
        return True
    a, b = num(earlier), num(later)
    return a is not None and b is not None and 0 <= b - a


def same_rows(table, csvt, what):
    """Table and CSV carry the same cells (the table has no cut cell)."""
    th, tr = table
    ch, cr = csvt
    if th != ch:
        err(f"{what}: table header {th} != csv header {ch}")
    if len(tr) != len(cr):
        err(f"{what}: {len(tr)} table rows != {len(cr)} csv rows")
    live = [i for i, k in enumerate(ch) if k not in VOLATILE and k.lower() not in VOLATILE]
    for a, b in zip(tr, cr):
        if len(a) != len(b) or not all(grew(a[i], b[i]) for i in live):
            err(f"{what}: table row {a} != csv row {b}")
            break


def text(v):
    """A JSON value as the table shows it."""
    if v is None:
        return None  # null: absent or disagreeing, shown "-", "*" or "a|b"
    if v is True:
        return "yes"
    if v is False:
        return "no"
    return str(v)


def cmp(what, shown, value, field=""):
    if field in VOLATILE:
        return
    t = text(value)
    if t is None:
        if shown not in ("-", "*", "") and "|" not in shown:
            err(f"{what} {field}: csv '{shown}' but json null")
    elif not grew(shown, t):
        err(f"{what} {field}: csv '{shown}' != json '{t}'")


def obj_field(o, f):
    if f in ("status", "weight"):
        return o.get(f)
    if f in o.get("metrics", {}):
        return o["metrics"][f]
    return o.get("text", {}).get(f)


def check_list(h, rows, js):
    """frontend/backend/server list: one row per object, summary fields."""
    objs = [o for o in js if "name" in o]
    if len(objs) != len(rows):
        err(f"list: {len(rows)} csv rows != {len(objs)} json objects")
    for row, o in zip(rows, objs):
        r = dict(zip(h, row))
        if "SERVER" in r:
            name = r["SERVER"]
        else:
            name = r.get("BACKEND") or r.get("FRONTEND")
        if name != o["name"]:
            err(f"list: csv name {name} != json {o['name']}")
        if "SERVER" in r and r["BACKEND"] != o["backend"]:
            err(f"list: csv backend {r['BACKEND']} != json {o['backend']}")
        for k, v in r.items():
            if k in ("SERVER", "BACKEND", "FRONTEND"):
                continue
            if k == "INSTANCES":
                if v != str(len(o["instances"])):
                    err(f"list {name}: INSTANCES {v} != {len(o['instances'])}")
                continue
            cmp(f"list {name}", v, obj_field(o, k.lower()), k.lower())


def check_metric(h, rows, js):
    """object/haproxy metric: an (all) row then a row per instance."""
    flat = []
    for o in js if isinstance(js, list) else [js]:
        if "metric" not in o:
            continue
        flat.append((o.get("backend"), o.get("name"), "(all)", o["value"]))
        for i in o["instances"]:
            if "value" in i:
                flat.append((o.get("backend"), o.get("name"), i["endpoint"], i["value"]))
    rows = [r for r in rows if not r[-1].startswith("not reached")]
    if len(flat) != len(rows):
        err(f"metric: {len(rows)} csv rows != {len(flat)} json values")
    field = h[-1]
    for row, (be, name, inst, val) in zip(rows, flat):
        r = dict(zip(h, row))
        if r.get("BACKEND", be) != be or r.get("NAME", name) != name or r["INSTANCE"] != inst:
            err(f"metric: csv row {row} != json {be}/{name} {inst}")
        cmp(f"metric {name} {inst}", r[field], val, "")


def check_metrics(h, rows, js):
    got = [(r[0], r[1]) for r in rows]
    want = [(o["name"], o["rule"]) for o in js]
    if got != want:
        err(f"metrics: csv {got[:3]}... != json {want[:3]}...")


def check_flat(h, rows, js):
    """An array of flat objects, a row each: a header is its key in lower
    case (INSTANCE: endpoint)."""
    keys = {"INSTANCE": "endpoint"}
    if len(rows) != len(js):
        err(f"flat: {len(rows)} csv rows != {len(js)} json elements")
    for row, o in zip(rows, js):
        for k, v in zip(h, row):
            key = keys.get(k, k.lower())
            if key not in o:
                err(f"flat: no key {key} in {o}")
            else:
                cmp("flat", v, o[key], key)


def joined(vals, prefix=""):
    """acl/map list's cell: one value when the holders agree, else each."""
    vals = ["-" if v is None or v < 0 else f"{prefix}{v}" for v in vals]
    return vals[0] if len(set(vals)) == 1 else " ".join(vals)


def check_patlist(h, rows, js, live):
    """acl/map list: a row per file (per instance and inline ACL)."""
    els = [o for o in js if "instances" in o]
    if len(rows) != len(els):
        err(f"patlist: {len(rows)} csv rows != {len(els)} json elements")
    for row, o in zip(rows, els):
        r = dict(zip(h, row))
        name = o["file"] if o["file"] is not None else f"(inline) {o['description']}"
        insts = o["instances"]
        who = (f"all {len(insts)}" if len(insts) == live and live > 1
               else " ".join(i["endpoint"] for i in insts))
        want = {"FILE": name, "INSTANCES": who,
                "ENTRIES": joined([i["entries"] for i in insts]),
                "IDS": joined([i["id"] for i in insts], "#")}
        for k, v in want.items():
            if r[k] != v:
                err(f"patlist {name}: csv {k} '{r[k]}' != json '{v}'")


def check_patshow(h, rows, js):
    """acl/map show of a file the instances agree on: its entries."""
    if not js["agree"]:
        err("patshow: the instances do not agree (the test wants them to)")
        return
    want = [[e["key"], e["value"]] if "key" in e else [e["pattern"]] for e in js["entries"]]
    if rows != want:
        err(f"patshow: csv {rows} != json {want}")


def check_patget(h, rows, js):
    ok = [i for i in js["instances"] if i["result"] == "ok"]
    want = [[f"all {len(ok)} (agree)", js["answer"]]] if js["agree"] else [
        [i["endpoint"], i["answer"]] for i in ok]
    if rows != want:
        err(f"patget: csv {rows} != json {want}")


def check_exec(h, rows, js):
    if len(rows) != len(js):
        err(f"exec: {len(rows)} csv rows != {len(js)} json elements")
    for row, o in zip(rows, js):
        r = dict(zip(h, row))
        cmp("exec", r["INSTANCE"], o["endpoint"])
        cmp("exec", r["OK"], o["ok"])
        cmp("exec", r["REFUSED"], o["refused"])
        out = o.get("output", "").replace("\n", "\\x0a")
        if r["OUTPUT"] != out:
            err(f"exec {o['endpoint']}: csv output '{r['OUTPUT']}' != json '{out}'")


def check_info(h, rows, js):
    insts = js["instances"]
    if len(rows) != len(insts) + 1:
        err(f"info: {len(rows)} csv rows != {len(insts)} instances + (all)")
    keys = {"NODE": "node", "PID": "Pid", "VERSION": "Version", "MAXCONN": "Maxconn",
            "STOPPING": "Stopping"}
    for row, o in zip(rows, insts):
        r = dict(zip(h, row))
        cmp("info", r["INSTANCE"], o["endpoint"])
        for k, key in keys.items():
            if "info" in o:
                cmp(f"info {o['endpoint']}", r[k], o["info"].get(key), key)
    r = dict(zip(h, rows[-1]))
    for k, key in keys.items():
        cmp("info (all)", r[k], js["aggregate"].get(key), key)


def parse_showstat(path):
    with open(path) as f:
        t = f.read()
    t = t.lstrip("# ")
    rows = list(csv.reader(io.StringIO(t)))
    h = rows[0]
    out = {}
    for r in rows[1:]:
        if len(r) >= 2:
            out[(r[0], r[1])] = dict(zip(h, r))
    return out


def socket_row(r, fields, stats):
    """A dump row of one instance against that instance's own show stat."""
    before, after = stats.get(r["instance"], ({}, {}))
    sv = {"frontend": "FRONTEND", "backend": "BACKEND"}.get(r["object"], r["name"])
    px = r["backend"] if r["object"] == "server" else r["name"]
    b, a = before.get((px, sv)), after.get((px, sv))
    if b is None or a is None:
        err(f"dump: {px}/{sv} not in {r['instance']}'s own show stat")
        return
    for f in fields:
        if f in VOLATILE or f not in b:
            continue
        lo, hi = b[f] or "-", a.get(f, "") or "-"
        if not (r[f] in (lo, hi) or (grew(lo, r[f]) and grew(r[f], hi))):
            err(f"dump {px}/{sv} on {r['instance']} {f}: csv '{r[f]}' but its "
                f"socket says '{lo}' before, '{hi}' after")


def check_dump(h, rows, js, stats):
    """dump: a row per object and instance after the aggregate row."""
    lead = ["object", "backend", "name", "instance"]
    if h[:4] != lead:
        err(f"dump: csv starts {h[:4]}, not {lead}")
    fields = h[4:]
    byobj = {}
    for kind, key in (("frontend", "frontends"), ("backend", "backends"),
                      ("server", "servers")):
        for o in js[key]:
            byobj[(kind, o.get("backend", ""), o["name"])] = o
    seen = set()
    for row in rows:
        r = dict(zip(h, row))
        k = (r["object"], r["backend"], r["name"])
        o = byobj.get(k)
        if o is None:
            err(f"dump: csv row {k} has no JSON object")
            continue
        seen.add(k)
        if r["instance"] == "*":
            el = o
        else:
            el = next((i for i in o["instances"] if i["endpoint"] == r["instance"]), None)
            if el is None:
                err(f"dump: {k} on {r['instance']}: not among the JSON instances")
                continue
        for f in fields:
            if f in ("pxname", "svname", "type"):
                continue
            cmp(f"dump {k} {r['instance']}", r[f], obj_field(el, f), f)
        if r["instance"] != "*" and stats is not None:
            socket_row(r, fields, stats)
    if len(seen) != len(byobj):
        err(f"dump: {len(byobj) - len(seen)} JSON objects without csv rows")


def check_sockets(listfile, n, w):
    """server list -o json: each instance's status and weight, as its socket."""
    objs = json.load(open(listfile))
    socks = {}
    for i in range(1, int(n) + 1):
        socks[i] = parse_showstat(f"{w}/stat.{i}")
        after = parse_showstat(f"{w}/stat2.{i}")
        for k, row in socks[i].items():  # a server changing meanwhile is skipped
            if after.get(k, {}).get("status") != row["status"]:
                row["status"] = None
    checked = 0
    for o in objs:
        for inst in o.get("instances", []):
            i = int(inst["endpoint"].rsplit("admin", 1)[1].split(".")[0])
            row = socks[i].get((o["backend"], o["name"]))
            if row is None:
                err(f"{o['backend']}/{o['name']} not in admin{i}'s show stat")
                continue
            if row["status"] is None:
                continue
            if str(inst["weight"]) != row["weight"] or inst["status"] != row["status"]:
                err(f"{o['backend']}/{o['name']} on admin{i}: {inst['status']} "
                    f"{inst['weight']}, its socket says {row['status']} {row['weight']}")
            checked += 1
    if checked < 10:
        err(f"only {checked} server instances checked")


def main():
    if sys.argv[1] == "sockets":
        check_sockets(*sys.argv[2:5])
        for e in errors[:20]:
            print(e)
        sys.exit(1 if errors else 0)
    shape, tfile, cfile, jfile = sys.argv[1:5]
    stats = None
    if len(sys.argv) > 5 and shape == "dump":
        stats = {}
        for a in sys.argv[5:]:
            ep, paths = a.split("=", 1)
            stats[ep] = tuple(parse_showstat(p) for p in paths.split(","))
    with open(tfile) as f:
        table = read_table(f.read())
    with open(cfile) as f:
        h, rows = read_csv(f.read())
    with open(jfile) as f:
        js = json.load(f)
    if shape == "patlist":  # the table cuts the directory the sockets share
        keep = [i for i, k in enumerate(h) if k != "INSTANCES"]
        same_rows(([table[0][i] for i in keep], [[r[i] for i in keep] for r in table[1]]),
                  ([h[i] for i in keep], [[r[i] for i in keep] for r in rows]), shape)
    elif shape != "exec":  # exec's table is each reply as text, not rows
        same_rows(table, (h, rows), shape)
    {
        "list": check_list,
        "metric": check_metric,
        "metrics": check_metrics,
        "exec": check_exec,
        "flat": check_flat,
        "patlist": lambda h, r, j: check_patlist(h, r, j, int(sys.argv[5])),
        "patshow": check_patshow,
        "patget": check_patget,
        "info": check_info,
    }.get(shape, lambda h, r, j: check_dump(h, r, j, stats))(h, rows, js)
    for e in errors[:20]:
        print(e)
    if len(errors) > 20:
        print(f"... and {len(errors) - 20} more")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
