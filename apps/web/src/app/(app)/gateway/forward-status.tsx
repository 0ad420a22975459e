import type { WorkerHealth } from "@/server/queries/worker-status";

/** 1 on, 0 off, -1 or absent unknown: what the worker read from /proc/sys/net. */
function state(v: number | undefined): "on" | "off" | "unknown" {
  return v === 1 ? "on" : v === 0 ? "off" : "unknown";
}

/**
 * Whether the host forwards at all, from the worker's heartbeat (it reads
 * the sysctls; it never changes them), and what keeps the forwards from
 * working: forwarding off for a family a forward needs, a backend without
 * gateway mode, or no worker.
 */
export function ForwardStatus({ health, enabledCount, families }: { health: WorkerHealth; enabledCount: number; families: Set<4 | 6 | null> }) {
  const running = health.state === "applied" || health.state === "pending";
  const v4 = state(health.stats?.ipForward);
  const v6 = state(health.stats?.ipForward6);
  const off = running ? ([families.has(4) && v4 !== "on" ? "IPv4" : null, families.has(6) && v6 !== "on" ? "IPv6" : null].filter(Boolean) as string[]) : [];
  const badge = (s: "on" | "off" | "unknown") => <span className={`badge ${s === "on" ? "ok" : s === "off" ? "warn" : ""}`}>{s}</span>;
  return (
    <section className="card" aria-labelledby="h-forwarding" data-testid="forwarding-state">
      <h2 id="h-forwarding">Forwarding on this host</h2>
      {running ? (
        <div className="row">
          <span>IPv4 forwarding (net.ipv4.ip_forward)</span> {badge(v4)}
          <span>IPv6 forwarding (net.ipv6.conf.all.forwarding)</span> {badge(v6)}
          {enabledCount > 0 ? (
            <span className="muted">
              the worker gates {health.stats?.forwards ?? 0} of {enabledCount} enabled forward{enabledCount === 1 ? "" : "s"}
            </span>
          ) : null}
        </div>
      ) : (
        <p className="muted">The worker is not running, so whether this host forwards is not known.</p>
      )}
      {off.length > 0 && enabledCount > 0 ? (
        <p className="notice warn" role="alert" style={{ marginTop: "0.75rem" }}>
          {off.join(" and ")} forwarding is off on this host, so the forwards to {off.join(" and ")} hosts cannot be reached. Turn it on with{" "}
          <code>{off.map((f) => (f === "IPv4" ? "sysctl -w net.ipv4.ip_forward=1" : "sysctl -w net.ipv6.conf.all.forwarding=1")).join("; ")}</code> and
          keep it in <code>/etc/sysctl.d/</code>. Sesame never changes it itself.
        </p>
      ) : null}
      {running && enabledCount > 0 && health.backend && health.backend !== "nftables" ? (
        <p className="notice warn" role="alert" style={{ marginTop: "0.75rem" }}>
          Gateway mode needs the nftables backend; the worker runs {health.backend}, so the forwards are not applied. Choose nftables in Settings.
        </p>
      ) : null}
    </section>
  );
}
