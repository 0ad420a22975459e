import type { Step } from "@sesame/core";

/** Shapes the server sends to the dashboard (server components and the SSE stream). */

/**
 * How long after a grant's or ban's expiresAt the kernel may still hold it.
 * The worker computes expiresAt as decision time + duration, but the kernel's
 * timeout (the same duration) starts only when the firewall call lands, after
 * the worker's firewall queue (nftables: ms-exact from then on); iptables'
 * ipset and the command backend count whole seconds, rounded up, on a
 * restore. So the UI keeps an expired row, as "expiring…", until this much
 * later: it never says "nobody is banned" while the kernel still refuses.
 */
export const KERNEL_EXPIRY_SLACK_MS = 1000;

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
  /** Who opened it (rotating sequence or SPA); null for a door knock. */
  userName: string | null;
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
  userName?: string | null;
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

