/**
 * One HTTP download into a `.partial` file that survives an interruption: the next
 * call asks the server for the rest (Range: bytes=N-). A 206 reply whose
 * Content-Range starts at N is appended; a 200 (the server ignores ranges) or a 416
 * (it does not know that prefix) starts over. The md5 covers the kept prefix too,
 * so a resumed file is checked as a whole; the caller decides what a mismatch means.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ioProblem } from '../core/atomic.js';
import { LintrainError } from '../core/errors.js';

export interface FetchOptions {
  signal?: AbortSignal;
  onProgress?: (bytes: number, total: number | null) => void;
  hint: string; // what to do instead, appended to network errors
  md5?: string; // when the kept file already has this md5 it is complete: no request is made
}

export interface Fetched {
  md5: string;
  bytes: number;
  resumedFrom: number; // bytes kept from an earlier attempt (0: a fresh download)
}

/** The useful part of an error: fetch hides the network fault in `cause`. */
export const reason = (e: unknown): string => {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return String(err.cause?.message || err.cause?.code || err.message || e).replace(/\s+/g, ' ');
};

/** `bytes a-b/total` → its parts; null when absent or malformed. */
export function parseContentRange(h: string | null): { start: number; end: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(h?.trim() ?? '');
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
}

/**
 * Download url into `file`, resuming what it holds. The file is opened before the
 * request, so a read-only or full data directory fails before any network traffic.
 * On a broken connection or an abort the file keeps what arrived; the caller says so.
 */
export async function fetchResumable(url: string, file: string, opts: FetchOptions): Promise<Fetched> {
  const dir = path.dirname(file);
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'a');
  } catch (e) {
    throw new LintrainError(`cannot write the download into ${dir}: ${ioProblem(e, dir)}`, 1, { cause: e });
  }
  try {
    let have = (await fh.stat()).size;
    let hash = createHash('md5');
    if (have > 0) {
      await hashFile(file, hash);
      const md5 = hash.copy().digest('hex');
      if (md5 === opts.md5) return { md5, bytes: have, resumedFrom: have };
    }
    let res: Response;
    try {
      res = await fetch(url, { signal: opts.signal, headers: have > 0 ? { range: `bytes=${have}-` } : {} });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new LintrainError(`cannot download ${url}: ${reason(e)}; ${opts.hint}`);
    }
    const range = res.status === 206 ? parseContentRange(res.headers.get('content-range')) : null;
    let total: number | null;
    if (res.status === 206 && range && range.start === have) {
      total = range.total;
    } else if (res.status === 200) {
      // the whole file: the server ignores ranges, or nothing was kept
      if (have > 0) await fh.truncate(0);
      have = 0;
      hash = createHash('md5');
      const length = Number(res.headers.get('content-length'));
      total = Number.isFinite(length) && length > 0 ? length : null;
    } else if (have > 0 && (res.status === 206 || res.status === 416)) {
      // another range than asked for, or a prefix the server does not know: start over, without a range
      await res.body?.cancel().catch(() => {});
      await fh.truncate(0);
      await fh.close();
      return fetchResumable(url, file, opts);
    } else {
      await res.body?.cancel().catch(() => {});
      throw new LintrainError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}; ${opts.hint}`);
    }
    const resumedFrom = have;
    let bytes = have;
    const reader = res.body as unknown as AsyncIterable<Uint8Array> | null;
    try {
      for await (const chunk of reader ?? []) {
        try {
          await fh.write(chunk);
        } catch (e) {
          throw new LintrainError(`cannot write the download into ${dir}: ${ioProblem(e, dir)}`, 1, { cause: e });
        }
        hash.update(chunk);
        bytes += chunk.length;
        opts.onProgress?.(bytes, total);
      }
    } catch (e) {
      if (e instanceof LintrainError || opts.signal?.aborted) throw e;
      const of = total === null ? '' : ` of ${total}`;
      throw new LintrainError(`download of ${url} broke off after ${bytes}${of} bytes (${reason(e)})`);
    }
    if (total !== null && bytes < total) {
      throw new LintrainError(`download of ${url} ended after ${bytes} of ${total} bytes`);
    }
    return { md5: hash.digest('hex'), bytes, resumedFrom };
  } finally {
    await fh.close().catch(() => {}); // already closed when starting over
  }
}
