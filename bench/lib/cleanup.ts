/**
 * Cleanup registry: every namespace, process and temp dir the bench creates
 * registers a cleanup here, so a failure or Ctrl-C still removes namespaces
 * and stops our processes (by PID, never by name).
 */

type Task = () => Promise<void> | void;

const tasks = new Map<number, { label: string; fn: Task }>();
let nextId = 1;
let installed = false;
let running: Promise<void> | undefined;

/** Register `fn`; returns a function that runs it now and unregisters it. */
export function onCleanup(label: string, fn: Task): () => Promise<void> {
  const id = nextId++;
  tasks.set(id, { label, fn });
  return async () => {
    if (!tasks.delete(id)) return;
    await fn();
  };
}

/** Run every registered cleanup, newest first; errors are reported, not thrown. */
export async function runAllCleanups(): Promise<void> {
  running ??= (async () => {
    const all = [...tasks.entries()].reverse();
    tasks.clear();
    for (const [, t] of all) {
      try {
        await t.fn();
      } catch (err) {
        console.error(`cleanup ${t.label} failed: ${(err as Error).message}`);
      }
    }
  })();
  await running;
  running = undefined;
}

/** On SIGINT/SIGTERM: clean up, then exit 130/143. */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.on(sig, () => {
      console.error(`\n${sig}: cleaning up namespaces and processes…`);
      void runAllCleanups().finally(() => process.exit(code));
    });
  }
}
