import "server-only";
import { asc, doors, eq, forwards, users, type SesameDb } from "@sesame/db";

export type ForwardRow = typeof forwards.$inferSelect;

/** Every forward, enabled or not, by name. */
export function findForwards(db: SesameDb): ForwardRow[] {
  return db.select().from(forwards).orderBy(asc(forwards.name)).all();
}

export function findForward(db: SesameDb, id: number): ForwardRow | undefined {
  return db.select().from(forwards).where(eq(forwards.id, id)).get();
}

/**
 * Who can open (protocol, port): the enabled open doors and the users whose
 * grants name it (a grant covers a forward whose public port it names).
 */
export function findOpeners(db: SesameDb): (protocol: string, port: number) => string[] {
  const list: { what: string; ports: { port: number; protocol: string }[] }[] = [];
  for (const d of db.select().from(doors).all()) if (d.enabled && d.action === "open") list.push({ what: `door ${d.name}`, ports: d.openPorts ?? [] });
  for (const u of db.select({ name: users.name, ports: users.ports }).from(users).all()) list.push({ what: `user ${u.name}`, ports: Array.isArray(u.ports) ? u.ports : [] });
  return (protocol, port) => list.filter((x) => x.ports.some((p) => p.port === port && p.protocol === protocol)).map((x) => x.what);
}
