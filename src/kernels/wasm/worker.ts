/**
 * A worker thread of the wasm backend (see pool.ts for the protocol): instantiate
 * the shared module on the shared memory, then run work(tid) for every job until told
 * to stop. Loaded from dist/kernels/wasm/worker.js, so it needs `npm run build`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BUSY, ERR, GEN, MAX_THREADS, SPIN_MS, STOP } from './pool.js';
import type { KernelExports, WorkerData } from './pool.js';

const { module, memory, tid, port } = workerData as WorkerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
const ctrl = new Int32Array(memory.buffer, kernels.ctrlPtr(), BUSY + MAX_THREADS);

/** Wait until the generation differs from seen: spin briefly, then sleep. */
function nextJob(seen: number): number {
  const deadline = performance.now() + SPIN_MS;
  let spins = 0;
  for (;;) {
    const gen = Atomics.load(ctrl, GEN);
    if (gen !== seen) return gen;
    if (++spins % 64 === 0 && performance.now() > deadline) Atomics.wait(ctrl, GEN, seen);
  }
}

let seen = Atomics.load(ctrl, GEN);
parentPort!.postMessage('ready');
for (;;) {
  seen = nextJob(seen);
  if (Atomics.load(ctrl, STOP) !== 0) break;
  try {
    kernels.work(tid, seen);
  } catch (e) {
    port.postMessage(`worker ${tid}: ${e instanceof Error ? e.message : String(e)}`);
    Atomics.add(ctrl, ERR, 1);
  } finally {
    Atomics.store(ctrl, BUSY + tid, 0); // after a trap the module could not clear it
    Atomics.notify(ctrl, BUSY + tid);
  }
}
port.close();
