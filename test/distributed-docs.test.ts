/**
 * docs/distributed.md's examples really run: the Slurm array script once per task
 * (SLURM_ARRAY_TASK_ID set, as separate processes at once) and its merge script; the
 * GitHub Actions workflow's matrix commands, taken from the file, once per matrix entry,
 * then its merge command. The sweep's flags are swapped for tiny data (the files' own
 * flags are checked with --plan); each result equals the same sweep run whole.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, checkEvents, lintrain as cli, root } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';
import { expectSameSweep } from './helpers/sweep-folders.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-distributed-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dataDir = path.join(tmp, 'data');
writeLearnableDir(dataDir, 60, 100);
const TINY = `--data ${dataDir} --num-train 250 --num-val 50 --num-test 100 --batch-size 25 --iters 20 --lr 1e-7,1e-6 --reg 10,1e3 --jobs 1`;
const examples = path.join(root, 'docs', 'examples');
const LINTRAIN = `${process.execPath} ${bin}`;

/** One shell command line in its own process, in `cwd`; resolves to its exit code and output. */
function shell(line: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line], { cwd, env: { ...process.env, NO_COLOR: '1', LINTRAIN_DATA: '', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const whole = path.join(tmp, 'whole');
beforeAll(() => {
  expect(cli(['sweep', ...TINY.split(' '), '--out', whole], { cwd: tmp }).code).toBe(0);
});

test('the examples’ own sweep flags parse: 4 runs planned', () => {
  const yml = fs.readFileSync(path.join(examples, 'github-sweep.yml'), 'utf8');
  const sbatch = fs.readFileSync(path.join(examples, 'slurm-sweep.sbatch'), 'utf8');
  const flags = [/^\s*SWEEP: (.+)$/m.exec(yml)![1], /^SWEEP=\$\{SWEEP:-(.+)\}$/m.exec(sbatch)![1]];
  for (const f of flags) {
    const r = cli(['sweep', ...f.split(' '), '--plan'], { cwd: tmp });
    expect(checkEvents(r.stdout, 'sweep').filter((e) => e.event === 'plan')).toHaveLength(4);
  }
});

test('the Slurm array script, a process per task, then the merge script: the sweep run whole', async () => {
  const cwd = fs.mkdtempSync(path.join(tmp, 'slurm-'));
  const env = { LINTRAIN, SWEEP: TINY, SLURM_ARRAY_TASK_COUNT: '4' };
  const script = path.join(examples, 'slurm-sweep.sbatch');
  const tasks = await Promise.all([1, 2, 3, 4].map((k) => shell(`bash ${script}`, cwd, { ...env, SLURM_ARRAY_TASK_ID: String(k) })));
  for (const t of tasks) expect([t.code, t.out]).toEqual([0, expect.stringContaining('done; when every shard is')]);
  // A task run again (requeued) goes on in its folder: nothing left to run.
  const again = await shell(`bash ${script}`, cwd, { ...env, SLURM_ARRAY_TASK_ID: '2' });
  expect([again.code, again.out]).toEqual([0, expect.stringContaining('1 finished before, kept')]);
  const merged = await shell(`bash ${path.join(examples, 'slurm-merge.sbatch')}`, cwd, env);
  expect([merged.code, merged.out]).toEqual([0, expect.stringContaining('merged 4 shards, 4 runs')]);
  expectSameSweep(whole, path.join(cwd, 'runs', 'sweep'));
});

test('the GitHub Actions workflow’s matrix commands, a process each, then its merge command: the sweep run whole', async () => {
  const cwd = fs.mkdtempSync(path.join(tmp, 'actions-'));
  const yml = fs.readFileSync(path.join(examples, 'github-sweep.yml'), 'utf8');
  const matrix = JSON.parse(/^\s*shard: (\[.*\])$/m.exec(yml)![1]) as number[];
  const runs = [...yml.matchAll(/^\s*- run: (npx lintrain .+)$/gm)].map((m) => m[1].replace('npx lintrain', LINTRAIN));
  expect(runs).toHaveLength(2);
  const [shardLine, mergeLine] = runs;
  const forShard = (k: number) =>
    shardLine.replace(/\$\{\{ matrix\.shard \}\}/g, String(k)).replace(/\$\{\{ strategy\.job-total \}\}/g, String(matrix.length));
  const jobs = await Promise.all(matrix.map((k) => shell(forShard(k), cwd, { SWEEP: TINY })));
  for (const j of jobs) expect([j.code, j.out]).toEqual([0, expect.stringContaining('done; when every shard is')]);
  const merged = await shell(mergeLine, cwd, {});
  expect([merged.code, merged.out]).toEqual([0, expect.stringContaining('merged 4 shards, 4 runs')]);
  expectSameSweep(whole, path.join(cwd, 'sweep'));
});
