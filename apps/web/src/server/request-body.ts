import "server-only";

/** A login body is `{"password":"…"}` with at most 200 characters: 4 KiB leaves room for escapes. */
export const MAX_LOGIN_BODY_BYTES = 4096;

/**
 * The request body as text, or null once it passes `maxBytes` (by its
 * Content-Length or while reading, for a chunked body): nothing large is
 * buffered, parsed or hashed.
 */
export async function readBoundedText(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** API bodies are small JSON objects (a network, an address, a comment). */
export const MAX_API_BODY_BYTES = 16 * 1024;

/** The request body parsed as JSON, bounded like readBoundedText. */
export async function readJsonBody(request: Request, maxBytes = MAX_API_BODY_BYTES): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const text = await readBoundedText(request, maxBytes);
  if (text === null) return { ok: false, message: `The body is larger than ${maxBytes} bytes.` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, message: "The body must be JSON." };
  }
}
