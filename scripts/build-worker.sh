#!/usr/bin/env bash
# Bundle the worker into one ESM file for plain `node` (no TypeScript loader
# at run time: ~50 MB less resident memory, faster start). Native modules stay
# external and resolve from node_modules. Output: apps/worker/dist/main.mjs — three
# levels below the repository like packages/db/src, so the db package finds drizzle/.
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/esbuild apps/worker/src/main.ts --bundle --platform=node --format=esm --target=node20 \
  --external:pcap --external:better-sqlite3 --log-level=warning \
  --banner:js="import { createRequire as __sesameRequire } from 'node:module'; const require = __sesameRequire(import.meta.url);" \
  --outfile=apps/worker/dist/main.mjs
