import type { ChildProcess } from "node:child_process";
import { spawnIn } from "./netns";
import { waitForOutput } from "./output";

// A node program that listens on every port given in argv (IPv4 and IPv6) and
// hands each connection `c` to ON_CONNECTION; it prints "listening" once all
// ports are bound. A client that resets must not crash it, hence the error handler.
const LISTENER = `
const net = require("node:net");
const ports = process.argv.slice(1).map(Number);
let ready = 0;
for (const p of ports) {
  const srv = net.createServer((c) => { c.on("error", () => {}); ON_CONNECTION });
  srv.listen({ port: p, host: "::", ipv6Only: false }, () => { if (++ready === ports.length) process.stdout.write("listening\\n"); });
}
setInterval(() => {}, 1 << 30);
`;

/** Run a TCP listener on `ports` in `ns` whose connections run `onConnection` (JS, socket `c`); resolves once every port is bound. */
export async function startListener(ns: string, ports: number[], onConnection: string, what: string): Promise<ChildProcess> {
  const child = spawnIn(ns, ["node", "-e", LISTENER.replace("ON_CONNECTION", () => onConnection), ...ports.map(String)]);
  await waitForOutput(child, "stdout", "listening", what);
  return child;
}
