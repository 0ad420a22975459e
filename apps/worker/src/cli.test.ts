import { describe, expect, it } from "vitest";
import { parseCli, type CliResult, type WorkerOptions } from "./cli";

const BASE: WorkerOptions = {
  dbPath: "/var/lib/sesame/sesame.db",
  interfaces: [],
  daemon: false,
  verbose: false,
  debug: false,
  ipv4Only: false,
  lookup: false,
  heartbeatMs: 1000,
};

const run = (options: Partial<WorkerOptions>): CliResult => ({ kind: "run", options: { ...BASE, ...options } });

describe("parseCli", () => {
  it.each<[string, string[], CliResult]>([
    ["no flags", [], run({})],
    ["knockd's usual invocation", ["-d", "-i", "eth0", "-c", "/etc/knockd.conf"], run({ daemon: true, interfaces: ["eth0"], configFile: "/etc/knockd.conf" })],
    ["repeated and comma-separated -i", ["-i", "eth0,eth1", "-i", "eth2", "-i", "eth0"], run({ interfaces: ["eth0", "eth1", "eth2"] })],
    ["attached short value", ["-ieth0"], run({ interfaces: ["eth0"] })],
    ["clustered flags", ["-vD4"], run({ verbose: true, debug: true, ipv4Only: true })],
    ["long forms", ["--interface=veth-s", "--config", "/tmp/k.conf", "--verbose", "--only-ip-v4", "--lookup"], run({ interfaces: ["veth-s"], configFile: "/tmp/k.conf", verbose: true, ipv4Only: true, lookup: true })],
    ["relative paths resolve against cwd", ["-c", "knockd.conf", "-g", "log/k.log", "-p", "k.pid"], run({ configFile: "/srv/knockd.conf", logFile: "/srv/log/k.log", pidFile: "/srv/k.pid" })],
    ["sesame flags", ["--db", "/tmp/s.db", "--backend", "iptables", "--max-attempts", "5000", "--heartbeat-ms", "250"], run({ dbPath: "/tmp/s.db", backend: "iptables", maxAttempts: 5000, heartbeatMs: 250 })],
    ["help", ["-h"], { kind: "help", text: expect.stringContaining("usage: sesame-worker") as unknown as string }],
    ["version", ["-V"], { kind: "version", text: expect.stringContaining("knockd 0.8") as unknown as string }],
    ["unknown short", ["-x"], { kind: "error", message: "invalid option -- 'x'" }],
    ["unknown long", ["--frobnicate"], { kind: "error", message: "unrecognized option '--frobnicate'" }],
    ["missing value", ["-i"], { kind: "error", message: "option requires an argument -- 'i'" }],
    ["missing long value", ["--db"], { kind: "error", message: "option '--db' requires an argument" }],
    ["relative db", ["--db", "sesame.db"], { kind: "error", message: '--db: must be an absolute path, got "sesame.db"' }],
    ["bad backend", ["--backend", "pf"], { kind: "error", message: '--backend: expected nftables, iptables or command, got "pf"' }],
    ["bad number", ["--max-attempts", "lots"], { kind: "error", message: '--max-attempts: expected a whole number, got "lots"' }],
    ["number out of range", ["--heartbeat-ms", "5"], { kind: "error", message: "--heartbeat-ms: must be between 100 and 60000, got 5" }],
    ["bad interface name", ["-i", "eth0/x"], { kind: "error", message: '-i: invalid interface name "eth0/x"' }],
    ["command backend without templates", ["--backend", "command"], { kind: "error", message: "--backend command needs --command-templates FILE (the grant/revoke commands to run)" }],
    ["command backend", ["--backend=command", "--command-templates", "t.json"], run({ backend: "command", commandTemplates: "/srv/t.json" })],
    ["flag with value on a boolean", ["--daemon=yes"], { kind: "error", message: "option '--daemon' doesn't allow an argument" }],
    ["stray argument", ["eth0"], { kind: "error", message: "unexpected argument 'eth0'" }],
  ])("%s", (_name, argv, want) => {
    expect(parseCli(argv, {}, "/srv")).toEqual(want);
  });

  it("takes the database from SESAME_DB unless --db is given", () => {
    expect(parseCli([], { SESAME_DB: "/data/s.db" })).toEqual(run({ dbPath: "/data/s.db" }));
    expect(parseCli(["--db", "/x/y.db"], { SESAME_DB: "/data/s.db" })).toEqual(run({ dbPath: "/x/y.db" }));
  });
});
