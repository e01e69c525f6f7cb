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
# Knobs (environment): XM_XSK_ROUNDS (3), XM_XSK_WARMUP (4 s: the C2 compile of a loop whose iterations each make a syscall lands 2-4 s in), XM_XSK_WINDOW (5 s), XM_XSK_SIZE (64),
# XM_XSK_FLOWS (16), XM_XSK_BATCH (64), XM_XSK_TESTS ("rxdrop txonly l2fwd"), XM_NICE (empty: normal
# priority; e.g. -20 runs generator and loops at that nice level, which also starves the ksoftirqd
# that runs the veth NAPI work deferred from their cores, so it is off by default).

rounds=${XM_XSK_ROUNDS:-3}
warm=${XM_XSK_WARMUP:-4}
win=${XM_XSK_WINDOW:-5}
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
echo "xsk: veth $ga ($gns, generator, core $gen_core) <-> $da ($dns, measured, core $dut_core); $size B, $flows flows, batch $batch; warm-up $warm s, window $win s, $rounds rounds; raw output in $out"

total=$(( warm + win + 2 )) # slack: the window's last samples are taken before the loop ends
txargs=(--src-mac "$dmac" --dst-mac "$gmac" --src-ip "$dip" --dst-ip "$gip" --flows "$flows" --size "$size")

# Starts the measured loop: xsk_dut IMPL MODE OUTFILE; sets XM_BG_PID.
xsk_dut() {
  local extra=()
  if [ "$2" = txonly ]; then extra=("${txargs[@]}"); fi
  if [ "$1" = java ]; then
    xdpmesh_bg "$3" "$dut_core" java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" io.xdpmesh.perf.xsk.XskBench "$2" \
      --netns "$dns" --dev "$da" --bpffs "$bpffs" --batch "$batch" --seconds "$total" --warmup "$warm" "${extra[@]}"
  else
    local cx=()
    if [ "$2" = txonly ]; then cx=(-s "$size" --src-mac "$dmac" --dst-mac "$gmac" --src-ip "$dip" --dst-ip "$gip" --flows "$flows"); fi
    xdpmesh_bg "$3" "$dut_core" ip netns exec "$dns" "$xskref" "$2" -i "$da" -o "$obj" -b "$batch" \
      -t "$total" -w "$warm" "${cx[@]}"
  fi
}

# Starts the Java generator toward d0 for SECS seconds: xsk_gen SECS OUTFILE; sets XM_BG_PID.
xsk_gen() {
  xdpmesh_bg "$2" "$gen_core" java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" io.xdpmesh.perf.gen.Generator \
    --netns "$gns" --dev "$ga" --dst-mac "$dmac" --src-ip "$gip" --dst-ip "$dip" --flows "$flows" --size "$size" \
    --batch "$batch" --seconds "$1"
}

# Samples the measured window (warm-up .. warm-up + window after "running"): echoes
# "<g0 rx pps> <d0 rx pps> <share of a core the measured thread had>".
xsk_window() {
  local pid=$1 tid=$2 g0 d0 c0 t0 g1 d1 c1 t1
  sleep "$warm"
  c0=$(xdpmesh_cpu_ns "$pid" "$tid"); t0=$(date +%s%N)
  g0=$(xdpmesh_ifstat "$gns" "$ga" rx_packets); d0=$(xdpmesh_ifstat "$dns" "$da" rx_packets)
  sleep "$win"
  c1=$(xdpmesh_cpu_ns "$pid" "$tid"); t1=$(date +%s%N)
  g1=$(xdpmesh_ifstat "$gns" "$ga" rx_packets); d1=$(xdpmesh_ifstat "$dns" "$da" rx_packets)
  echo "$(xdpmesh_rate "$g0" "$t0" "$g1" "$t1") $(xdpmesh_rate "$d0" "$t0" "$d1" "$t1") $(awk -v a="$c0" -v b="$c1" -v t="$t0" -v u="$t1" 'BEGIN { printf "%.3f", (b - a) / (u - t) }')"
}

# One measurement: xsk_once TEST IMPL ROUND. Sets XM_V to the figure compared between Java and C
# (frames per second of CPU time the measured loop's thread had), XM_PPS to the plain rate and
# XM_RAW to a description. Runs in this shell, so the cleanup trap knows every pid it started.
#   rxdrop: frames the loop received (its own count; frames the socket dropped are shown as lost)
#   txonly: frames arriving at g0
#   l2fwd:  frames coming back to g0
# Dividing by the thread's CPU time keeps the comparison fair on a machine shared with other work:
# plain rates there follow the scheduler more than the code.
xsk_once() {
  local t=$1 impl=$2 r=$3 f="$out/$1-$2-$3" dut tid gen="" w res
  xsk_dut "$impl" "$t" "$f.out"; dut=$XM_BG_PID
  xdpmesh_wait_line "$f.out" '^running' 60 "$dut" || { echo "xsk: $impl $t did not start" >&2; exit 1; }
  if [ "$impl" = java ]; then tid=$(xdpmesh_tid "$dut" xsk-loop); else tid=$dut; fi
  if [ "$t" != txonly ]; then xsk_gen "$total" "$f.gen"; gen=$XM_BG_PID; fi
  w=$(xsk_window "$dut" "$tid")
  xdpmesh_stop "$dut" $(( total + 15 ))
  # The generator outlives the window by design (it started after "running" with the same length).
  if [ -n "$gen" ]; then xdpmesh_stop "$gen" 10; fi
  res=$(grep '^result' "$f.out") || { echo "xsk: $impl $t gave no result:" >&2; cat "$f.out" >&2; exit 1; }
  set -- $w
  if [ "$t" = rxdrop ]; then
    XM_PPS=$(xdpmesh_field pps "$res")
    XM_RAW="received $XM_PPS pps, offered to d0 $2 pps, lost at the socket $(xdpmesh_field lost "$res"), loop cpu $3"
  else
    XM_PPS=$1
    XM_RAW="arrived at g0 $1 pps, loop cpu $3, own count $(xdpmesh_field pps "$res") pps"
    if [ "$t" = l2fwd ]; then XM_RAW+=", offered to d0 $2 pps, lost at the socket $(xdpmesh_field lost "$res")"; fi
  fi
  XM_V=$(awk -v p="$XM_PPS" -v s="$3" 'BEGIN { if (s <= 0) print 0; else printf "%.0f", p / s }')
}

declare -A vals pps
for (( r = 1; r <= rounds; r++ )); do
  for t in $tests; do
    order="java c"; if (( r % 2 == 0 )); then order="c java"; fi
    for impl in $order; do
      xsk_once "$t" "$impl" "$r"
      vals[$t,$impl]+=" $XM_V"
      pps[$t,$impl]+=" $XM_PPS"
      echo "xsk: round $r $t $impl figure $XM_V ($XM_RAW)"
    done
  done
done

line="xsk:"
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
  bytes=$(cat "$out/$t"-java-*.out | sed -n 's/.*loop-alloc-bytes=\([-0-9]*\).*/\1/p' | sort -u | tr '\n' ',' | sed 's/,$//')
  gcs=$(cat "$out/$t"-java-*.out | sed -n 's/.* gc=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
  alloc+=" $t ${bytes} B gc=$gcs;"
done
gbytes=$(cat "$out"/*.gen 2>/dev/null | sed -n 's/.*loop-alloc-bytes=\([-0-9]*\).*/\1/p' | sort -u | tr '\n' ',' | sed 's/,$//')
echo "$alloc generator ${gbytes:-n/a} B"
echo "$line" | tee "$out/result.txt"
