import { formatMatchEvent, type MatchEvent } from "@sesame/core";
import type { DoorInfo } from "./door-table";
import { Stage1Limiter } from "./rate-limit";
import type { EventRow, WriteBehind } from "./write-behind";

/**
 * The MatchEvents that decide nothing (a stage reached, a timeout, an
 * invalid or duplicate knock, …): knockd's log lines and one event row
 * each. A spoofed flood makes one stage-1 event per packet and one stage-1
 * timeout per attempt: those are capped per second (a summary line says how
 * many were left out) so the write queue and the heap stay flat; later
 * stages always count.
 */

const ROUTINE: Record<string, EventRow["kind"]> = { invalidated: "invalid", duplicate: "duplicate", cooldown: "cooldown", evicted: "evicted" };

export interface MatchEventLogOptions {
  writer: WriteBehind;
  log: { log(msg: string): void; verbose(msg: string): void };
  now: () => number;
  stage1PerSecond?: number;
}

export class MatchEventLog {
  private readonly stage1Lines: Stage1Limiter;
  /** Log lines (not rows: timeouts are always recorded) of stage-1 timeouts, the flood's other half. */
  private readonly stage1Timeouts: Stage1Limiter;

  constructor(private readonly o: MatchEventLogOptions) {
    this.stage1Lines = new Stage1Limiter(o.stage1PerSecond ?? 500, o.now);
    this.stage1Timeouts = new Stage1Limiter(o.stage1PerSecond ?? 500, o.now);
  }

  /** One event other than open-sesame and one-time-used; `nameOf` names doors in knockd's line. */
  record(ev: Exclude<MatchEvent, { kind: "open-sesame" | "one-time-used" | "spa" }>, info: DoorInfo | undefined, nameOf: (id: string) => string): void {
    const now = this.o.now();
    const doorName = info?.door.name ?? ev.door;
    const doorId = info?.rowId ?? null;
    const userName = info?.user?.userName ?? null;
    const line = formatMatchEvent(ev, nameOf);
    switch (ev.kind) {
      case "stage":
        if (ev.stage === 1 && !this.stage1Lines.allow()) break;
        if (line) this.o.log.log(line);
        this.o.writer.event({ ts: now, kind: "stage", ip: ev.ip, doorId, doorName, userName, stage: ev.stage, detail: `${ev.stage}/${ev.of}` });
        break;
      case "timeout":
        if (ev.stage === 1 && !this.stage1Timeouts.allow()) break;
        if (line) this.o.log.log(line);
        this.o.writer.event({ ts: now, kind: "timeout", ip: ev.ip, doorId, doorName, userName, stage: ev.stage });
        break;
      default: {
        this.o.log.verbose(`${ev.ip}: ${doorName}: ${ev.kind}${"stage" in ev ? ` (stage ${ev.stage})` : ""}`);
        this.o.writer.event({ ts: now, kind: ROUTINE[ev.kind] ?? "invalid", ip: ev.ip, doorId, doorName, userName, stage: "stage" in ev ? ev.stage : null });
      }
    }
  }

  /** Once a second: what the caps left out since the last call, one line (and row) each. */
  reportSuppressed(now: number): void {
    const lines = this.stage1Lines.takeSuppressed();
    const timeouts = this.stage1Timeouts.takeSuppressed();
    if (timeouts > 0) this.summary(now, `suppressed ${timeouts} stage-1 timeouts in the last second (knock flood?)`);
    if (lines > 0) this.summary(now, `suppressed ${lines} stage-1 lines in the last second (knock flood?)`);
  }

  private summary(now: number, msg: string): void {
    this.o.log.log(msg);
    this.o.writer.event({ ts: now, kind: "worker", detail: msg });
  }
}
