// One multiply-add of 4 lanes, a + x·w, for the forward and backward tiles.
//
// The module is built twice (assembly/asconfig.json): plain SIMD, where this is a
// multiply then an add, and with relaxed SIMD, where it is one fused multiply-add
// (vfmadd on x86-64). The tiles are limited by how many instructions V8 can issue, not
// by the floating-point pipes, so one instruction instead of two makes the forward pass
// about 1.3× and the backward pass about 1.6× faster on Zen 3. Fused rounds once
// instead of twice, so the two builds differ in the last bits; each is deterministic,
// and the same for any thread count.
@inline export function mac(a: v128, x: v128, w: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, w, a);
  return f32x4.add(a, f32x4.mul(x, w));
}
