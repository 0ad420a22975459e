/**
 * One CSV field (RFC 4180). Cells that a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR) get a leading apostrophe: a knocker controls nothing
 * here today, but detail texts come from the worker and may grow.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
