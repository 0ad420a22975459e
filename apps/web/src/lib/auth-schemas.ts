import { z } from "zod";

/** First-time setup (one-time link): same password rules as core's ChangePasswordSchema. */
export const SetupSchema = z
  .object({
    next: z
      .string({ error: "New password is required." })
      .min(12, { error: "New password must be at least 12 characters long." })
      .max(200, { error: "New password must be at most 200 characters long." }),
    confirm: z.string({ error: "Please repeat the new password." }),
  })
  .refine((v) => v.next === v.confirm, { path: ["confirm"], message: "The confirmation does not match the new password." });
