/**
 * Every file lintrain writes goes through here: written to a temporary file in
 * the same directory, flushed to the disk (fsync), renamed over the target, and the
 * directory flushed too. A crash, a power cut, a full disk or a Ctrl-C therefore
 * leaves either the old file or the new one, never half of one that a later run
 * would take for good; and a write reported done is on the disk, name and all.
 * (Without the fsyncs a rename can reach the disk before the data it names: after a
 * power cut the file would be there, and empty.) It costs about a millisecond or two
 * per file on an ordinary disk; a run writes a few dozen files.
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
    writeChunks(tmp, typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data);
    fs.renameSync(tmp, file);
    syncDir(dir);
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

/** Write the chunks to a new file and flush it to the disk before closing it. */
function writeChunks(file: string, chunks: readonly Uint8Array[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const c of chunks) {
      for (let at = 0; at < c.length; ) at += fs.writeSync(fd, c, at, c.length - at);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flush a file (its data) to the disk. */
export function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Flush a directory's entries (a rename, a new file) to the disk. Where directories
 * cannot be opened or flushed (Windows), the rename is as durable as the system makes it.
 */
export function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF', 'ENOTSUP'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    fs.closeSync(fd);
  }
}
