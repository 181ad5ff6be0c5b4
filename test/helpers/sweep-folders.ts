/**
 * Two folders of the same sweep compared file by file, what may legitimately differ
 * (when, where, how fast, the folder's own name) named and left out.
 */
import fs from 'node:fs';
import path from 'node:path';

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file));
const json = (dir: string, file: string) => JSON.parse(read(dir, file).toString());

/** Every file of a sweep folder, listed in its summary. */
const filesOf = (dir: string): string[] => json(dir, 'summary.json').files;

// What may differ between two folders of the same sweep: when, where and how fast.
const WHEN_WHERE = ['startedAt', 'endedAt', 'host', 'pid', 'wallSec', 'runSec', 'jobs', 'threadsPerJob', 'peakRssMB', 'runDir', 'shards'];
const noTime = (run: Record<string, unknown>) => ({ ...run, timeSec: 0 });
function comparable(summary: Record<string, unknown>) {
  const s: Record<string, unknown> = { ...summary, config: { ...(summary.config as object), out: null } };
  for (const k of WHEN_WHERE) delete s[k];
  s.points = (s.points as Array<Record<string, unknown>>).map((p) => ({
    ...noTime(p),
    runs: (p.runs as Array<Record<string, unknown>>).map(noTime),
  }));
  return s;
}

/**
 * Two folders of the same sweep hold the same: results.jsonl's lines in run order (the
 * run times aside), every trial's curves, the model's bytes, the picture's bytes, the
 * summary and config (times, host, pid, job counts and the folder's own name aside).
 */
export function expectSameSweep(a: string, b: string): void {
  expect(filesOf(b)).toEqual(filesOf(a));
  const lines = (dir: string) =>
    read(dir, 'results.jsonl')
      .toString()
      .replace(/"timeSec":[^,}]+/g, '"timeSec":0');
  expect(lines(b)).toBe(lines(a));
  for (const f of filesOf(a).filter((f) => !['results.jsonl', 'summary.json', 'config.json'].includes(f))) {
    expect([f, read(b, f).equals(read(a, f))]).toEqual([f, true]);
  }
  expect({ ...json(b, 'config.json'), out: null }).toEqual({ ...json(a, 'config.json'), out: null });
  expect(comparable(json(b, 'summary.json'))).toEqual(comparable(json(a, 'summary.json')));
}
