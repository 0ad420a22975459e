import type { Protocol, Step } from "@sesame/core";

export type ParseTargetResult = { ok: true; step: Step } | { ok: false; error: string };

/**
 * Parse one knock target, `port[:proto]` as knock 0.8 takes it ("7000",
 * "8000:udp"). The port must be a decimal number in 1..65535 and the
 * protocol tcp or udp (any case, like knockd.conf's Sequence); a missing
 * protocol means `defaultProto`.
 *
 * Stricter than knock 0.8 on purpose: it hands the port text to
 * getaddrinfo (so "ssh" works, "70000" wraps, "abc" fails only after the
 * earlier hits were sent) and treats any protocol other than "udp" as tcp,
 * which silently sends the wrong sequence.
 */
export function parseTarget(text: string, defaultProto: Protocol = "tcp"): ParseTargetResult {
  const colon = text.indexOf(":");
  const portText = colon === -1 ? text : text.slice(0, colon);
  const protoText = colon === -1 ? undefined : text.slice(colon + 1);

  if (!/^[0-9]+$/.test(portText)) {
    return { ok: false, error: `invalid port '${portText}' in '${text}' (expected a number from 1 to 65535)` };
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) {
    return { ok: false, error: `port ${portText} is out of range in '${text}' (expected 1 to 65535)` };
  }

  if (protoText === undefined) return { ok: true, step: { port, protocol: defaultProto } };
  const protocol = protoText.toLowerCase();
  if (protocol !== "tcp" && protocol !== "udp") {
    return { ok: false, error: `unknown protocol '${protoText}' in '${text}' (expected tcp or udp)` };
  }
  return { ok: true, step: { port, protocol } };
}

/** knock 0.8's verbose line for one hit: `hitting tcp 10.0.0.1:7000` (IPv6 without brackets, as getnameinfo prints it). */
export function formatHit(step: Step, address: string): string {
  return `hitting ${step.protocol} ${address}:${step.port}`;
}
