/**
 * The official CIFAR-10 binary batches → flat typed arrays.
 *
 * A batch file is a run of 3073-byte records: 1 label byte (0..9), then 3072 pixel
 * bytes (1024 red, 1024 green, 1024 blue; each plane 32×32 row-major). The official
 * files hold 10,000 records each; any whole number is accepted so tests and users
 * can work with small files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LintrainError } from '../core/errors.js';
import { C, D, RECORD_BYTES } from '../core/shapes.js';

export const TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const TEST_FILE = 'test_batch.bin';
export const META_FILE = 'batches.meta.txt';

/** The class names of the official batches.meta.txt, used when that file is absent. */
export const OFFICIAL_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** Everything in a batch directory, as loaded. */
export interface RawCifar {
  pixels: Uint8Array; // (nTrain+nTest)×D: batches 1..5 in order, then test_batch; R,G,B planes as in the file
  labels: Uint8Array; // nTrain+nTest, values 0..C-1
  nTrain: number;
  nTest: number;
  classNames: string[]; // C names
  source?: string; // the batch directory it came from, for messages
}

export interface LoadOptions {
  /** Hands out the pixel buffer (the wasm backend allocates it inside its memory); default new Uint8Array. */
  alloc?: (bytes: number) => Uint8Array;
  onProgress?: (filesDone: number, filesTotal: number) => void;
  /** Called with the record counts once every file's size is checked, before any is read: throw to stop. */
  onCounts?: (nTrain: number, nTest: number) => void;
}

// Records read per readSync: ~3 MB, reused for every file.
const CHUNK_RECORDS = 1024;

/**
 * Record count of a batch file from its size alone: errors for a missing,
 * non-regular, empty or ragged file. `shownAs` is the name used in messages.
 */
export function countRecords(file: string, shownAs = file): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LintrainError(`missing batch file ${shownAs}`);
    throw new LintrainError(`cannot read batch file ${shownAs}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new LintrainError(`batch file ${shownAs} is not a regular file`);
  if (st.size === 0) throw new LintrainError(`batch file ${shownAs} is empty`);
  if (st.size % RECORD_BYTES !== 0) {
    throw new LintrainError(
      `batch file ${shownAs} has ${st.size} bytes, not a multiple of the ${RECORD_BYTES}-byte record (1 label + ${D} pixels)`,
    );
  }
  return st.size / RECORD_BYTES;
}

/**
 * Read `records` records of `file` chunk by chunk into `buf`, check every label,
 * and hand each chunk to `use(chunk, first, count)` (first = record index in the file).
 */
function readRecords(
  file: string,
  shownAs: string,
  records: number,
  buf: Uint8Array,
  use: (chunk: Uint8Array, first: number, count: number) => void,
): void {
  const chunkRecords = buf.length / RECORD_BYTES;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new LintrainError(`cannot read batch file ${shownAs}: ${(e as Error).message}`);
  }
  try {
    for (let first = 0; first < records; first += chunkRecords) {
      const count = Math.min(chunkRecords, records - first);
      const want = count * RECORD_BYTES;
      let got = 0;
      while (got < want) {
        const n = fs.readSync(fd, buf, got, want - got, first * RECORD_BYTES + got);
        if (n === 0) throw new LintrainError(`batch file ${shownAs} shrank while being read`);
        got += n;
      }
      for (let r = 0; r < count; r++) {
        const label = buf[r * RECORD_BYTES];
        if (label >= C) {
          const rec = first + r;
          throw new LintrainError(
            `batch file ${shownAs}: record ${rec} (byte offset ${rec * RECORD_BYTES}) has label ${label}; labels must be 0..${C - 1}`,
          );
        }
      }
      use(buf, first, count);
    }
  } catch (e) {
    if (e instanceof LintrainError) throw e;
    throw new LintrainError(`cannot read batch file ${shownAs}: ${(e as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Validate a whole batch file (size and every label) without keeping it; returns its record count. */
export function checkBatchFile(file: string, shownAs = file): number {
  const records = countRecords(file, shownAs);
  const buf = new Uint8Array(Math.min(records, CHUNK_RECORDS) * RECORD_BYTES);
  readRecords(file, shownAs, records, buf, () => {});
  return records;
}

/** What a file system object is, for people: "a folder", "a FIFO". */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * A file of the data directory may be a symbolic link to a regular file anywhere: a data
 * folder of links into a shared dataset folder is the usual set-up on clusters and in CI
 * caches. A link to nothing, or to a folder, a device, a FIFO or a socket, is refused by
 * name (reading /dev/zero or a FIFO would never end). Hard links cannot be told from the
 * file they link to and need no check.
 */
export function checkLink(file: string, what = 'batch file'): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return; // missing: the caller says so
  }
  if (!st.isSymbolicLink()) return;
  let target: fs.Stats;
  try {
    target = fs.statSync(file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ELOOP' ? 'which leads round a loop of links' : 'which does not exist';
    throw new LintrainError(`${what} ${file} is a symbolic link to ${fs.readlinkSync(file)}, ${why}`);
  }
  if (!target.isFile()) {
    throw new LintrainError(
      `${what} ${file} is a symbolic link to ${fs.realpathSync(file)}, which is ${kindOf(target)}, not a regular file`,
    );
  }
}

// The official batches.meta.txt is 61 bytes; a file far larger is not a list of ten names.
const META_MAX_BYTES = 64 * 1024;

/** Class names from batches.meta.txt (one a line, blank lines ignored); the official ten if it is absent. */
export function readClassNames(batchDir: string): string[] {
  const file = path.join(batchDir, META_FILE);
  let text: string;
  try {
    checkLink(file, 'class-name file');
    const st = fs.statSync(file);
    if (!st.isFile()) throw new LintrainError(`${file} is not a regular file`);
    if (st.size > META_MAX_BYTES) throw new LintrainError(`${file} has ${st.size} bytes; expected ${C} class names, one a line`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof LintrainError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return OFFICIAL_CLASS_NAMES.slice();
    throw new LintrainError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const names = text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length !== C) {
    throw new LintrainError(`${file} lists ${names.length} class names; expected ${C}, one a line`);
  }
  return names;
}

/**
 * Load data_batch_1..5.bin then test_batch.bin from `batchDir`. Sizes are checked
 * for every file before anything is read, so the pixel buffer is allocated once.
 */
export function loadCifar10(batchDir: string, opts: LoadOptions = {}): RawCifar {
  const files = [...TRAIN_FILES, TEST_FILE].map((f) => path.join(batchDir, f));
  for (const f of files) checkLink(f);
  const counts = files.map((f) => countRecords(f));
  const nTrain = counts.slice(0, TRAIN_FILES.length).reduce((a, b) => a + b, 0);
  const nTest = counts[TRAIN_FILES.length];
  const n = nTrain + nTest;
  const classNames = readClassNames(batchDir);
  opts.onCounts?.(nTrain, nTest);

  const bytes = n * D;
  const pixels = opts.alloc ? opts.alloc(bytes) : new Uint8Array(bytes);
  if (pixels.length < bytes) {
    throw new LintrainError(`pixel allocator returned ${pixels.length} bytes; ${bytes} needed for ${n} images`);
  }
  const labels = new Uint8Array(n);
  const buf = new Uint8Array(Math.min(Math.max(...counts), CHUNK_RECORDS) * RECORD_BYTES);

  let base = 0; // record index in the destination of the current file's record 0
  files.forEach((file, i) => {
    readRecords(file, file, counts[i], buf, (chunk, first, count) => {
      for (let r = 0; r < count; r++) {
        const at = r * RECORD_BYTES;
        const dst = base + first + r;
        labels[dst] = chunk[at];
        pixels.set(chunk.subarray(at + 1, at + RECORD_BYTES), dst * D);
      }
    });
    base += counts[i];
    opts.onProgress?.(i + 1, files.length);
  });
  return { pixels: pixels.length === bytes ? pixels : pixels.subarray(0, bytes), labels, nTrain, nTest, classNames, source: batchDir };
}

/** Write records in the batch format: labels n, pixels n×D row-major. */
export function writeBatchFile(file: string, labels: Uint8Array, pixels: Uint8Array): void {
  const n = labels.length;
  if (pixels.length !== n * D) {
    throw new RangeError(`writeBatchFile: ${n} labels need ${n * D} pixel bytes, got ${pixels.length}`);
  }
  const out = new Uint8Array(n * RECORD_BYTES);
  for (let r = 0; r < n; r++) {
    out[r * RECORD_BYTES] = labels[r];
    out.set(pixels.subarray(r * D, (r + 1) * D), r * RECORD_BYTES + 1);
  }
  fs.writeFileSync(file, out);
}
