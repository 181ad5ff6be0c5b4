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
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOSPC' ? 'the disk is full'
      : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? `${dir} is not writable`
      : err.message;
    throw new LintrainError(`Cannot write ${what} to ${file}: ${why}.`);
  }
}

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
