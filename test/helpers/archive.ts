/** Tiny CIFAR-10 archives for tests: a fixture under cifar-10-batches-bin/, as .tar.gz, with its md5. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { BATCH_DIR_NAME } from '../../src/data/locate.js';
import { tmpDir, writeCifarFixture } from './cifar-fixture.js';
import type { CifarFixture } from './cifar-fixture.js';

/** A .tar.gz holding a fixture under cifar-10-batches-bin/; `spoil` may damage the files first. */
export async function makeArchive(opts: { seed?: number; spoil?: (fx: CifarFixture) => void; top?: string } = {}) {
  const src = tmpDir();
  const fx = writeCifarFixture(src, { seed: opts.seed });
  opts.spoil?.(fx);
  if (opts.top) fs.renameSync(fx.batchDir, path.join(src, opts.top));
  const file = path.join(tmpDir(), 'cifar-10-binary.tar.gz');
  await tar.c({ gzip: true, file, cwd: src }, [opts.top ?? BATCH_DIR_NAME]);
  const md5 = createHash('md5').update(fs.readFileSync(file)).digest('hex');
  return { fx, file, md5 };
}
