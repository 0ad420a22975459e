import { describe, expect, it } from "vitest";
import { ForwardInputSchema, insideAddressProblem } from "./forward-schema";

const base = { name: "intranet web", protocol: "tcp", port: "8080", toAddress: "10.9.0.5", toPort: "80", dnat: "on", enabled: "on" };

describe("ForwardInputSchema", () => {
  it.each([
    ["the form's strings and checkboxes", base, { name: "intranet web", comment: "", protocol: "tcp", port: 8080, toAddress: "10.9.0.5", toPort: 80, dnat: true, enabled: true }],
    ["an empty inside port is the public port", { ...base, toPort: "" }, { toPort: 8080 }],
    ["unchecked boxes are off; without DNAT the inside port is the port", { ...base, port: "22", toPort: "", dnat: undefined, enabled: undefined }, { port: 22, toPort: 22, dnat: false, enabled: false }],
    ["without DNAT the same inside port is fine", { ...base, port: "22", toPort: "22", dnat: "off" }, { toPort: 22, dnat: false }],
    ["IPv6 inside address, canonical", { ...base, toAddress: " FD00:9:0::5 " }, { toAddress: "fd00:9::5" }],
    ["udp", { ...base, protocol: "udp", port: "53", toPort: "5353" }, { protocol: "udp", port: 53, toPort: 5353 }],
    ["comment trimmed", { ...base, comment: "  the wiki  " }, { comment: "the wiki" }],
  ])("%s", (_name, input, want) => {
    expect(ForwardInputSchema.parse(input)).toMatchObject(want);
  });

  it.each([
    [{ name: "" }, "name", "Name is required."],
    [{ name: "web<script>" }, "name", "Name may only contain letters, digits, spaces, '.', '-' and '_' (1 to 64 characters)."],
    [{ protocol: "icmp" }, "protocol", "Protocol must be tcp or udp."],
    [{ port: "0" }, "port", "Port must be a whole number from 1 to 65535."],
    [{ port: "65536" }, "port", "Port must be a whole number from 1 to 65535."],
    [{ port: "80a" }, "port", "Port must be a whole number from 1 to 65535."],
    [{ toPort: "99999" }, "toPort", "Inside port must be a whole number from 1 to 65535."],
    [{ toAddress: "" }, "toAddress", "Inside address is required."],
    [{ toAddress: "intranet.example" }, "toAddress", "Inside address: intranet.example is not an IPv4 or IPv6 address."],
    [{ toAddress: "10.9.0.0/24" }, "toAddress", "Inside address: 10.9.0.0/24 is a network; give the one host that runs the service."],
    [{ dnat: undefined, toPort: "80" }, "toPort", "Without DNAT clients connect to the inside host's port 8080 themselves: leave the inside port empty or make it 8080."],
    [{ comment: "x".repeat(201) }, "comment", "Comment must be at most 200 characters long."],
  ])("%o → %s: %s", (over, path, message) => {
    const r = ForwardInputSchema.safeParse({ ...base, ...over });
    expect(r.success).toBe(false);
    if (!r.success) expect({ path: r.error.issues[0]?.path.join("."), message: r.error.issues[0]?.message }).toEqual({ path, message });
  });
});

describe("insideAddressProblem", () => {
  it.each([
    ["10.9.0.5", null],
    ["fd00::5", null],
    ["0.0.0.0", "Inside address: 0.0.0.0 is the unspecified address; give the inside host's own address."],
    ["::", "Inside address: :: is the unspecified address; give the inside host's own address."],
    ["127.0.0.1", "Inside address: 127.0.0.1 is a loopback address; give the inside host's own address."],
    ["::1", "Inside address: ::1 is a loopback address; give the inside host's own address."],
    ["224.0.0.1", "Inside address: 224.0.0.1 is a multicast or reserved address; give the inside host's own address."],
    ["255.255.255.255", "Inside address: 255.255.255.255 is the broadcast address; give the inside host's own address."],
    ["ff02::1", "Inside address: ff02::1 is a multicast or reserved address; give the inside host's own address."],
    ["::ffff:10.9.0.5", "Inside address: ::ffff:10.9.0.5 is IPv4-mapped; write the IPv4 form 10.9.0.5."],
  ])("%s", (text, want) => {
    expect(insideAddressProblem(text)).toBe(want);
  });
});
