/**
 * Sweeps over several machines and sweeps that survive a kill: `--shard K/N` run as
 * separate processes and joined by `sweep merge`, a sweep SIGKILLed midway and resumed,
 * `--plan` and one planned command run alone, and the refusals. Each is compared with
 * the same sweep run whole, file by file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../src/core/errors.js';
import { identityDifferences, identityHash, sweepIdentity } from '../src/sweep/identity.js';
import { parseAxis, runSpecs } from '../src/sweep/points.js';
import { joinRuns, mergeProblems, parseShard, shardSpecs } from '../src/sweep/shards.js';
import { parseResults } from '../src/report/sweep-folder.js';
import { resolveConfig } from '../src/config/resolve.js';
import { checkEvents, lintrain as cli, lintrainAsync, lintrainKilled } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';
import { expectSameSweep } from './helpers/sweep-folders.js';

describe('shards, pure', () => {
  test.each([
    ['1/4', { k: 1, n: 4 }],
    ['4/4', { k: 4, n: 4 }],
    [' 2 / 3 ', { k: 2, n: 3 }],
  ])('--shard %s', (text, shard) => expect(parseShard(text)).toEqual(shard));

  test.each([
    ['0/4', /K must be in 1\.\.4 \(shards are counted from 1/],
    ['5/4', /K must be in 1\.\.4/],
    ['1/0', /N must be at least 1/],
    ['a/b', /--shard takes K\/N, shard K of N counted from 1/],
    ['2', /--shard takes K\/N/],
  ])('--shard %s is refused', (text, message) => {
    expect(() => parseShard(text)).toThrow(UsageError);
    expect(() => parseShard(text)).toThrow(message);
  });

  const specs = runSpecs([{ lr: 1 }, { lr: 2 }, { lr: 3 }, { lr: 4 }, { lr: 5 }], 7, 2);
  test('the shards are disjoint, cover the sweep, keep whole points and the whole sweep’s seeds', () => {
    const parts = [1, 2, 3].map((k) => shardSpecs(specs, { k, n: 3 }));
    expect(parts.map((p) => p.map((s) => s.point))).toEqual([
      [0, 0, 3, 3],
      [1, 1, 4, 4],
      [2, 2],
    ]);
    expect(
      parts
        .flat()
        .sort((a, b) => a.index - b.index)
        .map((s) => s),
    ).toEqual(specs);
    expect(() => shardSpecs(specs, { k: 1, n: 6 })).toThrow(/--shard 1\/6: the sweep has 5 points, so at most 5 shards/);
  });

  test('merge problems: a different sweep, doubled and missing shards, by name', () => {
    const f = (dir: string, k: number, n = 4, differences: string[] = []) => ({
      dir,
      hash: 'h',
      shard: { k, n },
      status: 'done',
      differences,
    });
    expect(mergeProblems([f('a', 1), f('b', 2), f('c', 3), f('d', 4)])).toEqual([]);
    expect(mergeProblems([f('a', 1), f('b', 2, 4, ['reg axis differs'])])).toEqual(['b: a different sweep (reg axis differs)']);
    expect(mergeProblems([f('a', 1), f('b', 1), f('c', 3)])).toEqual(['shard 1/4 given twice: a and b', 'missing shards: 2/4, 4/4']);
    expect(mergeProblems([f('a', 1), f('b', 2, 3)])).toEqual(['b: shard 2/3, but a is a shard of 4']);
    expect(mergeProblems([{ ...f('a', 1), status: 'running' }])[0]).toMatch(/a: shard 1\/4 is running; finish it with --resume a/);
    expect(() => joinRuns([[{ index: 1 } as never]], 2)).toThrow(/run 1 where run 0 was expected/);
  });

  test('identity: what differs is named; out, data, log format and plots are not the sweep', () => {
    const base = resolveConfig({}, { seed: 1 });
    const lr = parseAxis('lr', '1e-7,1e-6');
    const a = sweepIdentity(base, [lr, parseAxis('reg', '1,2')], null, 1);
    const same = sweepIdentity(
      { ...base, out: 'x', data: '/elsewhere', logFormat: 'json', plots: false },
      [lr, parseAxis('reg', '1,2')],
      null,
      1,
    );
    expect(identityHash(same)).toBe(identityHash(a));
    const b = sweepIdentity({ ...base, seed: 2, iters: 9 }, [lr, parseAxis('reg', '1,3')], null, 2);
    expect(identityDifferences(a, b)).toEqual(['reg axis differs', 'iters differs', 'seed differs', 'repeats differs']);
    expect(identityHash(b)).not.toBe(identityHash(a));
  });

  test('results.jsonl: a torn last line is left out and said; damage before it is refused', () => {
    const line = (i: number) => JSON.stringify({ event: 'trial', index: i, valAcc: null, trainAcc: 0.5, finalLoss: 1 });
    const fmt = '{"event":"format"}';
    const r = parseResults(`${fmt}\n${line(1)}\n${line(0)}\n{"event":"tri`, 'f');
    expect(r.torn).toBe(true);
    expect(r.runs.map((x) => x.index)).toEqual([0, 1]);
    expect(r.runs[0].valAcc).toBeNaN();
    expect(parseResults(`${fmt}\n${line(0)}\n`, 'f').torn).toBe(false);
    expect(() => parseResults(`${fmt}\n{bad\n${line(0)}\n`, 'f')).toThrow(/f is damaged: line 2 is not JSON/);
  });
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-shards-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dataDir = path.join(tmp, 'data');
writeLearnableDir(dataDir, 60, 100);
const SMALL = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--batch-size', '25', '--eval-every', '5'];
const GRID = ['--lr', '1e-7,1e-6', '--reg', '10,1e3,1e5', '--repeats', '2', '--iters', '20'];
const sweep = (args: string[]) => ['sweep', ...SMALL, ...args];
const at = (name: string) => path.join(tmp, name);
const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file));
const json = (dir: string, file: string) => JSON.parse(read(dir, file).toString());

describe('a sweep in 3 shards, as 3 processes, merged', () => {
  const whole = at('whole');
  const shards = [1, 2, 3].map((k) => at(`shard-${k}`));
  let wholeRun: ReturnType<typeof cli>;
  beforeAll(async () => {
    wholeRun = cli(sweep([...GRID, '--jobs', '2', '--out', whole, '--log-format', 'json']), { cwd: tmp });
    const runs = await Promise.all(
      shards.map((out, i) =>
        lintrainAsync(sweep([...GRID, '--jobs', '2', '--shard', `${i + 1}/3`, '--out', out, '--log-format', 'json']), { cwd: tmp }),
      ),
    );
    for (const r of runs) expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('done; when every shard is, join them')]);
  });

  test('each shard ran its own points only, with the whole sweep’s seeds', () => {
    expect(wholeRun.code).toBe(0);
    const byIndex = new Map(wholeRun.events.filter((e) => e.event === 'trial').map((e) => [e.index, e.seed]));
    const held = shards.map((dir) => parseResults(read(dir, 'results.jsonl').toString(), dir).runs);
    expect(held.map((runs) => [...new Set(runs.map((r) => r.point))])).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    for (const r of held.flat()) expect(r.seed).toBe(byIndex.get(r.index));
  });

  test('merged, they equal the sweep run whole', () => {
    const merged = at('merged');
    const r = cli(['sweep', 'merge', ...[...shards].reverse(), '--out', merged, '--log-format', 'json'], { cwd: tmp });
    expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(/merged 3 shards, 12 runs/)]);
    expect(r.events.at(-1)).toMatchObject({ event: 'sweep', shard: null, best: wholeRun.events.at(-1)!.best });
    expectSameSweep(whole, merged);
  });

  test('refused by name: a different sweep, a missing shard, a doubled one; exit 2, one line', () => {
    const other = at('other-1');
    const o = cli(
      sweep(['--lr', '1e-7,1e-6', '--reg', '10,1e3,1e4', '--repeats', '2', '--iters', '20', '--shard', '1/3', '--out', other]),
      { cwd: tmp },
    );
    expect(o.code).toBe(0);
    const copy = at('shard-1-copy');
    fs.cpSync(shards[0], copy, { recursive: true });
    for (const [dirs, message] of [
      [[shards[0], shards[1], other], new RegExp(`${other}: a different sweep \\(reg axis differs\\)`)],
      [[shards[0], shards[2]], /missing shard: 2\/3/],
      [[shards[0], copy, shards[1], shards[2]], new RegExp(`shard 1/3 given twice: ${shards[0]} and ${copy}`)],
      [[whole], new RegExp(`${whole}: a whole sweep, not a shard`)],
    ] as const) {
      const r = cli(['sweep', 'merge', ...dirs, '--out', at('refused')], { cwd: tmp });
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(message)]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(at('refused'))).toBe(false);
    }
    const r = cli(sweep([...GRID, '--shard', '7/7']), { cwd: tmp });
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--shard 7\/7: the sweep has 6 points, so at most 6 shards/)]);
  });

  test('--plan: a valid JSON line per run; a planned command, run alone, trains the sweep’s best W', () => {
    const r = cli(sweep([...GRID, '--plan', '--log-format', 'json']), { cwd: tmp });
    expect(r.code).toBe(0);
    const plan = r.events.filter((e) => e.event === 'plan');
    expect(plan.map((p) => p.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const trials = wholeRun.events.filter((e) => e.event === 'trial');
    for (const p of plan) expect(p.seed).toBe(trials.find((t) => t.index === p.index)!.seed);
    const shard2 = checkEvents(cli(sweep([...GRID, '--plan', '--shard', '2/3']), { cwd: tmp }).stdout, 'sweep');
    expect(shard2.filter((e) => e.event === 'plan').map((p) => [p.index, p.shard])).toEqual([2, 3, 8, 9].map((i) => [i, '2/3']));

    const best = wholeRun.events.at(-1)!.best;
    const planned = plan.find((p) => p.seed === best.seed)!;
    expect(planned.command).toBe(['lintrain', ...planned.args].join(' '));
    const model = at('alone.json');
    const alone = cli([...planned.args, '--save', model, '--out', at('alone'), '--log-format', 'json'], { cwd: tmp });
    expect(alone.code).toBe(0);
    expect(alone.events.at(-1)).toMatchObject({ event: 'done', valAcc: best.valAcc, trainAcc: best.trainAcc, testAcc: best.testAcc });
    expect(JSON.parse(fs.readFileSync(model, 'utf8')).W).toBe(json(whole, 'model.json').W);
  });
});

describe('a sweep killed midway and resumed', () => {
  // Long enough runs, one job, that a kill lands between the first result and the last.
  const LONG = ['--lr', '1e-7,1e-6', '--reg', '10,1e3,1e5', '--iters', '250', '--jobs', '1', '--backend', 'js'];
  const whole = at('long-whole');
  const broken = at('long-broken');
  const trialsIn = (dir: string) => {
    try {
      return parseResults(fs.readFileSync(path.join(dir, 'results.jsonl'), 'utf8'), dir).runs.length;
    } catch {
      return 0;
    }
  };

  test('SIGKILLed after 2 of 6 results, then --resume: the finished runs kept, the sweep equal to one run whole', async () => {
    expect(cli(sweep([...LONG, '--out', whole]), { cwd: tmp, timeout: 300_000 }).code).toBe(0);
    const killed = await lintrainKilled(sweep([...LONG, '--out', broken]), { cwd: tmp, ready: () => trialsIn(broken) >= 2 });
    expect(killed.code).toBe(137);
    const kept = trialsIn(broken);
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(6);
    expect(json(broken, 'summary.json').status).toBe('running'); // `lintrain runs` shows it interrupted

    const resumed = cli(sweep([...LONG, '--resume', broken]), { cwd: tmp, timeout: 300_000 });
    expect([resumed.code, resumed.stderr]).toEqual([0, expect.stringContaining(`${kept} finished before, kept`)]);
    expect(resumed.stderr.match(/^run \d+\/\d+:/gm)).toHaveLength(6 - kept);
    expectSameSweep(whole, broken);
  });

  test('Ctrl-C (SIGINT) after a result: no new run, the folder interrupted, one line to resume, exit 130; resumed, equal to whole', async () => {
    const stopped = at('long-ctrl-c');
    const r = await lintrainKilled(sweep([...LONG, '--out', stopped]), { cwd: tmp, signal: 'SIGINT', ready: () => trialsIn(stopped) >= 1 });
    expect(r.code).toBe(130);
    const kept = trialsIn(stopped);
    expect([kept >= 1, kept < 6]).toEqual([true, true]);
    const hint = `SIGINT: stopped with ${kept} of 6 runs finished, in ${stopped}; go on with the same flags and --resume ${stopped}`;
    expect(r.stderr).toContain(`lintrain: ${hint}\n`); // (the json error line: repro-resume.test.ts)
    expect(json(stopped, 'summary.json')).toMatchObject({ status: 'interrupted', error: hint });

    const resumed = cli(sweep([...LONG, '--resume', stopped]), { cwd: tmp, timeout: 300_000 });
    expect([resumed.code, resumed.stderr]).toEqual([0, expect.stringContaining(`${kept} finished before, kept`)]);
    expectSameSweep(whole, stopped);
  });

  test('--resume refuses a folder of another sweep, by name', () => {
    const r = cli(sweep([...LONG, '--reg', '10,1e3', '--resume', whole]), { cwd: tmp });
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(new RegExp(`${whole}: a different sweep \\(reg axis differs\\)`))]);
    const s = cli(sweep([...LONG, '--shard', '1/2', '--resume', whole]), { cwd: tmp });
    expect([s.code, s.stderr]).toEqual([2, expect.stringMatching(/a whole sweep, but this command is shard 1\/2/)]);
  });
});
