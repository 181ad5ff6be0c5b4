/**
 * A sweep's run folder: config.json (the sweep's base config), results.jsonl (one
 * line per run, as --log-format json prints them), trials/<index>.jsonl (each run's
 * curves, as a run's metrics.jsonl), model.json (the best run, when one did not
 * diverge), sweep.{svg,png} (validation accuracy over the swept keys) and summary.json
 * (the ranked points, the choice, status and file list).
 */
import type { Config } from '../config/schema.js';
import { LintrainError } from '../core/errors.js';
import { type Model, saveModel } from '../model/file.js';
import { eventText, formatLine } from './events.js';
import { RunFolder } from './run-folder.js';
import type { PointResult } from '../sweep/points.js';
import type { Curve } from '../sweep/curve.js';
import { writeSweepPicture } from './pictures.js';

export class SweepRecorder {
  readonly folder: RunFolder;
  private text = JSON.stringify(formatLine('sweep')) + '\n';

  constructor(private readonly config: Config) {
    this.folder = RunFolder.create(config, 'sweep');
    this.folder.writeConfig(config);
    this.folder.writeSummary('sweep', 'running', config);
  }

  /**
   * One finished run: its `trial` line, and its curves in trials/<index>.jsonl, written
   * now (a sweep that fails later keeps the curves of the runs that finished).
   */
  trial(fields: { index: number }, curve?: Curve): void {
    this.text += eventText('trial', fields) + '\n';
    if (curve) this.folder.write(trialFile(fields.index), curveText(curve), `the curves of run ${fields.index}`);
  }

  /** Everything at the end: results, the best model, the picture (unless --no-plots), the summary. */
  async done(
    summary: { points: readonly PointResult[] } & Record<string, unknown>,
    keys: readonly string[],
    best: Model | null,
    warn: (m: string) => void,
  ): Promise<void> {
    this.folder.write('results.jsonl', this.text, 'the sweep results');
    if (best) {
      saveModel(this.folder.path('model.json'), best);
      this.folder.add('model.json');
    }
    if (this.config.plots) {
      const c = this.config;
      await writeSweepPicture(this.folder, summary.points, keys, `Validation accuracy (${c.loss}, ${c.opt}, ${c.iters} iterations)`, warn);
    }
    const { config: _config, ...results } = summary;
    this.folder.writeSummary('sweep', 'done', this.config, results);
  }

  /** Leave a consistent folder when the sweep fails; the first error is the one reported. */
  fail(error: unknown): void {
    const interrupted = error instanceof LintrainError && error.exitCode === 130;
    try {
      this.folder.write('results.jsonl', this.text, 'the sweep results');
      this.folder.writeSummary(
        'sweep',
        interrupted ? 'interrupted' : 'failed',
        this.config,
        {},
        error instanceof Error ? error.message : String(error),
      );
    } catch {
      // keep the original error
    }
  }
}

/** Where a sweep's run `index` keeps its curves, in its folder. */
export const trialFile = (index: number): string => `trials/${index}.jsonl`;

const valLine = (c: Curve, v: number) => eventText('val', { iter: c.valIter[v], valAcc: c.valAcc[v] });

/**
 * A curve as the lines of a run's metrics.jsonl: the format line, then the `iter` and
 * `val` events in the order the train loop emitted them (a check follows its iteration).
 */
export function curveText(c: Curve): string {
  const lines = [JSON.stringify(formatLine('sweep'))];
  const rate = c.search ? 'bestLoss' : 'lr';
  let v = 0;
  for (let i = 0; i < c.iter.length; i++) {
    lines.push(eventText('iter', { iter: c.iter[i], loss: c.loss[i], batchAcc: c.batchAcc[i], [rate]: c.rate[i] }));
    for (; v < c.valIter.length && c.valIter[v] <= c.iter[i]; v++) lines.push(valLine(c, v));
  }
  for (; v < c.valIter.length; v++) lines.push(valLine(c, v));
  return lines.join('\n') + '\n';
}
