/**
 * One job of a parallel sweep (see pool.ts): rebuild the Dataset over the shared
 * pixels once, then run each task posted to it and post back its result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RawCifar } from '../data/cifar10.js';
import { makeDataset } from '../data/preprocess.js';
import { createKernels } from '../kernels/index.js';
import type { WorkerInit } from './pool.js';
import { executeTask, type Task } from './task.js';
import { curveBuffers } from './curve.js';
import { D } from '../core/shapes.js';

const init = workerData as WorkerInit;
const kernels = await createKernels(init.backend, { threads: init.threads });

// The records the runs read, back to back: train, val (the last numVal training records),
// then test when asked. The js backend reads the shared pixels in place.
const { numTrain, numVal } = init.sizes;
const nTest = init.needTest ? init.sizes.numTest : 0;
const D0 = init.nTrain - numVal; // first validation record
const ranges: [number, number][] = [
  [0, numTrain],
  [D0, init.nTrain],
  [init.nTrain, init.nTrain + nTest],
];
const records = numTrain + numVal + nTest;
let raw: RawCifar;
if (kernels.name === 'js') {
  raw = { pixels: init.pixels, labels: init.labels, nTrain: init.nTrain, nTest, classNames: init.classNames };
} else {
  // A wasm backend reads only its own memory: one compact copy per worker, made once.
  const pixels = kernels.allocPixels(records * D).subarray(0, records * D);
  const labels = new Uint8Array(records);
  let at = 0;
  for (const [from, to] of ranges) {
    pixels.set(init.pixels.subarray(from * D, to * D), at * D);
    labels.set(init.labels.subarray(from, to), at);
    at += to - from;
  }
  raw = { pixels, labels, nTrain: numTrain + numVal, nTest, classNames: init.classNames };
}
const data = makeDataset(raw, { ...init.sizes, numTest: nTest, numDev: 0 }, 0, (s) => kernels.meanImage(s));

parentPort!.on('message', (task: Task) => {
  try {
    const result = executeTask(task, data, kernels);
    // The curve's columns move to the main thread (a transfer, no copy); W is small and copied.
    parentPort!.postMessage({ result }, result.curve ? curveBuffers(result.curve) : []);
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort!.postMessage({ ready: true, kernels: { name: kernels.name, id: kernels.id, fallback: kernels.fallback } });
