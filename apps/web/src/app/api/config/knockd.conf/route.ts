import { doorRowToDoor, doorsToKnockdConf } from "@sesame/core";
import { parseCommandPreview } from "@/lib/command-preview";
import { sessionRoute } from "@/server/api-route";
import { getDb } from "@/server/db";
import { findDoors } from "@/server/queries/doors";
import { readSetting } from "@/server/settings";


export const dynamic = "force-dynamic";

/** Download the current configuration as a knockd.conf. */
export const GET = sessionRoute({}, () => {
  const db = getDb();
  const rows = findDoors(db);
  const doors = rows.map((r) => {
    const d = doorRowToDoor(r, { commandFor: () => parseCommandPreview(r.commandPreview) });
    // doorRowToDoor disables command doors it has no commands for; keep the stored state.
    return { ...d, enabled: r.enabled };
  });
  const interfaces = readSetting(db, "interfaces");
  const header = [
    "# knockd.conf exported by Sesame",
    `# ${new Date().toISOString()}, configuration version ${readSetting(db, "configVersion")}`,
    "# Sesame-only features (kernel timeouts, trusted networks, cooldown) are noted in comments.",
    "",
  ].join("\n");
  const body = doorsToKnockdConf(doors, { useSyslog: true, ...(interfaces.length === 1 ? { interface: interfaces[0] } : {}) });
  return new Response(`${header}\n${body}`, {
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Disposition": 'attachment; filename="knockd.conf"',
      "Cache-Control": "no-store",
    },
  });
});
