import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readIpForward } from "./ip-forward";

const root = mkdtempSync(join(tmpdir(), "sesame-proc-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fake /proc with the two sysctls (undefined: the file is absent). */
function proc(tag: string, v4: string | undefined, v6: string | undefined): string {
  const dir = join(root, tag);
  mkdirSync(join(dir, "sys/net/ipv4"), { recursive: true });
  mkdirSync(join(dir, "sys/net/ipv6/conf/all"), { recursive: true });
  if (v4 !== undefined) writeFileSync(join(dir, "sys/net/ipv4/ip_forward"), v4);
  if (v6 !== undefined) writeFileSync(join(dir, "sys/net/ipv6/conf/all/forwarding"), v6);
  return dir;
}

describe("readIpForward", () => {
  it.each([
    ["both on", "1\n", "1\n", { ipForward: 1, ipForward6: 1 }],
    ["IPv4 only", "1\n", "0\n", { ipForward: 1, ipForward6: 0 }],
    ["off", "0\n", "0\n", { ipForward: 0, ipForward6: 0 }],
    ["no IPv6 (file absent)", "1\n", undefined, { ipForward: 1, ipForward6: -1 }],
    ["garbage is unknown, not on", "yes", "1", { ipForward: -1, ipForward6: 1 }],
  ])("%s", (tag, v4, v6, want) => {
    expect(readIpForward(proc(tag.replace(/\W+/g, "-"), v4, v6))).toEqual(want);
  });

  it("reads the real /proc of this namespace", () => {
    const r = readIpForward();
    expect([0, 1]).toContain(r.ipForward);
  });
});
