#!/usr/bin/env python3
"""Puts polyc-scheduled JSCoPs of PolyBench/C 4.2.1 (jscop-polly19) in place of
the SCoPs Polly finds in the program polyc emits for the same kernel
(scripts/polly-roundtrip.sh).

Usage: jscop-transplant.py SCHEDULED_DIR EXPORTED_DIR OUT_DIR

Polly matches a JSCoP with its SCoP by file name (<function>___<region>.jscop)
and its statements and accesses by position. A scheduled file replaces an
exported SCoP of the same function when both have the same statements
with the same context, domains and accesses (kind and relation) in the same
order, up to statement names; "name" and "arrays" (whose sizes are constants in
PolyBench/C and parameters in polyc's program) are taken from the exported
file, and so are the statement names (in the schedules too). Every other exported SCoP is copied unchanged. Prints what differs
(region and statement names); exit status 1 when nothing matched.
"""

import glob
import json
import os
import re
import shutil
import sys


def shape(scop):
    """The statements' domains and accesses with the statement names replaced by their positions."""
    result = []
    for i, s in enumerate(scop["statements"]):
        rename = re.compile(r"\b%s\[" % re.escape(s["name"]))
        own = "S%d[" % i
        accesses = tuple((a["kind"], rename.sub(own, a["relation"])) for a in s["accesses"])
        result.append((rename.sub(own, s["domain"]), accesses))
    return result


def main():
    scheduled_dir, exported_dir, out_dir = sys.argv[1:4]
    os.makedirs(out_dir, exist_ok=True)
    exported = {os.path.basename(p): json.load(open(p)) for p in glob.glob(os.path.join(exported_dir, "*.jscop"))}
    scheduled = {os.path.basename(p): json.load(open(p)) for p in glob.glob(os.path.join(scheduled_dir, "*.jscop"))}
    used, notes = set(), []
    for name, scop in sorted(scheduled.items()):
        function = name.split("___")[0]
        match = next((e for e, x in sorted(exported.items())
                      if e not in used and e.split("___")[0] == function
                      and x["context"] == scop["context"] and shape(x) == shape(scop)), None)
        if match is None:
            notes.append("%s: polyc's program has no SCoP with the same domains and accesses" % name.split("___")[1][:-6])
            continue
        used.add(match)
        target = exported[match]
        if target["name"] != scop["name"]:
            notes.append("region %s -> %s" % (scop["name"], target["name"]))
        renamed = [(a["name"], b["name"]) for a, b in zip(scop["statements"], target["statements"]) if a["name"] != b["name"]]
        if renamed:
            notes.append("%d statement name(s) differ (%s -> %s, ...)" % (len(renamed), renamed[0][0], renamed[0][1]))
        for s, t in zip(scop["statements"], target["statements"]):
            rename = re.compile(r"\b%s\[" % re.escape(s["name"]))
            s["domain"], s["schedule"] = t["domain"], rename.sub(t["name"] + "[", s["schedule"])
            s["accesses"], s["name"] = t["accesses"], t["name"]
        scop["name"] = target["name"]
        scop["arrays"] = target.get("arrays", [])
        with open(os.path.join(out_dir, match), "w") as f:
            json.dump(scop, f, indent=3, sort_keys=True)
    for e in exported:
        if e not in used:
            shutil.copy(os.path.join(exported_dir, e), os.path.join(out_dir, e))
    print("; ".join(notes) if notes else "same names")
    return 0 if used else 1


if __name__ == "__main__":
    sys.exit(main())
