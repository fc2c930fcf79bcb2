#!/usr/bin/env bash
# The whole suite (make test, CI): builds and tests every module, then counts the tests Surefire ran in
# this run, and fails if any was skipped: a test that cannot run here (a missing tool, no VM) must fail
# or have what it needs installed by scripts/setup.sh, never pass silently.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
status=0
scripts/mvn verify "$@" || status=$?
tests=0 failures=0 errors=0 skipped=0
skipped_in=()
while IFS= read -r f; do
  head=$(grep -m1 -o '<testsuite [^>]*>' "$f" || true)
  attr() { echo "$head" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  tests=$((tests + $(attr tests))); failures=$((failures + $(attr failures)))
  errors=$((errors + $(attr errors))); s=$(attr skipped); skipped=$((skipped + s))
  [ "$s" -gt 0 ] && skipped_in+=("$(basename "$f" .xml | sed 's/^TEST-//')")
done < <(find . -path '*/target/surefire-reports/TEST-*.xml' -newer "$stamp" 2>/dev/null | sort)
echo "berth test summary: tests=$tests failures=$failures errors=$errors skipped=$skipped"
if [ "$skipped" -gt 0 ]; then
  echo "skipped tests in: ${skipped_in[*]} (a skipped test proves nothing: make it run here, or fail)" >&2
  [ "$status" -eq 0 ] && status=1
fi
exit $status
