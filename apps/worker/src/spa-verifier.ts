import type { Door, KnockPacket, MatchEvent, SpaEvent, Step } from "@sesame/core";
import { MAX_SPA_PACKET_AGE_SEC, decideSpa, type SpaUser } from "@sesame/core/spa";
import type { Recognizer } from "./recognizer";
import type { ReplayCache } from "./spa-replay";

/**
 * The SPA recognizer, beside the knock matcher: each UDP datagram to the
 * SPA port goes through core's decision with the loaded users and the
 * replay cache, and comes out as one `spa` MatchEvent (no key material).
 * Every authenticated packet's digest is remembered, whatever its outcome,
 * as fwknopd does.
 */
export class SpaVerifier implements Recognizer {
  private users: SpaUser[] = [];
  private port = 0;
  private readonly counts = { packets: 0, opened: 0, refused: 0 };
  /** Packets by outcome (opened, replayed, bad-hmac, …): junk is counted here even when no event row is written. */
  private readonly outcomes = new Map<string, number>();

  constructor(private readonly o: { replay: ReplayCache; now: () => number; maxAgeSec?: number }) {}

  /** The users to recognize and the port their packets arrive on (0: none, SPA off). */
  setUsers(users: SpaUser[], port: number): void {
    this.users = users;
    this.port = users.length > 0 ? port : 0;
  }

  /** The port captured for SPA, 0 when no user has a credential. */
  get spaPort(): number {
    return this.port;
  }

  /** Every port a user may open: they are protected ports. */
  userPorts(): Step[] {
    return this.users.flatMap((u) => (u.ports === "any" ? [] : u.ports));
  }

  handleBatch(packets: readonly KnockPacket[]): MatchEvent[][] {
    return packets.map((p) => {
      if (this.port === 0 || p.protocol !== "udp" || p.dport !== this.port || p.payload === undefined) return [];
      return [this.verify(p, p.payload)];
    });
  }

  private verify(p: KnockPacket, payload: string): SpaEvent {
    this.counts.packets++;
    const maxAgeSec = this.o.maxAgeSec ?? MAX_SPA_PACKET_AGE_SEC;
    const d = decideSpa(this.users, { packet: payload.trim(), src: p.src, now: this.o.now(), isSeen: (k) => this.o.replay.has(k), maxAgeSec });
    // With packet aging off (fwknopd.conf) a digest is kept for 30 days.
    const keepSec = Number.isFinite(maxAgeSec) ? maxAgeSec : 30 * 86400;
    if (d.replayKey !== undefined && d.timestamp !== undefined) this.o.replay.add(d.replayKey, (d.timestamp + keepSec + 1) * 1000);
    if (d.outcome === "opened") this.counts.opened++;
    else this.counts.refused++;
    this.outcomes.set(d.outcome, (this.outcomes.get(d.outcome) ?? 0) + 1);
    const ev: SpaEvent = { kind: "spa", ip: p.src, family: p.family, outcome: d.outcome, reason: d.reason };
    if (d.user) ev.user = d.user;
    if (d.credentialId !== undefined) ev.credentialId = d.credentialId;
    if (d.ports) ev.ports = d.ports;
    if (d.seconds !== undefined) ev.seconds = d.seconds;
    if (d.allowIp !== undefined) ev.allowIp = d.allowIp;
    return ev;
  }

  expire(): MatchEvent[] {
    return [];
  }

  nextDeadline(): number | undefined {
    return undefined;
  }

  setDoors(_doors: Door[]): void {}

  stats(): { packets: number; opened: number; refused: number; replayCache: number; outcomes: Record<string, number> } {
    return { ...this.counts, replayCache: this.o.replay.size, outcomes: Object.fromEntries(this.outcomes) };
  }
}
