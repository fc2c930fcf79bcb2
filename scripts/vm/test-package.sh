#!/usr/bin/env bash
# make test-vm: installs the Debian package (make package) in the QEMU VM that boots Debian's stock kernel
# (scripts/vm/run-in-vm.sh; the guest's writes go to RAM and are thrown away) with every JDK hidden, then
# starts berthd exactly as berthd.service's ExecStart says (the VM has no systemd as PID 1), drives it with
# the docker CLI through DOCKER_HOST and a docker context, and removes and purges the package.
# Takes 5-15 minutes under TCG on a busy machine. The postinst's AOT training is skipped in the guest (it needs 10-20
# minutes of emulated CPU): BERTH_VM_AOT=1 keeps it.
# Usage: scripts/vm/test-package.sh [DEB]   (default: target/berth_<version>_<arch>.deb)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
deb=${1:-$root/target/berth_$("$root/scripts/version" --deb)_$(dpkg --print-architecture).deb}
[ -f "$deb" ] || { echo "test-package: no $deb: run make package first" >&2; exit 2; }
deb=$(realpath "$deb")
docker=$(command -v docker || echo /usr/local/bin/docker)

# the guest sees this machine's root file system, but not its /tmp: the script goes beside the package
guest=$(mktemp "$(dirname "$deb")/vm-package-test.XXXXXX.sh")
trap 'rm -f "$guest"' EXIT
cat > "$guest" <<EOF
#!/bin/bash
set -euo pipefail
step() { echo; echo "== \$*"; }
fail() { echo "FAIL: \$*"; exit 1; }
step "no JDK in this guest: /usr/lib/jvm hidden"
mount -t tmpfs tmpfs /usr/lib/jvm
hash -r
! command -v javac >/dev/null || fail "a javac is still on PATH: \$(command -v javac)"
step "dpkg -i $(basename "$deb")"
# The AOT training the postinst runs takes 10-20 minutes of emulated CPU here; BERTH_VM_AOT=1 keeps it.
if [ -z "${BERTH_VM_AOT:-}" ]; then export BERTHD_NO_AOT=1 BERTH_NO_AOT=1; fi
dpkg -i "$deb"
dpkg -s berth | grep -E '^(Version|Depends|Status):'
getent group berth || fail "no group berth"
/usr/bin/berthd --version
/usr/bin/berth --version
if [ -z "\${BERTHD_NO_AOT:-}" ]; then
  [ -s /var/cache/berth/berthd.aot ] && echo "berthd's AOT cache: \$(du -h /var/cache/berth/berthd.aot | cut -f1)" || fail "no AOT cache for berthd"
fi
grep -q "BERTHD_JAVA='/usr/lib/berth/runtime/bin/java'" /var/cache/berth/berthd.env || fail "berthd does not run the bundled runtime"
step "berthd as berthd.service starts it"
start=\$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/berthd.service)
echo "\$ \$start"
\$start > /tmp/berthd.log 2>&1 &
pid=\$!
for i in \$(seq 1 600); do
  [ -S /run/berth/berth.sock ] && $docker -H unix:///run/berth/berth.sock version >/dev/null 2>&1 && break
  kill -0 \$pid 2>/dev/null || { cat /tmp/berthd.log; fail "berthd exited"; }
  sleep 0.5
done
[ "\$(stat -c %G:%a /run/berth/berth.sock)" = berth:660 ] || fail "socket is \$(stat -c %G:%a /run/berth/berth.sock), not berth:660"
step "the docker CLI with DOCKER_HOST"
export DOCKER_HOST=unix:///run/berth/berth.sock
$docker version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}}), {{.Server.Platform.Name}}'
$docker network create --subnet 10.77.0.0/24 vmnet
# one container: under TCG on a busy machine a second start can miss berthd's 10 s start limit
$docker run -d --name a --network vmnet busybox sleep 300
$docker exec a ping -c 2 -W 2 10.77.0.1
$docker ps
step "a docker context named berth"
unset DOCKER_HOST
$docker context create berth --docker host=unix:///run/berth/berth.sock
$docker context use berth
$docker network ls
$docker rm -f a
$docker network rm vmnet
$docker context use default
step "stop berthd, remove and purge the package"
kill -TERM \$pid; wait \$pid || true
dpkg -r berth
[ ! -e /usr/bin/berthd ] && [ ! -e /usr/lib/berth ] && [ ! -e /var/cache/berth ] || fail "dpkg -r left files"
[ -e /etc/berth/berthd.json ] || fail "dpkg -r removed the conffile (only purge should)"
dpkg --purge berth
[ ! -e /etc/berth ] && ! getent group berth >/dev/null || fail "purge left /etc/berth or the group"
echo; echo "PACKAGE TEST PASSED"
EOF
chmod 755 "$guest"
"$root/scripts/vm/run-in-vm.sh" --timeout 2400 --mem 3G ${BERTH_VM_AOT:+--env BERTH_VM_AOT=1} -- "$guest"
