#!/usr/bin/env bash
# CLI start time: wall time of `bin/berth network ls` against a running daemon, N runs, median and p90,
# beside the docker CLI's `docker network ls` against the same daemon (a Go program: the start to beat) and a
# bare JVM start (`java -version`) as the floor, runs interleaved so that a load change hits all alike.
# With BERTH_HOST unset it starts a canned daemon (dev.berth.cli.Training --serve, Docker's recorded
# `GET /networks` answer) on a temporary socket. Prints the load average before and after, and the user+system
# CPU time of berth's runs (less sensitive than wall time to what else runs).
# Usage: scripts/bench-cli.sh [runs]   (e.g. BERTH_HOST=unix:///run/berth/berth.sock scripts/bench-cli.sh 50)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-30}
[ -f "$root/cli/target/launcher.env" ] || "$root/scripts/cli-launcher"
. "$root/cli/target/launcher.env"
pid= dir=
out=$(mktemp)
trap 'rm -f "$out" "$out.cpu"; [ -z "$pid" ] || kill $pid 2>/dev/null; [ -z "$dir" ] || rm -rf "$dir"' EXIT
if [ -z "${BERTH_HOST:-}" ]; then
  dir=$(mktemp -d)
  "$BERTH_JAVA" -cp "$BERTH_CP" dev.berth.cli.Training --serve "$dir/berth.sock" & pid=$!
  for _ in $(seq 100); do [ -S "$dir/berth.sock" ] && break; sleep 0.05; done
  export BERTH_HOST="unix://$dir/berth.sock"
fi
docker=$(command -v docker || echo /usr/local/bin/docker)
"$root/bin/berth" network ls >/dev/null  # must work before it is timed
DOCKER_HOST=$BERTH_HOST "$docker" network ls >/dev/null

# One round: each command once, its wall time in ms (and CPU ms for berth's) appended to $out as "LABEL MS".
round() {
  local s e
  s=$(date +%s%N); "$BERTH_JAVA" -Xshare:auto -version >/dev/null 2>&1; e=$(date +%s%N)
  echo "floor $(( (e - s) / 1000000 ))" >> "$out"
  s=$(date +%s%N); DOCKER_HOST=$BERTH_HOST "$docker" network ls >/dev/null 2>&1; e=$(date +%s%N)
  echo "docker $(( (e - s) / 1000000 ))" >> "$out"
  s=$(date +%s%N); /usr/bin/time -f "%U %S" -o "$out.cpu" "$root/bin/berth" network ls >/dev/null 2>&1; e=$(date +%s%N)
  echo "berth $(( (e - s) / 1000000 ))" >> "$out"
  echo "berth-cpu $(awk '{printf "%d", ($1 + $2) * 1000}' "$out.cpu")" >> "$out"
  s=$(date +%s%N); "$root/bin/berth" --help >/dev/null 2>&1; e=$(date +%s%N)
  echo "help $(( (e - s) / 1000000 ))" >> "$out"
}
stat() {  # label, key in $out
  mapfile -t v < <(awk -v k="$2" '$1 == k {print $2}' "$out" | sort -n)
  n=${#v[@]}
  printf "%-38s median %4d ms   p90 %4d ms   min %4d ms   (%d runs)\n" "$1" "${v[$((n / 2))]}" "${v[$((n * 9 / 10))]}" "${v[0]}" "$n"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; daemon $BERTH_HOST"
for _ in $(seq "$runs"); do round; done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
stat "java -version (JVM floor)" floor
stat "docker network ls (Go CLI)" docker
stat "berth network ls" berth
stat "berth network ls, CPU user+sys" berth-cpu
stat "berth --help" help
