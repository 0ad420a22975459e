/**
 * Gateway mode's forwarded services as the Gateway page edits them and the
 * server checks them (the worker re-checks the stored rows with the same
 * address rule). Messages name the field.
 */
import { z } from "zod";
import { formatIpBytes, isV4Mapped, parseIp } from "../net/ip";
import { bool, intIn, optional } from "../web/form-fields";

const NAME_MESSAGE = "Name may only contain letters, digits, spaces, '.', '-' and '_' (1 to 64 characters).";
const PORT_MESSAGE = "Port must be a whole number from 1 to 65535.";
const TO_PORT_MESSAGE = "Inside port must be a whole number from 1 to 65535.";

export const ForwardNameSchema = z
  .string({ error: "Name is required." })
  .trim()
  .min(1, { error: "Name is required." })
  .max(64, { error: NAME_MESSAGE })
  .regex(/^[A-Za-z0-9 _.-]+$/, { error: NAME_MESSAGE });

/**
 * Why `text` cannot be a forward's inside host, or null. One unicast
 * address: no network, no loopback (this host's own services are protected
 * ports, not forwards), no unspecified, multicast or broadcast address, and
 * no IPv4-mapped IPv6 (the kernel's IPv6 rules never see IPv4 in that form).
 */
export function insideAddressProblem(text: string): string | null {
  const t = text.trim();
  if (t === "") return "Inside address is required.";
  if (t.includes("/")) return `Inside address: ${t} is a network; give the one host that runs the service.`;
  const p = parseIp(t);
  if (!p) return `Inside address: ${t} is not an IPv4 or IPv6 address.`;
  const b = p.bytes;
  if (p.family === 6 && isV4Mapped(b)) return `Inside address: ${t} is IPv4-mapped; write the IPv4 form ${formatIpBytes(b.subarray(12))}.`;
  const zero = b.every((x) => x === 0);
  const loopback = p.family === 4 ? b[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  const multicast = p.family === 4 ? (b[0] as number) >= 224 : b[0] === 0xff;
  if (zero || loopback || multicast) {
    const what = zero ? "the unspecified address" : loopback ? "a loopback address" : p.family === 4 && b.every((x) => x === 255) ? "the broadcast address" : "a multicast or reserved address";
    return `Inside address: ${t} is ${what}; give the inside host's own address.`;
  }
  return null;
}

/** The canonical inside address, or the reason it is refused. */
export function parseInsideAddress(text: string): { ok: true; address: string } | { ok: false; reason: string } {
  const problem = insideAddressProblem(text);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, address: formatIpBytes(parseIp(text.trim())!.bytes) };
}

/**
 * One forward. An empty inside port is the public port. Without DNAT the
 * client addresses the inside host itself, so the inside port is the port
 * (giving another one is an error, not silently ignored).
 */
export const ForwardInputSchema = z
  .object({
    name: ForwardNameSchema,
    comment: z.string({ error: "Comment must be text." }).trim().max(200, { error: "Comment must be at most 200 characters long." }).default(""),
    protocol: z.enum(["tcp", "udp"], { error: "Protocol must be tcp or udp." }),
    port: intIn(1, 65535, PORT_MESSAGE),
    toAddress: z.string({ error: "Inside address is required." }).transform((s, ctx) => {
      const r = parseInsideAddress(s);
      if (r.ok) return r.address;
      ctx.addIssue({ code: "custom", message: r.reason });
      return z.NEVER;
    }),
    toPort: optional(intIn(1, 65535, TO_PORT_MESSAGE)),
    /** Form checkboxes: absent means off. */
    dnat: z.preprocess((v) => v ?? false, bool("DNAT must be on or off.")),
    enabled: z.preprocess((v) => v ?? false, bool("Enabled must be on or off.")),
  })
  .transform((f, ctx) => {
    const toPort = f.toPort ?? f.port;
    if (!f.dnat && toPort !== f.port) {
      ctx.addIssue({
        code: "custom",
        path: ["toPort"],
        message: `Without DNAT clients connect to the inside host's port ${f.port} themselves: leave the inside port empty or make it ${f.port}.`,
      });
      return z.NEVER;
    }
    return { ...f, toPort };
  });

export type ForwardInput = z.infer<typeof ForwardInputSchema>;
