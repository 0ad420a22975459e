import { describe, expect, it } from "vitest";
import { formId } from "./form-state";

describe("formId", () => {
  it.each([
    ["7", 7],
    ["0", null],
    ["-3", null],
    ["1.5", null],
    ["", null],
    ["abc", null],
    ["1e400", null],
  ])("id=%j → %j", (raw, want) => {
    const f = new FormData();
    f.set("id", raw);
    expect(formId(f)).toBe(want);
  });

  it("no id field → null", () => {
    expect(formId(new FormData())).toBeNull();
  });
});
