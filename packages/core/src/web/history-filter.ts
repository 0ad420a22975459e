import { z } from "zod";
import { parseCidr } from "../net/cidr";
import { normalizeIp } from "../net/ip";
import { EVENT_KINDS } from "../types";
import { intIn, optional, timeSchema } from "./form-fields";

/** The history page's and the CSV export's filter (search params). */
export const HistoryFilterSchema = z
  .object({
    ip: optional(
      z
        .string({ error: "IP filter must be an address or a network such as 10.0.0.0/24." })
        .trim()
        .transform((s, ctx) => {
          if (!s.includes("/")) {
            const ip = normalizeIp(s);
            if (ip) return ip;
          } else {
            const r = parseCidr(s);
            if (r.ok) return r.cidr.text;
          }
          ctx.addIssue({ code: "custom", message: "IP filter must be an address or a network such as 10.0.0.0/24." });
          return z.NEVER;
        }),
    ),
    door: optional(
      z.string({ error: "Door filter must be a door name." }).trim().max(64, { error: "Door filter must be at most 64 characters long." }),
    ),
    user: optional(
      z.string({ error: "User filter must be a user name." }).trim().max(64, { error: "User filter must be at most 64 characters long." }),
    ),
    kind: optional(z.enum(EVENT_KINDS, { error: `Event kind must be one of: ${EVENT_KINDS.join(", ")}.` })),
    from: optional(timeSchema("'From' must be a date.")),
    to: optional(timeSchema("'To' must be a date.")),
    page: intIn(1, 1_000_000, "Page must be a whole number of at least 1.").default(1),
    pageSize: intIn(10, 500, "Page size must be a whole number from 10 to 500.").default(50),
  })
  .superRefine((f, ctx) => {
    if (f.from !== undefined && f.to !== undefined && f.from > f.to) {
      ctx.addIssue({ code: "custom", message: "'From' must not be later than 'To'.", path: ["to"] });
    }
  });
export type HistoryFilter = z.infer<typeof HistoryFilterSchema>;
