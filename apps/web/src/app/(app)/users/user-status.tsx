/** A user's state as a badge: disabled, expired or active. */
export function UserStatus({ enabled, expiresAt, now }: { enabled: boolean; expiresAt: number | null; now: number }) {
  if (!enabled) return <span className="badge">disabled</span>;
  if (expiresAt !== null && expiresAt <= now) return <span className="badge warn">expired</span>;
  return <span className="badge ok">active</span>;
}
