import { totpAcceptedUntil, totpReplayKey, totpStepAt, totpStepStart, totpWindowsAt, type CidrSet, type Door, type TotpSettings } from "@sesame/core";
import type { DoorInfo } from "./door-table";
import type { TotpCredential } from "./users-read";

/**
 * Rotating (TOTP) knock sequences as doors. For each usable credential the
 * previous, current and next window's sequence is a door of its own (id
 * `totp:<credential>:<step>`, name `totp:<user>`), so the knock matcher
 * recognises them with every rule a door has: invalidation by a wrong knock,
 * the attempt cap, the stage-1 flood limits, decoys beside them. At each
 * 30 s step (and when a user expires) the set is rebuilt; doors that stay keep
 * their attempts. A completed sequence is admitted once per window (the
 * replay key; the caller persists it), from the user's sources only, while
 * the user is enabled and unexpired: disabled users' and lately expired
 * credentials' sequences are recognised too, so their knocks are refused
 * with an event instead of passing unseen.
 */

export interface UserDoor {
  userId: number;
  userName: string;
  credentialId: number;
  step: number;
  enabled: boolean;
  expiresAt: number | null;
  sources: CidrSet;
}

export type Admission =
  | { ok: true; replayKey: string; keepUntil: number }
  | { ok: false; kind: "replayed" | "source-not-allowed" | "user-disabled" | "user-expired"; detail: string };

/** Long enough for a hand-typed knock, short of the window. */
const SEQ_TIMEOUT_MS = 20_000;
/**
 * How long after its end a credential's sequences are still recognised, to
 * be refused with a "user expired" event (someone still knocking an old
 * secret is worth an admin's look); revoked credentials are not recognised.
 */
const EXPIRED_SHOWN_MS = 7 * 86_400_000;

export class RotatingDoors {
  private creds: TotpCredential[] = [];
  private settings: TotpSettings | null = null;
  private readonly used = new Map<string, number>();
  private nextChangeAt = -Infinity;

  /** The credentials and the site's sequence settings (a reload). */
  set(creds: TotpCredential[], settings: TotpSettings): void {
    this.creds = creds;
    this.settings = settings;
    this.nextChangeAt = -Infinity;
  }

  /** Windows already used before a restart (replay key → until when it could still be accepted). */
  restoreUsed(used: Map<string, number>): void {
    for (const [k, until] of used) this.used.set(k, until);
  }

  /** Whether the doors built last are out of date at `now` (a new step began, a user expired). */
  isStale(now: number): boolean {
    return now >= this.nextChangeAt;
  }

  /** The doors of every credential's accepted windows at `now` (usable, disabled, or ended less than EXPIRED_SHOWN_MS ago). */
  doorsAt(now: number): DoorInfo[] {
    for (const [k, until] of this.used) if (until <= now) this.used.delete(k);
    let next = totpStepStart(totpStepAt(now) + 1);
    const out: DoorInfo[] = [];
    const settings = this.settings;
    if (settings === null) return out;
    for (const c of this.creds) {
      if (c.expiresAt !== null && c.expiresAt <= now - EXPIRED_SHOWN_MS) continue;
      if (c.expiresAt !== null && c.expiresAt > now) next = Math.min(next, c.expiresAt);
      for (const w of totpWindowsAt(c.secret, now, settings)) {
        const door: Door = {
          id: `totp:${c.credentialId}:${w.step}`,
          name: `totp:${c.userName}`,
          sequence: w.sequence,
          seqTimeoutMs: SEQ_TIMEOUT_MS,
          tcpFlags: { set: ["syn"], clear: ["ack"] },
          action: { kind: "open", ports: c.ports, durationSec: c.grantSec },
          cooldownMs: 0,
          tolerateDuplicates: true,
          enabled: true,
        };
        const user: UserDoor = { userId: c.userId, userName: c.userName, credentialId: c.credentialId, step: w.step, enabled: c.enabled, expiresAt: c.expiresAt, sources: c.sources };
        out.push({ door, rowId: null, source: "totp", section: null, user });
      }
    }
    this.nextChangeAt = next;
    return out;
  }

  /** May this completed sequence open? Marks its window used when it may. */
  admit(user: UserDoor, ip: string, now: number): Admission {
    if (!user.enabled) return { ok: false, kind: "user-disabled", detail: `user ${user.userName} is disabled` };
    if (user.expiresAt !== null && user.expiresAt <= now) return { ok: false, kind: "user-expired", detail: `user ${user.userName} (or this credential) expired` };
    if (user.sources.size > 0 && !user.sources.has(ip)) return { ok: false, kind: "source-not-allowed", detail: `${ip} is not among user ${user.userName}'s sources` };
    const replayKey = totpReplayKey(user.credentialId, user.step);
    if (this.used.has(replayKey)) return { ok: false, kind: "replayed", detail: `window ${user.step} of user ${user.userName} was already used` };
    const keepUntil = totpAcceptedUntil(user.step);
    this.used.set(replayKey, keepUntil);
    return { ok: true, replayKey, keepUntil };
  }

  stats(): { rotatingCredentials: number; rotatingWindowsUsed: number } {
    return { rotatingCredentials: this.creds.length, rotatingWindowsUsed: this.used.size };
  }
}
