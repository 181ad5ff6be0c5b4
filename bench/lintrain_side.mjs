/**
 * The lintrain side of the benchmark, in-process against the BUILT package (dist/),
 * except e2e, which runs the CLI as a user would. Each sample sets up its own
 * kernels and data and disposes of them afterwards, so no idle worker threads or
 * extra copies of the data linger while a numpy sample runs.
 */
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { timedSpawn } from './spawn.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = new URL('../dist/', import.meta.url);
const C = 10;
const DB = 3073;
const D = 3072;
const LR = 1e-7;
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
  const [
    kernels,
    cifar,
    locate,
    pre,
    objective,
    rng,
    search,
    config,
    resolve,
    train,
    recorder,
    folder,
    pretty,
    features,
    kmeans,
    standardize,
  ] = await Promise.all([
    mod('kernels/index.js'),
    mod('data/cifar10.js'),
    mod('data/locate.js'),
    mod('data/preprocess.js'),
    mod('model/objective.js'),
    mod('core/rng.js'),
    mod('optimizers/search.js'),
    mod('config/schema.js'),
    mod('config/resolve.js'),
    mod('training/trainer.js'),
    mod('report/run-recorder.js'),
    mod('report/run-folder.js'),
    mod('report/pretty.js'),
    mod('features/index.js'),
    mod('features/kmeans.js'),
    mod('features/standardize.js'),
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
    resolveConfig: resolve.resolveConfig,
    runConfig: config.runConfig,
    Trainer: train.Trainer,
    RunRecorder: recorder.RunRecorder,
    RunFolder: folder.RunFolder,
    PrettyReporter: pretty.PrettyReporter,
    createFeatureBackend: (backend, threads) =>
      backend === 'js' ? features.createJsFeatureBackend() : features.createWasmFeatureBackend({ threads }),
    learnPatchModel: kmeans.learnPatchModel,
    fitStandardizer: standardize.fitStandardizer,
    quantize: standardize.quantize,
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

/**
 * ms per SGD step (batch 200 with replacement), for svm and softmax: a training step as
 * `lintrain --loss L --opt sgd` takes it — the trainer's step() (minibatch, loss and
 * gradient with the L2 term, the update, the divergence checks) with its event going to
 * the run folder's recorder, as in the CLI (metrics kept, saved every 5 s). No
 * validation checks (--eval-every 0): the textbook numpy loop has none either.
 */
export function sgdStep(api, ctx, backend) {
  return withSetup(api, ctx, backend, ({ kernels, data }) => {
    const out = {};
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-bench-'));
    try {
      for (const name of ['svm', 'softmax']) {
        const config = api.resolveConfig(
          {},
          { loss: name, opt: 'sgd', lr: LR, iters: 1e9, evalEvery: 0, seed: 0, out: path.join(tmp, name) },
        );
        const people = new api.PrettyReporter(process.stderr, true);
        const recorder = new api.RunRecorder(api.RunFolder.create(config), people, api.runConfig(config), kernels.id);
        const emit = (e) => (e.event === 'iter' ? recorder.iter(e) : recorder.val(e));
        const trainer = new api.Trainer(config, data, kernels, emit);
        for (let i = 0; i < warmupSteps(ctx.steps); i++) trainer.step(); // JIT, wasm tiers, worker wake-up
        const t0 = performance.now();
        for (let i = 0; i < ctx.steps; i++) trainer.step();
        out[name] = (performance.now() - t0) / ctx.steps;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
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

/**
 * The CLI end to end, `lintrain --loss svm --opt sgd` as a user runs it (the run folder
 * with its pictures, or --no-plots): wall time and peak RSS of the child, its accuracies.
 */
export function e2e(ctx, backend, plots = true) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-bench-e2e-'));
  const args = [`${ROOT}bin/lintrain.js`, '--loss', 'svm', '--opt', 'sgd', '--log-format', 'json', '--seed', '0'];
  args.push('--data', ctx.batchDir, '--backend', backend, '--out', path.join(out, 'run'));
  if (!plots) args.push('--no-plots');
  if (ctx.threadsGiven) args.push('--threads', String(ctx.threads));
  let r;
  try {
    r = timedSpawn(process.execPath, args, { cwd: ROOT });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
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
  return { wall: r.wallS, peak_rss: rss, train_acc: done.trainAcc, val_acc: done.valAcc, test_acc: done.testAcc, iters: done.iters };
}

/** The Coates et al. settings of the k-means workload (bench/coates_numpy.py takes the same). */
export const KMEANS = { centroids: 200, patches: 50000, iters: 10, images: 10000 };

/**
 * s for the Coates et al. pipeline at small settings, stage by stage, as lintrain's
 * features do it (src/features): random 6×6×3 patches of the training images, their
 * normalization and ZCA whitening, k-means, the triangle features of the first
 * `images` training images (4K each), and their standardization (statistics and the
 * byte encoding). Loading the files is not timed, as on the numpy side.
 */
export async function kmeansPipeline(api, ctx, backend) {
  const backendKind = backend === 'js' ? 'js' : 'wasm';
  const fb = await api.createFeatureBackend(backendKind, ctx.threads);
  try {
    const raw = ctx.batchDir ? api.loadCifar10(ctx.batchDir, { alloc: (n) => fb.allocPixels(n) }) : randomRaw(api, fb);
    const n = Math.min(KMEANS.images, raw.nTrain);
    const train = { pixels: raw.pixels.subarray(0, raw.nTrain * D), labels: raw.labels.subarray(0, raw.nTrain), n: raw.nTrain };
    const stages = {};
    let last = performance.now();
    const lap = (name) => {
      const now = performance.now();
      stages[name] = (stages[name] ?? 0) + (now - last) / 1e3;
      last = now;
    };
    const t0 = last;
    // learnPatchModel reports its stages through progress: time each as it ends
    let stage = 'patches';
    const model = api.learnPatchModel(fb, train, { K: KMEANS.centroids, patches: KMEANS.patches, iters: KMEANS.iters, seed: 0 }, (s) => {
      if (s !== stage) {
        lap(stage);
        stage = s;
      }
    });
    lap('kmeans');
    const F = 4 * model.K;
    const X = new Float32Array(n * F);
    const CHUNK = 255;
    for (let lo = 0; lo < n; lo += CHUNK) {
      const m = Math.min(CHUNK, n - lo);
      fb.triangle(train.pixels.subarray(lo * D, (lo + m) * D), m, model, X.subarray(lo * F, (lo + m) * F));
    }
    lap('extract');
    const st = api.fitStandardizer(X, n, F);
    api.quantize(X, n, F, st, new Uint8Array(n * F), 0);
    lap('standardize');
    return { total: (performance.now() - t0) / 1e3, ...stages };
  } finally {
    await fb.dispose();
  }
}
