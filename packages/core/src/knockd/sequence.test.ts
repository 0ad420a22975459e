import { describe, expect, it } from "vitest";
import { formatSequence, formatTcpFlags, parseSequence, parseTcpFlags } from "./sequence";
import type { Step } from "../types";

const tcp = (port: number): Step => ({ port, protocol: "tcp" });
const udp = (port: number): Step => ({ port, protocol: "udp" });

describe("parseSequence", () => {
  it.each<[string, Step[], boolean]>([
    ["7000,8000:udp,9000", [tcp(7000), udp(8000), tcp(9000)], false],
    ["9000:tcp,8000:tcp,7000:tcp", [tcp(9000), tcp(8000), tcp(7000)], false], // seed 001
    ["7000:udp,8000:tcp,9000:udp", [udp(7000), tcp(8000), udp(9000)], false], // seed 004
    ["1226,1226", [tcp(1226), tcp(1226)], false], // seed 002: duplicates allowed
    ["1", [tcp(1)], false],
    ["65535:UDP", [udp(65535)], false],
    [" 7000 , 8000 :udp ", [tcp(7000), udp(8000)], false],
    ["7000 8000:udp 9000", [tcp(7000), udp(8000), tcp(9000)], true], // knock command-line style
    ["7000:tcp 8000:tcp, 9000", [tcp(7000), tcp(8000), tcp(9000)], true],
    [Array.from({ length: 32 }, (_, i) => 100 + i).join(","), Array.from({ length: 32 }, (_, i) => tcp(100 + i)), false],
  ])("%j", (text, steps, spaceSeparated) => {
    expect(parseSequence(text)).toEqual({ ok: true, steps, spaceSeparated });
  });

  it.each([
    ["", "empty knock sequence"],
    ["   ", "empty knock sequence"],
    ["0", "port 0 is invalid (ports are 1 to 65535)"],
    ["65536", "port 65536 is invalid (ports are 1 to 65535)"],
    ["123456", "port 123456 is invalid (ports are 1 to 65535)"],
    ["-1", "port -1 is invalid (ports are 1 to 65535)"],
    ["70a0", "port 70a0 is invalid (ports are 1 to 65535)"],
    [":udp", 'port "" is invalid (ports are 1 to 65535)'],
    ["7000,", "empty entry in knock sequence (two commas in a row?)"],
    [",7000", "empty entry in knock sequence (two commas in a row?)"],
    ["7000:icmp", 'unknown protocol in knock sequence: "icmp" (expected tcp or udp)'],
    ["7000:", 'unknown protocol in knock sequence: "" (expected tcp or udp)'],
    ["7000:tcp:udp", 'unknown protocol in knock sequence: "tcp:udp" (expected tcp or udp)'],
    [Array.from({ length: 33 }, (_, i) => 100 + i).join(","), "too many ports in knock sequence (at most 32)"],
  ])("rejects %j", (text, reason) => {
    expect(parseSequence(text)).toEqual({ ok: false, reason });
  });

  it.each<[Step[], string]>([
    [[tcp(7000), udp(8000), tcp(9000)], "7000,8000:udp,9000"],
    [[udp(1)], "1:udp"],
    [[], ""],
  ])("formatSequence(%j) = %j and parses back", (steps, text) => {
    expect(formatSequence(steps)).toBe(text);
    if (steps.length > 0) expect(parseSequence(text)).toEqual({ ok: true, steps, spaceSeparated: false });
  });
});

describe("parseTcpFlags", () => {
  it.each([
    ["syn", { set: ["syn"], clear: [] }, false],
    ["syn,!ack", { set: ["syn"], clear: ["ack"] }, false],
    ["FIN,!ACK", { set: ["fin"], clear: ["ack"] }, false],
    ["syn,syn", { set: ["syn"], clear: [] }, false],
    ["fin|syn|rst|psh|ack|urg", { set: ["fin", "syn", "rst", "psh", "ack", "urg"], clear: [] }, true],
    ["syn, !ack", { set: ["syn"], clear: ["ack"] }, true],
    ["syn ack", { set: ["syn", "ack"], clear: [] }, true],
    ["syn,", { set: ["syn"], clear: [] }, false],
  ])("%j", (text, rule, nonComma) => {
    expect(parseTcpFlags(text)).toEqual({ ok: true, rule, nonCommaSeparators: nonComma });
  });

  it.each([
    ["", "TCPFlags needs at least one flag (fin, syn, rst, psh, ack, urg)"],
    ["xmas", 'unrecognized flag "xmas" (expected fin, syn, rst, psh, ack or urg, optionally preceded by !)'],
    ["!", 'unrecognized flag "!" (expected fin, syn, rst, psh, ack or urg, optionally preceded by !)'],
    ["syn,!syn", "flag syn is both required and excluded"],
    ["!ack,ack", "flag ack is both required and excluded"],
  ])("rejects %j", (text, reason) => {
    expect(parseTcpFlags(text)).toEqual({ ok: false, reason });
  });

  it("formats set flags then cleared ones", () => {
    expect(formatTcpFlags({ set: ["syn"], clear: ["ack", "rst"] })).toBe("syn,!ack,!rst");
    expect(formatTcpFlags({ set: [], clear: [] })).toBe("");
  });
});
