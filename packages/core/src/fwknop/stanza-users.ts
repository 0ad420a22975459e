import type { SpaUser } from "../spa/decide";
import { DEFAULT_FW_ACCESS_TIMEOUT, type AccessStanza } from "./access-conf";

/**
 * access.conf stanzas as SPA users for the decision: one user and one
 * credential per stanza, named as fwknopd logs them (`stanza #N`). A stanza
 * without an HMAC key is a legacy credential (fwknopd accepts such packets).
 */
export function stanzasToSpaUsers(stanzas: readonly AccessStanza[], defaults: { fwAccessTimeout?: number } = {}): SpaUser[] {
  return stanzas.map((s, i) => ({
    id: i + 1,
    name: `stanza #${i + 1}`,
    enabled: true,
    expiresAt: s.accessExpire,
    sources: s.sources,
    ports: s.openPorts ?? "any",
    restrictPorts: s.restrictPorts,
    maxGrantSec: s.maxFwTimeout,
    grantSec: s.fwAccessTimeout ?? defaults.fwAccessTimeout ?? DEFAULT_FW_ACCESS_TIMEOUT,
    requireSourceAddress: s.requireSourceAddress,
    ...(s.requireUsername !== undefined ? { requireUsername: s.requireUsername } : {}),
    credentials: [{ id: i + 1, keys: { key: s.key, hmacKey: s.hmacKey, hmacDigest: s.hmacDigest }, legacyNoHmac: s.hmacKey === null, expiresAt: null, revokedAt: null }],
  }));
}
