/**
 * The arithmetic of the board's charts, without the DOM (tested in jest): axis scales
 * and their ticks, the smoothing of a noisy curve, and the colour ramp.
 */

export interface Scale {
  (v: number): number;
  ticks: number[];
  log: boolean;
}

/** "Nice" tick values for [lo, hi]: 1, 2 or 5 times a power of ten apart, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((st) => st >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** A linear or log scale from the data's [lo, hi] to [a, b] in pixels. */
export function scale(lo: number, hi: number, a: number, b: number, log = false): Scale {
  if (log) {
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    const f = ((v: number) => a + ((Math.log10(v) - l0) / (l1 - l0 || 1)) * (b - a)) as Scale;
    f.ticks = [];
    for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) if (10 ** e >= lo * 0.999 && 10 ** e <= hi * 1.001) f.ticks.push(10 ** e);
    if (f.ticks.length < 2) f.ticks = [lo, hi];
    f.log = true;
    return f;
  }
  const f = ((v: number) => a + ((v - lo) / (hi - lo || 1)) * (b - a)) as Scale;
  f.ticks = niceTicks(lo, hi);
  f.log = false;
  return f;
}

/** [min, max] of the finite values (with a little room when they are all equal). */
export function extent(values: Iterable<number | null>, log = false): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return log ? [1, 10] : [0, 1];
  if (lo === hi) return log ? [lo / 2, hi * 2] : [lo - (Math.abs(lo) || 1) * 0.05, hi + (Math.abs(hi) || 1) * 0.05];
  return [lo, hi];
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight w in [0, 1),
 * debiased so the first points are not pulled towards 0. Missing values stay missing.
 */
export function smooth(values: readonly (number | null)[], w: number): (number | null)[] {
  let last = 0;
  let k = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    last = last * w + (1 - w) * v;
    k++;
    return w === 0 ? v : last / (1 - w ** k);
  });
}

/** Viridis-like ramp, t in [0, 1] → an rgb() colour (dark purple → teal → yellow). */
export function ramp(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, j) => Math.round(v + (stops[i + 1][j] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The same keys' values side by side: which keys differ between the configs. */
export function differingKeys(configs: readonly Record<string, unknown>[]): Set<string> {
  const keys = new Set(configs.flatMap((c) => Object.keys(c)));
  const out = new Set<string>();
  for (const k of keys) {
    const first = JSON.stringify(configs[0]?.[k]);
    if (configs.some((c) => JSON.stringify(c[k]) !== first)) out.add(k);
  }
  return out;
}

/** The learned templates: each class's row of W (without the bias) as 32×32 RGBA, scaled to 0–255 on its own. */
export function templates(W: Float32Array, classes: number, pixels = 32 * 32): Uint8ClampedArray[] {
  const stride = W.length / classes; // 3073: three planes of 1024, then the bias
  const out: Uint8ClampedArray[] = [];
  for (let k = 0; k < classes; k++) {
    const row = W.subarray(k * stride, k * stride + 3 * pixels);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of row) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const img = new Uint8ClampedArray(pixels * 4);
    const span = hi - lo || 1;
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < 3; c++) img[p * 4 + c] = ((row[c * pixels + p] - lo) / span) * 255;
      img[p * 4 + 3] = 255;
    }
    out.push(img);
  }
  return out;
}
