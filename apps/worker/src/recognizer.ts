import type { Door, KnockPacket, MatchEvent } from "@sesame/core";

/**
 * The shape every recognizer has: packets in, zero or more MatchEvents out
 * per packet. The knock matcher (core's Matcher) is one as it is; the SPA
 * verifier will be the next. The decision step (decisions.ts) never cares
 * which one spoke.
 */
export interface Recognizer {
  /** Packets captured together, in order: `out[i]` is what `packets[i]` caused (often nothing). */
  handleBatch(packets: readonly KnockPacket[]): MatchEvent[][];
  /** Events due by time alone (timeouts); called at nextDeadline(). */
  expire(): MatchEvent[];
  nextDeadline(): number | undefined;
  /** The doors to recognize (a recognizer keeps its own progress across calls). */
  setDoors(doors: Door[]): void;
}
