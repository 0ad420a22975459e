/** "Saved X" flash after a redirect (?saved=name). */
export function SavedNotice({ saved }: { saved?: string }) {
  if (!saved) return null;
  return (
    <p className="notice ok" role="status" style={{ marginBottom: "1rem" }}>
      Saved <strong>{saved}</strong>. The worker applies the change within a second; the status at the top turns to “Config applied”.
    </p>
  );
}

/** "Done: X." flash after a redirect (?saved=what was done), for actions that are not a save. */
export function DoneNotice({ saved }: { saved?: string }) {
  if (!saved) return null;
  return (
    <p className="notice ok" role="status">
      Done: {saved}.
    </p>
  );
}
