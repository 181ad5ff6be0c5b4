/**
 * A sweep's run folder: config.json (the sweep's base config), results.jsonl (one
 * line per run, as --log-format json prints them), trials/<index>.jsonl (each run's
 * curves, as a run's metrics.jsonl), model.json (the best run, when one did not
 * diverge), sweep.{svg,png} (validation accuracy over the swept keys) and summary.json
 * (the ranked points, the choice, status, file list, and what identifies the sweep:
 * `sweepId`, `shard`, `identity`, which merge and --resume compare).
 *
 * results.jsonl is rewritten (atomically) after every run, so a sweep killed at any
 * moment keeps every finished run and --resume skips them; at the end its lines are put
 * in run-index order, so a sweep's file does not depend on which job finished first.
 */
import fs from 'node:fs';
import type { Config } from '../config/schema.js';
import { LintrainError } from '../core/errors.js';
import { type Model, saveModel } from '../model/file.js';
import { eventText, formatLine } from './events.js';
import { RunFolder } from './run-folder.js';
import type { PointResult } from '../sweep/points.js';
import type { Curve } from '../sweep/curve.js';
import type { SweepIdentity } from '../sweep/identity.js';
import { writeSweepPicture } from './pictures.js';

/** What summary.json records to tell this sweep (and this shard of it) from others. */
export interface SweepMark {
  sweepId: string; // identityHash(identity)
  shard: string | null; // "K/N", or null for a whole sweep
  identity: SweepIdentity;
}

export class SweepRecorder {
  private readonly lines = new Map<number, string>(); // run index → its trial line, in the order written

  private constructor(
    readonly folder: RunFolder,
    private readonly config: Config,
    private readonly mark: SweepMark,
  ) {}

  /** A new sweep folder (config.out, or a fresh one under runs/). */
  static create(config: Config, mark: SweepMark): SweepRecorder {
    const r = new SweepRecorder(RunFolder.create(config, 'sweep'), config, mark);
    r.folder.writeConfig(config);
    r.writeResults([]);
    r.folder.writeSummary('sweep', 'running', config, r.marked());
    return r;
  }

  /**
   * A stopped sweep's folder, to go on with: its finished runs' lines are kept (the
   * caller has checked, with readSweepFolder, that it is the same sweep).
   */
  static resume(dir: string, config: Config, mark: SweepMark, lines: ReadonlyMap<number, string>): SweepRecorder {
    const r = new SweepRecorder(RunFolder.open(dir), { ...config, out: dir }, mark);
    for (const [index, line] of lines) {
      r.lines.set(index, line);
      // summary.json lists files as of its last writing: add the curves written since
      if (fs.existsSync(r.folder.path(trialFile(index)))) r.folder.add(trialFile(index));
    }
    r.folder.writeSummary('sweep', 'running', r.config, r.marked());
    return r;
  }

  private marked(results: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...results, sweepId: this.mark.sweepId, shard: this.mark.shard, identity: this.mark.identity };
  }

  /**
   * One finished run: its curves in trials/<index>.jsonl, then its `trial` line in
   * results.jsonl (in that order: a run with a result line has its curves).
   */
  trial(fields: { index: number }, curve?: Curve | string): void {
    if (curve) {
      this.folder.write(trialFile(fields.index), typeof curve === 'string' ? curve : curveText(curve), `the curves of run ${fields.index}`);
    }
    this.lines.set(fields.index, eventText('trial', fields));
    this.writeResults([...this.lines.values()]);
  }

  /**
   * A run finished elsewhere (a shard's), its line and curves as they were written
   * there; results.jsonl is written once, by done().
   */
  adopt(index: number, line: string, curve: Uint8Array | null): void {
    if (curve) this.folder.write(trialFile(index), curve, `the curves of run ${index}`);
    this.lines.set(index, line);
  }

  private writeResults(lines: readonly string[]): void {
    const text = [JSON.stringify(formatLine('sweep')), ...lines].join('\n') + '\n';
    this.folder.write('results.jsonl', text, 'the sweep results');
  }

  /**
   * Everything at the end: results in run order, the best model (a Model, or a shard's
   * model.json bytes as they are), the picture (unless --no-plots), the summary.
   */
  async done(
    summary: { points: readonly PointResult[] } & Record<string, unknown>,
    keys: readonly string[],
    best: Model | Uint8Array | null,
    warn: (m: string) => void,
  ): Promise<void> {
    this.writeResults([...this.lines].sort(([a], [b]) => a - b).map(([, line]) => line));
    if (best instanceof Uint8Array) this.folder.write('model.json', best, 'the model');
    else if (best) {
      saveModel(this.folder.path('model.json'), best);
      this.folder.add('model.json');
    }
    if (this.config.plots) {
      const c = this.config;
      await writeSweepPicture(this.folder, summary.points, keys, `Validation accuracy (${c.loss}, ${c.opt}, ${c.iters} iterations)`, warn);
    }
    const { config: _config, ...results } = summary;
    this.folder.writeSummary('sweep', 'done', this.config, this.marked(results));
  }

  /** Leave a consistent folder when the sweep fails; the first error is the one reported. */
  fail(error: unknown): void {
    const interrupted = error instanceof LintrainError && error.exitCode === 130;
    try {
      this.folder.writeSummary(
        'sweep',
        interrupted ? 'interrupted' : 'failed',
        this.config,
        this.marked(),
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
