import "server-only";

type Fields = Record<string, unknown>;

function asFields(v: unknown): Fields | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Fields) : null;
}

function text(v: unknown): string {
  return typeof v === "string" || typeof v === "number" ? String(v) : "";
}

/** Keys whose value differs between before and after (for a one-line summary). */
function changedKeys(before: Fields | null, after: Fields | null): string[] {
  if (!before || !after) return [];
  return Object.keys(after).filter((k) => k !== "updatedAt" && k in before && JSON.stringify(after[k]) !== JSON.stringify(before[k]));
}

/**
 * One line for the audit table: what the entry is about in words an admin
 * recognises ("10.0.0.5, door openSSH" rather than "ban #1"), then which
 * fields changed. Reads after, then before (a delete has only before).
 */
export function summarizeAuditEntry(row: { before: unknown; after: unknown }): string {
  const before = asFields(row.before);
  const after = asFields(row.after);
  const pick = (k: string) => text(after?.[k]) || text(before?.[k]);
  const parts: string[] = [];
  const subject = pick("name") || pick("cidr") || pick("ip") || pick("address");
  if (subject) parts.push(subject);
  const door = pick("door");
  if (door) parts.push(`door ${door}`);
  const throttle = asFields(after?.throttle);
  const locked = asFields(throttle?.locked);
  if (throttle) parts.push(`failure ${text(throttle.failures)} of this client${locked ? `, locked ${text(locked.seconds)} s (${text(locked.scope)})` : ""}`);
  const keys = changedKeys(before, after).filter((k) => k !== "ip" && k !== "door");
  return [parts.join(", "), keys.length ? `(${keys.join(", ")})` : ""].filter(Boolean).join(" ");
}
