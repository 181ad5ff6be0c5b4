/**
 * The CLI end to end: spawned as a user would run it (the built bin/lintrain.js),
 * on small generated data sets in the official binary format.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONSTRAINTS, type ConfigKey, DEFAULTS, flagOf } from '../src/config/schema.js';
import { bin, lintrain as cli } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-cli-'));
const dataDir = path.join(tmp, 'data');
writeLearnableDir(dataDir, 60, 100); // 300 training records, 100 test
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// --no-plots: the pictures have their own tests (run-folder.test.ts); here they would only cost time.
const SMALL = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--num-dev', '20', '--no-plots'];

const lintrain = (args: string[], env: Record<string, string> = {}) => cli(args, { cwd: tmp, env });

describe.each(['js', 'wasm'])('training with --backend %s', (backend) => {
  const args = [...SMALL, '--backend', backend, '--loss', 'softmax', '--lr', '1e-6', '--reg', '10', '--iters', '30'];
  const run = lintrain([...args, '--log-format', 'json', '--eval-every', '10', '--seed', '1']);

  test('--log-format json: the format line, start, one object per iteration and a final done', () => {
    expect(run.stderr).not.toMatch(/^\{/m);
    expect(run.code).toBe(0);
    const lines = run.events;
    expect(lines.slice(0, 2).map((l) => l.event)).toEqual(['format', 'start']);
    expect(lines[1]).toMatchObject({ kernels: backend, threads: backend === 'js' ? 1 : expect.any(Number), resumedAt: null });
    expect(lines[1].config.threads).toBeUndefined(); // a setting of the machine, not of the run
    const iters = lines.filter((l) => l.event === 'iter');
    expect(iters).toHaveLength(30);
    expect(Object.keys(iters[0]).sort()).toEqual(['batchAcc', 'event', 'iter', 'loss', 'lr']);
    expect(lines.filter((l) => l.event === 'val').map((l) => l.iter)).toEqual([10, 20]);
    const done = lines.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.valAcc).toBeGreaterThan(0.8); // the generated classes are easy; chance is 0.1
    expect(done.testAcc).toBeGreaterThan(0.8);
    expect(Object.keys(done.perClass)).toContain('airplane');
    expect(done.config).toMatchObject({ loss: 'softmax', backend, iters: 30, numTrain: 250 });
    expect(done.kernels).toBe(backend);
    expect(done.peakRssMB).toBeGreaterThan(0);
  });

  test('the same seed and flags give the same losses, bit for bit', () => {
    const again = lintrain([...args, '--log-format', 'json', '--eval-every', '10', '--seed', '1']);
    const losses = (r: typeof run) => r.events.filter((l) => l.event === 'iter').map((l) => l.loss);
    expect(losses(again)).toEqual(losses(run));
  });
});

test('the js and wasm backends train the same run within float tolerance', () => {
  const args = [...SMALL, '--iters', '5', '--log-format', 'json', '--seed', '2'];
  const losses = (b: string) =>
    lintrain([...args, '--backend', b])
      .events.filter((l) => l.event === 'iter')
      .map((l) => l.loss);
  const js = losses('js');
  const wasm = losses('wasm');
  expect(wasm).toHaveLength(5);
  for (const [i, v] of wasm.entries()) expect(Math.abs(v - js[i]) / js[i]).toBeLessThan(1e-4);
});

test('pretty output without a terminal: iteration lines and a summary', () => {
  const r = lintrain([...SMALL, '--iters', '20', '--backend', 'js']);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/iteration 1 \/ 20: loss \d+\.\d+/);
  expect(r.stdout).toMatch(/test accuracy\s+\d+\.\d+%/);
  expect(r.stdout).toMatch(/per-class test accuracy/);
  expect(r.stdout + r.stderr).not.toContain('\u001b['); // NO_COLOR and no TTY: no escape codes
});

test('--config file, overridden by flags', () => {
  const file = path.join(tmp, 'run.json');
  fs.writeFileSync(file, JSON.stringify({ loss: 'svm2', iters: 4, lr: 3e-7 }));
  const r = lintrain([...SMALL, '--config', file, '--iters', '3', '--log-format', 'json', '--backend', 'js']);
  expect(r.code).toBe(0);
  expect(r.events.at(-1)!.config).toMatchObject({ loss: 'svm2', iters: 3, lr: 3e-7 });
});

test('--save writes a model that `lintrain eval` scores the same', () => {
  const model = path.join(tmp, 'models', 'm.json');
  const r = lintrain([...SMALL, '--iters', '20', '--save', model, '--log-format', 'json', '--backend', 'js']);
  expect(r.code).toBe(0);
  const done = r.events.at(-1)!;
  expect(fs.readdirSync(path.dirname(model))).toEqual(['m.json']); // no temporary file left behind
  expect(JSON.parse(fs.readFileSync(model, 'utf8'))).toMatchObject({ kernels: 'js', lintrain: expect.any(String) });
  const e = lintrain(['eval', '--model', model, '--data', dataDir, '--log-format', 'json']);
  expect(e.code).toBe(0);
  expect(e.events.map((l) => l.event)).toEqual(['format', 'eval']);
  expect(e.events[1].testAcc).toBe(done.testAcc);
});

describe('errors: one line, the culprit, the exit code', () => {
  test.each([
    [['--lr', '-1'], /The 'lr' parameter \(--lr\) must be a number in the range \(0, inf\)\. Got -1 instead\./],
    [['--lr', 'fast'], /--lr takes a number, got 'fast'/],
    [['--loss', 'hinge'], /Allowed choices are svm, svm2, softmax/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--opt', 'nesterov', '--momentum', '0'], /Nesterov momentum requires a momentum/],
  ])('bad usage %j exits 2', (args, message) => {
    const r = lintrain([...SMALL, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('split sizes larger than the data are refused with the numbers', () => {
    const r = lintrain(['--data', dataDir, '--num-train', '290', '--num-val', '20']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/290.*20.*310.*300/);
  });

  test('no data and --no-download: names the directory and both ways to get the data', () => {
    const empty = path.join(tmp, 'nothing-here');
    const r = lintrain(['--data', empty, '--no-download']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(empty);
    expect(r.stderr).toMatch(/lintrain download`.*lintrain download --from FILE/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a damaged batch file is named, with the fault', () => {
    const bad = path.join(tmp, 'bad');
    const dir = writeLearnableDir(bad, 10, 10);
    fs.appendFileSync(path.join(dir, 'data_batch_3.bin'), Buffer.from([1, 2, 3]));
    const r = lintrain(['--data', bad, '--num-train', '30', '--num-val', '10', '--num-test', '10']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data_batch_3\.bin.*3073/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('--min-val-acc not met exits 3', () => {
    const r = lintrain([...SMALL, '--iters', '1', '--lr', '1e-12', '--min-val-acc', '0.99', '--backend', 'js']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/below --min-val-acc 0\.99/);
  });
});

test('gradcheck --synthetic passes for every loss and exits 0', () => {
  for (const loss of ['svm', 'svm2', 'softmax']) {
    const r = lintrain(['gradcheck', '--synthetic', '--loss', loss, '--checks', '5', '--num-dev', '20']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/relative error \S+ (good|ok|suspect|wrong)/g)).toHaveLength(5);
    const worst = Number(/max relative error (\S+)/.exec(r.stdout)![1]);
    expect(worst).toBeLessThan(1e-6);
  }
});

test('train --help lists every config flag once, in its section, then examples and exit codes', () => {
  const r = lintrain(['train', '--help']);
  expect(r.code).toBe(0);
  const sections = ['Loss and regularization:', 'Optimizer:', 'Data:', 'Features:', 'Output:', 'Execution (never changes the results):'];
  for (const s of sections) expect(r.stdout).toContain(`\n${s}\n`);
  for (const key of Object.keys(CONSTRAINTS) as ConfigKey[]) {
    // A flag whose default is on is listed as its negation: --no-plots.
    const flag = DEFAULTS[key] === true ? `--no-${flagOf(key).slice(2)}` : flagOf(key);
    const listed = r.stdout.match(new RegExp(`^  ${flag}[ ,]`, 'gm')) ?? [];
    expect([key, listed.length]).toEqual([key, 1]);
  }
  expect(r.stdout).toMatch(/Examples:\n {2}lintrain --loss svm --opt sgd/);
  expect(r.stdout).toContain('Exit codes: 0 done, 1 fault, 2 bad usage or config, 3 --min-val-acc not met');
});

describe('flags renamed in 0.3: the former name still works, and says so in one line', () => {
  const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning:'));

  test('gradcheck --h is --fd-step', () => {
    const r = lintrain(['gradcheck', '--synthetic', '--checks', '2', '--num-dev', '10', '--h', '1e-6', '--log-format', 'json']);
    expect(r.code).toBe(0);
    expect(warnings(r.stderr)).toEqual(['warning: --h is now --fd-step; the old name will be removed in lintrain 0.4.']);
    expect(r.events.filter((e) => e.event === 'warning')).toHaveLength(1);
    expect(r.events.find((e) => e.event === 'gradcheck')!.h).toBe(1e-6);
    const both = lintrain(['gradcheck', '--synthetic', '--h', '1e-6', '--fd-step', '1e-6']);
    expect([both.code, both.stderr.trim()]).toEqual([2, 'lintrain: --h is the former name of --fd-step; give one of them.']);
  });

  test('runs --dir DIR is `runs DIR`', () => {
    const r = lintrain(['runs', '--dir', path.join(tmp, 'none')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no runs in .*none/);
    expect(warnings(r.stderr)).toEqual([expect.stringMatching(/^warning: --dir DIR is now an argument: lintrain runs DIR/)]);
  });

  test('visualize --out and features extract --out are --save (--out is always a run folder)', () => {
    const v = lintrain(['visualize', '--model', path.join(tmp, 'missing.json'), '--out', path.join(tmp, 'x.png')]);
    expect(warnings(v.stderr)).toEqual(['warning: --out is now --save; the old name will be removed in lintrain 0.4.']);
    expect(v.code).toBe(1); // the model is missing: the warning came first, then the one-line error
    const f = lintrain(['features', 'extract', '--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100']);
    expect([f.code, f.stderr.trim()]).toEqual([2, 'lintrain: features extract needs --save FILE, the feature file to write.']);
  });
});

test('a reader that stops early (lintrain sweep --help | true) is no error', () => {
  // `true` exits without reading, long before node has started: every write meets a closed pipe.
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" sweep --help | true; echo "exit $?"`], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('exit 0\n');
});
