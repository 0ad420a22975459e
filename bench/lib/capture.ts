import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { stopProcess } from "@sesame/testkit";
import { onCleanup } from "./cleanup";

/** One TCP or UDP packet over IPv4 from a capture: enough to time knocks, SPA datagrams and handshakes. */
export interface CapturedTcp {
  /** 6 (TCP) or 17 (UDP: flags 0). */
  proto: number;
  /** Capture timestamp in ns (kernel time at the server veth). */
  tNs: bigint;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
}

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

function ipv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/**
 * Parse a classic pcap file (µs or ns timestamps, Ethernet link type) and
 * return its TCP- and UDP-over-IPv4 packets. Anything else is skipped.
 */
export function parsePcapTcp(file: Buffer): CapturedTcp[] {
  if (file.length < 24) throw new Error("pcap too short");
  const magicLE = file.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nano = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = file.readUInt32BE(0);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new Error("not a pcap file");
    le = false;
    nano = magicBE === 0xa1b23c4d;
  }
  const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const linkType = u32(20);
  if (linkType !== 1) throw new Error(`unsupported pcap link type ${linkType}`);
  const out: CapturedTcp[] = [];
  let at = 24;
  for (let guard = 0; at + 16 <= file.length && guard < 50_000_000; guard++) {
    const sec = u32(at);
    const frac = u32(at + 4);
    const incl = u32(at + 8);
    const p = at + 16;
    at = p + incl;
    if (at > file.length) break;
    if (incl < 14 + 20 + 8 || file.readUInt16BE(p + 12) !== 0x0800) continue;
    const ip = p + 14;
    const ihl = (file[ip]! & 0x0f) * 4;
    const proto = file[ip + 9]!;
    if ((proto !== 6 || ip + ihl + 14 > at) && (proto !== 17 || ip + ihl + 8 > at)) continue;
    const tcp = ip + ihl;
    out.push({
      proto,
      tNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nano ? 1n : 1000n),
      src: ipv4(file, ip + 12),
      dst: ipv4(file, ip + 16),
      sport: file.readUInt16BE(tcp),
      dport: file.readUInt16BE(tcp + 2),
      flags: proto === 6 ? file[tcp + 13]! : 0,
    });
  }
  return out;
}

/**
 * Server-side knock-to-open time for `src`: from the capture of its last knock
 * (SYN to `lastKnockPort`) to the server's first SYN-ACK from `openPort`
 * towards it. Undefined when either is missing.
 */
export function knockToOpenMs(packets: CapturedTcp[], src: string, lastKnockPort: number, openPort: number): number | undefined {
  let knock: bigint | undefined;
  for (const pk of packets) {
    if (pk.src === src && pk.dport === lastKnockPort && (pk.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      knock = pk.tNs;
    } else if (knock !== undefined && pk.dst === src && pk.sport === openPort && (pk.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
      return Number(pk.tNs - knock) / 1e6;
    }
  }
  return undefined;
}

/**
 * Server-side SPA-to-open time for `src`: from the capture of its (last) UDP
 * datagram to `spaPort` to the server's first SYN-ACK from `openPort`
 * towards it. Undefined when either is missing.
 */
export function spaToOpenMs(packets: CapturedTcp[], src: string, spaPort: number, openPort: number): number | undefined {
  let spa: bigint | undefined;
  for (const pk of packets) {
    if (pk.proto === 17 && pk.src === src && pk.dport === spaPort) spa = pk.tNs;
    else if (spa !== undefined && pk.proto === 6 && pk.dst === src && pk.sport === openPort && (pk.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
      return Number(pk.tNs - spa) / 1e6;
    }
  }
  return undefined;
}

export interface Capture {
  path: string;
  /** Stop tcpdump (it flushes on SIGTERM) and parse the file. */
  stop(): Promise<CapturedTcp[]>;
}

/** tcpdump with ns timestamps on `ifname` in `ns`, filtered to `filter` in the kernel. */
export async function startCapture(ns: string, ifname: string, filter: string, path: string): Promise<Capture> {
  const child: ChildProcess = spawn(
    "ip",
    ["netns", "exec", ns, "tcpdump", "-i", ifname, "-n", "-s", "96", "-B", "8192", "--time-stamp-precision=nano", "--immediate-mode", "-U", "-w", path, filter],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const unregister = onCleanup("tcpdump", () => stopProcess(child));
  await new Promise<void>((resolve, reject) => {
    let err = "";
    const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("listening on")) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once("exit", (c) => {
      clearTimeout(t);
      reject(new Error(`tcpdump exited ${c}: ${err}`));
    });
  });
  return {
    path,
    stop: async () => {
      // --immediate-mode: without it the last, unfilled TPACKET_V3 block is lost on SIGTERM; the pause lets it catch up
      await new Promise((r) => setTimeout(r, 500));
      await unregister();
      if (process.env.BENCH_KEEP_PCAP) copyFileSync(path, process.env.BENCH_KEEP_PCAP);
      return parsePcapTcp(readFileSync(path));
    },
  };
}
