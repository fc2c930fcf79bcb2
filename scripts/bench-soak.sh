#!/usr/bin/env bash
# Soak benchmark: container lifecycles and connect/disconnect pairs through berthd's API in a lab, with
# berthd's open files, sockets, threads, RSS and heap after a full GC, the lab's links, network namespaces,
# nftables elements and state entries, and each operation's median, at every checkpoint.
# It runs SoakTest (daemon module) with larger counts; the test fails if a count grows past its slack.
# Usage: scripts/bench-soak.sh [--lifecycles 10000] [--pairs N] [--every 1000] [--workers 2]
#                              [--until 2026-12-07T19:35:00Z]
#        (pairs defaults to lifecycles; --workers runs that many loops at once, each with its own containers, and
#        reads the checkpoints when all are between operations; --until stops the loop at that UTC time, cleanly,
#        and the results say the run is partial; on containerd a lifecycle and a pair take about 1 s on a quiet
#        2-vCPU machine)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lifecycles=10000 pairs= every=1000 workers=2 until=9999-12-31T23:59:59Z
while [ $# -gt 0 ]; do
  case $1 in
    --lifecycles) lifecycles=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --until) until=$2; shift 2 ;;
    *) echo "usage: $0 [--lifecycles N] [--pairs N] [--every N] [--workers N] [--until INSTANT]" >&2; exit 2 ;;
  esac
done
pairs=${pairs:-$lifecycles}
mkdir -p "$root/bench/results"
out="$root/bench/results/soak-$(date -u +%Y%m%d-%H%M%S).txt"
{
  echo "# berth soak: lifecycles=$lifecycles pairs=$pairs every=$every workers=$workers until=$until  $(date -u +%FT%TZ)  $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# containers are real (berthd's managed containerd, runc, busybox); counts are berthd's (fds, sockets, threads), the lab's"
  echo "# (links, netns of berthd/shims/containers, netns files, nft elements, state/run entries) and containerd's (ctr -n berth"
  echo "# containers, tasks, snapshots; shims alive; containerd's fds); kernel_netns = live net_namespace objects (machine-wide,"
  echo "# other users of the machine move it); rss/heap after jcmd GC.run; p50 per operation since the previous line"
} > "$out"
cd "$root"
status=0
scripts/mvn -q -pl daemon -am verify -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dberth.soak.lifecycles="$lifecycles" -Dberth.soak.pairs="$pairs" -Dberth.soak.every="$every" \
  -Dberth.soak.workers="$workers" \
  -Dberth.soak.until="$until" -Dberth.soak.out="$out" || status=$?
cat "$out"
echo "results: $out"
exit $status
