#!/usr/bin/env node
/**
 * Part of `npm run build`: bundle the board's browser code (src/board/client/main.ts and
 * what it imports, the trainer's loss code among it) into dist/board/assets/app.js, and
 * copy the page and its stylesheet beside it. Everything the board serves comes from
 * dist/board/assets/: no CDN, it works offline.
 */
import fs from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const out = new URL('dist/board/assets/', root);
fs.mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('src/board/client/main.ts', root).pathname],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: new URL('app.js', out).pathname,
  logLevel: 'warning',
});
for (const f of ['index.html', 'board.css']) fs.copyFileSync(new URL(`src/board/client/${f}`, root), new URL(f, out));
