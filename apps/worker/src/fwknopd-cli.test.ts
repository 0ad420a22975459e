import { describe, expect, it } from "vitest";
import { parseFwknopdCli } from "./fwknopd-cli";

describe("parseFwknopdCli: fwknopd's command line", () => {
  it("reads -f -i -c -a -d -p -v -D -t and --db", () => {
    expect(parseFwknopdCli(["-f", "-i", "eth1", "-c", "f.conf", "-a", "/etc/a.conf", "-d", "d.cache", "-p", "/run/f.pid", "-vv", "-D", "-t", "--db", "/var/lib/s.db"], {}, "/etc/fwknop")).toEqual({
      kind: "run",
      options: { interface: "eth1", configFile: "/etc/fwknop/f.conf", accessFile: "/etc/a.conf", digestFile: "/etc/fwknop/d.cache", pidFile: "/run/f.pid", verbose: 2, dumpConfig: true, test: true, dbPath: "/var/lib/s.db" },
    });
  });

  it("defaults: /etc/fwknop/fwknopd.conf, $SESAME_DB", () => {
    expect(parseFwknopdCli([], { SESAME_DB: "/x/s.db" })).toMatchObject({ kind: "run", options: { configFile: "/etc/fwknop/fwknopd.conf", dbPath: "/x/s.db", verbose: 0 } });
  });

  it.each([
    [["-K"], /-K is not supported: control the service with systemctl/],
    [["-i"], /requires an argument/],
    [["-i", "bad/name"], /invalid interface name/],
    [["--db", "rel.db"], /absolute path/],
    [["--backend", "pf"], /nftables or iptables/],
    [["--nope"], /unrecognized option '--nope'/],
  ])("%j → error", (argv, message) => {
    const r = parseFwknopdCli(argv, {});
    expect(r.kind).toBe("error");
    if (r.kind === "error") expect(r.message).toMatch(message);
  });
});
