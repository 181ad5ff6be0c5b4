/**
 * The 128-bit SIMD peak of this machine for float32 multiply-adds, per core and on all
 * cores at once, for the plain build (multiply then add) and the fused one, and for
 * 16-bit integer multiply-adds (i32x4.dot_i16x8_s, 8 per instruction). bench/peak/
 * is compiled here with the project's AssemblyScript (a dev dependency), into a temporary
 * folder; nothing of it ships.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TURNS = 50_000_000; // 2.4 G multiply-adds: about a tenth of a second
// the probe's export and its multiply-adds per turn: 12 accumulators of 4 floats, or of 4 × 2 int16 products
const PROBES = { run: 12 * 4, runDot: 12 * 8 };

function compile(relaxed) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-peak-')), 'peak.wasm');
  const asc = path.join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  const enable = relaxed ? ['--enable', 'simd,relaxed-simd'] : ['--enable', 'simd'];
  const r = spawnSync(
    process.execPath,
    [asc, path.join(ROOT, 'bench', 'peak', 'index.ts'), '-O3', '--runtime', 'stub', ...enable, '-o', out],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`cannot build the peak probe: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return fs.readFileSync(out);
}

/** G multiply-adds per second of one run of the probe `fn` in this thread. */
function once(bytes, fn) {
  const run = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports[fn];
  run(100_000, 1); // tier up
  const t0 = performance.now();
  run(TURNS, 1);
  return (TURNS * PROBES[fn]) / ((performance.now() - t0) / 1e3) / 1e9;
}

/** The same probe on `n` threads at once; their rates. */
async function parallel(bytes, fn, n) {
  const src = `const { parentPort, workerData } = require('node:worker_threads');
    const v8 = require('node:v8'); v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    const run = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes)).exports.${fn};
    run(100000, 1);
    parentPort.once('message', () => { const t0 = performance.now(); run(${TURNS}, 1); parentPort.postMessage(${TURNS * PROBES[fn]} / ((performance.now() - t0) / 1e3) / 1e9); });
    parentPort.postMessage('ready');`;
  const workers = Array.from({ length: n }, () => new Worker(src, { eval: true, workerData: { bytes } }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const rates = await Promise.all(
    workers.map(
      (w) =>
        new Promise((r) => {
          w.once('message', r);
          w.postMessage('go');
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  return rates;
}

/**
 * {plain: {perCore, allCores}, fused: {...}, int16: {...}}: G multiply-adds/s, the best of
 * `tries` runs (the ceiling is what the machine can do when nothing gets in the way);
 * an entry is {error} where its build fails.
 */
export async function simdPeak(tries = 5) {
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  const out = {};
  for (const [name, relaxed, fn] of [
    ['plain', false, 'run'],
    ['fused', true, 'run'],
    ['int16', false, 'runDot'],
  ]) {
    let bytes;
    try {
      bytes = compile(relaxed);
    } catch (e) {
      out[name] = { error: e.message };
      continue;
    }
    let perCore = 0;
    let allCores = 0;
    for (let t = 0; t < tries; t++) {
      perCore = Math.max(perCore, once(bytes, fn));
      const rates = await parallel(bytes, fn, os.availableParallelism());
      allCores = Math.max(
        allCores,
        rates.reduce((a, b) => a + b, 0),
      );
    }
    out[name] = { perCore, allCores };
  }
  return out;
}
