import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Step } from "@sesame/core";
import { sendTcpHit, sendUdpHit } from "./hits";
import { formatHit } from "./targets";
import { MAX_DELAY_MS } from "./args";

export interface KnockOptions {
  /** Host name or IP address; resolved once, before the first hit. */
  host: string;
  /** The sequence, sent in order. */
  steps: Step[];
  /** Pause between two hits (not after the last one), in ms. Default 0. */
  delayMs?: number;
  /** Force the address family (knock's -4 / -6). Defaults to the family of `localAddress`, if given. */
  family?: 4 | 6;
  /** Source address to knock from (must be configured on this host). */
  localAddress?: string;
  /** Report each hit through `log`, as knock -v prints it. */
  verbose?: boolean;
  /** Where verbose lines go; default stdout. */
  log?: (line: string) => void;
}

/** The host could not be resolved (or not in the requested family). Nothing was sent. */
export class KnockResolveError extends Error {
  override name = "KnockResolveError";
  constructor(readonly host: string, readonly reason: string) {
    super(`cannot resolve host '${host}': ${reason}`);
  }
}

function describeLookupError(err: unknown, family: 4 | 6 | undefined): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOTFOUND") return family ? `no IPv${family} address found` : "host not found";
  if (code === "EAI_AGAIN") return "temporary failure in name resolution";
  if (code === "EAI_ADDRFAMILY" || code === "EAI_FAMILY") return `no IPv${family ?? "?"} address`;
  return code ?? (err instanceof Error ? err.message : String(err));
}

/** Resolve `host` once, in `family` if given; IP literals must match the family. */
export async function resolveKnockHost(host: string, family?: 4 | 6): Promise<{ address: string; family: 4 | 6 }> {
  const literal = isIP(host);
  if (literal !== 0) {
    // getaddrinfo refuses a literal of the other family too (knock -4 ::1 fails); say why plainly.
    if (family && literal !== family) throw new KnockResolveError(host, `it is an IPv${literal} address but IPv${family} was requested`);
    return { address: host, family: literal as 4 | 6 };
  }
  try {
    const r = await lookup(host, { family: family ?? 0 });
    return { address: r.address, family: r.family as 4 | 6 };
  } catch (err) {
    throw new KnockResolveError(host, describeLookupError(err, family));
  }
}

function checkOptions(opts: KnockOptions): void {
  if (opts.steps.length === 0) throw new RangeError("knock: no steps to send");
  for (const s of opts.steps) {
    if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) throw new RangeError(`knock: invalid port ${s.port}`);
    if (s.protocol !== "tcp" && s.protocol !== "udp") throw new RangeError(`knock: invalid protocol ${String(s.protocol)}`);
  }
  const delay = opts.delayMs ?? 0;
  if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_MS) throw new RangeError(`knock: invalid delay ${delay}`);
  if (opts.localAddress !== undefined) {
    const localFamily = isIP(opts.localAddress);
    if (localFamily === 0) throw new RangeError(`knock: localAddress '${opts.localAddress}' is not an IP address`);
    if (opts.family && opts.family !== localFamily) throw new RangeError(`knock: localAddress '${opts.localAddress}' is not IPv${opts.family}`);
  }
}

/**
 * Send a port-knock sequence, like knock 0.8: a TCP hit is one SYN (the
 * connection attempt is abandoned as soon as the SYN has left, so closed or
 * filtered ports cost nothing), a UDP hit is one 1-byte datagram. The host
 * is resolved once; a resolution failure rejects with KnockResolveError
 * before anything is sent. A hit the kernel refuses to send (no route,
 * unusable localAddress) rejects and stops the sequence.
 */
export async function knock(opts: KnockOptions): Promise<void> {
  checkOptions(opts);
  const family = opts.family ?? (opts.localAddress ? (isIP(opts.localAddress) as 4 | 6) : undefined);
  const target = await resolveKnockHost(opts.host, family);
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const delay = opts.delayMs ?? 0;

  for (const [i, step] of opts.steps.entries()) {
    if (i > 0 && delay > 0) await sleep(delay);
    if (opts.verbose) log(formatHit(step, target.address));
    if (step.protocol === "tcp") await sendTcpHit(target.address, step.port, opts.localAddress);
    else await sendUdpHit(target.address, target.family, step.port, opts.localAddress);
  }
}
