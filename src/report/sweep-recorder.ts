/**
 * A sweep's run folder: config.json (the sweep's base config), results.jsonl (one
 * line per run, as --log-format json prints them), model.json (the best run, when
 * one did not diverge), sweep.{svg,png} (validation accuracy over the swept keys) and
 * summary.json (the ranked points, the choice, status and file list).
 */
import type { Config } from '../config/schema.js';
import { LintrainError } from '../core/errors.js';
import { type Model, saveModel } from '../model/file.js';
import { eventText, formatLine } from './events.js';
import { RunFolder } from './run-folder.js';
import type { PointResult } from '../sweep/points.js';
import { writeSweepPicture } from './pictures.js';

export class SweepRecorder {
  readonly folder: RunFolder;
  private text = JSON.stringify(formatLine('sweep')) + '\n';

  constructor(private readonly config: Config) {
    this.folder = RunFolder.create(config, 'sweep');
    this.folder.writeConfig(config);
    this.folder.writeSummary('sweep', 'running', config);
  }

  /** One finished run's `trial` line. */
  trial(fields: object): void {
    this.text += eventText('trial', fields) + '\n';
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
