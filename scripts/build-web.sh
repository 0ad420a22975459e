#!/usr/bin/env bash
# Build the admin UI once per source change (start.sh and the tests share it).
set -euo pipefail
cd "$(dirname "$0")/.."
# Outside a git checkout (an unpacked tarball) there is nothing to compare: build every time.
src_sha=none
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  src_sha=$( (git ls-files -s apps/web packages/core packages/db public; git diff HEAD -- apps/web packages/core packages/db public) | sha256sum | cut -d' ' -f1)
fi
if [ "$src_sha" != none ] && [ -f apps/web/.next/BUILD_ID ] && [ "$(cat apps/web/.next/.sesame-src 2>/dev/null)" = "$src_sha" ]; then
  echo "build-web: up to date"
  exit 0
fi
echo "build-web: building the admin UI"
npm run build -w @sesame/web --silent
echo "$src_sha" > apps/web/.next/.sesame-src
