#!/usr/bin/env bash
# make test-vm: installs the Debian package (make package) in the QEMU VM that boots Debian's stock kernel
# (scripts/vm/run-in-vm.sh --systemd: systemd is PID 1, the guest's writes go to RAM and are thrown away)
# with every JDK hidden, lets the postinst start berthd.service, drives it with the docker CLI through
# DOCKER_HOST and a docker context (the seeds' images loaded from an archive: the guest has no network),
# exercises the unit (status, stop, start, restart with a container running, the journal) and removes and
# purges the package. Takes 5-15 minutes under TCG. The postinst's AOT training is skipped in the guest
# (it needs 10-20 minutes of emulated CPU): BERTH_VM_AOT=1 keeps it.
# Usage: scripts/vm/test-package.sh [DEB]   (default: target/berth_<version>_<arch>.deb)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
deb=${1:-$root/target/berth_$("$root/scripts/version" --deb)_$(dpkg --print-architecture).deb}
[ -f "$deb" ] || { echo "test-package: no $deb: run make package first" >&2; exit 2; }
deb=$(realpath "$deb")
docker=$(command -v docker || echo /usr/local/bin/docker)

# the guest sees this machine's root file system, but not its /tmp: the script and images go beside the package
guest=$(mktemp "$(dirname "$deb")/vm-package-test.XXXXXX.sh")
images=$(mktemp "$(dirname "$deb")/vm-package-images.XXXXXX.tar")
trap 'rm -f "$guest" "$images"' EXIT
# the seeds' busybox and nginx stand-in (dev.berth.lab.SeedImages), as a docker save archive
saver=$(mktemp -d)
cat > "$saver/SaveImages.java" <<'EOF'
public class SaveImages {
    public static void main(String[] a) throws Exception {
        java.nio.file.Files.copy(dev.berth.lab.SeedImages.archive(), java.nio.file.Path.of(a[0]), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
EOF
"$("$root/scripts/java-home")/bin/java" -cp "$("$root/scripts/module-classpath" bench)" "$saver/SaveImages.java" "$images"
rm -rf "$saver"
cat > "$guest" <<EOF
#!/bin/bash
set -euo pipefail
step() { echo; echo "== \$(date +%T) \$*"; }
fail() { echo "FAIL: \$*"; journalctl -u berthd --no-pager | tail -n 40 || true; exit 1; }
docker=$docker
wait_socket() { # berthd is ready (up to 10 minutes: a JVM without AOT cache under TCG); not docker version:
  # berthd answers /_ping and /version from its first moments, network ls only once it is ready
  for i in \$(seq 1 1200); do
    [ -S /run/berth/berth.sock ] && \$docker -H unix:///run/berth/berth.sock network ls >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "berthd did not answer on /run/berth/berth.sock"
}
step "systemd is PID 1: \$(cat /proc/1/comm), \$(systemctl is-system-running || true)"
[ -d /run/systemd/system ] || fail "not booted with systemd"
step "no JDK in this guest: /usr/lib/jvm hidden"
mount -t tmpfs tmpfs /usr/lib/jvm
hash -r
! command -v javac >/dev/null || fail "a javac is still on PATH: \$(command -v javac)"
# the guest's root is an overlay (RAM over this machine's read-only root): containerd's overlay snapshots
# cannot have their upper directories on it, so berthd's state gets a file system of its own, as on a machine
mkdir -p /var/lib/berth
mount -t tmpfs -o mode=0711 tmpfs /var/lib/berth
# this machine forbids service starts (policy-rc.d); the guest's copy (in its RAM only) may go: the postinst starts berthd
rm -f /usr/sbin/policy-rc.d
step "dpkg -i $(basename "$deb")"
# The AOT training the postinst runs takes 10-20 minutes of emulated CPU here; BERTH_VM_AOT=1 keeps it.
if [ -z "${BERTH_VM_AOT:-}" ]; then
  export BERTHD_NO_AOT=1 BERTH_NO_AOT=1
  mkdir -p /etc/systemd/system/berthd.service.d
  printf '[Service]\nEnvironment=BERTHD_NO_AOT=1\n' > /etc/systemd/system/berthd.service.d/vm.conf
fi
dpkg -i "$deb"
dpkg -s berth | grep -E '^(Version|Depends|Status):'
getent group berth || fail "no group berth"
/usr/bin/berthd --version
/usr/bin/berth --version
if [ -z "\${BERTHD_NO_AOT:-}" ]; then
  [ -s /var/cache/berth/berthd.aot ] && echo "berthd's AOT cache: \$(du -h /var/cache/berth/berthd.aot | cut -f1)" || fail "no AOT cache for berthd"
fi
grep -q "BERTHD_JAVA='/usr/lib/berth/runtime/bin/java'" /var/cache/berth/berthd.env || fail "berthd does not run the bundled runtime"
step "berthd.service, started by the postinst"
systemctl is-enabled berthd.service || fail "berthd.service is not enabled"
wait_socket
systemctl is-active berthd.service || fail "berthd.service is not active"
systemctl status berthd.service --no-pager | head -n 12
[ "\$(stat -c %G:%a /run/berth/berth.sock)" = berth:660 ] || fail "socket is \$(stat -c %G:%a /run/berth/berth.sock), not berth:660"
step "the docker CLI with DOCKER_HOST"
export DOCKER_HOST=unix:///run/berth/berth.sock
\$docker version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}}), {{.Server.Platform.Name}}'
\$docker load -i $images || fail "docker load failed"
\$docker images
step "docker run --rm busybox"
out=\$(\$docker run --rm busybox echo hello from busybox)
echo "\$out"
[ "\$out" = "hello from busybox" ] || fail "docker run --rm printed '\$out'"
step "a user network: two containers find each other by name"
\$docker network create --subnet 10.77.0.0/24 vmnet
\$docker run -d --name va --network vmnet busybox sleep 7200
\$docker run -d --name vb --network vmnet busybox sleep 7200
\$docker exec va ping -c 2 -W 2 vb
\$docker exec vb ping -c 2 -W 2 10.77.0.1
\$docker ps
step "systemctl restart berthd: the containers keep running and are adopted"
pid_a=\$(\$docker inspect -f '{{.State.Pid}}' va)
systemctl restart berthd.service
wait_socket
systemctl is-active berthd.service
[ "\$(\$docker inspect -f '{{.State.Running}} {{.State.Pid}}' va)" = "true \$pid_a" ] || fail "container va was not adopted with its process \$pid_a"
\$docker exec va ping -c 1 -W 2 vb
step "systemctl stop, then start"
systemctl stop berthd.service
! systemctl is-active berthd.service || fail "berthd.service still active after stop"
[ ! -S /run/berth/berth.sock ] || ! \$docker version >/dev/null 2>&1 || fail "berthd still answers after stop"
kill -0 \$pid_a || fail "container va died with berthd"
systemctl start berthd.service
wait_socket
\$docker exec va true
step "the journal"
journalctl -u berthd.service --no-pager -o cat | grep -c "berthd ready" | grep -qx 3 || { journalctl -u berthd.service --no-pager | tail -n 30; fail "the journal does not show three starts"; }
journalctl -u berthd.service --no-pager | tail -n 5
step "berthd.socket: systemd listens, the docker CLI's first request starts berthd (socket activation)"
systemctl stop berthd.service
! systemctl is-active berthd.service || fail "berthd.service still active after stop"
systemctl enable --now berthd.socket
systemctl is-active berthd.socket || fail "berthd.socket is not active"
[ -S /run/berth/berth.sock ] || fail "berthd.socket made no /run/berth/berth.sock"
[ "\$(stat -c %G:%a /run/berth/berth.sock)" = berth:660 ] || fail "systemd's socket is \$(stat -c %G:%a /run/berth/berth.sock), not berth:660"
! systemctl is-active berthd.service || fail "berthd.service started before any request"
# the first connection starts berthd.service with the socket (LISTEN_FDS); the CLI's request waits meanwhile
out=\$(timeout 900 \$docker version --format '{{.Server.Version}}') || fail "the first request through berthd.socket failed"
echo "first request answered: server \$out"
systemctl is-active berthd.service || fail "the first request did not start berthd.service"
[ "\$(\$docker inspect -f '{{.State.Running}} {{.State.Pid}}' va)" = "true \$pid_a" ] || fail "container va was not adopted by the socket-activated berthd"
\$docker exec va ping -c 1 -W 2 vb
out=\$(\$docker run --rm busybox echo hello through berthd.socket)
[ "\$out" = "hello through berthd.socket" ] || fail "docker run --rm printed '\$out' under socket activation"
# read once berthd is ready: the line is logged when the server has adopted the socket, maybe after /version's answer
journalctl -u berthd.service --no-pager -o cat | grep "from=systemd" | tail -n 1 | grep -q "socket=/run/berth/berth.sock" || { journalctl -u berthd.service --no-pager | tail -n 30; fail "berthd did not serve on the socket systemd passed"; }
step "berthd.socket disabled again: berthd binds its socket itself"
systemctl disable --now berthd.socket
! systemctl is-enabled --quiet berthd.socket || fail "berthd.socket still enabled"
! systemctl is-active berthd.socket || fail "berthd.socket still active"
\$docker version --format '{{.Server.Version}}' >/dev/null || fail "berthd stopped answering on the descriptor systemd had passed"
systemctl restart berthd.service
wait_socket
! systemctl is-active berthd.socket || fail "restarting berthd.service started berthd.socket"
[ "\$(stat -c %G:%a /run/berth/berth.sock)" = berth:660 ] || fail "berthd's own socket is \$(stat -c %G:%a /run/berth/berth.sock), not berth:660"
[ "\$(journalctl -u berthd.service --no-pager -o cat | grep "api socket ready" | tail -n 1 | grep -c "from=systemd")" = 0 ] || fail "berthd still serves systemd's socket after berthd.socket was disabled"
\$docker exec va true
step "a docker context named berth"
unset DOCKER_HOST
\$docker context create berth --docker host=unix:///run/berth/berth.sock
\$docker context use berth
\$docker network ls
\$docker rm -f va vb
\$docker network rm vmnet
\$docker rmi busybox nginx
\$docker context use default
step "remove and purge the package"
dpkg -r berth
! systemctl is-active berthd.service || fail "berthd.service still active after dpkg -r"
[ ! -e /usr/bin/berthd ] && [ ! -e /usr/lib/berth ] && [ ! -e /var/cache/berth ] || fail "dpkg -r left files"
[ -e /etc/berth/berthd.json ] || fail "dpkg -r removed the conffile (only purge should)"
dpkg --purge berth
[ ! -e /etc/berth ] && ! getent group berth >/dev/null || fail "purge left /etc/berth or the group"
left=\$(pgrep -a -f /usr/lib/berth || true)
[ -z "\$left" ] || fail "processes of the package still run: \$left"
echo "after the purge: \$(pgrep -c -x containerd || true) containerd process(es) left running (berthd's managed containerd outlives it, as dockerd's)"
echo; echo "PACKAGE TEST PASSED"
EOF
chmod 755 "$guest"
"$root/scripts/vm/run-in-vm.sh" --systemd --timeout 2400 --mem 3G ${BERTH_VM_AOT:+--env BERTH_VM_AOT=1} -- "$guest"
