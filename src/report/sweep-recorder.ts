/**
 * A sweep's run folder: config.json (the sweep's base config), results.jsonl (one
 * line per run, as --log-format json prints them), trials/<index>.jsonl (each run's
 * curves, as a run's metrics.jsonl), model.json (the best run, when one did not
 * diverge), sweep.{svg,png} (validation accuracy over the swept keys) and summary.json
 * (the ranked points, the choice, status, file list, and what identifies the sweep:
 * `sweepId`, `shard`, `identity`, which merge and --resume compare). results.jsonl is
 * written as trial-recorder.ts says: after every run, in run order at the end.
 */
import fs from 'node:fs';
import type { Config } from '../config/schema.js';
import { type Model, saveModel } from '../model/file.js';
import { eventText, formatLine } from './events.js';
import { RunFolder } from './run-folder.js';
import type { PointResult } from '../sweep/points.js';
import type { Curve } from '../sweep/curve.js';
import type { SweepIdentity } from '../sweep/identity.js';
import { writeSweepPicture } from './pictures.js';
import { TrialRecorder } from './trial-recorder.js';

/** What summary.json records to tell this sweep (and this shard of it) from others. */
export interface SweepMark {
  sweepId: string; // identityHash(identity)
  shard: string | null; // "K/N", or null for a whole sweep
  identity: SweepIdentity;
}

export class SweepRecorder extends TrialRecorder {
  private constructor(folder: RunFolder, config: Config, mark: SweepMark) {
    super(folder, 'sweep', config, { sweepId: mark.sweepId, shard: mark.shard, identity: mark.identity });
  }

  /** A new sweep folder (config.out, or a fresh one under runs/). */
  static create(config: Config, mark: SweepMark): SweepRecorder {
    return new SweepRecorder(TrialRecorder.newFolder(config, 'sweep'), config, mark).begin();
  }

  /**
   * A stopped sweep's folder, to go on with: its finished runs' lines are kept (the
   * caller has checked, with readSweepFolder, that it is the same sweep).
   */
  static resume(dir: string, config: Config, mark: SweepMark, lines: ReadonlyMap<number, string>): SweepRecorder {
    const r = new SweepRecorder(RunFolder.open(dir), { ...config, out: dir }, mark);
    // summary.json lists files as of its last writing: add the curves written since
    for (const index of lines.keys()) if (fs.existsSync(r.folder.path(trialFile(index)))) r.folder.add(trialFile(index));
    return r.begin(lines);
  }

  /**
   * One finished run: its curves in trials/<index>.jsonl, then its `trial` line in
   * results.jsonl (in that order: a run with a result line has its curves).
   */
  override trial(fields: { index: number }, curve?: Curve | string): void {
    if (curve) {
      this.folder.write(trialFile(fields.index), typeof curve === 'string' ? curve : curveText(curve), `the curves of run ${fields.index}`);
    }
    super.trial(fields);
  }

  /**
   * A run finished elsewhere (a shard's), its line and curves as they were written
   * there; results.jsonl is written once, by done().
   */
  adopt(index: number, line: string, curve: Uint8Array | null): void {
    if (curve) this.folder.write(trialFile(index), curve, `the curves of run ${index}`);
    this.lines.set(index, line);
  }

  /**
   * Everything at the end: the best model (a Model, or a shard's model.json bytes as
   * they are), the picture (unless --no-plots), results in run order, the summary.
   */
  async done(
    summary: { points: readonly PointResult[] } & Record<string, unknown>,
    keys: readonly string[],
    best: Model | Uint8Array | null,
    warn: (m: string) => void,
  ): Promise<void> {
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
    this.finish(results);
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
