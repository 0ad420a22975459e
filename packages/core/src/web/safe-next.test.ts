import { describe, expect, it } from "vitest";
import { resolveSafeNext } from "./safe-next";

describe("resolveSafeNext", () => {
  it.each([
    // kept: same-origin paths, with their query and fragment
    ["/", "/"],
    ["/history", "/history"],
    ["/history?ip=10.0.0.5&page=2#top", "/history?ip=10.0.0.5&page=2#top"],
    ["/sequences/3", "/sequences/3"],
    ["history", "/history"],
    ["/a/../trusted", "/trusted"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%09/evil.example", "/%09/evil.example"],
    ["/.//evil.example", "/evil.example"],
    ["/./%2e/evil.example", "/evil.example"],
    // refused: anything a browser would take to another origin
    ["//evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["\t//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["/\\/evil.example", "/"],
    ["https://evil.example/", "/"],
    ["http://evil.example", "/"],
    ["HTTPS:evil.example", "/"],
    ["https:/evil.example", "/"],
    ["javascript:alert(1)", "/"],
    [" javascript:alert(1)", "/"],
    ["data:text/html,<script>alert(1)</script>", "/"],
    ["mailto:a@evil.example", "/"],
    ["//user@evil.example", "/"],
    ["http://[::1]/", "/"],
    ["", "/"],
    ["/x".repeat(2000), "/"],
  ])("%j → %j", (input, expected) => {
    expect(resolveSafeNext(input)).toBe(expected);
  });

  it.each([undefined, null, 42, ["/history"], { toString: () => "//evil.example" }])("non-string %j → /", (input) => {
    expect(resolveSafeNext(input)).toBe("/");
  });
});
