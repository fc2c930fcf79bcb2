#!/bin/busybox sh
# Berth VM, stage 1: PID 1 of the initramfs. Loads the virtio/9p/overlay modules, mounts the host's
# root (9p, read-only) under a tmpfs overlay so the guest may write anywhere (writes are thrown away),
# mounts the run's control directory and the read-write shares, then hands over to stage 2.
B=/bin/busybox
die() { echo "berth-vm stage 1: $*"; $B poweroff -f; }
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
for m in $($B cat /modules/order); do $B insmod /modules/$m.ko || die "insmod $m failed"; done
opts=trans=virtio,version=9p2000.L,msize=512000
$B mkdir -p /host /rw /newroot
$B mount -t 9p -o $opts,ro,cache=loose hostroot /host || die "cannot mount the host root (9p tag hostroot)"
$B mount -t tmpfs -o mode=0755 tmpfs /rw
$B mkdir -p /rw/upper /rw/work
$B mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || die "overlay mount failed"
for d in /tmp /var/tmp /run; do $B mount -t tmpfs -o mode=1777 tmpfs /newroot$d; done
$B mkdir -p /newroot/run/berth-vm
$B mount -t 9p -o $opts,cache=none ctl /newroot/run/berth-vm || die "cannot mount the control directory (9p tag ctl)"
i=0
while read -r dir; do
  [ -n "$dir" ] || continue
  $B mkdir -p "/newroot$dir"
  $B mount -t 9p -o $opts,cache=mmap rw$i "/newroot$dir" || die "cannot mount $dir read-write (9p tag rw$i)"
  i=$((i + 1))
done < /newroot/run/berth-vm/rw-dirs
$B mount --move /dev /newroot/dev
$B umount /sys /proc
exec $B switch_root /newroot /bin/busybox sh /run/berth-vm/stage2.sh
