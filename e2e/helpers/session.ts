import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN_PASSWORD } from "./env";

/** Log in over the API (documenso style); the cookie lands in the page's context. */
export async function logIn(target: Page | APIRequestContext): Promise<void> {
  const request = "request" in target ? target.request : target;
  const res = await request.post("/api/auth/login", { data: { password: ADMIN_PASSWORD } });
  expect(res.status(), await res.text()).toBe(204);
}
