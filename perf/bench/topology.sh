# Private topologies for perf/bench/*.sh (sourced by lib.sh): network namespaces and veth pairs
# named xm<random4>..., 10.x addresses only inside them, background processes tracked by pid.
# One trap removes everything this shell made on every exit path, killing only its own processes.
#
#   xdpmesh_topo_init                 pick a private prefix ($XM_P: ${XM_PREFIX:-xm} + 4 hex digits, so
#                                     runs side by side never collide) and install the cleanup trap
#   xdpmesh_ns NAME                   namespace $XM_P$NAME (lo up, no IPv6 chatter); echoes its name
#   xdpmesh_veth NSA DEVA NSB DEVB [MTU]   a veth pair, both ends up
#   xdpmesh_addr NS DEV HOST          10.$XM_HI.$XM_LO.HOST/24 on DEV
#   xdpmesh_ip HOST                   echoes 10.$XM_HI.$XM_LO.HOST
#   xdpmesh_mac NS DEV                echoes DEV's MAC
#   xdpmesh_ifstat NS DEV STAT        echoes DEV's counter STAT (rx_packets, tx_dropped, ...) in NS
#   xdpmesh_bpffs                     a private bpffs mount; sets XM_BPFFS to its path
#   xdpmesh_bg OUT CORE CMD...        starts CMD pinned to CORE ("-": unpinned) in the background, output
#                                     to OUT; sets XM_BG_PID, the pid of CMD itself (exec'd, no wrapper).
#                                     With XM_NICE set (e.g. -20), CMD runs at that nice level: on a
#                                     machine shared with other work the measured loops keep their core.
#   xdpmesh_wait_line FILE REGEX SECS [PID]  waits until FILE has a line matching REGEX (fails on
#                                     timeout, or as soon as PID has exited)
#   xdpmesh_stop PID [SECS]           TERM, then KILL after SECS, one of our own pids only
#   xdpmesh_tid PID COMM              echoes the tid of PID's first thread whose name starts with COMM
#   xdpmesh_cpu_ns PID TID            echoes the ns thread TID has spent on a CPU (schedstat)
#   xdpmesh_cpu_ticks PID TID         echoes "utime stime" of thread TID in clock ticks (user/kernel split)
#   xdpmesh_pin CORE CMD...           runs CMD pinned to CORE (taskset), unpinned on a 1-core machine

XM_NAMESPACES=()
XM_PIDS=()
XM_MOUNTS=()
XM_TMP=""

xdpmesh_topo_init() {
  local r=$(( (RANDOM << 1 ^ RANDOM) & 0xffff ))
  XM_P=$(printf '%s%04x' "${XM_PREFIX:-xm}" "$r")
  XM_HI=$(( 100 + (r >> 8) % 100 ))
  XM_LO=$(( r & 0xff ))
  XM_TMP=$(mktemp -d "/tmp/$XM_P.XXXXXX")
  trap xdpmesh_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

xdpmesh_cleanup() {
  local rc=$? pid ns m
  set +e
  trap - EXIT INT TERM
  for pid in "${XM_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${XM_PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  XM_PIDS=()
  for ns in "${XM_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  XM_NAMESPACES=()
  for m in "${XM_MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; rmdir "$m" 2>/dev/null; done
  XM_MOUNTS=()
  [ -n "$XM_TMP" ] && rm -rf "$XM_TMP"
  return $rc
}

xdpmesh_ns() {
  local name="$XM_P$1"
  ip netns add "$name"
  XM_NAMESPACES+=("$name")
  ip -n "$name" link set lo up
  ip netns exec "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

xdpmesh_veth() {
  local mtu=${5:-1500}
  ip link add "$2" netns "$1" mtu "$mtu" type veth peer name "$4" netns "$3" mtu "$mtu"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

xdpmesh_ip() { echo "10.$XM_HI.$XM_LO.$1"; }
xdpmesh_addr() { ip -n "$1" addr add "$(xdpmesh_ip "$3")/24" dev "$2"; }
xdpmesh_mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
xdpmesh_ifstat() {
  # ip -n only enters the network namespace (ip netns exec also remounts /sys): fast enough to
  # sample counters at the edges of a measured window.
  local dir=${3%%_*} key=${3#*_}
  ip -n "$1" -s -j link show dev "$2" | sed -n "s/.*\"$dir\":{[^}]*\"$key\":\([0-9]*\).*/\1/p"
}

xdpmesh_bpffs() {
  local d="$XM_TMP/bpffs"
  mkdir -p "$d"
  mount -t bpf bpf "$d"
  XM_MOUNTS+=("$d")
  XM_BPFFS=$d
}

xdpmesh_bg() {
  local out=$1 core=$2; shift 2
  if [ -n "${XM_NICE:-}" ]; then set -- nice -n "$XM_NICE" "$@"; fi
  if [ "$core" = - ] || [ "$(nproc)" -lt 2 ]; then
    "$@" >"$out" 2>&1 &
  else
    taskset -c "$core" "$@" >"$out" 2>&1 &
  fi
  XM_BG_PID=$!
  XM_PIDS+=("$XM_BG_PID")
}

xdpmesh_wait_line() {
  local i n=$(( $3 * 10 ))
  for (( i = 0; i < n; i++ )); do
    grep -Eq "$2" "$1" 2>/dev/null && return 0
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
      grep -Eq "$2" "$1" 2>/dev/null && return 0
      echo "process $4 exited before /$2/ appeared in $1:" >&2
      tail -5 "$1" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "timed out after $3 s waiting for /$2/ in $1:" >&2
  tail -5 "$1" >&2
  return 1
}

xdpmesh_stop() {
  local pid=$1 secs=${2:-5} i
  for (( i = 0; i < secs * 10; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  local keep=() p
  for p in "${XM_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  XM_PIDS=("${keep[@]}")
}

xdpmesh_pin() {
  local core=$1; shift
  if [ "$(nproc)" -ge 2 ]; then taskset -c "$core" "$@"; else "$@"; fi
}

xdpmesh_tid() {
  local t
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in "$2"*) basename "$t"; return 0 ;; esac
  done
  return 1
}

xdpmesh_cpu_ns() { cut -d' ' -f1 "/proc/$1/task/$2/schedstat"; }
xdpmesh_cpu_ticks() { sed 's/.*) //' "/proc/$1/task/$2/stat" | cut -d' ' -f12,13; }
