/**
 * Reading cifar-10-binary.tar.gz: what its members may be, and the extraction.
 *
 * The official archive holds one folder, cifar-10-batches-bin/, with six batch files,
 * batches.meta.txt and readme.html, all regular files. Anything else is refused with
 * the member named: a name that climbs out ('../x') or is absolute, a symbolic or hard
 * link, a device or pipe, a member twice, or a member the official archive does not have.
 */
import type { Hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { ioProblem, isIoError } from '../core/atomic.js';
import { LintrainError } from '../core/errors.js';
import { META_FILE, TEST_FILE, TRAIN_FILES } from './cifar10.js';
import { BATCH_DIR_NAME } from './locate.js';

/** The members extracted: the batch files and the class names. */
export const WANTED = new Set([...TRAIN_FILES, TEST_FILE, META_FILE]);
/** Members of the official archive that are allowed but not extracted. */
const IGNORED = new Set(['readme.html']);
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const CONTENTS = `the CIFAR-10 binary archive holds only ${BATCH_DIR_NAME}/ with the six .bin files, ${META_FILE} and readme.html`;

/** A member name on one line, quoted. */
const q = (name: string): string => JSON.stringify(name);

export interface Member {
  path: string;
  type: string;
  linkpath?: string;
}

/**
 * What is wrong with a member, or null. `extra` marks a member that is merely not
 * the official archive's (reported only when nothing is missing, as the likelier
 * fault then is a different archive); everything else stops the extraction at once.
 */
export function memberProblem(m: Member, seen: Set<string>): { problem: string; extra?: boolean } | null {
  const name = m.path;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) {
    return { problem: `member ${q(name)} has an absolute or non-portable path` };
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { problem: `member ${q(name)} points outside the archive's folder ('..')` };
  if (m.type === 'SymbolicLink' || m.type === 'Link') {
    const kind = m.type === 'Link' ? 'a hard link' : 'a symbolic link';
    return { problem: `member ${q(name)} is ${kind} to ${q(m.linkpath ?? '')}; ${CONTENTS}, no links` };
  }
  const rel = parts.join('/');
  if (seen.has(rel)) return { problem: `member ${q(name)} appears twice` };
  seen.add(rel);
  if (m.type === 'Directory') {
    return rel === '' || rel === BATCH_DIR_NAME ? null : { problem: `extra member ${q(name)}`, extra: true };
  }
  if (!FILE_TYPES.has(m.type)) return { problem: `member ${q(name)} is a ${m.type}, not a regular file` };
  const ok = parts.length === 2 && parts[0] === BATCH_DIR_NAME && (WANTED.has(parts[1]) || IGNORED.has(parts[1]));
  return ok ? null : { problem: `extra member ${q(name)}`, extra: true };
}

export interface UntarOptions {
  onProgress?: (bytes: number, total: number) => void; // archive bytes read so far
  signal?: AbortSignal;
}

/** What an extraction saw that is not fatal by itself: members the official archive does not have. */
export interface UntarResult {
  extras: string[];
}

/**
 * Extract the wanted members of `archive` into `dest`, feeding tar chunk by chunk
 * (hashing on the way when `hash` is given). A forbidden member stops it with a
 * LintrainError naming `shownAs` and the member.
 */
export async function untar(archive: string, shownAs: string, dest: string, opts: UntarOptions, hash?: Hash): Promise<UntarResult> {
  const total = (await fsp.stat(archive)).size;
  const seen = new Set<string>();
  const extras: string[] = [];
  let refused: LintrainError | null = null;
  const filter = (_p: string, entry: fs.Stats | tar.ReadEntry): boolean => {
    if (!(entry instanceof tar.ReadEntry)) return false;
    const found = memberProblem({ path: entry.path, type: entry.type, linkpath: entry.linkpath }, seen);
    if (found?.extra) extras.push(found.problem);
    else if (found) refused ??= new LintrainError(`${shownAs}: ${found.problem}; refusing it`);
    const rel = entry.path.replace(/^(\.\/)+/, '');
    return !found && !refused && (entry.type === 'Directory' || WANTED.has(path.posix.basename(rel)));
  };
  const unpack = tar.x({ cwd: dest, strict: true, preserveOwner: false, filter });
  let failed: unknown = null;
  const closed = new Promise<void>((resolve, reject) => {
    unpack.on('close', resolve);
    unpack.on('error', (e: unknown) => {
      failed ??= e;
      reject(e);
    });
  });
  closed.catch(() => {}); // observed below; keep an early error from being reported as unhandled
  const src = fs.createReadStream(archive, { highWaterMark: 1 << 20, signal: opts.signal });
  let bytes = 0;
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      if (failed || refused) break;
      hash?.update(chunk);
      bytes += chunk.length;
      opts.onProgress?.(bytes, total);
      if (!unpack.write(chunk)) await Promise.race([once(unpack, 'drain'), closed]);
    }
    if (refused) throw refused;
    if (failed) throw failed;
    unpack.end();
    await closed;
    if (refused) throw refused;
  } catch (e) {
    src.destroy();
    unpack.abort(e instanceof Error ? e : new Error(String(e))); // stop parsing; what it wrote goes with dest
    await new Promise((r) => setImmediate(r));
    if (e instanceof LintrainError || opts.signal?.aborted) throw e;
    const dir = path.dirname(dest);
    if (isIoError(e)) throw new LintrainError(`cannot extract ${shownAs} into ${dir}: ${ioProblem(e, dir)}`, 1, { cause: e });
    throw new LintrainError(`${shownAs} is not a readable .tar.gz archive (${String((e as Error).message ?? e).replace(/\s+/g, ' ')})`);
  }
  return { extras };
}

/** The message for members the official archive does not have. */
export const extrasMessage = (shownAs: string, extras: string[]): string =>
  `${shownAs}: ${extras[0]}${extras.length > 1 ? ` (and ${extras.length - 1} more)` : ''}; ${CONTENTS}`;
