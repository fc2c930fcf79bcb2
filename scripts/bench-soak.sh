#!/usr/bin/env bash
# Soak benchmark: container lifecycles and connect/disconnect pairs through berthd's API in a lab, with
# berthd's open files, sockets, threads, RSS and heap after a full GC, the lab's links, network namespaces,
# nftables elements and state entries, and each operation's median, at every checkpoint.
# It runs SoakTest (daemon module) with larger counts; the test fails if a count grows past its slack.
# Usage: scripts/bench-soak.sh [--lifecycles 10000] [--pairs N] [--every 1000]
#        (pairs defaults to lifecycles; about 0.3 s per lifecycle and pair on a 2-vCPU machine)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lifecycles=10000 pairs= every=1000
while [ $# -gt 0 ]; do
  case $1 in
    --lifecycles) lifecycles=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    *) echo "usage: $0 [--lifecycles N] [--pairs N] [--every N]" >&2; exit 2 ;;
  esac
done
pairs=${pairs:-$lifecycles}
mkdir -p "$root/bench/results"
out="$root/bench/results/soak-$(date -u +%Y%m%d-%H%M%S).txt"
{
  echo "# berth soak: lifecycles=$lifecycles pairs=$pairs every=$every  $(date -u +%FT%TZ)  $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# counts are berthd's (fds, sockets, threads) and the lab's (links, netns, nft elements, state entries); rss/heap after jcmd GC.run; p50 per operation since the previous line"
} > "$out"
cd "$root"
status=0
scripts/mvn -q -pl daemon -am verify -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dberth.soak.lifecycles="$lifecycles" -Dberth.soak.pairs="$pairs" -Dberth.soak.every="$every" \
  -Dberth.soak.out="$out" || status=$?
cat "$out"
echo "results: $out"
exit $status
