# perf/run firstpacket: the round trip of the FIRST packet of N fresh identity pairs through two
# xdpmesh agents (scripts/xdpmesh agent in two node namespaces from scripts/topology): each pair
# is cold, so its first ping waits for the pair's whole TLS 1.3 mTLS handshake (path validation,
# index exchange, exporter on both sides, session install) and then crosses encrypted. In the same
# run: wireguard-go's cold first ping (a peer re-added on both sides before every ping, so each
# ping starts a Noise handshake) and a bare JDK TLS 1.3 mTLS handshake between two JVMs.
# Sourced by perf/run (lib.sh loaded). Env: FIRSTPACKET_N (pairs, default 100, at most 200),
# FIRSTPACKET_WG (wireguard-go rounds, default 20), FIRSTPACKET_TLS (JDK handshakes, default 200),
# FIRSTPACKET_IDLE (the agents' --idle: backoff (default) or busy-spin), FIRSTPACKET_JFR=1 (a JFR
# recording in both agents over the cold pings only, 1 ms samples, summarised per thread to
# $out/profile-n<k>.txt). The agents log each pair's
# request-to-install time at FINE when XDPMESH_JAVA_OPTS points java.util.logging at a config.
# Last line: firstpacket: p50=<ms>ms p99=<ms>ms lost=<n>/<N> wg-go p50=<ms>ms jdk-tls p50=<ms>ms
set -euo pipefail
N=${FIRSTPACKET_N:-100}
WGN=${FIRSTPACKET_WG:-20}
TLSN=${FIRSTPACKET_TLS:-200}
[ "$N" -ge 1 ] && [ "$N" -le 200 ] || { echo "firstpacket: FIRSTPACKET_N must be 1-200" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "firstpacket: needs root (network namespaces, XDP)" >&2; exit 1; }
out="$XDPMESH_RESULTS/firstpacket"
mkdir -p "$out"
# The shared harness (perf/bench/topology.sh): private prefix, one exit trap for our pids,
# namespaces and the hooks below.
xdpmesh_topo_init
P=$XM_P
NET=$XM_HI
TD=$P.test
work="$XM_TMP/firstpacket"
mkdir -p "$work"
bpffs=$work/bpffs
xm="$XDPMESH_ROOT/scripts/xdpmesh"
java_run() { java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" "$@" 2> >(grep -v 'incubator modules' >&2); }
pids=()

fp_cleanup() {
  set +e
  trap '' PIPE
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$p" 2>/dev/null; done
  cp "$work"/agent-n*.log "$out/" 2>/dev/null
  for k in 1 2; do
    ip netns exec "${P}n$k" "$xm" agent --cleanup --node "n$k" --bpffs "$bpffs" --state-dir "$work/n$k/state" >/dev/null 2>&1
  done
  "$XDPMESH_ROOT/scripts/topology" down --prefix "$P" >/dev/null 2>&1
  mountpoint -q "$bpffs" 2>/dev/null && umount "$bpffs"
}
xdpmesh_on_exit fp_cleanup

# --- xdpmesh: 2 nodes x 1 pod, N extra addresses per pod, each its own workload identity ----------
echo "== xdpmesh: topology $P, $N fresh identity pairs" >&2
"$XDPMESH_ROOT/scripts/topology" up --prefix "$P" --nodes 2 --pods 1 --net "$NET" --verdict encrypt \
  --cluster-file "$work/base.yaml" >/dev/null
mac() { sed -n "/sa\/n$1p1\$/,/mac:/s/.*mac: \"\(.*\)\"/\1/p" "$work/base.yaml"; }
mac1=$(mac 1) mac2=$(mac 2)
specs=("$work/n1/svids/node=node:n1" "$work/n2/svids/node=node:n2"
       "$work/n1/svids/n1p1=spiffe://$TD/ns/default/sa/n1p1" "$work/n2/svids/n2p1=spiffe://$TD/ns/default/sa/n2p1")
: > "$work/batch1"; : > "$work/batch2"; : > "$work/nodes1"; : > "$work/nodes2"; : > "$work/workloads"
for i in $(seq 1 "$N"); do
  a="10.$NET.1.$((50 + i))" b="10.$NET.2.$((50 + i))"
  echo "addr add $a/32 dev eth0" >> "$work/batch1"; echo "route add $a/32 dev ${P}l1x1" >> "$work/nodes1"
  echo "addr add $b/32 dev eth0" >> "$work/batch2"; echo "route add $b/32 dev ${P}l2x1" >> "$work/nodes2"
  printf '  - id: spiffe://%s/ns/fp/sa/a%d\n    node: n1\n    ips: ["%s"]\n    interface: %sl1x1\n    mac: "%s"\n' \
    "$TD" "$i" "$a" "$P" "$mac1" >> "$work/workloads"
  printf '  - id: spiffe://%s/ns/fp/sa/b%d\n    node: n2\n    ips: ["%s"]\n    interface: %sl2x1\n    mac: "%s"\n' \
    "$TD" "$i" "$b" "$P" "$mac2" >> "$work/workloads"
  specs+=("$work/n1/svids/a$i=spiffe://$TD/ns/fp/sa/a$i" "$work/n2/svids/b$i=spiffe://$TD/ns/fp/sa/b$i")
done
ip -n "${P}n1p1" -batch "$work/batch1"; ip -n "${P}n1" -batch "$work/nodes1"
ip -n "${P}n2p1" -batch "$work/batch2"; ip -n "${P}n2" -batch "$work/nodes2"
sed "/^workloads:/r $work/workloads" "$work/base.yaml" > "$work/cluster.yaml"
java_run io.xdpmesh.perf.firstpacket.IssueSvids "$work/ca" "$TD" "${specs[@]}" >&2
mkdir -p "$bpffs"
mount -t bpf bpf "$bpffs"
# One agent after the other: each warms its JIT (TLS handshakes, the cipher) with the machine to
# itself, as an agent on its own node would, rather than two warm-ups sharing two cores.
for k in 1 2; do
  ip netns exec "${P}n$k" "$xm" agent --config "$work/cluster.yaml" --node "n$k" --state-dir "$work/n$k/state" \
    --identity-dir "$work/n$k/svids" --bpffs "$bpffs" --idle "${FIRSTPACKET_IDLE:-backoff}" > "$work/agent-n$k.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 600); do
    grep -q '"state": "running"' "$work/n$k/state/status.json" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '"state": "running"' "$work/n$k/state/status.json" 2>/dev/null || { cat "$work/agent-n$k.log" >&2; echo "firstpacket: agent n$k did not start" >&2; exit 1; }
done
grep -h "warm-up\|crypto" "$work"/agent-n*.log | sed 's/^/  /' | cut -c1-200 >&2
: > "$out/xdpmesh.txt"; : > "$out/warm.txt"
agent_pids=()
for k in 1 2; do agent_pids+=("$(pgrep -f "io.xdpmesh.control.cli.Main agent --config $work/cluster.yaml --node n$k " | head -1)"); done
jfr=${FIRSTPACKET_JFR:-0}
if [ "$jfr" = 1 ]; then
  for k in 0 1; do
    jcmd "${agent_pids[$k]}" JFR.start name=fp settings=profile jdk.ExecutionSample#period=1ms jdk.Compilation#threshold=0ms \
      filename="$out/agent-n$((k + 1)).jfr" >/dev/null
  done
fi
# utime + stime of a /proc stat file; fields counted after the ")" closing comm, which may hold
# spaces ("C2 CompilerThre"), so plain $14 + $15 would misread such threads
stat_ticks() { sed 's/.*) //' "$1" | awk '{ print $12 + $13 }'; }
cpu_ticks() { stat_ticks "/proc/$1/stat"; }
cpu0=(); for p in "${agent_pids[@]}"; do cpu0+=("$(cpu_ticks "$p")"); done
thread_ticks() { for t in /proc/$1/task/*; do echo "$(basename "$t") $(tr -d ' ' < "$t/comm") $(stat_ticks "$t/stat")"; done; }
for k in 0 1; do thread_ticks "${agent_pids[$k]}" > "$work/threads0-$k"; done
loop_t0=$(date +%s%N)
lost=0
for i in $(seq 1 "$N"); do
  r=$(ip netns exec "${P}n1p1" ping -n -c 1 -W 3 -I "10.$NET.1.$((50 + i))" "10.$NET.2.$((50 + i))" 2>&1 || true)
  t=$(echo "$r" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
  if [ -z "$t" ]; then lost=$((lost + 1)); else echo "$t" >> "$out/xdpmesh.txt"; fi
  # the same pair again, now warm: what the data path alone costs (reported, not in the result line)
  r=$(ip netns exec "${P}n1p1" ping -n -c 1 -W 1 -I "10.$NET.1.$((50 + i))" "10.$NET.2.$((50 + i))" 2>&1 || true)
  echo "$r" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' >> "$out/warm.txt"
done
hz=$(getconf CLK_TCK)
echo "  ping loop: $(( ($(date +%s%N) - loop_t0) / 1000000 )) ms" >&2
for k in 0 1; do
  thread_ticks "${agent_pids[$k]}" > "$work/threads1-$k"
  echo "  agent n$((k + 1)) busiest threads (ms): $(join "$work/threads0-$k" "$work/threads1-$k" | awk -v hz="$hz" '{ printf "%d %s\n", ($5 - $3) * 1000 / hz, $2 }' | sort -rn | head -6 | tr '\n' ' ')" >&2
done
for k in 0 1; do
  echo "  agent n$((k + 1)) CPU over the $N cold + $N warm pings: $(( ($(cpu_ticks "${agent_pids[$k]}") - cpu0[k]) * 1000 / hz )) ms" >&2
done
for k in 0 1; do
  [ "$jfr" = 1 ] || break
  jcmd "${agent_pids[$k]}" JFR.stop name=fp >/dev/null
  # jfr print keeps 5 frames unless told: the inclusive counts need whole stacks
  jfr print --stack-depth 64 --json --events jdk.ExecutionSample "$out/agent-n$((k + 1)).jfr" > "$out/agent-n$((k + 1)).json"
  python3 "$XDPMESH_ROOT/perf/bench/jfr_threads.py" "$out/agent-n$((k + 1)).json" > "$out/profile-n$((k + 1)).txt"
  echo "  JFR profile of the cold pings, n$((k + 1)): $out/profile-n$((k + 1)).txt" >&2
done
pct() { sort -n "$1" | awk -v p="$2" '{v[NR]=$1} END { if (NR == 0) { print "nan"; exit } i = int(NR * p / 100 + 0.5); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.3f", v[i] }'; }
xp50=$(pct "$out/xdpmesh.txt" 50) xp99=$(pct "$out/xdpmesh.txt" 99)
"$xm" stats --state-dir "$work/n1/state" --nonzero 2>/dev/null | grep -E "handshake\.|drop\." | sed 's/^/  n1 /' >&2 || true
echo "  xdpmesh first-packet RTT over $N cold pairs: p50=${xp50} ms p99=${xp99} ms lost=$lost" >&2
grep -h "installed .* us after the request" "$work/agent-n1.log" | tee "$out/request-log.txt" | sed 's/.* installed \([0-9]*\) us.*/\1/' > "$out/request-to-install-us.txt" || true
[ -s "$out/request-to-install-us.txt" ] && echo "  agent n1, request to session installed: p50=$(pct "$out/request-to-install-us.txt" 50) us" >&2
echo "  same pairs warm (second ping): p50=$(pct "$out/warm.txt" 50) ms" >&2
sleep 1.5 # the agents log their traces once a second
# per-stage p50 (us) of the agents' FINE traces: initiator on n1, responder on n2
for role in initiator:n1 responder:n2; do
  grep -h "trace ${role%%:*} " "$work/agent-${role##*:}.log" > "$out/trace-${role%%:*}.txt" 2>/dev/null || true
  [ -s "$out/trace-${role%%:*}.txt" ] || continue
  line="  ${role%%:*} (${role##*:}) stage p50 us:"
  for st in $(sed 's/.*: //' "$out/trace-${role%%:*}.txt" | head -1 | tr ' ' '\n' | sed -n 's/=.*//p' | tail -n +2); do
    sed -n "s/.* $st=+\{0,1\}\(-\{0,1\}[0-9]*\).*/\1/p" "$out/trace-${role%%:*}.txt" | grep -v '^-' > "$out/stage.tmp" || true
    [ -s "$out/stage.tmp" ] && line="$line $st=$(pct "$out/stage.tmp" 50)"
  done
  echo "$line" >&2
done
rm -f "$out/stage.tmp"
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done

# --- wireguard-go: cold first ping, peer re-added on both sides before each ---------------------
echo "== wireguard-go: $WGN cold first pings" >&2
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
xdpmesh_ns w1 >/dev/null; xdpmesh_ns w2 >/dev/null
xdpmesh_veth "${P}w1" "${P}wa" "${P}w2" "${P}wb"
ip -n "${P}w1" addr add "10.$NET.250.1/24" dev "${P}wa"
ip -n "${P}w2" addr add "10.$NET.250.2/24" dev "${P}wb"
for k in 1 2; do
  (umask 077; wg genkey > "$work/wg$k.key"); wg pubkey < "$work/wg$k.key" > "$work/wg$k.pub"
  xdpmesh_bg "$work/wg$k.log" - ip netns exec "${P}w$k" wireguard-go -f "${P}g$k"
done
for k in 1 2; do
  for _ in $(seq 50); do ip -n "${P}w$k" link show "${P}g$k" >/dev/null 2>&1 && break; sleep 0.1; done
  ip netns exec "${P}w$k" wg set "${P}g$k" listen-port 51820 private-key "$work/wg$k.key"
  ip -n "${P}w$k" addr add "10.$NET.251.$k/24" dev "${P}g$k"
  ip -n "${P}w$k" link set "${P}g$k" up
done
peer() { # node k: (re)add the other side as a fresh peer
  local k=$1 o=$((3 - $1))
  ip netns exec "${P}w$k" wg set "${P}g$k" peer "$(cat "$work/wg$o.pub")" remove 2>/dev/null || true
  ip netns exec "${P}w$k" wg set "${P}g$k" peer "$(cat "$work/wg$o.pub")" endpoint "10.$NET.250.$o:51820" \
    allowed-ips "10.$NET.251.$o/32"
}
: > "$out/wg.txt"
for _ in $(seq 1 "$WGN"); do
  peer 1; peer 2
  r=$(ip netns exec "${P}w1" ping -n -c 1 -W 3 "10.$NET.251.2" 2>&1 || true)
  t=$(echo "$r" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
  [ -n "$t" ] && echo "$t" >> "$out/wg.txt"
done
wgp50=$(xdpmesh_fmt "$(xdpmesh_pct "$out/wg.txt" 50)" 3)
echo "  wireguard-go cold first ping: p50=${wgp50} ms ($(wc -l < "$out/wg.txt")/$WGN answered)" >&2

# --- a bare JDK TLS 1.3 mTLS handshake between two JVMs (loopback) -------------------------------
echo "== JDK TLS 1.3 mTLS between two JVMs: $TLSN handshakes after 200 warm-up" >&2
port=$((20000 + RANDOM % 20000))
xdpmesh_bg "$work/tls-server.log" - java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" -Dxdpmesh.accp=false \
  io.xdpmesh.perf.tls.JdkTlsPing server "$work/n2/svids/n2p1" "$work/ca/bundle.pem" 127.0.0.1 "$port"
for _ in $(seq 100); do grep -q listening "$work/tls-server.log" 2>/dev/null && break; sleep 0.1; done
tls=$(java_run io.xdpmesh.perf.tls.JdkTlsPing client "$work/n1/svids/n1p1" "$work/ca/bundle.pem" 127.0.0.1 "$port" 200 "$TLSN")
echo "  $tls" >&2
tlsp50=$(echo "$tls" | sed -n 's/.*p50=\([0-9.]*\)ms.*/\1/p')
echo "firstpacket: p50=${xp50}ms p99=${xp99}ms lost=${lost}/${N} wg-go p50=${wgp50}ms jdk-tls p50=${tlsp50}ms" | tee "$out/result.txt"
