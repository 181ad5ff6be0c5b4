/**
 * Reading a sweep's or repro's folder back: what identifies it, and its finished runs,
 * for `lintrain sweep merge`, `lintrain sweep --resume` and `lintrain repro --resume`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LintrainError } from '../core/errors.js';
import type { SweepIdentity } from '../sweep/identity.js';
import type { RunResult } from '../sweep/points.js';
import { type RunSummary, readSummary } from './run-folder.js';

export interface SweepFolder {
  dir: string;
  summary: RunSummary;
  sweepId: string;
  shard: string | null;
  identity: SweepIdentity;
  runs: RunResult[]; // the finished runs, as results.jsonl has them
  lines: Map<number, string>; // run index → its trial line, as written
  torn: boolean; // the last line was cut off (not by lintrain, whose writes are whole): dropped
}

// JSON writes NaN (a diverged run's figures, a test accuracy not measured) as null; read back, they are NaN again.
const NUMBERS = ['trainAcc', 'valAcc', 'testAcc', 'finalLoss'] as const;

/**
 * The `trial` lines of a results.jsonl. A last line that is not JSON is taken for a
 * line cut off mid-write and dropped (its run is simply not finished); a bad line
 * before the last is damage, and refused.
 */
export function parseResults<R extends { index: number } = RunResult>(
  text: string,
  file: string,
): { runs: R[]; lines: Map<number, string>; torn: boolean } {
  const raw = text.split('\n');
  if (raw.at(-1) === '') raw.pop();
  const runs: R[] = [];
  const lines = new Map<number, string>();
  let torn = false;
  raw.forEach((line, i) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch {
      if (i === raw.length - 1) {
        torn = true;
        return;
      }
      throw new LintrainError(`${file} is damaged: line ${i + 1} is not JSON.`);
    }
    if (o.event !== 'trial') return;
    const { event: _event, ...fields } = o;
    for (const k of NUMBERS) if (fields[k] === null) fields[k] = NaN;
    runs.push(fields as unknown as R);
    lines.set(fields.index as number, line);
  });
  return { runs: runs.sort((a, b) => a.index - b.index), lines, torn };
}

/** A sweep folder's summary, identity and finished runs; refused by name when it is not one. */
export function readSweepFolder(dir: string): SweepFolder {
  const { summary, ...rest } = readTrialFolder<RunResult>(dir, 'sweep', 'sweepId');
  return {
    dir,
    summary,
    ...rest,
    identity: rest.identity as SweepIdentity,
    sweepId: summary.sweepId as string,
    shard: (summary.shard as string | null) ?? null,
  };
}

/**
 * A folder of many runs (`kind` sweep or repro): its summary, its `identity`, and the
 * finished runs of results.jsonl; refused by name when it is not one, or was made
 * before lintrain recorded the identity (`idKey`, the identity's hash).
 */
export function readTrialFolder<R extends { index: number }>(dir: string, kind: 'sweep' | 'repro', idKey: string) {
  const summary = readSummary(dir);
  if (summary.kind !== kind) throw new LintrainError(`${dir} is not a ${kind}'s folder (it holds a ${summary.kind} run).`, 2);
  if (typeof summary[idKey] !== 'string' || !summary.identity) {
    throw new LintrainError(
      `${dir}: a ${kind} made before lintrain recorded what identifies a ${kind}; run it again to ${kind === 'sweep' ? 'shard or ' : ''}resume it.`,
      2,
    );
  }
  const file = path.join(dir, 'results.jsonl');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return { summary, identity: summary.identity as unknown, ...parseResults<R>(text, file) };
}
