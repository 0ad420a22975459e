import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNet, must, run, spawnIn, startEchoService, stopProcess, tcpConnects, waitFor, type TestNet } from "@sesame/testkit";
import { startWorker, tempDb, type WorkerHandle } from "./worker-harness";

// Drop-in check: Debian's knockd and Sesame's worker read the SAME
// knockd.conf (shell commands that add iptables ACCEPT rules in front of a
// DROP the test sets up), each in its own namespace pair, and Debian's
// `knock` client drives both through the same cases. Outcomes (does a TCP
// connect get through?) and knockd's log lines must be identical.

/** knockd's iptables command that inserts (-I) or deletes (-D) an ACCEPT for the knocking address. */
const accept = (op: "-I" | "-D", port: number): string => `/usr/sbin/iptables ${op} INPUT -s %IP% -p tcp --dport ${port} -j ACCEPT`;

/** A door with one `command`, as most sections below are. */
const section = (name: string, sequence: string, command: string, seqTimeout = 5, extra = ""): string => `
[${name}]
	sequence    = ${sequence}
	seq_timeout = ${seqTimeout}
${extra}	command     = ${command}
`;

const CONF = `[options]
	Interface = eth9

[openSSH]
	sequence    = 7000,8000,9000
	seq_timeout = 5
	tcpflags    = syn
	start_command = ${accept("-I", 2222)}
	cmd_timeout = 3
	stop_command  = ${accept("-D", 2222)}
${[
  section("order", "7010,8010,9010", accept("-I", 2226)),
  section("slow", "7020,8020", accept("-I", 2227), 2),
  section("synOnly", "7030,8030", accept("-I", 2228), 5, "\ttcpflags    = syn,!ack\n"),
  section("mixed", "7040:udp,8040,9040:udp", accept("-I", 2229)),
  section("shareA", "7050,8050", accept("-I", 2230)),
  section("shareB", "7050,8060", accept("-I", 2231)),
  section("openWeb", "7070,8070", accept("-I", 2232)),
  section("closeWeb", "7080,8080", accept("-D", 2232)),
].join("")}`;

const PORTS = [2222, 2226, 2227, 2228, 2229, 2230, 2231, 2232];

interface Env {
  name: "knockd" | "sesame";
  net: TestNet;
  service?: ChildProcess;
  logFile: string;
}

/** One case: what the client does (argv lists run in order, numbers are pauses in ms) and the ports to check after. */
interface Case {
  name: string;
  doors: string[];
  steps: (string[] | number)[];
  expectOpen: Record<number, boolean>;
}

const CASES: Case[] = [
  { name: "right sequence", doors: ["openSSH"], steps: [["7000", "8000", "9000"]], expectOpen: { 2222: true } },
  { name: "wrong order", doors: ["order"], steps: [["8010", "7010", "9010"]], expectOpen: { 2226: false } },
  { name: "timeout between knocks", doors: ["slow"], steps: [["7020"], 2600, ["8020"]], expectOpen: { 2227: false } },
  { name: "mixed udp/tcp", doors: ["mixed"], steps: [["7040:udp", "8040", "9040:udp"]], expectOpen: { 2229: true } },
  { name: "two doors sharing a first port", doors: ["shareA", "shareB"], steps: [["7050", "8060"]], expectOpen: { 2230: false, 2231: true } },
  { name: "close door", doors: ["openWeb", "closeWeb"], steps: [["7070", "8070"], 600, ["7080", "8080"]], expectOpen: { 2232: false } },
];

/** knockd log lines we compare, without the `[YYYY-MM-DD HH:MM] ` stamp, the client address as CLIENT. */
function knockdLines(env: Env, door: string): string[] {
  const esc = door.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`^(\\S+: ${esc}: (Stage \\d+|OPEN SESAME|sequence timeout \\(stage \\d+\\)|command timeout)|${esc}: running command: .*)$`);
  return readFileSync(env.logFile, "utf8")
    .split("\n")
    .map((l) => l.replace(/^\[\d{4}-\d\d-\d\d \d\d:\d\d\] /, "").trim().split(env.net.clientIp).join("CLIENT"))
    .filter((l) => re.test(l));
}

async function knockFrom(env: Env, steps: (string[] | number)[]): Promise<void> {
  for (const s of steps) {
    if (typeof s === "number") await new Promise((r) => setTimeout(r, s));
    else await must(["knock", env.net.serverIp, ...s], { ns: env.net.client });
  }
}

/** The same knocks against knockd and Sesame at once, then a moment for both to act on them. */
async function knockBoth(envs: Env[], steps: (string[] | number)[]): Promise<void> {
  await Promise.all(envs.map((e) => knockFrom(e, steps)));
  await new Promise((r) => setTimeout(r, 400));
}

/** Does a TCP connect to `port` get through, per env (knockd first)? */
function connectsEach(envs: Env[], port: number, timeoutMs: number): Promise<boolean[]> {
  return Promise.all(envs.map((e) => tcpConnects(e.net.client, e.net.serverIp, port, { timeoutMs })));
}

describe("knockd compatibility: same knockd.conf, same client, same outcomes and log lines", () => {
  let dir: string;
  let confPath: string;
  const envs: Env[] = [];
  let knockd: ChildProcess | undefined;
  let worker: WorkerHandle | undefined;
  let db: ReturnType<typeof tempDb> | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sesame-compat-"));
    confPath = join(dir, "knockd.conf");
    writeFileSync(confPath, CONF, { mode: 0o600 });
    for (const name of ["knockd", "sesame"] as const) {
      const net = await createTestNet({ tag: name === "knockd" ? "ck" : "cs" });
      const env: Env = { name, net, logFile: join(dir, `${name}.log`) };
      envs.push(env);
      // The site's own firewall, as knockd users have it: new connections to the services are dropped.
      await must(["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "2222:2232", "-m", "conntrack", "--ctstate", "NEW", "-j", "DROP"], { ns: net.server });
      env.service = await startEchoService(net.server, PORTS);
    }
    const [k, s] = envs as [Env, Env];
    knockd = spawnIn(k.net.server, ["knockd", "-c", confPath, "-i", "veth-s", "-g", k.logFile]);
    db = tempDb("compat");
    worker = await startWorker(s.net.server, db.path, ["-c", confPath, "-i", "veth-s", "-g", s.logFile]);
    // knockd logs this once its capture is up.
    expect(await waitFor(() => {
      try {
        return readFileSync(k.logFile, "utf8").includes("starting up, listening on veth-s");
      } catch {
        return false;
      }
    }, 10_000, 100)).toBe(true);
  }, 90_000);

  afterAll(async () => {
    if (knockd) await stopProcess(knockd);
    if (worker) await worker.stop();
    for (const e of envs) {
      if (e.service) await stopProcess(e.service);
      await e.net.destroy();
    }
    db?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("before any knock, both leave the site's DROP in place", async () => {
    for (const e of envs) expect(await tcpConnects(e.net.client, e.net.serverIp, 2222, { timeoutMs: 600 }), e.name).toBe(false);
  });

  it.each(CASES)("$name", async (c) => {
    await knockBoth(envs, c.steps);
    for (const [port, want] of Object.entries(c.expectOpen)) {
      const got = await connectsEach(envs, Number(port), 700);
      expect({ port, knockd: got[0], sesame: got[1] }).toEqual({ port, knockd: want, sesame: want });
    }
  });

  it("TCPFlags syn,!ack: ACK knocks are ignored by both, SYN knocks open", async () => {
    for (const e of envs) {
      for (const port of ["7030", "8030"]) {
        await run(["hping3", "-c", "1", "-A", "-p", port, e.net.serverIp], { ns: e.net.client, timeoutMs: 5000 });
      }
    }
    const closed = await connectsEach(envs, 2228, 600);
    expect(closed).toEqual([false, false]);
    await knockBoth(envs, [["7030", "8030"]]);
    const open = await connectsEach(envs, 2228, 700);
    expect(open).toEqual([true, true]);
  });

  it("the stop command runs after Cmd_Timeout in both", async () => {
    // openSSH (cmd_timeout 3) opened in the first case; by now its stop command has run.
    expect(await waitFor(async () => {
      const r = await connectsEach(envs, 2222, 500);
      return r.every((x) => !x);
    }, 6000, 300)).toBe(true);
  });

  it("writes the same knockd log lines for every door", async () => {
    const [k, s] = envs as [Env, Env];
    const doors = [...CASES.flatMap((c) => c.doors), "synOnly"];
    const compare = doors.map((door) => ({ door, knockd: knockdLines(k, door), sesame: knockdLines(s, door) }));
    for (const c of compare) {
      expect(c.sesame, `${c.door}\nknockd:\n${c.knockd.join("\n")}\nsesame:\n${c.sesame.join("\n")}`).toEqual(c.knockd);
    }
    // Sanity: the comparison is not vacuous.
    const all = compare.flatMap((c) => c.knockd);
    expect(all.some((l) => l.endsWith("OPEN SESAME"))).toBe(true);
    expect(all.some((l) => l.includes("running command: /usr/sbin/iptables -I INPUT"))).toBe(true);
    expect(all.some((l) => /sequence timeout \(stage 1\)/.test(l))).toBe(true);
    expect(all.some((l) => l.endsWith("command timeout"))).toBe(true);
    expect(readFileSync(s.logFile, "utf8")).toMatch(/starting up, listening on veth-s/);
  });
});
