#!/usr/bin/env bash
# Berth's benchmarks. Needs root: the endpoint benchmark builds a lab of network namespaces.
#   scripts/bench.sh [N ...] [--modes=...] [--reps=K] [--warmup=W] [--launcher=sh|java]
#       endpoint creation: Berth in-process vs ip -batch vs one ip per step (default N = 1 100 1000);
#       the table goes to stdout and to bench/results/endpoints-<timestamp>.txt
#   scripts/bench.sh jmh [JMH options, e.g. -wi 1 -i 1]
#       message encoding/parsing micro-benchmarks (1 fork, 3 warm-up and 3 measured iterations of 1 s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
JAVA_HOME=$("$root/scripts/java-home")
cp=$("$root/scripts/module-classpath" bench)

if [ "${1:-}" = jmh ]; then
  shift
  # Fork, warm-up and measurement settings are the benchmarks' annotations (1 fork, 3 + 3 iterations of 1 s);
  # JMH options given here override them.
  # JMH 1.37 reads field offsets through sun.misc.Unsafe, which JDK 25 warns about; forks inherit the flag.
  exec "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -cp "$cp" org.openjdk.jmh.Main "$@" 'dev\.berth\.bench\..*'
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.berth.bench.EndpointBench "$@"
