import { describe, expect, it } from "vitest";
import { parseTcpdumpPacket } from "./tcpdump";

describe("parseTcpdumpPacket", () => {
  // Real `tcpdump -v -n -tt` output; UDP 7000 is decoded as AFS rx, 53 as DNS.
  it.each([
    [
      "1795313570.992501 IP (tos 0x0, ttl 64, id 29444, offset 0, flags [DF], proto UDP (17), length 29)\n    10.145.0.2.37275 > 10.145.0.1.7000:  [|rx] (1)",
      { family: 4, src: "10.145.0.2", dst: "10.145.0.1", protocol: "udp", dport: 7000, flags: "", length: 1 },
    ],
    [
      "1795313570.993078 IP (tos 0x0, ttl 64, id 29445, offset 0, flags [DF], proto UDP (17), length 29)\n    10.145.0.2.58607 > 10.145.0.1.53: domain [length 1 < 12] (invalid)",
      { family: 4, src: "10.145.0.2", dst: "10.145.0.1", protocol: "udp", dport: 53, flags: "", length: 1 },
    ],
    [
      "1795313571.238781 IP6 (flowlabel 0x54654, hlim 64, next-header UDP (17) payload length: 9) fd00:145::2.52968 > fd00:145::1.7000: [bad udp cksum 0xfca8 -> 0x190d!]  [|rx] (1)",
      { family: 6, src: "fd00:145::2", dst: "fd00:145::1", protocol: "udp", dport: 7000, flags: "", length: 1 },
    ],
    [
      "1795313571.239482 IP6 (flowlabel 0x39db3, hlim 64, next-header TCP (6) payload length: 40) fd00:145::2.53120 > fd00:145::1.9000: Flags [S], cksum 0xfcbc (incorrect -> 0x210c), seq 3361772470, win 64800, options [mss 1440,sackOK,TS val 3468890066 ecr 0,nop,wscale 10], length 0",
      { family: 6, src: "fd00:145::2", dst: "fd00:145::1", protocol: "tcp", dport: 9000, flags: "S", length: 0 },
    ],
  ])("%#", (text, want) => {
    expect(parseTcpdumpPacket(text)).toMatchObject(want);
  });

  it("waits for the continuation of an IPv4 header line", () => {
    expect(parseTcpdumpPacket("1795313570.992501 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)")).toBeUndefined();
  });
});
