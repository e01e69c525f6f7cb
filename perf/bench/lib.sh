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
