/**
 * One event as a syslog line of key=value fields, for log pipelines and
 * Fail2Ban-style tools: `event=open door=ssh ip=10.0.0.5 ports=tcp/22
 * duration=300`. Keys in a fixed order; a value with spaces, quotes, `=` or
 * control characters is double-quoted with `\\` and `"` escaped and control
 * characters dropped, so one event is always one parseable line.
 */

export interface SyslogEvent {
  kind: string;
  ip?: string | null;
  doorName?: string | null;
  userName?: string | null;
  stage?: number | null;
  /** The events table's detail: JSON (`{ports, durationSec}`) for opens, closes and bans, else text. */
  detail?: string | null;
}

function quote(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "");
  return clean !== "" && /^[^\s"=\\]+$/.test(clean) ? clean : `"${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

interface PortLike {
  port?: unknown;
  protocol?: unknown;
}

/** `{ports, durationSec}` from an open/close/ban detail, or the detail text itself. */
function readDetail(detail: string | null | undefined): { ports?: string; duration?: number; text?: string } {
  if (!detail) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return { text: detail };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { text: detail };
  const d = parsed as { ports?: unknown; durationSec?: unknown };
  const out: { ports?: string; duration?: number } = {};
  if (Array.isArray(d.ports)) {
    const ports = (d.ports as PortLike[]).filter((p) => typeof p?.port === "number" && typeof p.protocol === "string").map((p) => `${String(p.protocol)}/${String(p.port)}`);
    if (ports.length > 0) out.ports = ports.join(",");
  }
  if (typeof d.durationSec === "number" && Number.isFinite(d.durationSec)) out.duration = d.durationSec;
  return out;
}

export function formatSyslogEvent(e: SyslogEvent): string {
  const fields: [string, string | number | null | undefined][] = [
    ["event", e.kind],
    ["door", e.doorName],
    ["user", e.userName],
    ["ip", e.ip],
    ["stage", e.stage],
  ];
  const d = readDetail(e.detail);
  fields.push(["ports", d.ports], ["duration", d.duration], ["detail", d.text]);
  return fields
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${typeof v === "number" ? String(v) : quote(v!)}`)
    .join(" ");
}
