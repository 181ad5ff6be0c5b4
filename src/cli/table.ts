/** Small formatting helpers for the tables that sweep and repro print. */

/** A hyperparameter as people write it: 1e-7, 2.5e4, 0.9, 1500. */
export function fmtNum(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e4) return String(v);
  if (a >= 1e-3 && a < 1e4) return String(Number(v.toPrecision(4)));
  return Number(v.toPrecision(4)).toExponential().replace('e+', 'e');
}

/** A fraction as a percentage with 2 decimals, or '–'. */
export const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '–');

export const secs = (s: number): string => (s >= 100 ? `${s.toFixed(0)} s` : `${s.toFixed(1)} s`);

/** Columns padded to their widest cell; `right` columns aligned right (numbers). */
export function textTable(header: string[], rows: string[][], right: boolean[] = []): string {
  const width = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((s, c) => (right[c] ? s.padStart(width[c]) : s.padEnd(width[c])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A GitHub Markdown table. */
export function markdownTable(header: string[], rows: string[][], right: boolean[] = []): string {
  const rule = header.map((_, c) => (right[c] ? '---:' : '---'));
  return [header, rule, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Mean and sample standard deviation (0 for a single value) of the finite values. */
export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

export const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
