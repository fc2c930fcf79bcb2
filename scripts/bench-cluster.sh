#!/usr/bin/env bash
# Multi-host benchmark (dev.berth.bench.cluster.ClusterBench): iperf3 TCP between containers on two lab
# hosts through Berth's host-gw, vxlan and udp backends and the same paths without Berth (plain routing,
# kernel VXLAN, a socat TUN-over-UDP tunnel), taking turns for --rounds rounds (median per path); then the time from a new host's lease in etcd
# to the route on another host. Everything runs in lab namespaces; this machine's own network is never
# touched. Needs root, etcd-server, etcd-client, iperf3 and socat (scripts/setup.sh installs them).
# Options: --seconds N (per iperf3 run, default 5) --rounds N (default 3) --leases N (default 20) --only plain,host-gw,...,lease
# Writes bench/results/cluster-<time>.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "berth bench: run as root (the benchmark builds a lab of network namespaces)" >&2
  exit 1
fi
"$root/scripts/setup.sh" >&2
cp=$("$root/scripts/module-classpath" bench)
cd "$root"
mkdir -p bench/results
out="bench/results/cluster-$(date -u +%Y%m%d-%H%M%S).txt"
"$("$root/scripts/java-home")/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.berth.bench.cluster.ClusterBench "$@" | tee "$out"
echo "results: $out"
