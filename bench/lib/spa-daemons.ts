import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeB64, encodeSpaPacket, type SpaKeyPair } from "@sesame/core/spa";
import { openDb, userCredentials, users } from "@sesame/db";
import { must } from "@sesame/testkit";
import { daemonHandle, DAEMON_LABELS, spawnLogged, workerArgv, type Daemon, type DaemonKind } from "./daemons";
import { runKnockers } from "./knocker";
import { waitForQuietMachine } from "./quiet";
import { isProtected, type BenchContext } from "./session";
import { createBed, PROTECTED_PORT, type Bed } from "./testbed";
import { REPO_ROOT } from "./tools";
import { openBenchDb, seedWorkerDb } from "./worker-db";

/** fwknopd's default SPA port (and Sesame's). */
export const SPA_PORT = 62201;
export const SPA_KINDS: DaemonKind[] = ["sesame", "sesame-fwknopd", "fwknopd"];
const FWKNOPD_BIN = join(REPO_ROOT, "apps/worker/bin/sesame-fwknopd.js");
/** fwknopd's log line for every datagram it looked at past its pre-checks (one per junk packet too). */
const FWKNOPD_SEEN = "received with access source match";

/**
 * One SPA datagram per source, as Debian's `fwknop -a SRC -A tcp/2222` would
 * send it (Sesame's byte-for-byte encoder, fresh salt and random field each),
 * one per line of `path` for knockprobe --spa-file. Made right before use:
 * the timestamp must stay inside the 120 s age window.
 */
export function writeSpaPackets(path: string, keys: SpaKeyPair, sources: readonly string[]): number {
  const k = { key: decodeB64(keys.keyBase64)!, hmacKey: decodeB64(keys.hmacKeyBase64)!, hmacDigest: keys.hmacDigest };
  const now = Math.floor(Date.now() / 1000);
  const lines = sources.map((src) => encodeSpaPacket({ username: "bench", timestamp: now, message: `${src},tcp/${PROTECTED_PORT}` }, k));
  writeFileSync(path, lines.join("\n") + "\n");
  return Math.max(...lines.map((l) => l.length));
}

/** fwknopd.conf + access.conf shared by fwknopd and sesame-fwknopd: one stanza, SOURCE ANY, tcp/2222, the same keys. */
function writeFwknopFiles(bed: Bed, keys: SpaKeyPair): { conf: string; access: string; digest: string } {
  chmodSync(bed.dir, 0o700);
  const conf = join(bed.dir, "fwknopd.conf");
  const access = join(bed.dir, "access.conf");
  const digest = join(bed.dir, "digest.cache");
  writeFileSync(conf, `PCAP_INTF ${bed.net.serverIf}\nFWKNOP_RUN_DIR ${bed.dir}\nDIGEST_FILE ${digest}\nFWKNOP_PID_FILE ${join(bed.dir, "fwknopd.pid")}\n`, { mode: 0o600 });
  writeFileSync(access, `SOURCE ANY\nOPEN_PORTS tcp/${PROTECTED_PORT}\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nFW_ACCESS_TIMEOUT 30\n`, { mode: 0o600 });
  return { conf, access, digest };
}

export interface SpaDaemonOptions {
  /** Worker -D, sesame-fwknopd -v -v (debug lines; nothing per packet). */
  debug?: boolean;
  /** Called with fwknopd's digest file path before it starts (pre-fill). */
  prepareDigestFile?: (path: string) => void;
  /** Called with the worker's database path once it is seeded, before it starts (pre-fill). */
  prepareDb?: (path: string) => void;
}

/**
 * - sesame: the worker (bundle, scripts/worker.sh) with one SPA user in its database, as the Users page stores it.
 * - sesame-fwknopd: apps/worker/bin/sesame-fwknopd.js on fwknopd.conf + access.conf (its own nftables table).
 * - fwknopd: Debian's /usr/sbin/fwknopd on the same files, with its iptables FWKNOP_INPUT chain
 *   in front of a DROP for tcp/2222 that the bench adds (in the server namespace only).
 */
export async function startSpaDaemon(kind: DaemonKind, bed: Bed, keys: SpaKeyPair, opts: SpaDaemonOptions = {}): Promise<Daemon> {
  const outPath = join(bed.dir, `${kind}.out`);
  const dbPath = join(bed.dir, "sesame.db");
  if (kind === "sesame") {
    seedWorkerDb(dbPath, { native: false, seqTimeoutSec: 10, interfaces: [bed.net.serverIf] });
    const db = openDb(dbPath);
    try {
      const u = db.insert(users).values({ name: "bench", ports: [{ port: PROTECTED_PORT, protocol: "tcp" }], maxGrantSec: 300, grantSec: 30 }).returning({ id: users.id }).get();
      db.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: keys.keyBase64, spaHmacKey: keys.hmacKeyBase64, spaHmacDigest: keys.hmacDigest }).run();
    } finally {
      db.$client.close();
    }
    opts.prepareDb?.(dbPath);
    const child = spawnLogged(bed.net.server, workerArgv(bed, dbPath, "sesame", { debug: opts.debug }), outPath);
    return daemonHandle(kind, child, outPath, [outPath], openBenchDb(dbPath), "access granted");
  }
  const f = writeFwknopFiles(bed, keys);
  opts.prepareDigestFile?.(f.digest);
  if (kind === "sesame-fwknopd") {
    const argv = [process.execPath, FWKNOPD_BIN, "-f", "-i", bed.net.serverIf, "-c", f.conf, "-a", f.access, "-d", f.digest, "--db", dbPath, ...(opts.debug ? ["-v", "-v"] : [])];
    const child = spawnLogged(bed.net.server, argv, outPath);
    return daemonHandle(kind, child, outPath, [outPath], openBenchDb(dbPath), "Added access rule");
  }
  if (kind !== "fwknopd") throw new Error(`${DAEMON_LABELS[kind]} is not an SPA daemon`);
  await must(["iptables", "-A", "INPUT", "-p", "tcp", "--dport", String(PROTECTED_PORT), "-j", "DROP"], { ns: bed.net.server });
  const argv = ["/usr/sbin/fwknopd", "-f", "-i", bed.net.serverIf, "-c", f.conf, "-a", f.access, "-d", f.digest, "-p", join(bed.dir, "fwknopd.pid")];
  const child = spawnLogged(bed.net.server, argv, outPath);
  return daemonHandle(kind, child, outPath, [outPath], undefined, FWKNOPD_SEEN);
}

/** Until one warm-up SPA knock opens (readiness both daemons share; warms the JIT and the firewall path). */
async function waitSpaReady(d: Daemon, bed: Bed, ctx: BenchContext, keys: SpaKeyPair, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 150 && !d.output().includes("main event loop") && d.kind === "fwknopd" && Date.now() < deadline; i++) await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 100 && !isProtected(bed, ctx) && Date.now() < deadline; i++) await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < bed.warmup.length - 2 && Date.now() < deadline; i++) {
    if (d.child.exitCode !== null || d.child.signalCode !== null) break;
    const file = join(bed.dir, `warmup-${i}.spa`);
    writeSpaPackets(file, keys, [bed.warmup[i]!]);
    const [r] = await runKnockers(bed, ctx.tools, { sources: [bed.warmup[i]!], gapMs: 0, timeoutMs: 2000, spa: { file, port: SPA_PORT } });
    if (r?.ok) return;
  }
  throw new Error(`${d.kind} never opened for a warm-up SPA packet\n${d.tail()}`);
}

/** Fresh bed + SPA daemon, ready and checked closed to a stranger; always torn down. */
export async function withSpaDaemon<T>(
  ctx: BenchContext,
  kind: DaemonKind,
  legit: number,
  keys: SpaKeyPair,
  opts: SpaDaemonOptions,
  fn: (d: Daemon, bed: Bed, readyMs: number) => Promise<T>,
  readyTimeoutMs = 60_000,
): Promise<T> {
  await waitForQuietMachine(kind, ctx.log);
  const bed = await createBed({ legit, seqTimeoutSec: 10, firewall: "none", tag: "ss" });
  let d: Daemon | undefined;
  try {
    const t0 = Date.now();
    d = await startSpaDaemon(kind, bed, keys, opts);
    await waitSpaReady(d, bed, ctx, keys, readyTimeoutMs);
    const readyMs = Date.now() - t0;
    if (!isProtected(bed, ctx)) throw new Error("the protected port is open to a stranger: the bench setup is wrong");
    return await fn(d, bed, readyMs);
  } finally {
    await d?.stop();
    await bed.destroy();
  }
}
