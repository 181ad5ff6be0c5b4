/**
 * lintrain board's HTTP layer: the routes, attempts to leave --dir, damaged folders, a
 * run that grows while it is served, and the command's start, bad input and stop.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Board, startBoard } from '../src/board/server/server.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { bin, lintrain as cli, root } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';

const tmp = tmpDir('lintrain-board-');
const dataDir = path.join(tmp, 'data');
writeLearnableDir(dataDir, 60, 100);
const runs = path.join(tmp, 'runs');
const ASSETS = path.join(root, 'dist', 'board', 'assets');
const SMALL = [
  '--data',
  dataDir,
  '--num-train',
  '250',
  '--num-val',
  '50',
  '--num-test',
  '100',
  '--backend',
  'js',
  '--seed',
  '3',
  '--no-plots',
];

const lintrain = (args: string[]) => cli(args, { cwd: tmp });
expect(
  lintrain([...SMALL, '--loss', 'softmax', '--lr', '1e-6', '--iters', '40', '--eval-every', '10', '--out', path.join(runs, 'softmax')])
    .code,
).toBe(0);
expect(
  lintrain([
    'sweep',
    ...SMALL,
    '--lr',
    '1e-7,1e-6',
    '--reg',
    '1,10',
    '--iters',
    '20',
    '--eval-every',
    '5',
    '--out',
    path.join(runs, 'sweep'),
  ]).code,
).toBe(0);

// Damaged folders beside them.
const copy = (from: string, to: string) => fs.cpSync(path.join(runs, from), path.join(runs, to), { recursive: true });
copy('softmax', 'cut');
const metrics = fs.readFileSync(path.join(runs, 'softmax', 'metrics.jsonl'), 'utf8');
fs.writeFileSync(path.join(runs, 'cut', 'metrics.jsonl'), metrics.slice(0, metrics.length - 25));
copy('softmax', 'garbled');
fs.writeFileSync(path.join(runs, 'garbled', 'metrics.jsonl'), metrics.replace(/\n\{"event":"iter","iter":5,/, '\n{"event":"iter" x,'));
copy('softmax', 'no-summary');
fs.rmSync(path.join(runs, 'no-summary', 'summary.json'));
copy('softmax', 'bad-summary');
fs.writeFileSync(path.join(runs, 'bad-summary', 'summary.json'), '{"format": "lintrain-run", "kind');
fs.mkdirSync(path.join(runs, 'photos'));
fs.writeFileSync(path.join(runs, 'photos', 'cat.txt'), 'not a run');
// Ways out of --dir: a link to a folder outside, and a link inside a run to a file outside.
const secret = path.join(tmp, 'secret');
fs.mkdirSync(secret);
fs.writeFileSync(path.join(secret, 'summary.json'), fs.readFileSync(path.join(runs, 'softmax', 'summary.json')));
fs.writeFileSync(path.join(secret, 'key.txt'), 'do not serve');
fs.symlinkSync(secret, path.join(runs, 'outside'));
fs.symlinkSync(path.join(secret, 'key.txt'), path.join(runs, 'softmax', 'key.txt'));
fs.symlinkSync(path.join(secret, 'key.txt'), path.join(runs, 'sweep', 'trials', '9.jsonl'));
fs.mkdirSync(path.join(runs, 'sweep', 'trials', '8.jsonl')); // a folder where a trial's file would be

let board: Board;
beforeAll(async () => {
  board = await startBoard({ dir: runs, port: 0, host: '127.0.0.1', assets: ASSETS, pollMs: 100 });
});
afterAll(async () => {
  await board.close();
  removeTmpDirs();
});

/** A request with its path sent exactly as written (fetch would resolve `..` first). */
function raw(pathname: string, method = 'GET'): Promise<{ status: number; body: string; type: string }> {
  const url = new URL(board.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: pathname, method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, type: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const getJson = async (p: string) => {
  const r = await raw(p);
  expect(r.status).toBe(200);
  return JSON.parse(r.body);
};

describe('routes', () => {
  test('the page and its assets come from the package, nothing from elsewhere', async () => {
    const page = await raw('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    const srcs = [...page.body.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]);
    expect(srcs.length).toBeGreaterThan(1);
    for (const s of srcs) {
      expect(s.startsWith('/assets/')).toBe(true);
      expect((await raw(s)).status).toBe(200);
    }
    expect((await raw('/assets/app.js')).body).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z]/i);
  });

  test('the runs table lists the runs with their figures, and damaged folders with the reason', async () => {
    const { runs: rows } = await getJson('/api/runs');
    const by = Object.fromEntries(rows.map((r: { name: string }) => [r.name, r]));
    expect(Object.keys(by).sort()).toEqual(['bad-summary', 'cut', 'garbled', 'no-summary', 'photos', 'softmax', 'sweep']);
    expect(by.softmax).toMatchObject({
      kind: 'train',
      status: 'done',
      loss: 'softmax',
      opt: 'sgd',
      iters: 40,
      itersDone: 40,
      damaged: null,
    });
    for (const k of ['trainAcc', 'valAcc', 'testAcc', 'timeSec']) expect(by.softmax[k]).toEqual(expect.any(Number));
    expect(by.sweep).toMatchObject({ kind: 'sweep', status: 'done', damaged: null });
    expect(by.cut.damaged).toMatch(/metrics.jsonl is cut short/);
    expect(by['no-summary']).toMatchObject({ status: 'damaged', damaged: 'summary.json is missing' });
    expect(by['bad-summary']).toMatchObject({ status: 'damaged', damaged: expect.stringMatching(/not valid JSON/) });
    expect(by.photos).toMatchObject({ status: 'damaged', damaged: expect.stringMatching(/not a run folder/) });
  });

  test('a run: its config, files, curves cut to the points asked for', async () => {
    const run = await getJson('/api/run/softmax');
    expect(run.config).toMatchObject({ loss: 'softmax', iters: 40 });
    expect(run.files.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining(['config.json', 'metrics.jsonl', 'model.json', 'summary.json']),
    );
    expect(run.files.map((f: { name: string }) => f.name)).not.toContain('key.txt');
    const m = await getJson('/api/run/softmax/metrics?points=8');
    expect(m.iters).toBe(40);
    expect(m.iter.iter).toHaveLength(8);
    expect(m.iter.loss).toHaveLength(8);
    expect(m.iter.iter[0]).toBeCloseTo(3, 9); // the mean of iterations 1…5
    for (let i = 0; i < 8; i++) expect(m.iter.lossMin[i]).toBeLessThanOrEqual(m.iter.lossMax[i]);
    expect(m.val.iter).toEqual([10, 20, 30]); // the checks during training; the last is the done line's
    expect(m.progress).toMatchObject({ itersDone: 40, iters: 40, etaSec: null });
    const all = await getJson('/api/run/softmax/metrics?points=1000');
    expect(all.iter.iter).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  test('a sweep: its trials with their params and accuracies', async () => {
    const sweep = await getJson('/api/run/sweep');
    expect(sweep.trials).toHaveLength(4);
    for (const t of sweep.trials) expect(Object.keys(t.params).sort()).toEqual(['lr', 'reg']);
  });

  test("a sweep's trial: its curves in the shape of a run's, from trials/INDEX.jsonl", async () => {
    const run = await getJson('/api/run/softmax/metrics?points=8');
    const m = await getJson('/api/run/sweep/trial/2/metrics?points=8');
    expect(Object.keys(m).sort()).toEqual(Object.keys(run).sort());
    expect(m.iters).toBe(20);
    expect(m.iter.iter).toHaveLength(8);
    for (const k of ['loss', 'lossMin', 'lossMax', 'batchAcc', 'lr']) expect(m.iter[k]).toHaveLength(8);
    expect(m.val.iter).toEqual([5, 10, 15]);
    expect(m.damaged).toBeNull();
    const { trials } = await getJson('/api/run/sweep');
    const t = trials.find((x: { index: number }) => x.index === 2);
    expect(m.progress).toEqual({ itersDone: 20, iters: 20, elapsedSec: t.timeSec, etaSec: null });
    for (const x of trials) {
      const all = await getJson(`/api/run/sweep/trial/${x.index}/metrics`);
      const lines = fs
        .readFileSync(path.join(runs, 'sweep', 'trials', `${x.index}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      const iters = lines.map((l) => JSON.parse(l)).filter((e) => e.event === 'iter');
      expect(all.iter.loss).toEqual(iters.map((e) => e.loss));
      expect(all.val.valAcc).toHaveLength(3);
    }
  });

  test('a garbled metrics file shows the lines before the fault, and the table then says so', async () => {
    const m = await getJson('/api/run/garbled/metrics');
    expect(m.iters).toBe(4);
    expect(m.damaged).toMatch(/line 6 is not JSON/);
    const { runs: rows } = await getJson('/api/runs');
    expect(rows.find((r: { name: string }) => r.name === 'garbled').damaged).toMatch(/line 6 is not JSON/);
  });

  test('files download from the run folder', async () => {
    const r = await raw('/api/run/softmax/file/config.json?download');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).loss).toBe('softmax');
  });

  test.each([
    '/api/run/..%2F..%2Fsecret/file/key.txt',
    '/api/run/../secret/file/key.txt',
    '/api/run/softmax/file/..%2F..%2Fsecret%2Fkey.txt',
    '/api/run/softmax/file/%2e%2e/summary.json',
    '/api/run/softmax/file/key.txt',
    '/api/run/outside',
    '/api/run/outside/file/key.txt',
    '/api/run/%2e%2e/file/package.json',
    '/assets/..%2F..%2F..%2Fpackage.json',
    '/assets/../../package.json',
    '/../../etc/passwd',
    '/api/run/softmax/file/.%2F..%2F..%2Fdata',
    '/api/run/softmax%00/file/config.json',
    '/api/run/%E0%A4%A/file/config.json',
    '/api/run/nothing-here',
    // A sweep's trials: digits only, a file that is there, inside --dir.
    '/api/run/sweep/trial/4/metrics',
    '/api/run/sweep/trial/-1/metrics',
    '/api/run/sweep/trial/01/metrics',
    '/api/run/sweep/trial/1.0/metrics',
    '/api/run/sweep/trial/1e0/metrics',
    '/api/run/sweep/trial/%200/metrics',
    '/api/run/sweep/trial/99999999999999999999/metrics',
    '/api/run/sweep/trial/0/metrics/x',
    '/api/run/sweep/trial/0',
    '/api/run/sweep/trial/0/stream',
    '/api/run/sweep/trial/8/metrics',
    '/api/run/sweep/trial/9/metrics',
    '/api/run/sweep/trial/..%2F..%2Fsoftmax%2Fmetrics/metrics',
    '/api/run/sweep/trial/..%2F..%2F..%2Fsecret%2Fkey.txt%00/metrics',
    '/api/run/sweep/trial/0%2F..%2F..%2F..%2Fsecret%2Fkey/metrics',
    '/api/run/sweep/trial/%2e%2e%2F%2e%2e%2Fsoftmax%2Fmetrics/metrics',
    '/api/run/softmax/trial/0/metrics',
    '/api/run/outside/trial/0/metrics',
    '/api/run/..%2Fsweep/trial/0/metrics',
    '/api/run/sweep/file/trials',
    '/api/run/sweep/file/trials%2F0.jsonl',
  ])('%s is 404', async (p) => {
    const r = await raw(p);
    expect(r.status).toBe(404);
    expect(r.body).not.toMatch(/do not serve/);
  });

  test('nothing can be written', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect((await raw('/api/runs', method)).status).toBe(405);
  });
});

/** Events from a server-sent stream until `until` says enough. */
function events(pathname: string, until: (events: { event: string; data: unknown }[]) => boolean, timeoutMs = 20000) {
  const url = new URL(board.url);
  return new Promise<{ event: string; data: unknown }[]>((resolve, reject) => {
    const got: { event: string; data: unknown }[] = [];
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no end to ${pathname} in ${timeoutMs} ms: ${JSON.stringify(got).slice(0, 500)}`));
    }, timeoutMs);
    const req = http.get({ host: url.hostname, port: url.port, path: pathname }, (res) => {
      expect(res.headers['content-type']).toBe('text/event-stream');
      let buffer = '';
      res.on('data', (d) => {
        buffer += d;
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) got.push({ event, data: JSON.parse(data) });
        }
        if (until(got)) {
          clearTimeout(timer);
          req.destroy();
          resolve(got);
        }
      });
    });
    req.on('error', (e) => (got.length ? undefined : reject(e)));
  });
}

describe('live', () => {
  test('a run that grows while it is served: the stream sends its new lines, and the table its new state', async () => {
    const dir = path.join(runs, 'growing');
    fs.cpSync(path.join(runs, 'softmax'), dir, { recursive: true });
    const lines = metrics.split('\n');
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    // As the trainer does: metrics.jsonl and summary.json rewritten whole, renamed into place.
    const write = (n: number, status: string) => {
      fs.writeFileSync(path.join(dir, 'metrics.tmp'), lines.slice(0, n).join('\n') + '\n');
      fs.renameSync(path.join(dir, 'metrics.tmp'), path.join(dir, 'metrics.jsonl'));
      fs.writeFileSync(
        path.join(dir, 'summary.json'),
        JSON.stringify({ ...summary, status, itersDone: n - 1, pid: process.pid, host: os.hostname() }),
      );
    };
    write(11, 'running'); // the format line and 10 iterations
    const sizes: number[] = [];
    let step = 11;
    const seen = await events('/api/run/growing/stream?points=1000', (got) => {
      const last = got[got.length - 1]?.data as { iters: number; status: string };
      if (last && sizes[sizes.length - 1] !== last.iters) {
        sizes.push(last.iters);
        if (step < 31) {
          step += 10;
          write(step, 'running');
        }
      }
      return last?.iters >= 28 && last.status === 'running';
    });
    expect(seen.every((e) => e.event === 'metrics')).toBe(true);
    expect(sizes[0]).toBe(10);
    expect(sizes[sizes.length - 1]).toBeGreaterThanOrEqual(28);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]);
    const m = (seen[seen.length - 1].data as { progress: { itersDone: number; iters: number; etaSec: number } }).progress;
    expect(m.iters).toBe(40);
    expect(m.etaSec).toEqual(expect.any(Number));
  });

  test('the runs stream sends the table, then each new or changed run', async () => {
    const got = await events('/api/runs-stream', (ev) => {
      if (ev.length === 1) fs.cpSync(path.join(runs, 'softmax'), path.join(runs, 'newcomer'), { recursive: true });
      return ev.some((e) => e.event === 'run' && (e.data as { name: string }).name === 'newcomer');
    });
    expect(got[0].event).toBe('runs');
    expect((got[0].data as unknown[]).length).toBeGreaterThan(5);
  });

  test('a metrics file of 300,000 lines is parsed once, and read on from where it stopped', async () => {
    const dir = path.join(runs, 'long');
    fs.cpSync(path.join(runs, 'softmax'), dir, { recursive: true });
    const line = (i: number) => `{"event":"iter","iter":${i},"loss":${(2 + Math.sin(i)).toFixed(4)},"batchAcc":0.5,"lr":1e-7}`;
    const text = ['{"event":"format","format":"lintrain-events","version":1,"command":"train","lintrain":"0.3.0"}']
      .concat(Array.from({ length: 300000 }, (_, i) => line(i + 1)))
      .join('\n');
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), text + '\n');
    const m = await getJson('/api/run/long/metrics?points=500');
    expect(m.iters).toBe(300000);
    expect(m.iter.iter).toHaveLength(500);
    expect(m.iter.lossMin[0]).toBeCloseTo(1, 3);
    expect(m.iter.lossMax[0]).toBeCloseTo(3, 3);
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), line(300001) + '\n' + line(300002).slice(0, 20));
    const more = await getJson('/api/run/long/metrics?points=500');
    expect(more.iters).toBe(300001); // the unfinished last line waits
  });
});

describe('the command', () => {
  /** Start `lintrain board ...args`, resolve with its first stdout line (or its exit). */
  function start(args: string[]) {
    const child = spawn(process.execPath, [bin, 'board', ...args], { cwd: tmp, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let over = false;
    const firstLine = new Promise<string>((resolve) => {
      const look = () => (stdout.includes('\n') ? resolve(stdout.split('\n')[0]) : over ? resolve('') : setTimeout(look, 20));
      look();
      exited.then(() => (over = true));
    });
    return { child, firstLine, exited, out: () => ({ stdout, stderr }) };
  }

  test('--port 0: the first line is the URL with the port given; SIGTERM stops it with 0', async () => {
    const b = start(['--dir', runs, '--port', '0']);
    const url = await b.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${url}api/runs`);
    expect(res.status).toBe(200);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });

  test('a --dir that does not exist: one line naming it, exit 2', async () => {
    const b = start(['--dir', path.join(tmp, 'nowhere'), '--port', '0']);
    expect(await b.exited).toBe(2);
    expect(b.out().stderr.trim().split('\n')).toEqual([`lintrain: --dir ${path.join(tmp, 'nowhere')}: no such folder.`]);
  });

  test('a port in use: one line naming it, exit 2', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    const b = start(['--dir', runs, '--port', String(port)]);
    expect(await b.exited).toBe(2);
    expect(b.out().stderr.trim().split('\n')).toEqual([`lintrain: --port ${port}: the port is in use on 127.0.0.1.`]);
    taken.close();
  });

  test('another host only when asked, with a warning', async () => {
    const b = start(['--dir', runs, '--port', '0', '--host', '0.0.0.0']);
    expect(await b.firstLine).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    expect(b.out().stderr).toMatch(/warning: serving on 0\.0\.0\.0: anyone who can reach this machine/);
    b.child.kill('SIGINT');
    expect(await b.exited).toBe(0);
  });
});
