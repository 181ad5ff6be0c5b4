/**
 * `lintrain download` and `lintrain download --from FILE`: get the official binary
 * archive (fetch, md5) or take a copy the user has, extract it into a temporary
 * directory inside the data directory, check every batch file, and only then move
 * it into place as data/cifar-10-batches-bin. On any failure or abort every
 * extracted file is removed, so a half-written data set never exists; only the
 * hidden .partial of a download stays, to be resumed (src/data/fetch.ts) and
 * checked by md5 as a whole before anything is extracted from it.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LintrainError } from '../core/errors.js';
import { ioProblem, isIoError, syncDir, syncFile } from '../core/atomic.js';
import { extrasMessage, untar } from './archive.js';
import { checkBatchFile, TEST_FILE, TRAIN_FILES } from './cifar10.js';
import { fetchResumable, reason } from './fetch.js';
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

/**
 * Fetch the official archive into dataDir/cifar-10-batches-bin; returns that directory.
 * The archive goes to a .partial file, kept when the transfer breaks off or is
 * interrupted (the next call resumes it), removed when its md5 is wrong (then nothing
 * in it can be trusted) and after a successful install.
 */
export async function downloadCifar10(dataDir: string, opts: DownloadOptions = {}): Promise<string> {
  const url = opts.url ?? CIFAR10_URL;
  const expected = opts.md5 ?? CIFAR10_MD5;
  await makeDir(dataDir);
  const partial = path.join(dataDir, PARTIAL_NAME);
  const onProgress = (bytes: number, total: number | null) => opts.onProgress?.({ phase: 'download', bytes, total });
  let verified = false;
  try {
    const got = await fetchResumable(url, partial, { signal: opts.signal, onProgress, hint: FROM_HINT, md5: expected });
    if (got.md5 !== expected) {
      await fsp.rm(partial, { force: true });
      const resumed = got.resumedFrom > 0 ? `, resumed at byte ${got.resumedFrom}` : '';
      throw new LintrainError(
        `download of ${url} has md5 ${got.md5}, expected ${expected} (corrupted in transit${resumed}?); it was removed: try again, or ${FROM_HINT}`,
      );
    }
    verified = true;
    const dir = await install(partial, url, dataDir, opts);
    await fsp.rm(partial, { force: true });
    return dir;
  } catch (e) {
    // A transfer cut short keeps its bytes for the next run; a verified archive that failed to
    // install for want of space or by Ctrl-C is kept too, and the next run installs it without
    // downloading. An archive whose content is refused is of no further use.
    const ioOrAbort = opts.signal?.aborted || isIoError((e as Error)?.cause ?? e);
    if (verified && !ioOrAbort) await fsp.rm(partial, { force: true });
    const size = fs.existsSync(partial) ? fs.statSync(partial).size : 0;
    if (size === 0) await fsp.rm(partial, { force: true });
    const kept = size > 0 ? `; ${size} bytes are kept in ${partial} and \`lintrain download\` resumes from there` : '';
    if (opts.signal?.aborted) throw new LintrainError(`download of ${url} interrupted${kept}`, abortCode(opts.signal));
    if (e instanceof LintrainError && kept) throw new LintrainError(e.message + kept, e.exitCode, { cause: e.cause });
    throw asFailure(e, opts.signal, `download of ${url}`);
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
    throw new LintrainError(`cannot create data directory ${dir}: ${ioProblem(e, path.dirname(dir))}`, 1, { cause: e });
  }
}

/** The exit code an abort asked for (the CLI's SIGINT: 130), else 1. */
const abortCode = (signal: AbortSignal): number => (signal.reason instanceof LintrainError ? signal.reason.exitCode : 1);

function asFailure(e: unknown, signal: AbortSignal | undefined, what: string): LintrainError {
  if (signal?.aborted) return new LintrainError(`${what} interrupted; its partial files were removed`, abortCode(signal));
  if (e instanceof LintrainError) return e;
  return new LintrainError(`${what} failed: ${reason(e)}`);
}

/**
 * Extract archive into a fresh temporary directory inside dataDir, check the six
 * batch files, run beforeCommit, then swap the result in as dataDir/cifar-10-batches-bin
 * (an existing one is replaced only now). `shownAs` names the archive in messages.
 */
async function install(
  archive: string,
  shownAs: string,
  dataDir: string,
  opts: ImportOptions,
  hash?: Hash,
  beforeCommit?: () => void,
): Promise<string> {
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
    // On the disk before the data set is in place: a power cut then leaves the old one or this one whole.
    for (const f of fs.readdirSync(extracted)) syncFile(path.join(extracted, f));
    syncDir(extracted);
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
    syncDir(dataDir);
    return target;
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}
