#!/usr/bin/env bash
# DNS benchmark (dev.berth.bench.dns.DnsBench): Berth's embedded resolver, run alone in its own JVM
# inside a lab namespace (nsenter --net), against aardvark-dns serving the same names. dnsperf runs
# from inside a sandbox made by the engine: a local name and a forwarded one; then one query at a
# time (p50/p90/p99); then a longer flood against Berth while its RSS, heap after GC and per-query
# allocation are sampled. Everything runs in lab namespaces; this machine's own network is never
# touched. Needs root and the packages in scripts/packages.d/dns.list (dnsperf, aardvark-dns).
# Options: --seconds S (10) --latency-n N (20000) --flood-seconds S (120) --out DIR (bench/results)
# --jvm "FLAGS" (the resolver JVM's flags; default -XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:ReservedCodeCacheSize=32m).
# Or: scripts/bench-dns.sh --berthd-flood MINUTES: a real berthd (with containerd, in a lab) flooded through
# its embedded DNS by dnsperf inside a container for MINUTES minutes, qps, lost queries, RSS, heap, open files,
# sockets and threads every minute (DnsFloodBench in the daemon module); bench/results/dns-flood-*.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "berth bench: run as root (the benchmark builds a lab of network namespaces)" >&2
  exit 1
fi
if [ "${1:-}" = "--berthd-flood" ]; then
  minutes=${2:?usage: $0 --berthd-flood MINUTES}
  mkdir -p "$root/bench/results"
  out="$root/bench/results/dns-flood-$(date -u +%Y%m%d-%H%M%S).txt"
  cd "$root"
  status=0
  scripts/mvn -q -pl daemon -am verify -Dtest=DnsFloodBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dberth.dnsflood.minutes="$minutes" -Dberth.dnsflood.out="$out" || status=$?
  cat "$out"
  echo "results: $out"
  exit $status
fi
"$root/scripts/setup.sh"
cp=$("$root/scripts/module-classpath" bench)
cd "$root"
exec "$("$root/scripts/java-home")/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.berth.bench.dns.DnsBench "$@"
