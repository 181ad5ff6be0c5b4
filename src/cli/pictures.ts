/**
 * Writing the pictures of a run or a sweep into its folder: each chart as SVG and as
 * PNG (rendered at twice the size, for sharp text), the templates as one PNG. The
 * drawing code (vega, resvg) is loaded only when pictures are wanted.
 */
import type { Config } from '../config.js';
import type { RunFolder } from '../report/run-folder.js';
import type { Phase } from '../report/types.js';
import type { PointResult } from '../sweep.js';
import type { ValEvent, IterEvent } from '../train.js';

const PNG_SCALE = 2;

export interface TrainPictures {
  iters: readonly IterEvent[];
  vals: readonly ValEvent[];
  finalVal: ValEvent | null; // the end-of-run validation score, drawn at the last iteration
  W: Float32Array | null; // C×(D+1); null on stored features, whose weights are no image
  confusion: Int32Array; // C×C, test split
  classNames: readonly string[];
  nTest: number;
}

type Plots = typeof import('../report/plots/index.js');

async function chartFiles(plots: Plots, folder: RunFolder, name: string, spec: Parameters<Plots['chartSvg']>[0]): Promise<void> {
  const svg = await plots.chartSvg(spec);
  folder.write(`${name}.svg`, svg);
  folder.write(`${name}.png`, plots.svgToPng(svg, PNG_SCALE));
}

const what = (c: Config) => `${c.loss}, ${c.opt}, lr ${c.lr}, reg ${c.regType === 'none' ? 0 : c.reg}`;

/** loss.{svg,png}, accuracy.{svg,png}, confusion.{svg,png}, templates.png (pixels only); warns when PNG text cannot be drawn. */
export async function writeTrainPictures(folder: RunFolder, config: Config, p: TrainPictures, bar: Phase, warn: (m: string) => void): Promise<void> {
  const plots = await import('../report/plots/index.js');
  await chartFiles(plots, folder, 'loss', plots.lossCurveSpec(p.iters, `Training loss (${what(config)})`));
  bar.update(1);
  await chartFiles(plots, folder, 'accuracy', plots.accuracySpec(p.iters, p.vals, p.finalVal, `Accuracy (${what(config)})`));
  bar.update(2);
  await chartFiles(plots, folder, 'confusion', plots.confusionSpec(p.confusion, p.classNames, `Confusion matrix, test split (${p.nTest} images)`));
  bar.update(3);
  if (p.W) folder.write('templates.png', plots.templateGridPng(p.W, p.classNames));
  bar.update(4);
  if (!plots.canDrawText()) warn(plots.NO_FONTS_WARNING);
}

/** sweep.{svg,png}: validation accuracy over the first two swept keys. */
export async function writeSweepPicture(folder: RunFolder, points: readonly PointResult[], keys: readonly string[], title: string, warn: (m: string) => void): Promise<void> {
  const plots = await import('../report/plots/index.js');
  await chartFiles(plots, folder, 'sweep', plots.sweepSpec(points, keys, title));
  if (!plots.canDrawText()) warn(plots.NO_FONTS_WARNING);
}

/** The number of steps writeTrainPictures reports to its bar. */
export const TRAIN_PICTURE_STEPS = 4;
