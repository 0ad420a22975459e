import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Gives a flood's memory back. V8 keeps the pages it grew into while a
 * spoofed flood filled the attempt table, long after the attempts expired,
 * and the attempt store's arrays replaced while it shrank stay allocated until
 * a full collection finds them (an idle worker may not run one for hours).
 * One full (compacting) collection once the table has drained, i.e. the
 * pending count is low and has stopped falling, returns both to the OS. It
 * runs at most once per flood, never on the packet path.
 */
export class FloodMemoryRelease {
  private peak = 0;
  private last = 0;
  private readonly gc: (() => void) | undefined;

  constructor(
    /** Pending attempts that count as a flood worth collecting after. */
    private readonly floodPending = 20_000,
    gc?: () => void,
  ) {
    this.gc = gc ?? exposeGc();
  }

  /** Called once a second with the matcher's pending count; true when it collected. */
  observe(pending: number): boolean {
    const falling = pending < this.last;
    this.last = pending;
    if (pending > this.peak) this.peak = pending;
    if (this.peak < this.floodPending || pending > this.peak / 20 || falling || !this.gc) return false;
    this.peak = pending;
    this.gc();
    return true;
  }
}

/** `gc()` without a command-line flag (the worker is started in several ways). */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}
