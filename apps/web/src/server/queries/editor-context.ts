import "server-only";
import { headers } from "next/headers";
import { getClientAddress } from "../client-address";
import { getDb } from "../db";
import { isAddressTrusted, readActiveTrusted } from "../lockout";
import { findDoors, toCoreDoors } from "./doors";

/** What the sequence editor needs besides the door itself. */
export async function loadEditorContext(excludeId: number | null) {
  const db = getDb();
  const rows = findDoors(db);
  const adminIp = await getClientAddress();
  const hostHeader = (await headers()).get("host") ?? "sesame.example";
  // knock wants a bare host: drop the UI port (and IPv6 brackets).
  const host = hostHeader.startsWith("[") ? hostHeader.slice(1, hostHeader.indexOf("]")) : hostHeader.replace(/:\d+$/, "");
  return {
    rows,
    otherDoors: toCoreDoors(rows.filter((r) => r.id !== excludeId)),
    host,
    adminIp,
    adminTrusted: isAddressTrusted(readActiveTrusted(db, Date.now()), adminIp),
  };
}
