import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
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
export function buildTools(base?: string): BenchTools {
  // The worker runs as the appliance runs it: the bundled build on plain node.
  execFileSync("bash", [join(REPO_ROOT, "scripts/build-worker.sh")], { stdio: "inherit" });
  if (base) prepareBase(base);
  return { pktgen: compile("pktgen"), knockprobe: compile("knockprobe") };
}

let baseDir: string | undefined;

/** Root of the `--base` commit's tree (after buildTools). */
export function baseRoot(): string {
  if (!baseDir) throw new Error("sesame-base needs --base COMMIT");
  return baseDir;
}

/**
 * The "before" column: the base commit's tree exported (git archive, no
 * worktree bookkeeping) under bench/out/base-SHA, this checkout's
 * node_modules hard-linked in (workspace links are relative, so they resolve
 * to the base's own packages), and its worker bundle built by its own script.
 */
function prepareBase(commit: string): void {
  const sha = execFileSync("git", ["-C", REPO_ROOT, "rev-parse", "--verify", `${commit}^{commit}`], { encoding: "utf8" }).trim();
  const dir = join(OUT_DIR, `base-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, "apps/worker/dist/main.mjs"))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", 'git -C "$1" archive "$2" | tar -x -C "$3"', "sh", REPO_ROOT, sha, dir], { stdio: "inherit" });
    execFileSync("cp", ["-al", join(REPO_ROOT, "node_modules"), join(dir, "node_modules")]);
    execFileSync("bash", [join(dir, "scripts/build-worker.sh")], { stdio: "inherit" });
  }
  baseDir = dir;
}
