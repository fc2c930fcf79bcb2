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
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
