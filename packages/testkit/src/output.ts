import type { ChildProcess } from "node:child_process";

/**
 * Resolve once `child` has written `needle` on `stream` (its output so far,
 * across chunks); reject when it exits first or after timeoutMs. `what` names
 * the process in the error, which carries the output seen.
 */
export async function waitForOutput(child: ChildProcess, stream: "stdout" | "stderr", needle: string, what: string, timeoutMs = 10_000): Promise<void> {
  const source = child[stream];
  if (!source) throw new Error(`${what}: ${stream} is not piped`);
  let seen = "";
  await new Promise<void>((resolve, reject) => {
    const settle = (err?: Error): void => {
      clearTimeout(timer);
      source.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (seen.includes(needle)) settle();
    };
    const onExit = (code: number | null): void => settle(new Error(`${what} exited ${code}: ${seen.trim()}`));
    const timer = setTimeout(() => settle(new Error(`${what} did not start within ${timeoutMs} ms: ${seen.trim()}`)), timeoutMs);
    source.on("data", onData);
    child.once("exit", onExit);
  });
}
