import type { Step } from "@sesame/core";

/** Shapes the server sends to the dashboard (server components and the SSE stream). */

export type ConfigState = "applied" | "pending" | "worker-offline" | "never-started";

export interface WorkerHealth {
  state: ConfigState;
  configVersion: number;
  appliedConfigVersion: number | null;
  heartbeatAgeMs: number | null;
  pid: number | null;
  startedAt: number | null;
  interfaces: string[];
  backend: string | null;
  lastError: string | null;
  lastErrorAt: number | null;
  stats: Record<string, number> | null;
}

export interface GrantView {
  id: number;
  ip: string;
  doorName: string;
  ports: Step[];
  openedAt: number;
  expiresAt: number;
  /** The worker has put this grant (and its current expiry) into the kernel. */
  applied: boolean;
}

export interface BanView {
  id: number;
  ip: string;
  doorName: string;
  createdAt: number;
  expiresAt: number;
  applied: boolean;
}

export interface EventView {
  id: number;
  ts: number;
  ip: string | null;
  doorName: string | null;
  kind: string;
  stage: number | null;
  detail: string | null;
}

export interface LiveState {
  now: number;
  health: WorkerHealth;
  grants: GrantView[];
  bans: BanView[];
}

