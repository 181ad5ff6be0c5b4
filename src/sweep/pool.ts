/**
 * Many independent runs (a sweep, the repro presets) on all cores: one worker thread
 * per job, each running whole runs one after another, so the runs themselves are the
 * unit of parallelism (no per-step synchronisation at all).
 *
 * Memory: the pixels are read from disk once, into a SharedArrayBuffer that every
 * worker maps without a copy. The js backend reads them there directly; a wasm backend
 * can only read its own linear memory, so each of its workers copies the records it
 * needs (train and validation, plus test when asked) into it once, back to back:
 * with the full split, 2 jobs peak at about 560 MB (184 MB shared + 2 × 154 MB).
 * With one job nothing is spawned: the run happens in this thread, on the backend's
 * own memory, with all its threads.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { loadCifar10, type RawCifar } from '../data/cifar10.js';
import { checkSplitSizes, makeDataset, type SplitSizes } from '../data/preprocess.js';
import { LintrainError } from '../core/errors.js';
import { packageFile } from '../core/package.js';
import { createKernels } from '../kernels/index.js';
import { createJsKernels } from '../kernels/js.js';
import type { BackendName, Kernels } from '../kernels/types.js';
import { executeTask, type Task, type TaskResult } from './task.js';
import type { Dataset } from '../core/shapes.js';

export { executeTask, type Task, type TaskResult } from './task.js';

/** Executes tasks somewhere: in this thread, or on a pool of workers. */
export interface TaskPool {
  readonly jobs: number;
  readonly threadsPerJob: number;
  readonly kernels: Pick<Kernels, 'name' | 'id' | 'fallback'>; // what computes the runs
  execute(task: Task): Promise<TaskResult>;
  close(): Promise<void>;
}

/** Everything a worker needs to rebuild the same Dataset over the shared pixels. */
export interface WorkerInit {
  pixels: Uint8Array; // on a SharedArrayBuffer: (nTrain+nTest)×D
  labels: Uint8Array;
  nTrain: number;
  nTest: number;
  classNames: string[];
  sizes: SplitSizes;
  backend: BackendName;
  threads: number;
  needTest: boolean;
}

export function inlinePool(data: Dataset, kernels: Kernels, threadsPerJob = 1): TaskPool {
  return {
    jobs: 1,
    threadsPerJob,
    kernels,
    execute: async (task) => executeTask(task, data, kernels),
    close: async () => {},
  };
}

/** A pool of `jobs` workers; tasks wait in a queue for a free one. */
export async function workerPool(init: WorkerInit, jobs: number): Promise<TaskPool> {
  const url = packageFile('dist', 'sweep', 'pool-worker.js'); // compiled, also under jest
  type Pending = { task: Task; resolve: (r: TaskResult) => void; reject: (e: unknown) => void };
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  let broken: unknown = null;

  const pump = () => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const p = queue.shift()!;
      busy.set(w, p);
      w.postMessage(p.task);
    }
  };
  const fail = (e: unknown) => {
    broken ??= e;
    for (const p of [...busy.values(), ...queue.splice(0)]) p.reject(broken);
    busy.clear();
  };

  const started: Worker[] = [];
  let kernels: TaskPool['kernels'] | null = null;
  const start = () =>
    new Promise<Worker>((resolve, reject) => {
      const w = new Worker(url, { workerData: init });
      started.push(w);
      w.once('error', reject);
      w.once('message', (m: { ready?: boolean; kernels?: TaskPool['kernels'] }) => {
        if (!m.ready) return reject(new Error('worker did not start'));
        kernels ??= m.kernels!;
        w.off('error', reject);
        w.on('error', fail);
        w.on('exit', (code) => code !== 0 && !broken && fail(new Error(`a worker stopped with code ${code}`)));
        w.on('message', (m: { result?: TaskResult; error?: string }) => {
          const p = busy.get(w);
          busy.delete(w);
          idle.push(w);
          if (m.error !== undefined) p?.reject(new LintrainError(m.error));
          else p?.resolve(m.result!);
          pump();
        });
        resolve(w);
      });
    });
  let workers: Worker[];
  try {
    workers = await Promise.all(Array.from({ length: jobs }, start));
  } catch (e) {
    await Promise.all(started.map((w) => w.terminate())); // a live worker would keep the process running
    throw e;
  }
  idle.push(...workers);
  return {
    jobs,
    threadsPerJob: init.threads,
    kernels: kernels!,
    execute: (task) =>
      new Promise((resolve, reject) => {
        if (broken) return reject(broken);
        queue.push({ task, resolve, reject });
        pump();
      }),
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Execute the tasks in their order (longest first is the caller's business), at most
 * pool.jobs at a time, reporting each as it ends. `shouldStop` is asked before each task
 * starts: once it says true no new task starts and the running ones finish; the results
 * are then fewer than the tasks. Between tasks the event loop turns, so that a signal's
 * handler runs even when the runs happen in this thread.
 */
export async function executeAll(
  pool: TaskPool,
  tasks: readonly Task[],
  onResult: (r: TaskResult) => void,
  shouldStop: () => boolean = () => false,
): Promise<TaskResult[]> {
  const results: TaskResult[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (next >= tasks.length || shouldStop()) return;
      const r = await pool.execute(tasks[next++]);
      onResult(r);
      results.push(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(pool.jobs, tasks.length)) }, lane));
  return results.sort((a, b) => a.index - b.index);
}

export const defaultJobs = (): number => os.availableParallelism();

export interface OpenedPool {
  data: Dataset; // this thread's view of the data (for the final test score, sanity checks)
  kernels: Kernels; // for this thread's own arithmetic
  pool: TaskPool;
  close(): Promise<void>;
}

/**
 * Load the batch directory once and start the runs' home: with jobs 1, the config's
 * backend in this thread (all its threads); otherwise `jobs` workers sharing the pixels,
 * each with the backend on threads/jobs threads (at least 1), and js kernels here.
 */
export async function openPool(
  batchDir: string,
  config: Config,
  jobs: number,
  opts: { needTest: boolean; onLoad?: (done: number, total: number) => void },
): Promise<OpenedPool> {
  const sizes: SplitSizes = { numTrain: config.numTrain, numVal: config.numVal, numTest: config.numTest, numDev: config.numDev };
  const onCounts = (nTrain: number, nTest: number) => checkSplitSizes(sizes, nTrain, nTest, batchDir);
  if (jobs <= 1) {
    const kernels = await createKernels(config.backend, { threads: config.threads });
    try {
      const raw = loadCifar10(batchDir, { alloc: (bytes) => kernels.allocPixels(bytes), onProgress: opts.onLoad, onCounts });
      const data = makeDataset(raw, sizes, config.seed, (s) => kernels.meanImage(s));
      return { data, kernels, pool: inlinePool(data, kernels, config.threads), close: async () => kernels.dispose() };
    } catch (e) {
      kernels.dispose();
      throw e;
    }
  }
  const shared = (bytes: number) => new Uint8Array(new SharedArrayBuffer(bytes));
  const raw: RawCifar = loadCifar10(batchDir, { alloc: shared, onProgress: opts.onLoad, onCounts });
  const data = makeDataset(raw, sizes, config.seed); // checks the sizes before any worker starts
  const labels = shared(raw.labels.length);
  labels.set(raw.labels);
  const threads = Math.max(1, Math.floor(config.threads / jobs));
  const init: WorkerInit = {
    pixels: raw.pixels,
    labels,
    nTrain: raw.nTrain,
    nTest: raw.nTest,
    classNames: raw.classNames,
    sizes,
    backend: config.backend,
    threads,
    needTest: opts.needTest,
  };
  const pool = await workerPool(init, jobs);
  const kernels = createJsKernels();
  return { data, kernels, pool, close: () => pool.close() };
}
