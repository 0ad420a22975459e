import "server-only";
import { totalmem } from "node:os";
import { SETTING_DEFAULTS, computeAttemptCapLimit, describeAttemptCapLimit, parseStoredSettings, withSettingDefaults, type SettingKey, type Settings } from "@sesame/core";
import { eq, settings, type SesameDb } from "@sesame/db";

export type Tx = Parameters<Parameters<SesameDb["transaction"]>[0]>[0];
export type Reader = SesameDb | Tx;

export type { SettingKey };
export type SettingValues = Settings;
export { SETTING_DEFAULTS };

const warnOnce = new Set<string>();
const warn = (m: string) => {
  if (!warnOnce.has(m)) console.warn(`sesame: ${m}`);
  warnOnce.add(m);
};

/** One setting as stored (checked with the shared schema), else its default. */
export function readSetting<K extends SettingKey>(db: Reader, key: K): Settings[K] {
  const row = db.select().from(settings).where(eq(settings.key, key)).get();
  const stored = row ? parseStoredSettings([row], { attemptCapLimit: readAttemptCapLimit().limit, warn }) : {};
  return withSettingDefaults(stored)[key];
}

export function readAllSettings(db: Reader): Settings {
  return withSettingDefaults(parseStoredSettings(db.select().from(settings).all(), { attemptCapLimit: readAttemptCapLimit().limit, warn }));
}

export function writeSetting<K extends SettingKey>(tx: Tx, key: K, value: SettingValues[K], now = Date.now()): void {
  tx.insert(settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } })
    .run();
}

/** The largest pending-attempt cap this machine's memory allows, and the sentence that says so (settings form). */
export function readAttemptCapLimit(): { limit: number; text: string } {
  const total = totalmem();
  return { limit: computeAttemptCapLimit(total), text: describeAttemptCapLimit(total) };
}
