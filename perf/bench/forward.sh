# perf/run forward: one pod to one pod across two nodes (issue 5). The same 2-node topology for each
# system (perf/bench/systems.sh): xdpmesh (two agents, verdict encrypt), plain veth with kernel
# routing, and wireguard-go between the nodes. Sourced by perf/run (lib.sh loaded).
#
#   UDP:  the project's generator (AF_XDP TX-only in pod A's namespace, core 0, flat out, 16 flows)
#         at 64 B and 1400 B frames; counted where it arrives: pod B's UDP layer (Udp InDatagrams +
#         NoPorts in pod B's namespace) over a window after a warm-up; loss = sent (the generator's
#         own count) minus arrived, over the whole run.
#   ping: p50/p99 of FORWARD_PINGS pings (10 ms apart) pod A -> pod B, xdpmesh and plain; the
#         first ping of xdpmesh (a cold pair: TLS handshake) is sent before and not counted.
#   GC/allocation: the 64 B xdpmesh window lasts FORWARD_LOAD s (60) with a JFR recording (settings
#         "profile") in both agents: GC count = jdk.GarbageCollection events in the window, bytes the
#         dataplane threads (xdpmesh-dataplane-n1/n2) allocated = the change of their
#         jdk.ThreadAllocationStatistics between the recording's first and last chunk event, per
#         packet the dataplane handled (stat.sealed on n1, stat.opened on n2, from its counters
#         file). The same recording gives the profile (execution and native-method samples of the
#         dataplane threads), printed below the figures.
# Env: FORWARD_WARM (4 s), FORWARD_WINDOW (10 s), FORWARD_LOAD (60 s), FORWARD_PINGS (500),
#      XDPMESH_PERF_IDLE (the agents' --idle for the UDP loads: backoff (default) | yield | busy-spin),
#      FORWARD_PING_IDLE (the agents' --idle for the ping latency: busy-spin (default), the setting
#      for lowest latency when cores are spare; backoff sleeps in poll(2): a wake-up per hop),
#      FORWARD_SYSTEMS ("plain wg xdpmesh").
# Last line: forward: pps64 vs wg-go=<x>x, gbps1400 vs plain=<x>x, p50 added=<us>us, gc=<n>, alloc=<B>/pkt
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "forward: needs root (network namespaces, XDP)" >&2; exit 1; }
warm=${FORWARD_WARM:-4}
win=${FORWARD_WINDOW:-10}
load=${FORWARD_LOAD:-60}
pings=${FORWARD_PINGS:-500}
systems=${FORWARD_SYSTEMS:-plain wg xdpmesh}
ping_idle=${FORWARD_PING_IDLE:-busy-spin}
out="$XDPMESH_RESULTS/forward-$(date +%H%M%S)"
mkdir -p "$out"
xdpmesh_topo_init
echo "forward: prefix $XM_P, warm-up $warm s, window $win s (xdpmesh 64 B: $load s with JFR), $pings pings," \
  "agents --idle $XS_IDLE; load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; raw output in $out" >&2

declare -A pps gbps loss sent p50 p99 plost first
# At the edges of every xdpmesh window: both agents' dataplane counters (per-hop counts: where the
# loss is), and for the 64 B window a JFR recording in both agents.
fwd_edge() { # fwd_edge start|end SIZE
  local k
  for k in 1 2; do
    if [ "$1" = start ] && [ "$2" = 64 ]; then
      jcmd "${XS_DAEMONS[$((k - 1))]}" JFR.start name=forward settings=profile filename="$out/agent-n$k.jfr" >/dev/null
    fi
    "$XM_XDPMESH" stats --state-dir "$XS_WORK/n$k/state" > "$out/stats-n$k-$2-$1.txt"
    if [ "$1" = end ] && [ "$2" = 64 ]; then
      jcmd "${XS_DAEMONS[$((k - 1))]}" JFR.stop name=forward >/dev/null
    fi
  done
}
# Per-hop packets of an xdpmesh window: fwd_hops SIZE
fwd_hops() {
  local d="$out" s=$1
  c() { awk -v n="$1" '$1 == n { print $2 }' "$2"; }
  delta() { echo $(( $(c "$1" "$d/stats-n$2-$s-end.txt") - $(c "$1" "$d/stats-n$2-$s-start.txt") )); }
  echo "  $s B window, packets per hop: n1 from pod A $(delta "if.${XM_P}l1x1.rx_frames" 1), n1 sealed $(delta stat.sealed 1)," \
    "n2 from uplink $(delta "if.${XM_P}u2.rx_frames" 2), n2 opened $(delta stat.opened 2), n2 to pod B $(delta "if.${XM_P}l2x1.tx_frames" 2)" >&2
}

for sys in $systems; do
  echo "== $sys" >&2
  if [ "$sys" = xdpmesh ] && [ "$ping_idle" != "$XS_IDLE" ]; then
    # Latency with the agents' lowest-latency idle strategy, then throughput with the configured one.
    XS_IDLE=$ping_idle xdpmesh_sys_up xdpmesh
    first[$sys]=$(ip netns exec "$XS_PA" ping -n -c 1 -W 3 "$XS_IPB" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
    p=$(xdpmesh_ping "$XS_PA" "$XS_IPB" "$pings" 0.01 "$out/ping-$sys.txt")
    p50[$sys]=$(xdpmesh_pct "$out/ping-$sys.txt" 50) p99[$sys]=$(xdpmesh_pct "$out/ping-$sys.txt" 99) plost[$sys]=$p
    echo "  agents --idle $ping_idle: first ping ${first[$sys]:-lost} ms; ping p50 ${p50[$sys]} ms p99 ${p99[$sys]} ms lost $p/$pings" >&2
    xdpmesh_sys_down
    echo "  agents --idle $XS_IDLE for the UDP loads" >&2
  fi
  xdpmesh_sys_up "$sys"
  # The first ping: for xdpmesh it waits for the pair's handshake; for wg-go, for the Noise handshake.
  f=$(ip netns exec "$XS_PA" ping -n -c 1 -W 3 "$XS_IPB" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
  echo "  first ping ${f:-lost} ms" >&2
  [ -n "${first[$sys]:-}" ] || first[$sys]=$f
  if [ "$sys" != wg ] && [ -z "${p50[$sys]:-}" ]; then
    p=$(xdpmesh_ping "$XS_PA" "$XS_IPB" "$pings" 0.01 "$out/ping-$sys.txt")
    p50[$sys]=$(xdpmesh_pct "$out/ping-$sys.txt" 50) p99[$sys]=$(xdpmesh_pct "$out/ping-$sys.txt" 99) plost[$sys]=$p
    echo "  ping p50 ${p50[$sys]} ms p99 ${p99[$sys]} ms lost $p/$pings" >&2
  fi
  for size in 64 1400; do
    if [ "$sys" = xdpmesh ]; then
      w=$win; [ "$size" = 64 ] && w=$load
      xdpmesh_gen_udp "$size" "$warm" "$w" "$out/gen-$sys-$size.txt" "fwd_edge start $size" "fwd_edge end $size"
    else
      xdpmesh_gen_udp "$size" "$warm" "$win" "$out/gen-$sys-$size.txt"
    fi
    pps[$sys,$size]=$GEN_PPS gbps[$sys,$size]=$GEN_GBPS loss[$sys,$size]=$GEN_LOSS sent[$sys,$size]=$GEN_SENT_PPS
    echo "  $size B: arrived $GEN_PPS pps ($GEN_GBPS Gbit/s of frames), generator sent $GEN_SENT_PPS pps, lost $GEN_LOSS %" >&2
    [ "$sys" = xdpmesh ] && fwd_hops "$size"
  done
  if [ "$sys" = xdpmesh ]; then
    for k in 1 2; do
      "$XM_XDPMESH" stats --state-dir "$XS_WORK/n$k/state" --nonzero 2>/dev/null | grep -E "drop\.|handshake\." \
        | sed "s/^/  n$k /" >&2 || true
    done
  fi
  xdpmesh_sys_down
done

# --- allocation, GC and the profile, from the two agents' recordings -----------------------------
alloc="nan" gc="nan"
if [ -f "$out/agent-n1.jfr" ] && [ -f "$out/agent-n2.jfr" ]; then
  for k in 1 2; do
    jfr print --stack-depth 64 --json --events jdk.ThreadAllocationStatistics,jdk.GarbageCollection,jdk.ExecutionSample,jdk.NativeMethodSample,jdk.ObjectAllocationSample \
      "$out/agent-n$k.jfr" > "$out/agent-n$k.json"
  done
  python3 "$XDPMESH_ROOT/perf/bench/jfr_report.py" "$out" > "$out/profile.txt"
  cat "$out/profile.txt" >&2
  alloc=$(sed -n 's/^alloc_per_pkt=//p' "$out/profile.txt")
  gc=$(sed -n 's/^gc=//p' "$out/profile.txt")
fi

r_pps=$(xdpmesh_ratio "${pps[xdpmesh,64]:-0}" "${pps[wg,64]:-0}")
r_gbps=$(xdpmesh_ratio "${gbps[xdpmesh,1400]:-0}" "${gbps[plain,1400]:-0}")
added=$(awk -v a="${p50[xdpmesh]:-nan}" -v b="${p50[plain]:-nan}" 'BEGIN { if (a == "nan" || b == "nan") print "nan"; else printf "%.0f", (a - b) * 1000 }')
{
  echo "xdpmesh agents: --idle $ping_idle for ping, --idle $XS_IDLE for the UDP loads; pps counted at pod B's UDP layer"
  echo
  echo "| system | 64 B arrived pps | 64 B sent pps | 64 B lost | 1400 B arrived Gbit/s | 1400 B sent pps | 1400 B lost | ping p50 | ping p99 | first ping |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for sys in $systems; do
    echo "| $sys | ${pps[$sys,64]} | ${sent[$sys,64]} | ${loss[$sys,64]} % | ${gbps[$sys,1400]} | ${sent[$sys,1400]} | ${loss[$sys,1400]} % | ${p50[$sys]:-n/a} ms | ${p99[$sys]:-n/a} ms | ${first[$sys]:-lost} ms |"
  done
} | tee "$out/table.md" >&2
echo "forward: pps64 vs wg-go=${r_pps}x, gbps1400 vs plain=${r_gbps}x, p50 added=${added}us, gc=${gc}, alloc=${alloc}/pkt" | tee "$out/result.txt"
