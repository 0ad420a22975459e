/**
 * Runs a daemon's main: a code >= 0 is the exit status; -1 means it is
 * running and the event loop (its signal handlers) decides when it ends.
 * A throw is printed with the program's name and exits 1.
 */
export function runMain(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${name}: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
