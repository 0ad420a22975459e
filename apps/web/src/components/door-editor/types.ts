import type { Protocol, TcpFlag } from "@sesame/core";

export type FlagChoice = "" | "set" | "clear";

export interface StepDraft {
  key: number;
  port: string;
  protocol: Protocol;
}

/** Everything the editor holds, as strings where the user types. */
export interface DoorDraft {
  id: number | null;
  name: string;
  steps: StepDraft[];
  seqTimeoutSec: string;
  flags: Record<TcpFlag, FlagChoice>;
  target: string;
  actionKind: "open" | "close" | "ban";
  openPorts: StepDraft[];
  durationSec: string;
  banDurationSec: string;
  closeDoorName: string;
  cooldownSec: string;
  tolerateDuplicates: boolean;
  enabled: boolean;
  /** The admin ticked "protect anyway" (lock-out check). */
  confirmLockout: boolean;
}

export const TCP_FLAG_NAMES: TcpFlag[] = ["syn", "ack", "fin", "rst", "psh", "urg"];
