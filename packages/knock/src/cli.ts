import { parseKnockArgs } from "./args";
import { knock, type KnockOptions } from "./knock";
import { runSpaCli } from "./spa-cli";

/** knock 0.8's usage text, byte for byte. */
export const USAGE = `usage: knock [options] <host> <port[:proto]> [port[:proto]] ...
options:
  -u, --udp            make all ports hits use UDP (default is TCP)
  -d, --delay <t>      wait <t> milliseconds between port hits
  -4, --ipv4           Force usage of IPv4
  -6, --ipv6           Force usage of IPv6
  -v, --verbose        be verbose
  -V, --version        display version
  -h, --help           this help

example:  knock myserver.example.com 123:tcp 456:udp 789:tcp

`;

export const VERSION_TEXT = `knock 0.8 (Sesame knock client 0.1.0)
`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The knock implementation; tests substitute a recorder. */
  knock?: (opts: KnockOptions) => Promise<void>;
}

/**
 * Run the knock command line; returns the exit status. Output matches
 * knock 0.8 (usage, `hitting tcp 10.0.0.1:7000` lines on stdout). Errors go
 * to stderr as `knock: <what is wrong>` with status 1, including the cases
 * knock 0.8 silently accepts (bad port, unknown protocol, bad delay).
 * -h prints the usage on stdout and exits 0 (knock 0.8 exits 1).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0) {
    io.stderr(USAGE);
    return 1;
  }
  const parsed = parseKnockArgs(argv);
  if (!parsed.ok) {
    io.stderr(`knock: ${parsed.error}\n${USAGE.split("\n")[0]}\nTry 'knock --help' for more information.\n`);
    return 1;
  }
  const opts = parsed.opts;
  if (opts.command === "help") {
    io.stdout(USAGE);
    return 0;
  }
  if (opts.command === "version") {
    io.stdout(VERSION_TEXT);
    return 0;
  }
  try {
    await (io.knock ?? knock)({
      host: opts.host,
      steps: opts.steps,
      delayMs: opts.delayMs,
      family: opts.family,
      verbose: opts.verbose,
      log: (line) => io.stdout(`${line}\n`),
    });
    return 0;
  } catch (err) {
    io.stderr(`knock: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** Entry point for bin/knock.js: real process streams and exit status. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes("--spa")) {
    process.exitCode = await runSpaCli(argv, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env });
    return;
  }
  process.exitCode = await runCli(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}
