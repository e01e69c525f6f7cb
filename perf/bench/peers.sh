# perf/run peers (issue 7): xdpmesh beside its peers on one machine, in one run. The same 2-node
# topology for each system (perf/bench/systems.sh: plain veth, xdpmesh, wireguard-go, a stunnel4
# TLS 1.3 mTLS proxy pair), round-robin over the systems (the order rotates each round), PEERS_ROUNDS
# rounds; medians and min..max spread. Sourced by perf/run (lib.sh loaded).
#
# Per system and round, pod A -> pod B, in this order:
#   first     cold first packet of the new pair: the first ping's RTT right after the system is up
#             (xdpmesh: the pair's TLS handshake; wg-go: its Noise handshake; plain: ARP), lost if
#             unanswered in 3 s; stunnel (TCP only): connect + first request/response through the
#             proxies (their TLS handshake)
#   ping      PEERS_PINGS pings 10 ms apart: p50/p99 (not stunnel)
#   rr        TCP request/response, 64 B, one in flight (perf TcpRr): p50/p99 after 2000 warm-up
#   tcp1/tcp4 iperf3 TCP, 1 and 4 streams, PEERS_SECS s; during tcp1 the CPU seconds per Gbit
#             received: machine-wide (/proc/stat busy time, all cores: includes iperf3 itself and,
#             on a shared machine, other work) and the system's daemons only (agents, wireguard-go,
#             stunnel: utime+stime from /proc/<pid>/stat)
#   udp64/udp1400  the project's generator (perf/bench/systems.sh xdpmesh_gen_udp): arrived pps at
#             pod B's UDP layer, Gbit/s of frames, loss % (not stunnel)
#   iperf-udp iperf3 UDP, 1372 B payload (1400 B IP packets), unlimited rate: goodput and loss
#   tcp1@9000 every link at MTU 9000 (tunnel systems: pods 8920), iperf3 TCP 1 stream
# Env: PEERS_ROUNDS (3), PEERS_SECS (4), PEERS_WINDOW (4, generator window after 2 s warm-up),
#      PEERS_PINGS (200), PEERS_SYSTEMS ("plain xdpmesh wg stunnel"), PEERS_MTUS ("1500 9000": which
#      link MTU parts to run; "9000" runs only tcp1@9000, the other metrics then print n/a and the
#      last line's 1500-based ratios are nan), PEERS_QUICK=1 (1 round, 2 s
#      tests, 50 pings: for development), XDPMESH_PERF_IDLE (the agents' --idle, default busy-spin:
#      the busy-polling dataplane's low-latency mode; with backoff an idle agent sleeps in poll(2) and
#      every hop of a round trip pays a thread wake-up, which ACK-clocked TCP and ping feel).
# Output: perf/results/<date>/peers/{peers.csv,peers.md,peers.png,peers.log}
# Last line: peers: tcp vs stunnel=<x>x vs wg-go=<x>x, pps64 vs wg-go=<x>x, firstpacket=<ms>ms lost=<n>
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "peers: needs root (network namespaces, XDP)" >&2; exit 1; }
rounds=${PEERS_ROUNDS:-3} secs=${PEERS_SECS:-4} win=${PEERS_WINDOW:-4} pings=${PEERS_PINGS:-200}
if [ "${PEERS_QUICK:-0}" = 1 ]; then rounds=1 secs=2 win=2 pings=50; fi
systems=(${PEERS_SYSTEMS:-plain xdpmesh wg stunnel})
mtus=" ${PEERS_MTUS:-1500 9000} "
out="$XDPMESH_RESULTS/peers"
raw="$out/raw-$(date +%H%M%S)"
mkdir -p "$raw"
csv="$out/peers.csv"
echo "round,system,mtu,metric,value" > "$csv"
XS_IDLE=${XDPMESH_PERF_IDLE:-busy-spin}
xdpmesh_topo_init
hz=$(getconf CLK_TCK)
echo "peers: prefix $XM_P, ${#systems[@]} systems x $rounds rounds, tests $secs s, generator window $win s," \
  "$pings pings, agents --idle $XS_IDLE; load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; raw output in $raw" >&2

rec() { echo "$round,$sys,$mtu,$1,$2" >> "$csv"; }
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# Servers in pod B for one system: iperf3 on 5201, TcpRr on 7001 (ours: killed at sys down too).
servers() {
  xdpmesh_bg "$raw/iperf3-s.log" - ip netns exec "$XS_PB" iperf3 -s -p 5201
  XS_AUX+=("$XM_BG_PID")
  xdpmesh_bg "$raw/rr-s.log" - ip netns exec "$XS_PB" java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" \
    io.xdpmesh.perf.rr.TcpRr server 0.0.0.0 7001 3600
  XS_AUX+=("$XM_BG_PID")
  xdpmesh_wait_line "$raw/rr-s.log" '^rr: listening' 30 "$XM_BG_PID"
  local i
  for (( i = 0; i < 50; i++ )); do ip netns exec "$XS_PB" ss -Hltn | grep -q ':5201 ' && return 0; sleep 0.1; done
}

rr() { # rr WARMUP N: echoes the client's result line
  local t; t=($(xdpmesh_sys_tcp 7001))
  ip netns exec "$XS_PA" java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" io.xdpmesh.perf.rr.TcpRr client "${t[0]}" "${t[1]}" 64 "$1" "$2" 2>/dev/null || true
}

iperf() { # iperf NAME ARGS...: runs the client, JSON to raw; echoes "<bits/s received> <lost %>"
  local name=$1 t; shift
  t=($(xdpmesh_sys_tcp 5201))
  ip netns exec "$XS_PA" timeout $(( secs + 20 )) iperf3 -c "${t[0]}" -p "${t[1]}" -t "$secs" -J "$@" \
    > "$raw/$name-$sys-$mtu-r$round.json" 2>&1 || true
  python3 - "$raw/$name-$sys-$mtu-r$round.json" <<'PY'
import json, sys
try:
    t = open(sys.argv[1]).read()
    j = json.loads(t[t.index("{"):])  # iperf3 may print a warning before its JSON
    e = j["end"]
    if "sum_received" in e:
        print(e["sum_received"]["bits_per_second"], 0, e["sum_received"]["bytes"])
    else:
        s = e["sum"]
        print(s["bits_per_second"] * (1 - s["lost_percent"] / 100), s["lost_percent"], s["bytes"])
except Exception as ex:
    print("nan nan 0")
PY
}

one_round_1500() {
  mtu=1500
  xdpmesh_sys_up "$sys" 1500
  servers
  local f r p
  if [ "$sys" = stunnel ]; then
    r=$(rr 0 10)
    f=$(xdpmesh_field first "$r")
    if [ -n "$f" ]; then rec first_ms "$(awk -v u="$f" 'BEGIN { printf "%.3f", u / 1000 }')"; rec first_lost 0; else rec first_lost 1; fi
  else
    f=$(ip netns exec "$XS_PA" ping -n -c 1 -W 3 "$XS_IPB" 2>/dev/null | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' || true)
    if [ -n "$f" ]; then rec first_ms "$f"; rec first_lost 0; else rec first_lost 1; fi
    p=$(xdpmesh_ping "$XS_PA" "$XS_IPB" "$pings" 0.01 "$raw/ping-$sys-r$round.txt")
    rec ping_p50_us "$(awk -v m="$(xdpmesh_pct "$raw/ping-$sys-r$round.txt" 50)" 'BEGIN { printf "%.0f", m * 1000 }')"
    rec ping_p99_us "$(awk -v m="$(xdpmesh_pct "$raw/ping-$sys-r$round.txt" 99)" 'BEGIN { printf "%.0f", m * 1000 }')"
    rec ping_lost "$p"
  fi
  echo "  first packet ${f:-lost}" >&2
  r=$(rr 2000 $(( pings * 20 )))
  echo "  rr: $r" >&2
  rec rr_p50_us "$(xdpmesh_field p50 "$r")"; rec rr_p99_us "$(xdpmesh_field p99 "$r")"
  local c0 d0 c1 d1 res
  c0=$(busy_ticks); d0=$(xdpmesh_daemon_cpu_ticks)
  res=($(iperf tcp1))
  c1=$(busy_ticks); d1=$(xdpmesh_daemon_cpu_ticks)
  local g1 g4; g1=$(awk -v b="${res[0]}" 'BEGIN { printf "%.3f", b / 1e9 }')
  rec tcp1_gbps "$g1"
  local gbit; gbit=$(awk -v by="${res[2]}" 'BEGIN { printf "%.6f", by * 8 / 1e9 }')
  rec cpu_s_per_gbit "$(awk -v c=$(( c1 - c0 )) -v g="$gbit" -v hz="$hz" 'BEGIN { if (g == 0) print "nan"; else printf "%.3f", c / hz / g }')"
  rec daemon_cpu_s_per_gbit "$(awk -v c=$(( d1 - d0 )) -v g="$gbit" -v hz="$hz" 'BEGIN { if (g == 0) print "nan"; else printf "%.3f", c / hz / g }')"
  res=($(iperf tcp4 -P 4))
  g4=$(awk -v b="${res[0]}" 'BEGIN { printf "%.3f", b / 1e9 }')
  rec tcp4_gbps "$g4"
  echo "  tcp: 1 stream $g1 Gbit/s, 4 streams $g4 Gbit/s" >&2
  if [ "$sys" != stunnel ]; then
    for size in 64 1400; do
      xdpmesh_gen_udp "$size" 2 "$win" "$raw/gen-$sys-$size-r$round.txt" || { GEN_PPS=nan GEN_GBPS=nan GEN_LOSS=nan; }
      rec "udp${size}_pps" "$GEN_PPS"; rec "udp${size}_gbps" "$GEN_GBPS"; rec "udp${size}_loss_pct" "$GEN_LOSS"
      echo "  generator $size B: $GEN_PPS pps arrived, $GEN_GBPS Gbit/s, lost $GEN_LOSS % (sent $GEN_SENT_PPS pps)" >&2
    done
    res=($(iperf udp -u -b 0 -l 1372))
    rec iperf_udp_gbps "$(awk -v b="${res[0]}" 'BEGIN { printf "%.3f", b / 1e9 }')"; rec iperf_udp_loss_pct "${res[1]}"
  fi
  xdpmesh_sys_down
}

one_round_9000() {
  mtu=9000
  if ! xdpmesh_sys_up "$sys" 9000 2>"$raw/up-$sys-9000-r$round.err"; then
    echo "  MTU 9000: $sys did not come up ($(tail -1 "$raw/up-$sys-9000-r$round.err"))" >&2
    rec tcp1_gbps nan; xdpmesh_sys_down; return 0
  fi
  servers
  ip netns exec "$XS_PA" ping -n -c 1 -W 3 "$XS_IPB" >/dev/null 2>&1 || true
  local res
  res=($(iperf tcp1))
  rec tcp1_gbps "$(awk -v b="${res[0]}" 'BEGIN { printf "%.3f", b / 1e9 }')"
  echo "  MTU 9000: tcp 1 stream $(awk -v b="${res[0]}" 'BEGIN { printf "%.3f", b / 1e9 }') Gbit/s" >&2
  xdpmesh_sys_down
}

n=${#systems[@]}
for (( round = 1; round <= rounds; round++ )); do
  for (( i = 0; i < n; i++ )); do
    [[ $mtus == *" 1500 "* ]] || break
    sys=${systems[$(( (i + round - 1) % n ))]}
    echo "== round $round: $sys (MTU 1500)" >&2
    one_round_1500
  done
  for (( i = 0; i < n; i++ )); do
    [[ $mtus == *" 9000 "* ]] || break
    sys=${systems[$(( (i + round - 1) % n ))]}
    echo "== round $round: $sys (MTU 9000)" >&2
    one_round_9000
  done
done

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, kernel $(uname -r); load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$XDPMESH_ROOT/perf/bench/peers_report.py" "$csv" "$out" "$machine" "rounds=$rounds tests=${secs}s window=${win}s pings=$pings idle=$XS_IDLE" | tee "$out/result.txt"
