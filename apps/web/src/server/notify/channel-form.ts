import "server-only";
import { makeChannelInputSchema, redactUrl, type ChannelConfig, type ChannelInput, type ChannelSecrets } from "@sesame/core";
import { issuesToFieldErrors } from "@/lib/form-state";
import type { ChannelRow } from "./channels";

const FIELDS = ["type", "name", "enabled", "rateCount", "ratePerSec", "preset", "url", "token", "clearToken", "host", "port", "security", "username", "password", "clearPassword", "from", "to"] as const;
/** Never echoed back to the browser, not even after a refused save. */
export const SECRET_FIELDS = ["token", "password"] as const;

export type ParsedChannelForm =
  | { ok: true; input: ChannelInput; config: ChannelConfig; secrets: ChannelSecrets }
  | { ok: false; fieldErrors: Record<string, string[]> };

/**
 * The channel form → what is stored. Secrets left empty keep the stored
 * ones (only if the channel keeps its type); "clear" removes a token or
 * password.
 */
export function parseChannelForm(formData: FormData, old: ChannelRow | undefined): ParsedChannelForm {
  const raw: Record<string, unknown> = Object.fromEntries(FIELDS.map((k) => [k, formData.get(k) ?? undefined]));
  raw.events = formData.getAll("events");
  const kept: ChannelSecrets = old && old.type === raw.type ? old.secrets : {};
  const parsed = makeChannelInputSchema({ url: !!kept.url, password: !!kept.password }).safeParse(raw);
  if (!parsed.success) return { ok: false, fieldErrors: issuesToFieldErrors(parsed.error.issues) };
  const input = parsed.data;
  if (input.type === "webhook") {
    const url = input.url ?? kept.url!;
    const token = input.clearToken ? undefined : (input.token ?? kept.token);
    return { ok: true, input, config: { type: "webhook", preset: input.preset, urlHint: redactUrl(url) }, secrets: { url, ...(token ? { token } : {}) } };
  }
  const username = input.username ?? null;
  const password = input.password ?? (input.clearPassword ? undefined : kept.password);
  return {
    ok: true,
    input,
    config: { type: "email", host: input.host, port: input.port, security: input.security, username, from: input.from, to: input.to },
    secrets: username && password ? { password } : {},
  };
}
