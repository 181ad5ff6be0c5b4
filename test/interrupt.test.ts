/**
 * Interruptions end to end: the built CLI on a small generated data set, stopped by
 * SIGINT or SIGTERM after its first progress line, then resumed with --resume; the
 * final model's W must be byte for byte that of a run never interrupted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readMetrics, readSummary } from '../src/report/run-folder.js';
import { CHECKPOINT_FILE, loadCheckpoint } from '../src/training/checkpoint.js';
import type { TrainState } from '../src/training/trainer.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { type CliResult, lintrain as cli, lintrainSignalled } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';
import { VERSION } from '../src/version.js';

afterAll(removeTmpDirs);

const work = tmpDir();
const dataDir = path.join(work, 'data');
writeLearnableDir(dataDir, 60, 100);
const ITERS = 3000; // far more JSON lines (~220 kB) than a pipe holds: the run cannot end before the signal
const SEARCH_TRIES = 2000; // ~90 bytes of JSON each: more than a pipe holds
const RUN = [
  '--data',
  dataDir,
  '--num-train',
  '250',
  '--num-val',
  '50',
  '--num-test',
  '100',
  '--num-dev',
  '20',
  '--backend',
  'wasm',
  '--threads',
  '1',
  '--opt',
  'adam',
  '--lr',
  '1e-4',
  '--sample',
  'epoch',
  '--batch-size',
  '10',
  '--iters',
  String(ITERS),
  '--eval-every',
  '500',
  '--seed',
  '5',
  '--log-format',
  'json',
];

/** Start the CLI, send the signal once its first iteration is out, and read on to the end. */
const interrupted = (args: string[], signal: NodeJS.Signals) => lintrainSignalled(args, { cwd: work, when: /"iter":1,/, signal });
const lines = (r: CliResult) => r.events;
const modelW = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).W as string;
const lintrain = (args: string[]) => cli(args, { cwd: work });

test('SIGINT: checkpoint, summary so far, exit 130; --resume ends bit-identical to an uninterrupted run', async () => {
  const out = path.join(work, 'run-int');
  const whole = path.join(work, 'whole.json');
  const resumed = path.join(work, 'resumed.json');
  const r = await interrupted([...RUN, '--out', out, '--save', resumed], 'SIGINT');
  expect(r.code).toBe(130);
  const done = lines(r).at(-1)!;
  expect(done.event).toBe('done');
  expect(done.interrupted).toEqual({ signal: 'SIGINT', iter: expect.any(Number), checkpoint: out });
  const stoppedAt = done.interrupted.iter as number;
  expect(stoppedAt).toBeGreaterThan(0);
  expect(stoppedAt).toBeLessThan(ITERS);
  expect(done.iters).toBe(stoppedAt);
  expect(done.saved).toBeNull();
  expect(fs.existsSync(resumed)).toBe(false); // no model under --save for an unfinished run
  expect(r.stderr).toMatch(/SIGINT: stopping after the current step/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  // The run folder: the checkpoint beside the metrics so far, status interrupted, no model.
  expect(fs.readdirSync(out).sort()).toEqual([CHECKPOINT_FILE, 'config.json', 'metrics.jsonl', 'summary.json']);
  expect(readSummary(out).status).toBe('interrupted');
  expect(readMetrics(out).filter((l) => l.event === 'iter')).toHaveLength(stoppedAt);
  const cp = loadCheckpoint(out);
  expect(cp.state.iter).toBe(stoppedAt);
  expect(cp.stoppedBy).toBe('SIGINT');
  expect(cp.metrics.losses).toHaveLength(stoppedAt);
  const state = cp.state as TrainState;
  expect(state.optimizer.name).toBe('adam');
  expect(Object.keys(state.optimizer.slots).sort()).toEqual(['m', 'v']);

  // On 2 threads where the run began on 1: the thread count is the machine's, never the run's.
  const rest = lintrain(['--resume', out, '--save', resumed, '--threads', '2', '--log-format', 'json']);
  expect(rest.code).toBe(0);
  expect(rest.events[1]).toMatchObject({ event: 'start', resumedAt: stoppedAt, threads: 2, kernels: 'wasm' });
  expect(rest.events.filter((e) => e.event === 'warning')).toEqual([]);
  expect(rest.stderr).not.toMatch(/\n\s+at /);
  const iters = lines(rest).filter((l) => l.event === 'iter');
  expect(iters[0].iter).toBe(stoppedAt + 1);
  expect(iters.at(-1)!.iter).toBe(ITERS);
  // Finished in the same folder: one unbroken metrics log, a model, the spent checkpoint gone.
  expect(readSummary(out).status).toBe('done');
  expect(
    readMetrics(out)
      .filter((l) => l.event === 'iter')
      .map((l) => l.iter),
  ).toEqual(Array.from({ length: ITERS }, (_, i) => i + 1));
  expect(fs.existsSync(path.join(out, 'model.json'))).toBe(true);
  expect(fs.existsSync(path.join(out, CHECKPOINT_FILE))).toBe(false);

  expect(lintrain([...RUN, '--save', whole]).code).toBe(0);
  expect(modelW(resumed)).toBe(modelW(whole));
});

test('SIGTERM: exit 143 and a checkpoint in the run folder', async () => {
  const out = path.join(work, 'run-term');
  const r = await interrupted([...RUN, '--out', out], 'SIGTERM');
  expect(r.code).toBe(143);
  expect(lines(r).at(-1)!.interrupted.signal).toBe('SIGTERM');
  expect(loadCheckpoint(out).stoppedBy).toBe('SIGTERM');
});

test('a search (random-local) stops between blocks of tries, exit 130, and --resume ends with the same W bytes', async () => {
  const SEARCH = [
    '--data',
    dataDir,
    '--num-train',
    '40',
    '--num-val',
    '10',
    '--num-test',
    '100',
    '--num-dev',
    '10',
    '--backend',
    'wasm',
    '--threads',
    '1',
    '--opt',
    'random-local',
    '--step-size',
    '2e-4',
    '--iters',
    String(SEARCH_TRIES),
    '--seed',
    '5',
    '--log-format',
    'json',
    '--no-plots',
  ];
  const out = path.join(work, 'run-search');
  const r = await interrupted([...SEARCH, '--out', out], 'SIGINT');
  expect(r.code).toBe(130);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const stoppedAt = lines(r).at(-1)!.interrupted.iter as number;
  expect(stoppedAt).toBeGreaterThan(0);
  expect(stoppedAt).toBeLessThan(SEARCH_TRIES);
  expect(fs.readdirSync(out)).toContain(CHECKPOINT_FILE);
  expect(fs.existsSync(path.join(out, 'model.json'))).toBe(false);
  const cp = loadCheckpoint(out);
  expect(cp.state).toMatchObject({ search: 'random-local', iter: stoppedAt });
  expect(cp.metrics.losses).toHaveLength(stoppedAt);

  const rest = lintrain(['--resume', out, '--log-format', 'json']);
  expect(rest.code).toBe(0);
  expect(lines(rest).filter((l) => l.event === 'iter')[0].iter).toBe(stoppedAt + 1);
  expect(
    readMetrics(out)
      .filter((l) => l.event === 'iter')
      .map((l) => l.iter),
  ).toEqual(Array.from({ length: SEARCH_TRIES }, (_, i) => i + 1));
  expect(fs.existsSync(path.join(out, CHECKPOINT_FILE))).toBe(false);
  const whole = path.join(work, 'run-search-whole');
  expect(lintrain([...SEARCH, '--out', whole]).code).toBe(0);
  expect(modelW(path.join(out, 'model.json'))).toBe(modelW(path.join(whole, 'model.json')));
});

test('--resume refuses a changed setting, --config beside it, and a folder without a checkpoint, in one line', () => {
  const out = path.join(work, 'run-term'); // still stopped (run-int has finished)
  const changed = lintrain(['--resume', out, '--lr', '1e-3']);
  expect(changed.code).toBe(2);
  expect(changed.stderr).toMatch(/^lintrain: --resume .*run-term: --lr 0\.001 differs from the checkpoint's 0\.0001;.*\n$/);
  const both = lintrain(['--resume', out, '--config', 'x.json']);
  expect(both.code).toBe(2);
  expect(both.stderr).toBe('lintrain: --resume takes the settings from the checkpoint; --config cannot be used with it.\n');
  const none = lintrain(['--resume', path.join(work, 'nowhere')]);
  expect(none.code).toBe(1);
  expect(none.stderr).toBe(`lintrain: Cannot resume from ${path.join(work, 'nowhere', CHECKPOINT_FILE)}: no such file.\n`);
});

test('a moved run folder resumes where it is now; a resume by another release says the bits may differ', () => {
  const from = path.join(work, 'run-term');
  const out = path.join(work, 'run-older');
  fs.cpSync(from, out, { recursive: true }); // its checkpoint still names run-term as its --out
  const file = path.join(out, CHECKPOINT_FILE);
  const body = JSON.parse(fs.readFileSync(file, 'utf8'));
  body.lintrain = '0.2.0';
  fs.writeFileSync(file, JSON.stringify(body));
  const r = lintrain(['--resume', out, '--iters', String(body.iter + 5), '--log-format', 'json', '--no-plots']);
  expect(r.code).toBe(0);
  expect(r.events.filter((e) => e.event === 'warning').map((e) => e.message)).toEqual([
    `the checkpoint was written by lintrain 0.2.0 and this is ${VERSION}: the final W may not be bit-identical to an uninterrupted run`,
  ]);
  expect(readSummary(out).iters).toBe(body.iter + 5); // finished here, and run-term is still stopped
  expect(fs.existsSync(path.join(from, CHECKPOINT_FILE))).toBe(true);
});

test('a resume on other kernels says the bits will differ, and the run records both kernels', () => {
  const out = path.join(work, 'run-term');
  const cp = loadCheckpoint(out);
  expect(cp.kernels).toBe('wasm');
  const r = lintrain(['--resume', out, '--backend', 'js', '--iters', String(cp.state.iter + 20), '--log-format', 'json', '--no-plots']);
  expect(r.code).toBe(0);
  expect(r.events.filter((e) => e.event === 'warning').map((e) => e.message)).toEqual([
    expect.stringMatching(
      /computed by the wasm kernels and this run continues on js: the final W will not be bit-identical to an uninterrupted run/,
    ),
  ]);
  expect(r.events.at(-1)).toMatchObject({ event: 'done', kernels: 'wasm+js' });
  expect(readSummary(out).kernels).toBe('wasm+js');
  expect(JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).kernels).toBe('wasm+js');
});
