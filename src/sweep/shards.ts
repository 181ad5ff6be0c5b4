/**
 * A sweep cut into N disjoint shards, to spread its runs over machines (a Slurm job
 * array, a CI matrix), and the shards' results joined again. Pure: no files.
 *
 * Shards are numbered 1..N, as jest's --shard=1/3. A shard takes whole points: point p
 * goes to shard (p mod N) + 1, with all its --repeats seeds. Whole points, so that the
 * best point of the whole sweep is the best point of its shard, and the shard's model
 * (its best run, scored once on the test split) is the whole sweep's. Round robin, so
 * the shards are balanced within one point, and a grid's slow corner is spread out.
 * Run seeds come from the run's index in the whole sweep (points.ts runSeed), never
 * from the shard, so any split gives the same runs, bit for bit.
 */
import { UsageError } from '../core/errors.js';
import type { RunResult, RunSpec } from './points.js';

export interface Shard {
  k: number; // 1-based
  n: number;
}

export const shardText = (s: Shard): string => `${s.k}/${s.n}`;

/** "K/N" → a shard; refused by name unless 1 ≤ K ≤ N. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard takes K/N, shard K of N counted from 1 (e.g. --shard 1/4); got '${text}'.`);
  const [k, n] = [Number(m[1]), Number(m[2])];
  if (n < 1) throw new UsageError(`--shard ${text}: N must be at least 1.`);
  if (k < 1 || k > n) throw new UsageError(`--shard ${text}: K must be in 1..${n} (shards are counted from 1, as jest's --shard).`);
  return { k, n };
}

/** The shard (1..n) that runs point `point`. */
export const shardOfPoint = (point: number, n: number): number => (point % n) + 1;

/** The runs of one shard, in the whole sweep's order; refused when the sweep has fewer points than shards. */
export function shardSpecs(specs: readonly RunSpec[], shard: Shard): RunSpec[] {
  const points = new Set(specs.map((s) => s.point)).size;
  if (shard.n > points) {
    throw new UsageError(`--shard ${shardText(shard)}: the sweep has ${points} points, so at most ${points} shards.`);
  }
  return specs.filter((s) => shardOfPoint(s.point, shard.n) === shard.k);
}

/** What merge knows of one shard folder. */
export interface ShardFolder {
  dir: string;
  hash: string;
  shard: Shard | null; // null: a whole sweep, not a shard
  status: string;
  differences: string[]; // how its sweep differs from the first folder's (identity.ts)
}

/**
 * Why these folders cannot be merged, one line each, or [] when they can: a different
 * sweep, not a shard, unfinished, shards of different N, a shard given twice, missing ones.
 */
export function mergeProblems(folders: readonly ShardFolder[]): string[] {
  const problems: string[] = [];
  for (const f of folders) {
    if (f.differences.length > 0) problems.push(`${f.dir}: a different sweep (${f.differences.join('; ')})`);
    else if (!f.shard) problems.push(`${f.dir}: a whole sweep, not a shard (made without --shard)`);
    else if (f.status !== 'done') problems.push(`${f.dir}: shard ${shardText(f.shard)} is ${f.status}; finish it with --resume ${f.dir}`);
  }
  if (problems.length > 0) return problems;
  const n = folders[0].shard!.n;
  const other = folders.find((f) => f.shard!.n !== n);
  if (other) return [`${other.dir}: shard ${shardText(other.shard!)}, but ${folders[0].dir} is a shard of ${n}`];
  const byK = new Map<number, string[]>();
  for (const f of folders) byK.set(f.shard!.k, [...(byK.get(f.shard!.k) ?? []), f.dir]);
  for (const [k, dirs] of [...byK].sort(([a], [b]) => a - b)) {
    if (dirs.length > 1) problems.push(`shard ${k}/${n} given twice: ${dirs.join(' and ')}`);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !byK.has(k));
  if (missing.length > 0) problems.push(`missing shard${missing.length > 1 ? 's' : ''}: ${missing.map((k) => `${k}/${n}`).join(', ')}`);
  return problems;
}

/**
 * The shards' runs as the whole sweep's, by run index; throws when a run is absent or
 * present twice (the folders' files were changed by hand).
 */
export function joinRuns(parts: readonly (readonly RunResult[])[], total: number): RunResult[] {
  const runs = parts.flat().sort((a, b) => a.index - b.index);
  runs.forEach((r, i) => {
    if (r.index !== i) throw new UsageError(`the shards hold run ${r.index} where run ${i} was expected: a results.jsonl was altered.`);
  });
  if (runs.length !== total) throw new UsageError(`the shards hold ${runs.length} of the sweep's ${total} runs.`);
  return runs;
}
