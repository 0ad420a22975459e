/* global process, console, setTimeout */
// Launcher for the built admin UI: `next start` plus one thing it cannot do —
// tell the app the real TCP peer address. Next copies a client-supplied
// X-Forwarded-For as is, so throttling logins by that header alone would let
// anyone dodge the lock by sending a made-up address. Here the socket address
// always wins (x-sesame-peer), and forwarded headers from the client are only
// kept when SESAME_TRUST_PROXY=1 (a reverse proxy in front sets them).
import { createServer } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";

const dir = dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || "0.0.0.0";
const trustProxy = ["1", "true", "yes"].includes(String(process.env.SESAME_TRUST_PROXY ?? "").toLowerCase());
const FORWARDED = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "x-real-ip"];

// Tells the app (same process) that x-sesame-peer comes from us, not from a client.
process.env.SESAME_LAUNCHER = "1";
const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  if (!trustProxy) for (const h of FORWARDED) delete req.headers[h];
  req.headers["x-sesame-peer"] = req.socket.remoteAddress ?? "";
  handle(req, res).catch((err) => {
    console.error("sesame: request failed:", err);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(port, hostname, () => {
  console.log(`sesame: admin UI listening on http://${hostname}:${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    // Open SSE streams keep connections alive; don't wait on them forever.
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
