import { cpus } from "node:os";
import { readMachineBusySeconds } from "./proc";

/** Runs that started on a machine other work was still using (reported in the notes). */
export const busyStarts: { label: string; busyPct: number }[] = [];

async function sampleBusyPct(ms: number): Promise<number> {
  const b0 = readMachineBusySeconds();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  return (100 * (readMachineBusySeconds() - b0)) / (((Date.now() - t0) / 1000) * cpus().length);
}

/**
 * Other helpers' test suites share this 2-core machine: before each daemon
 * run, wait (bounded) until the machine is nearly idle, so a figure measures
 * the daemon and not someone's vitest run. Gives up after maxWaitMs and
 * records that the run started busy.
 */
export async function waitForQuietMachine(label: string, log: (m: string) => void, maxWaitMs = 180_000, thresholdPct = 12): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let pct = await sampleBusyPct(1500);
  let warned = false;
  while (pct > thresholdPct && Date.now() < deadline) {
    if (!warned) log(`  machine busy (${pct.toFixed(0)} % of all CPUs) before ${label}: waiting up to ${maxWaitMs / 1000} s`);
    warned = true;
    await new Promise((r) => setTimeout(r, 2000));
    pct = await sampleBusyPct(1500);
  }
  if (pct > thresholdPct) busyStarts.push({ label, busyPct: Math.round(pct) });
  return pct;
}
