import type { BackendName, Kernels } from './types.js';
import { createJsKernels } from './js.js';
import { defaultThreads } from './threads.js';
import { createWasmKernels } from './wasm/backend.js';

export type { BackendName, Kernels, KernelsId } from './types.js';
export { defaultThreads, MAX_THREADS } from './threads.js';
export const BACKEND_NAMES: readonly BackendName[] = ['js', 'wasm', 'wasm-fma'];

export interface KernelOptions {
  threads?: number; // worker threads of the wasm backends; default all cores, up to MAX_THREADS
}

/**
 * The one place a backend is chosen by name: js (the reference), wasm (SIMD, the same bits
 * on every machine) or wasm-fma (opt-in: fused multiply-adds where the host has them).
 */
export async function createKernels(name: BackendName, opts: KernelOptions = {}): Promise<Kernels> {
  const threads = opts.threads ?? defaultThreads();
  switch (name) {
    case 'js':
      return createJsKernels();
    case 'wasm':
    case 'wasm-fma':
      return createWasmKernels({ threads, fma: name === 'wasm-fma' });
  }
}
