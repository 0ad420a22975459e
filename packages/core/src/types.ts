/**
 * Shared domain types. Everything here is plain data: the matcher, the config
 * parser, the database rows and the firewall backends all speak these shapes.
 */

export type Protocol = "tcp" | "udp";

/** One knock (or one protected service): a port and its protocol. */
export interface Step {
  port: number;
  protocol: Protocol;
}

export type TcpFlag = "fin" | "syn" | "rst" | "psh" | "ack" | "urg";

/** TCP flag bit values, as in the TCP header's flags byte. */
export const TCP_FLAG_BITS: Record<TcpFlag, number> = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
  urg: 0x20,
};

/** knockd's `TCPFlags = syn,!ack`: flags that must be set, flags that must be clear. */
export interface TcpFlagRule {
  set: TcpFlag[];
  clear: TcpFlag[];
}

/**
 * What a door does when its sequence completes.
 * - open: accept `ports` from the knocker for `durationSec` (kernel-side timeout).
 * - close: revoke the knocker's grants (those opened by `doorName`, or all when unset).
 * - ban: decoy door; drop the knocker on protected ports for `durationSec`
 *   (never a trusted address).
 * - command: knockd-style start/stop shell commands. Only ever run from a
 *   root-owned config file handed to the worker, never from the database.
 */
export type DoorAction =
  | { kind: "open"; ports: Step[]; durationSec: number }
  | { kind: "close"; doorName?: string }
  | { kind: "ban"; durationSec: number }
  | {
      kind: "command";
      start: string;
      start6?: string;
      stop?: string;
      stop6?: string;
      cmdTimeoutSec: number;
    };

export interface Door {
  /** Stable identifier (the database id as a string, or the knockd.conf section name). */
  id: string;
  name: string;
  /** The active sequence. For one-time doors, the current unused sequence (empty when exhausted). */
  sequence: Step[];
  /** One_Time_Sequences: all sequences in order; `oneTimeIndex` is the next unused one. */
  oneTimeSequences?: Step[][];
  oneTimeIndex?: number;
  /** Measured from the first knock; knockd's default is 25 s. */
  seqTimeoutMs: number;
  tcpFlags: TcpFlagRule;
  /** Match knocks sent to this address instead of the host's own addresses. */
  target?: string;
  action: DoorAction;
  /** After a success, ignore new attempts of this door from the same IP for this long. */
  cooldownMs: number;
  /** Tolerate an immediately repeated knock on the current port (retransmitted SYN). */
  tolerateDuplicates: boolean;
  enabled: boolean;
}

/** A decoded packet, as much as the matcher needs. */
export interface KnockPacket {
  src: string;
  dst: string;
  family: 4 | 6;
  protocol: Protocol;
  dport: number;
  /** TCP flags byte (0 for UDP). */
  flags: number;
  /** A UDP datagram's payload (latin1), kept only for the SPA port. */
  payload?: string;
}

/** Events the matcher reports; the worker logs them and turns successes into actions. */
export type MatchEvent =
  | { kind: "stage"; ip: string; door: string; stage: number; of: number }
  | { kind: "open-sesame"; ip: string; door: string; family: 4 | 6 }
  | { kind: "timeout"; ip: string; door: string; stage: number }
  | { kind: "invalidated"; ip: string; door: string; stage: number; port: number; protocol: Protocol }
  | { kind: "duplicate"; ip: string; door: string; stage: number }
  | { kind: "cooldown"; ip: string; door: string }
  | { kind: "evicted"; ip: string; door: string; stage: number }
  | { kind: "one-time-used"; door: string; index: number; exhausted: boolean }
  | SpaEvent;

/**
 * What the SPA verifier made of one datagram (core/spa's decision, without
 * key material): `outcome` is one of SPA_OUTCOMES; `opened` carries what to
 * open, for whom (`allowIp`) and how long.
 */
export interface SpaEvent {
  kind: "spa";
  /** The datagram's source. */
  ip: string;
  family: 4 | 6;
  outcome: string;
  reason: string;
  user?: { id: number; name: string };
  credentialId?: number;
  ports?: Step[];
  seconds?: number;
  allowIp?: string;
}

/** Desired firewall state, as the worker derives it from the database. */
export interface GrantSpec {
  ip: string;
  ports: Step[];
  /** Absolute expiry, ms since epoch. */
  expiresAt: number;
}

export interface BanSpec {
  ip: string;
  expiresAt: number;
}

/** A trusted network; with an expiry it leaves the kernel by itself (set timeouts), even with the worker dead. */
export interface TrustedSpec {
  cidr: string;
  /** Absolute expiry, ms since epoch; null: trusted until removed. */
  expiresAt: number | null;
}

/**
 * Gateway mode: a service behind this host (the forwards table). New
 * connections to it are forwarded only for sources that are trusted, or
 * granted (protocol, port), and not banned: the same sets as the host's own
 * protected ports. With `dnat`, (protocol, port) arriving at this host is
 * rewritten to toAddress:toPort; without, clients address toAddress:port and
 * the host only gates what it routes (toPort equals port).
 */
export interface ForwardSpec {
  protocol: "tcp" | "udp";
  /** The port a grant names: on this host with dnat, on toAddress without. */
  port: number;
  /** The inside host (IPv4 or IPv6). */
  toAddress: string;
  toPort: number;
  dnat: boolean;
}

export interface FirewallState {
  /** Ports/protocols that are closed unless trusted or granted. Empty: nothing is dropped. */
  protectedPorts: Step[];
  trusted: TrustedSpec[];
  grants: GrantSpec[];
  bans: BanSpec[];
  /** Gateway mode's forwarded services (absent or empty: nothing forwarded is gated). */
  forwards?: ForwardSpec[];
}

/** Kinds of rows in the events table. */
export const EVENT_KINDS = [
  "stage",
  "open",
  "timeout",
  "invalid",
  "duplicate",
  "cooldown",
  "evicted",
  "close",
  "ban",
  "unban",
  "grant-expired",
  "revoke",
  "command",
  "command-timeout",
  "command-error",
  "ignored-banned",
  "trusted-skip",
  "spa",
  /** A user's rotating sequence (or SPA message) that was already used. */
  "replayed",
  /** A user's credential used from an address outside their sources. */
  "source-not-allowed",
  /** A user (or credential) past its expiry. */
  "user-expired",
  /** A disabled user's rotating sequence. */
  "user-disabled",
  "error",
  "worker",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
