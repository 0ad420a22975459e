import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestNet, must, run, stopProcess, waitFor, type TestNet } from "@sesame/testkit";
import { openDb, workerStatus } from "@sesame/db";
import { copyCheckout, httpsRequest, pidsOf, type HttpsAnswer } from "./start-support";

/**
 * The README's first command, for real, the way a new admin runs it: a clone
 * in a private directory under /root, a fresh database, `bash scripts/start.sh`,
 * then the first login over HTTPS from another host, with no restart. It runs
 * inside a server namespace with its own default route, so the worker's
 * nftables table never lands in the root namespace.
 */
const PASSWORD = "start-script-test-password";
const PORT = 3917;

describe("scripts/start.sh (the README's start command)", () => {
  let net: TestNet;
  let clone: string;
  let stateRoot: string;
  let script: ChildProcess | undefined;
  let output = "";

  const db = () => join(stateRoot, "state", "sesame.db");
  const state = () => join(stateRoot, "state");

  function start(cwd: string, env: Record<string, string> = {}, wrap: string[] = []): ChildProcess {
    output = "";
    const child = spawn(wrap[0] ?? "ip", [...wrap.slice(1), ...(wrap.length ? ["ip"] : []), "netns", "exec", net.server, "bash", "scripts/start.sh"], {
      cwd,
      env: { ...process.env, SESAME_SETUP_NO_INSTALL: "1", SESAME_DB: db(), SESAME_ADMIN_PASSWORD: PASSWORD, PORT: String(PORT), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    return child;
  }
  const exitOf = (child: ChildProcess, ms: number) =>
    new Promise<number | null | "hung">((r) => {
      if (child.exitCode !== null) return r(child.exitCode);
      const t = setTimeout(() => r("hung"), ms);
      child.once("exit", (code) => (clearTimeout(t), r(code)));
    });
  const fromClient = (path: string, init: { method?: string; body?: string; cookie?: string } = {}): Promise<HttpsAnswer> =>
    httpsRequest(net.client, `https://${net.serverIp}:${PORT}${path}`, join(state(), "tls", "cert.pem"), init);

  beforeAll(async () => {
    net = await createTestNet({ tag: "st" });
    await must(["ip", "route", "add", "default", "via", net.clientIp], { ns: net.server });
    // What `git clone` under /root gives a new admin: a directory only root can enter.
    clone = mkdtempSync("/root/sesame-clone-");
    chmodSync(clone, 0o700);
    await copyCheckout(process.cwd(), clone);
    stateRoot = mkdtempSync(join(tmpdir(), "sesame-start-"));
    chmodSync(stateRoot, 0o755); // like /var/lib: the web user must traverse it
  }, 120_000);
  afterAll(async () => {
    if (script) await stopProcess(script, 8000);
    await net?.destroy();
    rmSync(stateRoot, { recursive: true, force: true });
    rmSync(clone, { recursive: true, force: true });
  });

  it("from a 0700 clone under /root on a fresh database: the first login over HTTPS works, no restart", async () => {
    expect(statSync(clone).mode & 0o777).toBe(0o700);
    script = start(clone);
    const up = await waitFor(() => /admin UI pid \d+ on https:/.test(output) && /listening on https/.test(output), 300_000, 500);
    expect(up, output).toBe(true);

    // The fingerprint start.sh printed is the certificate the UI serves.
    const printed = /SHA-256 fingerprint ([0-9A-F:]+)/.exec(output)?.[1];
    const der = Buffer.from(readFileSync(join(state(), "tls", "cert.pem"), "utf8").replace(/-----[^-]+-----|\s/g, ""), "base64");
    expect(printed).toBe(createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)!.join(":"));

    // The login page, from another host, over HTTPS with the appliance's certificate, with strict headers.
    const page = await fromClient("/login");
    expect(page.status, page.body).toBe(200);
    expect(page.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    expect(page.headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");

    // First login works (it writes to the database), the cookie is Secure and HttpOnly.
    const login = await fromClient("/api/auth/login", { method: "POST", body: JSON.stringify({ password: PASSWORD }) });
    expect(login.status, login.body + output).toBe(204);
    const cookie = String(login.headers["set-cookie"] ?? "");
    expect(cookie).toMatch(/sesame_session=/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    const status = await fromClient("/api/status", { cookie: cookie.split(";")[0] });
    expect(status.status, status.body).toBe(200);

    // The web runs as `sesame` from the installed copy and holds the database read-write.
    const [web] = await pidsOf(/apps\/web\/server\.mjs/, "sesame");
    expect(web, "web process").toBeDefined();
    expect(readFileSync(`/proc/${web}/status`, "utf8")).toMatch(/^Uid:\s+(\d+)/m);
    expect(readlinkSync(`/proc/${web}/cwd`)).toBe(join(state(), "app", "current"));
    const dbFds = readdirSync(`/proc/${web}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${web}/fd/${fd}`) === db();
      } catch {
        return false;
      }
    });
    expect(dbFds.length).toBeGreaterThan(0);
    for (const fd of dbFds) {
      const flags = parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/${web}/fdinfo/${fd}`, "utf8"))![1]!, 8);
      expect(flags & 0o3, "O_RDWR").toBe(0o2);
    }

    // The worker runs as the systemd unit does: two capabilities, no new privileges, a read-only system.
    const [worker] = await pidsOf(/apps\/worker\/dist\/main\.mjs/, "root");
    expect(worker, "worker process").toBeDefined();
    const wstatus = readFileSync(`/proc/${worker}/status`, "utf8");
    expect(/^CapEff:\s+(\S+)/m.exec(wstatus)![1]).toBe("0000000000003000"); // net_admin, net_raw
    expect(/^CapBnd:\s+(\S+)/m.exec(wstatus)![1]).toBe("0000000000003000");
    expect(/^NoNewPrivs:\s+(\d)/m.exec(wstatus)![1]).toBe("1");
    const mounts = readFileSync(`/proc/${worker}/mountinfo`, "utf8").split("\n").map((l) => l.split(" "));
    expect(mounts.find((m) => m[4] === "/")?.[5]).toMatch(/^ro\b/);
    expect(mounts.find((m) => m[4] === state())?.[5]).toMatch(/^rw\b/);

    // The password never appeared on a command line.
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      let cmdline = "";
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      expect(cmdline, `pid ${pid}`).not.toContain(PASSWORD);
    }

    // The worker heartbeats; safe defaults: nothing protected; the layout the web user cannot change.
    const sdb = openDb(db(), { readonly: true });
    const row = sdb.select().from(workerStatus).get();
    sdb.$client.close();
    expect(row && row.interfaces.includes(net.serverIf)).toBe(true);
    const set = await must(["nft", "list", "set", "inet", "sesame", "protected"], { ns: net.server });
    expect(set).not.toMatch(/elements/);
    expect(statSync(state()).mode & 0o7777).toBe(0o750);
    expect(statSync(db()).mode & 0o777).toBe(0o660);
    expect(statSync(join(state(), "web")).uid).not.toBe(0);
    expect(statSync(join(state(), "web", "secrets.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(state(), "tls", "key.pem")).mode & 0o777).toBe(0o640);

    script.kill("SIGTERM");
    expect(await exitOf(script, 10_000), output).not.toBe("hung");
    script = undefined;
    const down = await fromClient("/login").catch(() => null);
    expect(down).toBeNull();
  }, 420_000);

  it("serves the admin's own certificate (SESAME_TLS_CERT/_KEY) and refuses a key that is not its own", async () => {
    const own = mkdtempSync(join(tmpdir(), "sesame-own-tls-"));
    try {
      const gen = (name: string) =>
        must(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
          "-subj", `/CN=${name}`, "-addext", `subjectAltName=IP:${net.serverIp}`, "-keyout", join(own, `${name}.key`), "-out", join(own, `${name}.pem`)]);
      await gen("admin-cert");
      await gen("other");
      const mismatched = start(clone, { SESAME_TLS_CERT: join(own, "admin-cert.pem"), SESAME_TLS_KEY: join(own, "other.key") });
      expect(await exitOf(mismatched, 60_000), output).toBe(2);
      expect(output).toContain("SESAME_TLS_KEY is not the key of SESAME_TLS_CERT");

      script = start(clone, { SESAME_TLS_CERT: join(own, "admin-cert.pem"), SESAME_TLS_KEY: join(own, "admin-cert.key") });
      expect(await waitFor(() => /listening on https/.test(output), 120_000, 500), output).toBe(true);
      const der = Buffer.from(readFileSync(join(own, "admin-cert.pem"), "utf8").replace(/-----[^-]+-----|\s/g, ""), "base64");
      expect(output).toContain(`TLS certificate (provided), SHA-256 fingerprint ${createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)!.join(":")}`);
      const page = await httpsRequest(net.client, `https://${net.serverIp}:${PORT}/login`, join(own, "admin-cert.pem"));
      expect(page.status).toBe(200);
      expect(statSync(join(state(), "tls", "key.pem")).mode & 0o777).toBe(0o640);
      script.kill("SIGTERM");
      expect(await exitOf(script, 10_000), output).not.toBe("hung");
      script = undefined;
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }, 180_000);

  it("the web user cannot plant links in the state directory", async () => {
    for (const [target, link] of [["/etc/shadow", "sesame.db-wal"], ["/etc", "tls2"], ["/etc/shadow", "sesame.db"]] as const) {
      const r = await run(["runuser", "-u", "sesame", "--", "ln", "-sf", target, join(state(), link)]);
      expect(r.code, `${link}: ${r.stdout}${r.stderr}`).not.toBe(0);
    }
    expect(existsSync(join(state(), "tls2"))).toBe(false);
  });

  // An older Sesame made the directory root:sesame 2770: its web user could plant links there.
  // A restart must not follow them; it stops with one sentence. /etc is a copy in the test's own
  // mount namespace, so a failure here could never damage this machine's.
  it.each([
    ["web", "/etc", "web is a symbolic link"],
    ["sesame.db-wal", "/etc/shadow", "sesame.db-wal is a symbolic link"],
  ])("a link %s -> %s left by the old layout stops the start, /etc untouched", async (name, target, message) => {
    const etc = mkdtempSync(join(tmpdir(), "sesame-etc-"));
    try {
      await must(["cp", "-a", "/etc/.", etc]);
      const before = fingerprintEtc(etc);
      chmodSync(state(), 0o2770);
      const moved = join(state(), `${name}.moved`);
      await must(["runuser", "-u", "sesame", "--", "sh", "-c", `[ ! -e "$1" ] || mv "$1" "$2"; ln -s "$3" "$1"`, "sh", join(state(), name), moved, target]);

      const child = start(clone, {}, ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", `mount --bind "${etc}" /etc && exec "$@"`, "sh"]);
      const code = await exitOf(child, 60_000);
      expect(code, output).toBe(2);
      expect(output).toContain(message);
      expect(output).not.toMatch(/admin UI pid/);
      expect(fingerprintEtc(etc)).toEqual(before);

      await must(["rm", join(state(), name)]);
      if (existsSync(moved)) await must(["mv", moved, join(state(), name)]);
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  }, 90_000);

  it("a state directory the web user cannot reach is refused in one sentence before anything changes", async () => {
    const hidden = mkdtempSync("/root/sesame-private-");
    try {
      const child = start(clone, { SESAME_DB: join(hidden, "state", "sesame.db") });
      expect(await exitOf(child, 30_000), output).toBe(2);
      expect(output).toMatch(/the web user sesame cannot reach .*\/root\/sesame-private-\S+ is mode 0700/);
      expect(existsSync(join(hidden, "state"))).toBe(false);
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  }, 60_000);

  it("plain HTTP on a network address is refused unless asked for explicitly", async () => {
    const child = start(clone, { SESAME_HTTP: "1" });
    expect(await exitOf(child, 30_000), output).toBe(2);
    expect(output).toMatch(/SESAME_HTTP=1 would send the admin password in clear/);
  }, 60_000);
});

/** Owner, mode and content hash of /etc itself and of the files the attack aims at. */
function fingerprintEtc(etc: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ["", "shadow", "passwd"]) {
    const p = join(etc, f);
    const st = statSync(p);
    out[f || "."] = `${st.uid}:${st.gid}:${(st.mode & 0o7777).toString(8)}:${st.isFile() ? createHash("sha256").update(readFileSync(p)).digest("hex") : "dir"}`;
  }
  return out;
}
