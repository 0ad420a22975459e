import type { DoorAction } from "@sesame/core";

type CommandAction = Extract<DoorAction, { kind: "command" }>;

/**
 * Read back the display copy of an imported door's commands (the
 * `start_command = …` lines core's doorToRow writes), to export the
 * configuration as knockd.conf again. Never used to run anything.
 */
export function parseCommandPreview(preview: string | null): CommandAction | undefined {
  if (!preview) return undefined;
  const action: CommandAction = { kind: "command", start: "", cmdTimeoutSec: 10 };
  for (const line of preview.split("\n")) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (key === "start_command") action.start = value;
    else if (key === "start_command_6") action.start6 = value;
    else if (key === "stop_command") action.stop = value;
    else if (key === "stop_command_6") action.stop6 = value;
    else if (key === "cmd_timeout" && /^\d+$/.test(value)) action.cmdTimeoutSec = Number(value);
  }
  return action;
}
