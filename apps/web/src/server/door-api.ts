import "server-only";
import { apiError } from "./api-route";
import { FieldError } from "./field-error";
import { LockoutRiskError } from "./lockout";

/**
 * What /api/v1/doors answers when a door write is refused inside its
 * transaction (nothing saved): the editor's field errors and its lock-out
 * warning, as `{ error: { code, message } }`.
 */
export function doorWriteRefusal(err: unknown): Response {
  if (err instanceof ApiRefusal) return err.response;
  if (err instanceof LockoutRiskError) {
    const ports = err.ports.join(", ");
    return apiError(
      "lockout_risk",
      `Your address ${err.adminIp} is not in any trusted network and this change protects ${ports}: if you reach this appliance through ` +
        `${err.ports.length === 1 ? "that port" : "those ports"}, you will be locked out. Trust your address first, or send "confirmLockout": true.`,
      409,
    );
  }
  if (err instanceof FieldError) {
    // A duplicate name, or the door changed under us (deleted, or a command door): the request may be fine, the state is not.
    if (err.field === "name" || err.field === "_form") return apiError("conflict", err.message, 409);
    return apiError("invalid_body", `${err.field}: ${err.message}`, 400);
  }
  throw err;
}

/** A refusal decided inside the write's transaction (which it rolls back), with its answer. */
export class ApiRefusal extends Error {
  constructor(readonly response: Response) {
    super("refused");
  }
}

/** The door id of a /api/v1/doors/{id} path, or null. */
export function doorIdFrom(params: Record<string, string>): number | null {
  const id = /^\d{1,12}$/.test(params.id ?? "") ? Number(params.id) : 0;
  return id > 0 ? id : null;
}

export const ONE_TIME_DOOR_REFUSAL =
  "This door uses one-time sequences (imported with their files): a token can only enable, disable or delete it. Change it in the UI or re-import it.";
