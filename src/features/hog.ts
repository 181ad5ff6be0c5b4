/**
 * Histogram of oriented gradients as CS231n assignment 1's hog_feature (features.py):
 * grayscale 0.299·R + 0.587·G + 0.144·B (the assignment's weights, sic), forward
 * differences gx = I[r, c+1] − I[r, c], gy = I[r+1, c] − I[r, c] (0 on the last column
 * / row), magnitude sqrt(gx² + gy²), orientation atan2(gy, gx + 1e-15) in degrees + 90.
 * Nine bins of 20° over [0, 180): a pixel counts in bin i when 20i ≤ θ < 20(i+1) and
 * θ > 0 — orientations outside [0, 180) and exactly 0 are dropped, as there. Each 8×8
 * cell's value is the mean magnitude of its pixels in the bin (their uniform_filter
 * sampled at the cell centres). Output order is theirs: [cell column][cell row][bin].
 */
export const HOG_BINS = 9;
export const HOG_CELL = 8;
export const HOG_SIZE = (32 / HOG_CELL) ** 2 * HOG_BINS; // 144

const DEG = 180 / Math.PI;

/** HOG of the image at pixels[o..o+3072) (R, G, B planes of 32×32) into out[oo..oo+144). */
export function hogFeature(pixels: Uint8Array, o: number, out: Float32Array, oo: number, gray = new Float64Array(1024)): void {
  for (let i = 0; i < 1024; i++) gray[i] = 0.299 * pixels[o + i] + 0.587 * pixels[o + 1024 + i] + 0.144 * pixels[o + 2048 + i];
  const cells = 32 / HOG_CELL;
  const sums = new Float64Array(cells * cells * HOG_BINS);
  for (let r = 0; r < 32; r++) {
    for (let c = 0; c < 32; c++) {
      const g = gray[r * 32 + c];
      const gx = c < 31 ? gray[r * 32 + c + 1] - g : 0;
      const gy = r < 31 ? gray[(r + 1) * 32 + c] - g : 0;
      const theta = Math.atan2(gy, gx + 1e-15) * DEG + 90;
      if (!(theta > 0 && theta < 180)) continue;
      const bin = Math.floor(theta / (180 / HOG_BINS));
      const cell = ((c / HOG_CELL) | 0) * cells + ((r / HOG_CELL) | 0);
      sums[cell * HOG_BINS + bin] += Math.sqrt(gx * gx + gy * gy);
    }
  }
  const inv = 1 / (HOG_CELL * HOG_CELL);
  for (let i = 0; i < sums.length; i++) out[oo + i] = sums[i] * inv;
}
