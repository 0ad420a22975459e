"use client";

import { useEffect, useState } from "react";
import type { WorkerHealth } from "@/lib/live-types";

const LABELS: Record<WorkerHealth["state"], { text: string; tone: string; title: string }> = {
  applied: { text: "Config applied", tone: "ok", title: "The worker runs the current configuration." },
  pending: { text: "Applying…", tone: "warn", title: "The worker has not applied the latest change yet." },
  "worker-offline": { text: "Worker offline", tone: "danger", title: "No heartbeat from the worker: changes are not applied." },
  "never-started": { text: "Worker not started", tone: "danger", title: "The worker has never run against this database." },
};

/** Header pill: is the latest config change live in the firewall? Polls /api/status. */
export function ConfigStatus({ initial }: { initial: WorkerHealth }) {
  const [health, setHealth] = useState(initial);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const res = await fetch("/api/status", { cache: "no-store" });
        if (res.status === 401) {
          window.location.assign("/login");
          return;
        }
        if (res.ok && !stopped) setHealth((await res.json()) as WorkerHealth);
      } catch {
        // offline for a moment; try again on the next tick
      }
    };
    const t = setInterval(poll, 2000);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, []);
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
