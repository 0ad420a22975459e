import { readFileSync } from "node:fs";
import { decodeBase32, deriveTotpSequence, knockCommandLine, totpCodeAt, totpStepAt } from "@sesame/core";
import { knock, type KnockOptions } from "./knock";
import { SECRET_ENV, TOTP_USAGE, parseTotpKnockArgs, type CodeSource } from "./totp-args";

/**
 * The `sesame` command: `sesame knock HOST --totp CODE` turns a user's
 * authenticator code (or their secret) into this window's rotating knock
 * sequence, prints the equivalent `knock HOST p1 p2:udp …` and sends it.
 */

export interface SesameIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  now: () => number;
  readFile?: (path: string) => string;
  knock?: (opts: KnockOptions) => Promise<void>;
}

const USAGE = `usage: sesame knock [options] <host>     (sesame knock --help)\n`;

function codeFrom(source: CodeSource, io: SesameIo): { ok: true; code: string } | { ok: false; error: string } {
  if (source.kind === "code") return { ok: true, code: source.code };
  let text: string | undefined;
  if (source.kind === "secret-file") {
    try {
      text = (io.readFile ?? ((p) => readFileSync(p, "utf8")))(source.path);
    } catch (e) {
      return { ok: false, error: `cannot read the secret file: ${(e as Error).message}` };
    }
  } else {
    text = io.env[SECRET_ENV];
    if (!text) return { ok: false, error: `no code: give --totp CODE, --secret-file FILE or set $${SECRET_ENV}` };
  }
  const secret = decodeBase32(text.trim());
  if (!secret.ok) return { ok: false, error: `the secret is not base32: ${secret.reason}` };
  if (secret.bytes.length < 10) return { ok: false, error: "the secret is too short (at least 16 base32 characters)" };
  return { ok: true, code: totpCodeAt(secret.bytes, totpStepAt(io.now())) };
}

/** Runs `sesame <argv…>`; returns the exit status. */
export async function runSesameCli(argv: readonly string[], io: SesameIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "-h" || sub === "--help" || sub === "help") {
    io.stdout(USAGE + "\n" + TOTP_USAGE);
    return 0;
  }
  if (sub !== "knock") {
    io.stderr(`sesame: ${sub === undefined ? "missing command" : `unknown command '${sub}'`}\n${USAGE}`);
    return 1;
  }
  const parsed = parseTotpKnockArgs(rest);
  if (!parsed.ok) {
    io.stderr(`sesame knock: ${parsed.error}\n${USAGE}`);
    return 1;
  }
  if (parsed.command === "help") {
    io.stdout(TOTP_USAGE);
    return 0;
  }
  const cmd = parsed.command;
  const code = codeFrom(cmd.source, io);
  if (!code.ok) {
    io.stderr(`sesame knock: ${code.error}\n`);
    return 1;
  }
  const steps = deriveTotpSequence(code.code, cmd.settings);
  io.stdout(`${knockCommandLine(cmd.host, steps, { delayMs: cmd.delayMs })}\n`);
  if (cmd.dryRun) return 0;
  try {
    await (io.knock ?? knock)({ host: cmd.host, steps, delayMs: cmd.delayMs, family: cmd.family, verbose: cmd.verbose, log: (line) => io.stdout(`${line}\n`) });
    return 0;
  } catch (err) {
    io.stderr(`sesame knock: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** Entry point for bin/sesame.js. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runSesameCli(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    now: Date.now,
  });
}
