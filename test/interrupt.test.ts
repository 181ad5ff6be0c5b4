/**
 * Interruptions end to end: the built CLI on a small generated data set, stopped by
 * SIGINT or SIGTERM after its first progress line, then resumed with --resume; the
 * final model's W must be byte for byte that of a run never interrupted.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMetrics, readSummary } from '../src/report/run-folder.js';
import { CHECKPOINT_FILE, loadCheckpoint } from '../src/checkpoint.js';
import type { TrainState } from '../src/train.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { writeLearnableDir } from './helpers/learnable.js';

afterAll(removeTmpDirs);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'lintrain.js');
const work = tmpDir();
const dataDir = path.join(work, 'data');
writeLearnableDir(dataDir, 60, 100);
const env = { ...process.env, NO_COLOR: '1', LINTRAIN_DATA: '' };
const ITERS = 3000; // far more JSON lines (~220 kB) than a pipe holds: the run cannot end before the signal
const SEARCH_TRIES = 2000; // ~90 bytes of JSON each: more than a pipe holds
const RUN = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--num-dev', '20',
  '--backend', 'wasm', '--threads', '1', '--opt', 'adam', '--lr', '1e-4', '--sample', 'epoch', '--batch-size', '10',
  '--iters', String(ITERS), '--eval-every', '500', '--seed', '5', '--log-format', 'json'];

/**
 * Start the CLI, wait for its first progress line, stop reading (its output pipe fills and
 * it waits, so it cannot finish meanwhile), send the signal, then read on to the end.
 */
function interrupted(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, env });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && /"iter":1,/.test(stdout)) {
        sent = true;
        child.stdout.pause();
        child.kill(signal);
        setTimeout(() => child.stdout.resume(), 50);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));
const modelW = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).W as string;

function lintrain(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('SIGINT: checkpoint, summary so far, exit 130; --resume ends bit-identical to an uninterrupted run', async () => {
  const out = path.join(work, 'run-int');
  const whole = path.join(work, 'whole.json');
  const resumed = path.join(work, 'resumed.json');
  const r = await interrupted([...RUN, '--out', out, '--save', resumed], 'SIGINT');
  expect(r.code).toBe(130);
  const done = lines(r.stdout).at(-1);
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
  expect(readMetrics(out).filter((l) => l.event === undefined)).toHaveLength(stoppedAt);
  const cp = loadCheckpoint(out);
  expect(cp.state.iter).toBe(stoppedAt);
  expect(cp.stoppedBy).toBe('SIGINT');
  expect(cp.metrics.losses).toHaveLength(stoppedAt);
  const state = cp.state as TrainState;
  expect(state.optimizer.name).toBe('adam');
  expect(Object.keys(state.optimizer.slots).sort()).toEqual(['m', 'v']);

  const rest = lintrain(['--resume', out, '--save', resumed, '--log-format', 'json']);
  expect(rest.code).toBe(0);
  expect(rest.stderr).not.toMatch(/\n\s+at /);
  const iters = lines(rest.stdout).filter((l) => l.event === undefined);
  expect(iters[0].iter).toBe(stoppedAt + 1);
  expect(iters.at(-1).iter).toBe(ITERS);
  // Finished in the same folder: one unbroken metrics log, a model, the spent checkpoint gone.
  expect(readSummary(out).status).toBe('done');
  expect(readMetrics(out).filter((l) => l.event === undefined).map((l) => l.iter)).toEqual(
    Array.from({ length: ITERS }, (_, i) => i + 1),
  );
  expect(fs.existsSync(path.join(out, 'model.json'))).toBe(true);
  expect(fs.existsSync(path.join(out, CHECKPOINT_FILE))).toBe(false);

  expect(lintrain([...RUN, '--save', whole]).code).toBe(0);
  expect(modelW(resumed)).toBe(modelW(whole));
});

test('SIGTERM: exit 143 and a checkpoint in the run folder', async () => {
  const out = path.join(work, 'run-term');
  const r = await interrupted([...RUN, '--out', out], 'SIGTERM');
  expect(r.code).toBe(143);
  expect(lines(r.stdout).at(-1).interrupted.signal).toBe('SIGTERM');
  expect(loadCheckpoint(out).stoppedBy).toBe('SIGTERM');
});

test('a search (random-local) stops between blocks of tries, exit 130, and --resume ends with the same W bytes', async () => {
  const SEARCH = ['--data', dataDir, '--num-train', '40', '--num-val', '10', '--num-test', '100', '--num-dev', '10',
    '--backend', 'wasm', '--threads', '1', '--opt', 'random-local', '--step-size', '2e-4', '--iters', String(SEARCH_TRIES),
    '--seed', '5', '--log-format', 'json', '--no-plots'];
  const out = path.join(work, 'run-search');
  const r = await interrupted([...SEARCH, '--out', out], 'SIGINT');
  expect(r.code).toBe(130);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const stoppedAt = lines(r.stdout).at(-1).interrupted.iter as number;
  expect(stoppedAt).toBeGreaterThan(0);
  expect(stoppedAt).toBeLessThan(SEARCH_TRIES);
  expect(fs.readdirSync(out)).toContain(CHECKPOINT_FILE);
  expect(fs.existsSync(path.join(out, 'model.json'))).toBe(false);
  const cp = loadCheckpoint(out);
  expect(cp.state).toMatchObject({ search: 'random-local', iter: stoppedAt });
  expect(cp.metrics.losses).toHaveLength(stoppedAt);

  const rest = lintrain(['--resume', out, '--log-format', 'json']);
  expect(rest.code).toBe(0);
  expect(lines(rest.stdout).filter((l) => l.event === undefined)[0].iter).toBe(stoppedAt + 1);
  expect(readMetrics(out).filter((l) => l.event === undefined).map((l) => l.iter)).toEqual(
    Array.from({ length: SEARCH_TRIES }, (_, i) => i + 1),
  );
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
