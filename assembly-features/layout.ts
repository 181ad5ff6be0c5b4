// Shapes and the job descriptor of the feature kernels. The JS side
// (src/features/backend-wasm.ts) passes every size and pointer; only these are fixed.

export const PATCH: i32 = 6; // Coates et al.'s 6×6 receptive field
export const SIDE: i32 = 32; // CIFAR-10 images are 32×32×3, R, G, B planes
export const POS: i32 = SIDE - PATCH + 1; // 27 patch positions per row and column (stride 1)
export const HALF: i32 = 14; // quadrant split: MATLAB's round(27 / 2), as in their code
export const DIM: i32 = 3 * PATCH * PATCH; // 108 values per patch, [channel][dy][dx]
export const DIMP: i32 = 112; // whitening filters of the triangle features: DIM padded to a strip of 8
export const PR: i32 = 28; // a row of 27 patch positions padded to 28: its 14 pairs of positions, Winograd's slots (triangle.ts)
export const AR: i32 = 32; // k-means assignment: patch rows per block
export const RB: i32 = 16; // training: feature rows per block (even: the forward tile takes 2)
export const FG: i32 = 64; // training scores: groups of 4 features per chunk (16 KB of rows, 10 KB of W: in L1)

// The job descriptor: i32 slots at JOB, written by the main thread between jobs.
// The control block (assembly/control.ts) sits at CTRL = 2048, past it.
export const JOB: usize = 1024;
export const J_KIND: i32 = 0, J_UNITS: i32 = 1, J_P: i32 = 2; // then parameters p(0), p(1), …

@inline export function slot(i: i32): usize {
  return JOB + (<usize>i << 2);
}
/** The job's i-th parameter, a size or a pointer. */
@inline export function p(i: i32): usize {
  return <usize>load<u32>(slot(J_P + i));
}

export const KIND_MM: i32 = 1;
export const KIND_ASSIGN: i32 = 2;
export const KIND_TRIANGLE: i32 = 3;
export const KIND_FORWARD: i32 = 4;
export const KIND_BACKWARD: i32 = 5;
export const KIND_FILL: i32 = 6; // zero fresh memory on every thread at once (see setFill)
export const KIND_PATCHES: i32 = 7; // k-means' sample of normalized patches
export const KIND_GRAM: i32 = 8; // the Gram matrix Xᵀ·X of whitening's covariance

@inline export function align64(bytes: usize): usize {
  return (bytes + 63) & ~(<usize>63);
}
