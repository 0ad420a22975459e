/** Result of previewing / applying a knockd.conf import (sent to the client). */
export interface ImportState {
  status: "idle" | "preview" | "error" | "ok";
  message?: string;
  fieldErrors?: Record<string, string[]>;
  errors?: { line: number; message: string }[];
  warnings?: { line: number; message: string }[];
  /** `oneTime`: how many one-time sequences the door gets (from an uploaded One_Time_Sequences file). */
  added?: { name: string; sequence: string; oneTime?: number }[];
  changed?: { name: string; changes: string[] }[];
  unchanged?: string[];
  /** Sections not applied, with why (an existing command door). */
  skipped?: { name: string; reason: string }[];
  missing?: string[];
  interfaces?: { from: string[]; to: string[] } | null;
  /** What was previewed, so "apply" applies exactly that (and only if nothing changed meanwhile). */
  text?: string;
  mode?: "merge" | "replace";
  /** Uploaded One_Time_Sequences files (name → text), as previewed. */
  oneTimeFiles?: Record<string, string>;
  configVersion?: number;
}

export const IMPORT_IDLE: ImportState = { status: "idle" };
