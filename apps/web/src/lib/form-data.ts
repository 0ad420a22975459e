/**
 * FormData → nested object using the field names as paths:
 * `steps.0.port=7000` → `{ steps: [{ port: "7000" }] }`. Names match zod
 * issue paths, so errors land on the right input. A later entry with the
 * same name wins (hidden "false" followed by a checked checkbox = true).
 */
export function formDataToObject(formData: FormData): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value !== "string" || name.startsWith("$ACTION")) continue;
    const parts = name.split(".");
    if (parts.some((p) => p === "__proto__" || p === "constructor" || p === "prototype")) continue;
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const key = parts[i]!;
      const last = i === parts.length - 1;
      const index = /^\d{1,3}$/.test(key) ? Number(key) : null;
      const container = node as Record<string | number, unknown>;
      const slot = index ?? key;
      if (last) {
        container[slot] = value;
      } else {
        if (container[slot] === undefined || typeof container[slot] !== "object") {
          container[slot] = /^\d{1,3}$/.test(parts[i + 1]!) ? [] : {};
        }
        node = container[slot] as Record<string, unknown> | unknown[];
      }
    }
  }
  return compactArrays(root) as Record<string, unknown>;
}

/** Drop holes left by removed rows (steps.0, steps.2 → two steps). */
function compactArrays(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compactArrays);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, compactArrays(x)]));
  }
  return v;
}
