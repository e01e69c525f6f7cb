# perf/run tcp: one quick look at cross-node TCP through xdpmesh (development aid for the TCP
# target of issue 7; perf/run peers is the comparison). Brings up the xdpmesh system of
# perf/bench/systems.sh (pods in large-frame mode unless XDPMESH_PERF_POD_MTU says otherwise),
# runs iperf3 pod A -> pod B for TCP_SECS, and while it runs records where the CPU goes:
#   - per CPU busy share (user/system/softirq) from /proc/stat,
#   - the dataplane threads' and iperf3's CPU time (utime/stime),
#   - the dataplane counters over the run (superframes, segments, coalesced frames, TX kicks),
#   - with TCP_JFR=1, a JFR recording in both agents, summarised to $out/profile-tcp.txt,
#   - with TCP_PERF=1 and perf(1) installed, a system-wide `perf record` (kernel side) summary.
# Then ping p50 (TCP_PINGS pings 10 ms apart) with the same agents.
# Env: TCP_SECS (4), TCP_STREAMS (1), TCP_JFR (0), TCP_PERF (0), TCP_PINGS (100), TCP_MTU (1500: every
#      link; 9000 for jumbo frames),
#      XDPMESH_PERF_IDLE (the agents' --idle; default busy-spin as perf/run peers).
# Last line: tcp: gbps=<x> streams=<n> ping p50=<us>us cpu busy=<percent of all cores>%
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "tcp: needs root" >&2; exit 1; }
secs=${TCP_SECS:-4} streams=${TCP_STREAMS:-1} pings=${TCP_PINGS:-100}
XS_IDLE=${XDPMESH_PERF_IDLE:-busy-spin}
out="$XDPMESH_RESULTS/tcp/raw-$(date +%H%M%S)"
mkdir -p "$out"
xdpmesh_topo_init
echo "tcp: prefix $XM_P, $secs s, $streams stream(s), agents --idle $XS_IDLE; load $(cut -d' ' -f1-3 /proc/loadavg); raw in $out" >&2
xdpmesh_sys_up xdpmesh "${TCP_MTU:-1500}"
xdpmesh_bg "$out/iperf3-s.log" - ip netns exec "$XS_PB" iperf3 -s -p 5201
XS_AUX+=("$XM_BG_PID")
for (( i = 0; i < 50; i++ )); do ip netns exec "$XS_PB" ss -Hltn | grep -q ':5201 ' && break; sleep 0.1; done
ip netns exec "$XS_PA" ping -n -c 1 -W 3 "$XS_IPB" >/dev/null || true # the pair's handshake
# warm the JIT on the path before measuring
ip netns exec "$XS_PA" timeout 20 iperf3 -c "$XS_IPB" -t 2 >/dev/null 2>&1 || true

cpu_lines() { grep '^cpu[0-9]' /proc/stat; }
thread_ticks() { # all dataplane threads of both agents: "name utime stime"
  local k t
  for k in 1 2; do
    for t in /proc/"${XS_DAEMONS[$((k - 1))]}"/task/*; do
      case "$(cat "$t/comm" 2>/dev/null)" in xdpmesh-datapl*) echo "n$k $(sed 's/.*) //' "$t/stat" | cut -d' ' -f12,13)" ;; esac
    done
  done
}
stats() { local k; for k in 1 2; do "$XM_XDPMESH" stats --state-dir "$XS_WORK/n$k/state" > "$out/stats-n$k-$1.txt"; done; }

if [ "${TCP_JFR:-0}" = 1 ]; then
  for k in 1 2; do jcmd "${XS_DAEMONS[$((k - 1))]}" JFR.start name=tcp settings=profile filename="$out/agent-n$k.jfr" >/dev/null; done
fi
stats start
cpu_lines > "$out/cpu-start.txt"; thread_ticks > "$out/threads-start.txt"
perfpid=""
if [ "${TCP_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
  perf record -a -g -o "$out/perf.data" -- sleep "$secs" > "$out/perf-record.log" 2>&1 &
  perfpid=$!
fi
ip netns exec "$XS_PA" timeout $(( secs + 20 )) iperf3 -c "$XS_IPB" -t "$secs" -P "$streams" -J > "$out/iperf3.json" 2>&1 || true
cpu_lines > "$out/cpu-end.txt"; thread_ticks > "$out/threads-end.txt"
stats end
[ -z "$perfpid" ] || wait "$perfpid" || true
if [ "${TCP_JFR:-0}" = 1 ]; then
  for k in 1 2; do jcmd "${XS_DAEMONS[$((k - 1))]}" JFR.stop name=tcp >/dev/null; done
fi
gbps=$(python3 -c '
import json, sys
t = open(sys.argv[1]).read(); j = json.loads(t[t.index("{"):])
print("%.3f" % (j["end"]["sum_received"]["bits_per_second"] / 1e9))' "$out/iperf3.json" 2>/dev/null || echo nan)

busy=$(python3 - "$out" "$secs" <<'PY'
import sys
out, secs = sys.argv[1], float(sys.argv[2])
def load(p):
    return {l.split()[0]: [int(x) for x in l.split()[1:]] for l in open(p)}
a, b = load(f"{out}/cpu-start.txt"), load(f"{out}/cpu-end.txt")
tot_busy = tot = 0
for c in sorted(a):
    d = [y - x for x, y in zip(a[c], b[c])]
    t = sum(d[:8]) or 1
    user, nice, sys_, idle, iow, irq, soft, steal = d[:8]
    tot_busy += t - idle - iow; tot += t
    print(f"  {c}: user {100*(user+nice)/t:.0f}% system {100*sys_/t:.0f}% softirq {100*soft/t:.0f}% idle {100*(idle+iow)/t:.0f}% steal {100*steal/t:.0f}%", file=sys.stderr)
def th(p):
    r = {}
    for l in open(p):
        f = l.split(); r.setdefault(f[0], [0, 0]); r[f[0]][0] += int(f[1]); r[f[0]][1] += int(f[2])
    return r
ta, tb = th(f"{out}/threads-start.txt"), th(f"{out}/threads-end.txt")
for n in sorted(tb):
    u = tb[n][0] - ta.get(n, [0, 0])[0]; s = tb[n][1] - ta.get(n, [0, 0])[1]
    print(f"  dataplane {n}: user {u} ticks, system {s} ticks over ~{secs:.0f} s (100 ticks = 1 core-second)", file=sys.stderr)
print(f"{100*tot_busy/tot:.0f}")
PY
)
c() { awk -v n="$1" '$1 == n { print $2 }' "$2"; }
# counter $1 of node $k over the window
d() { echo $(( $(c "$1" "$out/stats-n$k-end.txt" || echo 0) - $(c "$1" "$out/stats-n$k-start.txt" || echo 0) )); }
for k in 1 2; do
  line=""
  for n in stat.sealed stat.opened stat.superframes_segmented stat.segments_sent stat.coalesced_frames stat.coalesced_segments; do
    v=$(d "$n")
    [ "$v" = 0 ] || line="$line ${n#stat.}=$v"
  done
  grep '^drop\.' "$out/stats-n$k-end.txt" | awk '$2 != 0' | tr '\n' ' ' | sed 's/^/  drops: /' >&2 || true
  # No profiler needed: the agent publishes its dataplane threads' allocated bytes and the GC count
  # (refreshed every 500 ms, so the window edges may lag the packet counters by that much).
  pk=$(( $(d stat.sealed) + $(d stat.opened) ))
  line="$line alloc=$(awk -v a="$(d jvm.dataplane_allocated_bytes)" -v p="$pk" 'BEGIN { printf "%.3f", p ? a / p : 0 }')B/pkt gcs=$(d jvm.gc_collections)"
  echo "  n$k:$line" >&2
done
if [ "${TCP_JFR:-0}" = 1 ]; then
  for k in 1 2; do
    jfr print --stack-depth 64 --json --events jdk.ThreadAllocationStatistics,jdk.GarbageCollection,jdk.ExecutionSample,jdk.NativeMethodSample \
      "$out/agent-n$k.jfr" > "$out/agent-n$k.json"
    cp "$out/stats-n$k-start.txt" "$out/stats-n$k-64-start.txt"; cp "$out/stats-n$k-end.txt" "$out/stats-n$k-64-end.txt"
  done
  python3 "$XDPMESH_ROOT/perf/bench/jfr_report.py" "$out" > "$out/profile-tcp.txt" 2>&1 || true
  sed 's/^/  /' "$out/profile-tcp.txt" >&2
fi
if [ -n "$perfpid" ]; then
  for k in 1 2; do jcmd "${XS_DAEMONS[$((k - 1))]}" Compiler.perfmap >/dev/null 2>&1 || true; done # JIT symbols
  perf report -i "$out/perf.data" --no-children --sort comm,sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' \
    | grep -E '^ +[0-9]' | head -60 > "$out/perf-top.txt" || true
  sed 's/^/  perf: /' "$out/perf-top.txt" >&2
fi
p=$(xdpmesh_ping "$XS_PA" "$XS_IPB" "$pings" 0.01 "$out/ping.txt")
p50=$(awk -v v="$(xdpmesh_pct "$out/ping.txt" 50)" 'BEGIN { printf "%.0f", v * 1000 }')
p99=$(awk -v v="$(xdpmesh_pct "$out/ping.txt" 99)" 'BEGIN { printf "%.0f", v * 1000 }')
echo "  ping p50 ${p50} us p99 ${p99} us lost $p/$pings" >&2
xdpmesh_sys_down
echo "tcp: gbps=$gbps streams=$streams ping p50=${p50}us cpu busy=${busy}%"
