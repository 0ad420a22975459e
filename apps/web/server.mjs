/* global process, console, setTimeout */
// Launcher for the built admin UI: Next's request handler behind our own
// server, for what `next start` cannot do:
// - HTTPS with the appliance's certificate (SESAME_TLS_CERT/SESAME_TLS_KEY),
//   HSTS on every response; plain HTTP only on loopback or with
//   SESAME_INSECURE_HTTP=1.
// - The real TCP peer address: Next copies a client-supplied X-Forwarded-For as
//   is, so throttling logins by that header alone would let anyone dodge the
//   lock. The socket address always wins (x-sesame-peer), and forwarded headers
//   from the client are only kept when SESAME_TRUST_PROXY=1 (a reverse proxy in
//   front sets them).
// It runs from the checkout (tests) and from the installed standalone copy
// (start.sh), where the build's config is read from required-server-files.json.
import { existsSync, readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || "0.0.0.0";
const isOn = (v) => ["1", "true", "yes"].includes(String(v ?? "").toLowerCase());
const trustProxy = isOn(process.env.SESAME_TRUST_PROXY);
const FORWARDED = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "x-real-ip"];
const isLoopback = /^(127\.|::1$|localhost$|::ffff:127\.)/.test(hostname);

const certPath = process.env.SESAME_TLS_CERT;
const keyPath = process.env.SESAME_TLS_KEY;
if (!!certPath !== !!keyPath) {
  console.error("sesame: set both SESAME_TLS_CERT and SESAME_TLS_KEY, or neither");
  process.exit(2);
}
const tls = certPath ? { cert: readFileSync(certPath), key: readFileSync(keyPath) } : null;
if (!tls && !isLoopback && !isOn(process.env.SESAME_INSECURE_HTTP)) {
  console.error(
    `sesame: refusing plain HTTP on ${hostname}:${port}: the admin password and session would cross the network in clear. ` +
      "Give SESAME_TLS_CERT/SESAME_TLS_KEY, listen on loopback, or set SESAME_INSECURE_HTTP=1.",
  );
  process.exit(2);
}

// Installed standalone copy: the build's config (there is no next.config.ts to load).
const standaloneConfig = join(dir, ".next", "required-server-files.json");
if (!existsSync(join(dir, "next.config.ts")) && existsSync(standaloneConfig)) {
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(JSON.parse(readFileSync(standaloneConfig, "utf8")).config);
}
// Tells the app (same process) that x-sesame-peer comes from us, not from a client.
process.env.SESAME_LAUNCHER = "1";
if (tls) process.env.SESAME_LAUNCHER_TLS = "1";
const { default: next } = await import("next");
const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const onRequest = (req, res) => {
  if (!trustProxy) for (const h of FORWARDED) delete req.headers[h];
  req.headers["x-sesame-peer"] = req.socket.remoteAddress ?? "";
  if (tls) {
    // The app decides Secure cookies and absolute URLs from the scheme.
    req.headers["x-forwarded-proto"] = "https";
    res.setHeader("Strict-Transport-Security", "max-age=31536000");
  }
  handle(req, res).catch((err) => {
    console.error("sesame: request failed:", err);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
};
const server = tls ? createHttpsServer({ ...tls, minVersion: "TLSv1.2" }, onRequest) : createHttpServer(onRequest);
server.listen(port, hostname, () => {
  console.log(`sesame: admin UI listening on ${tls ? "https" : "http"}://${hostname}:${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    // Open SSE streams keep connections alive; don't wait on them forever.
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
