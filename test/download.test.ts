import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadCifar10 } from '../src/data/cifar10.js';
import { CIFAR10_MD5, downloadCifar10, importArchive } from '../src/data/download.js';
import type { TransferProgress } from '../src/data/download.js';
import { BATCH_DIR_NAME, findBatchDir } from '../src/data/locate.js';
import { LintrainError } from '../src/core/errors.js';
import { RECORD_BYTES } from '../src/core/shapes.js';
import { makeArchive } from './helpers/archive.js';
import { firstDiff, removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import type { CifarFixture } from './helpers/cifar-fixture.js';

afterAll(removeTmpDirs);

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LintrainError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a LintrainError, the promise resolved');
}

const listing = (dir: string) => fs.readdirSync(dir).sort();

function expectLoads(batchDir: string, fx: CifarFixture): void {
  const raw = loadCifar10(batchDir);
  expect([raw.nTrain, raw.nTest]).toEqual([fx.nTrain, fx.nTest]);
  expect(firstDiff(raw.pixels, fx.pixels)).toBe(-1);
  expect(firstDiff(raw.labels, fx.labels)).toBe(-1);
}

describe('importArchive', () => {
  test('a good archive with a non-official md5: a warning, then the files in place and nothing else', async () => {
    const { fx, file, md5 } = await makeArchive();
    const dataDir = path.join(tmpDir(), 'data'); // created on demand
    const warnings: string[] = [];
    const progress: TransferProgress[] = [];
    const batchDir = await importArchive(file, dataDir, { onWarning: (w) => warnings.push(w), onProgress: (p) => progress.push(p) });
    expect(batchDir).toBe(path.join(dataDir, BATCH_DIR_NAME));
    expect(warnings).toEqual([`${file}: md5 ${md5} is not the official ${CIFAR10_MD5}; continuing, its structure and records are valid`]);
    expect(progress.at(-1)).toEqual({ phase: 'extract', bytes: fs.statSync(file).size, total: fs.statSync(file).size });
    expect(listing(dataDir)).toEqual([BATCH_DIR_NAME]);
    expectLoads(batchDir, fx);
  });

  test('the expected md5: no warning; an existing data set is replaced', async () => {
    const first = await makeArchive({ seed: 1 });
    const second = await makeArchive({ seed: 2 });
    const dataDir = tmpDir();
    await importArchive(first.file, dataDir, { md5: first.md5 });
    const warnings: string[] = [];
    const batchDir = await importArchive(second.file, dataDir, { md5: second.md5, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expectLoads(batchDir, second.fx);
    expect(listing(dataDir)).toEqual([BATCH_DIR_NAME]);
  });

  test('a bad record size: error naming the file, no temp files, the old data set untouched', async () => {
    const good = await makeArchive({ seed: 1 });
    const bad = await makeArchive({ spoil: (fx) => fs.appendFileSync(path.join(fx.batchDir, 'data_batch_2.bin'), 'xx') });
    const dataDir = tmpDir();
    await importArchive(good.file, dataDir);
    const msg = await failure(importArchive(bad.file, dataDir));
    expect(msg).toContain(`cifar-10-batches-bin/data_batch_2.bin in ${bad.file} has ${11 * RECORD_BYTES + 2} bytes, not a multiple`);
    expect(listing(dataDir)).toEqual([BATCH_DIR_NAME]);
    expectLoads(path.join(dataDir, BATCH_DIR_NAME), good.fx);
  });

  test('a label byte above 9 inside the archive is refused', async () => {
    const bad = await makeArchive({
      spoil: (fx) => {
        const f = path.join(fx.batchDir, 'test_batch.bin');
        const bytes = fs.readFileSync(f);
        bytes[2 * RECORD_BYTES] = 12;
        fs.writeFileSync(f, bytes);
      },
    });
    const dataDir = tmpDir();
    expect(await failure(importArchive(bad.file, dataDir))).toContain('test_batch.bin in');
    expect(listing(dataDir)).toEqual([]);
  });

  test('corrupt archives: truncated, not gzip at all; no temp files left', async () => {
    const { file } = await makeArchive();
    const dataDir = tmpDir();
    const truncated = path.join(tmpDir(), 'cut.tar.gz');
    fs.writeFileSync(truncated, fs.readFileSync(file).subarray(0, 40000));
    expect(await failure(importArchive(truncated, dataDir))).toMatch(/cut\.tar\.gz is not a readable \.tar\.gz archive/);
    expect(listing(dataDir)).toEqual([]);
    const junk = path.join(tmpDir(), 'junk.tar.gz');
    fs.writeFileSync(junk, 'this is not an archive at all, just some text that goes on for a while. '.repeat(20));
    expect(await failure(importArchive(junk, dataDir))).toMatch(/junk\.tar\.gz is not a readable \.tar\.gz archive/);
    expect(listing(dataDir)).toEqual([]);
  });

  test('an archive without cifar-10-batches-bin/ is refused', async () => {
    const { file } = await makeArchive({ top: 'cifar-10-batches-py' });
    const dataDir = tmpDir();
    expect(await failure(importArchive(file, dataDir))).toBe(
      `${file} does not hold cifar-10-batches-bin/data_batch_1.bin; is it the CIFAR-10 binary version (cifar-10-binary.tar.gz)?`,
    );
    expect(listing(dataDir)).toEqual([]);
  });

  test('a missing archive path', async () => {
    const dataDir = tmpDir();
    expect(await failure(importArchive('/no/such/cifar.tar.gz', dataDir))).toBe(
      'archive /no/such/cifar.tar.gz not found; give the path of cifar-10-binary.tar.gz',
    );
  });

  test('an abort removes everything, even when it comes after the extraction', async () => {
    const { file } = await makeArchive();
    const dataDir = tmpDir();
    const ac = new AbortController();
    const msg = await failure(importArchive(file, dataDir, { signal: ac.signal, onProgress: () => ac.abort() }));
    expect(msg).toBe(`import of ${file} interrupted; its partial files were removed`);
    expect(listing(dataDir)).toEqual([]);
  });
});

describe('downloadCifar10 (local server)', () => {
  let archive: Awaited<ReturnType<typeof makeArchive>>;
  let server: http.Server;
  let base: string;
  let stall = false; // send half the archive, then hang

  beforeAll(async () => {
    archive = await makeArchive();
    const body = fs.readFileSync(archive.file);
    server = http.createServer((req, res) => {
      if (req.url !== '/cifar.tar.gz') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': body.length });
      if (stall) res.write(body.subarray(0, body.length >> 1));
      else res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    stall = false;
  });

  test('the right md5: extracted in place, progress in bytes of the total, no partial file', async () => {
    const dataDir = tmpDir();
    const progress: TransferProgress[] = [];
    const size = fs.statSync(archive.file).size;
    const batchDir = await downloadCifar10(dataDir, { url: `${base}/cifar.tar.gz`, md5: archive.md5, onProgress: (p) => progress.push(p) });
    const downloads = progress.filter((p) => p.phase === 'download');
    expect(downloads.at(-1)).toEqual({ phase: 'download', bytes: size, total: size });
    expect(listing(dataDir)).toEqual([BATCH_DIR_NAME]);
    expectLoads(batchDir, archive.fx);
  });

  test('a wrong md5 is an error and leaves nothing', async () => {
    const dataDir = tmpDir();
    const url = `${base}/cifar.tar.gz`;
    const msg = await failure(downloadCifar10(dataDir, { url }));
    expect(msg).toContain(`download of ${url} has md5 ${archive.md5}, expected ${CIFAR10_MD5}`);
    expect(listing(dataDir)).toEqual([]);
  });

  test('HTTP errors and unreachable hosts name the URL and suggest --from', async () => {
    const dataDir = tmpDir();
    const missing = `${base}/nothing-here`;
    const msg = await failure(downloadCifar10(dataDir, { url: missing }));
    expect(msg).toMatch(new RegExp(`^cannot download ${missing}: HTTP 404 .*lintrain download --from FILE`));
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/x.tar.gz`;
    await new Promise((r) => closed.close(r));
    expect(await failure(downloadCifar10(dataDir, { url: dead }))).toMatch(
      new RegExp(`^cannot download ${dead}: .*ECONNREFUSED.*; if you have the archive, import it with \`lintrain download --from FILE\`$`),
    );
    expect(listing(dataDir)).toEqual([]);
  });

  test('an abort in mid-transfer keeps only the hidden .partial file, which is not taken for data', async () => {
    stall = true;
    const dataDir = tmpDir();
    const ac = new AbortController();
    const url = `${base}/cifar.tar.gz`;
    let seen = 0;
    const msg = await failure(
      downloadCifar10(dataDir, {
        url,
        md5: archive.md5,
        signal: ac.signal,
        onProgress: (p) => {
          seen = p.bytes;
          ac.abort();
        },
      }),
    );
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(fs.statSync(archive.file).size);
    const partial = path.join(dataDir, '.cifar-10-binary.tar.gz.partial');
    expect(msg).toBe(
      `download of ${url} interrupted; ${fs.statSync(partial).size} bytes are kept in ${partial} and \`lintrain download\` resumes from there`,
    );
    expect(listing(dataDir)).toEqual(['.cifar-10-binary.tar.gz.partial']);
    expect(findBatchDir(dataDir)).toBeNull();
  });
});
