/**
 * Seeded pseudo-random numbers, so `--seed` reproduces a run bit for bit.
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128-bit state,
 * passes PractRand, and is cheap in 32-bit integer arithmetic. The state is
 * expanded from the seed with splitmix32 so that nearby seeds are unrelated.
 */

// Bound once: a global lookup of Math per call is slow inside jest's sandbox.
const { cos, log, sin, sqrt, PI } = Math;

/** Everything the generator will do next: the sfc32 words and the kept Box–Muller normal (null: none). */
export interface RngState {
  a: number;
  b: number;
  c: number;
  d: number;
  spare: number | null;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = NaN; // Box–Muller makes normals in pairs; keep the second

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A snapshot to save (checkpoints); JSON-safe, and exact, as every field is an integer or a double. */
  state(): RngState {
    return { a: this.a, b: this.b, c: this.c, d: this.d, spare: Number.isNaN(this.spare) ? null : this.spare };
  }

  /** A generator that continues exactly where `s` was taken. */
  static fromState(s: RngState): Rng {
    const rng = new Rng(0);
    rng.a = s.a | 0;
    rng.b = s.b | 0;
    rng.c = s.c | 0;
    rng.d = s.d | 0;
    rng.spare = s.spare ?? NaN;
    return rng;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 53 bits. */
  uniform(): number {
    const hi = this.u32() >>> 5; // 27 bits
    const lo = this.u32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection on the tail). */
  int(n: number): number {
    if (!(n > 0 && n <= 0x100000000)) throw new RangeError(`Rng.int: n must be in (0, 2^32], got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    let x: number;
    do x = this.u32();
    while (x >= limit);
    return x % n;
  }

  /** Standard normal N(0, 1) by the Box–Muller transform. */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = sqrt(-2 * log(u));
    this.spare = r * sin(2 * PI * v);
    return r * cos(2 * PI * v);
  }

  /** Fill `out` with N(0, 1)·scale. */
  fillNormal(out: Float32Array | Float64Array, scale = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * scale;
    return out;
  }

  /** Fill `out` with uniform integers in [0, n): a minibatch drawn with replacement. */
  fillInts(out: Int32Array, n: number): Int32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.int(n);
    return out;
  }

  /** Shuffle in place (Fisher–Yates). */
  shuffle(a: Int32Array): Int32Array {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
