/**
 * Run folders end to end, spawned as a user runs them on a small generated data set:
 * the files of a run and their schemas, the pictures (decoded, with their sizes),
 * --no-plots, a failing run, a sweep's folder, and `runs`, `show`, `visualize`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { runConfig } from '../src/config/schema.js';
import { readConfigFile, resolveConfig } from '../src/config/resolve.js';
import { OFFICIAL_CLASS_NAMES } from '../src/data/cifar10.js';
import { gridLayout } from '../src/report/plots/templates.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { checkEvents, lintrain as cli } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';

const tmp = tmpDir('lintrain-runs-');
const dataDir = path.join(tmp, 'data');
writeLearnableDir(dataDir, 60, 100); // 300 training records; 100 test, 10 per class
afterAll(removeTmpDirs);

const SMALL = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--backend', 'js', '--seed', '3'];
const TRAIN = [...SMALL, '--loss', 'softmax', '--lr', '1e-6', '--reg', '10', '--iters', '30', '--eval-every', '10'];

const lintrain = (args: string[], cwd = tmp) => cli(args, { cwd });
/** A run folder's JSON lines file, checked against the events' schema like stdout. */
const jsonLines = (text: string, command = 'train') => checkEvents(text, command);
const png = (file: string) => PNG.sync.read(fs.readFileSync(file));
const svgSize = (file: string) => {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(fs.readFileSync(file, 'utf8'))!;
  return [Math.round(2 * Number(m[1])), Math.round(2 * Number(m[2]))];
};
const PICTURES = ['accuracy.png', 'accuracy.svg', 'confusion.png', 'confusion.svg', 'loss.png', 'loss.svg', 'templates.png'];
const DATA_FILES = ['config.json', 'metrics.jsonl', 'model.json', 'summary.json'];

describe('a run with --out and pictures', () => {
  const out = path.join(tmp, 'runs-here', 'softmax');
  const run = lintrain([...TRAIN, '--out', out, '--log-format', 'json']);
  const lines = run.events;

  test('exits 0; the done line says where the folder is', () => {
    expect(run.stderr).not.toMatch(/warning/);
    expect(run.code).toBe(0);
    expect(lines.at(-1)).toMatchObject({ event: 'done', runDir: out });
  });

  test('the folder holds exactly the listed files, no temporary ones', () => {
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.files).toEqual([...DATA_FILES, ...PICTURES].sort());
    expect(fs.readdirSync(out).sort()).toEqual(summary.files);
  });

  test('config.json round-trips through resolveConfig', () => {
    const config = resolveConfig(readConfigFile(path.join(out, 'config.json')));
    expect(runConfig(config)).toEqual(lines.at(-1)!.config);
    expect(config).toMatchObject({ loss: 'softmax', iters: 30, out });
  });

  test('metrics.jsonl: the format line, then the JSON log lines, one per iteration and per validation check', () => {
    const metrics = jsonLines(fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8'));
    expect(metrics).toHaveLength(1 + 30 + 2);
    expect(metrics[0]).toEqual(lines[0]);
    expect(metrics.slice(1)).toEqual(lines.filter((l) => l.event === 'iter' || l.event === 'val'));
    expect(metrics.filter((m) => m.event === 'val').map((m) => m.iter)).toEqual([10, 20]);
  });

  test('summary.json: status, times, results, a confusion matrix whose rows sum to the class counts', () => {
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const done = lines.at(-1)!;
    expect(s).toMatchObject({
      format: 'lintrain-run',
      version: 1,
      kind: 'train',
      status: 'done',
      error: null,
      itersDone: 30,
      kernels: 'js',
    });
    expect(s.config.threads).toBeUndefined();
    expect(Date.parse(s.endedAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
    for (const k of ['trainAcc', 'valAcc', 'testAcc', 'perClass', 'finalLoss', 'confusion', 'classNames']) expect(s[k]).toEqual(done[k]);
    expect(s.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0))).toEqual(new Array(10).fill(10));
    const diagonal = s.confusion.reduce((a: number, row: number[], t: number) => a + row[t], 0);
    expect(diagonal / 100).toBeCloseTo(s.testAcc, 12);
  });

  test('model.json is the run’s model: eval scores it the same', () => {
    const e = lintrain(['eval', '--model', path.join(out, 'model.json'), '--data', dataDir, '--log-format', 'json']);
    expect(e.events.at(-1)!.testAcc).toBe(lines.at(-1)!.testAcc);
  });

  test('pictures: PNGs decode at twice their SVG size; SVGs name what they show', () => {
    for (const name of ['loss', 'accuracy', 'confusion']) {
      const img = png(path.join(out, `${name}.png`));
      expect([img.width, img.height]).toEqual(svgSize(path.join(out, `${name}.svg`)));
    }
    const confusion = fs.readFileSync(path.join(out, 'confusion.svg'), 'utf8');
    for (const n of OFFICIAL_CLASS_NAMES) expect(confusion).toContain(`${n} (10)`);
    expect(fs.readFileSync(path.join(out, 'loss.svg'), 'utf8')).toContain('smoothed');
    const t = png(path.join(out, 'templates.png'));
    expect([t.width, t.height]).toEqual([gridLayout(4).width, gridLayout(4).height]);
  });

  test('the same --out again is refused: two runs never mix', () => {
    const again = lintrain([...TRAIN, '--out', out, '--no-plots']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run/);
  });

  test('visualize draws the templates of the saved model', () => {
    const file = path.join(tmp, 'pics', 't.png');
    const v = lintrain(['visualize', '--model', path.join(out, 'model.json'), '--save', file]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(file);
    expect(fs.readFileSync(file)).toEqual(fs.readFileSync(path.join(out, 'templates.png')));
  });
});

test('--no-plots: the data files, no pictures; without --out, a folder under runs/', () => {
  const cwd = tmpDir();
  const r = lintrain([...TRAIN, '--no-plots'], cwd);
  expect(r.code).toBe(0);
  const [name] = fs.readdirSync(path.join(cwd, 'runs'));
  expect(name).toMatch(/^\d{4}-\d\d-\d\d-\d{6}-softmax-sgd$/);
  expect(fs.readdirSync(path.join(cwd, 'runs', name)).sort()).toEqual(DATA_FILES);
  expect(r.stderr).toContain(`run folder: ${path.join('runs', name)}`);
  expect(r.stdout).not.toMatch(/[┼┤╭╮╰╯]/); // no terminal chart without a terminal
});

test('a failing run leaves a consistent folder with status failed', () => {
  const out = path.join(tmp, 'diverged');
  const r = lintrain([...SMALL, '--loss', 'svm', '--lr', '1e30', '--iters', '50', '--out', out]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/diverged/);
  const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  expect(s).toMatchObject({ status: 'failed', error: expect.stringMatching(/diverged/) });
  expect(s.itersDone).toBeLessThan(50);
  expect(jsonLines(fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8'))).toHaveLength(1 + s.itersDone);
  expect(fs.readdirSync(out).sort()).toEqual(s.files);
  expect(s.files).toEqual(['config.json', 'metrics.jsonl', 'summary.json']);
});

describe('runs, show and a sweep folder', () => {
  const dir = path.join(tmp, 'listed');
  const first = lintrain([...TRAIN, '--no-plots', '--out', path.join(dir, 'a')]);
  const sweep = lintrain([
    'sweep',
    ...SMALL,
    '--loss',
    'softmax',
    '--iters',
    '20',
    '--lr',
    '1e-7,1e-6',
    '--reg',
    '1,10',
    '--jobs',
    '1',
    '--out',
    path.join(dir, 'b'),
    '--log-format',
    'json',
  ]);

  test('a sweep folder: its config, one result line per run, the best model, the chart, the summary', () => {
    expect(first.code).toBe(0);
    expect(sweep.code).toBe(0);
    const b = path.join(dir, 'b');
    const s = JSON.parse(fs.readFileSync(path.join(b, 'summary.json'), 'utf8'));
    expect(s).toMatchObject({ kind: 'sweep', status: 'done' });
    const trials = ['trials/0.jsonl', 'trials/1.jsonl', 'trials/2.jsonl', 'trials/3.jsonl']; // each run's curves
    expect(s.files).toEqual(['config.json', 'model.json', 'results.jsonl', 'summary.json', 'sweep.png', 'sweep.svg', ...trials]);
    const results = jsonLines(fs.readFileSync(path.join(b, 'results.jsonl'), 'utf8'), 'sweep');
    expect(results.map((l) => l.event)).toEqual(['format', 'trial', 'trial', 'trial', 'trial']);
    expect(results.slice(1)).toEqual(sweep.events.filter((l) => l.event === 'trial'));
    expect(sweep.events.at(-1)).toMatchObject({ event: 'sweep', runDir: b, kernels: 'js' });
    const svg = fs.readFileSync(path.join(b, 'sweep.svg'), 'utf8');
    expect(svg).toContain('lr (log)');
    expect([png(path.join(b, 'sweep.png')).width]).toEqual([svgSize(path.join(b, 'sweep.svg'))[0]]);
  });

  test('runs: a table, oldest first; json: one line per run', () => {
    const t = lintrain(['runs', dir]);
    expect(t.code).toBe(0);
    const rows = t.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/date\s+folder\s+kind\s+loss\s+optimizer\s+lr\s+reg\s+val\s+test\s+status/);
    expect(rows[1]).toMatch(/ a\s+train\s+softmax\s+sgd\s+1e-6\s+10\s+\d+\.\d\d%\s+\d+\.\d\d%\s+done$/);
    expect(rows[2]).toMatch(/ b\s+sweep\s+softmax\s+sgd .* done$/);
    const j = lintrain(['runs', dir, '--log-format', 'json']).events.slice(1);
    expect(j.map((r) => [r.event, r.kind, r.status])).toEqual([
      ['run', 'train', 'done'],
      ['run', 'sweep', 'done'],
    ]);
    expect(j[0].valAcc).toBe(JSON.parse(fs.readFileSync(path.join(dir, 'a', 'summary.json'), 'utf8')).valAcc);
    expect(lintrain(['runs', path.join(tmp, 'none')]).stdout).toMatch(/no runs/);
  });

  test('show: config, results, confusion table with totals, files; json: the summary', () => {
    const a = path.join(dir, 'a');
    const r = lintrain(['show', a]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/softmax loss, sgd, lr 1e-6/);
    expect(r.stdout).toMatch(/metrics\.jsonl: 30 iterations, 2 validation checks/);
    expect(r.stdout).toMatch(/^airplane\s+(\d+\s+){10}10\s+\d+\.\d%$/m);
    expect(r.stdout).toContain('files: config.json, metrics.jsonl, model.json, summary.json');
    const j = lintrain(['show', a, '--log-format', 'json']).events.at(-1);
    expect(j).toMatchObject({ event: 'show', dir: a, status: 'done', metrics: { iterations: 30, vals: 2 } });
    const bad = lintrain(['show', path.join(tmp, 'data')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a lintrain run folder/);
  });
});
