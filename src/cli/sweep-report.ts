/** What `lintrain sweep` and `lintrain sweep merge` print for people: the ranked table and the choice. */
import { type Config, flagOf } from '../config/schema.js';
import type { Axis, BestSummary, Params, PointResult, SweepKey } from '../sweep/points.js';
import { fmtNum, pct, plural, secs, textTable } from './table.js';

export const paramText = (params: Params): string =>
  Object.entries(params)
    .map(([k, v]) => `${k} ${fmtNum(v)}`)
    .join(', ');

export const axisText = (a: Axis): string =>
  a.kind === 'grid' ? `${a.key} ${a.values.map(fmtNum).join(',')}` : `${a.key} ${fmtNum(a.lo)}:${fmtNum(a.hi)} (log)`;

/** The ranked table, the choice and its one test score, and the parallel speed-up. */
export function sweepReport(
  axes: readonly Axis[],
  s: {
    repeats: number;
    points: readonly PointResult[];
    best: BestSummary | null;
    wallSec: number;
    runSec: number;
    jobs: number;
    peakRssMB: number;
    saved: string | null;
    config: Config;
  },
): string {
  const keys = [...new Set(['lr', 'reg', ...axes.map((a) => a.key)])] as SweepKey[];
  const value = (p: Params, k: SweepKey) => fmtNum(p[k] ?? s.config[k]);
  const one = s.repeats === 1;
  const rows = s.points.map((p, i) => [
    String(i + 1),
    ...keys.map((k) => value(p.params, k)),
    one ? String(p.runs[0].seed) : String(p.runs.length),
    pct(p.trainAcc),
    p.runs.some((r) => r.error) ? 'diverged' : one ? pct(p.valAcc) : `${pct(p.valAcc)} ± ${(100 * p.valStd).toFixed(2)}`,
    secs(p.timeSec),
  ]);
  const header = ['#', ...keys, one ? 'seed' : 'runs', 'train', 'val', 'time'];
  const out = [
    textTable(
      header,
      rows,
      header.map(() => true),
    ),
  ];
  const b = s.best;
  if (b) {
    const mean = one ? '' : ` (mean val ${pct(b.meanValAcc)} ± ${(100 * b.valStd).toFixed(2)} over ${s.repeats} seeds; kept its best run)`;
    out.push(
      `best by validation accuracy: ${paramText(b.params)}${mean}: seed ${b.seed}, train ${pct(b.trainAcc)}, val ${pct(b.valAcc)}, test ${pct(b.testAcc)}`,
      `  alone: lintrain ${keys.map((k) => `${flagOf(k)} ${value(b.params, k)}`).join(' ')} --seed ${b.seed} (with the sweep's other flags)` +
        (s.saved ? `; saved to ${s.saved}` : ''),
    );
  } else {
    out.push('every run diverged: try smaller learning rates');
  }
  const n = s.points.reduce((a, p) => a + p.runs.length, 0);
  out.push(
    `${n} runs in ${secs(s.wallSec)} on ${plural(s.jobs, 'job')} (sum of run times ${secs(s.runSec)}, ` +
      `${(s.runSec / s.wallSec).toFixed(2)}× in parallel); peak RSS ${s.peakRssMB} MB`,
  );
  return out.join('\n');
}
