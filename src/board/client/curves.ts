/**
 * A run's two charts from its curves (the server's Metrics): the loss (each point the
 * mean of its stretch of iterations, the band its min and max, and a smoothed line) and
 * the accuracy (batch, smoothed, validation). A run's page draws them live; a sweep's
 * page draws them for the run clicked.
 */
import type { Metrics } from './api.js';
import { type Line, lineChart } from './charts.js';
import { smooth } from './scales.js';

export const COLORS = { loss: '#1f6feb', smooth: '#0b3d91', batch: '#e36209', val: '#22863a', best: '#6f42c1' };

/** The loss, smoothed with weight `w` (TensorBoard's debiased moving average), and a search's best so far. */
export function lossChart(m: Metrics, w: number, logY = false): SVGElement {
  const it = m.iter;
  const lines: Line[] = [];
  if (it.loss) {
    lines.push({
      name: 'loss',
      x: it.iter,
      y: it.loss,
      color: COLORS.loss,
      width: 1,
      opacity: 0.45,
      band: it.lossMin ? { lo: it.lossMin, hi: it.lossMax } : undefined,
    });
    lines.push({ name: `smoothed (${w.toFixed(2)})`, x: it.iter, y: smooth(it.loss, w), color: COLORS.smooth, width: 2 });
  }
  if (it.bestLoss) lines.push({ name: 'best so far', x: it.iter, y: it.bestLoss, color: COLORS.best, width: 2 });
  return lineChart(lines, { xLabel: 'iteration', yLabel: 'loss', title: 'Loss', logY });
}

/**
 * The batch accuracy (a search's: each try's on the training split), smoothed, and the
 * validation checks; `last` adds the final W's validation accuracy at its iteration (a
 * sweep's run has it in its `trial` line, and may have made no checks before).
 */
export function accuracyChart(m: Metrics, w: number, last?: { iter: number; valAcc: number }): SVGElement {
  const it = m.iter;
  const lines: Line[] = [];
  const batch = it.batchAcc ?? it.trainAcc;
  if (batch) {
    lines.push({ name: it.batchAcc ? 'batch' : 'try (train)', x: it.iter, y: batch, color: COLORS.batch, width: 1, opacity: 0.4 });
    lines.push({ name: 'batch, smoothed', x: it.iter, y: smooth(batch, w), color: COLORS.batch, width: 2 });
  }
  const vx = [...m.val.iter];
  const vy = [...(m.val.valAcc ?? [])];
  if (last && (vx.length === 0 || vx[vx.length - 1] < last.iter)) {
    vx.push(last.iter);
    vy.push(last.valAcc);
  }
  if (vy.length) lines.push({ name: 'validation', x: vx, y: vy, color: COLORS.val, width: 2, dots: true });
  return lineChart(lines, { xLabel: 'iteration', yLabel: 'accuracy', title: 'Accuracy' });
}
