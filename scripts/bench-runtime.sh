#!/usr/bin/env bash
# Supervisor latencies: start, exit detection, exec, stop (runtime/src/test/java/dev/berth/runtime/RuntimeBench.java).
# Usage: scripts/bench-runtime.sh [rounds]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
cp=$(scripts/module-classpath runtime)
scripts/mvn -q -pl runtime -am test-compile >&2
JAVA_HOME=$(scripts/java-home)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "runtime/target/test-classes:$cp" dev.berth.runtime.RuntimeBench "$@"
