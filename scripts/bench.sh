#!/usr/bin/env bash
# The component benchmarks of ferret-bench: scripts/bench.sh NAME [ARGS] (no NAME lists them).
# Builds with package (never install) when sources changed, then runs the benchmark in a JVM started as ./ferret
# starts one, with room for the kernel benchmark's 2 GB of direct memory. FERRET_JAVA_OPTS replaces the JVM options,
# JAVA_HOME picks the JDK. Whole-model speed and memory: ./ferret bench. See docs/performance.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/ferret-examples/ferret-bench/target/classpath.txt"

stale() {
  [ ! -f "$cp_file" ] && return 0
  [ -n "$(find "$root" -path "$root/src" -prune -o \( -name '*.java' -o -name 'pom.xml' \) -newer "$cp_file" -print -quit)" ]
}
if stale; then
  echo "bench: building (first use or sources changed)..." >&2
  (cd "$root" && mvn -B -q -DskipTests -pl ferret-examples/ferret-bench -am package) >&2
  touch "$cp_file"
fi

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
default_opts="-Xmx8g -XX:MaxDirectMemorySize=4g -Dorg.bytedeco.javacpp.maxphysicalbytes=16G --add-modules jdk.incubator.vector -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cd "$root"                                                          # the tiny decoder's goldens are found from here
# shellcheck disable=SC2086
exec "$java" ${FERRET_JAVA_OPTS:-$default_opts} -cp "$root/ferret-examples/ferret-bench/target/classes:$(cat "$cp_file")" \
  io.ferret4j.bench.Benchmarks "$@"
