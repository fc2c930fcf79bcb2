#!/bin/sh
# Runs dockerd INSIDE `ip netns exec LAB` for scripts/bench-api.sh (dev.berth.bench.api.DockerdTarget).
# `ip netns exec` gives the command a private mount namespace with a fresh sysfs for the lab netns, so
# the cgroup hierarchies under /sys/fs/cgroup vanish and dockerd would fail with "Devices cgroup isn't
# mounted". Mount them again, as init's mount table has them, in that private mount namespace only
# (nothing propagates back), then exec dockerd with the arguments given.
set -eu
while read -r src dir type opts rest; do
  case "$dir" in /sys/fs/cgroup|/sys/fs/cgroup/*) ;; *) continue ;; esac
  case "$type" in
    tmpfs) mount -t tmpfs -o mode=755 tmpfs "$dir" ;;
    cgroup2) mkdir -p "$dir"; mount -t cgroup2 cgroup2 "$dir" ;;
    cgroup)
      o=$(echo "$opts" | tr , '\n' | grep -v -x -e rw -e ro -e relatime -e nosuid -e nodev -e noexec | paste -sd, -)
      case "$o" in name=*|"") o="none${o:+,$o}" ;; esac
      mkdir -p "$dir"; mount -t cgroup -o "$o" cgroup "$dir" ;;
  esac
done < /proc/1/mounts
exec dockerd "$@"
