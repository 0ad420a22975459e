import { describe, expect, it } from "vitest";
import { MAX_BAN_SEC, MAX_GRANT_SEC, clampExpiry, extendGrantExpiry } from "./limits";

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;

describe("expiry caps", () => {
  it.each([
    { name: "inside the cap", expiresAt: NOW + 60_000, max: MAX_GRANT_SEC, want: NOW + 60_000 },
    { name: "exactly the cap", expiresAt: NOW + DAY, max: MAX_GRANT_SEC, want: NOW + DAY },
    { name: "year 9999", expiresAt: Date.UTC(9999, 0, 1), max: MAX_GRANT_SEC, want: NOW + DAY },
    { name: "a ban two years out", expiresAt: NOW + 2 * 365 * DAY, max: MAX_BAN_SEC, want: NOW + 365 * DAY },
    { name: "already past stays past", expiresAt: NOW - 5, max: MAX_GRANT_SEC, want: NOW - 5 },
  ])("clampExpiry: $name", ({ expiresAt, max, want }) => {
    expect(clampExpiry(expiresAt, NOW, max)).toBe(want);
  });

  it.each([
    { name: "from the current expiry", current: NOW + 600_000, by: 300, want: NOW + 900_000 },
    { name: "from now when already expired", current: NOW - 600_000, by: 300, want: NOW + 300_000 },
    { name: "capped at one day from now", current: NOW + DAY - 60_000, by: 4 * 3600, want: NOW + DAY },
    { name: "a corrupt current expiry counts from now", current: Number.NaN, by: 900, want: NOW + 900_000 },
  ])("extendGrantExpiry: $name", ({ current, by, want }) => {
    expect(extendGrantExpiry(current, NOW, by)).toBe(want);
  });

  it("extend pressed 100 times never stacks past the cap", () => {
    let exp = NOW + 300_000;
    for (let i = 0; i < 100; i++) exp = extendGrantExpiry(exp, NOW + i * 1000, 4 * 3600);
    expect(exp).toBe(NOW + 99_000 + DAY);
  });
});
