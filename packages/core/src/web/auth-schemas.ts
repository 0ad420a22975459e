import { z } from "zod";

export const LoginSchema = z.object({
  password: z
    .string({ error: "Password is required." })
    .min(1, { error: "Password is required." })
    .max(200, { error: "Password must be at most 200 characters long." }),
});
export type LoginInput = z.infer<typeof LoginSchema>;

export const ChangePasswordSchema = z
  .object({
    current: z
      .string({ error: "Current password is required." })
      .min(1, { error: "Current password is required." })
      .max(200, { error: "Current password must be at most 200 characters long." }),
    next: z
      .string({ error: "New password is required." })
      .min(12, { error: "New password must be at least 12 characters long." })
      .max(200, { error: "New password must be at most 200 characters long." }),
    confirm: z.string({ error: "Please repeat the new password." }),
  })
  .superRefine((v, ctx) => {
    if (v.confirm !== v.next) {
      ctx.addIssue({ code: "custom", message: "The confirmation does not match the new password.", path: ["confirm"] });
    }
    if (v.next === v.current) {
      ctx.addIssue({ code: "custom", message: "New password must differ from the current password.", path: ["next"] });
    }
  });
export type ChangePasswordInput = z.infer<typeof ChangePasswordSchema>;
