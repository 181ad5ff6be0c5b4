// The machine's 128-bit SIMD ceiling for float32 multiply-adds, as WebAssembly sees it:
// a loop of register-only multiply-adds on 12 independent accumulators (enough to hide
// the latency on every x86-64 we met; V8 gives wasm 15 xmm registers), no loads or stores.
// Built twice by bench/peak.mjs, like assembly/simd.ts: a multiply then an add (what
// --backend wasm runs), and relaxed SIMD's fused multiply-add (--backend wasm-fma).
// The kernels' multiply-adds per second are read against it.

@inline function mac(a: v128, x: v128, w: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, w, a);
  return f32x4.add(a, f32x4.mul(x, w));
}

/** `turns` turns of 12 × 4 multiply-adds; returns a sum so that nothing is optimized away. */
export function run(turns: i32, seed: f32): f32 {
  const x = f32x4.splat(seed), w = f32x4.splat(<f32>0.999);
  let a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
  for (let t = 0; t < turns; t++) {
    a0 = mac(a0, x, w);
    a1 = mac(a1, x, w);
    a2 = mac(a2, x, w);
    a3 = mac(a3, x, w);
    a4 = mac(a4, x, w);
    a5 = mac(a5, x, w);
    a6 = mac(a6, x, w);
    a7 = mac(a7, x, w);
    a8 = mac(a8, x, w);
    a9 = mac(a9, x, w);
    a10 = mac(a10, x, w);
    a11 = mac(a11, x, w);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const r = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(r, 0);
}

/**
 * The same ceiling for 16-bit integer multiply-adds, what the k-means extraction
 * (assembly-features/triangle.ts) and the SVM's integer gradient run on: i32x4.dot_i16x8_s
 * multiplies 8 pairs and adds them in pairs into 4 lanes, then an add into the
 * accumulator; 12 accumulators, 12 × 8 multiply-adds a turn. The same in both builds.
 */
export function runDot(turns: i32, seed: i32): i32 {
  const x = i16x8.splat(<i16>seed), w = i16x8.splat(3);
  let a0 = i32x4.splat(seed), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  for (let t = 0; t < turns; t++) {
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, w));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, w));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x, w));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x, w));
    a4 = i32x4.add(a4, i32x4.dot_i16x8_s(x, w));
    a5 = i32x4.add(a5, i32x4.dot_i16x8_s(x, w));
    a6 = i32x4.add(a6, i32x4.dot_i16x8_s(x, w));
    a7 = i32x4.add(a7, i32x4.dot_i16x8_s(x, w));
    a8 = i32x4.add(a8, i32x4.dot_i16x8_s(x, w));
    a9 = i32x4.add(a9, i32x4.dot_i16x8_s(x, w));
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(x, w));
    a11 = i32x4.add(a11, i32x4.dot_i16x8_s(x, w));
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  const r = i32x4.add(s, i32x4.add(i32x4.add(a8, a9), i32x4.add(a10, a11)));
  return i32x4.extract_lane(r, 0);
}
