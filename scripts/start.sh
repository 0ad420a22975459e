#!/usr/bin/env bash
# Start the appliance: the privileged capture worker (root: pcap + nftables)
# and the admin UI (unprivileged user `sesame`), sharing one SQLite database.
# Safe defaults: a fresh database protects no port until an admin configures one.
#   SESAME_DB              database path (default /var/lib/sesame/sesame.db)
#   SESAME_ADMIN_PASSWORD  initial admin password (else a one-time setup link is printed)
#   PORT / HOSTNAME        where the UI listens (default 3000 on all addresses)
#   SESAME_WORKER_ARGS     extra worker flags, e.g. "-i eth0 -c /etc/knockd.conf"
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export SESAME_DB="${SESAME_DB:-/var/lib/sesame/sesame.db}"
export SESAME_SECRETS_DIR="${SESAME_SECRETS_DIR:-$(dirname "$SESAME_DB")/web}"
export PORT="${PORT:-3000}" HOSTNAME="${HOSTNAME_UI:-0.0.0.0}"
umask 007

npx tsx scripts/migrate.ts --db "$SESAME_DB"
chgrp sesame "$SESAME_DB"* 2>/dev/null || true

# Build the UI once per source change.
src_sha=$(git ls-files -s apps/web packages/core packages/db 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f apps/web/.next/BUILD_ID ] || [ "$(cat apps/web/.next/.sesame-src 2>/dev/null)" != "$src_sha" ]; then
  echo "start: building the admin UI"
  npm run build -w @sesame/web --silent
  echo "$src_sha" > apps/web/.next/.sesame-src
fi
install -d -o sesame -g sesame apps/web/.next/cache

pids=()
cleanup() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait || true
}
trap cleanup INT TERM EXIT

# shellcheck disable=SC2086
node --import tsx apps/worker/src/main.ts --db "$SESAME_DB" ${SESAME_WORKER_ARGS:-} &
pids+=($!)
runuser -u sesame -- env SESAME_DB="$SESAME_DB" SESAME_SECRETS_DIR="$SESAME_SECRETS_DIR" \
  SESAME_ADMIN_PASSWORD="${SESAME_ADMIN_PASSWORD:-}" PORT="$PORT" HOSTNAME="$HOSTNAME" NODE_ENV=production \
  node node_modules/next/dist/bin/next start apps/web -p "$PORT" -H "$HOSTNAME" &
pids+=($!)
echo "start: worker pid ${pids[0]}, admin UI pid ${pids[1]} on http://$HOSTNAME:$PORT"
wait -n
