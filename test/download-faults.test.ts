/**
 * Download faults against a local HTTP server (never the network): a connection
 * dropped midway, servers that do or do not honour Range, a corrupted resume, a
 * full disk (/dev/full), a read-only data directory. A broken download is never
 * left where a later run would take it for data; a resumable one is resumed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../src/core/atomic.js';
import { loadCifar10 } from '../src/data/cifar10.js';
import { downloadCifar10, type TransferProgress } from '../src/data/download.js';
import { parseContentRange } from '../src/data/fetch.js';
import { BATCH_DIR_NAME, findBatchDir } from '../src/data/locate.js';
import { LintrainError } from '../src/core/errors.js';
import { makeArchive } from './helpers/archive.js';
import { firstDiff, removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';

afterAll(removeTmpDirs);

const PARTIAL = '.cifar-10-binary.tar.gz.partial';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How the server answers: honour Range or not, cut the body after some bytes, answer 206 from 0 anyway. */
const mode = { ranges: true, dropAt: Infinity, wrongRange: false };
const requests: Array<string | undefined> = []; // the Range header of each request
let body: Buffer;
let server: http.Server;
let url: string;
let archive: Awaited<ReturnType<typeof makeArchive>>;

beforeAll(async () => {
  archive = await makeArchive({ seed: 3 });
  body = fs.readFileSync(archive.file);
  server = http.createServer((req, res) => {
    requests.push(req.headers.range);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (range && mode.ranges) {
      start = mode.wrongRange ? 0 : Number(range[1]);
      if (start >= body.length) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    const part = body.subarray(start);
    if (start + part.length > mode.dropAt) {
      // The connection drops: a FIN after the bytes sent, not destroy(), whose RST
      // may discard bytes still in the send buffer and make the cut point racy.
      res.write(part.subarray(0, Math.max(0, mode.dropAt - start)));
      res.socket?.end();
    } else {
      res.end(part);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cifar-10-binary.tar.gz`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  Object.assign(mode, { ranges: true, dropAt: Infinity, wrongRange: false });
  requests.length = 0;
});

async function failure(p: Promise<unknown>): Promise<LintrainError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LintrainError);
    expect((e as Error).message).not.toMatch(/[\r\n]/);
    return e as LintrainError;
  }
  throw new Error('expected a LintrainError, the promise resolved');
}

function expectInstalled(dataDir: string): void {
  expect(fs.readdirSync(dataDir)).toEqual([BATCH_DIR_NAME]); // the .partial is gone
  const raw = loadCifar10(path.join(dataDir, BATCH_DIR_NAME));
  expect(firstDiff(raw.pixels, archive.fx.pixels)).toBe(-1);
}

/**
 * A first attempt that the server cuts at `at` bytes. The client keeps what it
 * wrote before the stream errored: an exact prefix of the body, at most `at` bytes
 * (a web stream drops chunks still queued when it errors, so fewer under load).
 * The message counts the kept bytes; nothing passes for data.
 */
async function brokenAt(at: number): Promise<{ dataDir: string; kept: number; range: string | undefined }> {
  const dataDir = tmpDir();
  mode.dropAt = at;
  const err = await failure(downloadCifar10(dataDir, { url, md5: archive.md5 }));
  const partial = path.join(dataDir, PARTIAL);
  const kept = fs.statSync(partial).size;
  expect(kept).toBeLessThanOrEqual(at);
  expect(err.message).toMatch(
    new RegExp(
      `^download of ${url} (broke off|ended) after ${kept} of ${body.length} bytes.*; ${kept} bytes are kept in ${partial} and \`lintrain download\` resumes from there$`,
    ),
  );
  expect(fs.readdirSync(dataDir)).toEqual([PARTIAL]);
  expect(firstDiff(fs.readFileSync(partial), body.subarray(0, kept))).toBe(-1);
  expect(findBatchDir(dataDir)).toBeNull();
  mode.dropAt = Infinity;
  return { dataDir, kept, range: kept > 0 ? `bytes=${kept}-` : undefined }; // the Range header of the resume
}

describe('an interrupted download', () => {
  test('resumes with a Range request where the server honours it (206)', async () => {
    const { dataDir, kept, range } = await brokenAt(Math.floor(body.length * 0.6));
    const progress: TransferProgress[] = [];
    await downloadCifar10(dataDir, { url, md5: archive.md5, onProgress: (p) => progress.push(p) });
    expect(requests).toEqual([undefined, range]);
    const downloads = progress.filter((p) => p.phase === 'download');
    expect(downloads[0].bytes).toBeGreaterThan(kept); // counted from the kept bytes on
    expect(downloads.at(-1)).toEqual({ phase: 'download', bytes: body.length, total: body.length });
    expectInstalled(dataDir);
  });

  test('starts over where the server ignores Range (200)', async () => {
    const at = Math.floor(body.length * 0.6);
    const { dataDir, range } = await brokenAt(at);
    mode.ranges = false;
    const progress: number[] = [];
    await downloadCifar10(dataDir, { url, md5: archive.md5, onProgress: (p) => p.phase === 'download' && progress.push(p.bytes) });
    expect(requests).toEqual([undefined, range]);
    expect(progress[0]).toBeLessThan(at); // counted from 0 again
    expect(progress.at(-1)).toBe(body.length);
    expectInstalled(dataDir);
  });

  test('starts over when the server answers another range than asked, or 416 for a kept part too long', async () => {
    const { dataDir, range } = await brokenAt(1000);
    mode.wrongRange = true;
    await downloadCifar10(dataDir, { url, md5: archive.md5 });
    expect(requests).toEqual(range ? [undefined, range, undefined] : [undefined, undefined]);
    expectInstalled(dataDir);

    const other = tmpDir();
    fs.writeFileSync(path.join(other, PARTIAL), Buffer.concat([body, Buffer.from('junk')]));
    requests.length = 0;
    mode.wrongRange = false;
    await downloadCifar10(other, { url, md5: archive.md5 });
    expect(requests).toEqual([`bytes=${body.length + 4}-`, undefined]);
    expectInstalled(other);
  });

  test('a corrupted kept part fails the md5 of the whole, is removed, and the next run starts afresh', async () => {
    const { dataDir, kept, range } = await brokenAt(Math.floor(body.length / 2));
    expect(kept).toBeGreaterThan(0); // the first chunk is read as soon as the headers are
    const partial = path.join(dataDir, PARTIAL);
    const bytes = fs.readFileSync(partial);
    bytes[Math.min(100, kept - 1)] ^= 0xff;
    fs.writeFileSync(partial, bytes);
    const err = await failure(downloadCifar10(dataDir, { url, md5: archive.md5 }));
    expect(err.message).toMatch(
      new RegExp(
        `^download of ${url} has md5 [0-9a-f]{32}, expected ${archive.md5} \\(corrupted in transit, resumed at byte ${kept}\\?\\); it was removed`,
      ),
    );
    expect(fs.readdirSync(dataDir)).toEqual([]);
    await downloadCifar10(dataDir, { url, md5: archive.md5 });
    expect(requests).toEqual([undefined, range, undefined]);
    expectInstalled(dataDir);
  });

  test('a complete, verified .partial is installed without a request', async () => {
    const dataDir = tmpDir();
    fs.copyFileSync(archive.file, path.join(dataDir, PARTIAL));
    await downloadCifar10(dataDir, { url, md5: archive.md5 });
    expect(requests).toEqual([]);
    expectInstalled(dataDir);
  });

  test('parseContentRange', () => {
    expect(parseContentRange('bytes 10-99/100')).toEqual({ start: 10, end: 99, total: 100 });
    expect(parseContentRange('bytes 10-99/*')).toEqual({ start: 10, end: 99, total: null });
    expect(parseContentRange('bytes */100')).toBeNull();
    expect(parseContentRange(null)).toBeNull();
  });
});

const linux = fs.existsSync('/dev/full') ? describe : describe.skip;

linux('a full disk (writes go to /dev/full: ENOSPC)', () => {
  test('the download says the disk is full and leaves nothing behind', async () => {
    const dataDir = tmpDir();
    fs.symlinkSync('/dev/full', path.join(dataDir, PARTIAL));
    const err = await failure(downloadCifar10(dataDir, { url, md5: archive.md5 }));
    expect(err.message).toBe(`cannot write the download into ${dataDir}: the disk is full (ENOSPC)`);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  test('an atomic write says the disk is full and keeps the old file', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'model.json');
    fs.writeFileSync(file, 'old');
    fs.symlinkSync('/dev/full', path.join(dir, `.model.json.${process.pid}.tmp`));
    let err: unknown;
    try {
      writeFileAtomic(file, 'new', 'the model');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LintrainError);
    expect((err as Error).message).toBe(`Cannot write the model to ${file}: the disk is full (ENOSPC).`);
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['model.json']);
  });
});

/**
 * Run the CLI as a user without root's right to write anywhere. As root, the CLI is
 * loaded first and the process then becomes nobody (65534): nobody may not be able to
 * reach the clone at all (a clone inside a private folder, as `mktemp -d` makes), and the
 * commands below read no file of the package after loading (the js kernels need none).
 */
function lintrainUnprivileged(args: string[], cwd: string) {
  const main = pathToFileURL(path.join(root, 'dist', 'cli', 'main.js')).href;
  const drop = process.getuid?.() === 0 ? 'process.setgroups([]); process.setgid(65534); process.setuid(65534);' : '';
  const script = `const { main } = await import(${JSON.stringify(main)}); ${drop} process.exitCode = await main(['node', 'lintrain', ...${JSON.stringify(args)}]);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd,
    // a closed port: should the data directory be writable after all, no byte leaves this machine
    env: { ...process.env, NO_COLOR: '1', LINTRAIN_CIFAR10_URL: 'http://127.0.0.1:9/cifar.tar.gz', LINTRAIN_DATA: '' },
  });
  return { code: r.status, stderr: r.stderr, error: r.error };
}

describe('a read-only data directory', () => {
  test('lintrain download and lintrain train name the folder before any transfer', () => {
    const parent = tmpDir();
    fs.chmodSync(parent, 0o755);
    const ro = path.join(parent, 'ro');
    fs.mkdirSync(ro, { mode: 0o555 });
    fs.chmodSync(ro, 0o555);
    const dl = lintrainUnprivileged(['download', '--data', ro, '--quiet'], parent);
    expect(dl.error).toBeUndefined();
    expect(dl.stderr).toBe(`lintrain: cannot write the download into ${ro}: ${ro} is not writable (EACCES)\n`);
    expect(dl.code).toBe(1);
    const train = lintrainUnprivileged(['--data', path.join(ro, 'sub'), '--backend', 'js', '--quiet'], parent);
    expect(train.stderr).toBe(`lintrain: cannot create data directory ${path.join(ro, 'sub')}: ${ro} is not writable (EACCES)\n`);
    expect(train.code).toBe(1);
    expect(fs.readdirSync(ro)).toEqual([]);
  });
});
