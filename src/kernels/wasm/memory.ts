/**
 * The wasm backend's files and memory: where build/lintrain.wasm and the worker
 * script are, and a bump allocator over the one shared WebAssembly.Memory that the
 * main thread and every worker use.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { LintrainError } from '../../core/errors.js';
import { packageFile } from '../../core/package.js';

const PAGE = 65536;
// 2 GiB: all 60,000 CIFAR-10 images are 184 MB; the rest is per-call scratch.
// A shared memory reserves its maximum address space up front (not RAM).
export const MAX_PAGES = 32768;
// The module's own data (job descriptor, libm tables) sits below 1 MiB (assembly/asconfig.json).
const HEAP_START = 1 << 20;

function mustExist(file: string): string {
  if (!fs.existsSync(file)) {
    throw new LintrainError(`wasm backend: ${file} is missing; run \`npm run build\` (or use --backend js)`);
  }
  return file;
}

/**
 * The compiled kernels under the package root (npm run build:wasm): build/lintrain.wasm
 * (SIMD), build/lintrain-fma.wasm (SIMD + relaxed SIMD's fused multiply-add) and
 * build/features.wasm (the feature extractors, src/features/backend-wasm.ts).
 * The worker script is always the compiled dist/kernels/wasm/worker.js, also when this
 * file runs as TypeScript source (jest), since a worker thread cannot load .ts. Hence
 * tests need `npm run build`.
 */
export function backendFiles(): { wasm: string; wasmFma: string; features: string; worker: string } {
  return {
    wasm: mustExist(packageFile('build', 'lintrain.wasm')),
    wasmFma: mustExist(packageFile('build', 'lintrain-fma.wasm')),
    features: mustExist(packageFile('build', 'features.wasm')),
    worker: mustExist(packageFile('dist', 'kernels', 'wasm', 'worker.js')),
  };
}

/**
 * Whether this runtime can run the relaxed-SIMD build (`bytes`). Node 22 and later
 * can as shipped; Node 20's V8 (11.3) has the finished proposal behind a flag, which
 * we turn on before compiling — V8 flags are per process, so the workers share it.
 */
export function relaxedSimdAvailable(bytes: Uint8Array<ArrayBuffer>): boolean {
  if (WebAssembly.validate(bytes)) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

/**
 * Bump allocation over the shared memory, growing it on demand. Nothing is freed:
 * per-call buffers are Regions that only grow, so a run allocates a few times and then
 * reuses them. Pointers are byte offsets, 64-aligned (one cache line).
 */
export class Arena {
  private top = HEAP_START;
  private readonly ours = new WeakSet<ArrayBufferLike>();

  constructor(readonly memory: WebAssembly.Memory) {
    const need = Math.ceil(HEAP_START / PAGE) - this.pages();
    if (need > 0) memory.grow(need);
    this.ours.add(memory.buffer);
  }

  private pages(): number {
    return this.memory.buffer.byteLength / PAGE;
  }

  alloc(bytes: number): number {
    const ptr = this.top;
    const end = ptr + Math.ceil(bytes / 64) * 64;
    // a page of slack past the last allocation: a kernel may read a block of rows past an array's end
    const needPages = Math.ceil((end + PAGE) / PAGE) - this.pages();
    if (end + PAGE > MAX_PAGES * PAGE) {
      throw new LintrainError(`wasm backend: ${bytes} more bytes would pass its memory limit of ${(MAX_PAGES * PAGE) / 2 ** 30} GiB`);
    }
    if (needPages > 0) this.memory.grow(needPages);
    this.top = end;
    return ptr;
  }

  /** The current buffer (a grown shared memory hands out a new, longer SharedArrayBuffer). */
  get buffer(): ArrayBufferLike {
    const b = this.memory.buffer;
    this.ours.add(b);
    return b;
  }

  /** Whether a typed array is a view of this memory (of any of its grown buffers). */
  owns(a: ArrayBufferView): boolean {
    return this.ours.has(a.buffer);
  }

  u8(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.buffer, ptr, len);
  }
  i32(ptr: number, len: number): Int32Array {
    return new Int32Array(this.buffer, ptr, len);
  }
  f32(ptr: number, len: number): Float32Array {
    return new Float32Array(this.buffer, ptr, len);
  }
  f64(ptr: number, len: number): Float64Array {
    return new Float64Array(this.buffer, ptr, len);
  }
}

/** A scratch buffer in the arena that is reallocated (at least doubling) when too small. */
export class Region {
  ptr = 0;
  private cap = 0;
  constructor(private readonly arena: Arena) {}

  ensure(bytes: number): number {
    if (bytes > this.cap) {
      this.cap = Math.max(bytes, this.cap * 2, 64);
      this.ptr = this.arena.alloc(this.cap);
    }
    return this.ptr;
  }
}
