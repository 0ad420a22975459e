/** A secret just made (a token), with the message that says it is shown this once. */
export function ShownOnce({ message, secret, testId }: { message?: string; secret: string; testId: string }) {
  return (
    <div className="notice ok" role="status">
      <p>{message}</p>
      <p>
        <code data-testid={testId} className="mono" style={{ wordBreak: "break-all" }}>
          {secret}
        </code>
      </p>
    </div>
  );
}
