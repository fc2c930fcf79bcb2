#!/usr/bin/env bash
# Berth as Docker's remote network driver, proved with Docker's own dockerd (DockerdDriverIT): dockerd
# (Debian's docker.io 20.10) runs in a lab namespace next to berthd (--docker-plugin), `docker network
# create -d berth-RUN` and containers on it reach each other, the outside and publish a port. Not part of
# `make test`, which never installs Docker: this script installs docker.io when it is missing, under a
# policy-rc.d that forbids service starts (and disables them at boot), as scripts/bench-api.sh does. Also
# DockerdClusterIT: two dockerds on two lab hosts, each beside its berthd in one etcd/VXLAN cluster.
# Needs root. 2-6 minutes with the build, by the machine's load.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "berth test-docker-driver: run as root (the test builds a lab of network namespaces)" >&2
  exit 1
fi
"$root/scripts/setup.sh"
if ! command -v dockerd >/dev/null; then
  policy=/usr/sbin/policy-rc.d backup=
  if [ -e "$policy" ]; then backup=$(mktemp); cp -p "$policy" "$backup"; fi
  restore() { if [ -n "$backup" ]; then cp -p "$backup" "$policy"; rm -f "$backup"; else rm -f "$policy"; fi; }
  trap restore EXIT
  printf '#!/bin/sh\n# scripts/test-docker-driver.sh: no service starts while docker.io installs\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends docker.io
  restore
  trap - EXIT
  systemctl disable docker.service docker.socket containerd.service >/dev/null 2>&1 || true
  update-rc.d docker disable >/dev/null 2>&1 || true
fi
cd "$root"
exec scripts/mvn -q -pl daemon -am verify -Dtest='Dockerd*IT' -Dsurefire.failIfNoSpecifiedTests=false
