/**
 * Threads for the wasm kernels: T − 1 workers plus the main thread, all running the
 * same module on one shared memory. A job is started and joined through i32 slots of
 * the module's control block with Atomics — no message per job (a postMessage round
 * trip costs more than a whole SGD step's arithmetic):
 *
 *   main: setJob, startJob(tag), CTRL[GEN] = tag and notify → work(0, tag)
 *         → wait until no BUSY[t] equals tag
 *   worker t: wait for CTRL[GEN] to change → work(t, tag)
 *   work: BUSY[t] = tag; claim superblocks until none is left; for a gradient, once all
 *         are done, claim chunks of the final reduction likewise; BUSY[t] = 0
 *
 * Work is claimed, not assigned: a worker the OS has put aside (a busy machine) leaves
 * its share to the others instead of stalling the call, and the main thread waits only
 * for superblocks already in progress. Workers spin for a moment before sleeping in
 * Atomics.wait, because in a training loop the next job follows within microseconds
 * and waking a sleeping thread costs tens of them. A worker that throws (a wasm trap)
 * sends its message on a port the main thread reads synchronously and bumps CTRL[ERR],
 * so the failure surfaces as an exception from a kernel call, never as a hang.
 * Workers are unref'd (they never keep the process alive) and stop on dispose().
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { LintrainError } from '../../core/errors.js';
import type { Arena } from './memory.js';
import { MAX_THREADS } from '../threads.js';

// i32 slots of the control block (assembly/control.ts), shared with worker.ts.
export const GEN = 0; // the current job's tag; a change wakes the workers
export const STOP = 1; // 1: workers leave their loop
export const ERR = 2; // failures so far; threads waiting inside a job give up on it
export const BUSY = 8; // BUSY + tid: the tag of the job thread tid works on, 0 when idle
export { MAX_THREADS, threadCount } from '../threads.js';

/** Spin this long (ms) waiting for the other side before sleeping in Atomics.wait. */
export const SPIN_MS = 1;

/** The module's exports the JS side uses (assembly/index.ts). */
export interface KernelExports {
  WS: WebAssembly.Global;
  ctrlPtr(): number;
  scratchBytes(): number;
  sbBytes(K: number): number;
  setJob(
    kind: number,
    n: number,
    K: number,
    loss: number,
    delta: number,
    pix: number,
    rows: number,
    labels: number,
    mean: number,
    W: number,
    out: number,
    f64: boolean,
    scratch: number,
    sb: number,
  ): void;
  startJob(tag: number): void;
  work(tid: number, tag: number): void;
  layoutW(raw: number, W: number, K: number, f64src: boolean): void;
  setL2(strength: number, bias: boolean): void;
  finishGrad(): number;
  l2Penalty(): number;
  correctCount(): number;
  finishMany(out: number): void;
  finishMean(out: number): void;
}

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
  port: MessagePort; // errors go back on this port
}

export class Pool {
  readonly exports: KernelExports;
  private readonly ctrl: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private failure: string | null = null;
  private disposed = false;
  private exited: Promise<void> = Promise.resolve();
  private tag = 0;

  private constructor(
    readonly threads: number,
    instance: WebAssembly.Instance,
    arena: Arena,
  ) {
    this.exports = instance.exports as unknown as KernelExports;
    this.ctrl = arena.i32(this.exports.ctrlPtr(), BUSY + MAX_THREADS);
  }

  /** Instantiate the module on the main thread and start threads − 1 workers on the same memory. */
  static async start(module: WebAssembly.Module, arena: Arena, threads: number, workerFile: string): Promise<Pool> {
    if (threads > MAX_THREADS) throw new RangeError(`wasm backend: at most ${MAX_THREADS} threads, got ${threads}`);
    const instance = await WebAssembly.instantiate(module, { env: { memory: arena.memory } });
    const pool = new Pool(threads, instance, arena);
    const ready: Promise<void>[] = [];
    for (let tid = 1; tid < threads; tid++) {
      const { port1, port2 } = new MessageChannel();
      const data: WorkerData = { module, memory: arena.memory, tid, port: port2 };
      const w = new Worker(workerFile, { workerData: data, transferList: [port2] });
      port1.unref();
      pool.workers.push(w);
      pool.ports.push(port1);
      ready.push(
        new Promise((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', (e) => reject(new LintrainError(`wasm backend: worker ${tid} failed to start: ${e.message}`)));
        }),
      );
      // Later deaths (seen between calls, when the event loop runs) fail the next call.
      w.on('error', (e) => (pool.failure ??= `worker ${tid}: ${e.message}`));
      w.on('exit', (code) => {
        if (!pool.disposed) pool.failure ??= `worker ${tid} exited (code ${code})`;
      });
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      void pool.dispose();
      throw e;
    }
    for (const w of pool.workers) w.unref(); // only now: an unref'd worker could let the process exit mid-start
    return pool;
  }

  /** Run the job described by exports.setJob on all threads; returns when it is complete. */
  run(): void {
    if (this.disposed) throw new LintrainError('wasm backend: used after dispose()');
    this.checkWorkers();
    const c = this.ctrl;
    this.tag = (this.tag % 32767) + 1;
    const tag = this.tag;
    this.exports.startJob(tag);
    if (this.threads > 1) {
      Atomics.store(c, GEN, tag);
      Atomics.notify(c, GEN);
    }
    let mine: unknown = null;
    try {
      this.exports.work(0, tag);
    } catch (e) {
      mine = e;
      this.failure = `main thread: ${e instanceof Error ? e.message : String(e)}`;
      Atomics.add(c, ERR, 1); // workers waiting for the main thread's superblocks give up
    }
    for (let t = 1; t < this.threads; t++) this.waitIdle(t, tag);
    if (mine !== null) throw mine;
    this.checkWorkers();
  }

  /** Wait while worker t still works on job `tag`. */
  private waitIdle(t: number, tag: number): void {
    const c = this.ctrl;
    const deadline = performance.now() + SPIN_MS;
    let spins = 0;
    while (Atomics.load(c, BUSY + t) === tag) {
      if (++spins % 64 === 0 && performance.now() > deadline) Atomics.wait(c, BUSY + t, tag, 100);
    }
  }

  private checkWorkers(): void {
    if (this.failure === null && Atomics.load(this.ctrl, ERR) > 0) this.failure = this.workerMessages() || 'unknown error';
    if (this.failure !== null) throw new LintrainError(`wasm backend: ${this.failure}`);
  }

  private workerMessages(): string {
    const msgs: string[] = [];
    for (const p of this.ports) {
      for (let m = receiveMessageOnPort(p); m; m = receiveMessageOnPort(p)) msgs.push(String(m.message));
    }
    return msgs.join('; ');
  }

  /** Stop the workers; resolves once all have exited (see Kernels.dispose). */
  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      Atomics.store(this.ctrl, STOP, 1);
      Atomics.add(this.ctrl, GEN, 1);
      Atomics.notify(this.ctrl, GEN);
      for (const p of this.ports) p.close();
      this.exited = Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
    }
    return this.exited;
  }
}
