import fs from 'node:fs';
import path from 'node:path';
import { checkBatchFile, loadCifar10, OFFICIAL_CLASS_NAMES, TEST_FILE, TRAIN_FILES, writeBatchFile } from '../src/data/cifar10.js';
import { BATCH_DIR_NAME, findBatchDir, resolveDataDir } from '../src/data/locate.js';
import { checkSplitSizes } from '../src/data/preprocess.js';
import { LintrainError } from '../src/core/errors.js';
import { D, RECORD_BYTES } from '../src/core/shapes.js';
import { firstDiff, removeTmpDirs, tmpDir, writeCifarFixture } from './helpers/cifar-fixture.js';

afterAll(removeTmpDirs);

/** The LintrainError thrown by fn (fails the test when fn does not throw one). */
function errorOf(fn: () => unknown): LintrainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LintrainError);
    return e as LintrainError;
  }
  throw new Error('expected a LintrainError, nothing was thrown');
}

describe('loadCifar10', () => {
  test('reads every record exactly as written, batches 1..5 then test_batch', () => {
    const fx = writeCifarFixture(tmpDir());
    const progress: Array<[number, number]> = [];
    const raw = loadCifar10(fx.batchDir, { onProgress: (d, t) => progress.push([d, t]) });
    expect(raw.nTrain).toBe(7 + 11 + 13 + 17 + 20);
    expect(raw.nTest).toBe(9);
    expect(firstDiff(raw.pixels, fx.pixels)).toBe(-1);
    expect(raw.labels).toEqual(fx.labels);
    expect(raw.classNames).toEqual(OFFICIAL_CLASS_NAMES);
    expect(raw.source).toBe(fx.batchDir);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6].map((d) => [d, 6]));
  });

  test('the first test record follows the last training record', () => {
    const fx = writeCifarFixture(tmpDir(), { counts: [1, 1, 1, 1, 2, 3] });
    const raw = loadCifar10(fx.batchDir);
    const testFile = fs.readFileSync(path.join(fx.batchDir, TEST_FILE));
    expect(raw.labels[6]).toBe(testFile[0]);
    expect(raw.pixels.subarray(6 * D, 7 * D)).toEqual(new Uint8Array(testFile.subarray(1, RECORD_BYTES)));
    const b5 = fs.readFileSync(path.join(fx.batchDir, TRAIN_FILES[4]));
    expect(raw.labels[5]).toBe(b5[RECORD_BYTES]); // second record of batch 5
  });

  test('files longer than one read chunk (1024 records) load whole, and their labels are all checked', () => {
    const fx = writeCifarFixture(tmpDir(), { counts: [1500, 1, 1, 1, 1, 2] });
    const raw = loadCifar10(fx.batchDir);
    expect(firstDiff(raw.pixels, fx.pixels)).toBe(-1);
    expect(firstDiff(raw.labels, fx.labels)).toBe(-1);
    const file = path.join(fx.batchDir, TRAIN_FILES[0]);
    const bytes = fs.readFileSync(file);
    bytes[1400 * RECORD_BYTES] = 255;
    fs.writeFileSync(file, bytes);
    expect(errorOf(() => loadCifar10(fx.batchDir)).message).toContain('record 1400 (byte offset 4302200) has label 255');
  });

  test('fills the buffer the allocator hands out', () => {
    const fx = writeCifarFixture(tmpDir());
    const n = fx.nTrain + fx.nTest;
    const arena = new Uint8Array(n * D + 100);
    const asked: number[] = [];
    const raw = loadCifar10(fx.batchDir, {
      alloc: (bytes) => {
        asked.push(bytes);
        return arena.subarray(100, 100 + bytes);
      },
    });
    expect(asked).toEqual([n * D]);
    expect(raw.pixels.buffer).toBe(arena.buffer);
    expect(raw.pixels.byteOffset).toBe(100);
    expect(firstDiff(arena.subarray(100), fx.pixels)).toBe(-1);
  });

  test('onCounts sees the record counts before any pixel buffer is allocated, and can refuse', () => {
    const fx = writeCifarFixture(tmpDir());
    let allocated = false;
    const err = errorOf(() =>
      loadCifar10(fx.batchDir, {
        alloc: (bytes) => {
          allocated = true;
          return new Uint8Array(bytes);
        },
        onCounts: (nTrain, nTest) =>
          checkSplitSizes({ numTrain: nTrain, numVal: 1, numTest: nTest, numDev: 0 }, nTrain, nTest, fx.batchDir),
      }),
    );
    expect(err.message).toBe(
      `--num-train ${fx.nTrain} + --num-val 1 = ${fx.nTrain + 1} exceeds the ${fx.nTrain} training records in ${fx.batchDir}`,
    );
    expect(allocated).toBe(false);
  });

  test('class names come from batches.meta.txt, else the official ten', () => {
    const fx = writeCifarFixture(tmpDir(), { meta: false });
    expect(loadCifar10(fx.batchDir).classNames).toEqual(OFFICIAL_CLASS_NAMES);
    const names = 'a b c d e f g h i j'.split(' ');
    fs.writeFileSync(path.join(fx.batchDir, 'batches.meta.txt'), names.join('\r\n') + '\r\n\r\n');
    expect(loadCifar10(fx.batchDir).classNames).toEqual(names);
    fs.writeFileSync(path.join(fx.batchDir, 'batches.meta.txt'), 'cat\ndog\n');
    expect(errorOf(() => loadCifar10(fx.batchDir)).message).toMatch(/batches\.meta\.txt lists 2 class names; expected 10/);
  });

  describe('bad files give one-line errors naming the file', () => {
    test('missing file', () => {
      const fx = writeCifarFixture(tmpDir());
      const file = path.join(fx.batchDir, 'data_batch_3.bin');
      fs.rmSync(file);
      expect(errorOf(() => loadCifar10(fx.batchDir)).message).toBe(`missing batch file ${file}`);
    });

    test('empty file', () => {
      const fx = writeCifarFixture(tmpDir());
      const file = path.join(fx.batchDir, TEST_FILE);
      fs.writeFileSync(file, '');
      expect(errorOf(() => loadCifar10(fx.batchDir)).message).toBe(`batch file ${file} is empty`);
    });

    test('size not a multiple of 3073', () => {
      const fx = writeCifarFixture(tmpDir());
      const file = path.join(fx.batchDir, 'data_batch_2.bin');
      fs.appendFileSync(file, Buffer.from([0]));
      const msg = errorOf(() => loadCifar10(fx.batchDir)).message;
      expect(msg).toContain(file);
      expect(msg).toContain(`has ${11 * RECORD_BYTES + 1} bytes, not a multiple of the 3073-byte record`);
    });

    test('label byte above 9, with the record and the value', () => {
      const fx = writeCifarFixture(tmpDir());
      const file = path.join(fx.batchDir, 'data_batch_4.bin');
      const bytes = fs.readFileSync(file);
      bytes[3 * RECORD_BYTES] = 10;
      fs.writeFileSync(file, bytes);
      const msg = errorOf(() => loadCifar10(fx.batchDir)).message;
      expect(msg).toBe(`batch file ${file}: record 3 (byte offset ${3 * RECORD_BYTES}) has label 10; labels must be 0..9`);
      expect(msg).not.toContain('\n');
    });

    test('a directory where a file should be', () => {
      const fx = writeCifarFixture(tmpDir());
      const file = path.join(fx.batchDir, 'data_batch_1.bin');
      fs.rmSync(file);
      fs.mkdirSync(file);
      expect(errorOf(() => loadCifar10(fx.batchDir)).message).toBe(`batch file ${file} is not a regular file`);
    });
  });
});

describe('writeBatchFile and checkBatchFile', () => {
  test('round trip and record count', () => {
    const file = path.join(tmpDir(), 'x.bin');
    const labels = Uint8Array.from([3, 9]);
    const pixels = new Uint8Array(2 * D).map((_, i) => i % 251);
    writeBatchFile(file, labels, pixels);
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(2 * RECORD_BYTES);
    expect(bytes[0]).toBe(3);
    expect(bytes[RECORD_BYTES]).toBe(9);
    expect(bytes[RECORD_BYTES + 1 + 5]).toBe(pixels[D + 5]);
    expect(checkBatchFile(file)).toBe(2);
  });

  test('refuses pixels that do not match the labels', () => {
    expect(() => writeBatchFile(path.join(tmpDir(), 'x.bin'), new Uint8Array(2), new Uint8Array(D))).toThrow(RangeError);
  });
});

describe('locate', () => {
  test('resolveDataDir: --data, else LINTRAIN_DATA, else ./data; absolute', () => {
    expect(resolveDataDir('some/where', { LINTRAIN_DATA: '/env/dir' })).toBe(path.resolve('some/where'));
    expect(resolveDataDir(undefined, { LINTRAIN_DATA: '/env/dir' })).toBe('/env/dir');
    expect(resolveDataDir(undefined, {})).toBe(path.resolve('data'));
    expect(path.isAbsolute(resolveDataDir('rel', {}))).toBe(true);
  });

  test('findBatchDir accepts the batch folder or its parent', () => {
    const parent = tmpDir();
    expect(findBatchDir(parent)).toBeNull();
    const nested = writeCifarFixture(parent);
    expect(findBatchDir(parent)).toBe(path.join(parent, BATCH_DIR_NAME));
    expect(findBatchDir(nested.batchDir)).toBe(nested.batchDir);
    const flat = tmpDir();
    writeCifarFixture(flat, { nested: false });
    expect(findBatchDir(flat)).toBe(flat);
  });
});
