/**
 * `lintrain download` and `lintrain download --from FILE`: get the official binary
 * archive (fetch, md5) or take a copy the user has, extract it into a temporary
 * directory inside the data directory, check every batch file, and only then move
 * it into place as data/cifar-10-batches-bin. On any failure or abort every
 * temporary file is removed, so a half-written data set never exists.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LintrainError } from '../errors.js';
import { extrasMessage, untar } from './archive.js';
import { checkBatchFile, TEST_FILE, TRAIN_FILES } from './cifar10.js';
import { BATCH_DIR_NAME } from './locate.js';

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

/** Bytes moved so far; `total` null when the server does not say. */
export interface TransferProgress {
  bytes: number;
  total: number | null;
  phase: 'download' | 'extract'; // extract: bytes of the archive read into the extractor
}

export interface ImportOptions {
  md5?: string; // the expected md5; default the official one
  onProgress?: (p: TransferProgress) => void;
  onWarning?: (msg: string) => void;
  signal?: AbortSignal; // the CLI wires SIGINT here
}

export interface DownloadOptions extends ImportOptions {
  url?: string;
}

// Every temporary name starts with '.cifar-10-' so leftovers are easy to recognize.
const PARTIAL_NAME = '.cifar-10-binary.tar.gz.partial';
const TMP_PREFIX = '.cifar-10-extract-';
const FROM_HINT = 'if you have the archive, import it with `lintrain download --from FILE`';

/** The useful part of an error: fetch hides the network fault in `cause`. */
const reason = (e: unknown): string => {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.message || err.cause?.code || err.message || String(e);
};

/** Fetch the official archive into dataDir/cifar-10-batches-bin; returns that directory. */
export async function downloadCifar10(dataDir: string, opts: DownloadOptions = {}): Promise<string> {
  const url = opts.url ?? CIFAR10_URL;
  const expected = opts.md5 ?? CIFAR10_MD5;
  await makeDir(dataDir);
  const partial = path.join(dataDir, PARTIAL_NAME);
  try {
    const md5 = await fetchToFile(url, partial, opts);
    if (md5 !== expected) {
      throw new LintrainError(
        `download of ${url} has md5 ${md5}, expected ${expected} (corrupted in transit?); try again, or ${FROM_HINT}`,
      );
    }
    return await install(partial, url, dataDir, opts);
  } catch (e) {
    throw asFailure(e, opts.signal, `download of ${url}`);
  } finally {
    await fsp.rm(partial, { force: true });
  }
}

/**
 * Install an archive the user already has. An md5 other than the official one is
 * only a warning (copies re-encoded by others are fine when their structure is valid).
 */
export async function importArchive(archive: string, dataDir: string, opts: ImportOptions = {}): Promise<string> {
  const expected = opts.md5 ?? CIFAR10_MD5;
  let st: fs.Stats;
  try {
    st = fs.statSync(archive);
  } catch {
    throw new LintrainError(`archive ${archive} not found; give the path of cifar-10-binary.tar.gz`);
  }
  if (!st.isFile()) throw new LintrainError(`archive ${archive} is not a file; give the path of cifar-10-binary.tar.gz`);
  await makeDir(dataDir);
  const hash = createHash('md5');
  try {
    return await install(path.resolve(archive), archive, dataDir, opts, hash, () => {
      const md5 = hash.digest('hex');
      if (md5 !== expected) {
        opts.onWarning?.(`${archive}: md5 ${md5} is not the official ${expected}; continuing, its structure and records are valid`);
      }
    });
  } catch (e) {
    throw asFailure(e, opts.signal, `import of ${archive}`);
  }
}

async function makeDir(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new LintrainError(`cannot create data directory ${dir}: ${reason(e)}`);
  }
}

function asFailure(e: unknown, signal: AbortSignal | undefined, what: string): LintrainError {
  if (signal?.aborted) return new LintrainError(`${what} interrupted; its partial files were removed`);
  if (e instanceof LintrainError) return e;
  return new LintrainError(`${what} failed: ${reason(e)}`);
}

/** Stream url into file, hashing on the way; returns the md5 (hex). */
async function fetchToFile(url: string, file: string, opts: DownloadOptions): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: opts.signal });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw new LintrainError(`cannot download ${url}: ${reason(e)}; ${FROM_HINT}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new LintrainError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}; ${FROM_HINT}`);
  }
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const hash = createHash('md5');
  const fh = await fsp.open(file, 'w');
  let bytes = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      await fh.write(chunk);
      bytes += chunk.length;
      opts.onProgress?.({ phase: 'download', bytes, total });
    }
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw new LintrainError(`download of ${url} broke off after ${bytes} bytes: ${reason(e)}; try again, or ${FROM_HINT}`);
  } finally {
    await fh.close();
  }
  if (total !== null && bytes !== total) {
    throw new LintrainError(`download of ${url} ended after ${bytes} of ${total} bytes; try again, or ${FROM_HINT}`);
  }
  return hash.digest('hex');
}

/**
 * Extract archive into a fresh temporary directory inside dataDir, check the six
 * batch files, run beforeCommit, then swap the result in as dataDir/cifar-10-batches-bin
 * (an existing one is replaced only now). `shownAs` names the archive in messages.
 */
async function install(archive: string, shownAs: string, dataDir: string, opts: ImportOptions,
  hash?: Hash, beforeCommit?: () => void): Promise<string> {
  const tmp = await fsp.mkdtemp(path.join(dataDir, TMP_PREFIX));
  try {
    const onProgress = (bytes: number, total: number) => opts.onProgress?.({ phase: 'extract', bytes, total });
    const { extras } = await untar(archive, shownAs, tmp, { onProgress, signal: opts.signal }, hash);
    const extracted = path.join(tmp, BATCH_DIR_NAME);
    for (const f of [...TRAIN_FILES, TEST_FILE]) {
      const name = `${BATCH_DIR_NAME}/${f}`;
      if (!fs.existsSync(path.join(extracted, f))) {
        throw new LintrainError(`${shownAs} does not hold ${name}; is it the CIFAR-10 binary version (cifar-10-binary.tar.gz)?`);
      }
    }
    if (extras.length > 0) throw new LintrainError(extrasMessage(shownAs, extras));
    for (const f of [...TRAIN_FILES, TEST_FILE]) checkBatchFile(path.join(extracted, f), `${BATCH_DIR_NAME}/${f} in ${shownAs}`);
    beforeCommit?.();
    opts.signal?.throwIfAborted();
    const target = path.join(dataDir, BATCH_DIR_NAME);
    const old = path.join(tmp, 'replaced');
    const hadOld = fs.existsSync(target);
    if (hadOld) await fsp.rename(target, old); // removed with tmp below
    try {
      await fsp.rename(extracted, target);
    } catch (e) {
      if (hadOld) await fsp.rename(old, target);
      throw e;
    }
    return target;
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}
