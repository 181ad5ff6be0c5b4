#!/usr/bin/env node
/**
 * Part of `npm run build`: the command line as one module, dist/cli-bundle/main.js (what
 * bin/lintrain.js runs), bundled from the compiled dist/cli/main.js and its imports,
 * commander and chalk among them. Node 20 loads ESM files one by one, and lintrain's
 * ~130 cost about 100 ms before any work (180 ms to import against 70 ms bundled). The
 * modules stay in dist/ for the library (package.json exports) and the worker threads.
 * What is loaded on demand stays on demand: the pictures (and resvg, a native module,
 * left outside the bundle) are a chunk of their own.
 */
import fs from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const out = new URL('dist/cli-bundle/', root);
fs.rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [new URL('dist/cli/main.js', root).pathname],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: out.pathname,
  external: ['@resvg/resvg-js'],
  // commander and cli-progress are CommonJS: their require() of Node's own modules
  banner: { js: "import { createRequire as lintrainRequire } from 'node:module';\nconst require = lintrainRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
