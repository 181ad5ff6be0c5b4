/**
 * Every backend on the same cases: the wasm SIMD backend (1 and 2 threads, pixels in
 * its shared memory and outside it) against the js reference — loss, dW, the count of
 * right argmaxes, lossMany and predict, for all three losses, full splits, minibatches
 * with repeated rows, row counts that are no multiple of any block size, and fewer rows
 * than threads. Then the thread machinery itself: bit-identical repeats, worker errors,
 * dispose. Needs `npm run build` (build/lintrain.wasm and dist/kernels/wasm/worker.js).
 */
import fs from 'node:fs';
import { C, D, DB } from '../src/core/shapes.js';
import type { FloatArray, Split } from '../src/core/shapes.js';
import { Rng } from '../src/core/rng.js';
import { LintrainError } from '../src/core/errors.js';
import { LOSS_NAMES } from '../src/model/losses/types.js';
import type { LossSpec } from '../src/model/losses/types.js';
import { createJsKernels } from '../src/kernels/js.js';
import { createWasmKernels } from '../src/kernels/wasm/backend.js';
import type { Kernels } from '../src/kernels/types.js';
import { Arena, backendFiles, MAX_PAGES } from '../src/kernels/wasm/memory.js';
import { Pool } from '../src/kernels/wasm/pool.js';
import { meanImage } from '../src/data/preprocess.js';
import { l2Term, regularize } from '../src/model/regularizers.js';
import type { RegSpec } from '../src/model/regularizers.js';

const N = 203; // no multiple of 2, of the 16-row block, or of the thread count
const rng = new Rng(7);
const pixels = new Uint8Array(N * D);
for (let k = 0; k < pixels.length; k++) pixels[k] = rng.int(256);
const labels = Uint8Array.from({ length: N }, () => rng.int(C));
const outside: Split = { pixels, labels, n: N }; // an ordinary array: the wasm backend stages it
const mean = new Float32Array(D);
for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mean[d] += pixels[i * D + d] / N;

/** W entries N(0,1)·scale, float32 as in training. */
const randomW = (scale: number, K = 1) => rng.fillNormal(new Float32Array(K * C * DB), scale) as Float32Array;
// Small W: every margin active, scores ≈ 0. Large W: margins on both sides, softmax far from uniform.
const W_SMALL = randomW(1e-4);
const W_LARGE = randomW(5e-3);
const MINIBATCH = Int32Array.from({ length: 64 }, (_, i) => (i < 8 ? 5 : rng.int(N))); // row 5 eight times
const PICKS: [string, Int32Array | null][] = [
  ['all rows', null],
  ['minibatch with repeats', MINIBATCH],
  ['one row (fewer than threads)', Int32Array.of(N - 1)],
];

/** max_k |a_k − b_k| / max_k |b_k| (or the plain difference when b is all zeros; NaN wins). */
function relToMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < b.length; k++) {
    // No Math here: under jest's vm sandbox every global lookup is slow.
    const e = a[k] > b[k] ? a[k] - b[k] : b[k] - a[k];
    if (!(e <= diff)) diff = e;
    const m = b[k] < 0 ? -b[k] : b[k];
    if (m > scale) scale = m;
  }
  return scale === 0 ? diff : diff / scale;
}

/** Float32 scores carry ~1e-6 of their size: losses near 0 are compared absolutely. */
const lossClose = (got: number, want: number) => Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want));

const js = createJsKernels();
const backends: { label: string; k: Kernels; split: Split }[] = [];

// Both wasm builds: plain multiply then add (the default, --backend wasm) and fused
// multiply-add (--backend wasm-fma, where the runtime has relaxed SIMD, as Node 20 does
// once the flag is on, and the CPU fuses).
beforeAll(async () => {
  for (const fma of [true, false]) {
    for (const threads of [1, 2]) {
      const k = await createWasmKernels({ threads, fma });
      const inside = k.allocPixels(N * D);
      inside.set(pixels);
      const build = fma ? 'fma' : 'simd';
      backends.push({ label: `wasm ${build} ×${threads}, pixels in its memory`, k, split: { pixels: inside, labels, n: N } });
      backends.push({ label: `wasm ${build} ×${threads}, pixels staged`, k, split: outside });
    }
  }
});
afterAll(() => {
  for (const b of backends) b.k.dispose();
});

/** How many picked rows js's predict gets right: the reference for `correct`. */
function jsCorrect(rows: Int32Array | null, W: FloatArray): number {
  const n = rows ? rows.length : N;
  const pred = new Uint8Array(n);
  js.predict(outside, rows, mean, W, pred);
  let right = 0;
  for (let i = 0; i < n; i++) if (pred[i] === labels[rows ? rows[i] : i]) right++;
  return right;
}

describe.each(LOSS_NAMES.map((name) => [name]))('%s loss: wasm agrees with js', (name) => {
  const spec: LossSpec = { name, delta: name === 'svm2' ? 0.5 : 1 };
  for (const [pick, rows] of PICKS) {
    for (const [wName, W] of [
      ['small W', W_SMALL],
      ['large W', W_LARGE],
    ] as const) {
      test(`lossAndGrad, ${pick}, ${wName}`, () => {
        const want = new Float64Array(C * DB);
        const loss = js.lossAndGrad(outside, rows, mean, W, spec, want);
        const right = jsCorrect(rows, W);
        for (const b of backends) {
          const dW = new Float32Array(C * DB).fill(NaN); // overwritten, not accumulated
          const correct = new Int32Array(1);
          const got = b.k.lossAndGrad(b.split, rows, mean, W, spec, dW, correct);
          expect({ b: b.label, loss: lossClose(got, loss) }).toEqual({ b: b.label, loss: true });
          expect({ b: b.label, dW: relToMax(dW, want) < 1e-4 }).toEqual({ b: b.label, dW: true });
          expect({ b: b.label, correct: correct[0] }).toEqual({ b: b.label, correct: right });
        }
      });
    }
  }

  test('lossMany: three candidates in one pass, all rows and a minibatch', () => {
    const K = 3;
    const Ws = randomW(2e-3, K);
    for (const rows of [null, MINIBATCH]) {
      const want = new Float64Array(K);
      js.lossMany(outside, rows, mean, Ws, K, spec, want);
      for (const b of backends) {
        const out = new Float64Array(K);
        const correct = new Int32Array(K);
        b.k.lossMany(b.split, rows, mean, Ws, K, spec, out, correct);
        for (let m = 0; m < K; m++) {
          expect(lossClose(out[m], want[m])).toBe(true);
          expect(correct[m]).toBe(jsCorrect(rows, Ws.subarray(m * C * DB, (m + 1) * C * DB)));
        }
      }
    }
  });
});

// The L2 penalty rides along the gradient's reduction on wasm (threads add 2λW to their
// chunks of dW and sum W² beside it); js applies regularize. Strength 5e3 on W_LARGE makes
// 2λW as large as the data gradient, so a missing, doubled or misplaced term shows.
describe.each([false, true])('L2 folded into lossAndGrad, bias penalized: %s', (includeBias) => {
  const reg: RegSpec = { type: 'l2', strength: 5e3, l1Ratio: 0, includeBias };
  const spec: LossSpec = { name: 'svm', delta: 1 };
  test.each([
    ['float32 dW', false],
    ['float64 dW', true],
  ] as const)('%s: dW and penalty equal lossAndGrad + regularize', (_, f64) => {
    for (const rows of [null, MINIBATCH]) {
      const want = new Float64Array(C * DB);
      const dataLoss = js.lossAndGrad(outside, rows, mean, W_LARGE, spec, want);
      const penalty = regularize(W_LARGE, reg, want);
      for (const b of [{ label: 'js', k: js, split: outside }, ...backends]) {
        const dW = f64 ? new Float64Array(C * DB) : new Float32Array(C * DB);
        const term = l2Term(reg)!;
        const got = b.k.lossAndGrad(b.split, rows, mean, W_LARGE, spec, dW, undefined, term);
        expect({ b: b.label, loss: lossClose(got, dataLoss) }).toEqual({ b: b.label, loss: true });
        expect({ b: b.label, penalty: Math.abs(term.penalty - penalty) <= 1e-6 * penalty }).toEqual({ b: b.label, penalty: true });
        expect({ b: b.label, dW: relToMax(dW, want) < 1e-4 }).toEqual({ b: b.label, dW: true });
        // The bias column's gradient is the data part alone unless the bias is penalized.
        const c = 3,
          bias = c * DB + D;
        const wantBias = want[bias];
        expect({ b: b.label, bias: Math.abs(dW[bias] - wantBias) <= 1e-4 * Math.abs(wantBias) + 1e-6 }).toEqual({ b: b.label, bias: true });
        // The next call without a term is the data gradient alone: nothing lingers.
        const plain = new Float64Array(C * DB);
        js.lossAndGrad(outside, rows, mean, W_LARGE, spec, plain);
        b.k.lossAndGrad(b.split, rows, mean, W_LARGE, spec, dW);
        expect({ b: b.label, dW: relToMax(dW, plain) < 1e-4 }).toEqual({ b: b.label, dW: true });
      }
    }
  });
});

test('predict matches js exactly, all rows and a minibatch', () => {
  for (const rows of [null, MINIBATCH]) {
    const n = rows ? rows.length : N;
    const want = new Uint8Array(n);
    js.predict(outside, rows, mean, W_LARGE, want);
    for (const b of backends) {
      const got = new Uint8Array(n);
      b.k.predict(b.split, rows, mean, W_LARGE, got);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  }
});

test('the default wasm build is the plain one, the same on every machine, and says so', async () => {
  const k = await createWasmKernels({ threads: 1 });
  try {
    expect({ name: k.name, id: k.id, detail: k.detail, fallback: k.fallback }).toEqual({
      name: 'wasm',
      id: 'wasm',
      detail: 'SIMD, 1 thread',
      fallback: null,
    });
  } finally {
    k.dispose();
  }
  const fma = backends.find((b) => b.label.startsWith('wasm fma'))!.k;
  // Where the CPU fuses (every x86-64 with FMA3, every arm64) the fused build runs; elsewhere the plain one, under its id.
  expect(fma.name).toBe('wasm-fma');
  expect(fma.id === 'wasm-fma' ? fma.detail : fma.fallback).toMatch(
    fma.id === 'wasm-fma' ? /^SIMD \+ fused multiply-add, / : /does not fuse/,
  );
});

// svm runs its backward pass in integers (assembly/backward.ts), softmax in floats.
test.each([
  [true, 'softmax'],
  [false, 'softmax'],
  [true, 'svm'],
  [false, 'svm'],
] as const)('bit-identical across repeats, thread counts (3 here) and where the pixels live (fma %s, %s)', async (fma, name) => {
  const spec: LossSpec = { name, delta: 1 };
  const same = backends.filter((b) => b.label.startsWith(`wasm ${fma ? 'fma' : 'simd'} `));
  const ref = new Float32Array(C * DB);
  const loss = same[0].k.lossAndGrad(same[0].split, MINIBATCH, mean, W_LARGE, spec, ref);
  const three = await createWasmKernels({ threads: 3, fma });
  try {
    const runs = [...same, ...same, { label: 'wasm ×3', k: three, split: outside }];
    for (const b of runs) {
      const dW = new Float32Array(C * DB);
      const got = b.k.lossAndGrad(b.split, MINIBATCH, mean, W_LARGE, spec, dW);
      expect({ b: b.label, loss: got, same: Buffer.from(dW.buffer).equals(Buffer.from(ref.buffer)) }).toEqual({
        b: b.label,
        loss,
        same: true,
      });
    }
  } finally {
    three.dispose();
  }
});

test('meanImage: the same bits as the reference on every backend, over 256-row chunks and superblocks', () => {
  // 3,200 rows of all-255 pixels but a few: the 16-bit lanes would overflow past 257 rows.
  const n = 3200;
  for (const b of backends.filter((x) => x.label.endsWith('memory'))) {
    const big = b.k.allocPixels(n * D).subarray(0, n * D);
    big.fill(255);
    for (let i = 0; i < n; i += 7) big[i * D + (i % D)] = i % 256;
    const split: Split = { pixels: big, labels: new Uint8Array(n), n };
    const want = meanImage(split);
    for (const s of [split, { ...split, n: 1 }, { ...split, n: 257 }]) {
      const ref = meanImage(s);
      expect({ b: b.label, n: s.n, same: Buffer.from(b.k.meanImage(s).buffer).equals(Buffer.from(ref.buffer)) }).toEqual({
        b: b.label,
        n: s.n,
        same: true,
      });
    }
    expect(want[0]).toBeLessThan(255);
  }
  for (const b of [...backends, { label: 'js', k: js, split: outside }]) {
    expect(Buffer.from(b.k.meanImage(b.split).buffer).equals(Buffer.from(meanImage(outside).buffer))).toBe(true);
  }
});

test('float64 W and dW are accepted (computed in float32)', () => {
  const W = Float64Array.from(W_LARGE);
  const want = new Float64Array(C * DB);
  const loss = js.lossAndGrad(outside, null, mean, W, { name: 'svm', delta: 1 }, want);
  const dW = new Float64Array(C * DB);
  const got = backends[0].k.lossAndGrad(outside, null, mean, W, { name: 'svm', delta: 1 }, dW);
  expect(lossClose(got, loss)).toBe(true);
  expect(relToMax(dW, want)).toBeLessThan(1e-4);
});

test('arguments out of range are refused with the culprit named', () => {
  const k = backends[0].k;
  const dW = new Float32Array(C * DB);
  const svm: LossSpec = { name: 'svm', delta: 1 };
  expect(() => k.lossAndGrad(outside, Int32Array.of(0, N), mean, W_SMALL, svm, dW)).toThrow(/row index 203 at position 1/);
  expect(() => k.lossAndGrad(outside, new Int32Array(0), mean, W_SMALL, svm, dW)).toThrow(/no rows/);
  expect(() => k.lossAndGrad(outside, null, mean, W_SMALL.subarray(1), svm, dW)).toThrow(/W has 30729 values/);
  expect(() => k.lossMany(outside, null, mean, W_SMALL, 2, svm, new Float64Array(2))).toThrow(/W has 30730 values, expected 61460/);
  const badLabel = { pixels, labels: Uint8Array.from(labels, (y, i) => (i === 9 ? 10 : y)), n: N };
  expect(() => k.lossAndGrad(badLabel, null, mean, W_SMALL, svm, dW)).toThrow(/label 10 of row 9 is outside 0..9/);
});

test('allocPixels hands out views of one shared memory', () => {
  const k = backends[0].k;
  const a = k.allocPixels(100);
  const b = k.allocPixels(3 * D);
  expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(a.length).toBe(100);
  expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 100);
  // and a page of memory past the last one, which a kernel may read as padding rows
  const c = k.allocPixels(65536 * 3 - 100);
  expect(c.buffer.byteLength).toBeGreaterThanOrEqual(c.byteOffset + c.length + 65536);
});

describe('threads', () => {
  test('dispose() resolves once every worker has exited (their hold on the shared pixels ends only then)', async () => {
    const files = backendFiles();
    const module = await WebAssembly.compile(fs.readFileSync(files.wasm));
    const arena = new Arena(new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true }));
    const pool = await Pool.start(module, arena, 3, files.worker);
    const workers = (pool as unknown as { workers: import('node:worker_threads').Worker[] }).workers;
    expect(workers).toHaveLength(2);
    let exits = 0;
    for (const w of workers) w.once('exit', () => exits++);
    const done = pool.dispose();
    expect(pool.dispose()).toBe(done); // a second call waits for the same exits
    await done;
    expect(exits).toBe(2);
  });

  test('a trap in a worker surfaces as an error from the call, and the pool stays failed', async () => {
    const files = backendFiles();
    const module = await WebAssembly.compile(fs.readFileSync(files.wasm));
    const arena = new Arena(new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true }));
    const pool = await Pool.start(module, arena, 2, files.worker);
    try {
      pool.exports.setJob(4 /* KIND_TRAP */, 0, 1 /* the trapping tid */, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0);
      // The main thread never waits for a worker that has not taken work yet, so the
      // failure shows in the first call after the worker woke up and trapped.
      const deadline = performance.now() + 10_000;
      const runUntilThrow = () => {
        while (performance.now() < deadline) pool.run();
      };
      expect(runUntilThrow).toThrow(LintrainError);
      expect(() => pool.run()).toThrow(/worker 1: .*unreachable/);
    } finally {
      pool.dispose();
    }
  });

  test('more threads than rows, and a call after dispose() is refused', async () => {
    const k = await createWasmKernels({ threads: 3 });
    const dW = new Float32Array(C * DB);
    const want = new Float64Array(C * DB);
    const spec: LossSpec = { name: 'svm', delta: 1 };
    const rows = Int32Array.of(3, 4);
    const loss = js.lossAndGrad(outside, rows, mean, W_SMALL, spec, want);
    expect(lossClose(k.lossAndGrad(outside, rows, mean, W_SMALL, spec, dW), loss)).toBe(true);
    expect(relToMax(dW, want)).toBeLessThan(1e-4);
    k.dispose();
    expect(() => k.lossAndGrad(outside, rows, mean, W_LARGE, spec, dW)).toThrow(/after dispose/);
  });

  test('a thread count that is not a whole number from 1 to 64 is a usage error', async () => {
    await expect(createWasmKernels({ threads: 0 })).rejects.toThrow(/--threads must be a whole number from 1 to 64/);
    await expect(createWasmKernels({ threads: 1.5 })).rejects.toThrow(/got 1.5/);
  });
});
