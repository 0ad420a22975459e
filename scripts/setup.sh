#!/usr/bin/env bash
# Idempotent machine setup for Sesame on Debian 12: system packages, node
# modules (native better-sqlite3 and pcap compile here), the `sesame` system
# user the web app runs as.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libpcap-dev nftables iptables ipset iproute2 knockd hping3 tcpdump tcpreplay nmap chromium sqlite3 procps psmisc util-linux openssl python3 make g++ prometheus fwknop-client fwknop-server)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (it installs packages and runs the privileged worker)" >&2
  exit 1
fi

# SESAME_SETUP_NO_INSTALL=1: only create the user (tests that run start.sh offline).
if [ "${SESAME_SETUP_NO_INSTALL:-}" != "1" ]; then
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Reinstall node modules when the lockfile changed since the last install.
stamp=node_modules/.sesame-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci (compiles better-sqlite3 and pcap, ~2 min)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
fi

# The web app runs unprivileged as `sesame`. Its state directory (shared with
# the root worker) is laid out by scripts/prepare-state.ts at each start.
id -u sesame >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin sesame
