import os from 'node:os';
import type { BackendName, Kernels } from './types.js';
import { createJsKernels } from './js.js';
import { createWasmKernels } from './wasm.js';

export type { BackendName, Kernels } from './types.js';
export const BACKEND_NAMES: readonly BackendName[] = ['js', 'wasm'];

export interface KernelOptions {
  threads?: number; // worker threads for the wasm backend; default all cores
  fma?: boolean; // wasm: the fused multiply-add build; default when the runtime has it
}

/** The one place a backend is chosen by name. */
export async function createKernels(name: BackendName, opts: KernelOptions = {}): Promise<Kernels> {
  const threads = opts.threads ?? os.availableParallelism();
  switch (name) {
    case 'js':
      return createJsKernels();
    case 'wasm':
      return createWasmKernels({ threads, fma: opts.fma });
  }
}
