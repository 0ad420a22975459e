import type { Matcher } from "@sesame/core";
import type { WorkerSettings } from "./db-read";
import type { Health } from "./health";

/**
 * The cap on pending attempts: --max-attempts, else the UI's setting, else
 * the default. A new cap applies at once (a lower one evicts what is over
 * it, oldest stage-1 first).
 */
export function followAttemptCap(matcher: Matcher, pinned: number | undefined, s: WorkerSettings, health: Health, log: { log(msg: string): void }): void {
  if (pinned !== undefined && s.maxAttempts !== undefined && s.maxAttempts !== pinned) {
    health.set("maxAttempts", `maxAttempts ${s.maxAttempts} set in the UI; this worker runs with --max-attempts ${pinned}`);
  } else health.clear("maxAttempts");
  const before = matcher.attemptCap;
  const evicted = matcher.setMaxAttempts(pinned ?? s.maxAttempts);
  if (matcher.attemptCap === before) return;
  // Evictions only remove attempts: the armed expiry timer can at worst fire early, for nothing.
  log.log(`max pending attempts: ${before} -> ${matcher.attemptCap}${evicted > 0 ? `; ${evicted} evicted` : ""}`);
}
