import "server-only";
import { asc, trustedNetworks, type SesameDb } from "@sesame/db";

/** Every trusted network, expired ones included (the page shows their state), by address. */
export function findTrustedNetworks(db: SesameDb) {
  return db.select().from(trustedNetworks).orderBy(asc(trustedNetworks.cidr)).all();
}
