#!/bin/sh
# Runs the bundled worker (scripts/build-worker.sh) with its V8 settings: what
# scripts/start.sh, the systemd unit and `npm run bench` start (development and
# tests run the TypeScript source: apps/worker/bin/sesame-worker.js).
#
# --max-semi-space-size=2 (MB): under a packet flood V8 grows the young
# generation to its 32 MB maximum and never shrinks it back while the process
# lives, so a flood left the worker at 179 % of its idle RSS. Capped at
# 2 MB semi-spaces it returns to 104 % within seconds and peaks lower (162 →
# 141 MB); scavenges get more frequent but each is as small as what survives,
# so flood throughput does not change (bench: memory, flood, max-rate).
#
# --optimize-for-size: V8 then grows the old generation only ~1.1x past what
# survived its last full collection, instead of up to 4x. While the pending
# attempts were heap objects (issue 13's first plain matcher; they are
# typed-array columns again since), that factor multiplied a large live heap: at a 100k pps flood the peak RSS was
# 385 MB without the flag and 185 MB with it (target 200), same daemon CPU
# (7.2 s) and 20/20 knocks opened (bench flood, 2026-12-02, one run each).
#
# MALLOC_MMAP_THRESHOLD_=131072: a fixed threshold keeps big malloc blocks in
# their own mappings, unmapped when freed (glibc's moving threshold sends them
# to the brk heap, which cannot shrink around live blocks). It was added for
# the old typed-array attempt store (44 MB stayed resident after a flood);
# the matcher now lives on the V8 heap, but measured again without it (bench
# --quick --only memory, one run each, 2026-12-02): after the floods 105 %
# of baseline and a 188 MB peak, with it 98 % and 176 MB. Kept: it costs
# nothing and the after-flood target is 110 %.
#
# SESAME_NODE_FLAGS: extra node flags (e.g. --cpu-prof), for investigations.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
dir=$(dirname "$0")
# shellcheck disable=SC2086
exec "${SESAME_NODE:-node}" --max-semi-space-size=2 --optimize-for-size ${SESAME_NODE_FLAGS:-} "$dir/../apps/worker/dist/main.mjs" "$@"
