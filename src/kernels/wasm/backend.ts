/**
 * The WebAssembly SIMD backend: assembly/ compiled to build/lintrain.wasm, float32
 * arithmetic on 128-bit vectors, the work of every call split by rows over `threads`
 * threads that share one WebAssembly.Memory (pool.ts).
 *
 * What stays where:
 * - Pixels stay bytes. allocPixels hands out a view inside the shared memory, so the
 *   loaded data set is read in place. A split whose pixels live elsewhere (a small
 *   copied subset, test data) is staged per call: only the picked rows are copied.
 * - Per call, the small inputs are copied in (W as float32 rows of stride WS with the
 *   bias after column D, the mean image, the picked rows and their labels) and the
 *   outputs copied out; all buffers are Regions allocated once and reused.
 * - A Float64Array W is rounded to float32 (this backend computes in float32 with
 *   float64 loss sums); gradient checks in double use the js reference backend.
 *
 * Results are bit-identical for any thread count: the picked rows are cut into
 * superblocks by their number alone, each superblock's sums are kept apart, and the
 * main thread adds them in order (assembly/layout.ts).
 */
import fs from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { LOSS_NAMES } from '../../model/losses/types.js';
import type { LossSpec } from '../../model/losses/types.js';
import { C, D, DB } from '../../core/shapes.js';
import type { FloatArray, Split } from '../../core/shapes.js';
import type { Kernels } from '../types.js';
import { Arena, backendFiles, MAX_PAGES, Region, relaxedSimdAvailable } from './memory.js';
import { MAX_THREADS, Pool, threadCount } from './pool.js';
import { checkArgs } from '../check.js';
import { meanImage } from '../../data/preprocess.js';

// Job kinds (assembly/layout.ts).
const KIND_GRAD = 1;
const KIND_MANY = 2;
const KIND_PREDICT = 3;
const KIND_MEAN = 5;
const KIND_FILL = 6;
const FILL_BLOCK = 1 << 16; // assembly/layout.ts
const CDB = C * DB;

export interface WasmKernelOptions {
  threads: number; // 1 = the main thread only, no workers
  fma?: boolean; // the fused multiply-add build (`--backend wasm-fma`); default false, the plain build
  relaxedSimd?: boolean; // tests: false pretends the runtime lacks relaxed SIMD (the fallback path)
}

/**
 * Which module to run, and why not the fused one when it was asked for. The plain build
 * gives the same bits on every machine. The fused build runs only where the runtime has
 * relaxed SIMD and the CPU really fuses (maddFused); elsewhere its multiply-add is a
 * multiply then an add, the plain build's arithmetic exactly, so the plain build runs.
 */
function chooseBuild(
  opts: WasmKernelOptions,
  files: ReturnType<typeof backendFiles>,
): { bytes: Uint8Array<ArrayBuffer>; fused: boolean; fallback: string | null } {
  const plain = () => fs.readFileSync(files.wasm);
  if (!opts.fma) return { bytes: plain(), fused: false, fallback: null };
  const fmaBytes = fs.readFileSync(files.wasmFma);
  if (opts.relaxedSimd === false || !relaxedSimdAvailable(fmaBytes)) {
    return { bytes: plain(), fused: false, fallback: 'this Node.js cannot run relaxed SIMD' };
  }
  const probe = new WebAssembly.Instance(new WebAssembly.Module(fmaBytes), {
    env: { memory: new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true }) },
  });
  if (!(probe.exports.maddFused as () => number)()) {
    return { bytes: plain(), fused: false, fallback: 'this CPU does not fuse multiply-add' };
  }
  return { bytes: fmaBytes, fused: true, fallback: null };
}

export async function createWasmKernels(opts: WasmKernelOptions): Promise<Kernels> {
  const threads = opts.threads;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new UsageError(`--threads must be a whole number from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  const files = backendFiles();
  const build = chooseBuild(opts, files);
  const module = await WebAssembly.compile(build.bytes);
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const arena = new Arena(memory);
  const pool = await Pool.start(module, arena, threads, files.worker);
  const k = pool.exports;

  const WS = k.WS.value; // float stride of W and dW rows inside the module (assembly/layout.ts)
  const scratch = arena.alloc(threads * k.scratchBytes());
  const meanBuf = arena.alloc(D * 4);
  const gradOut = arena.alloc(CDB * 8); // dW as C × (D+1), f32 or f64
  const rawW = new Region(arena); // the caller's K × C × (D+1) W, copied in whole
  const Wbuf = new Region(arena); // K × C × WS f32
  const rowsBuf = new Region(arena); // n i32
  const labelsBuf = new Region(arena); // n u8
  const stage = new Region(arena); // picked pixels of a split outside the memory
  const outBuf = new Region(arena); // predictions, or lossMany results (K × 16 bytes)
  const sbBuf = new Region(arena); // per-superblock sums (assembly/layout.ts)

  /**
   * K matrices C×(D+1) into the module's layout (float32, rows of stride WS); returns the
   * pointer. One set() of the whole array, then the module moves the rows: setting the 10
   * rows one by one from JavaScript took 36 µs against 8 µs for the one set (V8 copies into
   * shared memory piecemeal when source and target differ in alignment, as rows of 3,073
   * floats do).
   */
  function putW(Ws: FloatArray, K: number): number {
    const raw = rawW.ensure(Ws.byteLength);
    const f64 = Ws instanceof Float64Array;
    (f64 ? arena.f64(raw, Ws.length) : arena.f32(raw, Ws.length)).set(Ws);
    const ptr = Wbuf.ensure(K * C * WS * 4);
    k.layoutW(raw, ptr, K, f64);
    return ptr;
  }

  /** Put the picked rows' pixels (in place or staged), rows, labels and the mean in reach; set the job. */
  function prepare(
    kind: number,
    split: Split,
    rows: Int32Array | null,
    n: number,
    mean: Float32Array,
    W: number,
    K: number,
    loss: LossSpec | null,
    out: number,
    f64 = false,
  ): void {
    let pix: number;
    let rowsPtr = 0;
    if (arena.owns(split.pixels)) {
      pix = split.pixels.byteOffset;
      if (rows !== null) {
        rowsPtr = rowsBuf.ensure(n * 4);
        arena.i32(rowsPtr, n).set(rows);
      }
    } else {
      pix = stage.ensure(n * D);
      const dst = arena.u8(pix, n * D);
      if (rows === null) dst.set(split.pixels.subarray(0, n * D));
      else for (let i = 0; i < n; i++) dst.set(split.pixels.subarray(rows[i] * D, (rows[i] + 1) * D), i * D);
    }
    const lab = arena.u8(labelsBuf.ensure(n), n);
    if (kind !== KIND_PREDICT) {
      if (rows === null) lab.set(split.labels.subarray(0, n));
      else for (let i = 0; i < n; i++) lab[i] = split.labels[rows[i]];
      // A label past C would make the module index past its per-row scratch.
      for (let i = 0; i < n; i++) {
        if (lab[i] >= C) throw new RangeError(`label ${lab[i]} of row ${rows ? rows[i] : i} is outside 0..${C - 1}`);
      }
    }
    arena.f32(meanBuf, D).set(mean);
    const lossKind = loss === null ? 0 : LOSS_NAMES.indexOf(loss.name);
    if (lossKind < 0) throw new UsageError(`Unknown loss "${loss!.name}": expected one of ${LOSS_NAMES.join(', ')}`);
    const sb = sbBuf.ensure(k.sbBytes(K));
    k.setJob(kind, n, K, lossKind, loss?.delta ?? 0, pix, rowsPtr, labelsBuf.ptr, meanBuf, W, out, f64, scratch, sb);
  }

  return {
    name: opts.fma ? 'wasm-fma' : 'wasm',
    id: build.fused ? 'wasm-fma' : 'wasm',
    threads,
    detail: `SIMD${build.fused ? ' + fused multiply-add' : ''}, ${threadCount(threads)}`,
    fallback: build.fallback,

    lossAndGrad(split, rows, mean, W, loss, dW, correct, l2) {
      const n = checkArgs('lossAndGrad', split, rows, mean, W, CDB);
      if (dW.length !== CDB) throw new RangeError(`lossAndGrad: dW has ${dW.length} values, expected ${CDB}`);
      if (n === 0) throw new RangeError('lossAndGrad: no rows to average over');
      const f64 = dW instanceof Float64Array;
      prepare(KIND_GRAD, split, rows, n, mean, putW(W, 1), 1, loss, gradOut, f64);
      k.setL2(l2?.strength ?? 0, l2?.includeBias ?? false);
      pool.run();
      const value = k.finishGrad();
      if (l2) l2.penalty = k.l2Penalty();
      dW.set(f64 ? arena.f64(gradOut, CDB) : arena.f32(gradOut, CDB));
      if (correct) correct[0] = k.correctCount();
      return value;
    },

    lossMany(split, rows, mean, Ws, K, loss, out, correct) {
      if (!Number.isInteger(K) || K < 1) throw new RangeError(`lossMany: K must be a whole number >= 1, got ${K}`);
      const n = checkArgs('lossMany', split, rows, mean, Ws, K * CDB);
      if (out.length < K) throw new RangeError(`lossMany: out has ${out.length} slots for ${K} candidates`);
      if (n === 0) throw new RangeError('lossMany: no rows to average over');
      prepare(KIND_MANY, split, rows, n, mean, putW(Ws, K), K, loss, 0);
      pool.run();
      const res = outBuf.ensure(K * 16);
      k.finishMany(res);
      // Per candidate a 16-byte record: the mean loss (f64), then the right argmaxes (i32).
      const f = arena.f64(res, K * 2);
      const i = arena.i32(res, K * 4);
      for (let m = 0; m < K; m++) {
        out[m] = f[2 * m];
        if (correct) correct[m] = i[4 * m + 2];
      }
    },

    predict(split, rows, mean, W, out) {
      const n = checkArgs('predict', split, rows, mean, W, CDB);
      if (out.length < n) throw new RangeError(`predict: out has ${out.length} slots for ${n} rows`);
      if (n === 0) return;
      const ptr = outBuf.ensure(n);
      prepare(KIND_PREDICT, split, rows, n, mean, putW(W, 1), 1, null, ptr);
      pool.run();
      out.set(arena.u8(ptr, n));
    },

    meanImage(split) {
      if (split.n < 1) throw new RangeError('meanImage: the split is empty');
      // Pixels outside the shared memory would need a copy as large as the split itself.
      if (!arena.owns(split.pixels)) return meanImage(split);
      const sb = sbBuf.ensure(k.sbBytes(1));
      k.setJob(KIND_MEAN, split.n, 1, 0, 0, split.pixels.byteOffset, 0, 0, 0, 0, 0, false, scratch, sb);
      pool.run();
      k.finishMean(meanBuf);
      return arena.f32(meanBuf, D).slice();
    },

    allocPixels(bytes) {
      if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`allocPixels: bytes must be a whole number >= 0, got ${bytes}`);
      const ptr = arena.alloc(bytes);
      // The fresh pages are faulted in by every thread at once before the loader fills them
      // on this one (a page fault costs microseconds in a VM; 184 MB are 45,000 pages).
      const blocks = Math.floor(bytes / FILL_BLOCK);
      if (threads > 1 && blocks > 1) {
        k.setJob(KIND_FILL, blocks, 1, 0, 0, ptr, 0, 0, 0, 0, 0, false, scratch, 0);
        pool.run();
      }
      return arena.u8(ptr, bytes);
    },

    dispose() {
      return pool.dispose();
    },
  };
}
