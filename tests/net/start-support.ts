import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { must, run } from "@sesame/testkit";

/**
 * A fresh clone of this checkout with the working tree's changes on top (what
 * a new admin's `git clone` holds, plus what is being tested), node_modules
 * hard-linked (the machine's `npm ci` is done once, by the test run's setup).
 */
export async function copyCheckout(repo: string, dest: string): Promise<void> {
  await must(["git", "clone", "-q", "--no-hardlinks", repo, dest]);
  await must(["bash", "-c", 'git -C "$1" ls-files -co --exclude-standard -z | tar -C "$1" --null -T - -cf - | tar -C "$2" -xf -', "bash", repo, dest]);
  await must(["cp", "-al", join(repo, "node_modules"), join(dest, "node_modules")]);
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTPS request from namespace `ns`, trusting only `caFile` (the
 * appliance's certificate, checked against the address in the URL).
 * Rejects when nothing answers.
 */
export async function httpsRequest(ns: string, url: string, caFile: string, init: { method?: string; body?: string; cookie?: string } = {}): Promise<HttpsAnswer> {
  const script = `
    const https = require("node:https");
    const [url, ca, method, body, cookie] = process.argv.slice(1);
    const headers = { "content-type": "application/json", origin: new URL(url).origin };
    if (cookie) headers.cookie = cookie;
    const req = https.request(url, { method, ca: require("node:fs").readFileSync(ca), headers, timeout: 10000 }, (res) => {
      let data = "";
      res.on("data", (d) => (data += d));
      res.on("end", () => { process.stdout.write(JSON.stringify({ status: res.statusCode, headers: res.headers, body: data.slice(0, 2000) })); });
    });
    req.on("error", (e) => { process.stderr.write(String(e)); process.exit(3); });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(body || undefined);`;
  const r = await run(["node", "-e", script, url, caFile, init.method ?? "GET", init.body ?? "", init.cookie ?? ""], { ns, timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`${url}: ${r.stderr}`);
  return JSON.parse(r.stdout) as HttpsAnswer;
}

/** PIDs whose command line matches `pattern`, running as `user`. */
export async function pidsOf(pattern: RegExp, user: string): Promise<number[]> {
  const uid = Number((await must(["id", "-u", user])).trim());
  const out: number[] = [];
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
      const real = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, "utf8"))![1]);
      if (pattern.test(cmd) && real === uid && !cmd.startsWith("runuser")) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
