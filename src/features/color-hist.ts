/**
 * The hue histogram of CS231n assignment 1's color_histogram_hsv(im, nbin=10, xmin=0,
 * xmax=255, normalized=True): hue from matplotlib's rgb_to_hsv on RGB / 255, scaled
 * to 0–255, counted in 10 equal bins over [0, 255], divided by the number of pixels
 * (their density × bin width). Hue as matplotlib computes it: 0 for grey pixels;
 * otherwise by the channel holding the maximum, blue before green before red on ties;
 * (h / 6) mod 1.
 */
export const HUE_BINS = 10;

/** The hue of one pixel in [0, 1), as matplotlib.colors.rgb_to_hsv. */
export function hue(R: number, G: number, B: number): number {
  const r = R / 255,
    g = G / 255,
    b = B / 255;
  const v = Math.max(r, g, b);
  const delta = v - Math.min(r, g, b);
  if (!(delta > 0)) return 0;
  let h = b === v ? 4 + (r - g) / delta : g === v ? 2 + (b - r) / delta : (g - b) / delta;
  h = (h / 6) % 1;
  return h < 0 ? h + 1 : h;
}

/** Hue histogram of the image at pixels[o..o+3072) into out[oo..oo+10). */
export function hueHistogram(pixels: Uint8Array, o: number, out: Float32Array, oo: number): void {
  const counts = new Float64Array(HUE_BINS);
  const width = 255 / HUE_BINS;
  for (let i = 0; i < 1024; i++) {
    const x = hue(pixels[o + i], pixels[o + 1024 + i], pixels[o + 2048 + i]) * 255;
    let bin = Math.min(Math.floor(x / width), HUE_BINS - 1);
    if (x < bin * width) bin--; // numpy compares with the real edges
    counts[bin]++;
  }
  for (let k = 0; k < HUE_BINS; k++) out[oo + k] = counts[k] / 1024;
}
