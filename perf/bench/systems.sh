# The systems under test, each on the same 2-node topology (sourced by lib.sh). scripts/topology
# builds node namespaces ${XM_P}n1 and ${XM_P}n2 joined by one veth pair (the uplinks), one pod in
# each (pod A = ${XM_P}n1p1, pod B = ${XM_P}n2p1, eth0 paired with ${XM_P}l<k>x1 in the node); the
# system decides what carries pod A <-> pod B:
#   plain    the kernel routes (no XDP, no encryption): the baseline
#   xdpmesh  two agents (scripts/xdpmesh agent, one per node namespace, verdict encrypt, dev CA SVIDs)
#   wg       wireguard-go (Debian package, TUN) in each node namespace; the pod subnets are routed
#            through its device, so pods see the same addresses and hops as with xdpmesh
#   stunnel  a stunnel4 TLS 1.3 mutual-auth proxy pair (a per-node TCP proxy, ztunnel's model): pod A
#            connects to node A's proxy, which opens TLS to node B's proxy, which connects to pod B.
#            TCP only: UDP and ping are not carried (they would go plain), so they are reported n/a.
#
#   xdpmesh_sys_up SYS [MTU]   build it with every link at MTU (default 1500; tunnel systems give
#                              pods MTU-80, the worst-case tunnel overhead, as scripts/topology does)
#                              Sets XS_SYS, XS_PA, XS_PB (pod namespaces), XS_NA, XS_NB (node
#                              namespaces), XS_IPA, XS_IPB (pod addresses), XS_GWMAC (pod A's
#                              gateway MAC: the host side of its veth), XS_DAEMONS (pids whose CPU
#                              time is the system's own), XS_AGENT_STATE (xdpmesh: state dir prefix)
#   xdpmesh_sys_tcp PORT       echoes "HOST PORT" where pod A connects to reach pod B's TCP PORT
#                              (5201 iperf3, 7001 request/response; through the proxy for stunnel)
#   xdpmesh_sys_down           stop its daemons and remove it (the exit trap does the same)
#   xdpmesh_daemon_cpu_ticks   user+system clock ticks of XS_DAEMONS so far
#   xdpmesh_proc_cpu_ticks PID user+system clock ticks of one process (all its threads)

XS_SYS=""
XS_NET=""
XS_AUX=() # helpers a bench starts for the current system (servers in the pods): stopped with it
XM_XDPMESH="$XDPMESH_ROOT/scripts/xdpmesh"
XS_IDLE=${XDPMESH_PERF_IDLE:-backoff}

xdpmesh_sys_up() {
  local sys=$1 mtu=${2:-1500} podmtu net
  [ -n "${XM_P:-}" ] || { echo "xdpmesh_sys_up: call xdpmesh_topo_init first" >&2; return 1; }
  [ -z "$XS_SYS" ] || xdpmesh_sys_down
  # xdpmesh runs its pods in large-frame mode (pod MTU 65000: TCP superframes segmented to the
  # uplink MTU by the dataplane), as scripts/topology does by default; XDPMESH_PERF_POD_MTU=1420
  # measures the classic set-up.
  case "$sys" in plain|stunnel) podmtu=$mtu ;; wg) podmtu=$(( mtu - 80 )) ;;
    xdpmesh) podmtu=${XDPMESH_PERF_POD_MTU:-65000} ;;
    *) echo "xdpmesh_sys_up: unknown system $sys" >&2; return 2 ;; esac
  net=$XM_HI
  XS_SYS=$sys XS_NET=$net XS_DAEMONS=() XS_AUX=() XS_WORK="$XM_TMP/sys-$sys"
  rm -rf "$XS_WORK"; mkdir -p "$XS_WORK"
  if [ -z "${XS_HOOKED:-}" ]; then xdpmesh_on_exit "xdpmesh_sys_teardown $XM_P"; XS_HOOKED=1; fi
  "$XDPMESH_ROOT/scripts/topology" up --prefix "$XM_P" --nodes 2 --pods 1 --net "$net" --verdict encrypt \
    --pod-mtu "$podmtu" --uplink-mtu "$mtu" --cluster-file "$XS_WORK/cluster.yaml" >/dev/null
  XS_NA=${XM_P}n1 XS_NB=${XM_P}n2 XS_PA=${XM_P}n1p1 XS_PB=${XM_P}n2p1
  XS_IPA=10.$net.1.1 XS_IPB=10.$net.2.1 XS_NODEA=10.$net.0.1 XS_NODEB=10.$net.0.2
  XS_GWMAC=$(ip -n "$XS_NA" -j link show dev "${XM_P}l1x1" | sed -n 's/.*"address":"\([^"]*\)".*/\1/p')
  case "$sys" in
    xdpmesh) xs_up_xdpmesh ;;
    wg) xs_up_wg "$podmtu" ;;
    stunnel) xs_up_stunnel ;;
  esac
}

xdpmesh_sys_tcp() {
  if [ "$XS_SYS" = stunnel ]; then echo "$XS_NODEA 1$1"; else echo "$XS_IPB $1"; fi
}

# Stops the current system's daemons (our pids only) and removes its topology.
xdpmesh_sys_down() {
  [ -n "$XS_SYS" ] || return 0
  local p
  for p in "${XS_AUX[@]}" "${XS_DAEMONS[@]}"; do xdpmesh_kill "$p"; done
  XS_DAEMONS=() XS_AUX=()
  xdpmesh_sys_teardown "$XM_P"
  XS_SYS=""
}

# What must go even when the daemons were killed by the trap: XDP pins, the topology, the bpffs.
xdpmesh_sys_teardown() {
  local p=$1 k
  if [ -n "${XS_BPFFS:-}" ] && mountpoint -q "$XS_BPFFS" 2>/dev/null; then
    for k in 1 2; do
      ip netns exec "${p}n$k" "$XM_XDPMESH" agent --cleanup --node "n$k" --bpffs "$XS_BPFFS" \
        --state-dir "$XS_WORK/n$k/state" >/dev/null 2>&1 || true
    done
    umount "$XS_BPFFS" 2>/dev/null || true
  fi
  XS_BPFFS=""
  "$XDPMESH_ROOT/scripts/topology" down --prefix "$p" >/dev/null 2>&1 || true
}

# TERM (then KILL after 5 s) one of our pids and forget it.
xdpmesh_kill() {
  kill -TERM "$1" 2>/dev/null || true
  xdpmesh_stop "$1" 0
}

xdpmesh_proc_cpu_ticks() {
  # fields after the command name: state is field 3, utime 14, stime 15 (man 5 proc)
  sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0
}

xdpmesh_daemon_cpu_ticks() {
  local p s=0
  for p in "${XS_DAEMONS[@]}"; do s=$(( s + $(xdpmesh_proc_cpu_ticks "$p") )); done
  echo "$s"
}

xs_up_xdpmesh() {
  local td="$XM_P.test" k
  java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" io.xdpmesh.perf.firstpacket.IssueSvids "$XS_WORK/ca" "$td" \
    "$XS_WORK/n1/svids/node=node:n1" "$XS_WORK/n2/svids/node=node:n2" \
    "$XS_WORK/n1/svids/n1p1=spiffe://$td/ns/default/sa/n1p1" \
    "$XS_WORK/n2/svids/n2p1=spiffe://$td/ns/default/sa/n2p1" > "$XS_WORK/svids.log" 2>&1 \
    || { cat "$XS_WORK/svids.log" >&2; return 1; }
  XS_BPFFS="$XS_WORK/bpffs"
  mkdir -p "$XS_BPFFS"
  mount -t bpf bpf "$XS_BPFFS"
  # A one-way generator flow gets no replies but the receiver's rate-limited ICMP; the dataplane
  # sends no keepalives yet, so the dead-peer rule (5 s) could re-authenticate during a window.
  for k in 1 2; do
    xdpmesh_bg "$XS_WORK/agent-n$k.log" - ip netns exec "${XM_P}n$k" "$XM_XDPMESH" agent \
      --config "$XS_WORK/cluster.yaml" --node "n$k" --state-dir "$XS_WORK/n$k/state" \
      --identity-dir "$XS_WORK/n$k/svids" --bpffs "$XS_BPFFS" --idle "$XS_IDLE" --dead-peer 10m
    XS_DAEMONS+=("$XM_BG_PID")
  done
  XS_AGENT_STATE="$XS_WORK"
  for k in 1 2; do
    local i
    for (( i = 0; i < 600; i++ )); do
      grep -q '"state": "running"' "$XS_WORK/n$k/state/status.json" 2>/dev/null && break
      kill -0 "${XS_DAEMONS[$((k - 1))]}" 2>/dev/null || break
      sleep 0.1
    done
    grep -q '"state": "running"' "$XS_WORK/n$k/state/status.json" 2>/dev/null \
      || { tail -20 "$XS_WORK/agent-n$k.log" >&2; echo "xdpmesh: agent n$k did not start" >&2; return 1; }
  done
}

xs_up_wg() {
  local podmtu=$1 k o
  export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
  for k in 1 2; do
    (umask 077; wg genkey > "$XS_WORK/wg$k.key"); wg pubkey < "$XS_WORK/wg$k.key" > "$XS_WORK/wg$k.pub"
    xdpmesh_bg "$XS_WORK/wg$k.log" - ip netns exec "${XM_P}n$k" wireguard-go -f "${XM_P}g$k"
    XS_DAEMONS+=("$XM_BG_PID")
  done
  for k in 1 2; do
    o=$(( 3 - k ))
    local i
    for (( i = 0; i < 100; i++ )); do ip -n "${XM_P}n$k" link show "${XM_P}g$k" >/dev/null 2>&1 && break; sleep 0.05; done
    ip netns exec "${XM_P}n$k" wg set "${XM_P}g$k" listen-port 51820 private-key "$XS_WORK/wg$k.key" \
      peer "$(cat "$XS_WORK/wg$o.pub")" endpoint "10.$XS_NET.0.$o:51820" allowed-ips "10.$XS_NET.$o.0/24"
    ip -n "${XM_P}n$k" link set "${XM_P}g$k" mtu "$podmtu" up
    ip -n "${XM_P}n$k" addr add "10.$XS_NET.25$k.1/32" dev "${XM_P}g$k"
    ip -n "${XM_P}n$k" route replace "10.$XS_NET.$o.0/24" dev "${XM_P}g$k"
  done
}

xs_up_stunnel() {
  local d="$XS_WORK" k
  # A private CA and one EC P-256 certificate per proxy; each side requires and verifies the other's.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=$XM_P perf CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  for k in 1 2; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=n$k.$XM_P.test" \
      -keyout "$d/n$k.key" -out "$d/n$k.csr" 2>/dev/null
    openssl x509 -req -in "$d/n$k.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 1 \
      -out "$d/n$k.crt" 2>/dev/null
  done
  local common="foreground = yes
pid =
syslog = no
debug = 3
output = $d/stunnel-%s.log
sslVersionMin = TLSv1.3
sslVersionMax = TLSv1.3
CAfile = $d/ca.crt
verifyChain = yes
socket = l:TCP_NODELAY=1
socket = r:TCP_NODELAY=1"
  # Pod A connects to node A :1<port>; TLS crosses to node B :2<port>; node B connects to pod B :<port>.
  { printf '%s\n' "${common//%s/n1}" "cert = $d/n1.crt" "key = $d/n1.key"
    for port in 5201 7001; do
      printf '[p%s]\nclient = yes\naccept = %s:1%s\nconnect = %s:2%s\ncheckHost = n2.%s.test\n' \
        "$port" "$XS_NODEA" "$port" "$XS_NODEB" "$port" "$XM_P"
    done; } > "$d/n1.conf"
  { printf '%s\n' "${common//%s/n2}" "cert = $d/n2.crt" "key = $d/n2.key" "requireCert = yes"
    for port in 5201 7001; do
      printf '[p%s]\naccept = %s:2%s\nconnect = %s:%s\n' "$port" "$XS_NODEB" "$port" "$XS_IPB" "$port"
    done; } > "$d/n2.conf"
  for k in 1 2; do
    xdpmesh_bg "$d/stunnel-n$k.out" - ip netns exec "${XM_P}n$k" stunnel4 "$d/n$k.conf"
    XS_DAEMONS+=("$XM_BG_PID")
  done
  local i
  for (( i = 0; i < 100; i++ )); do
    ip netns exec "$XS_NA" ss -Hltn | grep -q ":17001 " && ip netns exec "$XS_NB" ss -Hltn | grep -q ":27001 " && return 0
    sleep 0.05
  done
  cat "$d"/stunnel-n*.out "$d"/stunnel-n*.log >&2 2>/dev/null
  echo "stunnel: proxies did not start" >&2
  return 1
}

# Datagrams that reached pod B's UDP layer with a good checksum: Udp InDatagrams + NoPorts from its
# namespace's /proc/net/snmp (the generator sends to port 9, where nothing listens: NoPorts).
xdpmesh_udp_arrived() {
  nsenter --net="/run/netns/$1" cat /proc/net/snmp | awk '/^Udp:/ { if (h) { print $2 + $3; exit } h = 1 }'
}

# The project's generator (AF_XDP TX-only, in pod A's namespace on its eth0, flat out, 16 flows,
# pinned to core 0) sends SIZE-byte frames to pod B for WARM + WINDOW seconds. Counted where they
# arrive: pod B's UDP layer (xdpmesh_udp_arrived), over the window after WARM (rate) and over the
# whole run against what the generator sent (loss).
#   xdpmesh_gen_udp SIZE WARM WINDOW OUTFILE [HOOK_START HOOK_END]   hooks: commands eval'd at the
#   window's edges (e.g. start/stop a profile). Sets GEN_PPS (arrived per s in the window),
#   GEN_GBPS (frame bits per s arrived), GEN_SENT_PPS (the generator's own rate), GEN_LOSS (percent
#   of all sent that never arrived), GEN_WINDOW_NS (the window's measured length).
xdpmesh_gen_udp() {
  local size=$1 warm=$2 win=$3 gout=$4 hs=${5:-:} he=${6:-:} a0 a1 t0 t1 b0 b1 pid line sent
  b0=$(xdpmesh_udp_arrived "$XS_PB")
  xdpmesh_bg "$gout" 0 java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" io.xdpmesh.perf.gen.Generator \
    --netns "$XS_PA" --dev eth0 --dst-mac "$XS_GWMAC" --src-ip "$XS_IPA" --dst-ip "$XS_IPB" --flows 16 \
    --size "$size" --seconds "$(( warm + win + 1 ))"
  pid=$XM_BG_PID
  xdpmesh_wait_line "$gout" '^gen: dev=' 30 "$pid" || return 1
  sleep "$warm"
  eval "$hs"
  t0=$(date +%s%N); a0=$(xdpmesh_udp_arrived "$XS_PB")
  sleep "$win"
  t1=$(date +%s%N); a1=$(xdpmesh_udp_arrived "$XS_PB")
  eval "$he"
  xdpmesh_stop "$pid" 30
  sleep 0.3
  b1=$(xdpmesh_udp_arrived "$XS_PB")
  line=$(grep '^gen: sent=' "$gout") || { echo "generator gave no result:" >&2; cat "$gout" >&2; return 1; }
  sent=$(xdpmesh_field sent "$line")
  GEN_PPS=$(xdpmesh_rate "$a0" "$t0" "$a1" "$t1")
  GEN_GBPS=$(awk -v p="$GEN_PPS" -v s="$size" 'BEGIN { printf "%.3f", p * s * 8 / 1e9 }')
  GEN_SENT_PPS=$(xdpmesh_field pps "$line")
  GEN_LOSS=$(awk -v s="$sent" -v r="$(( b1 - b0 ))" 'BEGIN { if (s == 0) print "nan"; else printf "%.1f", 100 * (s - r) / s }')
  GEN_WINDOW_NS=$(( t1 - t0 ))
}
