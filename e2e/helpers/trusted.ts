import { cidrContains } from "@sesame/core";
import { testDb } from "./db";

type TrustedRow = { id: number; cidr: string; comment: string; expires_at: number | null; created_at: number };

/**
 * Take out the trusted networks covering `ip` (the browser's 127.0.0.1), so
 * the lock-out check shows whatever earlier specs added; the returned
 * function puts them back.
 */
export function setAsideTrusted(ip = "127.0.0.1"): () => void {
  const db = testDb().$client;
  const rows = (db.prepare("SELECT * FROM trusted_networks").all() as TrustedRow[]).filter((t) => cidrContains(t.cidr, ip));
  for (const t of rows) db.prepare("DELETE FROM trusted_networks WHERE id = ?").run(t.id);
  return () => {
    for (const t of rows) {
      db.prepare("INSERT INTO trusted_networks (id, cidr, comment, expires_at, created_at) VALUES (?, ?, ?, ?, ?)").run(t.id, t.cidr, t.comment, t.expires_at, t.created_at);
    }
  };
}
