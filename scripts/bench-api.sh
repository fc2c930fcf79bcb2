#!/usr/bin/env bash
# Engine API benchmark (dev.berth.bench.api.ApiBench, issue 4): berthd against Docker's own dockerd
# (Debian's docker.io 20.10), each inside its own lab namespace, in one run. The same docker CLI
# (/usr/local/bin/docker) and raw Engine API requests on each Unix socket time network create/rm,
# connect/disconnect of a running container and run -d/rm -f (median, p99), then CLI start time
# (`docker network ls`, and `bin/berth network ls` when the checkout has it; goal < 150 ms).
# Containers (issue 11): `docker run -d`, `docker run --rm busybox true` and `docker exec` p50/p99 beside
# containerd's own floor (the same containerd and runc in a third lab namespace, driven by `ctr`, its
# process start included), RSS of each daemon with its containerd, and where berthd's time goes in run -d
# (a berthd of its own with the crash tests' step trace: the median time between its steps).
# Every client runs inside a lab namespace too; this machine's own network is never touched.
# Writes bench/results/api-<time>.txt. Needs root. Takes about 3-5 minutes.
#
# docker.io is installed here when missing, NOT by setup.sh (`make test` must never install it),
# under a policy-rc.d that forbids every service start, so the install cannot start a dockerd or
# containerd in the root namespace (the script checks that none appeared and says so loudly if one did),
# and with their boot-time start disabled (systemd units and SysV links).
# Options are passed through: --n N (50) --warmup N (5) --cli-n N (20) --no-dockerd --no-ctr --out DIR --docker PATH.
#
# scripts/bench-api.sh --footprint [--rounds N] [--containers N] [--no-flags] ... runs the footprint
# benchmark instead (dev.berth.bench.api.FootprintBench, make bench-footprint): spawn to first /_ping and
# RSS idle and with running containers, berthd (bin/berthd) beside dockerd with its containerd, and what
# each of bin/berthd's JVM flags costs or saves. Writes bench/results/footprint-<time>.txt.
#
# scripts/bench-api.sh --connect [--n 200] [--concurrent 200] [--rounds 3] ... runs the connect benchmark instead
# (dev.berth.bench.api.ConnectBench, make bench-connect, issue 14): berthd's API connect/disconnect of running
# containers on a persistent connection beside netavark setup/teardown, serial and 200 at once, and a per-stage
# breakdown from a traced berthd. Needs netavark (make bench-connect installs it). Writes bench/results/connect-<time>.txt.
set -euo pipefail
main=dev.berth.bench.api.ApiBench
want_dockerd=1
if [ "${1:-}" = --footprint ]; then main=dev.berth.bench.api.FootprintBench; shift; fi
if [ "${1:-}" = --connect ]; then main=dev.berth.bench.api.ConnectBench; want_dockerd=0; shift; fi
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "berth bench-api: run as root (the benchmark builds a lab of network namespaces)" >&2
  exit 1
fi
"$root/scripts/setup.sh"

for a in "$@"; do [ "$a" = --no-dockerd ] && want_dockerd=0; done
extra=()

daemons() { pgrep -a -x dockerd || true; pgrep -a -x containerd || true; }

root_docker0() { ip -o link show docker0 >/dev/null 2>&1; } # a read-only look at the root namespace

policy=/usr/sbin/policy-rc.d
policy_backup= policy_created=0
restore_policy() { # puts back the policy-rc.d that was there before, or none
  if [ -n "$policy_backup" ]; then cp -p "$policy_backup" "$policy"; rm -f "$policy_backup"; policy_backup=; fi
  if [ "$policy_created" = 1 ]; then rm -f "$policy"; policy_created=0; fi
}

install_docker() {
  echo "berth bench-api: installing docker.io and busybox-static (no service may start meanwhile)"
  local before docker0_before=0 after
  before=$(daemons)
  root_docker0 && docker0_before=1
  if [ -e "$policy" ]; then policy_backup=$(mktemp); cp -p "$policy" "$policy_backup"; else policy_created=1; fi
  trap restore_policy EXIT
  printf '#!/bin/sh\n# scripts/bench-api.sh: no service starts while docker.io installs\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  local ok=1
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends docker.io busybox-static \
    || { apt-get -o DPkg::Lock::Timeout=300 update -q && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
           install -y -q --no-install-recommends docker.io busybox-static; } || ok=0
  restore_policy
  trap - EXIT
  # nor at the next boot: a dockerd there would make docker0 and set FORWARD to DROP in the root namespace
  systemctl disable docker.service docker.socket containerd.service >/dev/null 2>&1 || true
  update-rc.d docker disable >/dev/null 2>&1 || true
  after=$(daemons)
  if [ "$after" != "$before" ]; then
    echo "!!!!!!!! berth bench-api: the docker.io install STARTED daemons in the root namespace: !!!!!!!!" >&2
    echo "$after" >&2
    echo "!!!!!!!! left untouched; stop them yourself. Not benchmarking dockerd.                !!!!!!!!" >&2
    return 1
  fi
  if [ "$docker0_before" = 0 ] && root_docker0; then
    echo "!!!!!!!! berth bench-api: docker0 APPEARED in the root namespace during the install; left untouched !!!!!!!!" >&2
    return 1
  fi
  [ "$ok" = 1 ]
}

if [ "$want_dockerd" = 1 ]; then
  if ! command -v dockerd >/dev/null || [ ! -x /bin/busybox ]; then
    install_docker || { echo "berth bench-api: no dockerd to compare with; running berthd alone" >&2; extra+=(--no-dockerd); }
  fi
  if [ -S /run/containerd/containerd.sock ]; then
    # dockerd would use a system containerd instead of starting its own inside the lab
    echo "berth bench-api: a system containerd listens on /run/containerd/containerd.sock; not running dockerd next to it" >&2
    extra+=(--no-dockerd)
  fi
fi

before=$(daemons)
docker0_before=0; root_docker0 && docker0_before=1
# bin/berth and bin/berthd prepare their JDK, class path and AOT cache on first use; do that now, not in a timed run
"$root/bin/berth" --version >/dev/null
"$root/bin/berthd" --version >/dev/null
cp=$("$root/scripts/module-classpath" bench)
cd "$root"
status=0
"$("$root/scripts/java-home")/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" "$main" \
  --root "$root" "$@" "${extra[@]}" || status=$?
left=$(pgrep -a -f '/run/blab-[0-9a-f]*-dockerd' || true)
if [ -n "$left" ]; then
  echo "berth bench-api: processes of a lab dockerd are still running:" >&2; echo "$left" >&2; status=1
fi
if [ "$docker0_before" = 0 ] && root_docker0; then
  echo "!!!!!!!! berth bench-api: docker0 APPEARED in the root namespace during the run; left untouched !!!!!!!!" >&2; status=1
fi
[ "$(daemons)" = "$before" ] || { echo "berth bench-api: dockerd/containerd processes changed during the run:" >&2; daemons >&2; }
exit $status
