#!/usr/bin/env bash
# make install / make uninstall: puts berthd and berth with their own Java runtime (jlink'd from the JDK
# that builds Berth, so the target needs no JDK), the systemd units berthd.service and berthd.socket
# (socket activation, optional), the default config
# /etc/berth/berthd.json, bash completion and the README in place; `make package` stages the same tree
# for the Debian package (scripts/package-deb.sh).
#
# Usage: scripts/install.sh install|uninstall|files
#   PREFIX (default /usr/local), DESTDIR (a staging root, default none), SYSCONFDIR (default /etc),
#   LOCALSTATEDIR (default /var) as in every GNU makefile; berthd and berth end up in PREFIX/bin.
# A real install (no DESTDIR, as root) also creates the system group `berth` (berthd gives its socket to
# that group) and prepares both launchers (records runtime, class path and flags in
# LOCALSTATEDIR/cache/berth and trains their AOT caches, about 30 s). With DESTDIR, only files are written:
# whoever installs the tree (the package's postinst) does the rest. `files` lists what install writes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
SYSCONFDIR=${SYSCONFDIR:-/etc}
LOCALSTATEDIR=${LOCALSTATEDIR:-/var}
bindir=$PREFIX/bin
libdir=$PREFIX/lib/berth
unitdir=$PREFIX/lib/systemd/system
completiondir=$PREFIX/share/bash-completion/completions
docdir=$PREFIX/share/doc/berth
confdir=$SYSCONFDIR/berth
cachedir=$LOCALSTATEDIR/cache/berth
D=$DESTDIR
# What the daemon and the CLI load, beyond java.base: found with jdeps (Netty wants jdk.unsupported and
# jdk.management, gRPC's DNS names jdk.naming.dns, Jackson java.desktop's java.beans and java.sql, the
# registry client java.net.http: without it every image call failed in the package, make test-vm found).
modules=java.base,java.logging,java.naming,java.management,java.sql,java.xml,java.desktop,jdk.unsupported,jdk.naming.dns,jdk.management,jdk.net,java.net.http

say() { echo "berth install: $*" >&2; }

files() { # every path install writes, below DESTDIR
  printf '%s\n' "$bindir/berthd" "$bindir/berth" "$libdir" "$unitdir/berthd.service" "$unitdir/berthd.socket" "$completiondir/berth" "$docdir" \
    "$confdir/berthd.json"
}

# The jlink'd runtime, made once per JDK and module list under target/ (jlink takes 15-45 s) and copied.
runtime() {
  local jdk release key cached
  jdk=$("$root/scripts/java-home")
  release=$(cat "$jdk/release")
  key=$(printf '%s\n%s\n' "$release" "$modules" | sha256sum | cut -c1-12)
  cached="$root/target/runtime-$key"
  if [ ! -x "$cached/bin/java" ]; then
    say "jlink: a Java runtime with $modules"
    rm -rf "$cached.tmp"
    mkdir -p "$root/target"
    "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
      --output "$cached.tmp"
    mv "$cached.tmp" "$cached"
  fi
  echo "$cached"
}

# The class path of a module as the last build left it (its jar, then target/classpath.txt); install
# never builds (make install runs make build first), so it also runs inside `make test`.
built_classpath() {
  local jar
  jar=$(ls "$root/$1"/target/berth-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -1)
  if [ -z "$jar" ] || [ ! -f "$root/$1/target/classpath.txt" ]; then
    say "the $1 module is not built: run make build first"; exit 1
  fi
  echo "$jar:$(cat "$root/$1/target/classpath.txt")"
}

# Copies every jar of a class path into $D$libdir/lib and prints the installed class path.
install_jars() {
  local cp=$1 out="" f dest
  for f in $(echo "$cp" | tr ':' ' '); do
    dest="$libdir/lib/$(basename "$f")"
    if [ -e "$D$dest" ] && ! cmp -s "$f" "$D$dest"; then
      say "two different jars named $(basename "$f") (the daemon's and the CLI's class paths disagree)"; exit 1
    fi
    install -m 644 "$f" "$D$dest"
    out="${out:+$out:}$dest"
  done
  echo "$out"
}

template() { # template FILE.in DEST MODE
  sed -e "s|@LIBDIR@|$libdir|g" -e "s|@CACHEDIR@|$cachedir|g" -e "s|@BINDIR@|$bindir|g" \
      -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" -e "s|@DOCDIR@|$docdir|g" \
      -e "s|@DAEMON_CP@|$daemon_cp|g" -e "s|@CLI_CP@|$cli_cp|g" "$1" > "$2.tmp"
  chmod "$3" "$2.tmp"
  mv "$2.tmp" "$2"
}

do_install() {
  local dcp ccp rt
  dcp=$(built_classpath daemon)
  ccp=$(built_classpath cli)
  rt=$(runtime)
  rm -rf "$D$libdir"  # never empty: PREFIX/lib/berth
  install -d "$D$bindir" "$D$libdir/lib" "$D$libdir/scripts" "$D$unitdir" "$D$completiondir" "$D$docdir" "$D$confdir"
  cp -a "$rt" "$D$libdir/runtime"
  daemon_cp=$(install_jars "$dcp")
  cli_cp=$(install_jars "$ccp")
  install -m 755 "$root/scripts/berthd-launcher" "$root/scripts/cli-launcher" "$D$libdir/scripts/"
  template "$root/packaging/berthd.in" "$D$bindir/berthd" 755
  template "$root/packaging/berth.in" "$D$bindir/berth" 755
  template "$root/packaging/berthd.service.in" "$D$unitdir/berthd.service" 644
  template "$root/packaging/berthd.socket.in" "$D$unitdir/berthd.socket" 644
  "$root/scripts/version" > "$D$libdir/VERSION"
  install -m 644 "$root/README.md" "$D$docdir/README.md"
  [ -d "$root/docs" ] && cp -r "$root/docs" "$D$docdir/" && chmod -R a+rX "$D$docdir/docs"
  # the completion script, written by the installed runtime and jars (which proves they start)
  "$D$libdir/runtime/bin/java" -cp "$(echo "$cli_cp" | sed "s|$libdir|$D$libdir|g")" dev.berth.cli.Berth completion bash \
    > "$D$completiondir/berth.tmp"
  mv "$D$completiondir/berth.tmp" "$D$completiondir/berth"
  chmod 644 "$D$completiondir/berth"
  if [ -e "$D$confdir/berthd.json" ]; then
    say "kept $D$confdir/berthd.json (already there); the default is $root/packaging/berthd.json"
  else
    install -m 644 "$root/packaging/berthd.json" "$D$confdir/berthd.json"
  fi
  if [ -n "$D" ]; then
    say "staged in $D (PREFIX $PREFIX); the group berth and the AOT caches are made where it is installed"
    return
  fi
  getent group berth >/dev/null || { groupadd --system berth && say "created the system group berth"; }
  install -d -m 755 "$cachedir"
  "$bindir/berthd" --version >/dev/null
  "$bindir/berth" --version >/dev/null
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
  say "installed $("$bindir/berthd" --version) in $PREFIX; start it with: systemctl enable --now berthd"
}

do_uninstall() {
  if [ -z "$D" ] && [ -d /run/systemd/system ] && systemctl is-active --quiet berthd.service berthd.socket 2>/dev/null; then
    say "berthd.service or berthd.socket is active: stop them first (systemctl disable --now berthd.socket berthd)"; exit 1
  fi
  rm -f "$D$bindir/berthd" "$D$bindir/berth" "$D$unitdir/berthd.service" "$D$unitdir/berthd.socket" "$D$completiondir/berth"
  rm -rf "$D$libdir" "$D$docdir"
  [ -n "$D" ] || rm -rf "$cachedir"
  if [ -e "$D$confdir/berthd.json" ] && ! cmp -s "$D$confdir/berthd.json" "$root/packaging/berthd.json"; then
    say "kept $D$confdir/berthd.json: it differs from the default (remove it yourself)"
  else
    rm -f "$D$confdir/berthd.json"
    rmdir "$D$confdir" 2>/dev/null || true
  fi
  if [ -z "$D" ]; then
    if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
    if getent group berth >/dev/null; then groupdel berth && say "removed the group berth"; fi
  fi
  say "uninstalled from ${D:+$D}$PREFIX"
}

case "$action" in
  install) do_install ;;
  uninstall) do_uninstall ;;
  files) files ;;
  *) echo "usage: scripts/install.sh install|uninstall|files (PREFIX, DESTDIR, SYSCONFDIR, LOCALSTATEDIR)" >&2; exit 2 ;;
esac
