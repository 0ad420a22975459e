"use client";

import { useEffect, useState } from "react";
import { subscribeLive } from "@/components/live-stream";
import type { WorkerHealth } from "@/lib/live-types";

const LABELS: Record<WorkerHealth["state"], { text: string; tone: string; title: string }> = {
  applied: { text: "Config applied", tone: "ok", title: "The worker runs the current configuration." },
  pending: { text: "Applying…", tone: "warn", title: "The worker has not applied the latest change yet." },
  "worker-offline": { text: "Worker offline", tone: "danger", title: "No heartbeat from the worker: changes are not applied." },
  "never-started": { text: "Worker not started", tone: "danger", title: "The worker has never run against this database." },
};

/**
 * Header pill: is the latest config change live in the firewall? Follows the
 * live stream's state (pushed as soon as a save bumps the version or the
 * worker's heartbeat reports it applied). `initial` is re-rendered by every
 * save (revalidatePath), so "Applying…" shows at once; whichever reading the
 * server took last (`at`, server clock) wins.
 */
export function ConfigStatus({ initial, at }: { initial: WorkerHealth; at: number }) {
  const [latest, setLatest] = useState({ health: initial, at });
  const offer = (health: WorkerHealth, readAt: number) => setLatest((old) => (readAt >= old.at ? { health, at: readAt } : old));
  useEffect(() => offer(initial, at), [initial, at]);
  useEffect(() => subscribeLive({ state: (s) => offer(s.health, s.now) }), []);
  const { health } = latest;
  const l = LABELS[health.state];
  const error = health.lastError ? ` Last error: ${health.lastError}` : "";
  return (
    <span className={`badge ${health.lastError && health.state !== "applied" ? "danger" : l.tone}`} title={l.title + error} role="status" data-testid="config-status">
      <span className="dot" aria-hidden="true" />
      {l.text}
      <span className="sr-only">
        {" "}
        (config version {health.configVersion}
        {health.appliedConfigVersion !== null ? `, applied ${health.appliedConfigVersion}` : ""})
      </span>
    </span>
  );
}
