/**
 * The shapes every module agrees on. CIFAR-10 images are 32×32×3 = 3072 bytes;
 * the bias trick appends a constant 1, so a weight matrix W is C×(D+1) = 10×3073,
 * row-major, one row per class, the bias in the last column.
 */
export const D = 3072; // pixels per image (R, G, B planes of 32×32, as in the file)
export const DB = D + 1; // with the bias column
export const C = 10; // classes
export const RECORD_BYTES = 1 + D; // label byte + pixels, one record of a batch file

/** Training arithmetic is float32; gradient checks run the same code on float64. */
export type FloatArray = Float32Array | Float64Array;

/**
 * One split of the data, compact: pixels stay bytes and preprocessing (mean image,
 * bias) is folded into the arithmetic, so no float copy of the data set exists.
 */
export interface Split {
  readonly pixels: Uint8Array; // n×D row-major, a view into the loaded buffer
  readonly labels: Uint8Array; // n, values 0..C-1
  readonly n: number;
}

/** The preprocessed data: splits plus what is needed to turn bytes into features. */
export interface Dataset {
  readonly train: Split;
  readonly val: Split;
  readonly test: Split;
  readonly dev: Split; // a small subset of train for gradient checks
  readonly mean: Float32Array; // D, the mean image of the training split only
  readonly classNames: string[];
}
