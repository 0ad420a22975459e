/** Result of previewing / applying a knockd.conf import (sent to the client). */
export interface ImportState {
  status: "idle" | "preview" | "error" | "ok";
  message?: string;
  fieldErrors?: Record<string, string[]>;
  errors?: { line: number; message: string }[];
  warnings?: { line: number; message: string }[];
  added?: { name: string; sequence: string }[];
  changed?: { name: string; changes: string[] }[];
  unchanged?: string[];
  missing?: string[];
  interfaces?: { from: string[]; to: string[] } | null;
  /** What was previewed, so "apply" applies exactly that (and only if nothing changed meanwhile). */
  text?: string;
  mode?: "merge" | "replace";
  configVersion?: number;
}

export const IMPORT_IDLE: ImportState = { status: "idle" };
