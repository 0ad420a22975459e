/**
 * The SPA decision alone, in-process (information, not a target): CPU per
 * datagram for junk (what a flood on the SPA port costs: base64 of the
 * right size that no credential authenticates) and for a valid packet,
 * with 1, 10 and 100 users, and the replay cache's lookup at 1M digests.
 * `npx tsx bench/spa-decide.ts`
 */
import { randomBytes } from "node:crypto";
import { decideSpa, decodeB64, encodeSpaPacket, generateSpaKeys, spaReplayKey, type SpaUser } from "@sesame/core/spa";

function users(n: number): SpaUser[] {
  return Array.from({ length: n }, (_, i) => {
    const k = generateSpaKeys();
    return {
      id: i + 1, name: `u${i}`, enabled: true, expiresAt: null, sources: [], ports: [{ port: 22, protocol: "tcp" as const }], maxGrantSec: 300, grantSec: 30,
      credentials: [{ id: i + 1, keys: { key: decodeB64(k.keyBase64)!, hmacKey: decodeB64(k.hmacKeyBase64)!, hmacDigest: "sha256" as const }, legacyNoHmac: false, expiresAt: null, revokedAt: null }],
    };
  });
}

function perCall(fn: (i: number) => void, n: number): number {
  for (let i = 0; i < Math.min(1000, n); i++) fn(i);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t) / n / 1000;
}

const now = Date.now();
for (const n of [1, 10, 100]) {
  const us = users(n);
  const junk = Array.from({ length: 512 }, () => randomBytes(170).toString("base64").replace(/=+$/, ""));
  const last = us[n - 1]!;
  const valid = Array.from({ length: 512 }, () => encodeSpaPacket({ username: "u", timestamp: Math.floor(now / 1000), message: "10.0.0.2,tcp/22" }, last.credentials[0]!.keys));
  const j = perCall((i) => decideSpa(us, { packet: junk[i % 512]!, src: "10.0.0.2", now, isSeen: () => false }), 20_000);
  const v = perCall((i) => decideSpa(us, { packet: valid[i % 512]!, src: "10.0.0.2", now, isSeen: () => false }), 5_000);
  console.log(`${String(n).padStart(3)} users: junk ${j.toFixed(1)} µs/datagram, valid (last user's key) ${v.toFixed(1)} µs/datagram`);
}
const cache = new Map<string, number>();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < 1_000_000; i++) cache.set(spaReplayKey(String(i)), now + 120_000);
const mb = (process.memoryUsage().heapUsed - before) / 1e6;
const keys = [...cache.keys()];
const look = perCall((i) => cache.has(keys[(i * 7919) % keys.length]!), 1_000_000);
console.log(`replay cache at 1M digests: ${mb.toFixed(0)} MB heap, lookup ${(look * 1000).toFixed(0)} ns`);
