import { ApiDoorPatchSchema, DoorInputSchema, doorInputToRow, isTogglePatch, patchedDoorCandidate, toApiDoor } from "@sesame/core";
import { apiError, describeIssues } from "@/server/api-route";
import { COMMAND_DOOR_EDIT_REFUSAL, isCommandDoor } from "@/server/command-doors";
import { applyChange } from "@/server/config-write";
import { getDb } from "@/server/db";
import { ApiRefusal, doorIdFrom, doorWriteRefusal, ONE_TIME_DOOR_REFUSAL } from "@/server/door-api";
import { deleteDoor, DOOR_SWITCH, saveDoor } from "@/server/door-write";
import { getLiveHub } from "@/server/live-hub";
import { guardLockout } from "@/server/lockout";
import { findDoor } from "@/server/queries/doors";
import { switchEnabled } from "@/server/toggle-enabled";
import { tokenRoute } from "@/server/token-route";

export const dynamic = "force-dynamic";

const BAD_ID = "The id must be a positive whole number.";
const missing = (id: number) => apiError("not_found", `No door with id ${id}.`, 404);

/** One door: scope read or doors. */
export const GET = tokenRoute({ scopes: ["read", "doors"] }, ({ params }) => {
  const id = doorIdFrom(params);
  if (id === null) return apiError("invalid_path", BAD_ID, 400);
  const door = findDoor(getDb(), id);
  return door ? Response.json({ door: toApiDoor(door) }, { headers: { "Cache-Control": "no-store" } }) : missing(id);
});

/**
 * Change a door: scope doors. `{ "enabled": … }` alone is the list's switch
 * (audited enable/disable; any door). Other fields are laid over the door's
 * current ones and checked with the editor's schema (audited update; UI
 * doors only). Both run the lock-out check on the caller's address.
 */
export const PATCH = tokenRoute({ scopes: ["doors"], body: ApiDoorPatchSchema }, ({ params, body, actor, address }) => {
  const id = doorIdFrom(params);
  if (id === null) return apiError("invalid_path", BAD_ID, 400);
  const db = getDb();
  const now = Date.now();
  try {
    // The door is read, checked and merged inside the write's transaction: a worker re-importing
    // knockd.conf meanwhile cannot slip a change in between.
    applyChange(db, actor, { bumpConfig: true }, (ctx) => {
      const old = findDoor(ctx.tx, id);
      if (!old) throw new ApiRefusal(missing(id));
      if (isTogglePatch(body)) {
        const enabled = DoorInputSchema.shape.enabled.safeParse(body.fields.enabled);
        if (!enabled.success) throw new ApiRefusal(apiError("invalid_body", describeIssues(enabled.error.issues), 400));
        return switchEnabled(ctx, DOOR_SWITCH, id, enabled.data, { address, confirmed: body.confirmLockout }, now);
      }
      if (isCommandDoor(old)) throw new ApiRefusal(apiError("conflict", COMMAND_DOOR_EDIT_REFUSAL, 409));
      if (old.oneTimeSequences) throw new ApiRefusal(apiError("conflict", ONE_TIME_DOOR_REFUSAL, 409));
      const input = DoorInputSchema.safeParse(patchedDoorCandidate(old, body));
      if (!input.success) throw new ApiRefusal(apiError("invalid_body", describeIssues(input.error.issues), 400));
      const row = doorInputToRow(input.data);
      return guardLockout(ctx.tx, address, now, body.confirmLockout, () => saveDoor(ctx, id, row, now));
    });
  } catch (err) {
    return doorWriteRefusal(err);
  }
  getLiveHub().refreshState();
  const door = findDoor(db, id);
  return door ? Response.json({ door: toApiDoor(door) }) : missing(id);
});

/** Delete a door (command and one-time doors too, as in the UI): scope doors. */
export const DELETE = tokenRoute({ scopes: ["doors"] }, ({ params, actor }) => {
  const id = doorIdFrom(params);
  if (id === null) return apiError("invalid_path", BAD_ID, 400);
  const db = getDb();
  if (!findDoor(db, id)) return missing(id);
  const old = applyChange(db, actor, { bumpConfig: true }, (ctx) => deleteDoor(ctx, id)).result;
  if (!old) return missing(id);
  getLiveHub().refreshState();
  return new Response(null, { status: 204 });
});
