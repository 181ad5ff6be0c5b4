/**
 * The same bits everywhere: with the same seed, flags and data, the default kernels
 * (--backend wasm, the plain SIMD build) write the same W bytes on every machine and for
 * any thread count. Whole training runs of every kind of kernel call (the SVM's integer
 * gradient, softmax's float one, full-batch gradients over several superblocks, the
 * searches' many-candidate scores, predictions) are run on 1, 2, 3 and 7 threads, and
 * through the fallback path (--backend wasm-fma where the runtime has no relaxed SIMD),
 * and their W bytes compared with each other and with hashes pinned here. The hashes are
 * what this release computes: a machine that gets other bytes breaks the promise, and a
 * change of the kernels' arithmetic must change them here, on purpose.
 */
import { createHash } from 'node:crypto';
import { resolveConfig } from '../src/config/resolve.js';
import { accuracy } from '../src/model/evaluate.js';
import type { Kernels } from '../src/kernels/types.js';
import { createWasmKernels } from '../src/kernels/wasm/backend.js';
import type { Dataset } from '../src/core/shapes.js';
import { train } from '../src/training/trainer.js';
import { learnableDataset } from './helpers/learnable.js';

// 3,500 training rows: full-batch passes cut into 3 superblocks (assembly/index.ts), minibatches into 2.
const data: Dataset = learnableDataset(3500, 100, 100);

const RUNS = [
  { loss: 'svm', opt: 'sgd', lr: 1e-7, reg: 2.5e4, iters: 20 }, // integer gradient, L2 inside the kernel
  { loss: 'softmax', opt: 'momentum', lr: 1e-6, reg: 10, batchSize: 64, iters: 20, sample: 'epoch' }, // float gradient
  { loss: 'svm2', opt: 'gd', lr: 1e-9, reg: 1, regType: 'l1', iters: 4 }, // full batch, L1 in JavaScript
  { loss: 'svm', opt: 'random-search', iters: 32 }, // 16 candidates per pass
  { loss: 'softmax', opt: 'random-local', iters: 8, stepSize: 1e-4 },
] as const;

/** Every run's final W, and the validation accuracy of the first, hashed together. */
function fingerprint(kernels: Kernels): string {
  const h = createHash('sha256');
  for (const flags of RUNS) {
    const config = resolveConfig({}, { ...flags, numTrain: 3500, numVal: 100, numTest: 100, seed: 11, evalEvery: 0 } as never);
    const W = train(config, data, kernels, () => {});
    h.update(Buffer.from(W.buffer, W.byteOffset, W.byteLength));
    h.update(String(accuracy(kernels, data.val, data.mean, W).acc));
  }
  return h.digest('hex');
}

const GOLDEN = {
  wasm: '869e52876434918adea1aea0e1399394f20c5414c6564772fdff2cdc7eb4936c',
};

const wasmRuns: Array<[string, () => Promise<Kernels>]> = [
  ['plain build, 1 thread', () => createWasmKernels({ threads: 1 })],
  ['plain build, 2 threads', () => createWasmKernels({ threads: 2 })],
  ['plain build, 3 threads', () => createWasmKernels({ threads: 3 })],
  ['plain build, 7 threads', () => createWasmKernels({ threads: 7 })],
  ['wasm-fma without relaxed SIMD (the fallback), 2 threads', () => createWasmKernels({ threads: 2, fma: true, relaxedSimd: false })],
];

describe('--backend wasm: the same W bytes for every thread count and on the fallback path', () => {
  test.each(wasmRuns)('%s', async (_label, make) => {
    const k = await make();
    try {
      expect(k.id).toBe('wasm');
      expect(fingerprint(k)).toBe(GOLDEN.wasm);
    } finally {
      await k.dispose();
    }
  });
});

test('--backend wasm-fma: where the CPU fuses, its own bits (else the plain build, under the plain id)', async () => {
  const k = await createWasmKernels({ threads: 2, fma: true });
  try {
    const got = fingerprint(k);
    if (k.id === 'wasm-fma') expect(got).not.toBe(GOLDEN.wasm);
    else expect(got).toBe(GOLDEN.wasm);
  } finally {
    await k.dispose();
  }
});
