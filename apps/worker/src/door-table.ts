import type { Door } from "@sesame/core";
import type { UserDoor } from "./rotating-doors";

/**
 * The doors the worker runs, as loaded from the database (door-load.ts)
 * with one-time progress applied (one-time-progress.ts), and the users'
 * rotating sequences of the moment (rotating-doors.ts). Door objects are
 * never changed in place: a one-time door that moves on is replaced.
 */

export interface DoorInfo {
  door: Door;
  /** The doors row (null for a rotating sequence: those are derived, not stored). */
  rowId: number | null;
  source: "ui" | "knockd-conf" | "totp";
  /** knockd.conf section for command doors. */
  section: string | null;
  /** A user's rotating (TOTP) sequence for one window. */
  user?: UserDoor;
}

export class DoorTable {
  private byId = new Map<string, DoorInfo>();

  set(infos: DoorInfo[]): void {
    this.byId = new Map(infos.map((i) => [i.door.id, i]));
  }

  /** Replaces one door (a one-time door moved on). */
  replace(info: DoorInfo): void {
    if (this.byId.has(info.door.id)) this.byId.set(info.door.id, info);
  }

  get(id: string): DoorInfo | undefined {
    return this.byId.get(id);
  }

  nameOf = (id: string): string => this.byId.get(id)?.door.name ?? id;

  list(): Door[] {
    return [...this.byId.values()].map((i) => i.door);
  }
}
