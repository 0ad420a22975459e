import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const LIB_DIR = dirname(fileURLToPath(import.meta.url));
/** bench/out: results, plot and build products (git-ignored). */
export const OUT_DIR = resolve(LIB_DIR, "../out");
export const REPO_ROOT = resolve(LIB_DIR, "../..");
const BIN_DIR = join(OUT_DIR, "bin");

export interface BenchTools {
  pktgen: string;
  knockprobe: string;
}

function compile(name: string): string {
  const src = join(LIB_DIR, `${name}.c`);
  const bin = join(BIN_DIR, name);
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(BIN_DIR, { recursive: true });
    execFileSync("gcc", ["-O2", "-Wall", "-Wextra", "-o", bin, src], { stdio: "inherit" });
  }
  return bin;
}

/**
 * The two C helpers (flood sender over AF_PACKET, knock+probe timer), built
 * with gcc at bench time: node cannot pace 100k packets/s or time a
 * handshake to 0.2 ms without burning the CPU the daemons need.
 */
export function buildTools(): BenchTools {
  // The worker runs as the appliance runs it: the bundled build on plain node.
  execFileSync("bash", [join(REPO_ROOT, "scripts/build-worker.sh")], { stdio: "inherit" });
  return { pktgen: compile("pktgen"), knockprobe: compile("knockprobe") };
}
