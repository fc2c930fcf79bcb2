#!/usr/bin/env bash
# make package: target/berth_<version>_amd64.deb, the tree scripts/install.sh stages with PREFIX=/usr (a
# jlink'd Java runtime inside: no JDK needed where it is installed) plus Debian's control files. The
# package depends on what berthd runs (nftables and its library, iproute2 for the AOT training's
# namespace, util-linux's nsenter, containerd and runc for containers), creates the group berth, trains
# the AOT caches in /var/cache/berth, and enables and starts berthd.service where systemd runs.
# Usage: scripts/package-deb.sh [OUTDIR]   (default target/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/target}
version=$("$root/scripts/version" --deb)
arch=$(dpkg --print-architecture)
stage=$(mktemp -d "${TMPDIR:-/tmp}/berth-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT

PREFIX=/usr SYSCONFDIR=/etc LOCALSTATEDIR=/var DESTDIR="$stage/root" "$root/scripts/install.sh" install
install -d "$stage/root/DEBIAN"
size=$(du -sk "$stage/root" | cut -f1)
sed -e "s|@VERSION@|$version|g" -e "s|@ARCH@|$arch|g" -e "s|@SIZE@|$size|g" \
  "$root/packaging/deb/control.in" > "$stage/root/DEBIAN/control"
for f in postinst prerm postrm; do install -m 755 "$root/packaging/deb/$f" "$stage/root/DEBIAN/$f"; done
echo /etc/berth/berthd.json > "$stage/root/DEBIAN/conffiles"
(cd "$stage/root" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's|  \./|  |') \
  > "$stage/root/DEBIAN/md5sums"
mkdir -p "$out"
deb="$out/berth_${version}_${arch}.deb"
fakeroot dpkg-deb --build -Zgzip "$stage/root" "$deb" >/dev/null
echo "berth package: $deb ($(du -h "$deb" | cut -f1))"
