#!/usr/bin/env bash
# Start the appliance: the privileged capture worker (root, confined like the
# systemd unit: CAP_NET_ADMIN + CAP_NET_RAW only, read-only file system but for
# its state) and the admin UI over HTTPS (unprivileged user `sesame`, from an
# installed copy outside the checkout), sharing one SQLite database.
# Safe defaults: a fresh database protects no port until an admin configures one.
#   SESAME_DB              database path (default /var/lib/sesame/sesame.db)
#   SESAME_ADMIN_PASSWORD  initial admin password (else a one-time setup link is printed)
#   PORT / HOSTNAME_UI     where the UI listens (default 3000 on all addresses)
#   SESAME_TLS_CERT/_KEY   your certificate and key (PEM) instead of the generated one
#   SESAME_HTTP=1          plain HTTP instead of HTTPS (refused unless HOSTNAME_UI is loopback
#                          or SESAME_INSECURE_HTTP=1 says you mean it)
#   SESAME_TRUST_PROXY=1   behind a reverse proxy: trust its X-Forwarded-* headers
#   SESAME_WORKER_ARGS     extra worker flags, e.g. "-i eth0 -c /etc/knockd.conf"
#   SESAME_WORKER_RW_PATHS more paths the worker may write (space-separated, e.g. a -g log file's directory)
set -euo pipefail
cd "$(dirname "$0")/.."
export SESAME_DB="${SESAME_DB:-/var/lib/sesame/sesame.db}"
STATE="$(dirname "$SESAME_DB")"
export SESAME_SECRETS_DIR="${SESAME_SECRETS_DIR:-$STATE/web}"
export PORT="${PORT:-3000}" HOSTNAME="${HOSTNAME_UI:-0.0.0.0}"
started=$(date +%s%N)

if [ "${SESAME_HTTP:-}" = "1" ] && [ "${SESAME_INSECURE_HTTP:-}" != "1" ]; then
  case "$HOSTNAME" in
    127.*|::1|localhost) ;;
    *) echo "start: SESAME_HTTP=1 would send the admin password in clear to $HOSTNAME:$PORT; listen on loopback (HOSTNAME_UI=127.0.0.1, behind your own TLS proxy) or add SESAME_INSECURE_HTTP=1" >&2; exit 2 ;;
  esac
fi

# Before anything is installed or created: the web user must be able to reach the state directory
# (prepare-state.ts checks owners and groups too, once node is installed).
d=$STATE
while [ "$d" != / ]; do
  d=$(dirname "$d")
  if [ -d "$d" ] && [ $(( 8#$(stat -L -c %a "$d") & 1 )) -eq 0 ] && [ "$(stat -L -c %G "$d")" != sesame ]; then
    echo "start: the web user sesame cannot reach $STATE: $d is mode $(stat -L -c %04a "$d"); put SESAME_DB in a directory every user can traverse, such as the default /var/lib/sesame (the checkout itself may stay in a private directory)" >&2
    exit 2
  fi
done

bash scripts/setup.sh
# Checks the layout before changing anything; then makes it safe (see the script).
node --import tsx scripts/prepare-state.ts --db "$SESAME_DB" --secrets "$SESAME_SECRETS_DIR" --web-user sesame
node --import tsx scripts/migrate.ts --db "$SESAME_DB"

tls=()
if [ "${SESAME_HTTP:-}" != "1" ]; then
  bash scripts/tls.sh "$STATE/tls"
  tls=(SESAME_TLS_CERT="$STATE/tls/cert.pem" SESAME_TLS_KEY="$STATE/tls/key.pem")
fi

(umask 022; bash scripts/build-web.sh && bash scripts/build-worker.sh && bash scripts/install-web.sh "$STATE/app")

pids=()
cleanup() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait || true
}
trap cleanup INT TERM EXIT

# shellcheck disable=SC2086
scripts/confine.sh "$STATE" /run ${SESAME_WORKER_RW_PATHS:-} -- scripts/worker.sh --db "$SESAME_DB" ${SESAME_WORKER_ARGS:-} &
pids+=($!)
# The web user cannot create the database's -wal/-shm files (it cannot write the directory): the
# worker's open creates them. Wait for its first heartbeat before the UI opens the database.
node --import tsx scripts/wait-worker.ts --db "$SESAME_DB" --pid "${pids[0]}" --timeout 60

# Secrets pass through the environment (readable only by the web user and root), never argv.
export SESAME_ADMIN_PASSWORD="${SESAME_ADMIN_PASSWORD:-}" SESAME_TRUST_PROXY="${SESAME_TRUST_PROXY:-}" \
  SESAME_INSECURE_HTTP="${SESAME_INSECURE_HTTP:-}" NODE_ENV=production
for kv in "${tls[@]}"; do export "${kv?}"; done
(cd "$STATE/app/current" && exec runuser -u sesame -- node apps/web/server.mjs) &
pids+=($!)
scheme=$([ ${#tls[@]} -gt 0 ] && echo https || echo http)
echo "start: worker pid ${pids[0]}, admin UI pid ${pids[1]} on $scheme://$HOSTNAME:$PORT ($(( ($(date +%s%N) - started) / 1000000 )) ms)"
wait -n
