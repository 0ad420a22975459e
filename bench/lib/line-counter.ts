import { closeSync, existsSync, openSync, readSync } from "node:fs";

/**
 * Counts occurrences of a string in a growing log file, reading only what was
 * appended since the last call (1M log lines must not be re-read per poll).
 */
export class LineCounter {
  private offset = 0;
  private count = 0;
  private carry = "";

  constructor(private readonly path: string, private readonly needle: string) {}

  /** Occurrences so far (reads the new tail of the file). */
  read(): number {
    if (!existsSync(this.path)) return this.count;
    const fd = openSync(this.path, "r");
    try {
      const buf = Buffer.alloc(1 << 20);
      for (let i = 0; i < 100_000; i++) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.carry + buf.toString("latin1", 0, n);
        let at = text.indexOf(this.needle);
        let lastEnd = 0;
        while (at !== -1) {
          this.count++;
          lastEnd = at + this.needle.length;
          at = text.indexOf(this.needle, lastEnd);
        }
        // keep a tail that could be the start of a needle split across reads
        const keepFrom = Math.max(lastEnd, text.length - (this.needle.length - 1));
        this.carry = text.slice(keepFrom);
      }
    } finally {
      closeSync(fd);
    }
    return this.count;
  }
}
