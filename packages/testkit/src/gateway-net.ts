import { must, run } from "./netns";

let counter = 0;

export interface GatewayNet {
  /** Namespace names: the knocking client, the gateway (worker, nftables), the inside server. */
  client: string;
  gateway: string;
  inside: string;
  /** The gateway's client-facing interface (the worker listens there), named like createTestNet's server side. */
  gatewayIf: "veth-s";
  clientIp: string;
  clientIp6: string;
  /** The gateway's address on the client side (DNAT forwards are reached there). */
  gatewayIp: string;
  gatewayIp6: string;
  /** The inside server's address (routed forwards are reached there, through the gateway). */
  insideIp: string;
  insideIp6: string;
  /** The gateway's address on the inside network (the inside server's default route). */
  gatewayInsideIp: string;
  clientExtraIps: string[];
  destroy(): Promise<void>;
}

/**
 * Three fresh namespaces in a row, client → gateway → inside, as in a
 * datacenter where Sesame runs on the router in front of the servers. The
 * client routes the inside network through the gateway and the inside server
 * has the gateway as its default route (so replies to DNATed connections go
 * back through it). Forwarding is switched on in the gateway namespace only
 * (sysctls under /proc/sys/net are per namespace); nothing touches the root
 * namespace beyond creating and moving the veth pairs. Call destroy().
 */
export async function createGatewayNet(opts: { extraClientIps?: number; tag?: string } = {}): Promise<GatewayNet> {
  const n = (process.pid % 200) + 20 + (counter++ % 30);
  const tag = `${opts.tag ?? "gw"}${process.pid % 10000}${counter}`.slice(0, 10);
  const [client, gateway, inside] = [`${tag}-c`, `${tag}-g`, `${tag}-i`];
  const net: GatewayNet = {
    client, gateway, inside,
    gatewayIf: "veth-s",
    clientIp: `10.${n}.0.2`,
    clientIp6: `fd00:${n}::2`,
    gatewayIp: `10.${n}.0.1`,
    gatewayIp6: `fd00:${n}::1`,
    insideIp: `192.168.${n}.2`,
    insideIp6: `fd01:${n}::2`,
    gatewayInsideIp: `192.168.${n}.1`,
    clientExtraIps: [],
    destroy: async () => {
      for (const ns of [client, gateway, inside]) await run(["ip", "netns", "del", ns]);
    },
  };
  const pair = async (a: { ns: string; name: string; tmp: string }, b: { ns: string; name: string; tmp: string }): Promise<void> => {
    await must(["ip", "link", "add", a.tmp, "type", "veth", "peer", "name", b.tmp]);
    for (const end of [a, b]) {
      await must(["ip", "link", "set", end.tmp, "netns", end.ns]);
      await must(["ip", "link", "set", end.tmp, "name", end.name], { ns: end.ns });
    }
  };
  const address = async (ns: string, dev: string, ip4: string, ip6: string): Promise<void> => {
    await must(["ip", "addr", "add", ip4, "dev", dev], { ns });
    await must(["ip", "-6", "addr", "add", ip6, "dev", dev, "nodad"], { ns });
    await must(["ip", "link", "set", dev, "up"], { ns });
  };
  try {
    for (const ns of [client, gateway, inside]) {
      await must(["ip", "netns", "add", ns]);
      await must(["ip", "link", "set", "lo", "up"], { ns });
    }
    await pair({ ns: gateway, name: "veth-s", tmp: `${tag}a`.slice(0, 15) }, { ns: client, name: "veth-c", tmp: `${tag}b`.slice(0, 15) });
    await pair({ ns: gateway, name: "veth-in", tmp: `${tag}d`.slice(0, 15) }, { ns: inside, name: "veth-i", tmp: `${tag}e`.slice(0, 15) });
    await address(gateway, "veth-s", `${net.gatewayIp}/16`, `${net.gatewayIp6}/64`);
    await address(client, "veth-c", `${net.clientIp}/16`, `${net.clientIp6}/64`);
    await address(gateway, "veth-in", `${net.gatewayInsideIp}/24`, `fd01:${n}::1/64`);
    await address(inside, "veth-i", `${net.insideIp}/24`, `${net.insideIp6}/64`);
    await must(["ip", "route", "add", `192.168.${n}.0/24`, "via", net.gatewayIp], { ns: client });
    await must(["ip", "-6", "route", "add", `fd01:${n}::/64`, "via", net.gatewayIp6], { ns: client });
    await must(["ip", "route", "add", "default", "via", net.gatewayInsideIp], { ns: inside });
    await must(["ip", "-6", "route", "add", "default", "via", `fd01:${n}::1`], { ns: inside });
    await must(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"], { ns: gateway });
    const extra = opts.extraClientIps ?? 0;
    const lines: string[] = [];
    for (let i = 0; i < extra; i++) {
      const ip = `10.${n}.${1 + Math.floor(i / 250)}.${(i % 250) + 1}`;
      net.clientExtraIps.push(ip);
      lines.push(`addr add ${ip}/16 dev veth-c`);
    }
    if (lines.length > 0) await must(["ip", "-batch", "-"], { ns: client, input: lines.join("\n") + "\n" });
    return net;
  } catch (err) {
    await net.destroy();
    throw err;
  }
}
