/**
 * `lintrain repro` stopped and resumed: SIGKILLed midway, or stopped by Ctrl-C (SIGINT),
 * then `--resume DIR` ends with the folder, the JSON and the table of the repro run
 * whole (times aside); a folder of another repro is refused by name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseResults } from '../src/report/sweep-folder.js';
import { lintrain as cli, lintrainKilled } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-repro-resume-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dataDir = path.join(tmp, 'data');
writeLearnableDir(dataDir, 60, 100); // 300 training records, 100 test
const at = (name: string) => path.join(tmp, name);
const json = (dir: string, file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));

// 5 runs (2 presets × 2 seeds, and the step-size experiment), one at a time, long
// enough that a signal lands between the first result and the last.
const REPRO = ['repro', '--data', dataDir, '--quick', '--only', 'svm-sgd,softmax-sgd,step-size', '--repeats', '2'];
const RUNS = 5;
const repro = (more: string[]) => [...REPRO, '--jobs', '1', '--log-format', 'json', ...more];
const trialsIn = (dir: string) => {
  try {
    return parseResults(fs.readFileSync(path.join(dir, 'results.jsonl'), 'utf8'), dir).runs.length;
  } catch {
    return 0;
  }
};

// What may differ between two folders or outputs of the same repro: when, where, how fast.
const WHEN_WHERE = ['startedAt', 'endedAt', 'host', 'pid', 'wallSec', 'runSec', 'jobs', 'peakRssMB', 'runDir'];
function comparable(o: Record<string, unknown>) {
  const c: Record<string, unknown> = { ...o, config: o.config && { ...(o.config as object), out: null } };
  for (const k of WHEN_WHERE) delete c[k];
  if (Array.isArray(c.rows)) c.rows = c.rows.map((r: Record<string, unknown>) => ({ ...r, time: null }));
  return c;
}
const resultsOf = (dir: string) => fs.readFileSync(path.join(dir, 'results.jsonl'), 'utf8').replace(/"timeSec":[^,}]+/g, '"timeSec":0');
// The report for people, its times (a column and the last line) masked.
const reportOf = (stderr: string) =>
  stderr
    .slice(stderr.indexOf('## lintrain repro'))
    .replace(/^\d+ runs in .*$/m, '')
    .replace(/\| +[\d.]+ s \|$/gm, '| T |')
    .replace(/\| -+:? \|$/gm, '| - |')
    .replace(/\| time +\|$/m, '| time |')
    .replace(/\n*run folder: .*\n$/, '');

function expectSameRepro(whole: { dir: string; stderr: string; last: Record<string, unknown> }, other: typeof whole) {
  expect(resultsOf(other.dir)).toBe(resultsOf(whole.dir));
  expect(comparable(json(other.dir, 'summary.json'))).toEqual(comparable(json(whole.dir, 'summary.json')));
  expect(json(other.dir, 'summary.json').files).toEqual(['config.json', 'results.jsonl', 'summary.json']);
  expect(comparable(other.last)).toEqual(comparable(whole.last));
  expect(reportOf(other.stderr)).toBe(reportOf(whole.stderr));
}

const whole = at('whole');
const wholeRun = cli(repro(['--out', whole]), { cwd: tmp, timeout: 300_000 });
const wholeOf = () => ({ dir: whole, stderr: wholeRun.stderr, last: wholeRun.events.at(-1)! });

test('the repro run whole: its folder holds a trial line per run, in run order, and the summary', () => {
  expect(wholeRun.code).toBe(0);
  expect(wholeRun.events.at(-1)).toMatchObject({ event: 'repro', runDir: whole, reproId: json(whole, 'summary.json').reproId });
  const { runs } = parseResults(fs.readFileSync(path.join(whole, 'results.jsonl'), 'utf8'), whole);
  expect(runs.map((r) => r.index)).toEqual(Array.from({ length: RUNS }, (_, i) => i));
  expect(json(whole, 'summary.json')).toMatchObject({ kind: 'repro', status: 'done', rows: wholeRun.events.at(-1)!.rows });
  expect(wholeRun.stderr).toMatch(/^## lintrain repro --quick/m);
  // what expectSameRepro compares of the report: the rows, their times masked
  expect(reportOf(wholeRun.stderr)).toMatch(
    /^\| [^|]*configs\/svm-sgd\.json, 2 seeds\) \| [^|]+ \| [\d.]+ ± [\d.]+% \| [\d.]+ ± [\d.]+% \| T \|$/m,
  );
  expect(reportOf(wholeRun.stderr)).toMatch(/Sanity checks/);
});

test('SIGKILLed after 2 results, then --resume: the finished runs kept, the output and folder those of the repro run whole', async () => {
  const broken = at('killed');
  const killed = await lintrainKilled(repro(['--out', broken]), { cwd: tmp, ready: () => trialsIn(broken) >= 2 });
  expect(killed.code).toBe(137);
  const kept = trialsIn(broken);
  expect([kept >= 2, kept < RUNS]).toEqual([true, true]);
  expect(json(broken, 'summary.json').status).toBe('running');

  const resumed = cli(repro(['--resume', broken]), { cwd: tmp, timeout: 300_000 });
  expect([resumed.code, resumed.stderr]).toEqual([0, expect.stringContaining(`(${kept} finished before, kept)`)]);
  expect(resumed.events.filter((e) => e.event === 'trial')).toHaveLength(RUNS - kept);
  expectSameRepro(wholeOf(), { dir: broken, stderr: resumed.stderr, last: resumed.events.at(-1)! });
});

test('Ctrl-C (SIGINT): no new run starts, the folder says interrupted, one line says how to resume, exit 130; resumed, equal to whole', async () => {
  const stopped = at('ctrl-c');
  const r = await lintrainKilled(repro(['--out', stopped]), { cwd: tmp, signal: 'SIGINT', ready: () => trialsIn(stopped) >= 1 });
  expect(r.code).toBe(130);
  const kept = trialsIn(stopped);
  expect([kept >= 1, kept < RUNS]).toEqual([true, true]);
  const hint = `SIGINT: stopped with ${kept} of ${RUNS} runs finished, in ${stopped}; go on with the same flags and --resume ${stopped}`;
  expect(r.stderr).toContain(`lintrain: ${hint}\n`);
  expect(r.events.at(-1)).toEqual({ event: 'error', message: hint, exitCode: 130 });
  expect(r.events.filter((e) => e.event === 'trial')).toHaveLength(kept);
  expect(json(stopped, 'summary.json')).toMatchObject({ kind: 'repro', status: 'interrupted', error: hint });
  // results.jsonl whole and in run order
  const { runs, torn } = parseResults(fs.readFileSync(path.join(stopped, 'results.jsonl'), 'utf8'), stopped);
  expect([torn, runs.map((x) => x.index)]).toEqual([false, [...runs.map((x) => x.index)].sort((a, b) => a - b)]);

  const resumed = cli(repro(['--resume', stopped]), { cwd: tmp, timeout: 300_000 });
  expect([resumed.code, resumed.stderr]).toEqual([0, expect.stringContaining(`(${kept} finished before, kept)`)]);
  expectSameRepro(wholeOf(), { dir: stopped, stderr: resumed.stderr, last: resumed.events.at(-1)! });
});

test.each([
  ['--repeats', ['--repeats', '3'], 'seeds differ \\(--repeats\\)'],
  ['a split size', ['--num-train', '100'], 'num-train differs'],
  ['the presets', ['--only', 'svm-sgd'], 'presets differ \\(svm-sgd\\.json, softmax-sgd\\.json, step-size\\.json there\\)'],
])('--resume refuses the folder of another repro (%s), in one line, exit 2', (_what, flags, reason) => {
  const args = [...repro(['--resume', whole])];
  // the later flag wins in commander: the changed setting is the one given last
  const r = cli([...args, ...flags], { cwd: tmp });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^lintrain: ${whole}: a different repro \\(${reason}\\); resume it with its own flags\\.\\n$`));
});
