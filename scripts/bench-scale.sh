#!/usr/bin/env bash
# Scale benchmark (dev.berth.bench.scale.ScaleBench): 1000 user networks on one engine (createNetwork p50 at
# #1 and #1000, nftables rule count) and 10,000 published ports (publish p50 and DNAT connection rate with 1
# port vs 10,001). Everything runs in lab namespaces; this machine's own network is never touched.
# Options: --networks N (1000) --ports P (10000) --rounds R (3) --seconds S (5) --publishes K (30) --wrk C (the
# connection rate from wrk with C connections instead of a Java loop).
# Writes bench/results/scale-<time>.txt. Needs root; takes about 3 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "berth bench: run as root (the benchmark builds a lab of network namespaces)" >&2
  exit 1
fi
cp=$("$root/scripts/module-classpath" bench)
cd "$root"
mkdir -p bench/results
out="bench/results/scale-$(date -u +%Y%m%d-%H%M%S).txt"
"$("$root/scripts/java-home")/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.berth.bench.scale.ScaleBench "$@" | tee "$out"
echo "results: $out"
