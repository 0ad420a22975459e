import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Whether this host routes packets (net.ipv4.ip_forward,
 * net.ipv6.conf.all.forwarding), for the heartbeat: gateway mode needs it,
 * and the worker never changes a sysctl itself, so the UI warns when a
 * forward exists and forwarding is off. /proc/sys/net is per network
 * namespace, so this is the namespace the worker runs (and gates) in.
 * 1 on, 0 off, -1 unreadable.
 */
export function readIpForward(procRoot = "/proc"): { ipForward: number; ipForward6: number } {
  const read = (path: string): number => {
    try {
      const v = readFileSync(join(procRoot, path), "utf8").trim();
      return v === "0" ? 0 : /^\d+$/.test(v) ? 1 : -1;
    } catch {
      return -1;
    }
  };
  return { ipForward: read("sys/net/ipv4/ip_forward"), ipForward6: read("sys/net/ipv6/conf/all/forwarding") };
}
