import { createTestNet, startEchoService, stopProcess, tcpConnects, type TestNet } from "@sesame/testkit";
import type { ChildProcess } from "node:child_process";

/** Short negative probes: on a veth a SYN-ACK comes back in microseconds, so 700 ms without one means dropped. */
export const DROP_PROBE_MS = 500;

export interface FirewallTestNet extends TestNet {
  service: ChildProcess;
  /** tcp connect from the client namespace; `v6` picks the server's IPv6 address. */
  connects(port: number, opts?: { v6?: boolean; localAddress?: string }): Promise<boolean>;
  /** Several independent connects at once (same firewall state), results in order. */
  connectsAll(probes: [port: number, opts?: { v6?: boolean; localAddress?: string }][]): Promise<boolean[]>;
  teardown(): Promise<void>;
}

/** Two namespaces and an echo service on 22 and 2222 in the server namespace. */
export async function setUpNet(tag: string): Promise<FirewallTestNet> {
  const net = await createTestNet({ tag, extraClientIps: 1 });
  let service: ChildProcess;
  try {
    service = await startEchoService(net.server, [22, 2222]);
  } catch (err) {
    await net.destroy();
    throw err;
  }
  const connects = (port: number, opts: { v6?: boolean; localAddress?: string } = {}): Promise<boolean> =>
    tcpConnects(net.client, opts.v6 ? net.serverIp6 : net.serverIp, port, {
      timeoutMs: DROP_PROBE_MS,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
  return {
    ...net,
    service,
    connects,
    connectsAll: (probes) => Promise.all(probes.map(([port, opts]) => connects(port, opts))),
    teardown: async () => {
      await stopProcess(service, 1000).catch(() => undefined);
      await net.destroy();
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
