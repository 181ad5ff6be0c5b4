/**
 * Files of the installed package, under the folder that holds lintrain's package.json:
 * the wasm builds, the worker scripts, the board's page, the presets. Found by walking up
 * from this module, so the same code finds them from src/ (the tests), dist/ and the
 * command line's bundle (dist/cli-bundle/, scripts/build-cli.mjs), whatever their depth.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LintrainError } from './errors.js';

let root: string | null = null;

/** The folder holding package.json, walking up from this file. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      root = dir;
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new LintrainError(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A path inside the package: packageFile('dist', 'sweep', 'pool-worker.js'). */
export const packageFile = (...parts: string[]): string => path.join(packageRoot(), ...parts);
