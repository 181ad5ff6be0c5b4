// One multiply-add of 4 lanes, a + x·w, for the forward and backward tiles.
//
// The module is built twice (assembly/asconfig.json): plain SIMD, where this is a
// multiply then an add, and with relaxed SIMD, where it is one fused multiply-add
// (vfmadd on x86-64, where the CPU has FMA3; V8 emits a multiply then an add where it
// has not). Fused rounds once instead of twice, so the two builds differ in the last
// bits: the plain build gives the same bits on every machine, and is the default
// (`--backend wasm`); the fused one is opt-in (`--backend wasm-fma`), faster where V8
// is short of instructions (about 1.3× on Zen 3, ~1.1× on Zen 5), and its bits depend
// on whether the host fuses (maddFused below tells). Each is the same for any thread
// count.
@inline export function mac(a: v128, x: v128, w: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, w, a);
  return f32x4.add(a, f32x4.mul(x, w));
}

/**
 * Whether mac() rounds once: (1 + 2⁻¹²)² − (1 + 2⁻¹¹) is 2⁻²⁴ when the product is kept
 * whole, and 0 when it is first rounded to float32 (a tie, to even). The plain build
 * always answers false; the relaxed build answers what the host's V8 emits.
 */
export function maddFused(): bool {
  const a = f32x4.splat(<f32>1.000244140625); // 1 + 2⁻¹²
  const r = mac(f32x4.splat(<f32>-1.00048828125), a, a); // − (1 + 2⁻¹¹) + a·a
  return f32x4.extract_lane(r, 0) != 0;
}
