# perf/run xsk: the Java AF_XDP loops (xdp/ rxdrop, txonly, l2fwd) against a C reference on libxdp
# (perf/native/xskref.c) with the same duty cycle, on one private veth pair, same XDP program
# (xm_pod) and same core pinning, rounds alternating Java/C, medians. Sourced by perf/run.
#
#   generator ns "g": dev g0, the Java generator (core 0), xm_pod with no socket as a counting sink
#   device ns "d":    dev d0, the measured loop (core 1)
#   rxdrop: generator -> d0 -> measured rxdrop
#   txonly: measured txonly on d0 -> g0 (counted in g0's rx_packets: what arrived)
#   l2fwd:  generator -> d0 -> measured l2fwd -> g0 (g0's rx_packets: what came back)
# (the figures compared are described at xsk_once)
# The txonly rounds run first with no generator; then one generator runs through all rxdrop and
# l2fwd rounds, so each measured loop meets traffic the moment it binds (its JIT warms up on the
# real paths) and no round pays the generator's start-up.
# Knobs (environment): XM_XSK_ROUNDS (5), XM_XSK_WARMUP (2 s), XM_XSK_WINDOW (2.5 s), XM_XSK_SIZE (64),
# XM_XSK_FLOWS (16), XM_XSK_BATCH (64), XM_XSK_TESTS ("rxdrop txonly l2fwd"), XM_XSK_IDLE_SPINS (64)
# and XM_XSK_IDLE_SLEEP_US (500): in the tests named by XM_XSK_IDLE_TESTS ("l2fwd") both loops
# sleep that long after that many idle iterations; the others busy-poll (see xsk_once), XM_NICE (empty: normal priority; e.g. -20 runs generator and loops at that
# nice level, which also starves the ksoftirqd that runs the veth NAPI work deferred from their
# cores, so it is off by default), XM_PREFIX (xm: the namespace/interface prefix).

rounds=${XM_XSK_ROUNDS:-5}
warm=${XM_XSK_WARMUP:-2}
win=${XM_XSK_WINDOW:-2.5}
idle_tests=${XM_XSK_IDLE_TESTS:-l2fwd}
idle_spins=${XM_XSK_IDLE_SPINS:-64}
idle_us=${XM_XSK_IDLE_SLEEP_US:-500}
size=${XM_XSK_SIZE:-64}
flows=${XM_XSK_FLOWS:-16}
batch=${XM_XSK_BATCH:-64}
tests=${XM_XSK_TESTS:-rxdrop txonly l2fwd}
XM_NICE=${XM_NICE:-}
gen_core=0
dut_core=1
[ "$(nproc)" -ge 2 ] || echo "xsk: warning: one core only; generator and measured loop share it" >&2

obj="$XDPMESH_ROOT/native/target/classes/io/xdpmesh/native/xdpmesh.bpf.o"
xskref="$XDPMESH_ROOT/perf/target/xskref"
[ -f "$obj" ] || { echo "xsk: no XDP object at $obj (build native/ first)" >&2; exit 1; }
gcc -O2 -Wall -Werror -o "$xskref" "$XDPMESH_ROOT/perf/native/xskref.c" -lxdp -lbpf -lpthread

out="$XDPMESH_RESULTS/xsk-$(date +%H%M%S)"
mkdir -p "$out"
xdpmesh_topo_init
xdpmesh_ns g
xdpmesh_ns d
gns=${XM_P}g dns=${XM_P}d ga=${XM_P}g0 da=${XM_P}d0
xdpmesh_veth "$gns" "$ga" "$dns" "$da"
xdpmesh_addr "$gns" "$ga" 1
xdpmesh_addr "$dns" "$da" 2
gmac=$(xdpmesh_mac "$gns" "$ga")
dmac=$(xdpmesh_mac "$dns" "$da")
gip=$(xdpmesh_ip 1)
dip=$(xdpmesh_ip 2)
xdpmesh_bpffs; bpffs=$XM_BPFFS
# The sink: frames arriving on g0 are dropped by xm_pod (no socket bound) and counted in rx_packets.
ip netns exec "$gns" "$xskref" attach -i "$ga" -o "$obj"
echo "xsk: veth $ga ($gns, generator, core $gen_core) <-> $da ($dns, measured, core $dut_core); $size B, $flows flows, batch $batch; idle ($idle_tests): sleep $idle_us us after $idle_spins empty polls; warm-up $warm s, window $win s, $rounds rounds; raw output in $out"

total=$(awk -v a="$warm" -v b="$win" 'BEGIN { print a + b + 1.5 }') # slack: the window's samples are taken before the loop ends
txargs=(--src-mac "$dmac" --dst-mac "$gmac" --src-ip "$dip" --dst-ip "$gip" --flows "$flows" --size "$size")

# Starts the measured loop: xsk_dut IMPL MODE OUTFILE; sets XM_BG_PID.
xsk_dut() {
  local extra=() spins=0
  if [ "$2" = txonly ]; then extra=("${txargs[@]}"); fi
  case " $idle_tests " in *" $2 "*) spins=$idle_spins ;; esac
  if [ "$1" = java ]; then
    xdpmesh_bg "$3" "$dut_core" java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" io.xdpmesh.perf.xsk.XskBench "$2" \
      --netns "$dns" --dev "$da" --bpffs "$bpffs" --batch "$batch" --seconds "$total" --warmup "$warm" \
      --idle-spins "$spins" --idle-sleep-us "$idle_us" "${extra[@]}"
  else
    local cx=()
    if [ "$2" = txonly ]; then cx=(-s "$size" --src-mac "$dmac" --dst-mac "$gmac" --src-ip "$dip" --dst-ip "$gip" --flows "$flows"); fi
    xdpmesh_bg "$3" "$dut_core" ip netns exec "$dns" "$xskref" "$2" -i "$da" -o "$obj" -b "$batch" \
      -t "$total" -w "$warm" -I "$spins" -S "$idle_us" "${cx[@]}"
  fi
}

# Starts the Java generator toward d0 for SECS seconds: xsk_gen SECS OUTFILE; sets XM_BG_PID.
xsk_gen() {
  xdpmesh_bg "$2" "$gen_core" java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" io.xdpmesh.perf.gen.Generator \
    --netns "$gns" --dev "$ga" --dst-mac "$dmac" --src-ip "$gip" --dst-ip "$dip" --flows "$flows" --size "$size" \
    --batch "$batch" --seconds "$1"
}

# Samples the measured window (warm-up .. warm-up + window after "running"): echoes
# "<g0 rx pps> <d0 rx pps> <share of a core the measured thread had> <user share of that time>".
xsk_window() {
  local pid=$1 tid=$2 g0 d0 c0 t0 g1 d1 c1 t1 s0 s1
  sleep "$warm"
  c0=$(xdpmesh_cpu_ns "$pid" "$tid"); t0=$(date +%s%N); s0=$(xdpmesh_cpu_ticks "$pid" "$tid")
  g0=$(xdpmesh_ifstat "$gns" "$ga" rx_packets); d0=$(xdpmesh_ifstat "$dns" "$da" rx_packets)
  sleep "$win"
  c1=$(xdpmesh_cpu_ns "$pid" "$tid"); t1=$(date +%s%N); s1=$(xdpmesh_cpu_ticks "$pid" "$tid")
  g1=$(xdpmesh_ifstat "$gns" "$ga" rx_packets); d1=$(xdpmesh_ifstat "$dns" "$da" rx_packets)
  echo "$(xdpmesh_rate "$g0" "$t0" "$g1" "$t1") $(xdpmesh_rate "$d0" "$t0" "$d1" "$t1") $(awk -v a="$c0" -v b="$c1" -v t="$t0" -v u="$t1" 'BEGIN { printf "%.3f", (b - a) / (u - t) }') $(echo "$s0 $s1" | awk '{ u = $3 - $1; s = $4 - $2; if (u + s > 0) printf "%.2f", u / (u + s); else print "nan" }')"
}

# One measurement: xsk_once TEST IMPL ROUND. Sets XM_V to the figure compared between Java and C
# (frames per second of CPU time the measured loop's thread had), XM_PPS to the plain rate and
# XM_RAW to a description. Runs in this shell, so the cleanup trap knows every pid it started.
#   rxdrop: frames the loop received (its own count; frames the socket dropped are shown as lost)
#   txonly: frames arriving at g0
#   l2fwd:  frames coming back to g0
# Dividing by the thread's CPU time keeps the comparison fair on a machine shared with other work:
# plain rates there follow the scheduler more than the code. The idle policy (sleep after empty
# polls, the same in both loops) keeps that CPU time the loop's work: with a pure busy poll, a
# loop faster than the generator spins for whatever time the generator leaves it, and the figure
# becomes the generator's rate (noise from the other core) rather than the loop's cost per frame.
# That matters for l2fwd, whose per-frame work (the TX kick delivers each frame inside sendto) is
# ~1 us: a wake-up per ~400 frames is ~1% of it. rxdrop busy-polls: its loop makes no syscall and
# spends a few ns per frame, so any sleep policy would measure the wake-up, not the loop; its
# figure follows the generator's rate, and the Java/C pairing plus the median is what evens that out.
xsk_once() {
  local t=$1 impl=$2 r=$3 f="$out/$1-$2-$3" dut tid gen="" w res
  xsk_dut "$impl" "$t" "$f.out"; dut=$XM_BG_PID
  xdpmesh_wait_line "$f.out" '^running' 60 "$dut" || { echo "xsk: $impl $t did not start" >&2; exit 1; }
  if [ "$impl" = java ]; then tid=$(xdpmesh_tid "$dut" xsk-loop); else tid=$dut; fi
  w=$(xsk_window "$dut" "$tid")
  xdpmesh_stop "$dut" 20
  res=$(grep '^result' "$f.out") || { echo "xsk: $impl $t gave no result:" >&2; cat "$f.out" >&2; exit 1; }
  set -- $w
  if [ "$t" = rxdrop ]; then
    XM_PPS=$(xdpmesh_field pps "$res")
    XM_RAW="received $XM_PPS pps, offered to d0 $2 pps, lost at the socket $(xdpmesh_field lost "$res"), loop cpu $3 (user $4)"
  else
    XM_PPS=$1
    XM_RAW="arrived at g0 $1 pps, loop cpu $3 (user $4), own count $(xdpmesh_field pps "$res") pps"
    if [ "$t" = l2fwd ]; then XM_RAW+=", offered to d0 $2 pps, lost at the socket $(xdpmesh_field lost "$res")"; fi
  fi
  XM_V=$(awk -v p="$XM_PPS" -v s="$3" 'BEGIN { if (s <= 0) print 0; else printf "%.0f", p / s }')
}

declare -A vals pps
# xsk_rounds TESTS...: every round measures each test with Java and C back to back, the order
# alternating between rounds (java c, c java, ...), so slow drift of the machine's load hits both.
xsk_rounds() {
  local r t impl order
  for (( r = 1; r <= rounds; r++ )); do
    for t in "$@"; do
      order="java c"; if (( r % 2 == 0 )); then order="c java"; fi
      for impl in $order; do
        xsk_once "$t" "$impl" "$r"
        vals[$t,$impl]+=" $XM_V"
        pps[$t,$impl]+=" $XM_PPS"
        echo "xsk: round $r $t $impl figure $XM_V ($XM_RAW)"
      done
    done
  done
}
rxtests=()
for t in $tests; do case "$t" in rxdrop|l2fwd) rxtests+=("$t") ;; esac; done
case " $tests " in *" txonly "*) xsk_rounds txonly ;; esac
if (( ${#rxtests[@]} > 0 )); then
  # One generator for every rxdrop/l2fwd round, bounded by the time they can take (about 8 s each).
  gsecs=$(awk -v t="$total" -v n="$(( rounds * ${#rxtests[@]} * 2 ))" 'BEGIN { s = n * (t + 6) + 20; print (s > 3600 ? 3600 : s) }')
  xsk_gen "$gsecs" "$out/generator.gen"; gen=$XM_BG_PID
  xdpmesh_wait_line "$out/generator.gen" '^gen:' 60 "$gen" || { echo "xsk: the generator did not start" >&2; exit 1; }
  sleep 1 # its JIT warm-up happens here, not in the first measured loop's warm-up
  xsk_rounds "${rxtests[@]}"
  kill -TERM "$gen" 2>/dev/null || true
  xdpmesh_stop "$gen" 10
fi

line="xsk:"
spread="xsk: per-round java/c median (min..max over $rounds rounds):"
alloc="xsk: zero allocation in the Java loops (loop-thread bytes allocated, GC count over every measured window):"
for t in l2fwd rxdrop txonly; do
  case " $tests " in *" $t "*) ;; *) continue ;; esac
  mj=$(xdpmesh_median ${vals[$t,java]})
  mc=$(xdpmesh_median ${vals[$t,c]})
  # Java and C of one round run back to back: the ratio of each pair cancels the slow drift of a
  # shared machine's load, so the reported ratio is the median of the per-round ratios.
  jv=(${vals[$t,java]}) cv=(${vals[$t,c]}) rr=()
  for (( i = 0; i < ${#jv[@]}; i++ )); do rr+=("$(xdpmesh_ratio "${jv[$i]}" "${cv[$i]}")"); done
  ratio=$(xdpmesh_median "${rr[@]}")
  echo "xsk: $t frames per loop-CPU-second java median $mj ($(xdpmesh_spread ${vals[$t,java]})), c median $mc ($(xdpmesh_spread ${vals[$t,c]})); per-round java/c ${rr[*]} (median $ratio; ratio of medians $(xdpmesh_ratio "$mj" "$mc")); plain pps java $(xdpmesh_median ${pps[$t,java]}) c $(xdpmesh_median ${pps[$t,c]})"
  line+=" $t java/c=$(printf '%.2f' "$ratio")"
  spread+=" $t $ratio ($(xdpmesh_spread "${rr[@]}"));"
  bytes=$(cat "$out/$t"-java-*.out | sed -n 's/.*loop-alloc-bytes=\([-0-9]*\).*/\1/p' | sort -u | tr '\n' ',' | sed 's/,$//')
  gcs=$(cat "$out/$t"-java-*.out | sed -n 's/.* gc=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
  alloc+=" $t ${bytes} B gc=$gcs;"
done
gbytes=$(cat "$out"/*.gen 2>/dev/null | sed -n 's/.*loop-alloc-bytes=\([-0-9]*\).*/\1/p' | sort -u | tr '\n' ',' | sed 's/,$//')
echo "$spread"
echo "$alloc generator ${gbytes:-n/a} B"
echo "$line" | tee "$out/result.txt"
