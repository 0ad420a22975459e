import { SPA_OUTCOMES, type SpaOutcome } from "@sesame/core/spa";
import { describe, expect, it } from "vitest";
import { describeEvent, EVENT_GROUPS, eventTone, isInGroup } from "./describe-event";

const spa = (detail: object | string, more: { ip?: string | null; userName?: string | null } = {}) => ({
  ip: "ip" in more ? more.ip! : "10.0.0.2",
  doorName: "SPA",
  userName: more.userName ?? null,
  kind: "spa",
  stage: null,
  detail: typeof detail === "string" ? detail : JSON.stringify(detail),
});

// One row per outcome core can decide, as the worker writes it (core's reason wording). Keyed by
// SpaOutcome, so an outcome added to core without a line here fails the typecheck, and the
// test below fails if a label falls back to the generic "SPA refused: <outcome>".
const OUTCOME_LINES: Record<SpaOutcome, [detail: object, userName: string | null, line: string]> = {
  opened: [{ outcome: "opened", reason: "Added access rule for 10.0.0.2" }, "alice", "10.0.0.2: SPA: access granted, user alice"],
  replayed: [{ outcome: "replayed", reason: "Replay detected from source IP: 10.0.0.2" }, "alice", "10.0.0.2: SPA replayed: refused, user alice"],
  "too-old": [{ outcome: "too-old", reason: "SPA data time difference is too great (300 seconds)." }, "alice", "10.0.0.2: SPA too old (300 s), user alice"],
  future: [{ outcome: "future", reason: "SPA data time difference is too great (300 seconds)." }, "alice", "10.0.0.2: SPA from the future (300 s ahead), user alice"],
  "bad-hmac": [{ outcome: "bad-hmac", reason: "Non-corresponding HMAC for every user" }, null, "10.0.0.2: SPA bad HMAC"],
  "bad-key": [{ outcome: "bad-key", reason: "Error creating fko context: decryption failed" }, "alice", "10.0.0.2: SPA wrong encryption key, user alice"],
  "port-not-allowed": [{ outcome: "port-not-allowed", reason: "One or more requested protocol/ports was denied per access.conf.", ports: [{ port: 2223, protocol: "tcp" }] }, "alice", "10.0.0.2: SPA port not allowed (2223/tcp), user alice"],
  "source-not-allowed": [{ outcome: "source-not-allowed", reason: "No access data found for source IP: 10.0.0.2" }, "alice", "10.0.0.2: SPA source not allowed, user alice"],
  "username-not-allowed": [{ outcome: "username-not-allowed", reason: "Username in SPA data (root) does not match required username: alice" }, "alice", "10.0.0.2: SPA username not allowed, user alice"],
  "user-disabled": [{ outcome: "user-disabled", reason: "User alice is disabled" }, "alice", "10.0.0.2: SPA user disabled, user alice"],
  "user-expired": [{ outcome: "user-expired", reason: "Access stanza has expired" }, "alice", "10.0.0.2: SPA user expired, user alice"],
  unsupported: [{ outcome: "unsupported", reason: "GnuPG-encrypted SPA data is not supported" }, null, "10.0.0.2: SPA unsupported (GnuPG)"],
  malformed: [{ outcome: "malformed", reason: "bad SPA data length" }, null, "10.0.0.2: SPA malformed"],
};

describe("describeEvent: every SPA outcome in words", () => {
  it.each(SPA_OUTCOMES.map((o) => [o, ...OUTCOME_LINES[o]] as const))("%s", (outcome, detail, userName, line) => {
    const text = describeEvent(spa(detail, { userName }));
    expect(text).toBe(line);
    expect(text, `${outcome} has no label of its own`).not.toContain("SPA refused");
  });

  it.each([
    ["a per-second summary (count) from many senders", spa({ outcome: "bad-hmac", count: 123, reason: "Non-corresponding HMAC for every user" }, { ip: null }), "SPA bad HMAC ×123 in the last second"],
    ["a summary of one user's replays from one sender", spa({ outcome: "replayed", count: 7, reason: "Replay detected" }, { userName: "alice" }), "10.0.0.2: SPA replayed: refused ×7 in the last second, user alice"],
    ["a command message", spa({ outcome: "unsupported", reason: "SPA Command messages are not allowed in the current configuration." }), "10.0.0.2: SPA unsupported (command message)"],
    ["NAT access", spa({ outcome: "unsupported", reason: "SPA packet from 10.0.0.2 requested NAT access, but is not enabled/supported" }), "10.0.0.2: SPA unsupported (NAT access)"],
    ["an outcome this UI does not know yet", spa({ outcome: "quantum", reason: "entangled" }), "10.0.0.2: SPA refused: quantum (entangled)"],
    ["a detail that is not JSON", spa("not json"), "10.0.0.2: SPA refused (not json)"],
  ])("%s", (_n, e, line) => {
    expect(describeEvent(e)).toBe(line);
  });
});

describe("describeEvent: SPA opens and other rows of the SPA door", () => {
  const open = (detail: object, ip = "10.0.0.2") => ({ ip, doorName: "SPA", userName: "alice", kind: "open", stage: null, detail: JSON.stringify(detail) });
  it.each([
    [open({ ports: [{ port: 22, protocol: "tcp" }], durationSec: 30, refreshed: false, src: "10.0.0.2" }), "10.0.0.2: SPA: access granted to alice → 22/tcp for 30 s"],
    [open({ ports: [{ port: 22, protocol: "tcp" }, { port: 53, protocol: "udp" }], durationSec: 60, refreshed: true, src: "10.0.0.2" }), "10.0.0.2: SPA: access renewed for alice → 22/tcp, 53/udp for 1 min"],
    [open({ ports: [{ port: 22, protocol: "tcp" }], durationSec: 30, src: "10.0.0.9" }, "192.0.2.4"), "192.0.2.4: SPA: access granted to alice → 22/tcp for 30 s (sent from 10.0.0.9)"],
    [{ ip: "10.0.0.2", doorName: "SPA", userName: "alice", kind: "ignored-banned", stage: null, detail: null }, "10.0.0.2: SPA: user alice: valid SPA packet from a banned address: not opened"],
    // A door's open still reads as knockd's.
    [{ ip: "10.0.0.2", doorName: "ssh", userName: null, kind: "open", stage: null, detail: JSON.stringify({ ports: [{ port: 22, protocol: "tcp" }], durationSec: 60 }) }, "10.0.0.2: ssh: OPEN SESAME → 22/tcp for 1 min"],
  ])("%j", (e, line) => {
    expect(describeEvent(e)).toBe(line);
  });
});

describe("describeEvent: rotating-knock refusals", () => {
  it.each([
    ["replayed", "window 5 of user alice was already used", "10.0.0.2: totp:alice: REPLAYED: refused (window 5 of user alice was already used)"],
    ["source-not-allowed", "10.0.0.2 is not among user alice's sources", "10.0.0.2: totp:alice: refused: source not allowed (10.0.0.2 is not among user alice's sources)"],
    ["user-expired", "user alice (or this credential) expired", "10.0.0.2: totp:alice: refused: user expired (user alice (or this credential) expired)"],
    ["user-disabled", "user alice is disabled", "10.0.0.2: totp:alice: refused: user disabled (user alice is disabled)"],
  ])("%s", (kind, detail, line) => {
    expect(describeEvent({ ip: "10.0.0.2", doorName: "totp:alice", userName: "alice", kind, stage: null, detail })).toBe(line);
  });
});

describe("filter groups and tones", () => {
  it.each([
    ["spa", { kind: "spa", doorName: "SPA" }, true],
    ["spa", { kind: "open", doorName: "SPA" }, true],
    ["spa", { kind: "grant-expired", doorName: "SPA" }, true],
    ["spa", { kind: "open", doorName: "ssh" }, false],
    ["spa", { kind: "replayed", doorName: "totp:alice" }, false],
    ["opens", { kind: "open", doorName: "SPA" }, true],
    ["refused", { kind: "replayed", doorName: "totp:alice" }, true],
    ["refused", { kind: "spa", doorName: "SPA" }, false],
    ["all", { kind: "worker", doorName: null }, true],
    ["nonsense", { kind: "worker", doorName: null }, true],
  ] as const)("%s holds %j: %s", (group, e, want) => {
    expect(isInGroup(group, e)).toBe(want);
  });

  it("the SPA group is offered in the live log", () => {
    expect(EVENT_GROUPS.spa?.label).toBe("SPA");
  });

  it.each([
    ["open", "ok"],
    ["ban", "danger"],
    ["command-error", "danger"],
    ["spa", "warn"],
    ["replayed", "warn"],
    ["stage", ""],
  ])("%s is %j", (kind, tone) => {
    expect(eventTone(kind)).toBe(tone);
  });
});
