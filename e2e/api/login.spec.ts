import { expect, test } from "@playwright/test";
import { count, testDb } from "../helpers/db";
import { ADMIN_PASSWORD } from "../helpers/env";

test.describe("login over the API", () => {
  test("wrong password is refused; the right one sets an httpOnly session cookie", async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": "198.51.100.10" } });
    const bad = await ctx.post("/api/auth/login", { data: { password: "not-the-password" } });
    expect(bad.status()).toBe(401);
    expect((await bad.json()).error.message).toContain("Wrong password");
    expect(bad.headers()["set-cookie"]).toBeUndefined();

    const good = await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } });
    expect(good.status()).toBe(204);
    const cookie = good.headers()["set-cookie"] ?? "";
    expect(cookie).toMatch(/^sesame_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=\d+/);
    // A successful login clears the address's failures.
    expect(count("login_attempts", "address = '198.51.100.10'")).toBe(0);
    const status = await ctx.get("/api/status");
    expect(status.status()).toBe(200);
    await ctx.dispose();
  });

  test("throttling: 5 failures lock the address, even for the right password, with a clear message", async ({ playwright, baseURL }) => {
    const ip = "198.51.100.66";
    const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": ip } });
    for (let i = 1; i <= 4; i++) {
      const r = await ctx.post("/api/auth/login", { data: { password: `wrong-${i}` } });
      expect(r.status()).toBe(401);
    }
    const fifth = await ctx.post("/api/auth/login", { data: { password: "wrong-5" } });
    expect(fifth.status()).toBe(429);
    expect((await fifth.json()).error.message).toMatch(/Too many failed attempts from your address\. Try again in \d+ s\./);

    const locked = await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } });
    expect(locked.status()).toBe(429);
    const msg: string = (await locked.json()).error.message;
    const secs = Number(/Try again in (\d+) s/.exec(msg)?.[1]);
    expect(secs).toBeGreaterThan(50);
    expect(secs).toBeLessThanOrEqual(60);

    // Another address is not affected.
    const other = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": "198.51.100.67" } });
    expect((await other.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } })).status()).toBe(204);

    // Once the lock has run out, the next failure locks for longer (doubling).
    testDb().$client.prepare("UPDATE login_attempts SET locked_until = ? WHERE address = ?").run(Date.now() - 1, ip);
    const again = await ctx.post("/api/auth/login", { data: { password: "wrong-6" } });
    expect(again.status()).toBe(429);
    const longer = Number(/Try again in (\d+) s/.exec((await again.json()).error.message)?.[1]);
    expect(longer).toBeGreaterThan(100);
    await ctx.dispose();
    await other.dispose();
  });

  test("throttling counts an IPv6 client by its /64: a new address there gets no fresh tries", async ({ playwright, baseURL }) => {
    testDb().$client.prepare("DELETE FROM login_attempts WHERE address = ?").run("2001:db8:aa:bb::/64"); // a retried run starts clean
    const ctx = await playwright.request.newContext({ baseURL });
    const from = (ip: string) => ({ headers: { "X-Forwarded-For": ip } });
    for (let i = 1; i <= 4; i++) {
      const r = await ctx.post("/api/auth/login", { data: { password: `wrong-${i}` }, ...from(`2001:db8:aa:bb::${i}`) });
      expect(r.status()).toBe(401);
      expect((await r.json()).error.message).toContain(`${5 - i} attempt`);
    }
    const fifth = await ctx.post("/api/auth/login", { data: { password: "wrong-5" }, ...from("2001:db8:aa:bb:ffff:ffff:ffff:ffff") });
    expect(fifth.status()).toBe(429);
    // The right password from yet another address of the same /64 is still locked out...
    const same64 = await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD }, ...from("2001:db8:aa:bb:1::9") });
    expect(same64.status()).toBe(429);
    expect(count("login_attempts", "address = '2001:db8:aa:bb::/64'")).toBe(1);
    // ...and the neighbouring /64 is not.
    const other64 = await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD }, ...from("2001:db8:aa:bc::1") });
    expect(other64.status()).toBe(204);
    await ctx.dispose();
  });

  test("a client cannot choose its own address by sending the launcher's peer header", async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "x-sesame-peer": "203.0.113.200" } });
    expect((await ctx.post("/api/auth/login", { data: { password: "wrong" } })).status()).toBe(401);
    expect(count("login_attempts", "address = '203.0.113.200'")).toBe(0);
    expect(count("login_attempts", "address = '127.0.0.1'")).toBe(1);
    expect((await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } })).status()).toBe(204);
    expect(count("login_attempts", "address = '127.0.0.1'")).toBe(0);
    await ctx.dispose();
  });

  test("logout ends the session", async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL });
    expect((await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } })).status()).toBe(204);
    expect((await ctx.get("/api/status")).status()).toBe(200);
    expect((await ctx.post("/api/auth/logout")).status()).toBe(204);
    expect((await ctx.get("/api/status")).status()).toBe(401);
    await ctx.dispose();
  });

  test("logout revokes the session on the server: a copied cookie gets 401 and an open live stream ends", async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL });
    expect((await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } })).status()).toBe(204);
    const cookie = (await ctx.storageState()).cookies.find((c) => c.name === "sesame_session");
    expect(cookie).toBeTruthy();
    const stolen = `sesame_session=${cookie!.value}`;

    // The live stream, opened with the copied cookie.
    const stream = await fetch(`${baseURL}/api/stream`, { headers: { cookie: stolen } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let received = "";
    const ended = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return received;
        received += decoder.decode(value, { stream: true });
      }
    })();
    const thief = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: stolen } });
    expect((await thief.get("/api/status")).status()).toBe(200);

    expect((await ctx.post("/api/auth/logout")).status()).toBe(204);
    const unauthorized = await thief.get("/api/status");
    expect(unauthorized.status()).toBe(401);
    expect((await unauthorized.json()).error.code).toBe("unauthorized");
    const timeout = new Promise<string>((_, reject) => setTimeout(() => reject(new Error("the stream is still open 5 s after logout")), 5000));
    expect(await Promise.race([ended, timeout])).toContain("event: logout");
    expect(count("web_sessions", "revoked_reason = 'logout'")).toBeGreaterThanOrEqual(1);
    await ctx.dispose();
    await thief.dispose();
  });

  test("login next: a logged-in admin is never sent to another origin", async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL });
    expect((await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } })).status()).toBe(204);
    const cases: [string, string][] = [
      ["/%09/evil.example", "/"],
      ["/%5Cevil.example", "/"],
      ["//evil.example", "/"],
      ["https://evil.example/", "/"],
      ["javascript:alert(1)", "/"],
      ["/history?ip=10.0.0.5", "/history?ip=10.0.0.5"],
    ];
    for (const [next, expected] of cases) {
      const res = await ctx.get(`/login?next=${next.startsWith("/%") ? next : encodeURIComponent(next)}`, { maxRedirects: 0 });
      expect(res.status(), next).toBeGreaterThanOrEqual(300);
      expect(res.status(), next).toBeLessThan(400);
      expect(new URL(res.headers()["location"] ?? "", baseURL).href, next).toBe(new URL(expected, baseURL).href);
    }
    await ctx.dispose();
  });

  test("the login body is bounded: a large body or password is refused before any password check", async ({ playwright, baseURL }) => {
    const ip = "198.51.100.90";
    const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": ip } });
    const huge = await ctx.post("/api/auth/login", { data: JSON.stringify({ password: "x".repeat(1 << 20) }), headers: { "content-type": "application/json" } });
    expect(huge.status()).toBe(413);
    expect((await huge.json()).error).toEqual({ code: "too_large", message: "The login body must be at most 4096 bytes (a password of at most 200 characters)." });
    const long = await ctx.post("/api/auth/login", { data: { password: "x".repeat(201) } });
    expect(long.status()).toBe(400);
    expect((await long.json()).error.message).toBe("Password must be at most 200 characters long.");
    // Neither was counted: nothing reached the throttle or scrypt.
    expect(count("login_attempts", `address = '${ip}'`)).toBe(0);
    await ctx.dispose();
  });

  test("a global ceiling: failures from many /64s lock every login for at most a minute, except from trusted networks", async ({ playwright, baseURL }) => {
    const db = testDb().$client;
    db.prepare("DELETE FROM login_attempts WHERE address = '*'").run();
    const ctx = await playwright.request.newContext({ baseURL });
    const from = (ip: string) => ({ headers: { "X-Forwarded-For": ip } });
    try {
      let tries = 0;
      for (; tries < 40; tries++) {
        const r = await ctx.post("/api/auth/login", { data: { password: `wrong-${tries}` }, ...from(`2001:db8:99:${tries.toString(16)}::1`) });
        if (r.status() === 429) {
          expect((await r.json()).error.message).toContain("from all addresses");
          break;
        }
        expect(r.status()).toBe(401);
      }
      expect(tries).toBeLessThan(30); // the 30th failure is the one that locks
      const admin = await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD }, ...from("198.51.100.120") });
      expect(admin.status()).toBe(429);
      const msg: string = (await admin.json()).error.message;
      expect(msg).toMatch(/^Too many failed logins on this appliance in the last minute \(from all addresses\)\. Try again in \d+ s\.$/);
      expect(Number(/in (\d+) s/.exec(msg)?.[1])).toBeLessThanOrEqual(60);
      // From a trusted network the admin still gets in.
      db.prepare("INSERT INTO trusted_networks (cidr, comment) VALUES ('198.18.0.0/15', 'e2e global ceiling')").run();
      expect((await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD }, ...from("198.18.0.9") })).status()).toBe(204);
    } finally {
      db.prepare("DELETE FROM trusted_networks WHERE cidr = '198.18.0.0/15'").run();
      db.prepare("DELETE FROM login_attempts WHERE address = '*'").run();
      await ctx.dispose();
    }
  });

  test("logins, failed logins and logouts are audited with the address and the throttle state", async ({ playwright, baseURL }) => {
    const ip = "198.51.100.130";
    testDb().$client.prepare("DELETE FROM login_attempts WHERE address = ?").run(ip);
    const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": ip } });
    expect((await ctx.post("/api/auth/login", { data: { password: "wrong" } })).status()).toBe(401);
    expect((await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } })).status()).toBe(204);
    expect((await ctx.post("/api/auth/logout")).status()).toBe(204);
    const rows = testDb()
      .$client.prepare("SELECT actor, action, entity, after FROM audit WHERE actor LIKE ? ORDER BY id")
      .all(`%@${ip}`) as { actor: string; action: string; entity: string; after: string }[];
    expect(rows.map((r) => [r.actor, r.action, r.entity])).toEqual([
      [`unknown@${ip}`, "login-failed", "session"],
      [`admin@${ip}`, "login", "session"],
      [`admin@${ip}`, "logout", "session"],
    ]);
    expect(JSON.parse(rows[0]!.after)).toMatchObject({ address: ip, throttle: { block: ip, failures: 1, locked: null } });
    expect(JSON.parse(rows[1]!.after)).toMatchObject({ address: ip, throttle: { failures: 2 } });
    expect(JSON.parse(rows[2]!.after)).toEqual({ address: ip });
    await ctx.dispose();
  });

  test("a cross-site login post is refused", async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Origin: "https://evil.example" } });
    expect((await ctx.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } })).status()).toBe(403);
    await ctx.dispose();
  });
});
