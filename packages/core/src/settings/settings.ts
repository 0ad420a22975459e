import { z } from "zod";
import { MAX_ATTEMPT_CAP } from "./attempt-memory";
import { DEFAULT_MAX_ATTEMPTS } from "./limits";
import { makeSettingsInputSchema, type SettingsInput } from "./settings-input";
import { DEFAULT_TOTP_SETTINGS } from "../totp/sequence";

/**
 * The appliance's settings, one schema for the web form, the web server and
 * the worker: what a value may be is makeSettingsInputSchema (the form's),
 * what it is when the database has no row is SETTING_DEFAULTS, and
 * parseStoredSettings reads the rows as both processes must.
 */
export type Settings = SettingsInput & { configVersion: number };
export type SettingKey = keyof Settings;

/** fwknopd's default SPA port. */
export const DEFAULT_SPA_PORT = 62201;


export const SETTING_DEFAULTS: Settings = {
  configVersion: 0,
  interfaces: [],
  backend: "nftables",
  retentionDays: 30,
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  syslog: false,
  spaPort: DEFAULT_SPA_PORT,
  totp: DEFAULT_TOTP_SETTINGS,
};

// A stored cap below the form's floor (MIN_ATTEMPT_CAP guards typing mistakes) was set on purpose
// (by hand, or a test that fills the table with a handful of knocks): honoured as before.
const StoredSchema = makeSettingsInputSchema({ attemptCapLimit: MAX_ATTEMPT_CAP }).extend({
  configVersion: z.int().min(0),
  maxAttempts: z.int({ error: "must be a whole number" }).min(1, { error: "must be at least 1" }),
});
const FIELDS = StoredSchema.shape;

/**
 * The settings rows as stored, key by key: a value its field's schema refuses
 * is left out (the default applies) and reported once through `warn`; keys
 * the schema does not know are ignored. Only stored keys are returned, so a
 * caller can tell "set in the UI" from "default" (a pinned --max-attempts is
 * reported only when it overrides a value the admin chose). `maxAttempts`
 * above what this machine's memory allows is lowered to that, with a warning.
 */
export function parseStoredSettings(
  rows: readonly { key: string; value: unknown }[],
  opts: { attemptCapLimit: number; warn?: (msg: string) => void },
): Partial<Settings> {
  const warn = opts.warn ?? (() => {});
  const out: Record<string, unknown> = {};
  for (const { key, value } of rows) {
    if (!Object.hasOwn(FIELDS, key)) continue;
    const parsed = FIELDS[key as SettingKey].safeParse(value);
    if (!parsed.success) {
      warn(`settings.${key}: ${(parsed.error.issues[0]?.message ?? "invalid").replace(/\.$/, "")}; ignored`);
      continue;
    }
    out[key] = parsed.data;
  }
  const p = out as Partial<Settings>;
  if (p.maxAttempts !== undefined && p.maxAttempts > opts.attemptCapLimit) {
    warn(`settings.maxAttempts ${p.maxAttempts} is more than this machine's memory allows; using ${opts.attemptCapLimit}`);
    p.maxAttempts = opts.attemptCapLimit;
  }
  return p;
}

/** Stored settings with the defaults filled in. */
export function withSettingDefaults(stored: Partial<Settings>): Settings {
  return { ...SETTING_DEFAULTS, ...stored };
}
