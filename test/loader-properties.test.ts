/**
 * Property-based tests (fast-check) of the loader and the archive importer: valid
 * small batch files and tiny archives, mutated at random (truncated, padded,
 * mislabelled, replaced by links or folders; members dropped, doubled, added, linked,
 * named '../x' or '/abs'). Every outcome is either the data exactly as the files hold
 * it, or one line naming the file, with nothing written where a later run would
 * take it for good data, and nothing written outside the data directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import * as tar from 'tar';
import { loadCifar10, META_FILE, TEST_FILE, TRAIN_FILES } from '../src/data/cifar10.js';
import { importArchive } from '../src/data/download.js';
import { BATCH_DIR_NAME } from '../src/data/locate.js';
import { LintrainError } from '../src/core/errors.js';
import { RECORD_BYTES } from '../src/core/shapes.js';
import { firstDiff, removeTmpDirs, tmpDir, writeCifarFixture } from './helpers/cifar-fixture.js';

afterAll(removeTmpDirs);

const FILES = [...TRAIN_FILES, TEST_FILE];
const base = writeCifarFixture(tmpDir(), { counts: [2, 1, 1, 1, 2, 1] });
const original = FILES.map((f) => fs.readFileSync(path.join(base.batchDir, f)));
const META = fs.readFileSync(path.join(base.batchDir, META_FILE));

function lintrainError(fn: () => unknown): LintrainError | null {
  try {
    fn();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(LintrainError);
    expect((e as Error).message).not.toMatch(/[\r\n]/);
    return e as LintrainError;
  }
}

// ---- batch files in a data directory ---------------------------------------------------

type FileFault =
  | { kind: 'truncate'; file: number; keep: number }
  | { kind: 'pad'; file: number; bytes: Uint8Array }
  | { kind: 'label'; file: number; record: number; label: number }
  | { kind: 'pixel'; file: number; at: number; value: number }
  | {
      kind: 'empty' | 'folder' | 'link-outside' | 'link-inside' | 'link-folder' | 'link-dangling' | 'link-device' | 'missing';
      file: number;
    };

const fileIndex = fc.nat(FILES.length - 1);
const fileFault: fc.Arbitrary<FileFault> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), file: fileIndex, keep: fc.nat(2 * RECORD_BYTES) }),
  fc.record({
    kind: fc.constant('pad' as const),
    file: fileIndex,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 2 * RECORD_BYTES + 2 }),
  }),
  fc.record({ kind: fc.constant('label' as const), file: fileIndex, record: fc.nat(1), label: fc.integer({ min: 10, max: 255 }) }),
  fc.record({
    kind: fc.constant('pixel' as const),
    file: fileIndex,
    at: fc.integer({ min: 1, max: RECORD_BYTES - 1 }),
    value: fc.nat(255),
  }),
  fc.record({
    kind: fc.constantFrom('empty', 'folder', 'link-outside', 'link-inside', 'link-folder', 'link-dangling', 'link-device', 'missing'),
    file: fileIndex,
  }),
);

/** What the loader must say about a file's final bytes (null: it is good). */
function fault(bytes: Uint8Array): RegExp | null {
  if (bytes.length === 0) return /is empty$/;
  if (bytes.length % RECORD_BYTES !== 0) return new RegExp(`has ${bytes.length} bytes, not a multiple of the 3073-byte record`);
  for (let r = 0; r < bytes.length; r += RECORD_BYTES) if (bytes[r] >= 10) return /has label \d+; labels must be 0\.\.9$/;
  return null;
}

describe('loadCifar10 on mutated batch files (property-based)', () => {
  test('loads exactly what the files hold, or one line naming a faulty file and its fault', () => {
    const work = tmpDir();
    const outside = tmpDir();
    let run = 0;
    fc.assert(
      fc.property(fc.array(fileFault, { minLength: 1, maxLength: 3 }), (faults) => {
        const dir = path.join(work, String(run++));
        fs.mkdirSync(dir);
        const bytes = original.map((b) => new Uint8Array(b));
        const special = new Map<number, RegExp>(); // files that are not plain bytes any more
        for (const f of faults) {
          const b = bytes[f.file];
          if (f.kind === 'truncate') bytes[f.file] = b.slice(0, Math.min(f.keep, b.length));
          else if (f.kind === 'pad') bytes[f.file] = Buffer.concat([b, f.bytes]);
          else if (f.kind === 'label' && f.record * RECORD_BYTES < b.length) b[f.record * RECORD_BYTES] = f.label;
          else if (f.kind === 'pixel' && f.at < b.length) b[f.at] = f.value;
          else if (f.kind === 'empty') bytes[f.file] = new Uint8Array(0);
          else if (f.kind === 'folder') special.set(f.file, /is not a regular file$/);
          else if (f.kind === 'missing') special.set(f.file, /^missing batch file/);
          else if (f.kind === 'link-folder') special.set(f.file, /is a symbolic link to .*, which is a folder, not a regular file$/);
          else if (f.kind === 'link-dangling') special.set(f.file, /is a symbolic link to .*, which does not exist$/);
          else if (f.kind === 'link-device')
            special.set(f.file, /is a symbolic link to \/dev\/zero, which is a character device, not a regular file$/);
          // links to a regular file, in the folder or anywhere else: fine, their bytes count
          else if (f.kind === 'link-outside' && !special.has(f.file)) special.set(f.file, /LINK-OUTSIDE/);
          else if (f.kind === 'link-inside' && !special.has(f.file)) special.set(f.file, /LINK-INSIDE/);
        }
        FILES.forEach((name, i) => {
          const file = path.join(dir, name);
          const how = special.get(i)?.source;
          if (how === undefined) fs.writeFileSync(file, bytes[i]);
          else if (how === 'is not a regular file$') fs.mkdirSync(file);
          else if (how.includes('a folder')) fs.symlinkSync(outside, file);
          else if (how.includes('does not exist')) fs.symlinkSync(path.join(outside, 'nothing-here'), file);
          else if (how.includes('dev')) fs.symlinkSync('/dev/zero', file);
          else if (how === 'LINK-OUTSIDE') {
            fs.writeFileSync(path.join(outside, `${run}-${name}`), bytes[i]);
            fs.symlinkSync(path.join(outside, `${run}-${name}`), file);
          } else if (how === 'LINK-INSIDE') {
            fs.writeFileSync(path.join(dir, `real-${name}`), bytes[i]);
            fs.symlinkSync(`real-${name}`, file);
          }
        });
        const expected = FILES.map((_name, i) => {
          const s = special.get(i);
          return s && !s.source.startsWith('LINK-') ? s : fault(bytes[i]);
        });
        let raw: ReturnType<typeof loadCifar10> | null = null;
        const err = lintrainError(() => (raw = loadCifar10(dir)));
        if (expected.every((e) => e === null)) {
          expect(err).toBeNull();
          const want = Buffer.concat(bytes);
          const got = raw!;
          expect(got.nTrain + got.nTest).toBe(want.length / RECORD_BYTES);
          for (let r = 0; r < got.nTrain + got.nTest; r++) {
            expect(got.labels[r]).toBe(want[r * RECORD_BYTES]);
            expect(
              firstDiff(got.pixels.subarray(r * 3072, (r + 1) * 3072), want.subarray(r * RECORD_BYTES + 1, (r + 1) * RECORD_BYTES)),
            ).toBe(-1);
          }
        } else {
          expect(err).not.toBeNull();
          const named = FILES.findIndex((name) => err!.message.includes(path.join(dir, name)));
          expect(named).toBeGreaterThanOrEqual(0);
          expect(expected[named]).not.toBeNull();
          expect(err!.message).toMatch(expected[named]!);
        }
        fs.rmSync(dir, { recursive: true });
      }),
      { numRuns: 150 },
    );
  });

  test('batches.meta.txt: ten names, or one line naming the file', () => {
    const dir = tmpDir();
    for (const [i, b] of original.entries()) fs.writeFileSync(path.join(dir, FILES[i]), b);
    const meta = path.join(dir, META_FILE);
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 14 }), (lines) => {
        fs.writeFileSync(meta, lines.join('\n'));
        const names = lines.map((s) => s.trim()).filter(Boolean);
        const err = lintrainError(() => loadCifar10(dir));
        if (names.length === 10) expect(err).toBeNull();
        else expect(err!.message).toBe(`${meta} lists ${names.length} class names; expected 10, one a line`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('symbolic links in the data directory', () => {
  test('a data folder of links into a shared dataset folder loads exactly what the files hold', () => {
    const shared = writeCifarFixture(tmpDir(), { counts: [3, 1, 2, 1, 1, 4] }); // the shared copy
    const mine = path.join(tmpDir(), 'cifar-10-batches-bin'); // a user's data folder of links, absolute and relative
    fs.mkdirSync(mine);
    for (const [i, f] of [...TRAIN_FILES, TEST_FILE, META_FILE].entries()) {
      const target = path.join(shared.batchDir, f);
      fs.symlinkSync(i % 2 === 0 ? target : path.relative(mine, target), path.join(mine, f));
    }
    const raw = loadCifar10(mine);
    expect(firstDiff(raw.pixels, shared.pixels)).toBe(-1);
    expect(firstDiff(raw.labels, shared.labels)).toBe(-1);
    expect([raw.nTrain, raw.nTest]).toEqual([shared.nTrain, shared.nTest]);
    // a link to a link, and a linked data folder as a whole
    const twice = path.join(tmpDir(), 'again.bin');
    fs.symlinkSync(path.join(shared.batchDir, TRAIN_FILES[0]), twice);
    fs.rmSync(path.join(mine, TRAIN_FILES[0]));
    fs.symlinkSync(twice, path.join(mine, TRAIN_FILES[0]));
    const linkedDir = path.join(tmpDir(), 'linked');
    fs.symlinkSync(mine, linkedDir);
    expect(firstDiff(loadCifar10(linkedDir).pixels, shared.pixels)).toBe(-1);
  });

  test('a link to nothing, to a folder, to /dev/zero or to a FIFO is refused by name; a linked meta file is read as any', () => {
    const fx = writeCifarFixture(tmpDir(), { counts: [1, 1, 1, 1, 1, 1] });
    const file = path.join(fx.batchDir, TEST_FILE);
    const linkTo = (target: string) => {
      fs.rmSync(file, { force: true });
      fs.symlinkSync(target, file);
      return lintrainError(() => loadCifar10(fx.batchDir))?.message;
    };
    expect(linkTo('/no/such/file.bin')).toBe(`batch file ${file} is a symbolic link to /no/such/file.bin, which does not exist`);
    const folder = tmpDir();
    expect(linkTo(folder)).toBe(
      `batch file ${file} is a symbolic link to ${fs.realpathSync(folder)}, which is a folder, not a regular file`,
    );
    expect(linkTo('/dev/zero')).toBe(`batch file ${file} is a symbolic link to /dev/zero, which is a character device, not a regular file`);
    const fifo = path.join(tmpDir(), 'pipe');
    if (spawnSync('mkfifo', [fifo]).status === 0) {
      expect(linkTo(fifo)).toBe(`batch file ${file} is a symbolic link to ${fs.realpathSync(fifo)}, which is a FIFO, not a regular file`);
    }
    fs.rmSync(file);
    fs.writeFileSync(file, original[5]);
    const meta = path.join(fx.batchDir, META_FILE);
    fs.rmSync(meta);
    fs.symlinkSync('/dev/null', meta);
    expect(lintrainError(() => loadCifar10(fx.batchDir))!.message).toMatch(
      /^class-name file .*batches\.meta\.txt is a symbolic link to \/dev\/null, which is a character device/,
    );
    fs.rmSync(meta);
    const names = path.join(tmpDir(), 'names.txt');
    fs.writeFileSync(names, 'one\ntwo\n');
    fs.symlinkSync(names, meta);
    expect(lintrainError(() => loadCifar10(fx.batchDir))!.message).toMatch(/batches\.meta\.txt lists 2 class names; expected 10/);
  });
});

// ---- archives ---------------------------------------------------------------------------

interface Entry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO';
  linkpath?: string;
  body?: Uint8Array;
}

/** A .tar.gz of these entries, headers written with tar's own Header (any name, any type). */
function archiveOf(entries: Entry[], cut = 0): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? new Uint8Array(0));
    const header = Buffer.alloc(512);
    new tar.Header({
      path: e.path,
      type: e.type,
      linkpath: e.linkpath,
      size: body.length,
      mode: e.type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
    }).encode(header, 0);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const gz = zlib.gzipSync(Buffer.concat(blocks));
  return cut > 0 ? gz.subarray(0, Math.max(20, gz.length - cut)) : gz;
}

const goodEntries = (): Entry[] => [
  { path: `${BATCH_DIR_NAME}/`, type: 'Directory' },
  ...FILES.map((f, i) => ({ path: `${BATCH_DIR_NAME}/${f}`, type: 'File' as const, body: new Uint8Array(original[i]) })),
  { path: `${BATCH_DIR_NAME}/${META_FILE}`, type: 'File', body: META },
  { path: `${BATCH_DIR_NAME}/readme.html`, type: 'File', body: Buffer.from('<html></html>') },
];

type ArchiveFault =
  | { kind: 'drop' | 'duplicate' | 'label' | 'truncate' | 'fifo'; file: number }
  | { kind: 'extra' | 'traversal' | 'absolute' | 'symlink' | 'hardlink'; name: string }
  | { kind: 'cut'; bytes: number };

const word = fc.stringMatching(/^[a-z0-9_]{1,12}$/);
const archiveFault: fc.Arbitrary<ArchiveFault> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('drop' as const, 'duplicate' as const, 'label' as const, 'truncate' as const, 'fifo' as const),
    file: fileIndex,
  }),
  fc.record({
    kind: fc.constantFrom('extra' as const, 'traversal' as const, 'absolute' as const, 'symlink' as const, 'hardlink' as const),
    name: word,
  }),
  fc.record({ kind: fc.constant('cut' as const), bytes: fc.integer({ min: 30, max: 4000 }) }),
);

const MESSAGES: Record<ArchiveFault['kind'], RegExp> = {
  drop: /does not hold cifar-10-batches-bin\/\w+\.bin; is it the CIFAR-10 binary version/,
  duplicate: /member ".*" appears twice; refusing it$/,
  label: /\.bin in .* record \d+ \(byte offset \d+\) has label \d+; labels must be 0\.\.9$/,
  truncate: /\.bin in .* has \d+ bytes, not a multiple of the 3073-byte record/,
  fifo: /member ".*" is a FIFO, not a regular file; refusing it$/,
  extra: /extra member ".*"( \(and \d+ more\))?; the CIFAR-10 binary archive holds only/,
  traversal: /member ".*" points outside the archive's folder \('\.\.'\); refusing it$/,
  absolute: /member ".*" has an absolute or non-portable path; refusing it$/,
  symlink: /member ".*" is a symbolic link to ".*"; .* no links; refusing it$/,
  hardlink: /member ".*" is a hard link to ".*"; .* no links; refusing it$/,
  cut: /is not a readable \.tar\.gz archive/,
};

describe('importArchive on mutated archives (property-based)', () => {
  test('installs exactly the good archive, or one line naming the archive and the fault; nothing left or written outside', async () => {
    const outside = tmpDir(); // absolute names and link targets point here
    const work = tmpDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(archiveFault, { maxLength: 3 }), async (faults) => {
        const entries = goodEntries();
        let cut = 0;
        const fileEntry = (i: number) => entries.find((e) => e.path === `${BATCH_DIR_NAME}/${FILES[i]}` && e.type === 'File');
        for (const f of faults) {
          if (f.kind === 'drop')
            for (let k = entries.length - 1; k >= 0; k--) entries[k].path === `${BATCH_DIR_NAME}/${FILES[f.file]}` && entries.splice(k, 1);
          else if (f.kind === 'duplicate' && fileEntry(f.file)) entries.push({ ...fileEntry(f.file)! });
          else if (f.kind === 'label' && fileEntry(f.file))
            fileEntry(f.file)!.body = Uint8Array.from(fileEntry(f.file)!.body!, (b, k) => (k === 0 ? 10 + (b % 200) : b));
          else if (f.kind === 'truncate' && fileEntry(f.file))
            fileEntry(f.file)!.body = fileEntry(f.file)!.body!.slice(0, RECORD_BYTES - 7);
          else if (f.kind === 'fifo' && fileEntry(f.file)) Object.assign(fileEntry(f.file)!, { type: 'FIFO', body: undefined });
          else if (f.kind === 'extra')
            entries.push({ path: `${BATCH_DIR_NAME}/extra-${f.name}.bin`, type: 'File', body: Buffer.from('x') });
          else if (f.kind === 'traversal')
            entries.push({ path: `${BATCH_DIR_NAME}/../../${f.name}`, type: 'File', body: Buffer.from('x') });
          else if (f.kind === 'absolute') entries.push({ path: `${outside}/${f.name}`, type: 'File', body: Buffer.from('x') });
          else if (f.kind === 'symlink')
            entries.unshift({ path: `${BATCH_DIR_NAME}/${f.name}`, type: 'SymbolicLink', linkpath: `${outside}/${f.name}` });
          else if (f.kind === 'hardlink')
            entries.unshift({ path: `${BATCH_DIR_NAME}/${f.name}`, type: 'Link', linkpath: `../../${f.name}` });
          else if (f.kind === 'cut') cut = f.bytes;
        }
        const file = path.join(work, `a${run}.tar.gz`);
        const dataDir = path.join(work, `data${run++}`);
        fs.writeFileSync(file, archiveOf(entries, cut));
        let message: string | null = null;
        try {
          await importArchive(file, dataDir, { onWarning: () => {} });
        } catch (e) {
          expect(e).toBeInstanceOf(LintrainError);
          message = (e as Error).message;
        }
        // a fault that changes nothing (say a label on a file also dropped) is still reported by the other
        const effective = faults.filter((f) => f.kind !== 'cut' || cut > 0);
        expect(fs.readdirSync(outside)).toEqual([]);
        expect(fs.readdirSync(work).filter((n) => !/^(a\d+\.tar\.gz|data\d+)$/.test(n))).toEqual([]);
        if (effective.length === 0) {
          expect(message).toBeNull();
          expect(fs.readdirSync(dataDir)).toEqual([BATCH_DIR_NAME]);
          const raw = loadCifar10(path.join(dataDir, BATCH_DIR_NAME));
          expect(firstDiff(raw.pixels, base.pixels)).toBe(-1);
        } else {
          expect(message).not.toBeNull();
          expect(message).not.toMatch(/[\r\n]/);
          expect(message).toContain(file);
          expect(effective.some((f) => MESSAGES[f.kind].test(message!))).toBe(true);
          expect(fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : []).toEqual([]);
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
        fs.rmSync(file);
      }),
      { numRuns: 50 },
    );
  });

  test.each([
    ['../x', 'File', undefined, `member "../x" points outside the archive's folder ('..'); refusing it`],
    ['/etc/x', 'File', undefined, 'member "/etc/x" has an absolute or non-portable path; refusing it'],
    [
      `${BATCH_DIR_NAME}/${TRAIN_FILES[0]}`,
      'SymbolicLink',
      '/etc/passwd',
      `member "${BATCH_DIR_NAME}/${TRAIN_FILES[0]}" is a symbolic link to "/etc/passwd"; the CIFAR-10 binary archive holds only cifar-10-batches-bin/ with the six .bin files, batches.meta.txt and readme.html, no links; refusing it`,
    ],
    [
      `${BATCH_DIR_NAME}/${TEST_FILE}`,
      'Link',
      '../../etc/passwd',
      `member "${BATCH_DIR_NAME}/${TEST_FILE}" is a hard link to "../../etc/passwd"; the CIFAR-10 binary archive holds only cifar-10-batches-bin/ with the six .bin files, batches.meta.txt and readme.html, no links; refusing it`,
    ],
  ] as const)('a member %s (%s) is refused by name before anything is written', async (name, type, linkpath, problem) => {
    const file = path.join(tmpDir(), 'evil.tar.gz');
    const entries: Entry[] = [{ path: name, type, linkpath, body: type === 'File' ? Buffer.from('pwned') : undefined }, ...goodEntries()];
    fs.writeFileSync(file, archiveOf(entries));
    const dataDir = path.join(tmpDir(), 'data');
    await expect(importArchive(file, dataDir)).rejects.toThrow(new LintrainError(`${file}: ${problem}`));
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  test('extra members are named, after a missing member would have been', async () => {
    const file = path.join(tmpDir(), 'extra.tar.gz');
    fs.writeFileSync(
      file,
      archiveOf([
        ...goodEntries(),
        { path: 'notes.txt', type: 'File', body: Buffer.from('hi') },
        { path: `${BATCH_DIR_NAME}/data_batch_6.bin`, type: 'File', body: original[0] },
      ]),
    );
    await expect(importArchive(file, tmpDir())).rejects.toThrow(
      `${file}: extra member "notes.txt" (and 1 more); the CIFAR-10 binary archive holds only cifar-10-batches-bin/ with the six .bin files, batches.meta.txt and readme.html`,
    );
    const missing = path.join(tmpDir(), 'missing.tar.gz');
    fs.writeFileSync(
      missing,
      archiveOf([
        ...goodEntries().filter((e) => !e.path.endsWith(TRAIN_FILES[3])),
        { path: 'notes.txt', type: 'File', body: Buffer.from('hi') },
      ]),
    );
    await expect(importArchive(missing, tmpDir())).rejects.toThrow(`${missing} does not hold ${BATCH_DIR_NAME}/${TRAIN_FILES[3]}`);
  });
});
