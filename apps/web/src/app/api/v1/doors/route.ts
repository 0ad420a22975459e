import { ApiDoorCreateSchema, doorInputToRow, toApiDoor } from "@sesame/core";
import { applyChange } from "@/server/config-write";
import { getDb } from "@/server/db";
import { doorWriteRefusal } from "@/server/door-api";
import { saveDoor } from "@/server/door-write";
import { getLiveHub } from "@/server/live-hub";
import { guardLockout } from "@/server/lockout";
import { findDoors } from "@/server/queries/doors";
import { tokenRoute } from "@/server/token-route";

export const dynamic = "force-dynamic";

/** Every door (knock sequences and decoys), without one-time sequences: scope read or doors. */
export const GET = tokenRoute({ scopes: ["read", "doors"] }, () =>
  Response.json({ doors: findDoors(getDb()).map(toApiDoor) }, { headers: { "Cache-Control": "no-store" } }),
);

/**
 * Create a door as the sequence editor does (its schema, its unique name and
 * close-target checks, its lock-out check on the caller's address): scope
 * doors. Audited, and applied by the worker within a second.
 */
export const POST = tokenRoute({ scopes: ["doors"], body: ApiDoorCreateSchema }, ({ body, actor, address }) => {
  const { confirmLockout, ...input } = body;
  const row = doorInputToRow(input);
  const now = Date.now();
  let door;
  try {
    door = applyChange(getDb(), actor, { bumpConfig: true }, (ctx) => guardLockout(ctx.tx, address, now, confirmLockout, () => saveDoor(ctx, null, row, now))).result;
  } catch (err) {
    return doorWriteRefusal(err);
  }
  getLiveHub().refreshState();
  return Response.json({ door: toApiDoor(door) }, { status: 201 });
});
