import { ChangePasswordSchema } from "@sesame/core";
import { z } from "zod";

/** First-time setup (one-time link): the new-password rules of core's ChangePasswordSchema, without a current one. */
export const SetupSchema = z
  .object({
    next: ChangePasswordSchema.shape.next,
    confirm: ChangePasswordSchema.shape.confirm,
  })
  .refine((v) => v.next === v.confirm, { path: ["confirm"], message: "The confirmation does not match the new password." });
