import type { Door, Step } from "@sesame/core";

/** "tcp/22, udp/53" for logs and event details. */
export function formatPorts(ports: Step[]): string {
  return ports.map((p) => `${p.protocol}/${p.port}`).join(", ");
}

/** Union of port lists, no duplicates, stable order. */
export function unionPorts(lists: Step[][]): Step[] {
  const seen = new Set<string>();
  const out: Step[] = [];
  for (const list of lists) {
    for (const p of list) {
      const k = `${p.protocol}/${p.port}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ port: p.port, protocol: p.protocol });
    }
  }
  return out;
}

/** The ports the firewall keeps closed: those the enabled open doors open, and `extra` (the SPA users' ports). */
export function protectedPortsOf(doors: Door[], extra: Step[] = []): Step[] {
  const lists: Step[][] = [];
  for (const d of doors) if (d.enabled && d.action.kind === "open") lists.push(d.action.ports);
  lists.push(extra);
  return unionPorts(lists);
}
