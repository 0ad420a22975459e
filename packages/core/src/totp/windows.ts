/**
 * The windows a TOTP credential opens in at a given time: the current step
 * and TOTP_SKEW_STEPS either side (a phone's clock a little off), each with
 * its own sequence. Each (credential, step) is accepted once: the replay key
 * names it, and it must be remembered for as long as that step is accepted.
 */
import type { Step } from "../types";
import { deriveTotpSequence, type TotpSettings } from "./sequence";
import { TOTP_SKEW_STEPS, totpCodeAt, totpStepAt, totpStepStart } from "./totp";

export interface TotpWindow {
  step: number;
  code: string;
  sequence: Step[];
}

/** The accepted windows at `nowMs`, oldest first. */
export function totpWindowsAt(secret: Uint8Array, nowMs: number, settings: TotpSettings): TotpWindow[] {
  const current = totpStepAt(nowMs);
  const out: TotpWindow[] = [];
  for (let step = current - TOTP_SKEW_STEPS; step <= current + TOTP_SKEW_STEPS; step++) {
    const code = totpCodeAt(secret, step);
    out.push({ step, code, sequence: deriveTotpSequence(code, settings) });
  }
  return out;
}

/** replay_cache key for a credential's step. */
export function totpReplayKey(credentialId: number, step: number): string {
  return `totp:${credentialId}:${step}`;
}

/** Until when a step's sequence is still accepted (so its replay key must be kept). */
export function totpAcceptedUntil(step: number): number {
  return totpStepStart(step + TOTP_SKEW_STEPS + 1);
}
