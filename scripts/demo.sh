#!/usr/bin/env bash
# make demo: runs the seeds' walkthrough with Berth (dev.berth.demo.SeedsDemo) in a lab of network
# namespaces. Needs root (the lab makes network namespaces); this machine's own network is never touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "berth demo: run as root (the demo builds a lab of network namespaces)" >&2
  exit 1
fi
cp=$("$root/scripts/module-classpath" demo)
cd "$root"
exec "$("$root/scripts/java-home")/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" -Dberth.root="$root" dev.berth.demo.SeedsDemo "$@"
