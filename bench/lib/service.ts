import type { ChildProcess } from "node:child_process";
import { spawnIn } from "@sesame/testkit";

// Like testkit's startTcpService, but a peer that resets the connection
// (the prober closes its sockets at once) must not kill the service: the
// testkit listener has no 'error' handler and dies on the first ECONNRESET.
const LISTENER = `
const net = require("node:net");
const port = Number(process.argv[1]);
const srv = net.createServer((c) => { c.on("error", () => {}); c.end(); });
srv.on("error", (e) => { console.error(String(e)); process.exit(1); });
srv.listen({ port, host: "::", ipv6Only: false, backlog: 4096 }, () => process.stdout.write("listening\\n"));
setInterval(() => {}, 1 << 30);
`;

/** The protected TCP service in the server namespace; stop it with stopProcess(). */
export async function startProtectedService(ns: string, port: number): Promise<ChildProcess> {
  const child = spawnIn(ns, ["node", "-e", LISTENER, String(port)]);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("protected service did not start")), 10_000);
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("listening")) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once("exit", (c) => {
      clearTimeout(t);
      reject(new Error(`protected service exited ${c}`));
    });
  });
  return child;
}
