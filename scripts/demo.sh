#!/usr/bin/env bash
# make demo: runs Berth's foundation demo (dev.berth.demo.FoundationDemo) in a lab of network
# namespaces. Builds the demo module first when its jar or classpath is missing or older than a source.
# Needs root (the lab makes network namespaces); this machine's own network is never touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "$(id -u)" -ne 0 ]; then
  echo "berth demo: run as root (the demo builds a lab of network namespaces)" >&2
  exit 1
fi

cp_file=demo/target/classpath.txt
jar=demo/target/berth-demo-0.1.0-SNAPSHOT.jar

needs_build() {
  [ -f "$cp_file" ] && [ -f "$jar" ] || return 0
  for f in $(tr ':' ' ' < "$cp_file"); do [ -e "$f" ] || return 0; done
  [ -n "$(find pom.xml lab netlink demo -newer "$cp_file" \( -name pom.xml -o -path '*/src/*' \) -print -quit)" ]
}

if needs_build; then
  echo "berth demo: building (scripts/mvn -q -pl demo -am package -DskipTests)"
  scripts/mvn -q -pl demo -am package -DskipTests
fi

java_home=$(scripts/java-home)
exec "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar:$(cat "$cp_file")" dev.berth.demo.FoundationDemo "$@"
