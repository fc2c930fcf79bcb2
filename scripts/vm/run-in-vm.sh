#!/usr/bin/env bash
# Runs a command in a throw-away QEMU VM that boots Debian's stock kernel (linux-image-amd64) on this
# machine's root filesystem, shared read-only over 9p (writes land in guest RAM and are thrown away).
# For testing what this kernel lacks (ipvlan, 802.1q VLANs, dummy links). The guest has no network
# device: nothing it does reaches this machine's network.
#
# Usage: scripts/vm/run-in-vm.sh [options] -- COMMAND [ARG...]
#   --rw DIR         share DIR read-write at the same path (repeatable)
#   --env NAME=VALUE set a variable for COMMAND (PATH, JAVA_HOME and LANG are passed on anyway)
#   --modules LIST   modules to load first, e.g. "ipvlan 8021q" (they also load on demand)
#   --mem SIZE       guest memory (default 2G)       --cpus N   guest CPUs (default 2)
#   --timeout SEC    kill the VM after SEC seconds (default 600)
#   --accel tcg|kvm  default: kvm only with kvm_intel/kvm_amd; a nested kvm_pvm (as on this
#                    machine's kind) runs stock kernels far too slowly, so TCG is used there
#   --systemd        boot systemd as PID 1 and run COMMAND as its unit berth-vm.service (with journald, so
#                    COMMAND may use systemctl and journalctl); the VM powers off when the unit ends
#   --debug          print the guest's kernel console afterwards
#   BERTH_VM_KARGS   replaces "quiet loglevel=3" on the kernel command line (e.g. loglevel=7 with --debug)
#   --check          only check that a VM can be started here (exit 0), else say why (exit 3)
# COMMAND runs as root in the current directory; its stdout and stderr arrive (merged) on this
# script's stdout as it runs, and the script exits with its exit status.
# Exit status of its own: 3 no VM possible here (see --check), 124 timeout, 125 VM failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

rw=() envs=() modules="" mem=2G cpus=2 timeout=600 accel="" debug=0 check=0 systemd=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rw) rw+=("$(realpath -e "$2")"); shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --modules) modules=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --accel) accel=$2; shift 2 ;;
    --debug) debug=1; shift ;;
    --systemd) systemd=1; shift ;;
    --check) check=1; shift ;;
    --) shift; break ;;
    *) echo "run-in-vm: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ $check = 1 ] || [ $# -gt 0 ] || { echo "usage: $0 [options] -- COMMAND [ARG...]" >&2; exit 2; }

cannot() { echo "run-in-vm: no VM can run here: $* (scripts/setup.sh installs what is missing)" >&2; exit 3; }
qemu=$(command -v qemu-system-x86_64) || cannot "qemu-system-x86_64 is missing (package qemu-system-x86)"
kver=$(ls /lib/modules 2>/dev/null | sort -V | while read -r k; do [ -f "/boot/vmlinuz-$k" ] && echo "$k"; done | tail -1)
[ -n "$kver" ] || cannot "no kernel with modules in /boot and /lib/modules (package linux-image-amd64)"
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || [ "$(/bin/busybox 2>&1 | head -c 7)" = BusyBox ] \
  || cannot "no static /bin/busybox (package busybox-static)"
[ "$(id -u)" = 0 ] || cannot "must run as root (the guest shares / as root)"

if [ -z "$accel" ]; then
  accel=tcg
  [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; } && accel=kvm
fi
case "$accel" in
  kvm) accel_args=(-accel kvm -cpu host) ;;
  tcg) accel_args=(-accel tcg,thread=multi,tb-size=512 -cpu max) ;;
  *) echo "run-in-vm: --accel must be tcg or kvm" >&2; exit 2 ;;
esac

# ---- the boot files, built once per kernel and init script (a few seconds), cached ----
cache_root=/var/tmp/berth-vm
stamp=$(cat "$here/init.sh" "$0" | sha256sum | cut -c1-12)
cache=$cache_root/$kver-$stamp
modules_of() { # the modules.dep closure of the named modules, dependencies first
  local dep=/lib/modules/$kver/modules.dep seen=" " out=()
  visit() {
    local path=$1 name; name=$(basename "$path" .ko)
    case "$seen" in *" $name "*) return ;; esac
    seen+="$name "
    local d; for d in $(grep "^$path:" "$dep" | cut -d: -f2); do visit "$d"; done
    out+=("$path")
  }
  local m p; for m in "$@"; do
    p=$(grep -oE "^[^:]*/$m\.ko:" "$dep" | tr -d :) || continue # built in: nothing to load
    visit "$p"
  done
  printf '%s\n' "${out[@]}"
}
build_cache() {
  local t; t=$(mktemp -d "$cache_root/build.XXXXXX")
  mkdir -p "$t/root/bin" "$t/root/modules" "$t/root/proc" "$t/root/sys" "$t/root/dev"
  cp /bin/busybox "$t/root/bin/busybox"
  cp "$here/init.sh" "$t/root/init"
  local p; for p in $(modules_of virtio_pci virtio_console 9pnet_virtio 9p overlay); do
    cp "/lib/modules/$kver/$p" "$t/root/modules/"
    basename "$p" .ko >> "$t/root/modules/order"
  done
  (cd "$t/root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) > "$t/initrd.cpio"
  # An uncompressed ELF vmlinux boots through its PVH entry: no in-guest decompression (seconds under TCG).
  local off; off=$(LC_ALL=C grep -obaP '\xfd7zXZ\x00' "/boot/vmlinuz-$kver" | head -1 | cut -d: -f1 || true)
  if [ -n "$off" ] && tail -c +$((off + 1)) "/boot/vmlinuz-$kver" | xz -dqc > "$t/vmlinux" 2>/dev/null; [ -s "$t/vmlinux" ] \
     && [ "$(head -c 4 "$t/vmlinux" | tail -c 3)" = ELF ]; then :; else cp "/boot/vmlinuz-$kver" "$t/vmlinux"; fi
  mkdir -p "$cache"
  mv "$t/initrd.cpio" "$t/vmlinux" "$cache/"
  rm -rf "$t"
  for old in "$cache_root"/*-*; do [ "$old" = "$cache" ] || rm -rf "$old"; done # built by other versions of this script
}
mkdir -p "$cache_root"
if [ ! -s "$cache/vmlinux" ]; then
  ( flock 9; [ -s "$cache/vmlinux" ] || build_cache ) 9> "$cache_root/.lock"
fi
[ $check = 1 ] && { echo "run-in-vm: ready ($qemu, kernel $kver, accel $accel)"; exit 0; }

# ---- this run's control directory: the command, its environment, shares; the guest writes rc ----
run=$(mktemp -d /tmp/berth-vm.XXXXXX)
trap 'rm -rf "$run"' EXIT
cp "$here/stage2.sh" "$run/stage2.sh"
echo "$modules" > "$run/modules"
[ $systemd = 0 ] || touch "$run/systemd"
printf '%s\n' "${rw[@]}" > "$run/rw-dirs"
{
  for v in PATH JAVA_HOME LANG; do [ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"; done
  for kv in "${envs[@]}"; do printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"; done
  printf 'cd %q || exit 125\nexec' "$PWD"
  printf ' %q' "$@"
  printf '\n'
} > "$run/cmd.sh"
shares=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
        -virtfs "local,path=$run,mount_tag=ctl,security_model=none")
i=0
for d in "${rw[@]}"; do
  case "$d" in *,*) echo "run-in-vm: a path with a comma cannot be shared: $d" >&2; exit 2 ;; esac
  shares+=(-virtfs "local,path=$d,mount_tag=rw$i,security_model=none"); i=$((i + 1))
done

# The command's output: virtio serial port "berth.out" -> this script's stdout, as it comes. (A stdio
# chardev stalls QEMU's 9p server with stdin on /dev/null; a file chardev on our own fd 1 does not.)
# qemu writes to its stdout through a pipe (cat), so its output and ours never overwrite each other in
# a file; --foreground keeps it in our process group, so Ctrl-C stops it.
set +e
timeout --foreground -k 5 "$timeout" "$qemu" "${accel_args[@]}" -m "$mem" -smp "$cpus" -M pc \
  -nodefaults -no-user-config -display none -no-reboot -nic none \
  -kernel "$cache/vmlinux" -initrd "$cache/initrd.cpio" \
  -append "console=ttyS0 ${BERTH_VM_KARGS:-quiet loglevel=3} panic=-1 rdinit=/init nokaslr mitigations=off tsc=reliable no_timer_check dummy.numdummies=0" \
  -serial "file:$run/console.log" "${shares[@]}" \
  -device virtio-serial-pci -chardev file,id=out,path=/proc/self/fd/1,append=on -device virtserialport,chardev=out,name=berth.out \
  < /dev/null | cat
qrc=${PIPESTATUS[0]}
set -e
[ $debug = 0 ] || { echo "---- guest console ----" >&2; cat "$run/console.log" >&2; }
[ -s "$run/rc" ] && exit "$(cat "$run/rc")"
[ $qrc = 124 ] && { echo "run-in-vm: timed out after ${timeout}s" >&2; exit 124; }
echo "run-in-vm: the VM stopped (qemu exit $qrc) without the command's exit status; its console:" >&2
tail -n 30 "$run/console.log" >&2
exit 125
