/**
 * Caps how many stage-1 lines (log and database) are written per second.
 * During a flood every spoofed source produces a stage-1 event that never
 * leads anywhere; the matcher still tracks them all, we only stop recording
 * each one and report how many were left out.
 */
export class Stage1Limiter {
  private window = -1;
  private used = 0;
  private suppressed = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  /** True when this stage-1 event may be recorded. */
  allow(): boolean {
    const w = Math.floor(this.now() / 1000);
    if (w !== this.window) {
      this.window = w;
      this.used = 0;
    }
    if (this.used < this.perSecond) {
      this.used++;
      return true;
    }
    this.suppressed++;
    return false;
  }

  /** Suppressed count since the last call (for the summary line). */
  takeSuppressed(): number {
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}
