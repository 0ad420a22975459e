import { describe, expect, it } from "vitest";
import { parseFwknopdConf, spaPortOfFilter } from "./fwknopd-conf";

describe("parseFwknopdConf", () => {
  it("defaults: udp port 62201, aging on at 120 s, digests kept", () => {
    expect(parseFwknopdConf("# all commented\n")).toEqual({
      ok: true, warnings: [],
      config: { pcapFilter: "udp port 62201", spaPort: 62201, enableSpaPacketAging: true, maxSpaPacketAge: 120, enableDigestPersistence: true, verbose: 0 },
    });
  });

  it("reads what the drop-in uses", () => {
    const r = parseFwknopdConf(`PCAP_INTF  eth1;\nPCAP_FILTER udp dst port 40000\nMAX_SPA_PACKET_AGE 60\nENABLE_SPA_PACKET_AGING N\nENABLE_DIGEST_PERSISTENCE n\nDIGEST_FILE /tmp/d.cache\nFW_ACCESS_TIMEOUT 90\nFWKNOP_PID_FILE /run/f.pid\n`);
    expect(r).toMatchObject({ ok: true, warnings: [], config: { pcapIntf: "eth1", pcapFilter: "udp dst port 40000", spaPort: 40000, maxSpaPacketAge: 60, enableSpaPacketAging: false, enableDigestPersistence: false, digestFile: "/tmp/d.cache", fwAccessTimeout: 90, pidFile: "/run/f.pid" } });
  });

  it.each([
    ["ENABLE_SPA_OVER_HTTP Y", /ENABLE_SPA_OVER_HTTP is not supported: SPA over HTTP/],
    ["ENABLE_TCP_SERVER Y", /SPA over TCP/],
    ["EXTERNAL_CMD_OPEN /bin/true", /Sesame runs no command/],
    ["IPT_INPUT_ACCESS ACCEPT, filter, INPUT, 1, FWKNOP_INPUT, 1;", /IPT_INPUT_ACCESS is not used: Sesame enforces with its own nftables table/],
    ["FIREWALL_EXE /sbin/iptables", /is not used/],
    ["SYSLOG_IDENTITY fwknopd", /is not used/],
    ["MYSTERY 1", /Ignoring unknown configuration parameter: 'MYSTERY'/],
    ["PCAP_INTF", /invalid entry .*; ignored/],
    ["   ", /invalid entry .*; ignored/],
  ])("%s", (line, message) => {
    const r = parseFwknopdConf(`${line}\n`);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ line: 1, message: expect.stringMatching(message) }]);
  });

  it.each([
    ["a filter Sesame cannot follow", "\nPCAP_FILTER udp port 62201 or tcp port 80\n", 2, /PCAP_FILTER .* is not supported/],
    ["a bad packet age", "MAX_SPA_PACKET_AGE forever\n", 1, /not a number of seconds/],
  ])("error: %s", (_n, text, line, message) => {
    const r = parseFwknopdConf(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toEqual({ line, message: expect.stringMatching(message) });
  });

  it.each([
    ["udp port 62201", 62201], ["udp dst port 1", 1], [" UDP PORT 65535 ", 65535], ["udp port 0", null], ["tcp port 22", null], ["udp port 1 or udp port 2", null],
  ] as const)("spaPortOfFilter(%j) = %j", (f, p) => {
    expect(spaPortOfFilter(f)).toBe(p);
  });
});
