/** Public liveness probe for supervisors and the e2e web server: says nothing but "up". */
export function GET(): Response {
  return Response.json({ ok: true });
}
