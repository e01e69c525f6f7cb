#!/usr/bin/env python3
"""perf/run peers report: peers.csv (round,system,mtu,metric,value) -> peers.md (medians, min..max
spread, ratios of xdpmesh to each peer), peers.png (gnuplot) and the result line (printed last).
usage: peers_report.py CSV OUTDIR MACHINE SETTINGS"""
import collections
import csv
import math
import os
import statistics
import subprocess
import sys

path, out, machine, settings = sys.argv[1:5]
SYSTEMS = ["xdpmesh", "plain", "wg", "stunnel"]
NAMES = {"xdpmesh": "xdpmesh", "plain": "plain veth", "wg": "wireguard-go", "stunnel": "stunnel TLS 1.3 mTLS"}
SHORT = {"xdpmesh": "xdpmesh", "plain": "plain veth", "wg": "wg-go", "stunnel": "stunnel"}
# metric, mtu, label, unit, higher is better
ROWS = [
    ("tcp1_gbps", "1500", "TCP 1 stream (iperf3)", "Gbit/s", True),
    ("tcp4_gbps", "1500", "TCP 4 streams (iperf3)", "Gbit/s", True),
    ("tcp1_gbps", "9000", "TCP 1 stream, every link MTU 9000", "Gbit/s", True),
    ("udp64_pps", "1500", "UDP 64 B, generator: arrived", "pps", True),
    ("udp64_loss_pct", "1500", "UDP 64 B, generator: lost", "%", False),
    ("udp1400_gbps", "1500", "UDP 1400 B, generator: arrived", "Gbit/s", True),
    ("udp1400_loss_pct", "1500", "UDP 1400 B, generator: lost", "%", False),
    ("iperf_udp_gbps", "1500", "UDP 1400 B, iperf3 unlimited: goodput", "Gbit/s", True),
    ("iperf_udp_loss_pct", "1500", "UDP 1400 B, iperf3 unlimited: lost", "%", False),
    ("ping_p50_us", "1500", "ping p50", "µs", False),
    ("ping_p99_us", "1500", "ping p99", "µs", False),
    ("rr_p50_us", "1500", "TCP request/response 64 B p50", "µs", False),
    ("rr_p99_us", "1500", "TCP request/response 64 B p99", "µs", False),
    ("first_ms", "1500", "cold first packet (stunnel: connect + first RR)", "ms", False),
    ("first_lost", "1500", "cold first packet lost (sum over rounds)", "", False),
    ("cpu_s_per_gbit", "1500", "CPU s per Gbit, machine-wide (TCP 1 stream)", "s", False),
    ("daemon_cpu_s_per_gbit", "1500", "CPU s per Gbit, the system's daemons (TCP 1 stream)", "s", False),
]

vals = collections.defaultdict(list)
for r in csv.DictReader(open(path)):
    try:
        v = float(r["value"])
    except ValueError:
        v = float("nan")
    vals[(r["system"], r["mtu"], r["metric"])].append(v)


def finite(xs):
    return [x for x in xs if not math.isnan(x)]


def med(sys_, mtu, metric):
    xs = finite(vals.get((sys_, mtu, metric), []))
    if not xs:
        return float("nan")
    return sum(xs) if metric == "first_lost" else statistics.median(xs)


def fmt(v):
    if math.isnan(v):
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def cell(sys_, mtu, metric):
    xs = finite(vals.get((sys_, mtu, metric), []))
    if not xs:
        return "n/a"
    m = med(sys_, mtu, metric)
    if len(xs) == 1 or metric == "first_lost":
        return fmt(m)
    return f"{fmt(m)} ({fmt(min(xs))}..{fmt(max(xs))})"


def ratio(a, b):
    if math.isnan(a) or math.isnan(b) or b == 0:
        return float("nan")
    return a / b


rounds = len({r for r in (row.split(",")[0] for row in open(path).read().splitlines()[1:])})
lines = [
    "| metric | unit | " + " | ".join(NAMES[s] for s in SYSTEMS) + " | xdpmesh / plain | xdpmesh / wg-go | xdpmesh / stunnel |",
    "| --- | --- | " + " | ".join("---" for _ in SYSTEMS) + " | --- | --- | --- |",
]
for metric, mtu, label, unit, _ in ROWS:
    x = med("xdpmesh", mtu, metric)
    rs = []
    for peer in ("plain", "wg", "stunnel"):
        r = ratio(x, med(peer, mtu, metric))
        rs.append("n/a" if math.isnan(r) or metric == "first_lost" else f"{r:.2f}x")
    lines.append(f"| {label} | {unit} | " + " | ".join(cell(s, mtu, metric) for s in SYSTEMS) + " | " + " | ".join(rs) + " |")
table = "\n".join(lines)
md = f"""# perf/run peers

Medians over {rounds} round(s), min..max in brackets; ratios are xdpmesh's median over the peer's
(for latency, loss and CPU lower is better, so a ratio below 1 favours xdpmesh). n/a: not carried
(stunnel is a TCP proxy) or not measured. Settings: {settings}.
Machine: {machine}.

{table}

![peers](peers.png)
"""
open(os.path.join(out, "peers.md"), "w").write(md)
print(table, file=sys.stderr)

# The plot: three panels (TCP Gbit/s, UDP 64 B kpps, latency p50 µs), one bar per system.
dat = os.path.join(out, "peers.dat")
with open(dat, "w") as f:
    f.write("# system tcp1 tcp4 tcp9000 udp64kpps ping_p50 rr_p50\n")
    for s in SYSTEMS:
        row = [med(s, "1500", "tcp1_gbps"), med(s, "1500", "tcp4_gbps"), med(s, "9000", "tcp1_gbps"),
               med(s, "1500", "udp64_pps") / 1000, med(s, "1500", "ping_p50_us"), med(s, "1500", "rr_p50_us")]
        f.write(f'"{SHORT[s]}" ' + " ".join("NaN" if math.isnan(v) else f"{v:.4f}" for v in row) + "\n")
gp = f"""
set terminal pngcairo size 1500,520 font ",10"
set output "{os.path.join(out, 'peers.png')}"
set multiplot layout 1,3 title "xdpmesh beside its peers: 2 nodes x 1 pod in network namespaces, medians of {rounds} rounds\\n{machine}" font ",10"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
set xtics norotate scale 0
set yrange [0:*]
set datafile missing "NaN"
set title "TCP (iperf3), Gbit/s"
plot "{dat}" using 2:xtic(1) title "1 stream", "" using 3 title "4 streams", "" using 4 title "1 stream, MTU 9000"
set title "UDP 64 B from the generator, arrived kpps"
plot "{dat}" using 5:xtic(1) title "kpps" 
set title "latency p50, µs, log scale (lower is better)"
set key top left
set logscale y
set yrange [1:*]
plot "{dat}" using 6:xtic(1) title "ping", "" using 7 title "TCP request/response 64 B"
unset multiplot
"""
open(os.path.join(out, "peers.gp"), "w").write(gp)
try:
    subprocess.run(["gnuplot", os.path.join(out, "peers.gp")], check=True, capture_output=True, timeout=60)
except Exception as e:  # the table and line still stand
    print(f"peers: gnuplot failed: {e}", file=sys.stderr)


def r2(a, b):
    r = ratio(a, b)
    return "nan" if math.isnan(r) else f"{r:.2f}"


tcp = med("xdpmesh", "1500", "tcp1_gbps")
fp = med("xdpmesh", "1500", "first_ms")
lost = med("xdpmesh", "1500", "first_lost")
print(f"peers: tcp vs stunnel={r2(tcp, med('stunnel', '1500', 'tcp1_gbps'))}x vs wg-go={r2(tcp, med('wg', '1500', 'tcp1_gbps'))}x, "
      f"pps64 vs wg-go={r2(med('xdpmesh', '1500', 'udp64_pps'), med('wg', '1500', 'udp64_pps'))}x, "
      f"firstpacket={'nan' if math.isnan(fp) else f'{fp:.3f}'}ms lost={0 if math.isnan(lost) else int(lost)}")
