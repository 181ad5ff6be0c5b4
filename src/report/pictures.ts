/**
 * Writing the pictures of a run or a sweep into its folder: each chart as SVG and as
 * PNG (rendered at twice the size, for sharp text), the templates as one PNG. The
 * charts are SVG written by hand (report/plots/svg.ts); the PNGs are drawn by resvg on
 * libuv's threads, all at once, while the run goes on (its evaluation, its model file).
 * The drawing code (resvg, a native module) is loaded only when pictures are wanted.
 */
import type { Config } from '../config/schema.js';
import type { RunFolder } from './run-folder.js';
import type { SliceData } from './plots/landscape.js';
import type { PointResult } from '../sweep/points.js';
import type { IterEvent, ValEvent } from '../training/trainer.js';

const PNG_SCALE = 2;

type Plots = typeof import('./plots/index.js');
const loadPlots = (): Promise<Plots> => import('./plots/index.js');

/**
 * name.svg now, name.png when drawn. Every PNG goes to libuv's thread pool at once; the
 * pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) is the only limit. A limit
 * of one picture per core here made the later pictures wait until this thread, busy
 * scoring the run's splits, could start them; and a run's pictures are few.
 */
async function chartFiles(plots: Plots, folder: RunFolder, name: string, chart: Parameters<Plots['chartSvg']>[0]): Promise<void> {
  const svg = plots.chartSvg(chart);
  folder.write(`${name}.svg`, svg);
  folder.write(`${name}.png`, await plots.svgToPngAsync(svg, PNG_SCALE));
}

const what = (c: Config) => `${c.loss}, ${c.opt}, lr ${c.lr}, reg ${c.regType === 'none' ? 0 : c.reg}`;

export interface Curves {
  iters: readonly IterEvent[];
  vals: readonly ValEvent[];
  finalVal: ValEvent | null; // the end-of-run validation score, drawn at the last iteration
}

/**
 * The pictures of a finished training run, drawn as soon as what each shows is known:
 * curves() with the loss and accuracy curves and the templates (W; null on stored
 * features, whose weights are no image), confusion() with the test split's matrix.
 * Made before training, so that the drawing code is loaded by its end: each picture's
 * PNG then starts drawing on a libuv thread at once, beside what this thread does next.
 * done() resolves when every picture is written, and warns when PNG text cannot be drawn.
 */
export function trainPictures(folder: RunFolder, config: Config, onPicture: () => void, warn: (m: string) => void) {
  const plots = loadPlots();
  let loaded: Plots | null = null;
  void plots.then(
    (p) => (loaded = p),
    () => {},
  );
  const jobs: Promise<void>[] = [];
  const add = (job: (p: Plots) => Promise<void>) => {
    const j = (loaded ? job(loaded) : plots.then(job)).then(onPicture);
    j.catch(() => {}); // reported by done(); until then the failure is not unhandled
    jobs.push(j);
  };
  return {
    curves(c: Curves, W: Float32Array | null, classNames: readonly string[]): void {
      add((p) => chartFiles(p, folder, 'loss', p.lossChart(c.iters, `Training loss (${what(config)})`)));
      add((p) => chartFiles(p, folder, 'accuracy', p.accuracyChart(c.iters, c.vals, c.finalVal, `Accuracy (${what(config)})`)));
      if (W) add(async (p) => folder.write('templates.png', await p.svgToPngAsync(p.templateGridSvg(W, classNames), 1)));
    },
    confusion(cm: Int32Array, classNames: readonly string[], nTest: number): void {
      add((p) => chartFiles(p, folder, 'confusion', p.confusionChart(cm, classNames, `Confusion matrix, test split (${nTest} images)`)));
    },
    async done(): Promise<void> {
      await Promise.all(jobs);
      if (!(await plots).canDrawText()) warn((await plots).NO_FONTS_WARNING);
    },
  };
}

/** The number of pictures trainPictures draws of a run on pixels. */
export const TRAIN_PICTURES = 4;

/** sweep.{svg,png}: validation accuracy over the first two swept keys. */
export async function writeSweepPicture(
  folder: RunFolder,
  points: readonly PointResult[],
  keys: readonly string[],
  title: string,
  warn: (m: string) => void,
): Promise<void> {
  const plots = await loadPlots();
  await chartFiles(plots, folder, 'sweep', plots.sweepChart(points, keys, title));
  if (!plots.canDrawText()) warn(plots.NO_FONTS_WARNING);
}

/**
 * A landscape's pictures: landscape-1d.{svg,png}, the loss along W1 with a curve per
 * example count, and landscape-2d-<n>.{svg,png}, the plane of W1 and W2 for n examples.
 * `what` ends each title (the loss, the seed).
 */
export async function writeLandscapePictures(
  folder: RunFolder,
  l: { alphas: ArrayLike<number>; slices: readonly SliceData[] },
  what: string,
  warn: (m: string) => void,
): Promise<void> {
  const plots = await loadPlots();
  await Promise.all([
    chartFiles(plots, folder, 'landscape-1d', plots.landscapeCurves(l.alphas, l.slices, `Loss along one direction (${what})`)),
    ...l.slices.map((s) =>
      chartFiles(
        plots,
        folder,
        `landscape-2d-${s.examples}`,
        plots.landscapeField(l.alphas, s, `Loss over two directions, ${plots.examplesText(s.examples)} (${what})`),
      ),
    ),
  ]);
  if (!plots.canDrawText()) warn(plots.NO_FONTS_WARNING);
}
