#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages Berth's build, tests and demo need, when they are missing.
# The lists live in scripts/packages.d/*.list (one file per concern; '#' starts a comment).
# Usage: scripts/setup.sh [extra-package ...]
set -euo pipefail
cd "$(dirname "$0")"
need=($(sed 's/#.*//' packages.d/*.list) "$@")
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
  # Some packages (containerd) start a service when installed: that would run a daemon in this machine's
  # own namespaces. A policy-rc.d that says 101 forbids every start; the machine's own one is kept as is,
  # otherwise one is put in place for the install and removed afterwards.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    trap 'rm -f "$policy"' EXIT
    printf '#!/bin/sh\n# scripts/setup.sh: no service starts while packages install\nexit 101\n' > "$policy"
    chmod 755 "$policy"
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # nor at the next boot: Berth starts its own containerd (or is given one with --containerd)
  if printf '%s\n' "${missing[@]}" | grep -qx containerd; then
    systemctl disable containerd.service >/dev/null 2>&1 || true
    update-rc.d containerd disable >/dev/null 2>&1 || true
  fi
fi
