import { describe, expect, it } from "vitest";
import { describeEvent } from "./describe-event";

describe("describeEvent: SPA rows", () => {
  it.each([
    [{ ip: "10.0.0.2", doorName: "SPA", kind: "open", stage: null, detail: JSON.stringify({ ports: [{ port: 22, protocol: "tcp" }], durationSec: 60 }) }, "10.0.0.2: SPA: OPEN SESAME → 22/tcp for 1 min"],
    [{ ip: "10.0.0.2", doorName: "SPA", kind: "spa", stage: null, detail: JSON.stringify({ outcome: "too-old", reason: "SPA data time difference is too great (300 seconds)." }) }, "10.0.0.2: SPA: SPA refused: too-old (SPA data time difference is too great (300 seconds).)"],
    [{ ip: "10.0.0.2", doorName: "SPA", kind: "spa", stage: null, detail: "not json" }, "10.0.0.2: SPA: SPA refused: ? (not json)"],
  ])("%j", (e, line) => {
    expect(describeEvent(e)).toBe(line);
  });
});
