#!/usr/bin/env bash
# Engine benchmark (dev.berth.bench.EngineBench): per-endpoint connect latency through Berth's engine
# for endpoints 1..1000 on one bridge network, with and without published ports, against netavark,
# the CNI bridge/portmap plugins and the in-process kernel floor. Everything runs in lab network
# namespaces; this machine's own network is never touched. Writes bench/results/engine-<time>.txt.
# Needs root; the peers need `apt-get install -y netavark containernetworking-plugins`.
# Options are passed through: --n N --rounds R --peer-n N --peer-budget SECONDS --warmup N --cases a,b
# --no-peers --no-berth --out DIR. A full run takes about 5 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "$(id -u)" -ne 0 ]; then
  echo "berth bench: run as root (the benchmark builds a lab of network namespaces)" >&2
  exit 1
fi

cp_file=bench/target/classpath.txt
jar=bench/target/berth-bench-0.1.0-SNAPSHOT.jar

needs_build() {
  [ -f "$cp_file" ] && [ -f "$jar" ] || return 0
  for f in $(tr ':' ' ' < "$cp_file"); do [ -e "$f" ] || return 0; done
  [ -n "$(find pom.xml lab netlink engine bench -newer "$jar" \( -name pom.xml -o -path '*/src/main/*' \) -print -quit)" ]
}

if needs_build; then
  echo "berth bench: building (scripts/mvn -q -pl engine,bench -am package -DskipTests)"
  scripts/mvn -q -pl engine,bench -am package -DskipTests
fi

java_home=$(scripts/java-home)
exec "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar:$(cat "$cp_file")" dev.berth.bench.EngineBench "$@"
