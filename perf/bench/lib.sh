# Shared by perf/bench/*.sh (sourced by perf/run): classpath, JVM flags, result folder.
XDPMESH_ROOT=$(pwd)
XDPMESH_CP="$XDPMESH_ROOT/perf/target/classes:$(cat "$XDPMESH_ROOT/perf/target/classpath.txt")"
XDPMESH_JVM_OPTS="@$XDPMESH_ROOT/scripts/jvm.options"
XDPMESH_RESULTS=${XDPMESH_RESULTS:-$XDPMESH_ROOT/perf/results/$(date +%Y-%m-%d)}
mkdir -p "$XDPMESH_RESULTS"

# Runs a JMH benchmark class pattern with the project's JVM flags; extra args go to JMH.
xdpmesh_jmh() {
  java $XDPMESH_JVM_OPTS -cp "$XDPMESH_CP" org.openjdk.jmh.Main -jvmArgsAppend "$XDPMESH_JVM_OPTS" "$@"
}

# Ratio a/b with 2 decimals.
xdpmesh_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.2f", a / b }'; }

# Median of the numbers given as arguments.
xdpmesh_median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else { m = sprintf("%.4f", (v[NR / 2] + v[NR / 2 + 1]) / 2); sub(/\.?0+$/, "", m); print m } }'; }

# min..max spread of the numbers given as arguments.
xdpmesh_spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo ".." hi }'; }

# key=value field of a line: xdpmesh_field "pps" "result impl=c pps=123" -> 123
xdpmesh_field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; }

# Elapsed-time-exact rate from two samples: xdpmesh_rate count0 ns0 count1 ns1
xdpmesh_rate() { awk -v a="$1" -v t="$2" -v b="$3" -v u="$4" 'BEGIN { printf "%.0f", (b - a) / ((u - t) / 1e9) }'; }

# Percentile P (0-100, nearest rank) of the numbers in FILE (one per line): xdpmesh_pct FILE 99
xdpmesh_pct() { sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } i = int(NR * p / 100 + 0.5); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'; }

# Round-trip times of COUNT pings (one every INTERVAL s) from namespace NS to ADDR, one per line, in
# ms, into FILE; echoes how many were lost: xdpmesh_ping NS ADDR COUNT INTERVAL FILE
xdpmesh_ping() {
  local r
  r=$(ip netns exec "$1" ping -n -c "$3" -i "$4" -W 1 "$2" 2>/dev/null || true)
  sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$r" > "$5"
  echo $(( $3 - $(wc -l < "$5") ))
}

# Rounds a number to D decimals: xdpmesh_fmt 1.23456 2 -> 1.23 ("nan" stays)
xdpmesh_fmt() { awk -v v="$1" -v d="$2" 'BEGIN { if (v == "nan" || v == "") print "nan"; else printf "%.*f", d, v }'; }

. "$XDPMESH_ROOT/perf/bench/topology.sh"
. "$XDPMESH_ROOT/perf/bench/systems.sh"
