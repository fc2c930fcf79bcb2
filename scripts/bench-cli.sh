#!/usr/bin/env bash
# CLI start time: wall time of `bin/berth network ls` against a running daemon, N runs, median and p90,
# beside a bare JVM start (`java -version`) as the floor. With BERTH_HOST unset it starts a canned daemon
# (dev.berth.cli.Training --serve, Docker's recorded `GET /networks` answer) on a temporary socket.
# Usage: scripts/bench-cli.sh [runs]   (e.g. BERTH_HOST=unix:///run/berth/berth.sock scripts/bench-cli.sh 50)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-30}
[ -f "$root/cli/target/launcher.env" ] || "$root/scripts/cli-launcher"
. "$root/cli/target/launcher.env"
pid=
if [ -z "${BERTH_HOST:-}" ]; then
  dir=$(mktemp -d)
  "$BERTH_JAVA" -cp "$BERTH_CP" dev.berth.cli.Training --serve "$dir/berth.sock" & pid=$!
  trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
  for _ in $(seq 100); do [ -S "$dir/berth.sock" ] && break; sleep 0.05; done
  export BERTH_HOST="unix://$dir/berth.sock"
fi
"$root/bin/berth" network ls >/dev/null  # must work before it is timed

# Times one command N times (ms, one per line, sorted).
times() {
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | sort -n
}
stat() {  # label, sorted ms values on stdin
  mapfile -t v
  n=${#v[@]}
  printf "%-34s median %4d ms   p90 %4d ms   min %4d ms   (%d runs)\n" "$1" "${v[$((n / 2))]}" "${v[$((n * 9 / 10))]}" "${v[0]}" "$n"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
times "$BERTH_JAVA" -Xshare:auto -version | stat "java -version (JVM floor)"
times "$root/bin/berth" network ls | stat "berth network ls"
times "$root/bin/berth" --help | stat "berth --help"
