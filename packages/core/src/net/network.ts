import { formatIpBytes, parseIp } from "./ip";
import { parseCidr, type ParseCidrResult } from "./cidr";

/** True for ::ffff:a.b.c.d (16 bytes: ten zeros, two 0xff). */
function isIpv4Mapped(b: Uint8Array): boolean {
  if (b.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * parseCidr for networks that reach the firewall (trusted networks): an
 * IPv4-mapped IPv6 address or prefix (::ffff:a.b.c.d, ::ffff:0:0/96) is
 * refused. The kernel's IPv6 rules never see IPv4 traffic in that form, and
 * tools that fold it back to IPv4 turn ::ffff:0:0/96 into 0.0.0.0/0, while
 * the matcher and the UI read it as IPv6: say which IPv4 network to write.
 */
export function parseNetwork(s: string): ParseCidrResult {
  const r = parseCidr(s);
  if (!r.ok || r.cidr.family !== 6) return r;
  const t = s.trim();
  const slash = t.indexOf("/");
  const given = parseIp(slash === -1 ? t : t.slice(0, slash));
  const network = parseIp(r.cidr.network);
  const mappedInput = given !== null && isIpv4Mapped(given.bytes);
  const mappedNetwork = network !== null && r.cidr.prefix >= 96 && isIpv4Mapped(network.bytes);
  if (!mappedInput && !mappedNetwork) return r;
  if (r.cidr.prefix < 96) {
    return { ok: false, reason: `${t} is written as an IPv4-mapped IPv6 address (::ffff:a.b.c.d): write an IPv4 network such as 1.2.3.0/24, or a plain IPv6 one.` };
  }
  const v4 = `${formatIpBytes(network!.bytes.subarray(12))}/${r.cidr.prefix - 96}`;
  return { ok: false, reason: `${t} is an IPv4-mapped IPv6 network (::ffff:a.b.c.d): write the IPv4 form ${v4}.` };
}
