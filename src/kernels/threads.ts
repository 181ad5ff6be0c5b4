/**
 * How many threads the wasm kernels run on. Results never depend on it (the work is cut
 * by row counts alone, assembly/index.ts), so it is a setting of the machine, not of a run.
 */
import os from 'node:os';

/** The module's thread slots (assembly/layout.ts MAX_THREADS). */
export const MAX_THREADS = 64;

/** All cores, up to MAX_THREADS: a 128-core machine runs 64 threads instead of refusing to start. */
export const defaultThreads = (cores = os.availableParallelism()): number => Math.max(1, Math.min(cores, MAX_THREADS));

/** "1 thread", "2 threads": how a backend's detail names its thread count. */
export const threadCount = (n: number): string => `${n} thread${n > 1 ? 's' : ''}`;
