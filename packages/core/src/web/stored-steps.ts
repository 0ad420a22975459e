import { z } from "zod";
import type { Step } from "../types";

/** Stored port lists (a grant's `ports`): strict (no numeric strings, no default protocol), unlike the form schema. */
export const StoredPortsSchema = z
  .array(
    z.object({
      port: z.int({ error: "port is not a whole number" }).min(1, { error: "port is below 1" }).max(65535, { error: "port is above 65535" }),
      protocol: z.enum(["tcp", "udp"], { error: "protocol is not tcp or udp" }),
    }),
    { error: "ports is not a list" },
  )
  .min(1, { error: "ports is empty" })
  .max(64, { error: "ports lists more than 64 ports" });

/**
 * A grant's ports as stored in their JSON text column. A value that is not a
 * valid list (written by hand, or by a bug) reads as no ports, so one bad row
 * never fails a whole page, export or revoke; the worker names and skips it.
 */
export function parseStoredPorts(text: unknown): Step[] {
  try {
    const parsed = StoredPortsSchema.safeParse(JSON.parse(String(text)));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
