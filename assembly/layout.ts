// Shapes and memory layout shared by the kernels. The JS side (src/kernels/wasm*.ts)
// does not hard-code these: it asks the module (WS, ctrlPtr, scratchBytes, sbBytes).

export const D: i32 = 3072; // pixels per image
export const C: i32 = 10; // classes

// Row stride of the float copies of W, of the gradient and of the feature block: D plus
// 16 floats. Rows exactly 12 KiB apart map to the same L1 cache set, so the 4–10 row
// streams a tile reads at once would evict each other; 64 bytes more spreads them out.
// The spare floats after column D hold the bias (column D of W / dW).
export const WS: i32 = D + 16;
export const WSB: usize = <usize>WS << 2; // in bytes

// Rows per block. A block's float features (RB × WS × 4 = 198 KB), W (124 KB) and the
// superblock's gradient (124 KB) stay in the 512 KB L2 cache between the forward and the
// backward pass, so the pixels are read from memory once per pass.
export const RB: i32 = 16;

// Where the job descriptor and the control block live: below memoryBase
// (asconfig.json), so no static data overlaps them.
export const JOB: usize = 1024; // written by the main thread only, between jobs (offsets J_*)
export const CTRL: usize = 2048; // i32 slots, see control.ts; the JS side gets the address from ctrlPtr()
export const MAX_THREADS: i32 = 64;

// Job descriptor, byte offsets from JOB: what index.ts setJob stores.
export const J_KIND: usize = 0, J_N: usize = 4, J_K: usize = 8, J_LOSS: usize = 12;
export const J_PIX: usize = 16; // split pixels, n_split × D bytes
export const J_ROWS: usize = 20; // i32 picked row indices, or 0 for rows 0..n-1
export const J_LABELS: usize = 24; // the picked rows' labels, u8
export const J_MEAN: usize = 28; // D f32
export const J_W: usize = 32; // K × C × WS f32, bias at column D
export const J_OUT: usize = 36; // predictions (n bytes), or dW as C × (D+1)
export const J_SCRATCH: usize = 40, J_SB: usize = 44, J_CORRECT: usize = 48, J_F64: usize = 52;
export const J_DELTA: usize = 56; // f64
export const J_L2: usize = 64; // f64 L2 strength folded into a gradient job (0: none)
export const J_L2BIAS: usize = 72; // i32: the bias column is penalized too
export const J_PEN: usize = 128; // CHUNKS f64, each reduction chunk's Σ W², then the job's penalty (up to JOB + 456)

// Superblocks: the unit of work a thread claims (index.ts).
export const SB_MAX: i32 = 64; // < 256: control.ts packs counts into 8 bits
export const SB_ROWS: i32 = 1536; // about this many rows each on large calls (fewer partials to add)
export const SB_MIN: i32 = 2; // at least this many on small calls, one per core (more partial sums cost more than they balance)

// Per-thread scratch, at scratch + tid × S_END; offsets in bytes, 64-aligned.
export const S_XF: usize = 0; // RB × WS f32: the block's features p − μ
export const S_SC: usize = S_XF + <usize>(RB * WS) * 4; // RB × C f32: scores without bias
export const S_DS: usize = S_SC + <usize>(RB * C) * 4; // RB × C f32: ∂L_i/∂s (not yet divided by n)
export const S_TMP: usize = S_DS + <usize>(RB * C) * 4; // 2C f64: one row's scores and gradient
// The SVM's integer backward pass (backward.ts): the block's pixels as 16-bit pairs of
// rows, RB/2 pairs of stride WSB, and its ∂L/∂s as 16-bit pairs, RB/2 × C i32.
export const S_XI: usize = (S_TMP + <usize>(2 * C) * 8 + 63) & ~63;
export const S_DSI: usize = S_XI + <usize>(RB / 2) * WSB;
export const S_END: usize = (S_DSI + <usize>(RB / 2 * C) * 4 + 63) & ~63;

// Per-superblock sums of a gradient job, at sb + s × G_END.
export const G_GRAD: usize = 0; // C × WS f32: Σ dS·x over the superblock's rows (SVM: i32 Σ dS·pixels)
export const G_LOSS: usize = <usize>(C * WS) * 4; // f64 loss sum
export const G_CORRECT: usize = G_LOSS + 8; // i32 right argmaxes
export const G_BIAS: usize = G_LOSS + 16; // C f64: Σ dS (the bias column)
export const G_END: usize = (G_BIAS + <usize>C * 8 + 63) & ~63;
// lossMany: at sb + (s × K + k) × 16, f64 loss sum and i32 right argmaxes.
// mean image: at sb + s × D × 4, the superblock's u32 column sums.

// Job kinds.
export const KIND_GRAD: i32 = 1;
export const KIND_MANY: i32 = 2;
export const KIND_PREDICT: i32 = 3;
export const KIND_TRAP: i32 = 4; // tests: the thread whose tid is K traps
export const KIND_MEAN: i32 = 5;
// Zero n blocks of FILL_BLOCK bytes from J_PIX on, the threads sharing them: a fresh memory's
// pages are then faulted in on every core at once (the loader's 184 MB cost ~0.5 s on one core).
export const KIND_FILL: i32 = 6;
export const FILL_BLOCK: i32 = 1 << 16;

// Loss kinds, in the order of LOSS_NAMES (src/model/losses/types.ts).
export const LOSS_SVM: i32 = 0;
export const LOSS_SVM2: i32 = 1;
export const LOSS_SOFTMAX: i32 = 2;
export const LOSS_OVA2: i32 = 3;
