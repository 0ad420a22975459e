import type { Door } from "@sesame/core";
import { writeDoorOneTimeIndex } from "./db-write";
import type { DoorInfo } from "./door-table";
import { markUsedInFile, type ImportLog, type LoadedKnockdConf } from "./knockd-conf-file";
import type { WriteBehind } from "./write-behind";

/**
 * One-time sequences: core's matcher decides when one is used and which
 * comes next (a "one-time-used" event); this is the one place the worker
 * keeps that progress: it writes the door row's oneTimeIndex and comments
 * the line out of knockd.conf's One_Time_Sequences file (like knockd), and
 * since the row is written behind, a door loaded before the write lands
 * gets the recorded index back (withProgress). Doors are copied, never
 * changed in place.
 */

export interface OneTimeProgressOptions {
  writer: WriteBehind;
  log: ImportLog;
  /** The knockd.conf loaded now (SIGHUP may replace it). */
  knockdConf: { current(): LoadedKnockdConf | null };
}

export class OneTimeProgress {
  /** Per door id: the sequence list (by content) and the next index, as last reported by core. */
  private readonly recorded = new Map<string, { listKey: string; index: number }>();

  constructor(private readonly o: OneTimeProgressOptions) {}

  /** A door as read from the database, at the index recorded here when the row lags behind it. */
  withProgress(info: DoorInfo): DoorInfo {
    const d = info.door;
    const r = this.recorded.get(d.id);
    if (!r || !d.oneTimeSequences || r.listKey !== JSON.stringify(d.oneTimeSequences) || r.index <= (d.oneTimeIndex ?? 0)) return info;
    return { ...info, door: atIndex(d, r.index) };
  }

  /** Core reported sequence `index` of this door used: persist it and say so; returns the door at its next sequence. */
  used(info: DoorInfo, index: number, exhausted: boolean): DoorInfo {
    const d = info.door;
    const next = index + 1;
    let out = info;
    if (d.oneTimeSequences && next > (d.oneTimeIndex ?? 0)) {
      out = { ...info, door: atIndex(d, next) };
      this.recorded.set(d.id, { listKey: JSON.stringify(d.oneTimeSequences), index: next });
    }
    const rowId = info.rowId;
    if (rowId !== null) this.o.writer.op({ describe: `one-time index of ${d.name}`, run: (w) => writeDoorOneTimeIndex(w, rowId, next) });
    const conf = this.o.knockdConf.current();
    if (info.source === "knockd-conf" && conf) markUsedInFile(conf, d.name, index, this.o.log);
    this.o.log.log(`${d.name}: one-time sequence used${exhausted ? "; no sequence left, the door is inactive" : "; next sequence active"}`);
    return out;
  }
}

function atIndex(d: Door, index: number): Door {
  return { ...d, oneTimeIndex: index, sequence: (d.oneTimeSequences?.[index] ?? []).map((x) => ({ ...x })) };
}
