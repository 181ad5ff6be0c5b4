/**
 * Where the data lives: `--data DIR`, else $LINTRAIN_DATA, else ./data. DIR may be the
 * folder holding the batch files itself or its parent holding cifar-10-batches-bin/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TRAIN_FILES } from './cifar10.js';

export const BATCH_DIR_NAME = 'cifar-10-batches-bin';

/** The data directory as an absolute path (relative ones against the cwd). */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag !== undefined && flag !== '' ? flag : env.LINTRAIN_DATA || 'data';
  return path.resolve(chosen);
}

/** The directory holding data_batch_1.bin: dataDir itself, else dataDir/cifar-10-batches-bin, else null. */
export function findBatchDir(dataDir: string): string | null {
  for (const dir of [dataDir, path.join(dataDir, BATCH_DIR_NAME)]) {
    if (fs.existsSync(path.join(dir, TRAIN_FILES[0]))) return dir;
  }
  return null;
}
