/**
 * Run folders: names, refusal to mix two runs, the files and summary.json's schema,
 * listing, the status of a killed run, and the recorder that fills a folder from the
 * train loop's events (done, failed, interrupted).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runConfig } from '../src/config/schema.js';
import { readConfigFile, resolveConfig } from '../src/config/resolve.js';
import { LintrainError, UsageError } from '../src/core/errors.js';
import { listRuns, readableJson, readMetrics, readSummary, RunFolder, runName, runStatus } from '../src/report/run-folder.js';
import { RunRecorder } from '../src/report/run-recorder.js';
import type { Reporter, Summary } from '../src/report/types.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';

afterAll(removeTmpDirs);

const config = resolveConfig({}, { loss: 'softmax', opt: 'adam', iters: 3, threads: 1 });
const NOW = new Date(2024, 4, 1, 14, 25, 30); // local time

test('runName: local date and time, loss, optimizer', () => {
  expect(runName(config, 'train', NOW)).toBe('2024-05-01-142530-softmax-adam');
  expect(runName(config, 'sweep', NOW)).toBe('2024-05-01-142530-sweep-softmax-adam');
  expect(runName(config, 'landscape', NOW)).toBe('2024-05-01-142530-landscape-softmax'); // nothing trained: no optimizer
});

test('the default folder is runs/<name>; a taken name gets -2, -3', () => {
  const root = path.join(tmpDir(), 'runs');
  const dirs = [1, 2, 3].map(() => RunFolder.create(config, 'train', NOW, root).dir);
  expect(dirs.map((d) => path.relative(root, d))).toEqual([
    '2024-05-01-142530-softmax-adam',
    '2024-05-01-142530-softmax-adam-2',
    '2024-05-01-142530-softmax-adam-3',
  ]);
  for (const d of dirs) expect(fs.statSync(d).isDirectory()).toBe(true);
});

test('--out: made with its parents; a folder that holds a run is refused', () => {
  const out = path.join(tmpDir(), 'a', 'b');
  const folder = RunFolder.create({ ...config, out });
  expect(folder.dir).toBe(out);
  folder.writeConfig(config);
  expect(() => RunFolder.create({ ...config, out })).toThrow(UsageError);
  expect(() => RunFolder.create({ ...config, out })).toThrow(/already holds a run/);
});

test('summary.json: status, times, results, the sorted file list including itself', () => {
  const folder = RunFolder.create({ ...config, out: path.join(tmpDir(), 'run') }, 'train', NOW);
  folder.writeConfig(config);
  folder.write('b.txt', 'x');
  folder.writeSummary('train', 'running', config);
  let s = readSummary(folder.dir);
  expect(s).toMatchObject({
    format: 'lintrain-run',
    version: 1,
    kind: 'train',
    status: 'running',
    error: null,
    endedAt: null,
    pid: process.pid,
  });
  expect(s.startedAt).toBe(NOW.toISOString());
  expect(s.files).toEqual(['b.txt', 'config.json', 'summary.json']);
  folder.writeSummary('train', 'done', config, {
    valAcc: 0.5,
    confusion: [
      [1, 2],
      [3, 4],
    ],
  });
  s = readSummary(folder.dir);
  expect(s.status).toBe('done');
  expect(Date.parse(s.endedAt!)).toBeGreaterThanOrEqual(NOW.getTime());
  expect(s.valAcc).toBe(0.5);
  expect(s.confusion).toEqual([
    [1, 2],
    [3, 4],
  ]);
  expect(fs.readdirSync(folder.dir).sort()).toEqual(s.files); // no temporary files left
  // config.json feeds back into --config and gives the same run; --threads is the machine's, not saved
  expect(runConfig(resolveConfig(readConfigFile(folder.path('config.json'))))).toEqual(runConfig(config));
  expect(readConfigFile(folder.path('config.json'))).not.toHaveProperty('threads');
});

test('readableJson keeps number arrays on one line and parses back the same', () => {
  const value = {
    a: [
      [1, 2.5, -3e-7],
      [4, 5, 6],
    ],
    b: ['x', 'y'],
    c: { d: [] },
  };
  const text = readableJson(value);
  expect(text).toContain('[1, 2.5, -3e-7]');
  expect(JSON.parse(text)).toEqual(value);
});

test('listRuns: run folders oldest first, other folders skipped', () => {
  const root = tmpDir();
  const later = RunFolder.create(config, 'train', new Date(2024, 0, 2), root);
  const earlier = RunFolder.create(config, 'train', new Date(2024, 0, 1), root);
  for (const f of [later, earlier]) f.writeSummary('train', 'done', config);
  fs.mkdirSync(path.join(root, 'not-a-run'));
  expect(listRuns(root).map((r) => r.dir)).toEqual([earlier.dir, later.dir]);
  expect(listRuns(path.join(root, 'missing'))).toEqual([]);
});

test('a "running" summary whose process is gone reads as interrupted', () => {
  const folder = RunFolder.create({ ...config, out: path.join(tmpDir(), 'killed') });
  folder.writeSummary('train', 'running', config);
  const s = readSummary(folder.dir);
  expect(runStatus(s)).toBe('running'); // this process is alive
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  expect(runStatus({ ...s, pid: dead })).toBe('interrupted');
  expect(runStatus({ ...s, status: 'done', pid: dead })).toBe('done');
});

describe('RunRecorder', () => {
  const people = (): Reporter & { calls: string[]; summary?: Summary } => {
    const r = {
      calls: [] as string[],
      summary: undefined as Summary | undefined,
      phase: () => ({ update() {}, stop() {} }),
      start: () => r.calls.push('start'),
      iter: () => r.calls.push('iter'),
      val: () => r.calls.push('val'),
      done: (s: Summary) => {
        r.calls.push('done');
        r.summary = s;
      },
      warn: () => r.calls.push('warn'),
      info: (m: string) => r.calls.push(`info ${m}`),
      close: () => r.calls.push('close'),
    };
    return r;
  };
  const events = (rec: RunRecorder) => {
    rec.iter({ event: 'iter', iter: 1, loss: 2.3, batchAcc: 0.1, lr: 1e-3 });
    rec.iter({ event: 'iter', iter: 2, loss: 2.1, batchAcc: 0.2, lr: 1e-3 });
    rec.val({ event: 'val', iter: 2, valAcc: 0.25 });
  };

  test('starts the folder with config.json and a running summary', () => {
    const rec = new RunRecorder(RunFolder.create({ ...config, out: path.join(tmpDir(), 'r') }), people(), config, 'js');
    expect(readSummary(rec.folder.dir).status).toBe('running');
    expect(readMetrics(rec.folder.dir)).toEqual([]);
  });

  test('done: metrics.jsonl has every line, summary.json the results; people hear it with the folder', () => {
    const p = people();
    const rec = new RunRecorder(RunFolder.create({ ...config, out: path.join(tmpDir(), 'r') }), p, config, 'js');
    events(rec);
    const summary = { valAcc: 0.3, testAcc: 0.28, runDir: rec.folder.dir, config } as unknown as Summary;
    rec.done(summary);
    expect(readMetrics(rec.folder.dir)).toEqual([
      { event: 'iter', iter: 1, loss: 2.3, batchAcc: 0.1, lr: 1e-3 },
      { event: 'iter', iter: 2, loss: 2.1, batchAcc: 0.2, lr: 1e-3 },
      { event: 'val', iter: 2, valAcc: 0.25 },
    ]);
    expect(fs.readFileSync(rec.folder.path('metrics.jsonl'), 'utf8').split('\n')[0]).toMatch(
      /^\{"event":"format","format":"lintrain-events","version":1,"command":"train"/,
    );
    const s = readSummary(rec.folder.dir);
    expect(s).toMatchObject({ status: 'done', valAcc: 0.3, testAcc: 0.28, itersDone: 2, lastLoss: 2.1, error: null, kernels: 'js' });
    expect(s.runDir).toBeUndefined();
    expect(s.files).toEqual(['config.json', 'metrics.jsonl', 'summary.json']);
    expect(p.calls).toEqual(['iter', 'iter', 'val', 'done', `info run folder: ${rec.folder.dir}`]);
    expect(p.summary?.runDir).toBe(rec.folder.dir);
  });

  test.each([
    [new LintrainError('Training diverged: the loss is NaN at iteration 2.'), 'failed'],
    [new LintrainError('Interrupted.', 130), 'interrupted'],
  ])('fail(%s) leaves a consistent folder with status %s', (error, status) => {
    const rec = new RunRecorder(RunFolder.create({ ...config, out: path.join(tmpDir(), 'r') }), people(), config, 'js');
    events(rec);
    rec.fail(error);
    const s = readSummary(rec.folder.dir);
    expect(s).toMatchObject({ status, error: error.message, itersDone: 2 });
    expect(s.endedAt).not.toBeNull();
    expect(readMetrics(rec.folder.dir)).toHaveLength(3);
    expect(fs.readdirSync(rec.folder.dir).sort()).toEqual(s.files);
  });
});
