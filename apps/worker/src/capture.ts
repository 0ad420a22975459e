import type { KnockPacket } from "@sesame/core";
import { MAX_BATCH, frameKey, newEntry, type CaptureFilter, type CaptureOptions, type CaptureStats, type IfaceEntry, type InterfaceState } from "./capture-types";
import { linkKindFromPcap, type LinkKind } from "./decode";
import { isEthernetLink, probeInterface, type InterfaceProbe } from "./net-info";
import { LiveSession, type CaptureSession, type RawFrame, type SessionOptions } from "./pcap-session";

export { MAX_BATCH, type CaptureFilter, type CaptureStats, type InterfaceState, type PacketSink } from "./capture-types";

/**
 * Capture on several interfaces and keep capturing whatever happens to them:
 * an interface that is missing, down, removed or re-created is retried with a
 * bounded backoff (logged once per state change, never fatal). The BPF filter
 * is replaced by opening a new session before closing the old one; frames the
 * two sessions both saw are delivered once (matched by capture timestamp and length).
 */

/** Empty capture wake-ups re-check the interface at most this often. */
const SUSPECT_CHECK_MS = 250;

export class CaptureManager {
  private readonly entries = new Map<string, IfaceEntry>();
  private filter: CaptureFilter = { vlan: "less 1", plain: "less 1" };
  private readonly opts: CaptureOptions;
  private readonly probe: (name: string) => InterfaceProbe;
  private readonly openSession: (opts: SessionOptions) => CaptureSession;
  private readonly now: () => number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  /** Packets decoded during the current read, handed on when it ends. */
  private batch: KnockPacket[] = [];
  private batchTs: number[] = [];
  private batchIface = "";
  private batches = 0;
  private flushing = false;

  constructor(opts: CaptureOptions) {
    this.opts = opts;
    this.probe = opts.probe ?? probeInterface;
    this.openSession = opts.openSession ?? ((o) => new LiveSession(o));
    this.now = opts.now ?? Date.now;
    this.minBackoff = opts.minBackoffMs ?? 1000;
    this.maxBackoff = opts.maxBackoffMs ?? 10_000;
  }

  /** Interfaces to capture on; added ones open at once, removed ones close. */
  setInterfaces(names: string[]): void {
    for (const [name, e] of this.entries) {
      if (!names.includes(name)) {
        this.closeEntry(e);
        this.entries.delete(name);
        this.opts.log.log(`stopped listening on ${name}`);
      }
    }
    for (const name of names) {
      if (this.entries.has(name)) continue;
      this.entries.set(name, newEntry(name, this.minBackoff));
    }
    this.tick();
  }

  get interfaces(): string[] {
    return [...this.entries.keys()];
  }

  /** New BPF filter: every listening session is replaced without a gap. */
  setFilter(filter: CaptureFilter): void {
    if (filter.vlan === this.filter.vlan && filter.plain === this.filter.plain) return;
    this.filter = filter;
    for (const e of this.entries.values()) {
      if (e.session && e.filter !== this.filterFor(e)) this.swapSession(e);
    }
  }

  private filterFor(e: IfaceEntry): string {
    return e.plain ? this.filter.plain : this.filter.vlan;
  }

  /** Follows interface state; call every second (and after changes). */
  tick(): void {
    for (const e of this.entries.values()) this.check(e);
  }

  private check(e: IfaceEntry): void {
    const p = this.probe(e.name);
    if (!p.exists) {
      this.closeEntry(e);
      this.setState(e, "missing", `interface ${e.name} not found; waiting for it to appear`);
      return;
    }
    if (!p.up) {
      this.closeEntry(e);
      this.setState(e, "down", `interface ${e.name} is down; waiting for it to come up`);
      return;
    }
    // Same name, new interface (deleted and re-created): the old socket is bound to the old index.
    // A down/up in between (carrier change) leaves the old socket deaf: reopen as well.
    if (e.session && (e.ifindex !== p.ifindex || e.carrierChanges !== p.carrierChanges || e.session.isBroken)) {
      this.closeEntry(e);
      this.opts.log.verbose(`interface ${e.name} changed (index ${p.ifindex}, link transitions ${p.carrierChanges}); reopening capture`);
    }
    if (e.session) return;
    if (e.state === "error" && this.now() < e.nextTryAt) return;
    e.plain = !isEthernetLink(p.linkType);
    try {
      this.open(e, this.filterFor(e));
      e.ifindex = p.ifindex;
      e.carrierChanges = p.carrierChanges;
      e.backoffMs = this.minBackoff;
      this.setState(e, "listening", `listening on ${e.name}`);
    } catch (err) {
      const msg = (err as Error).message;
      e.nextTryAt = this.now() + e.backoffMs;
      e.backoffMs = Math.min(this.maxBackoff, e.backoffMs * 2);
      this.setState(e, "error", `cannot capture on ${e.name}: ${msg}; retrying`);
    }
  }

  private open(e: IfaceEntry, filter: string): void {
    let made: { session: CaptureSession; link: LinkKind };
    try {
      made = this.create(e, filter);
    } catch (err) {
      // An unusual link that still refuses `vlan`: fall back to the plain filter once.
      if (e.plain || this.filter.plain === filter) throw err;
      e.plain = true;
      made = this.create(e, this.filter.plain);
      filter = this.filter.plain;
    }
    const { session, link } = made;
    e.session = session;
    e.link = link;
    e.filter = filter;
  }

  private create(e: IfaceEntry, filter: string): { session: CaptureSession; link: LinkKind } {
    const session: CaptureSession = this.openSession({
      iface: e.name,
      filter,
      onFrame: (f) => this.onFrame(e, session, f),
      onDispatched: () => this.flush(),
      onSuspect: (code) => {
        // Re-check right away rather than at the next tick (at most once per turn of the loop).
        // A wake-up that found no packet (0) is common under load: probing /sys on each one cost
        // more than half the worker's CPU in a 100k pps flood, so those check at most every 250 ms
        // (the 1 s tick checks anyway); an error (-1) checks at once.
        if (e.checkQueued) return;
        const now = Date.now();
        if (code === 0 && now - e.lastSuspectCheck < SUSPECT_CHECK_MS) return;
        e.lastSuspectCheck = now;
        e.checkQueued = true;
        setImmediate(() => {
          e.checkQueued = false;
          this.check(e);
        });
      },
    });
    const link = linkKindFromPcap(session.linkType);
    if (link === null) {
      session.close();
      throw new Error(`unsupported link type ${session.linkType}`);
    }
    return { session, link };
  }

  private onFrame(e: IfaceEntry, from: CaptureSession, f: RawFrame): void {
    if (from !== e.session) return;
    if (e.draining !== null) e.draining.add(frameKey(f));
    else if (e.seen !== null) {
      // The previous session already delivered this exact frame during the swap.
      if (f.tsUs <= e.seenUntilUs) {
        if (e.seen.has(frameKey(f))) return;
      } else e.seen = null;
    }
    const pkt = this.opts.decoder.decode(f.buf, f.caplen, e.link as LinkKind);
    if (pkt === null) return;
    // (During a flush only the entry being swapped is drained: one interface per batch still holds.)
    if (this.batch.length > 0 && this.batchIface !== e.name) this.flush();
    this.batchIface = e.name;
    this.batch.push(pkt);
    this.batchTs.push(f.tsUs);
    if (this.batch.length >= MAX_BATCH) this.flush();
  }

  /**
   * Hands on the packets decoded so far (end of a read, or MAX_BATCH reached).
   * Never nested: handling a batch can swap a capture filter, which drains the
   * old session synchronously; the packets that drain decodes (captured later)
   * are handed on after the batch in hand, not in the middle of it.
   */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.batch.length > 0) {
        const packets = this.batch;
        const ts = this.batchTs;
        this.batch = [];
        this.batchTs = [];
        this.batches++;
        this.opts.sink.handlePackets(packets, ts, this.batchIface);
      }
    } finally {
      this.flushing = false;
    }
  }

  private swapSession(e: IfaceEntry): void {
    let next: { session: CaptureSession; link: LinkKind };
    const filter = this.filterFor(e);
    try {
      next = this.create(e, filter);
    } catch (err) {
      // Keep the old filter rather than capturing nothing; retried on the next change.
      this.opts.log.error(`cannot apply new capture filter on ${e.name}: ${(err as Error).message}`);
      return;
    }
    const old = e.session as CaptureSession;
    // Frames the old session holds now may also be queued in the new one: deliver them
    // from the old session and remember them so the new one skips exactly those.
    e.draining = new Set();
    try {
      old.drain();
    } finally {
      const delivered = e.draining;
      e.draining = null;
      e.seen = delivered.size > 0 ? delivered : null;
      e.seenUntilUs = 0;
      for (const k of delivered) e.seenUntilUs = Math.max(e.seenUntilUs, Number(k.split(":")[0]));
    }
    e.session = next.session;
    e.link = next.link;
    e.filter = filter;
    this.retire(e, old);
    this.opts.log.verbose(`capture filter on ${e.name}: ${filter}`);
  }

  private retire(e: IfaceEntry, s: CaptureSession): void {
    const st = s.stats();
    if (st) {
      e.recvBase += st.recv;
      e.dropBase += st.drop;
    }
    s.close();
  }

  private closeEntry(e: IfaceEntry): void {
    if (!e.session) return;
    this.retire(e, e.session);
    e.session = null;
  }

  private setState(e: IfaceEntry, state: InterfaceState, detail: string): void {
    if (e.state === state && e.lastDetail === detail) return;
    e.state = state;
    e.lastDetail = detail;
    if (state === "listening") this.opts.log.log(detail);
    else this.opts.log.error(detail);
    this.opts.onStateChange?.(e.name, state, detail);
  }

  stats(): CaptureStats {
    const out: CaptureStats = { interfaces: {}, recv: 0, drop: 0, batches: this.batches };
    for (const e of this.entries.values()) {
      out.interfaces[e.name] = e.state === "new" ? "missing" : e.state;
      const st = e.session?.stats();
      out.recv += e.recvBase + (st?.recv ?? 0);
      out.drop += e.dropBase + (st?.drop ?? 0);
    }
    return out;
  }

  /** Closes every session (shutdown). */
  close(): void {
    for (const e of this.entries.values()) {
      this.closeEntry(e);
      e.state = "stopped";
    }
  }
}
