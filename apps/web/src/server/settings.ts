import "server-only";
import { totalmem } from "node:os";
import { computeAttemptCapLimit, describeAttemptCapLimit } from "@sesame/core";
import { eq, settings, type SesameDb } from "@sesame/db";

export type Tx = Parameters<Parameters<SesameDb["transaction"]>[0]>[0];
export type Reader = SesameDb | Tx;

/** Defaults for keys a fresh database does not have yet. */
export const SETTING_DEFAULTS = {
  configVersion: 0,
  interfaces: [] as string[],
  backend: "nftables" as "nftables" | "iptables",
  retentionDays: 30,
  maxAttempts: 250_000,
};
export type SettingKey = keyof typeof SETTING_DEFAULTS;
export type SettingValues = typeof SETTING_DEFAULTS;

export function readSetting<K extends SettingKey>(db: Reader, key: K): SettingValues[K] {
  const row = db.select().from(settings).where(eq(settings.key, key)).get();
  return row === undefined ? SETTING_DEFAULTS[key] : (row.value as SettingValues[K]);
}

export function readAllSettings(db: Reader): SettingValues {
  const out = { ...SETTING_DEFAULTS } as Record<string, unknown>;
  for (const row of db.select().from(settings).all()) if (row.key in out) out[row.key] = row.value;
  return out as SettingValues;
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
