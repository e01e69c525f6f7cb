#!/usr/bin/env python3
"""Summarises a JFR recording's execution samples (`jfr print --json --events jdk.ExecutionSample`)
per thread: samples per thread, then for each busy thread its top frames (self) and the
top frames of ours (io.xdpmesh) that the samples passed through. Usage: jfr_threads.py FILE.json [TOP]
FILE.json from `jfr print --stack-depth 64 --json`: at the default depth (5 frames) the
inclusive counts see only the leaves, and rarely a frame of ours."""
import collections
import json
import sys


def name(fr):
    m = fr.get("method", {})
    t = m.get("type", {}).get("name", "?")
    return f"{t.rsplit('.', 1)[-1]}.{m.get('name', '?')}"


events = json.load(open(sys.argv[1]))["recording"]["events"]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
by_thread = collections.defaultdict(list)
for e in events:
    v = e["values"]
    th = (v.get("sampledThread") or {}).get("javaName") or "?"
    frames = (v.get("stackTrace") or {}).get("frames") or []
    by_thread[th].append(frames)
total = sum(len(s) for s in by_thread.values())
print(f"{total} samples")
for th, samples in sorted(by_thread.items(), key=lambda kv: -len(kv[1])):
    print(f"\n== {th}: {len(samples)} samples")
    if len(samples) < 10:
        continue
    selfc = collections.Counter(name(s[0]) for s in samples if s)
    ours = collections.Counter()
    incl = collections.Counter()
    for s in samples:
        seen = set()
        for fr in s:
            n = name(fr)
            if n in seen:
                continue
            seen.add(n)
            incl[n] += 1
            if "xdpmesh" in fr.get("method", {}).get("type", {}).get("name", ""):
                ours[n] += 1
    for title, counts, k in (("self", selfc, top), ("inclusive", incl, top * 2), ("inclusive, ours", ours, top)):
        print(f"  {title}:")
        for n, c in counts.most_common(k):
            print(f"    {100 * c / len(samples):5.1f}%  {n}")
