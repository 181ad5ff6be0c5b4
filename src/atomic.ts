/**
 * Every file lintrain writes goes through here: written to a temporary file in
 * the same directory, then renamed over the target. A crash, a full disk or a
 * Ctrl-C therefore leaves either the old file or the new one, never half of one
 * that a later run would take for good.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LintrainError } from './errors.js';

/**
 * Write `data` to `file` atomically; `what` names the file in errors ("the model").
 * A list of chunks is written one after the other (large files need no joined copy).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[], what = 'the file'): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    if (typeof data === 'string' || data instanceof Uint8Array) fs.writeFileSync(tmp, data);
    else writeChunks(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new LintrainError(`Cannot write ${what} to ${file}: ${ioProblem(e, dir)}.`, 1, { cause: e });
  }
}

/** Why a write into `dir` failed, for people: the one place that names a full disk or a read-only folder. */
export function ioProblem(e: unknown, dir: string): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `${dir} is not writable (${err.code})`;
    default:
      return String(err.message ?? e).replace(/\s+/g, ' ');
  }
}

/** True for an error of the file system (an errno code), as opposed to bad content. */
export const isIoError = (e: unknown): boolean => /^E[A-Z]+$/.test(String((e as NodeJS.ErrnoException)?.code ?? ''));

function writeChunks(file: string, chunks: readonly Uint8Array[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const c of chunks) {
      for (let at = 0; at < c.length; ) at += fs.writeSync(fd, c, at, c.length - at);
    }
  } finally {
    fs.closeSync(fd);
  }
}
