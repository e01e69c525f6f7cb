#!/usr/bin/env python3
"""Reads the two agents' JFR recordings of perf/run forward (agent-n1.json, agent-n2.json, from
`jfr print --json`) and the dataplane counters at the window's edges (stats-n<k>-64-start/end.txt):
prints the dataplane threads' allocation per packet, the GC count and where their time goes.

Last two lines: gc=<GCs in both agents during the window>, alloc_per_pkt=<bytes per packet, the
worse of the two dataplane threads>."""
import collections
import json
import sys

out = sys.argv[1]
PKTS = {1: "stat.sealed", 2: "stat.opened"}


def counter(path, name):
    for line in open(path):
        f = line.split()
        if len(f) >= 2 and f[0] == name:
            return int(f[1])
    return 0


def frame_name(fr):
    m = fr.get("method", {})
    t = m.get("type", {}).get("name", "?")
    return f"{t.rsplit('.', 1)[-1]}.{m.get('name', '?')}"


worst = 0.0
gcs = 0
for k in (1, 2):
    ev = json.load(open(f"{out}/agent-n{k}.json"))["recording"]["events"]
    thread = f"xdpmesh-dataplane-n{k}"
    allocs = [e["values"]["allocated"] for e in ev if e["type"] == "jdk.ThreadAllocationStatistics"
              and (e["values"].get("thread") or {}).get("javaName") == thread]
    gc = sum(1 for e in ev if e["type"] == "jdk.GarbageCollection")
    gcs += gc
    pkts = counter(f"{out}/stats-n{k}-64-end.txt", PKTS[k]) - counter(f"{out}/stats-n{k}-64-start.txt", PKTS[k])
    if len(allocs) < 2:
        print(f"n{k}: no two allocation statistics for {thread} (found {len(allocs)})")
        per = float("nan")
        worst = float("nan")
    else:
        b = max(allocs) - min(allocs)
        per = b / pkts if pkts > 0 else float("nan")
        worst = max(worst, per) if worst == worst else worst
        print(f"n{k}: {thread} allocated {b} B over {pkts} packets ({PKTS[k]}) = {per:.4f} B/pkt; GCs {gc}")
    samples = [e["values"] for e in ev if e["type"] in ("jdk.ExecutionSample", "jdk.NativeMethodSample")
               and (e["values"].get("sampledThread") or {}).get("javaName") == thread]
    native = sum(1 for e in ev if e["type"] == "jdk.NativeMethodSample"
                 and (e["values"].get("sampledThread") or {}).get("javaName") == thread)
    if not samples:
        print(f"n{k}: no samples of {thread}")
        continue
    top = collections.Counter()
    incl = collections.Counter()
    for s in samples:
        frames = (s.get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        top[frame_name(frames[0])] += 1
        for name in {frame_name(f) for f in frames}:
            incl[name] += 1
    n = len(samples)
    print(f"n{k}: {n} samples of {thread} ({native} in native code, e.g. the sendto kick)")
    print("  top frames (self):  " + "; ".join(f"{name} {100 * c / n:.0f}%" for name, c in top.most_common(12)))
    print("  inclusive:          " + "; ".join(f"{name} {100 * c / n:.0f}%" for name, c in incl.most_common(16)))
    sampled = collections.Counter()
    for e in ev:
        if e["type"] == "jdk.ObjectAllocationSample" and (e["values"].get("eventThread") or {}).get("javaName") == thread:
            fr = (e["values"].get("stackTrace") or {}).get("frames") or []
            sampled[" < ".join(frame_name(f) for f in fr[:3])] += e["values"].get("weight", 0)
    if sampled:
        print("  allocation samples on the dataplane thread (weight B): " +
              "; ".join(f"{name} {w}" for name, w in sampled.most_common(5)))
print(f"gc={gcs}")
print("alloc_per_pkt=" + ("nan" if worst != worst else "0" if worst == 0 else f"{worst:.3g}"))
