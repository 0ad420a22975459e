/**
 * From the 6-digit code a phone shows to the window's knock sequence. The
 * formula is meant to be done by hand or in a few lines of shell (README,
 * "Rotating knock sequences"):
 *
 *   w      = floor((high - low + 1) / length)      each knock has its own slice of the range
 *   d_i    = the code's digits rotated left by (i mod 6), read as a number
 *            (123456 → 123456, 234561, 345612, 456123, …)
 *   port_i = low + i·w + (d_i mod w)               for i = 0 … length-1
 *   proto_i = the site's protocol; with "mix": udp when digit (i mod 6) of the code is odd, else tcp
 *
 * Ports are distinct (one per slice) and inside the admin's range. What an
 * eavesdropper sees is worth one window: the worker accepts each window's
 * sequence once.
 */
import { z } from "zod";
import type { Step } from "../types";
import { TOTP_DIGITS } from "./totp";

export const TOTP_PROTOCOLS = ["tcp", "udp", "mix"] as const;
export const MIN_TOTP_LENGTH = 4;
export const MAX_TOTP_LENGTH = 12;
/** Fewer choices than this per knock would make the sequence easy to guess. */
export const MIN_TOTP_PORTS_PER_KNOCK = 100;

const CODE_PATTERN = /^\d{6}$/;

/** Where and how rotating sequences knock (a site setting). */
export const TotpSettingsSchema = z
  .object({
    portLow: z.int({ error: "Lowest port must be a whole number from 1 to 65535." }).min(1, { error: "Lowest port must be a whole number from 1 to 65535." }).max(65535, { error: "Lowest port must be a whole number from 1 to 65535." }),
    portHigh: z.int({ error: "Highest port must be a whole number from 1 to 65535." }).min(1, { error: "Highest port must be a whole number from 1 to 65535." }).max(65535, { error: "Highest port must be a whole number from 1 to 65535." }),
    length: z
      .int({ error: `Sequence length must be a whole number from ${MIN_TOTP_LENGTH} to ${MAX_TOTP_LENGTH}.` })
      .min(MIN_TOTP_LENGTH, { error: `Sequence length must be a whole number from ${MIN_TOTP_LENGTH} to ${MAX_TOTP_LENGTH}.` })
      .max(MAX_TOTP_LENGTH, { error: `Sequence length must be a whole number from ${MIN_TOTP_LENGTH} to ${MAX_TOTP_LENGTH}.` }),
    protocols: z.enum(TOTP_PROTOCOLS, { error: "Protocols must be tcp, udp or mix." }),
  })
  .superRefine((s, ctx) => {
    if (s.portHigh < s.portLow) {
      ctx.addIssue({ code: "custom", message: "Highest port must not be below the lowest port.", path: ["portHigh"] });
    } else if (s.portHigh - s.portLow + 1 < s.length * MIN_TOTP_PORTS_PER_KNOCK) {
      ctx.addIssue({ code: "custom", message: `The port range must hold at least ${MIN_TOTP_PORTS_PER_KNOCK} ports per knock (${s.length * MIN_TOTP_PORTS_PER_KNOCK} for ${s.length} knocks).`, path: ["portHigh"] });
    }
  });
export type TotpSettings = z.infer<typeof TotpSettingsSchema>;

export const DEFAULT_TOTP_SETTINGS: TotpSettings = { portLow: 40000, portHigh: 49999, length: 4, protocols: "mix" };

export function isTotpCode(text: string): boolean {
  return CODE_PATTERN.test(text);
}

/**
 * The knock sequence for one window's code. Throws RangeError for a code
 * that is not 6 digits (callers check with isTotpCode) or settings the
 * schema would refuse.
 */
export function deriveTotpSequence(code: string, s: TotpSettings): Step[] {
  if (!isTotpCode(code)) throw new RangeError(`a TOTP code is ${TOTP_DIGITS} digits, got "${code}"`);
  const width = Math.floor((s.portHigh - s.portLow + 1) / s.length);
  if (width < 1 || s.length < 1) throw new RangeError(`port range ${s.portLow}-${s.portHigh} is too small for ${s.length} knocks`);
  const steps: Step[] = [];
  for (let i = 0; i < s.length; i++) {
    const r = i % TOTP_DIGITS;
    const rotated = Number(code.slice(r) + code.slice(0, r));
    const port = s.portLow + i * width + (rotated % width);
    const odd = Number(code[r]) % 2 === 1;
    const protocol = s.protocols === "mix" ? (odd ? "udp" : "tcp") : s.protocols;
    steps.push({ port, protocol });
  }
  return steps;
}
