import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommandBackend } from "./command";
import type { ExecResult } from "./exec";

/** Records each argv; `fail` decides which ones exit 1 (like `iptables -D` of a missing rule). */
function recorder(fail: (argv: string[]) => boolean = () => false) {
  const calls: string[] = [];
  const exec = async (argv: string[]): Promise<ExecResult> => {
    calls.push(argv.join(" "));
    return fail(argv) ? { code: 1, stdout: "", stderr: "Bad rule" } : { code: 0, stdout: "", stderr: "" };
  };
  return { calls, exec };
}

const templates = {
  grant: [["open", "%IP%", "%PROTO%/%PORT%", "%TIMEOUT%"]],
  revoke: [["close", "%IP%", "%PROTO%/%PORT%"]],
  ban: [["ban", "%IP%", "%TIMEOUT%"]],
  unban: [["unban", "%IP%"]],
};
const SSH = { port: 22, protocol: "tcp" as const };

describe("CommandBackend timers and bookkeeping (clock and runner injected)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs the grant once, refreshes without a second command, revokes at the refreshed expiry", async () => {
    const r = recorder();
    const fw = new CommandBackend({ templates, exec: r.exec, now: Date.now });
    await fw.grant("10.0.0.2", [SSH], 10);
    await vi.advanceTimersByTimeAsync(5000);
    await fw.grant("10.0.0.2", [SSH], 10);
    await vi.advanceTimersByTimeAsync(9000);
    expect(r.calls).toEqual(["open 10.0.0.2 tcp/22 10"]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.calls).toEqual(["open 10.0.0.2 tcp/22 10", "close 10.0.0.2 tcp/22"]);
    expect((await fw.inspect()).grants).toEqual([]);
  });

  it("reconcile: cleans up before re-applying, closes overdue entries, drops unwanted tracked ones", async () => {
    const r = recorder((argv) => argv[0] === "unban");
    const errors: string[] = [];
    const fw = new CommandBackend({ templates, exec: r.exec, now: Date.now, onError: (e, ctx) => errors.push(`${ctx}: ${e.stderr}`) });
    await fw.grant("10.0.0.9", [SSH], 60);
    const now = Date.now();
    await fw.reconcile(
      {
        protectedPorts: [],
        trusted: [],
        grants: [
          { ip: "10.0.0.2", ports: [SSH], expiresAt: now + 20_000 },
          { ip: "10.0.0.3", ports: [SSH], expiresAt: now - 1 },
        ],
        bans: [{ ip: "192.0.2.1", expiresAt: now + 5000 }],
      },
      now,
    );
    expect(r.calls.slice(1)).toEqual([
      "close 10.0.0.9 tcp/22",
      "close 10.0.0.3 tcp/22",
      "close 10.0.0.2 tcp/22",
      "open 10.0.0.2 tcp/22 20",
      "unban 192.0.2.1",
      "ban 192.0.2.1 5",
    ]);
    expect(errors).toEqual(["cleanup: Bad rule"]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(r.calls.at(-1)).toBe("unban 192.0.2.1");
    expect(errors).toEqual(["cleanup: Bad rule", "expire: Bad rule"]);
  });

  it("detach revokes grants, keeps bans and stops the timers", async () => {
    const r = recorder();
    const fw = new CommandBackend({ templates, exec: r.exec, now: Date.now });
    await fw.grant("10.0.0.2", [SSH, { port: 53, protocol: "udp" }], 10);
    await fw.ban("192.0.2.1", 10);
    await fw.detach();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(r.calls).toEqual(["open 10.0.0.2 tcp/22 10", "open 10.0.0.2 udp/53 10", "ban 192.0.2.1 10", "close 10.0.0.2 tcp/22", "close 10.0.0.2 udp/53"]);
  });

  it("timers longer than setTimeout's limit re-arm instead of firing early", async () => {
    const r = recorder();
    const fw = new CommandBackend({ templates, exec: r.exec, now: Date.now });
    await fw.ban("192.0.2.1", 30 * 86_400);
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(r.calls).toEqual([`ban 192.0.2.1 ${30 * 86_400}`]);
    await vi.advanceTimersByTimeAsync(30 * 86_400_000 - 2 ** 31);
    expect(r.calls.at(-1)).toBe("unban 192.0.2.1");
  });
});
