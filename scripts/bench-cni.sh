#!/usr/bin/env bash
# CNI benchmark (dev.berth.bench.cni.CniBench, issue 15): ADD and DEL p50/p99 of Berth's plugin
# (bin/cni/berth + berthd) against the reference bridge + portmap plugins (Debian's containernetworking-plugins),
# driven the same way (one nsenter'd process per call, configuration on stdin), one published port per pod.
# Everything runs in lab namespaces; this machine's own network is never touched. Writes bench/results/cni-<time>.txt.
# Needs root. Options are passed through: --n N (100) --warmup N (5) --out DIR. About a minute.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "berth bench-cni: run as root (the benchmark builds a lab of network namespaces)" >&2
  exit 1
fi
"$root/scripts/setup.sh" containernetworking-plugins
"$root/scripts/cni-plugin"
"$root/bin/berthd" --version >/dev/null  # prepares bin/berthd (JVM flags, AOT cache) before anything is timed
cp=$("$root/scripts/module-classpath" bench)
cd "$root"
exec "$("$root/scripts/java-home")/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.berth.bench.cni.CniBench \
  --root "$root" "$@"
