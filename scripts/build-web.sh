#!/usr/bin/env bash
# Build the admin UI once per source change (start.sh and the tests share it).
set -euo pipefail
cd "$(dirname "$0")/.."
src_sha=$( (git ls-files -s apps/web packages/core packages/db public 2>/dev/null; git diff HEAD -- apps/web packages/core packages/db public 2>/dev/null) | sha256sum | cut -d' ' -f1)
if [ -f apps/web/.next/BUILD_ID ] && [ "$(cat apps/web/.next/.sesame-src 2>/dev/null)" = "$src_sha" ]; then
  echo "build-web: up to date"
  exit 0
fi
echo "build-web: building the admin UI"
npm run build -w @sesame/web --silent
echo "$src_sha" > apps/web/.next/.sesame-src
