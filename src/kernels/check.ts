import { D, type FloatArray, type Split } from '../core/shapes.js';

/**
 * The argument checks every backend makes before touching memory: shapes of mean,
 * W and the split, and every picked row in range. Returns the number of picked rows.
 */
export function checkArgs(who: string, split: Split, rows: Int32Array | null, mean: Float32Array, W: FloatArray, wLen: number): number {
  if (mean.length !== D) throw new RangeError(`${who}: mean has ${mean.length} values, expected ${D}`);
  if (W.length !== wLen) throw new RangeError(`${who}: W has ${W.length} values, expected ${wLen}`);
  if (split.pixels.length < split.n * D) {
    throw new RangeError(`${who}: split holds ${split.pixels.length} pixel bytes, fewer than n·D = ${split.n * D}`);
  }
  if (split.labels.length < split.n) {
    throw new RangeError(`${who}: split holds ${split.labels.length} labels, fewer than n = ${split.n}`);
  }
  if (rows !== null) {
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      if (!(r >= 0 && r < split.n)) throw new RangeError(`${who}: row index ${r} at position ${k} is outside 0..${split.n - 1}`);
    }
  }
  return rows === null ? split.n : rows.length;
}
