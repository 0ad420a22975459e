/**
 * `npm run bench` — Sesame's worker against Debian's knockd on the same
 * knockd.conf, and (section spa) against Debian's fwknopd on the same
 * fwknopd.conf + access.conf, in network namespaces this process creates and removes.
 * Prints a table (figures per daemon, ratio Sesame/knockd, target, met) and
 * writes bench/out/results.json and bench/out/results.svg.
 * Not part of `npm test`: benchmarks are not tests.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseBenchArgs, sectionDaemons, type MeasurementName } from "./lib/args";
import { installSignalCleanup, runAllCleanups } from "./lib/cleanup";
import { busyStarts } from "./lib/quiet";
import { formatTable, type MeasureOutcome } from "./lib/report";
import type { BenchContext } from "./lib/session";
import { renderSvg } from "./lib/svg";
import { buildTools, OUT_DIR, REPO_ROOT } from "./lib/tools";
import { measureDb } from "./db";
import { measureFlood } from "./flood";
import { measureLatency } from "./latency";
import { measureMaxRate } from "./max-rate";
import { measureMemory } from "./memory";
import { measureScaling } from "./scaling";
import { measureSpa } from "./spa";

const MEASURE: Record<MeasurementName, (ctx: BenchContext) => Promise<MeasureOutcome>> = {
  latency: measureLatency,
  flood: measureFlood,
  "max-rate": measureMaxRate,
  scaling: measureScaling,
  memory: measureMemory,
  db: measureDb,
  spa: measureSpa,
};

function sh(argv: string[]): string {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

function machineFacts(base: string | undefined): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: sh(["uname", "-r"]),
    os: sh(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
    node: process.version,
    knockd: sh(["dpkg-query", "-W", "-f=${Version}", "knockd"]),
    fwknopd: sh(["dpkg-query", "-W", "-f=${Version}", "fwknop-server"]),
    nft: sh(["nft", "--version"]),
    commit: sh(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"]),
    ...(base ? { base: sh(["git", "-C", REPO_ROOT, "rev-parse", "--short", base]) } : {}),
  };
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  if ("error" in args) {
    console.error(args.error);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error("npm run bench needs root (network namespaces, nftables, AF_PACKET)");
    return 2;
  }
  installSignalCleanup();
  mkdirSync(OUT_DIR, { recursive: true });
  const daemons = args.daemons.filter((d) => d === "knockd" || d === "fwknopd" || existsSync(join(REPO_ROOT, "apps/worker/src/main.ts")));
  const notes: string[] = [];
  if (daemons.length < args.daemons.length) notes.push("apps/worker/src/main.ts is missing: Sesame daemons skipped.");
  const ctx: BenchContext = {
    quick: args.quick,
    tools: buildTools(args.base),
    daemons,
    profile: args.profile,
    log: (m) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`),
  };
  const started = new Date();
  const machine = machineFacts(args.base);
  ctx.log(`machine: ${machine.cpu}, ${machine.cores} cores, kernel ${machine.kernel}, node ${machine.node}, knockd ${machine.knockd}, fwknopd ${machine.fwknopd}`);
  const outcomes: MeasureOutcome[] = [];
  const errors: { measurement: string; error: string }[] = [];
  try {
    for (const name of args.only) {
      const t0 = Date.now();
      try {
        outcomes.push(await MEASURE[name]({ ...ctx, daemons: sectionDaemons(name, ctx.daemons) }));
      } catch (err) {
        const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
        errors.push({ measurement: name, error: msg });
        ctx.log(`${name} FAILED: ${msg}`);
      } finally {
        await runAllCleanups();
        ctx.log(`${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
    }
  } finally {
    await runAllCleanups();
  }
  const rows = outcomes.flatMap((o) => o.rows);
  const allNotes = [...notes, ...outcomes.flatMap((o) => o.notes)];
  if (busyStarts.length) allNotes.push(`${busyStarts.length} daemon run(s) started while other work kept the machine busy (> 12 % of all CPUs after waiting 3 min): ${busyStarts.map((b) => `${b.label} ${b.busyPct} %`).join(", ")}; their figures are noisier.`);
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  const results = {
    command,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: args.quick,
    machine,
    rows,
    notes: allNotes,
    errors,
    raw: Object.fromEntries(outcomes.map((o) => [o.name, o.raw])),
  };
  writeFileSync(join(OUT_DIR, "results.json"), JSON.stringify(results, null, 2) + "\n");
  const versus = [...(args.only.some((n) => n !== "spa") ? [`knockd ${machine.knockd}`] : []), ...(args.only.includes("spa") ? [`fwknopd ${machine.fwknopd}`] : [])].join(", ");
  const title = `Sesame vs ${versus} — ${machine.cores}-core ${machine.cpu}${args.quick ? " (quick)" : ""}`;
  writeFileSync(join(OUT_DIR, "results.svg"), renderSvg(outcomes.flatMap((o) => o.panels), title));
  console.log(`\n${command}  (${machine.cpu}, ${machine.cores} cores, ${machine.kernel}, node ${machine.node}; commit ${machine.commit}${args.base ? `, "Sesame before" = ${machine.base}` : ""})\n`);
  console.log(formatTable(rows));
  if (allNotes.length) console.log(`\nnotes:\n${allNotes.map((n) => `- ${n}`).join("\n")}`);
  if (errors.length) console.log(`\nerrors:\n${errors.map((e) => `- ${e.measurement}: ${e.error.split("\n")[0]}`).join("\n")}`);
  console.log(`\nwrote ${join(OUT_DIR, "results.json")} and results.svg`);
  return errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(err);
    await runAllCleanups();
    process.exit(1);
  },
);
