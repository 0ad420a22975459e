#!/usr/bin/env bash
# Start the appliance: the privileged capture worker (root: pcap + nftables)
# and the admin UI (unprivileged user `sesame`), sharing one SQLite database.
# Safe defaults: a fresh database protects no port until an admin configures one.
#   SESAME_DB              database path (default /var/lib/sesame/sesame.db)
#   SESAME_ADMIN_PASSWORD  initial admin password (else a one-time setup link is printed)
#   PORT / HOSTNAME_UI     where the UI listens (default 3000 on all addresses)
#   SESAME_TRUST_PROXY=1   behind a reverse proxy: trust its X-Forwarded-* headers
#   SESAME_WORKER_ARGS     extra worker flags, e.g. "-i eth0 -c /etc/knockd.conf"
set -euo pipefail
cd "$(dirname "$0")/.."
export SESAME_DB="${SESAME_DB:-/var/lib/sesame/sesame.db}"
SESAME_STATE_DIR="$(dirname "$SESAME_DB")" bash scripts/setup.sh

export SESAME_SECRETS_DIR="${SESAME_SECRETS_DIR:-$(dirname "$SESAME_DB")/web}"
export PORT="${PORT:-3000}" HOSTNAME="${HOSTNAME_UI:-0.0.0.0}"
umask 007

npx tsx scripts/migrate.ts --db "$SESAME_DB"
chgrp sesame "$SESAME_DB"* 2>/dev/null || true

(umask 022; bash scripts/build-web.sh && bash scripts/build-worker.sh)
install -d -o sesame -g sesame apps/web/.next/cache

pids=()
cleanup() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait || true
}
trap cleanup INT TERM EXIT

# shellcheck disable=SC2086
scripts/worker.sh --db "$SESAME_DB" ${SESAME_WORKER_ARGS:-} &
pids+=($!)
runuser -u sesame -- env SESAME_DB="$SESAME_DB" SESAME_SECRETS_DIR="$SESAME_SECRETS_DIR" \
  SESAME_ADMIN_PASSWORD="${SESAME_ADMIN_PASSWORD:-}" SESAME_TRUST_PROXY="${SESAME_TRUST_PROXY:-}" \
  PORT="$PORT" HOSTNAME="$HOSTNAME" NODE_ENV=production \
  node apps/web/server.mjs &
pids+=($!)
echo "start: worker pid ${pids[0]}, admin UI pid ${pids[1]} on http://$HOSTNAME:$PORT"
wait -n
