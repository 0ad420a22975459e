import pcap from "pcap";

/**
 * A thin, safe wrapper over one node_pcap live session. node_pcap 3.1 has no
 * setFilter and its close() only calls pcap_breakloop: the handle is released
 * on the next dispatch. We do that dispatch ourselves (after node_pcap's own
 * next-tick kick-start, which would otherwise touch a freed handle), and we
 * watch dispatch's return value so a capture error (interface gone) is seen
 * at once instead of leaving a silent, dead session.
 */

export interface RawFrame {
  buf: Buffer;
  caplen: number;
  /** Capture timestamp, µs since the epoch (from the pcap header). */
  tsUs: number;
}

/** node_pcap internals we rely on (see node_modules/pcap/pcap.js). */
interface NodePcapSession {
  link_type: string;
  buf: Buffer;
  header: Buffer;
  session: {
    dispatch(buf: Buffer, header: Buffer): number;
    read_callback: () => void;
  };
  on(event: "packet", cb: () => void): void;
  close(): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}

export interface SessionOptions {
  iface: string;
  filter: string;
  /** Bytes kept per frame: headers only (Ethernet + 2 VLAN tags + IPv6 with extension headers + TCP). */
  snapLength?: number;
  bufferSize?: number;
  onFrame: (frame: RawFrame) => void;
  /** One read is over: every frame it got has gone to onFrame (synchronously, before this). */
  onDispatched: () => void;
  /**
   * The socket woke us without a frame (an error report such as ENETDOWN) or
   * dispatch failed: the capture may be dead; the owner re-checks the interface.
   */
  onSuspect: (code: number) => void;
}

/** The capture ring for 512-byte slots (what the flood figures were measured with). */
const RING_BYTES_AT_512 = 4 * 1024 * 1024;

let warningsRouted = false;

/** libpcap warnings (e.g. "no IPv4 address assigned") go to this sink instead of console.warn. */
export function routePcapWarnings(sink: (msg: string) => void): void {
  if (warningsRouted) return;
  warningsRouted = true;
  (pcap as unknown as { warningHandler: (s: string) => void }).warningHandler = (s) => sink(`pcap: ${s}`);
}

/** What the capture manager needs from a session (LiveSession; tests substitute their own). */
export interface CaptureSession {
  readonly linkType: string;
  readonly isBroken: boolean;
  drain(): void;
  stats(): { recv: number; drop: number; ifdrop: number } | null;
  close(): void;
}

export class LiveSession implements CaptureSession {
  readonly linkType: string;
  private readonly s: NodePcapSession;
  private readonly onDispatched: () => void;
  private closed = false;
  private broken = false;
  /** libpcap handle freed (dispatch returned -2); never touch the binding again. */
  private finalized = false;

  /** Throws (libpcap's message) when the device cannot be opened or the filter does not compile. */
  constructor(opts: SessionOptions) {
    const snap = opts.snapLength ?? 1600;
    this.s = (pcap as unknown as { createSession(d: string, o: object): NodePcapSession }).createSession(opts.iface, {
      filter: opts.filter,
      promiscuous: false,
      // <= 0 selects libpcap's immediate mode: each frame is delivered as it arrives (latency over batching).
      buffer_timeout: 0,
      // Room for a whole SPA datagram (fwknop: up to 1500 bytes).
      snap_length: snap,
      // Immediate mode is libpcap's TPACKET_V2 ring: fixed slots sized by the snap length, however short the frame.
      // At 1600 bytes in the 4 MiB ring that held 512-byte slots, a 50k pps SYN flood dropped 57k frames and
      // missed 2 knocks in 20 (bench flood, idle machine, 2026-12-02); the ring grows with the snap length, so it
      // holds as many frames as before.
      buffer_size: opts.bufferSize ?? Math.ceil((RING_BYTES_AT_512 * snap) / 512),
    });
    this.linkType = this.s.link_type;
    this.onDispatched = opts.onDispatched;
    const s = this.s;
    s.on("packet", () => {
      const h = s.header;
      opts.onFrame({ buf: s.buf, caplen: h.readUInt32LE(8), tsUs: h.readUInt32LE(0) * 1_000_000 + h.readUInt32LE(4) });
    });
    s.session.read_callback = () => {
      // Even once closed we must keep reading until libpcap reports the break (-2):
      // the poll is level-triggered and would otherwise spin.
      const n = this.dispatch();
      this.onDispatched();
      if (this.closed) return;
      // -1: PCAP_ERROR (e.g. "The interface disappeared"); -2 only after our own close.
      if (n === -1) this.broken = true;
      if (n <= 0) opts.onSuspect(n);
    };
  }

  get isBroken(): boolean {
    return this.broken;
  }

  private dispatch(): number {
    if (this.finalized) return -2;
    const n = this.s.session.dispatch(this.s.buf, this.s.header);
    if (n === -2) this.finalized = true;
    return n;
  }

  /** Reads whatever the kernel already holds for us (frames go to onFrame synchronously). */
  drain(): void {
    if (this.closed) return;
    this.dispatch();
    this.onDispatched();
  }

  stats(): { recv: number; drop: number; ifdrop: number } | null {
    if (this.closed || this.finalized) return null;
    try {
      const st = this.s.stats();
      return { recv: st.ps_recv, drop: st.ps_drop, ifdrop: st.ps_ifdrop };
    } catch {
      return null;
    }
  }

  /** Stops delivery now; frees the libpcap handle after node_pcap's pending next-tick read. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const s = this.s;
    s.close();
    // pcap_breakloop was requested: the next dispatch returns -2 and node_pcap frees the handle.
    setImmediate(() => this.dispatch());
  }
}
