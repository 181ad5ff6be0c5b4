/**
 * Features end to end through the built CLI, on a small generated data set:
 * `--features kmeans` and `hog-color` train, `features extract` writes a file that
 * `--features-file` trains on to the same result, and a mismatched file is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { lintrain as cli } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';

const tmp = tmpDir('lintrain-features-');
const dataDir = path.join(tmp, 'data');
writeLearnableDir(dataDir, 60, 100);
afterAll(removeTmpDirs);

const SPLIT = ['--num-train', '250', '--num-val', '50', '--num-test', '100'];
const KMEANS = ['--features', 'kmeans', '--centroids', '12', '--kmeans-patches', '3000', '--kmeans-iters', '4'];
const TRAIN = ['--lr', '1e-5', '--reg', '1', '--iters', '60', '--seed', '2', '--log-format', 'json'];

const lintrain = (args: string[]) => cli(args, { cwd: tmp });
const done = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('--features kmeans', () => {
  const direct = lintrain(['--data', dataDir, ...SPLIT, ...KMEANS, ...TRAIN]);
  const file = path.join(tmp, 'km.ltf');
  const extracted = lintrain(['features', 'extract', '--data', dataDir, ...SPLIT, ...KMEANS, '--seed', '2', '--save', file, '--quiet']);

  test('trains a linear classifier on 4K features, well above chance', () => {
    expect(direct.code).toBe(0);
    const d = done(direct.stdout);
    expect(d.event).toBe('done');
    expect(d.config).toMatchObject({ features: 'kmeans', centroids: 12 });
    expect(d.testAcc).toBeGreaterThan(0.5); // chance is 0.1
  });

  test('its run folder has the metrics and charts, but no model file or templates (W is not of pixels); show names the features', () => {
    const files = fs.readdirSync(path.resolve(tmp, done(direct.stdout).runDir)); // relative to the cwd
    expect(files).toEqual(expect.arrayContaining(['summary.json', 'metrics.jsonl', 'loss.svg', 'confusion.svg']));
    expect(files).not.toContain('model.json');
    expect(files).not.toContain('templates.png');
    const show = lintrain(['show', done(direct.stdout).runDir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('on kmeans features (12 centroids)');
  });

  test('features extract + --features-file trains to the same result', () => {
    expect(extracted.code).toBe(0);
    expect(fs.statSync(file).size).toBeGreaterThan(400 * 48);
    const again = lintrain(['--features-file', file, ...SPLIT, ...TRAIN]);
    expect(again.code).toBe(0);
    expect(done(again.stdout).testAcc).toBe(done(direct.stdout).testAcc);
    expect(done(again.stdout).finalLoss).toBe(done(direct.stdout).finalLoss);
  });

  test('a file of other features or another split is refused with exit 2', () => {
    const kind = lintrain(['--features-file', file, '--features', 'hog-color', ...SPLIT, ...TRAIN]);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/holds kmeans features, but --features is hog-color/);
    const split = lintrain(['--features-file', file, ...TRAIN]);
    expect(split.code).toBe(2);
    expect(split.stderr).toMatch(/has 250 train rows, but --num-train is 49000/);
  });
});

test('sweep refuses features instead of silently sweeping pixels', () => {
  const r = lintrain(['sweep', '--data', dataDir, ...SPLIT, '--features', 'kmeans', '--lr', '1e-5,2e-5']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/sweep runs on pixels only/);
});

test('--features hog-color trains; --save with features is refused', () => {
  const r = lintrain(['--data', dataDir, ...SPLIT, '--features', 'hog-color', '--backend', 'js', ...TRAIN]);
  expect(r.code).toBe(0);
  expect(done(r.stdout).testAcc).toBeGreaterThan(0.3);
  const s = lintrain(['--data', dataDir, ...SPLIT, '--features', 'hog-color', '--save', 'm.json']);
  expect(s.code).toBe(2);
  expect(s.stderr).toMatch(/--save keeps pixel models only/);
});
