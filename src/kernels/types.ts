import type { FloatArray, Split } from '../core/shapes.js';
import type { LossSpec } from '../model/losses/types.js';
import type { L2Term } from '../model/regularizers.js';

/** What `--backend` asks for: the reference, the plain SIMD kernels, or the fused build (opt-in). */
export type BackendName = 'js' | 'wasm' | 'wasm-fma';

/**
 * Which arithmetic produced a result. The same id, inputs and seed give the same bytes on
 * every machine and for any thread count; runs record it (run folder, checkpoint, model).
 * wasm-fma is the one whose bits depend on the host: it runs only where the CPU fuses
 * multiply-adds, and `--backend wasm-fma` elsewhere computes as wasm does, under that id.
 * The feature backends' kernels are another arithmetic (one matrix product), hence their own ids.
 */
export type KernelsId = 'js' | 'wasm' | 'wasm-fma' | 'features-js' | 'features-wasm';

/**
 * The hot loops, behind one interface with two backends (js reference, wasm SIMD).
 * Nothing else in lintrain does heavy arithmetic.
 *
 * Features are never materialized: for a row i of a split,
 *   x̃_i = [pixels_i − mean, 1]   (D+1 values)
 *   scores_i = W·x̃_i = W[:, :D]·pixels_i − W[:, :D]·mean + W[:, D]
 * `rows` picks rows of the split (a minibatch, with repeats allowed); null means
 * all rows 0..split.n-1 in order. W, dW: C×(D+1) row-major, bias last.
 */
export interface Kernels {
  readonly name: BackendName; // what was asked for
  readonly id: KernelsId; // what computes: see KernelsId
  readonly threads: number; // how many threads compute (never changes the results)
  readonly detail: string; // for people: the build and threads in use
  readonly fallback: string | null; // why `id` is not what `name` asked for (wasm-fma where the host cannot fuse)

  /**
   * The mean image of a split: mean[d] = (1/n) Σ_i pixels[i, d], D float32 values.
   * The column sums are exact integers, so every backend gives the same bits.
   */
  meanImage(split: Split): Float32Array;

  /**
   * Data loss averaged over the picked rows, and its gradient ∂loss/∂W written
   * (overwritten, not accumulated) into dW.
   * correct (optional, length 1): receives how many picked rows the scores
   * classify right (argmax, first on ties) — the per-iteration minibatch
   * accuracy comes free with the scores, so no second forward pass is needed.
   * l2 (optional): an L2 penalty whose gradient is added to dW too; its value goes
   * into l2.penalty, not into the returned data loss (model/regularizers.ts L2Term).
   */
  lossAndGrad(
    split: Split,
    rows: Int32Array | null,
    mean: Float32Array,
    W: FloatArray,
    loss: LossSpec,
    dW: FloatArray,
    correct?: Int32Array,
    l2?: L2Term,
  ): number;

  /**
   * Data loss of K candidate weight matrices at once (random search): Ws holds K
   * matrices C×(D+1) back to back; out[k] = mean loss of candidate k. Reads the
   * data once for all K. correct (optional, length K): rows classified right
   * by each candidate (argmax, first on ties).
   */
  lossMany(
    split: Split,
    rows: Int32Array | null,
    mean: Float32Array,
    Ws: FloatArray,
    K: number,
    loss: LossSpec,
    out: Float64Array,
    correct?: Int32Array,
  ): void;

  /** Predicted class (argmax of scores, first on ties) of each picked row into out. */
  predict(split: Split, rows: Int32Array | null, mean: Float32Array, W: FloatArray, out: Uint8Array): void;

  /**
   * Allocate the byte buffer the loader fills with pixels, where this backend
   * reads it best (the wasm backend: inside its shared memory, so no copy).
   */
  allocPixels(bytes: number): Uint8Array;

  /**
   * Release threads and memory. The wasm backends' promise resolves once their worker
   * threads have exited: until then each worker still holds the shared memory (the
   * pixels), so a caller that wants it gone for good awaits this before collecting.
   */
  dispose(): void | Promise<void>;
}
