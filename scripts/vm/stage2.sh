# Berth VM, stage 2: PID 1 on the host's root filesystem (copied into the control directory per run).
# Mounts what a Linux system expects, loads the requested modules with the host's modprobe and
# /lib/modules, runs the command with its output on the virtio port "berth.out", writes its exit
# status to the control directory and powers off.
B=/bin/busybox
C=/run/berth-vm
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mkdir -p /dev/pts /dev/shm
$B mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
$B mount -t tmpfs -o mode=1777 tmpfs /dev/shm
$B mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
for f in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
  $B ln -sf "${f#*:}" "/dev/${f%%:*}"
done
$B hostname berth-vm
$B ip link set lo up
out=/dev/null
for p in /sys/class/virtio-ports/*; do
  [ "$($B cat "$p/name" 2>/dev/null)" = berth.out ] && out=/dev/${p##*/}
done
modules=$($B cat $C/modules)
[ -z "$modules" ] || /sbin/modprobe -a $modules > "$out" 2>&1
if [ -e $C/systemd ]; then
  # systemd as PID 1 runs the command as a unit of its own and powers off when it ended (run-in-vm.sh --systemd)
  $B mkdir -p /etc/systemd/system
  $B cat > /etc/systemd/system/berth-vm.service <<EOF
[Unit]
Description=the command of scripts/vm/run-in-vm.sh
Wants=systemd-journald.socket
After=systemd-journald.socket
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
TimeoutStartSec=infinity
ExecStart=/bin/sh -c '/bin/sh $C/cmd.sh < /dev/null > $out 2>&1; echo \$\$? > $C/rc; sync'
EOF
  exec /lib/systemd/systemd --unit=berth-vm.service --log-target=kmsg
fi
/bin/sh $C/cmd.sh < /dev/null > "$out" 2>&1
echo $? > $C/rc
$B sync
$B poweroff -f
