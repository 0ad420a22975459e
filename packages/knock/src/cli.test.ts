import { describe, expect, it } from "vitest";
import { runCli, USAGE, VERSION_TEXT } from "./cli";
import type { KnockOptions } from "./knock";

async function runWith(argv: string[], impl?: (o: KnockOptions) => Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: KnockOptions[] = [];
  const code = await runCli(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    knock: async (o) => {
      calls.push(o);
      if (impl) await impl(o);
    },
  });
  return { code, stdout: out.join(""), stderr: err.join(""), calls };
}

describe("runCli", () => {
  it("prints knock 0.8's usage on stderr and fails without arguments", async () => {
    const r = await runWith([]);
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: USAGE, calls: [] });
  });

  it.each([["-h"], ["--help"]])("%s prints the usage on stdout, status 0", async (flag) => {
    const r = await runWith([flag]);
    expect(r).toMatchObject({ code: 0, stdout: USAGE, stderr: "", calls: [] });
  });

  it("usage text is knock 0.8's", () => {
    expect(USAGE.split("\n")[0]).toBe("usage: knock [options] <host> <port[:proto]> [port[:proto]] ...");
    expect(USAGE).toContain("  -d, --delay <t>      wait <t> milliseconds between port hits\n");
    expect(USAGE.endsWith("example:  knock myserver.example.com 123:tcp 456:udp 789:tcp\n\n")).toBe(true);
  });

  it.each([["-V"], ["--version"]])("%s prints the version", async (flag) => {
    const r = await runWith([flag]);
    expect(r).toMatchObject({ code: 0, stdout: VERSION_TEXT, calls: [] });
    expect(VERSION_TEXT).toMatch(/^knock 0\.8 /);
  });

  it.each([
    [["h", "0"], /^knock: port 0 is out of range/],
    [["h", "99999"], /^knock: port 99999 is out of range/],
    [["h", "abc"], /^knock: invalid port 'abc'/],
    [["h", "7000:icmp"], /^knock: unknown protocol 'icmp'/],
    [["h"], /^knock: no ports to knock on h/],
    [["-z", "h", "1"], /^knock: invalid option -- 'z'/],
  ])("%j fails before knocking", async (argv, message) => {
    const r = await runWith(argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain("Try 'knock --help'");
    expect(r.calls).toEqual([]);
  });

  it("passes the parsed options to knock and routes verbose lines to stdout", async () => {
    const r = await runWith(["-v", "-6", "-d", "20", "fd00::1", "7000", "8000:udp"], async (o) => {
      o.log?.("hitting tcp fd00::1:7000");
    });
    expect(r.code).toBe(0);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]).toMatchObject({
      host: "fd00::1",
      steps: [{ port: 7000, protocol: "tcp" }, { port: 8000, protocol: "udp" }],
      delayMs: 20,
      family: 6,
      verbose: true,
    });
    expect(r.stdout).toBe("hitting tcp fd00::1:7000\n");
  });

  it("reports a failed knock (e.g. resolution) with status 1", async () => {
    const r = await runWith(["nowhere.invalid", "1"], async () => {
      throw new Error("cannot resolve host 'nowhere.invalid': host not found");
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("knock: cannot resolve host 'nowhere.invalid': host not found\n");
  });
});
