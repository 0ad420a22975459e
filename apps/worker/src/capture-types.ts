import type { KnockPacket } from "@sesame/core";
import type { FrameDecoder, LinkKind } from "./decode";
import type { InterfaceProbe } from "./net-info";
import type { CaptureSession, RawFrame, SessionOptions } from "./pcap-session";

/** The capture manager's options, state per interface and stats (capture.ts). */

/** Where captured packets go (the decision step). */
export interface PacketSink {
  /**
   * The packets of one capture read (at most MAX_BATCH), in capture order;
   * `tsUs[i]`: capture time (µs since the epoch) of `packets[i]` from the pcap header.
   */
  handlePackets(packets: KnockPacket[], tsUs: number[], iface: string): void;
}

/**
 * The BPF filter in two spellings: with the 802.1Q branch for Ethernet-like
 * links, without it for links where libpcap refuses `vlan` (tun, WireGuard,
 * cooked capture).
 */
export interface CaptureFilter {
  vlan: string;
  plain: string;
}

export type InterfaceState = "listening" | "missing" | "down" | "error" | "stopped";

export interface CaptureLog {
  log(msg: string): void;
  error(msg: string): void;
  verbose(msg: string): void;
}

export interface CaptureOptions {
  log: CaptureLog;
  sink: PacketSink;
  /** Turns each frame into a packet (or null) while its buffer is valid. */
  decoder: FrameDecoder;
  /** Raised when an interface changes state (for workerStatus.lastError). */
  onStateChange?: (iface: string, state: InterfaceState, detail: string) => void;
  probe?: (name: string) => InterfaceProbe;
  openSession?: (opts: SessionOptions) => CaptureSession;
  now?: () => number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Packets handed on together at most: one capture read's worth (under a flood
 * a read holds many), so decisions and their firewall calls are made per read
 * while the first packet waits at most this many others.
 */
export const MAX_BATCH = 256;

export interface IfaceEntry {
  name: string;
  state: InterfaceState | "new";
  session: CaptureSession | null;
  link: LinkKind | null;
  ifindex: number;
  carrierChanges: number;
  checkQueued: boolean;
  /** When an empty wake-up last led to a check (ms). */
  lastSuspectCheck: number;
  /** Non-Ethernet link: use the filter without the vlan branch. */
  plain: boolean;
  filter: string;
  /** Collects frame keys while the previous session is drained during a filter swap. */
  draining: Set<string> | null;
  /** Frames the previous session delivered (by key) up to seenUntilUs: the new one skips them. */
  seen: Set<string> | null;
  seenUntilUs: number;
  backoffMs: number;
  nextTryAt: number;
  lastDetail: string;
  /** Capture stats of closed sessions, so totals survive reopening. */
  recvBase: number;
  dropBase: number;
}

export function frameKey(f: RawFrame): string {
  return `${f.tsUs}:${f.caplen}`;
}

export interface CaptureStats {
  interfaces: Record<string, InterfaceState>;
  recv: number;
  drop: number;
  /** Batches handed to the sink (packets / batches: the mean batch size). */
  batches: number;
}

/** A new interface, not opened yet. */
export function newEntry(name: string, backoffMs: number): IfaceEntry {
  return {
    name, state: "new", session: null, link: null, ifindex: 0, carrierChanges: 0, checkQueued: false, lastSuspectCheck: 0, plain: false, filter: "", draining: null, seen: null, seenUntilUs: 0,
    backoffMs, nextTryAt: 0, lastDetail: "", recvBase: 0, dropBase: 0,
  };
}
