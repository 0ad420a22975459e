#!/usr/bin/env bash
# confine.sh RW_PATH... -- COMMAND...: run COMMAND the way scripts/sesame-worker.service
# runs the worker, for start.sh (which has no systemd to do it):
# - ProtectSystem=strict + ReadWritePaths: in a mount namespace of its own, every
#   mount is read-only except RW_PATH... (PrivateTmp: a fresh /tmp and /var/tmp);
# - CapabilityBoundingSet/AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW, NoNewPrivileges:
#   root keeps only what capture and the firewall need, for itself and every
#   command it starts (nft, iptables, a knockd.conf's start_command).
# Nothing is forked: the PID stays COMMAND's, so signals reach it directly.
set -euo pipefail
if [ "${SESAME_CONFINED:-}" != "1" ]; then
  SESAME_CONFINED=1 exec unshare --mount --propagation slave -- "$0" "$@"
fi
rw=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do rw+=("$(realpath -e "$1")"); shift; done
[ "${1:-}" = "--" ] || { echo "usage: confine.sh RW_PATH... -- COMMAND..." >&2; exit 2; }
shift

# Deepest first is not needed: remounting changes one mount's flags only.
while read -r mp; do
  mp=$(printf '%b' "${mp//\\0/\\0}")   # mountinfo escapes spaces as \040
  mount -o remount,bind,ro "$mp" 2>/dev/null || true
done < <(awk '{print $5}' /proc/self/mountinfo | sort -u)
# Held open across the new /tmp, which may hide them (a test's state directory under /tmp).
fd=10
for p in "${rw[@]}"; do eval "exec $fd<\"\$p\""; fd=$((fd + 1)); done
for t in /tmp /var/tmp; do mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m tmpfs "$t"; done
fd=10
for p in "${rw[@]}"; do
  mkdir -p "$p"   # only inside the new tmpfs; elsewhere it exists
  mount --no-canonicalize --bind "/proc/self/fd/$fd" "$p"
  mount -o remount,bind,rw "$p"
  eval "exec $fd<&-"; fd=$((fd + 1))
done
unset SESAME_CONFINED
caps=-all,+net_admin,+net_raw
exec setpriv --no-new-privs --bounding-set "$caps" --inh-caps "$caps" --ambient-caps "$caps" -- "$@"
