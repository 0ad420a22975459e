import { describe, expect, it } from "vitest";
import { checkSetupToken, describeSetupTokenProblem, hashToken, SETUP_TOKEN_TTL_MS } from "./secrets";

describe("setup token lifetime", () => {
  const createdAt = 1_700_000_000_000;
  const setup = { tokenHash: hashToken("the-token"), createdAt };

  it.each([
    ["the-token", createdAt, "valid"],
    ["the-token", createdAt + SETUP_TOKEN_TTL_MS - 1, "valid"],
    ["the-token", createdAt + SETUP_TOKEN_TTL_MS, "expired"],
    ["the-token", createdAt + 7 * 24 * SETUP_TOKEN_TTL_MS, "expired"],
    ["another-token", createdAt, "invalid"],
    ["another-token", createdAt + SETUP_TOKEN_TTL_MS, "invalid"],
    ["", createdAt, "invalid"],
  ] as const)("%j at +%d ms → %s", (token, now, state) => {
    expect(checkSetupToken(setup, token, now)).toBe(state);
  });

  it("no stored token (admin already set) → invalid", () => {
    expect(checkSetupToken(null, "the-token", createdAt)).toBe("invalid");
  });

  it("lasts an hour, and an expired link says how to get a new one", () => {
    expect(SETUP_TOKEN_TTL_MS).toBe(3_600_000);
    expect(describeSetupTokenProblem("expired")).toBe(
      "This setup link has expired (links work for 1 hour). Restart the web server: it prints a new link in its log.",
    );
  });
});
