import type { ChildProcess } from "node:child_process";
import { spawnIn, stopProcess } from "./netns";
import { waitForOutput } from "./output";
import { waitFor } from "./tcp";

/**
 * Run `tcpdump ARGS` in namespace `ns`; resolves once it reports "listening
 * on" (packets sent after that are captured). Stop it with stopProcess().
 */
export async function startTcpdump(ns: string, args: string[], timeoutMs = 10_000): Promise<ChildProcess> {
  const child = spawnIn(ns, ["tcpdump", ...args]);
  try {
    await waitForOutput(child, "stderr", "listening on", "tcpdump", timeoutMs);
  } catch (err) {
    await stopProcess(child, 500);
    throw err;
  }
  return child;
}

/** One packet as tcpdump -n -tt prints it, reduced to what a knock is made of. */
export interface CapturedPacket {
  /** Capture time, ms since epoch (microsecond resolution). */
  atMs: number;
  family: 4 | 6;
  src: string;
  dst: string;
  protocol: "tcp" | "udp";
  dport: number;
  /** tcpdump's TCP flags ("S", "R.", ...); "" for UDP. */
  flags: string;
  /** Payload length. */
  length: number;
}

// tcpdump -v prints the IP header first (IPv4 on its own line, continued on
// the next), then the transport part, which it decodes by port (UDP 7000 shows
// as AFS "rx", 53 as DNS...). The UDP payload length is therefore taken from
// the IP header, which -v always prints, not from the decoded part.
const IPV4 = /^(\d+\.\d+) IP \(.*proto (TCP|UDP) \(\d+\), length (\d+)\)\s+(\S+)\.(\d+) > (\S+)\.(\d+): (.*)$/s;
const IPV6 = /^(\d+\.\d+) IP6 \(.*next-header (TCP|UDP) \(\d+\) payload length: (\d+)\) (\S+)\.(\d+) > (\S+)\.(\d+): (.*)$/s;

/**
 * Parse one packet of `tcpdump -v -n -tt` output (its lines joined with "\n");
 * undefined for anything that is not TCP/UDP over IP or is still incomplete.
 */
export function parseTcpdumpPacket(text: string): CapturedPacket | undefined {
  const family = text.includes(" IP6 ") ? 6 : 4;
  const m = (family === 6 ? IPV6 : IPV4).exec(text);
  if (!m) return undefined;
  const ipLength = Number(m[3]);
  const rest = m[8]!;
  const base = { atMs: Number(m[1]) * 1000, family, src: m[4]!, dst: m[6]!, dport: Number(m[7]) } as const;
  if (m[2] === "UDP") {
    // IPv4: total length - 20-byte header - 8-byte UDP header; IPv6: payload length - 8.
    return { ...base, protocol: "udp", flags: "", length: ipLength - (family === 4 ? 28 : 8) };
  }
  const flags = /Flags \[([^\]]*)\]/.exec(rest);
  const length = /, length (\d+)/.exec(rest);
  if (!flags || !length) return undefined;
  return { ...base, protocol: "tcp", flags: flags[1]!, length: Number(length[1]) };
}

/** A running `tcpdump -v` whose output is parsed packet by packet. */
export interface TcpdumpCapture {
  /** Packets seen so far. */
  packets(): CapturedPacket[];
  /** Wait (bounded) until `count` packets matched `keep`, then stop tcpdump; returns those packets. */
  stop(opts: { keep: (p: CapturedPacket) => boolean; count?: number; timeoutMs?: number }): Promise<CapturedPacket[]>;
}

/** Run `tcpdump -v -l -n -tt -i IF tcp or udp` in namespace `ns`; resolves once it is listening. */
export async function startTcpdumpCapture(ns: string, ifname: string): Promise<TcpdumpCapture> {
  const child = await startTcpdump(ns, ["-v", "-l", "-n", "-tt", "-i", ifname, "tcp or udp"]);
  // One entry per packet: its header line plus any indented continuation lines.
  const records: string[] = [];
  let buffered = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) {
      if (/^\s/.test(line) && records.length > 0) records[records.length - 1] += `\n${line}`;
      else records.push(line);
    }
  });
  const parsed = (): CapturedPacket[] => records.map(parseTcpdumpPacket).filter((p): p is CapturedPacket => p !== undefined);
  return {
    packets: parsed,
    stop: async ({ keep, count, timeoutMs = 2000 }) => {
      if (count !== undefined) await waitFor(() => parsed().filter(keep).length >= count, timeoutMs, 20);
      else await new Promise((r) => setTimeout(r, 300));
      await stopProcess(child);
      return parsed().filter(keep);
    },
  };
}
