// TEMPORARY: stand-ins with the exact TEAM.md signatures of core/door-text.ts
// (being written by the "config" helper). Replaced by the @sesame/core imports
// as soon as that module lands.
import type { Door, Step } from "@sesame/core";

export function knockCommandFor(door: Door, host: string): string {
  const args = door.sequence.map((s) => (s.protocol === "udp" ? `${s.port}:udp` : String(s.port)));
  return ["knock", host, ...args].join(" ");
}

export function weakSequenceWarnings(door: Door, ctx: { otherDoors: Door[]; listeningPorts?: Step[] }): string[] {
  const out: string[] = [];
  if (door.sequence.length < 3) out.push("Short sequence: use at least 3 knocks.");
  const key = (s: Step[]) => s.map((x) => `${x.port}/${x.protocol}`).join(",");
  for (const o of ctx.otherDoors) if (o.name !== door.name && key(o.sequence) === key(door.sequence)) out.push(`Same sequence as door ${o.name}.`);
  return out;
}
