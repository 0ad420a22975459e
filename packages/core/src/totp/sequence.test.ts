import { describe, expect, it } from "vitest";
import { DEFAULT_TOTP_SETTINGS, TotpSettingsSchema, deriveTotpSequence, isTotpCode, type TotpSettings } from "./sequence";

const S = (over: Partial<TotpSettings> = {}): TotpSettings => ({ ...DEFAULT_TOTP_SETTINGS, ...over });
const fmt = (steps: { port: number; protocol: string }[]) => steps.map((s) => `${s.port}${s.protocol === "udp" ? ":udp" : ""}`).join(" ");

describe("deriveTotpSequence (the README formula)", () => {
  it.each([
    // w = 10000/4 = 2500; d = 123456, 234561, 345612, 456123; d mod 2500 = 956, 2061, 612, 1123
    ["123456", S(), "40956:udp 44561 45612:udp 48623"],
    // leading zeros are digits too: d = 001234, 012340, 123400, 234001 → 1234, 2340, 900, 1501; digits 0 0 1 2
    ["001234", S(), "41234 44840 45900:udp 49001"],
    ["123456", S({ protocols: "tcp" }), "40956 44561 45612 48623"],
    ["123456", S({ protocols: "udp" }), "40956:udp 44561:udp 45612:udp 48623:udp"],
    // 6 knocks in 20000-21199: w = 200; rotations 123456 … 612345; digits 1..6 → udp tcp udp tcp udp tcp
    ["123456", S({ portLow: 20000, portHigh: 21199, length: 6 }), "20056:udp 20361 20412:udp 20723 20834:udp 21145"],
    // 8 knocks (w = 1250) wrap to the first digits again: 999999 mod 1250 = 1249 each time
    ["999999", S({ length: 8 }), "41249:udp 42499:udp 43749:udp 44999:udp 46249:udp 47499:udp 48749:udp 49999:udp"],
  ])("%s with %o → %s", (code, settings, want) => {
    expect(fmt(deriveTotpSequence(code, settings))).toBe(want);
  });

  it("every code gives distinct ports inside the range, at least 4 of them", () => {
    for (const settings of [S(), S({ portLow: 1000, portHigh: 1399, length: 4 }), S({ portLow: 60000, portHigh: 65535, length: 12 })]) {
      for (let c = 0; c < 1_000_000; c += 997) {
        const code = String(c).padStart(6, "0");
        const seq = deriveTotpSequence(code, settings);
        expect(seq.length).toBe(settings.length);
        expect(new Set(seq.map((s) => s.port)).size).toBe(settings.length);
        for (const s of seq) expect(s.port >= settings.portLow && s.port <= settings.portHigh).toBe(true);
      }
    }
  });

  it("refuses a code that is not 6 digits", () => {
    for (const bad of ["12345", "1234567", "12a456", ""]) {
      expect(isTotpCode(bad)).toBe(false);
      expect(() => deriveTotpSequence(bad, S())).toThrow(RangeError);
    }
  });
});

describe("TotpSettingsSchema", () => {
  it.each([
    ["the defaults", DEFAULT_TOTP_SETTINGS, null],
    ["a range upside down", S({ portLow: 50000, portHigh: 40000 }), "Highest port must not be below the lowest port."],
    ["a range too small for the length", S({ portLow: 40000, portHigh: 40398 }), "The port range must hold at least 100 ports per knock (400 for 4 knocks)."],
    ["3 knocks", S({ length: 3 }), "Sequence length must be a whole number from 4 to 12."],
    ["port 0", S({ portLow: 0 }), "Lowest port must be a whole number from 1 to 65535."],
    ["an unknown protocol", { ...S(), protocols: "icmp" }, "Protocols must be tcp, udp or mix."],
  ])("%s", (_n, input, message) => {
    const r = TotpSettingsSchema.safeParse(input);
    expect(r.success ? null : r.error.issues[0]?.message).toBe(message);
  });
});
