#!/usr/bin/env bash
# Every test Sesame has: typecheck, lint, unit (vitest), network integration
# (real pcap + nftables in namespaces this run creates and removes, needs
# root) and the browser end-to-end suite (Playwright + Debian chromium).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

passed=0; failed=0; failures=()
step() {
  local name=$1; shift
  echo "=== $name: $*"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}
step typecheck npm run --silent typecheck
step lint npm run --silent lint
step unit npx vitest run --project unit
step net npx vitest run --project net
step e2e npx playwright test

echo
[ "$failed" -gt 0 ] && echo "failed steps: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
