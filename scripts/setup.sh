#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages Berth's build, tests and demo need, when they are missing.
# Usage: scripts/setup.sh [extra-package ...]
set -euo pipefail
need=(iproute2 nftables libnftables1 iptables socat strace iputils-ping maven procps kmod util-linux "$@")
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "berth setup: missing packages ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "berth setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
