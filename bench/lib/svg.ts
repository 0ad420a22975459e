import type { DaemonKind } from "./daemons";
import { DAEMON_LABELS } from "./daemons";
import type { Panel } from "./report";
import { TABLE_DAEMONS } from "./report";

const COLORS: Record<DaemonKind, string> = { sesame: "#2b8a3e", "sesame-base": "#1971c2", "sesame-dropin": "#74b816", knockd: "#c92a2a", "sesame-fwknopd": "#0ca678", fwknopd: "#e8590c" };
const PANEL_W = 420;
const PANEL_H = 240;
const PAD = { left: 56, right: 12, top: 34, bottom: 46 };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function label(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toPrecision(3)}`;
}

function renderPanel(p: Panel, x0: number, y0: number, kinds: DaemonKind[]): string {
  const out: string[] = [];
  const w = PANEL_W - PAD.left - PAD.right;
  const h = PANEL_H - PAD.top - PAD.bottom;
  const vals = p.groups.flatMap((g) => kinds.map((d) => g.values[d])).filter((v): v is number => typeof v === "number" && v > 0);
  const vmax = vals.length ? Math.max(...vals) : 1;
  const vminPos = vals.length ? Math.min(...vals) : 1;
  const logLo = Math.floor(Math.log10(vminPos));
  const logHi = Math.ceil(Math.log10(vmax)) === logLo ? logLo + 1 : Math.ceil(Math.log10(vmax));
  const top = p.log ? 10 ** logHi : niceMax(vmax);
  const scale = (v: number): number => {
    if (!p.log) return (v / top) * h;
    if (v <= 0) return 0;
    return ((Math.log10(v) - logLo) / (logHi - logLo)) * h;
  };
  out.push(`<g transform="translate(${x0},${y0})">`);
  out.push(`<text x="${PANEL_W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
  const ticks = p.log ? Array.from({ length: logHi - logLo + 1 }, (_, i) => 10 ** (logLo + i)) : [0, 0.25, 0.5, 0.75, 1].map((f) => f * top);
  for (const t of ticks) {
    const y = PAD.top + h - scale(t);
    out.push(`<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${PAD.left - 4}" y="${y + 4}" text-anchor="end" font-size="10">${label(t)}</text>`);
  }
  out.push(`<text x="12" y="${PAD.top + h / 2}" font-size="10" transform="rotate(-90 12 ${PAD.top + h / 2})" text-anchor="middle">${esc(p.unit)}${p.log ? " (log)" : ""}</text>`);
  const gw = w / Math.max(1, p.groups.length);
  const bw = Math.min(22, (gw - 8) / kinds.length);
  p.groups.forEach((g, gi) => {
    const gx = PAD.left + gi * gw + (gw - bw * kinds.length) / 2;
    kinds.forEach((d, di) => {
      const v = g.values[d];
      const x = gx + di * bw;
      if (v === undefined) return;
      if (v === null) {
        out.push(`<text x="${x + bw / 2}" y="${PAD.top + h - 3}" font-size="8" text-anchor="middle" fill="${COLORS[d]}">n/a</text>`);
        return;
      }
      const bh = Math.max(1, scale(v));
      out.push(`<rect x="${x}" y="${PAD.top + h - bh}" width="${bw - 2}" height="${bh}" fill="${COLORS[d]}"><title>${esc(`${DAEMON_LABELS[d]} ${g.label}: ${v}`)}</title></rect>`);
      if (bw >= 10) out.push(`<text x="${x + (bw - 2) / 2}" y="${PAD.top + h - bh - 2}" font-size="8" text-anchor="middle">${label(v)}</text>`);
    });
    const lx = PAD.left + gi * gw + gw / 2;
    const ly = PAD.top + h + 14;
    // many groups: slant the labels so they do not overlap
    out.push(p.groups.length > 5
      ? `<text x="${lx}" y="${ly - 4}" font-size="9" text-anchor="end" transform="rotate(-35 ${lx} ${ly - 4})">${esc(g.label)}</text>`
      : `<text x="${lx}" y="${ly}" font-size="10" text-anchor="middle">${esc(g.label)}</text>`);
  });
  out.push(`<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${PAD.top + h}" y2="${PAD.top + h}" stroke="#333"/>`);
  out.push("</g>");
  return out.join("\n");
}

/** Hand-written SVG: a grid of grouped bar charts plus a legend. */
export function renderSvg(panels: Panel[], title: string): string {
  const cols = 2;
  const rows = Math.ceil(panels.length / cols);
  const width = cols * PANEL_W;
  const height = rows * PANEL_H + 56;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  // a daemon that ran in no panel (e.g. no --base) gets no bar slot or legend entry
  const kinds = TABLE_DAEMONS.filter((d) => panels.some((p) => p.groups.some((g) => g.values[d] !== undefined)));
  kinds.forEach((d, i) => {
    const x = 20 + i * 150;
    parts.push(`<rect x="${x}" y="30" width="12" height="12" fill="${COLORS[d]}"/><text x="${x + 16}" y="40" font-size="11">${esc(DAEMON_LABELS[d])}</text>`);
  });
  panels.forEach((p, i) => parts.push(renderPanel(p, (i % cols) * PANEL_W, 50 + Math.floor(i / cols) * PANEL_H, kinds)));
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
