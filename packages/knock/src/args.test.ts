import { describe, expect, it } from "vitest";
import type { Step } from "@sesame/core";
import { parseKnockArgs } from "./args";

const T = (port: number): Step => ({ port, protocol: "tcp" });
const U = (port: number): Step => ({ port, protocol: "udp" });

interface Expected {
  host: string;
  steps: Step[];
  delayMs?: number;
  family?: 4 | 6;
  verbose?: boolean;
}

describe("parseKnockArgs: knock", () => {
  const cases: Array<[string, string[], Expected]> = [
    ["plain", ["h", "7000", "8000:udp", "9000"], { host: "h", steps: [T(7000), U(8000), T(9000)] }],
    ["explicit tcp", ["h", "7000:tcp"], { host: "h", steps: [T(7000)] }],
    ["-u makes all hits udp", ["-u", "h", "7000", "8000"], { host: "h", steps: [U(7000), U(8000)] }],
    ["-u overrides :tcp like knock 0.8", ["-u", "h", "7000:tcp"], { host: "h", steps: [U(7000)] }],
    ["--udp", ["--udp", "h", "1"], { host: "h", steps: [U(1)] }],
    ["-d 500", ["-d", "500", "h", "1"], { host: "h", steps: [T(1)], delayMs: 500 }],
    ["-d500", ["-d500", "h", "1"], { host: "h", steps: [T(1)], delayMs: 500 }],
    ["--delay 250", ["--delay", "250", "h", "1"], { host: "h", steps: [T(1)], delayMs: 250 }],
    ["--delay=250", ["--delay=250", "h", "1"], { host: "h", steps: [T(1)], delayMs: 250 }],
    ["-d 0", ["-d", "0", "h", "1"], { host: "h", steps: [T(1)], delayMs: 0 }],
    ["-4", ["-4", "h", "1"], { host: "h", steps: [T(1)], family: 4 }],
    ["-6", ["-6", "h", "1"], { host: "h", steps: [T(1)], family: 6 }],
    ["--ipv4", ["--ipv4", "h", "1"], { host: "h", steps: [T(1)], family: 4 }],
    ["--ipv6", ["--ipv6", "h", "1"], { host: "h", steps: [T(1)], family: 6 }],
    ["last family wins", ["-4", "-6", "h", "1"], { host: "h", steps: [T(1)], family: 6 }],
    ["-v", ["-v", "h", "1"], { host: "h", steps: [T(1)], verbose: true }],
    ["--verbose", ["--verbose", "h", "1"], { host: "h", steps: [T(1)], verbose: true }],
    ["bundled -uv4", ["-uv4", "h", "1"], { host: "h", steps: [U(1)], verbose: true, family: 4 }],
    ["bundled -vd 100", ["-vd", "100", "h", "1"], { host: "h", steps: [T(1)], verbose: true, delayMs: 100 }],
    ["bundled -vd100", ["-vd100", "h", "1"], { host: "h", steps: [T(1)], verbose: true, delayMs: 100 }],
    ["options after positionals (getopt permutes)", ["h", "1", "-v", "2:udp", "-d", "5"], { host: "h", steps: [T(1), U(2)], verbose: true, delayMs: 5 }],
    ["long prefix --verb", ["--verb", "h", "1"], { host: "h", steps: [T(1)], verbose: true }],
    ["long prefix --ud", ["h", "1", "--ud"], { host: "h", steps: [U(1)] }],
    ["long prefix --del=7", ["--del=7", "h", "1"], { host: "h", steps: [T(1)], delayMs: 7 }],
    ["-- ends options", ["-v", "--", "h", "1"], { host: "h", steps: [T(1)], verbose: true }],
    ["IPv6 literal host", ["-6", "fd00::1", "22"], { host: "fd00::1", steps: [T(22)], family: 6 }],
    ["uppercase protocol", ["h", "8000:UDP"], { host: "h", steps: [U(8000)] }],
    ["duplicate ports", ["h", "1226", "1226"], { host: "h", steps: [T(1226), T(1226)] }],
  ];
  it.each(cases)("%s", (_name, argv, want) => {
    expect(parseKnockArgs(argv)).toEqual({
      ok: true,
      opts: { command: "knock", delayMs: 0, verbose: false, family: undefined, ...want },
    });
  });
});

describe("parseKnockArgs: help and version", () => {
  const cases: Array<[string[], "help" | "version"]> = [
    [["-h"], "help"],
    [["--help"], "help"],
    [["--he"], "help"],
    [["-V"], "version"],
    [["--version"], "version"],
    [["--vers"], "version"],
    [["h", "1", "-h"], "help"],
    [["-vV"], "version"],
    // The first of -h / -V / a bad option wins, like getopt's in-order handling.
    [["-h", "-x"], "help"],
    [["-V", "-h"], "version"],
    [["-h", "0"], "help"],
  ];
  it.each(cases)("%j -> %s", (argv, command) => {
    expect(parseKnockArgs(argv)).toEqual({ ok: true, opts: { command } });
  });
});

describe("parseKnockArgs: errors", () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /missing host/],
    [["-v"], /missing host/],
    [["h"], /no ports to knock on h/],
    [["-u", "h"], /no ports/],
    [["", "1"], /empty host/],
    [["h", "0"], /port 0 is out of range/],
    [["h", "65536"], /port 65536 is out of range/],
    [["h", "7000", "abc"], /invalid port 'abc'/],
    [["h", "ssh"], /invalid port 'ssh'/],
    [["h", "7000:icmp"], /unknown protocol 'icmp'/],
    [["h", "7000:"], /unknown protocol ''/],
    [["-x", "h", "1"], /invalid option -- 'x'/],
    [["-vx", "h", "1"], /invalid option -- 'x'/],
    [["-x", "-h"], /invalid option -- 'x'/],
    [["--foo", "h", "1"], /unrecognized option '--foo'/],
    [["--v", "h", "1"], /'--v' is ambiguous.*--verbose.*--version/],
    [["--ipv", "h", "1"], /'--ipv' is ambiguous/],
    [["--udp=1", "h", "1"], /'--udp' doesn't allow an argument/],
    [["h", "1", "-d"], /requires an argument -- 'd'/],
    [["h", "1", "--delay"], /'--delay' requires an argument/],
    [["-d", "-5", "h", "1"], /delay cannot be negative/],
    [["--delay=-5", "h", "1"], /delay cannot be negative/],
    [["-d", "abc", "h", "1"], /invalid delay 'abc'/],
    [["-d", "1.5", "h", "1"], /invalid delay '1.5'/],
    [["-d", "", "h", "1"], /invalid delay ''/],
    [["-d", "2147483648", "h", "1"], /too large/],
    [["h", "1", "-5"], /invalid option -- '5'/],
    [["--", "h", "-5"], /invalid port '-5'/],
  ];
  it.each(cases)("%j", (argv, message) => {
    const r = parseKnockArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
