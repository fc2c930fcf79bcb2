#!/bin/sh
# Berth's container wrapper: /bin/sh wrapper.sh DIR WORKDIR OWNUTS OWNNET COMMAND [ARG...]
#
# The launcher starts it as PID 1 of the container's new PID namespace, already inside the container's
# network, UTS and mount namespaces (mount propagation: slave, so nothing mounted here reaches the host).
# It gives the container its own /etc/hosts, /etc/resolv.conf and /etc/hostname (bind mounts of DIR's
# files), its hostname, its own /proc and (own network) /sys, then runs COMMAND with stdout and stderr
# appended to DIR/stdout and DIR/stderr, waits for it and records its exit status (128+N when signal N
# killed it) in DIR/exit. It holds no pipe to the daemon, so containers outlive the daemon.
#
# DIR/pid  "CMDPID CMDSTART WRAPPERPID WRAPPERSTART": host PIDs and /proc start times, written just
#          before COMMAND is exec'd (the daemon guards against PID reuse with the start times).
# DIR/exit the exit status; written by rename, so it is whole or absent. An exit file without a pid
#          file means set-up failed (status 125); this script's own messages go to its stderr, which
#          the launcher points at DIR/setup.log.
# When this script (PID 1) exits, the kernel kills whatever COMMAND left running in the namespace.
dir=$1 workdir=$2 ownuts=$3 ownnet=$4
shift 4
cmdpath=$PATH
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

finish() {
    printf '%s\n' "$1" > "$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
    exit "$1"
}

fail() {
    printf 'berth: %s\n' "$*" >&2
    finish 125
}

# Sets SELF_PID and SELF_START from /proc/self/stat of this very shell (no subshell: `read` is a
# builtin). /proc here is still the host's, so the PID is the host's PID.
self_stat() {
    read -r s < /proc/self/stat || fail "cannot read /proc/self/stat"
    SELF_PID=${s%% *}
    set -- ${s##*") "}
    shift 19
    SELF_START=$1
}

# Bind-mounts DIR's copy over a host file, only if the host has it: Berth never creates host files.
bind() {
    if [ ! -e "$2" ]; then
        printf 'berth: the host has no %s, so the container has none either\n' "$2" >&2
        return 0
    fi
    mount --bind "$1" "$2" || fail "cannot bind-mount $1 on $2"
}

bind "$dir/hosts" /etc/hosts
bind "$dir/resolv.conf" /etc/resolv.conf
bind "$dir/hostname" /etc/hostname
if [ "$ownuts" = 1 ]; then
    read -r name < "$dir/hostname"
    printf '%s' "$name" > /proc/sys/kernel/hostname || fail "cannot set the hostname to '$name'"
fi
if [ "$ownnet" = 1 ]; then
    # /sys/class/net lists the namespace's own interfaces only with a sysfs mounted from inside it
    # (as `ip netns exec` does). A nicety: the container runs without it.
    umount -l /sys 2>/dev/null && mount -t sysfs sysfs /sys 2>/dev/null
fi
[ -d "$workdir" ] || fail "working directory $workdir does not exist"
self_stat
wrapper="$SELF_PID $SELF_START"

(
    self_stat
    # From here on /proc shows the container's PID namespace only.
    mount -t proc proc /proc || fail "cannot mount /proc"
    cd "$workdir" || fail "cannot enter the working directory $workdir"
    printf '%s %s %s\n' "$SELF_PID" "$SELF_START" "$wrapper" > "$dir/pid.tmp" \
        && mv -f "$dir/pid.tmp" "$dir/pid" || fail "cannot write $dir/pid"
    PATH=$cmdpath
    unset OLDPWD PWD
    exec "$@" >> "$dir/stdout" 2>> "$dir/stderr"
)
finish $?
