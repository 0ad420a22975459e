import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_ATTEMPTS } from "./limits";
import { SETTING_DEFAULTS, parseStoredSettings, withSettingDefaults } from "./settings";

describe("parseStoredSettings (one schema for web and worker)", () => {
  it.each([
    ["a fresh database", [], {}, []],
    ["valid values of every key", [{ key: "configVersion", value: 3 }, { key: "interfaces", value: ["eth0"] }, { key: "backend", value: "iptables" }, { key: "retentionDays", value: 7 }, { key: "maxAttempts", value: 5000 }], { configVersion: 3, interfaces: ["eth0"], backend: "iptables", retentionDays: 7, maxAttempts: 5000 }, []],
    ["an unknown backend", [{ key: "backend", value: "pf" }], {}, ["settings.backend: Firewall backend must be nftables or iptables; ignored"]],
    ["a negative config version", [{ key: "configVersion", value: -1 }], {}, ["settings.configVersion: Too small: expected number to be >=0; ignored"]],
    ["a cap above the machine's memory", [{ key: "maxAttempts", value: 2_000_000 }], { maxAttempts: 100_000 }, ["settings.maxAttempts 2000000 is more than this machine's memory allows; using 100000"]],
    ["a cap below the form's floor, set on purpose", [{ key: "maxAttempts", value: 6 }], { maxAttempts: 6 }, []],
    ["a cap of zero", [{ key: "maxAttempts", value: 0 }], {}, ["settings.maxAttempts: must be at least 1; ignored"]],
    ["rotating-sequence settings", [{ key: "totp", value: { portLow: 20000, portHigh: 20999, length: 5, protocols: "tcp" } }], { totp: { portLow: 20000, portHigh: 20999, length: 5, protocols: "tcp" } }, []],
    ["rotating-sequence settings with too small a range", [{ key: "totp", value: { portLow: 20000, portHigh: 20099, length: 4, protocols: "tcp" } }], {}, ["settings.totp: The port range must hold at least 100 ports per knock (400 for 4 knocks); ignored"]],
    ["keys the schema does not know", [{ key: "theme", value: "dark" }], {}, []],
  ])("%s", (_name, rows, want, warnings) => {
    const seen: string[] = [];
    expect(parseStoredSettings(rows, { attemptCapLimit: 100_000, warn: (m) => seen.push(m) })).toEqual(want);
    expect(seen).toEqual(warnings);
  });

  it("defaults fill what is not stored", () => {
    expect(withSettingDefaults({ backend: "iptables" })).toEqual({ ...SETTING_DEFAULTS, backend: "iptables" });
    expect(SETTING_DEFAULTS.maxAttempts).toBe(DEFAULT_MAX_ATTEMPTS);
  });
});
