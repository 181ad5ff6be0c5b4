/** The figures of a run folder that `lintrain runs`, `lintrain show` and the board show. */
import type { Config } from '../config/schema.js';
import { type RunSummary, runStatus } from './run-folder.js';

/**
 * The figures of a run that a table shows; a sweep's are those of its best run. A
 * landscape trains nothing: no optimizer, learning rate or accuracies (null in JSON);
 * nor has repro one of each, with its many presets (its table is `lintrain show DIR`).
 */
export function runRow(dir: string, s: RunSummary) {
  const config = s.config as Config;
  const best =
    s.kind === 'sweep' ? (s.best as { params: Record<string, number>; valAcc: number; trainAcc: number; testAcc: number } | null) : null;
  const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
  const trains = s.kind === 'train' || s.kind === 'sweep';
  const repro = s.kind === 'repro';
  return {
    dir,
    kind: s.kind,
    status: runStatus(s),
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    loss: repro ? '–' : config.loss,
    opt: trains ? config.opt : null,
    lr: trains ? (best?.params.lr ?? config.lr) : NaN,
    reg: repro ? NaN : config.regType === 'none' ? 0 : (best?.params.reg ?? config.reg),
    iters: trains ? config.iters : null,
    itersDone: num(s.itersDone),
    trainAcc: s.kind === 'sweep' ? num(best?.trainAcc) : num(s.trainAcc),
    valAcc: s.kind === 'sweep' ? num(best?.valAcc) : num(s.valAcc),
    testAcc: s.kind === 'sweep' ? num(best?.testAcc) : num(s.testAcc),
    timeSec: num(s.kind === 'sweep' || repro ? s.wallSec : s.timeSec),
  };
}

export type RunRow = ReturnType<typeof runRow>;

export const when = (iso: string) => {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
};
