import { createSocket } from "node:dgram";
import { DEFAULT_SPA_PORT } from "@sesame/core";
import { encodeSpaPacket, type SpaDigest, type SpaKeys } from "@sesame/core/spa";
import { resolveKnockHost } from "./knock";


export interface SpaSendOptions {
  host: string;
  port?: number;
  family?: 4 | 6;
  /** `tcp/22,udp/53`. */
  access: string;
  /** The address to open for; "0.0.0.0" asks the server to use the packet's source (fwknop -s). */
  allowIp: string;
  username: string;
  /** Seconds to ask for (fwknop -f); 0 or absent: the server's default. */
  fwTimeout?: number;
  keys: SpaKeys;
  digest?: SpaDigest;
  /** Added to the timestamp (fwknop --time-offset-plus/minus), seconds. */
  timeOffsetSec?: number;
  now?: () => number;
  /** Build only (fwknop -T). */
  testOnly?: boolean;
}

/** Builds the SPA datagram as fwknop does and sends it in one UDP packet; returns what was sent. */
export async function sendSpa(o: SpaSendOptions): Promise<{ packet: string; address: string; port: number }> {
  const { address, family } = await resolveKnockHost(o.host, o.family);
  const port = o.port ?? DEFAULT_SPA_PORT;
  const timestamp = Math.floor((o.now ?? Date.now)() / 1000) + (o.timeOffsetSec ?? 0);
  const packet = encodeSpaPacket(
    { username: o.username, timestamp, message: `${o.allowIp},${o.access}`, clientTimeout: o.fwTimeout ?? 0, digest: o.digest ?? "sha256" },
    o.keys,
  );
  if (o.testOnly) return { packet, address, port };
  const sock = createSocket(family === 6 ? "udp6" : "udp4");
  try {
    await new Promise<void>((resolve, reject) => sock.send(packet, port, address, (err) => (err ? reject(err) : resolve())));
  } finally {
    sock.close();
  }
  return { packet, address, port };
}
