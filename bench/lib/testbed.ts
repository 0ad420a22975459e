import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestNet, must, stopProcess, type TestNet } from "@sesame/testkit";
import { startProtectedService } from "./service";
import { onCleanup } from "./cleanup";

/** The door every run uses: same sequence, flags and protected port for all daemons. */
export const SEQUENCE = [7000, 8000, 9000] as const;
export const PROTECTED_PORT = 2222;
export const DOOR_NAME = "bench";
/** knockd-style open: one nft set element per knocker, the same kernel work Sesame's nftables backend does. */
export const START_COMMAND = "/usr/sbin/nft add element inet benchk allow { %IP% }";

export interface BedOptions {
  /** Distinct legitimate knocker addresses to add to the client side. */
  legit: number;
  seqTimeoutSec: number;
  /**
   * "knockd-nft": protect PROTECTED_PORT with our own nft table whose allow set
   * START_COMMAND fills (knockd, Sesame drop-in). "none": the daemon protects
   * the port itself (Sesame native).
   */
  firewall: "knockd-nft" | "none";
  tag?: string;
}

export interface Bed {
  net: TestNet;
  dir: string;
  serverMac: string;
  clientMac: string;
  /** Legitimate knocker addresses (client side, real: handshakes complete). */
  legit: string[];
  /** A few more addresses for warm-up/readiness knocks. */
  warmup: string[];
  seqTimeoutSec: number;
  knockdConfPath: string;
  destroy(): Promise<void>;
}

const WARMUP_ADDRESSES = 12;

/** knockd.conf shared by knockd and Sesame's drop-in mode. */
export function renderKnockdConf(bed: { dir: string; seqTimeoutSec: number }, serverIf: string): string {
  return [
    "[options]",
    `    LogFile = ${join(bed.dir, "knockd.log")}`,
    `    Interface = ${serverIf}`,
    "",
    `[${DOOR_NAME}]`,
    `    sequence      = ${SEQUENCE.join(",")}`,
    `    seq_timeout   = ${bed.seqTimeoutSec}`,
    "    tcpflags      = syn",
    `    start_command = ${START_COMMAND}`,
    "",
  ].join("\n");
}

async function readMac(ns: string, ifname: string): Promise<string> {
  const out = JSON.parse(await must(["ip", "-j", "link", "show", "dev", ifname], { ns })) as { address: string }[];
  const mac = out[0]?.address;
  if (!mac) throw new Error(`no MAC for ${ifname} in ${ns}`);
  return mac;
}

/**
 * Fresh namespaces for one daemon run: veth pair, legit + warm-up client
 * addresses, the protected TCP service, optionally the knockd-style nft table,
 * and a temp dir with knockd.conf. Every daemon gets its own bed so no firewall
 * state or pending attempt carries over.
 */
export async function createBed(opts: BedOptions): Promise<Bed> {
  const net = await createTestNet({ extraClientIps: opts.legit + WARMUP_ADDRESSES, tag: opts.tag ?? "sb" });
  const unregisterNet = onCleanup(`namespaces ${net.server}/${net.client}`, () => net.destroy());
  const dir = mkdtempSync(join(tmpdir(), "sesame-bench-"));
  const unregisterDir = onCleanup(`dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  let service: ChildProcess | undefined;
  let unregisterService: (() => Promise<void>) | undefined;
  try {
    // flood sources are spoofed from 100.64.0.0/10: with no route back, the
    // server's RSTs die at routing instead of filling the neighbour table
    const serverMac = await readMac(net.server, net.serverIf);
    const clientMac = await readMac(net.client, net.clientIf);
    service = await startProtectedService(net.server, PROTECTED_PORT);
    const svc = service;
    unregisterService = onCleanup("tcp service", () => stopProcess(svc));
    if (opts.firewall === "knockd-nft") {
      await must(["nft", "-f", "-"], {
        ns: net.server,
        input: [
          "table inet benchk {",
          "  set allow { type ipv4_addr; }",
          "  chain input {",
          "    type filter hook input priority 0; policy accept;",
          `    tcp dport ${PROTECTED_PORT} ip saddr @allow accept`,
          `    tcp dport ${PROTECTED_PORT} drop`,
          "  }",
          "}",
          "",
        ].join("\n"),
      });
    }
    const knockdConfPath = join(dir, "knockd.conf");
    writeFileSync(knockdConfPath, renderKnockdConf({ dir, seqTimeoutSec: opts.seqTimeoutSec }, net.serverIf));
    return {
      net,
      dir,
      serverMac,
      clientMac,
      legit: net.clientExtraIps.slice(0, opts.legit),
      warmup: net.clientExtraIps.slice(opts.legit),
      seqTimeoutSec: opts.seqTimeoutSec,
      knockdConfPath,
      destroy: async () => {
        await unregisterService?.();
        await unregisterNet();
        await unregisterDir();
      },
    };
  } catch (err) {
    await unregisterService?.();
    await unregisterNet();
    await unregisterDir();
    throw err;
  }
}
