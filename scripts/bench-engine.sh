#!/usr/bin/env bash
# Engine benchmark (dev.berth.bench.EngineBench): per-endpoint connect latency through Berth's engine
# for endpoints 1..1000 on one bridge network, with and without published ports, against netavark,
# the CNI bridge/portmap plugins and the in-process kernel floor. Everything runs in lab network
# namespaces; this machine's own network is never touched. Writes bench/results/engine-<time>.txt.
# Needs root; the peers need `apt-get install -y netavark containernetworking-plugins` (make bench-engine does it).
# Options are passed through: --n N --rounds R --peer-n N --peer-budget SECONDS --peer-rounds R --warmup N --cases a,b
# --no-peers --no-berth --out DIR. A full run takes about 5 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "berth bench: run as root (the benchmark builds a lab of network namespaces)" >&2
  exit 1
fi
cp=$("$root/scripts/module-classpath" bench)
cd "$root"
exec "$("$root/scripts/java-home")/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.berth.bench.EngineBench "$@"
