/**
 * The lintrain side of the benchmark, in-process against the BUILT package (dist/),
 * except e2e, which runs the CLI as a user would. Each sample sets up its own
 * kernels and data and disposes of them afterwards, so no idle worker threads or
 * extra copies of the data linger while a numpy sample runs.
 */
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { timedSpawn } from './spawn.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = new URL('../dist/', import.meta.url);
const C = 10;
const DB = 3073;
const D = 3072;
const LR = 1e-7;
const BATCH = 200;
const REG = { type: 'l2', strength: 2.5e4, l1Ratio: 0.5, includeBias: false }; // lintrain's defaults

/** Newest modification time (ms) of the files under dir with the extension. */
function newest(dir, ext) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(ext)) t = Math.max(t, fs.statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs);
  }
  return t;
}

/** The modules the benchmark uses; throws a one-line message when dist/ is missing. */
export async function loadApi() {
  const distDir = fileURLToPath(DIST);
  if (!fs.existsSync(`${distDir}kernels/index.js`)) {
    throw new Error('lintrain is not built: dist/kernels/index.js is missing (run npm run build)');
  }
  const stale = newest(`${ROOT}src`, '.ts') > newest(distDir, '.js');
  const mod = (p) => import(new URL(p, DIST).href);
  const [kernels, cifar, locate, pre, objective, rng, search, sgd] = await Promise.all([
    mod('kernels/index.js'),
    mod('data/cifar10.js'),
    mod('data/locate.js'),
    mod('data/preprocess.js'),
    mod('objective.js'),
    mod('rng.js'),
    mod('optimizers/search.js'),
    mod('optimizers/sgd.js'),
  ]);
  return {
    stale,
    createKernels: kernels.createKernels,
    loadCifar10: cifar.loadCifar10,
    classNames: cifar.OFFICIAL_CLASS_NAMES,
    resolveDataDir: locate.resolveDataDir,
    findBatchDir: locate.findBatchDir,
    makeDataset: pre.makeDataset,
    split: pre.DEFAULT_SPLIT ?? { numTrain: 49000, numVal: 1000, numTest: 10000, numDev: 500 },
    makeObjective: objective.makeObjective,
    Rng: rng.Rng,
    randomSearch: search.randomSearch,
    sgd: sgd.sgd,
  };
}

/** Random bytes of the real shape (50,000 + 10,000 images) where the backend wants them. */
function randomRaw(api, kernels) {
  const nTrain = 50000;
  const nTest = 10000;
  const pixels = kernels.allocPixels((nTrain + nTest) * D).subarray(0, (nTrain + nTest) * D);
  for (let at = 0; at < pixels.length; at += 1 << 26) randomFillSync(pixels.subarray(at, at + (1 << 26)));
  const labels = new Uint8Array(nTrain + nTest);
  for (let i = 0; i < labels.length; i++) labels[i] = i % C;
  return { pixels, labels, nTrain, nTest, classNames: api.classNames.slice() };
}

/** Kernels plus the preprocessed data set; the caller disposes of st.kernels. */
async function setup(api, ctx, backend) {
  const kernels = await api.createKernels(backend, { threads: ctx.threads });
  const alloc = (n) => kernels.allocPixels(n);
  const raw = ctx.batchDir ? api.loadCifar10(ctx.batchDir, { alloc }) : randomRaw(api, kernels);
  return { kernels, data: api.makeDataset(raw, api.split, 0, (s) => kernels.meanImage(s)) };
}

async function withSetup(api, ctx, backend, fn) {
  const st = await setup(api, ctx, backend);
  try {
    return await fn(st);
  } finally {
    await st.kernels.dispose(); // its workers gone before the next sample starts
  }
}

const lossSpec = (name) => ({ name, delta: 1 });

/** SGD steps run before a timed sample: a fresh process's first ~100 run up to 2× slower. numpy_side.mjs passes the same count to numpy_baseline.py. */
export const warmupSteps = (steps) => Math.max(100, Math.ceil(steps / 2));

/** ms per SGD step (batch 200 with replacement, loss + grad, the trainer's W −= lr·dW), for svm and softmax. */
export function sgdStep(api, ctx, backend) {
  return withSetup(api, ctx, backend, ({ kernels, data }) => {
    const out = {};
    for (const name of ['svm', 'softmax']) {
      const objective = api.makeObjective(kernels, data.train, data.mean, lossSpec(name), REG);
      const rng = new api.Rng(0);
      const W = rng.fillNormal(new Float32Array(C * DB), 1e-4);
      const dW = new Float32Array(C * DB);
      const rows = new Int32Array(BATCH);
      const correct = new Int32Array(1); // the trainer asks for the batch accuracy too
      const update = api.sgd();
      const step = () => {
        rng.fillInts(rows, data.train.n);
        objective(W, rows, dW, correct);
        update.step(W, dW, LR);
      };
      for (let i = 0; i < warmupSteps(ctx.steps); i++) step(); // JIT, wasm tiers, worker wake-up
      const t0 = performance.now();
      for (let i = 0; i < ctx.steps; i++) step();
      out[name] = (performance.now() - t0) / ctx.steps;
    }
    return out;
  });
}

/** ms for the SVM loss + gradient (+ L2) over all 49,000 training rows. */
export function fullPass(api, ctx, backend) {
  return withSetup(api, ctx, backend, ({ kernels, data }) => {
    const objective = api.makeObjective(kernels, data.train, data.mean, lossSpec('svm'), REG);
    const W = new api.Rng(0).fillNormal(new Float32Array(C * DB), 1e-4);
    const dW = new Float32Array(C * DB);
    objective(W, null, dW); // warm-up
    const t0 = performance.now();
    objective(W, null, dW);
    return { svm: performance.now() - t0 };
  });
}

/** s for `tries` random-search tries on the training set (the trainer's --opt random-search), scaled to 1,000. */
export function randomSearch(api, ctx, backend, tries) {
  return withSetup(api, ctx, backend, ({ kernels, data }) => {
    const problem = (seed) => ({ kernels, split: data.train, mean: data.mean, loss: lossSpec('svm'), reg: REG, rng: new api.Rng(seed) });
    api.randomSearch(problem(1), 1, 1e-4, () => {}); // warm-up: wasm tiers and workers
    const t0 = performance.now();
    api.randomSearch(problem(0), tries, 1e-4, () => {});
    const s = (performance.now() - t0) / 1e3;
    return { svm: (s * 1000) / tries, measuredS: s };
  });
}

/** ms to read the six batch files and build the data set (mean image; bias folded in). */
export async function load(api, ctx, backend) {
  const kernels = await api.createKernels(backend, { threads: ctx.threads });
  try {
    const t0 = performance.now();
    const raw = api.loadCifar10(ctx.batchDir, { alloc: (n) => kernels.allocPixels(n) });
    api.makeDataset(raw, api.split, 0, (s) => kernels.meanImage(s));
    return { load: performance.now() - t0 };
  } finally {
    await kernels.dispose();
  }
}

/** The CLI end to end: wall time and peak RSS of the child, and its accuracies. */
export function e2e(ctx, backend) {
  const args = [`${ROOT}bin/lintrain.js`, '--loss', 'svm', '--opt', 'sgd', '--log-format', 'json', '--seed', '0'];
  args.push('--data', ctx.batchDir, '--backend', backend);
  if (ctx.threadsGiven) args.push('--threads', String(ctx.threads));
  const r = timedSpawn(process.execPath, args, { cwd: ROOT });
  const done = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return null;
      }
    })
    .find((e) => e?.event === 'done');
  if (r.status !== 0 || !done) throw new Error(`lintrain e2e (${backend}) failed: ${r.stderrTail || `exit ${r.status}`}`);
  const rss = r.peakRssMB ?? done.peakRssMB;
  if (rss == null) throw new Error('lintrain e2e: no /usr/bin/time and no peakRssMB in the done event');
  return { wall: r.wallS, peak_rss: rss, train_acc: done.trainAcc, val_acc: done.valAcc, iters: done.iters };
}
