/** How `lintrain landscape` and `lintrain show` print a landscape: its setting in a line, its slices as a table. */
import type { Config } from '../config/schema.js';
import type { SliceFigures } from '../model/landscape.js';
import { fmtNum, textTable } from './table.js';

/** Where W came from, the loss and penalty, the grid: one line. */
export function landscapeSetting(c: Pick<Config, 'loss' | 'regType' | 'reg' | 'initScale' | 'seed'>, r: LandscapeResults): string {
  const reg = c.regType === 'none' || c.reg === 0 ? 'no regularization' : `${c.regType} reg ${fmtNum(c.reg)}`;
  const from = r.model ? `W of ${r.model}` : `W ~ N(0,1)·${fmtNum(c.initScale)}`;
  return (
    `${c.loss} loss, ${reg}; ${from}, random directions W1, W2 (seed ${c.seed}), each row as long as W's; ` +
    `a, b in [−${fmtNum(r.range)}, ${fmtNum(r.range)}], ${r.steps} points per axis`
  );
}

/** What summary.json holds of a landscape, besides the config. */
export type LandscapeResults = {
  model: string | null; // the model file W came from; null: a random W
  range: number;
  steps: number;
  slices: SliceFigures[];
};

const loss = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1e5 ? x.toExponential(3) : x.toFixed(4)) : '–');

/** One row per example count: the loss at W, the lowest along W1, the lowest and highest over the plane. */
export function landscapeTable(slices: readonly SliceFigures[]): string {
  const rows = slices.map((s) => [String(s.examples), loss(s.atW), loss(s.lineMin), loss(s.planeMin), loss(s.planeMax)]);
  return textTable(['examples', 'L(W)', 'lowest on the line', 'lowest on the plane', 'highest on the plane'], rows, [
    true,
    true,
    true,
    true,
    true,
  ]);
}
